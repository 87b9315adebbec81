"""Employers and the curated list of occupational fields."""
from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin

if TYPE_CHECKING:
    from .position import Position
    from .user import User


class Organisation(TimestampMixin, db.Model):
    """An employer; its HR users post positions."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    sector: Mapped[str] = mapped_column(sa.String(120), default="")
    location: Mapped[str] = mapped_column(sa.String(120), default="")
    region: Mapped[str] = mapped_column(sa.String(80), default="", index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    # part of the key of the anonymous talent cards' references; HR raises it to give every card a new one
    card_key: Mapped[int] = mapped_column(default=1, server_default="1")

    hr_users: Mapped[list[User]] = relationship(back_populates="organisation")
    positions: Mapped[list[Position]] = relationship(back_populates="organisation")


class OccupationalField(db.Model):
    """A curated occupational field mapped to ISCO-08 groups; names per locale."""

    __tablename__ = "occupational_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    isco_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    names: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str | None = None) -> str:
        """The field's name in ``locale``, falling back to English."""
        names = self.names or {}
        return names.get(locale or "en") or names.get("en") or self.code
