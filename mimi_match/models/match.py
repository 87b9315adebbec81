"""A participant x position pair: the model's suggestion and every step after it."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, enum_type, utcnow
from .enums import MatchOrigin, MatchStatus, RejectReason

if TYPE_CHECKING:
    from .participant import ParticipantProfile
    from .placement import Placement
    from .position import Position


class Match(TimestampMixin, db.Model):
    """One pair, never duplicated; the status history lives in ``MatchEvent``."""

    __tablename__ = "matches"
    __table_args__ = (
        sa.UniqueConstraint("profile_id", "position_id"),
        sa.Index("ix_matches_status_score", "status", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    position_id: Mapped[int] = mapped_column(sa.ForeignKey("positions.id", ondelete="CASCADE"), index=True)
    origin: Mapped[MatchOrigin] = mapped_column(enum_type(MatchOrigin), default=MatchOrigin.MODEL)
    status: Mapped[MatchStatus] = mapped_column(enum_type(MatchStatus), default=MatchStatus.SUGGESTED)
    score: Mapped[float | None]
    components: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    explanation: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    model_version: Mapped[str | None] = mapped_column(sa.String(40))
    reject_reason: Mapped[RejectReason | None] = mapped_column(enum_type(RejectReason))
    version_id: Mapped[int] = mapped_column(default=1)

    profile: Mapped[ParticipantProfile] = relationship()
    position: Mapped[Position] = relationship()
    events: Mapped[list[MatchEvent]] = relationship(
        back_populates="match", cascade="all, delete-orphan", order_by="MatchEvent.id"
    )
    placement: Mapped[Placement | None] = relationship(viewonly=True)

    __mapper_args__ = {"version_id_col": version_id}


class MatchEvent(db.Model):
    """One status transition of a match: who, when, why."""

    __tablename__ = "match_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[MatchStatus | None] = mapped_column(enum_type(MatchStatus))
    to_status: Mapped[MatchStatus] = mapped_column(enum_type(MatchStatus))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason_code: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

    match: Mapped[Match] = relationship(back_populates="events")
