"""What an HR manager may see of participants: anonymous cards of those who allow being found, and the
profile of those who said "I am interested" in one of the organisation's positions and allow sharing."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    DesiredField,
    Match,
    MatchStatus,
    Organisation,
    ParticipantProfile,
    ParticipantSkill,
    Position,
    Role,
    User,
)
from ..vocabulary import vocabulary
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


def card_reference(organisation: Organisation, profile_id: int) -> str:
    """The reference of a participant's anonymous card for one organisation: another employer sees another
    reference for the same person (nobody can pool what they saw), and the organisation's HR can give all
    its cards new references at once (``rotate_card_references``). It reveals neither id nor name."""
    secret = current_app.config["SECRET_KEY"].encode()
    message = f"card\0{organisation.id}\0{organisation.card_key}\0{profile_id}".encode()
    return hashlib.blake2s(message, key=hashlib.sha256(secret).digest(), digest_size=5).hexdigest().upper()


@dataclass(frozen=True)
class CardSkill:
    label: str  # the vocabulary's label in the reader's language: never the words anyone typed
    confirmed: bool


@dataclass
class AnonymousCard:
    reference: str
    skills: list[CardSkill]
    host_language_level: str | None  # the level in the language of the workplace, not the first languages
    region: str
    fields: list


def _concepts_for(query: str, language: str) -> set[str]:
    """The vocabulary concepts a talent search for ``query`` means (labels in the reader's language or
    English starting with the words, or the exact label in any of our languages)."""
    vocab = vocabulary()
    found = {s.uri for s in vocab.search(query, language, limit=50)}
    exact = vocab.resolve(query)
    return found | ({exact} if exact else set())


def findable(actor: User, field_id: int | None = None, skill_query: str = "", limit: int = 50) -> list[AnonymousCard]:
    """Participants who allow employers to find them and have confirmed their address: the skills they hold
    as vocabulary concepts (with levels of confirmation), the host-language level, region and wished fields
    — never a name, and never free text from anyone (the participant, a coach or another employer), which
    could name or place a person."""
    organisation = db.session.get(Organisation, _require_hr(actor))
    language = str(get_locale() or "en")
    stmt = (select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id)
            .where(ParticipantProfile.consent_findable.is_(True), User.active.is_(True),
                   User.email_verified_at.is_not(None)))
    if field_id:
        stmt = stmt.where(ParticipantProfile.id.in_(select(DesiredField.profile_id)
                                                    .where(DesiredField.field_id == field_id)))
    if skill_query.strip():
        concepts = _concepts_for(skill_query.strip(), language)
        if not concepts:
            return []
        stmt = stmt.where(ParticipantProfile.id.in_(
            select(ParticipantSkill.profile_id).where(ParticipantSkill.concept_uri.in_(sorted(concepts)))))
    profiles = db.session.scalars(
        stmt.options(selectinload(ParticipantProfile.skills), selectinload(ParticipantProfile.languages),
                     selectinload(ParticipantProfile.desired_fields).selectinload(DesiredField.field))
        .order_by(ParticipantProfile.last_active_at.desc()).limit(limit)).all()
    host = current_app.config.get("HOST_LANGUAGE", "nb")
    vocab = vocabulary()
    cards = []
    for profile in profiles:
        skills: dict[str, CardSkill] = {}
        for skill in profile.skills:
            concept = vocab.get(skill.concept_uri)
            if concept is None:
                continue  # typed words only: not on the card
            label = concept.label(language)
            if label not in skills or skill.confirmed:
                skills[label] = CardSkill(label, skill.confirmed)
        level = next((lang.level.value for lang in profile.languages if lang.language == host and lang.level), None)
        cards.append(AnonymousCard(card_reference(organisation, profile.id),
                                   sorted(skills.values(), key=lambda s: (not s.confirmed, s.label)),
                                   level, profile.region, [d.field for d in profile.desired_fields]))
    return cards


def rotate_card_references(actor: User) -> None:
    """Give every anonymous card this organisation sees a new reference (the old ones mean nothing any more)."""
    organisation = db.session.get(Organisation, _require_hr(actor))
    organisation.card_key += 1
    audit.record("card_references_rotated", actor=actor, target=f"organisation:{organisation.id}")
    db.session.commit()


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
