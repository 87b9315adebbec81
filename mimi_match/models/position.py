"""Vacancies and micro-internships posted by an organisation."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, enum_type, utcnow
from .enums import CEFRLevel, ContractType, InternshipPurpose, PositionKind, PositionStatus

if TYPE_CHECKING:
    from .organisation import OccupationalField, Organisation


class Position(TimestampMixin, db.Model):
    """A vacancy or a micro-internship; status draft -> open -> filled/closed."""

    __tablename__ = "positions"
    __table_args__ = (
        sa.Index("ix_positions_status_published", "status", "published_at", "id"),
        sa.Index("ix_positions_status_listed_until", "status", "listed_until", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    field_id: Mapped[int] = mapped_column(sa.ForeignKey("occupational_fields.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[PositionKind] = mapped_column(enum_type(PositionKind), index=True)
    status: Mapped[PositionStatus] = mapped_column(enum_type(PositionStatus), default=PositionStatus.DRAFT)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    host_language: Mapped[str] = mapped_column(sa.String(8), default="nb")
    host_language_level: Mapped[CEFRLevel | None] = mapped_column(enum_type(CEFRLevel, 2), index=True)
    other_languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    location: Mapped[str] = mapped_column(sa.String(120), default="")
    region: Mapped[str] = mapped_column(sa.String(80), default="", index=True)
    remote: Mapped[bool] = mapped_column(default=False)
    hours_per_week: Mapped[int | None]
    contract_type: Mapped[ContractType | None] = mapped_column(enum_type(ContractType))
    start_date: Mapped[date | None] = mapped_column(index=True)
    openings: Mapped[int] = mapped_column(default=1)
    application_deadline: Mapped[date | None]
    # micro-internships only
    duration_weeks: Mapped[int | None]
    purpose: Mapped[InternshipPurpose | None] = mapped_column(enum_type(InternshipPurpose))
    contact_person: Mapped[str] = mapped_column(sa.String(200), default="")
    learning_content: Mapped[str] = mapped_column(sa.Text, default="")
    participants_at_once: Mapped[int | None]

    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # the application deadline, or far in the future when there is none: one indexed column serves
    # both "still open for applications" and "deadline soonest" (kept by services.search_index)
    listed_until: Mapped[date] = mapped_column(default=date.max)
    # candidates who later erased their data: the employer keeps only this count
    erased_candidates: Mapped[int] = mapped_column(default=0, server_default="0")
    version_id: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(back_populates="positions")
    field: Mapped[OccupationalField] = relationship()
    skills: Mapped[list[PositionSkill]] = relationship(
        back_populates="position", cascade="all, delete-orphan", order_by="PositionSkill.id"
    )
    terms: Mapped[list[PositionTerm]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def required_skills(self) -> list[PositionSkill]:
        return [s for s in self.skills if s.required]

    @property
    def nice_skills(self) -> list[PositionSkill]:
        return [s for s in self.skills if not s.required]


class PositionSkill(db.Model):
    """A skill a position asks for: a vocabulary concept where known, always the text typed."""

    __tablename__ = "position_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(sa.ForeignKey("positions.id", ondelete="CASCADE"), index=True)
    concept_uri: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    required: Mapped[bool] = mapped_column(default=True)

    position: Mapped[Position] = relationship(back_populates="skills")


# byte order (not a language's collation) so that a prefix is a contiguous index range on PostgreSQL too
TERM_TYPE = sa.String(80).with_variant(sa.String(80, collation="C"), "postgresql")


class PositionTerm(db.Model):
    """One word of a position's search text: word-prefix search through an index, on every database.

    ``weight`` says where the word stands (title, skills, description: see services.search_index); the
    index carries it, so ranking a search by relevance reads the index alone.
    """

    __tablename__ = "position_terms"
    __table_args__ = (sa.Index("ix_position_terms_term_position_weight", "term", "position_id", "weight"),)

    position_id: Mapped[int] = mapped_column(
        sa.ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(TERM_TYPE, primary_key=True)
    weight: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")


class SavedPosition(db.Model):
    """A position a participant saved for later."""

    __tablename__ = "saved_positions"

    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    position_id: Mapped[int] = mapped_column(
        sa.ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
