"""Talking about one candidacy: messages between the participant, the position's HR managers and the
participant's coach, what each of them has read, and the meetings proposed in it."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import enum_type, utcnow
from .enums import MeetingStatus

if TYPE_CHECKING:
    from .match import Match
    from .user import User


class Message(db.Model):
    """One message in a candidacy's conversation (plain text; shown escaped, links made clickable)."""

    __tablename__ = "messages"
    __table_args__ = (sa.Index("ix_messages_match_id_id", "match_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class ConversationRead(db.Model):
    """How far one person has read one conversation (the newest message id they were shown)."""

    __tablename__ = "conversation_reads"

    match_id: Mapped[int] = mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_read_id: Mapped[int] = mapped_column(default=0)


class Meeting(db.Model):
    """A meeting proposed in a candidacy: one to three times, a place or a video link, who attends."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[MeetingStatus] = mapped_column(enum_type(MeetingStatus), default=MeetingStatus.PROPOSED)
    duration_minutes: Mapped[int] = mapped_column(default=45)
    place: Mapped[str] = mapped_column(sa.String(300), default="")
    video_link: Mapped[str] = mapped_column(sa.String(500), default="")
    attendees: Mapped[str] = mapped_column(sa.String(300), default="")  # "Kari (team lead), Ola (HR)"
    note: Mapped[str] = mapped_column(sa.Text, default="")  # the participant's answer (another time, why not)
    starts_at: Mapped[datetime | None]  # UTC: the slot the participant chose
    sequence: Mapped[int] = mapped_column(default=0)  # the calendar file's revision (RFC 5545 SEQUENCE)
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    match: Mapped[Match] = relationship()
    slots: Mapped[list[MeetingSlot]] = relationship(back_populates="meeting", cascade="all, delete-orphan",
                                                    order_by="MeetingSlot.starts_at")

    __mapper_args__ = {"version_id_col": version_id}


class MeetingSlot(db.Model):
    """One time offered for a meeting (UTC)."""

    __tablename__ = "meeting_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]

    meeting: Mapped[Meeting] = relationship(back_populates="slots")
