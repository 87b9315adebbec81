"""HR managers' positions: create, edit, publish, close, reopen, duplicate — only their organisation's."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    CEFRLevel,
    ContractType,
    InternshipPurpose,
    OccupationalField,
    Organisation,
    Position,
    PositionKind,
    PositionSkill,
    PositionStatus,
    Role,
    User,
)
from ..models.base import utcnow
from . import audit
from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from .skill_choices import concepts_for

MICRO_ONLY = ("duration_weeks", "purpose", "contact_person", "learning_content", "participants_at_once")


@dataclass
class PositionInput:
    """What an HR manager fills in; skills are the lines typed (one skill each)."""

    kind: str
    title: str
    field_id: int
    description: str
    required_skills: list[str]
    nice_skills: list[str]
    host_language_level: str | None = None
    other_languages: list[str] | None = None
    location: str = ""
    region: str = ""
    remote: bool = False
    hours_per_week: int | None = None
    contract_type: str | None = None
    start_date: date | None = None
    openings: int = 1
    application_deadline: date | None = None
    duration_weeks: int | None = None
    purpose: str | None = None
    contact_person: str = ""
    learning_content: str = ""
    participants_at_once: int | None = None
    # concepts chosen from the autocomplete suggestions: skill line (casefolded) -> concept URI
    chosen_concepts: dict[str, str] = dataclasses.field(default_factory=dict)


def _require_hr(actor: User) -> int:
    if actor.role != Role.HR or actor.organisation_id is None:
        raise PermissionDenied(_("Only HR managers of an organisation can manage positions."))
    return actor.organisation_id


def own_position(actor: User, position_id: int) -> Position:
    """A position of the actor's organisation; any other is reported as not found (404, not 403)."""
    organisation_id = _require_hr(actor)
    position = db.session.scalar(
        select(Position).where(Position.id == position_id)
        .options(selectinload(Position.skills), selectinload(Position.field))
    )
    if position is None or position.organisation_id != organisation_id:
        raise NotFound(_("No such position."))
    return position


def _apply(position: Position, data: PositionInput, locale: str | None, host_language: str) -> None:
    field = db.session.get(OccupationalField, data.field_id)
    if field is None or not field.active:
        raise ValidationFailed(_("Choose an occupational field from the list."))
    skills = [(label, True) for label in data.required_skills] + [(label, False) for label in data.nice_skills]
    concepts = concepts_for([label for label, _required in skills], data.chosen_concepts, locale)  # may refuse
    kind = PositionKind(data.kind)
    position.kind = kind
    position.field = field
    position.title = data.title.strip()
    position.description = data.description.strip()
    position.host_language = host_language
    position.host_language_level = CEFRLevel(data.host_language_level) if data.host_language_level else None
    position.other_languages = list(data.other_languages or [])
    position.location = data.location.strip()
    position.region = data.region
    position.remote = data.remote
    position.hours_per_week = data.hours_per_week
    position.start_date = data.start_date
    position.openings = data.openings
    position.application_deadline = data.application_deadline
    if kind == PositionKind.MICRO_INTERNSHIP:
        position.contract_type = None
        position.duration_weeks = data.duration_weeks
        position.purpose = InternshipPurpose(data.purpose) if data.purpose else None
        position.contact_person = data.contact_person.strip()
        position.learning_content = data.learning_content.strip()
        position.participants_at_once = data.participants_at_once
    else:
        position.contract_type = ContractType(data.contract_type) if data.contract_type else None
        for name in MICRO_ONLY:
            setattr(position, name, "" if name in ("contact_person", "learning_content") else None)
    _set_skills(position, skills, concepts, data.chosen_concepts)


def _set_skills(position: Position, wanted: list[tuple[str, bool]], concepts: list[str | None],
                chosen: dict[str, str]) -> None:
    """Each (line, required) becomes a skill with its concept (see skill_choices.concepts_for). Lines kept
    from before keep their concept, unless another one was chosen from the suggestions this time."""
    existing = {(s.label.casefold(), s.required): s for s in position.skills}
    keep = []
    for (label, is_required), concept in zip(wanted, concepts, strict=True):
        skill = existing.pop((label.casefold(), is_required), None)
        if skill is None:
            skill = PositionSkill(label=label, required=is_required, concept_uri=concept)
        elif " ".join(label.split()).casefold() in chosen and skill.concept_uri != concept:
            skill.concept_uri = concept
        keep.append(skill)
    position.skills = keep


