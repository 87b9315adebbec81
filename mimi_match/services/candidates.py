"""What an HR manager may see of participants: anonymous cards of those who allow being found, and the
profile of those who said "I am interested" in one of the organisation's positions and allow sharing."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    DesiredField,
    Match,
    MatchStatus,
    ParticipantProfile,
    ParticipantSkill,
    Position,
    Role,
    User,
)
from . import audit
from .errors import NotFound, PermissionDenied
from .profiles import load_profile

# a participant who reached one of these steps for a position has said "I am interested" in it
CANDIDATE_STATUSES = (MatchStatus.INTERESTED, MatchStatus.INVITED, MatchStatus.OFFERED, MatchStatus.PLACED,
                      MatchStatus.COMPLETED, MatchStatus.HR_DECLINED)


def _require_hr(actor: User) -> int:
    if actor.role != Role.HR or actor.organisation_id is None:
        raise PermissionDenied()
    return actor.organisation_id


def anonymous_reference(profile_id: int) -> str:
    """A stable short reference that does not reveal the participant's id or name."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.blake2s(str(profile_id).encode(), key=secret[:32], digest_size=4).hexdigest().upper()


@dataclass
class AnonymousCard:
    reference: str
    skills: list[ParticipantSkill]
    languages: list
    region: str
    fields: list


def findable(actor: User, field_id: int | None = None, skill_query: str = "", limit: int = 50) -> list[AnonymousCard]:
    """Participants who allow employers to find them: skills, languages, region — never a name."""
    _require_hr(actor)
    stmt = (select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id)
            .where(ParticipantProfile.consent_findable.is_(True), User.active.is_(True)))
    if field_id:
        stmt = stmt.where(ParticipantProfile.id.in_(select(DesiredField.profile_id)
                                                    .where(DesiredField.field_id == field_id)))
    if skill_query.strip():
        stmt = stmt.where(ParticipantProfile.id.in_(
            select(ParticipantSkill.profile_id).where(
                func.lower(ParticipantSkill.label).contains(skill_query.strip().lower(), autoescape=True))))
    profiles = db.session.scalars(
        stmt.options(selectinload(ParticipantProfile.skills), selectinload(ParticipantProfile.languages),
                     selectinload(ParticipantProfile.desired_fields).selectinload(DesiredField.field))
        .order_by(ParticipantProfile.last_active_at.desc()).limit(limit)).all()
    return [AnonymousCard(anonymous_reference(p.id), list(p.skills), list(p.languages), p.region,
                          [d.field for d in p.desired_fields]) for p in profiles]


def candidate_profile(actor: User, profile_id: int) -> tuple[ParticipantProfile, list[Match]]:
    """The profile of a participant interested in one of the actor's organisation's positions, when the
    participant allows sharing it; anyone else is not found. Coach notes are never part of it."""
    organisation_id = _require_hr(actor)
    matches = list(db.session.scalars(
        select(Match).join(Position, and_(Position.id == Match.position_id,
                                          Position.organisation_id == organisation_id))
        .where(Match.profile_id == profile_id, Match.status.in_(CANDIDATE_STATUSES))
        .options(selectinload(Match.position))))
    if not matches:
        raise NotFound(_("No such candidate."))
    profile = load_profile(profile_id)
    if not profile.consent_share_on_interest:
        raise NotFound(_("No such candidate."))
    audit.record("profile_viewed", actor=actor, subject_user_id=profile.user_id, target=f"profile:{profile.id}")
    db.session.commit()
    return profile, matches
