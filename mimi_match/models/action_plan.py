"""The participant's own action plan, co-written with the coach."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TimestampMixin, enum_type
from .enums import ActionSource, ActionStatus


class ActionPlanItem(TimestampMixin, db.Model):
    """A goal or step; may come from a skill or language gap or an evaluation."""

    __tablename__ = "action_plan_items"
    __table_args__ = (sa.Index("ix_action_plan_items_status_due", "status", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[ActionSource] = mapped_column(enum_type(ActionSource), default=ActionSource.OWN)
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus), default=ActionStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    due_date: Mapped[date | None]
    completed_at: Mapped[datetime | None]
    # a step for a missing skill: the skill as the position names it, and its concept, so the step reads
    # in each reader's language (title and detail keep the words of the moment it was added)
    skill_label: Mapped[str | None] = mapped_column(sa.String(200))
    skill_concept_uri: Mapped[str | None] = mapped_column(sa.String(255))
