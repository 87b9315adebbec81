"""Micro-internships and job starts born from a match, and their joint evaluation."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, enum_type, utcnow
from .enums import EvaluationVoice, PlacementOutcome, PlacementStatus

if TYPE_CHECKING:
    from .match import Match


class Placement(TimestampMixin, db.Model):
    """Status planned -> active -> completed, or abandoned with a reason at any time."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(sa.ForeignKey("matches.id", ondelete="CASCADE"), unique=True)
    coach_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    status: Mapped[PlacementStatus] = mapped_column(
        enum_type(PlacementStatus), default=PlacementStatus.PLANNED, index=True
    )
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    company_contact: Mapped[str] = mapped_column(sa.String(200), default="")
    abandon_reason: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[PlacementOutcome | None] = mapped_column(enum_type(PlacementOutcome))
    # the agreement's revision: a change to the plan makes a new one, which all three sign again
    plan_version: Mapped[int] = mapped_column(default=1, server_default="1")
    version_id: Mapped[int] = mapped_column(default=1)

    match: Mapped[Match] = relationship()
    evaluations: Mapped[list[Evaluation]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="Evaluation.id"
    )

    __mapper_args__ = {"version_id_col": version_id}


class Evaluation(db.Model):
    """One of the three voices of the joint evaluation: participant, coach, company contact."""

    __tablename__ = "evaluations"
    __table_args__ = (sa.UniqueConstraint("placement_id", "voice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"), index=True)
    voice: Mapped[EvaluationVoice] = mapped_column(enum_type(EvaluationVoice))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    tasks_done: Mapped[str] = mapped_column(sa.Text, default="")
    skills_shown: Mapped[str] = mapped_column(sa.Text, default="")
    language_at_work: Mapped[str] = mapped_column(sa.Text, default="")
    what_next: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[PlacementOutcome | None] = mapped_column(enum_type(PlacementOutcome))
    # on one scale, 1 not yet · 2 with help · 3 on one's own · 4 could show others: "g<n>" the plan's n-th
    # learning goal, "p<id>"/"q<id>" a skill (as the evaluation form names them)
    ratings: Mapped[dict | None] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    placement: Mapped[Placement] = relationship(back_populates="evaluations")


class AgreementSignature(db.Model):
    """One party's signature of a placement's agreement, for one revision of the plan: the name typed, when,
    and from which account (the audit log holds the same)."""

    __tablename__ = "agreement_signatures"
    __table_args__ = (sa.UniqueConstraint("placement_id", "voice", "plan_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"), index=True)
    voice: Mapped[EvaluationVoice] = mapped_column(enum_type(EvaluationVoice))
    plan_version: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    typed_name: Mapped[str] = mapped_column(sa.String(200))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUp(db.Model):
    """How the person is doing some months after a placement ended: their situation, and the everyday
    barriers that remain (success is also the absence of energy-sapping everyday problems)."""

    __tablename__ = "follow_ups"
    __table_args__ = (sa.UniqueConstraint("placement_id", "months"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"), index=True)
    months: Mapped[int]
    due_on: Mapped[date] = mapped_column(index=True)
    situation: Mapped[str | None] = mapped_column(sa.String(20))  # employed, training, looking, other
    barriers: Mapped[list] = mapped_column(sa.JSON, default=list)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]


class JointSummary(db.Model):
    """The second step of the evaluation: a summary the coach drafts from the three voices, which the other
    two confirm or comment on; once all confirm it, its outcome is the placement's outcome."""

    __tablename__ = "joint_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"), unique=True)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    outcome: Mapped[PlacementOutcome] = mapped_column(enum_type(PlacementOutcome))
    drafted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    drafted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revision: Mapped[int] = mapped_column(default=1)
    confirmed_at: Mapped[datetime | None]


class SummaryAnswer(db.Model):
    """One party's answer to a revision of the joint summary: agreed, or a comment asking for a change."""

    __tablename__ = "summary_answers"
    __table_args__ = (sa.UniqueConstraint("summary_id", "voice", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_summaries.id", ondelete="CASCADE"), index=True)
    voice: Mapped[EvaluationVoice] = mapped_column(enum_type(EvaluationVoice))
    revision: Mapped[int]
    agrees: Mapped[bool]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
