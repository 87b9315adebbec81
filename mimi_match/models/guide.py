"""Onboarding guides for a position or placement: a checklist HR ticks off."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin

if TYPE_CHECKING:
    from .placement import Placement
    from .position import Position


class OnboardingGuide(TimestampMixin, db.Model):
    """Assembled from the content library for one position or one placement."""

    __tablename__ = "onboarding_guides"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("positions.id", ondelete="CASCADE"), index=True
    )
    placement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("placements.id", ondelete="CASCADE"), unique=True
    )
    start_date: Mapped[date | None]

    position: Mapped[Position | None] = relationship()
    placement: Mapped[Placement | None] = relationship()
    items: Mapped[list[GuideItem]] = relationship(
        back_populates="guide", cascade="all, delete-orphan", order_by="GuideItem.sort_order"
    )


class GuideItem(db.Model):
    """One checklist item, referring to content by key, due relative to the start date."""

    __tablename__ = "guide_items"
    __table_args__ = (sa.UniqueConstraint("guide_id", "content_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(sa.ForeignKey("onboarding_guides.id", ondelete="CASCADE"), index=True)
    content_key: Mapped[str] = mapped_column(sa.String(80))
    due_offset_days: Mapped[int] = mapped_column(default=0)
    sort_order: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    guide: Mapped[OnboardingGuide] = relationship(back_populates="items")