def create_position(actor: User, data: PositionInput, locale: str | None, host_language: str) -> Position:
    """A new draft position of the actor's organisation."""
    organisation_id = _require_hr(actor)
    position = Position(organisation_id=organisation_id, created_by_id=actor.id, status=PositionStatus.DRAFT)
    _apply(position, data, locale, host_language)
    db.session.add(position)
    db.session.flush()
    audit.record("position_created", actor=actor, target=f"position:{position.id}")
    db.session.commit()
    return position


def update_position(actor: User, position_id: int, data: PositionInput, expected_version: int | None,
                    locale: str | None, host_language: str) -> Position:
    """Save changes; refused with Conflict when someone saved the position since the form was opened."""
    position = own_position(actor, position_id)
    if expected_version is not None and expected_version != position.version_id:
        raise Conflict(_("Someone else changed this position while you were editing. Please check and save again."))
    _apply(position, data, locale, host_language)
    audit.record("position_updated", actor=actor, target=f"position:{position.id}")
    db.session.commit()
    return position


def publish(actor: User, position_id: int) -> Position:
    position = own_position(actor, position_id)
    if position.status == PositionStatus.OPEN:
        return position
    if not position.required_skills:
        raise ValidationFailed(_("Add at least one required skill before publishing."))
    if position.application_deadline and position.application_deadline < date.today():
        raise ValidationFailed(_("The application deadline has passed. Change it before publishing."))
    position.status = PositionStatus.OPEN
    position.published_at = utcnow()
    position.closed_at = None
    audit.record("position_published", actor=actor, target=f"position:{position.id}")
    db.session.commit()
    return position


def close(actor: User, position_id: int, filled: bool = False) -> Position:
    position = own_position(actor, position_id)
    if position.status not in (PositionStatus.OPEN, PositionStatus.DRAFT):
        return position
    position.status = PositionStatus.FILLED if filled else PositionStatus.CLOSED
    position.closed_at = utcnow()
    audit.record("position_closed", actor=actor, target=f"position:{position.id}")
    db.session.commit()
    return position


def reopen(actor: User, position_id: int) -> Position:
    """A closed or filled position is published again (the deadline must still be ahead)."""
    position = own_position(actor, position_id)
    if position.status not in (PositionStatus.CLOSED, PositionStatus.FILLED):
        return position
    return publish(actor, position_id)


def duplicate(actor: User, position_id: int) -> Position:
    """A new draft with the same content (dates cleared, so they are chosen anew)."""
    source = own_position(actor, position_id)
    columns = {c.key for c in Position.__table__.columns} - {
        "id", "status", "published_at", "closed_at", "created_at", "updated_at", "version_id",
        "start_date", "application_deadline", "created_by_id", "search_text"}
    values: dict[str, Any] = {name: getattr(source, name) for name in columns}
    values["title"] = _("Copy of %(title)s", title=source.title)[:200]
    copy = Position(**values, status=PositionStatus.DRAFT, created_by_id=actor.id)
    copy.other_languages = list(source.other_languages or [])
    copy.skills = [PositionSkill(label=s.label, required=s.required, concept_uri=s.concept_uri)
                   for s in source.skills]
    db.session.add(copy)
    db.session.flush()
    audit.record("position_duplicated", actor=actor, target=f"position:{copy.id}", detail={"from": source.id})
    db.session.commit()
    return copy


def own_organisation(actor: User) -> Organisation:
    organisation_id = _require_hr(actor)
    return db.session.get(Organisation, organisation_id)


def update_organisation(actor: User, values: dict[str, str]) -> Organisation:
    """HR users edit their own organisation's profile."""
    organisation = own_organisation(actor)
    name = values["name"].strip()
    clash = db.session.scalar(
        select(Organisation.id).where(Organisation.name == name, Organisation.id != organisation.id))
    if clash is not None:
        raise ValidationFailed(_("Another organisation already uses this name."))
    for key in ("sector", "location", "region", "description", "contact_email", "contact_phone"):
        setattr(organisation, key, (values.get(key) or "").strip())
    organisation.name = name
    audit.record("organisation_updated", actor=actor, target=f"organisation:{organisation.id}")
    db.session.commit()
    return organisation


def open_positions_of(actor: User) -> list[Position]:
    """Our organisation's positions that are open and listed: what a candidate can be invited to look at."""
    organisation_id = _require_hr(actor)
    return list(db.session.scalars(select(Position).where(
        Position.organisation_id == organisation_id, Position.status == PositionStatus.OPEN,
        Position.listed_until >= date.today()).order_by(Position.title)))
