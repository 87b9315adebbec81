"""A participant's profile: skills, languages, wishes, consent, and the coach's records about it.

Never stored, never asked: nationality, ethnicity, religion, health, gender, date of birth.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, enum_type, utcnow
from .enums import (
    CEFRLevel,
    CheckMethod,
    CheckResult,
    ConsentKind,
    DesiredKinds,
    RecognitionStatus,
    SkillConfirmation,
)

if TYPE_CHECKING:
    from .organisation import OccupationalField
    from .user import User


class ParticipantProfile(TimestampMixin, db.Model):
    """What a participant can do and wants; one per participant account."""

    __tablename__ = "participant_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    coach_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    region: Mapped[str] = mapped_column(sa.String(80), default="", index=True)
    travel_km: Mapped[int | None]
    remote_ok: Mapped[bool] = mapped_column(default=False)
    available_from: Mapped[date | None]
    hours_per_week: Mapped[int | None]
    desired_kinds: Mapped[DesiredKinds] = mapped_column(enum_type(DesiredKinds), default=DesiredKinds.BOTH)
    wish_text: Mapped[str] = mapped_column(sa.Text, default="")
    consent_matching: Mapped[bool] = mapped_column(default=False, index=True)
    consent_findable: Mapped[bool] = mapped_column(default=False)
    consent_share_on_interest: Mapped[bool] = mapped_column(default=False)
    last_active_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # set when the retention reminder went out; cleared when the participant comes back
    retention_reminded_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship(back_populates="profile", foreign_keys=[user_id])
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_id])
    skills: Mapped[list[ParticipantSkill]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ParticipantSkill.id"
    )
    languages: Mapped[list[ParticipantLanguage]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ParticipantLanguage.id"
    )
    desired_fields: Mapped[list[DesiredField]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="DesiredField.rank"
    )
    experiences: Mapped[list[WorkExperience]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="WorkExperience.id"
    )
    educations: Mapped[list[Education]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="Education.id"
    )

    __mapper_args__ = {"version_id_col": version_id}


class ParticipantSkill(db.Model):
    """A skill of a participant: concept where known, the text typed, and how it was confirmed."""

    __tablename__ = "participant_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    concept_uri: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    label: Mapped[str] = mapped_column(sa.String(200))
    confirmation: Mapped[SkillConfirmation] = mapped_column(
        enum_type(SkillConfirmation), default=SkillConfirmation.SELF_STATED
    )
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile: Mapped[ParticipantProfile] = relationship(back_populates="skills")

    @property
    def confirmed(self) -> bool:
        return self.confirmation != SkillConfirmation.SELF_STATED


class ParticipantLanguage(db.Model):
    """A language and the participant's CEFR level in it."""

    __tablename__ = "participant_languages"
    __table_args__ = (sa.UniqueConstraint("profile_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(sa.String(8))
    level: Mapped[CEFRLevel] = mapped_column(enum_type(CEFRLevel, 2))

    profile: Mapped[ParticipantProfile] = relationship(back_populates="languages")


class DesiredField(db.Model):
    """One of up to three desired occupational fields, in the participant's order (rank 1 first)."""

    __tablename__ = "desired_fields"
    __table_args__ = (
        sa.UniqueConstraint("profile_id", "rank"),
        sa.UniqueConstraint("profile_id", "field_id"),
        sa.CheckConstraint("rank BETWEEN 1 AND 3", name="rank_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    field_id: Mapped[int] = mapped_column(sa.ForeignKey("occupational_fields.id"), index=True)
    rank: Mapped[int]

    profile: Mapped[ParticipantProfile] = relationship(back_populates="desired_fields")
    field: Mapped[OccupationalField] = relationship()


class WorkExperience(db.Model):
    """What the participant did, where, and for how long."""

    __tablename__ = "work_experiences"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    months: Mapped[int | None]
    description: Mapped[str] = mapped_column(sa.Text, default="")

    profile: Mapped[ParticipantProfile] = relationship(back_populates="experiences")


class Education(db.Model):
    """Education or a qualification, with the recognition status of foreign qualifications."""

    __tablename__ = "educations"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    institution: Mapped[str] = mapped_column(sa.String(200), default="")
    recognition: Mapped[RecognitionStatus] = mapped_column(
        enum_type(RecognitionStatus), default=RecognitionStatus.NOT_STARTED
    )

    profile: Mapped[ParticipantProfile] = relationship(back_populates="educations")


class ConsentEvent(db.Model):
    """History of consent given and withdrawn, for the participant's export and the audit."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsentKind] = mapped_column(enum_type(ConsentKind))
    granted: Mapped[bool]
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CompetenceCheck(db.Model):
    """A skill checked by a professional expert (interview and/or practical task), with the result."""

    __tablename__ = "competence_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participant_skills.id", ondelete="SET NULL"), index=True
    )
    coach_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    expert_name: Mapped[str] = mapped_column(sa.String(200), default="")
    method: Mapped[CheckMethod] = mapped_column(enum_type(CheckMethod))
    result: Mapped[CheckResult] = mapped_column(enum_type(CheckResult))
    joint_assessment: Mapped[str] = mapped_column(sa.Text, default="")
    checked_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoachNote(db.Model):
    """A coach's private note: HR never sees it; it is part of the participant's own export."""

    __tablename__ = "coach_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant_profiles.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
