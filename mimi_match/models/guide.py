"""Onboarding guides for a position or placement: a checklist HR ticks off, points given to a buddy or team
member (who ticks them through a signed link, without an account), and the new colleague's welcome page."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, utcnow

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
    # the welcome page for the new colleague (a placement's guide): the facts HR fills in
    first_day_time: Mapped[time | None] = mapped_column(sa.Time)
    first_day_place: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    what_to_bring: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    welcome_shared_at: Mapped[datetime | None]  # when HR let the new colleague see it (None: not yet)

    position: Mapped[Position | None] = relationship()
    placement: Mapped[Placement | None] = relationship()
    items: Mapped[list[GuideItem]] = relationship(
        back_populates="guide", cascade="all, delete-orphan", order_by="GuideItem.sort_order"
    )
    helpers: Mapped[list[GuideHelper]] = relationship(
        back_populates="guide", cascade="all, delete-orphan", order_by="GuideHelper.id"
    )


class GuideHelper(db.Model):
    """A buddy or team member HR gives points to: a name (and an e-mail, to send the link), usually no account.

    They reach their own points by a signed link that carries ``link_key``; a new key ends the old link."""

    __tablename__ = "guide_helpers"

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(sa.ForeignKey("onboarding_guides.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    language: Mapped[str] = mapped_column(sa.String(8))  # their list's language
    is_buddy: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    link_key: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    guide: Mapped[OnboardingGuide] = relationship(back_populates="helpers")


class GuideItem(db.Model):
    """One checklist item, referring to content by key, due relative to the start date (or on the date HR
    gave when handing it to a helper)."""

    __tablename__ = "guide_items"
    __table_args__ = (sa.UniqueConstraint("guide_id", "content_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guide_id: Mapped[int] = mapped_column(sa.ForeignKey("onboarding_guides.id", ondelete="CASCADE"), index=True)
    content_key: Mapped[str] = mapped_column(sa.String(80))
    due_offset_days: Mapped[int] = mapped_column(default=0)
    sort_order: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    helper_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guide_helpers.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date | None]  # set with the helper; else due relative to the start date
    done_by_helper_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guide_helpers.id", ondelete="SET NULL"))

    guide: Mapped[OnboardingGuide] = relationship(back_populates="items")
    helper: Mapped[GuideHelper | None] = relationship(foreign_keys=[helper_id])
    done_by_helper: Mapped[GuideHelper | None] = relationship(foreign_keys=[done_by_helper_id])
