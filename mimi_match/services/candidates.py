"""What an HR manager may see of participants: anonymous cards of those who allow being found, and the
profile of those who said "I am interested" in one of the organisation's positions and allow sharing."""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
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

# the stages of a candidacy as the employer's lists count and group them (together: CANDIDATE_STATUSES)
IN_PROGRESS = (MatchStatus.INTERESTED, MatchStatus.INVITED, MatchStatus.OFFERED)
PLACED = (MatchStatus.PLACED, MatchStatus.COMPLETED)
DECLINED = (MatchStatus.HR_DECLINED,)


@dataclass(frozen=True)
class CandidateGroup:
    key: str  # also the anchor of the group on the candidate list ("#placed")
    title: str
    matches: list[Match]


def grouped(matches: list[Match]) -> list[CandidateGroup]:
    """A position's candidates by stage: in progress (waiting for an answer, invited, offered) first, then
    placed or completed, then declined by us; only the stages that have someone, each in the given order."""
    stages = (("in-progress", _l("In progress"), IN_PROGRESS), ("placed", _l("Placed or completed"), PLACED),
              ("declined", _l("Declined by you"), DECLINED))
    groups = [CandidateGroup(key, str(title), [m for m in matches if m.status in statuses])
              for key, title, statuses in stages]
    return [group for group in groups if group.matches]


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


TALENT_PAGE = 20


@dataclass(frozen=True)
class TalentPage:
    cards: list[AnonymousCard]
    total: int
    page: int  # the page shown: the one asked for, or the last one when that was beyond the end
    per_page: int
    asked: int  # the page asked for

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def beyond_the_end(self) -> bool:
        return self.asked > self.page


def _findable_statement(field_id: int | None, skill_query: str, language: str):
    """Who may be found (allows it, confirmed their address, active) with the filters; None when the skill
    asked for is no concept of the vocabulary at all (nobody can have it)."""
    stmt = (select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id)
            .where(ParticipantProfile.consent_findable.is_(True), User.active.is_(True),
                   User.email_verified_at.is_not(None)))
    if field_id:
        stmt = stmt.where(ParticipantProfile.id.in_(select(DesiredField.profile_id)
                                                    .where(DesiredField.field_id == field_id)))
    if skill_query.strip():
        concepts = _concepts_for(skill_query.strip(), language)
        if not concepts:
            return None
        stmt = stmt.where(ParticipantProfile.id.in_(
            select(ParticipantSkill.profile_id).where(ParticipantSkill.concept_uri.in_(sorted(concepts)))))
    return stmt


def _cards(organisation: Organisation, stmt, language: str, limit: int, offset: int = 0) -> list[AnonymousCard]:
    profiles = db.session.scalars(
        stmt.options(selectinload(ParticipantProfile.skills), selectinload(ParticipantProfile.languages),
                     selectinload(ParticipantProfile.desired_fields).selectinload(DesiredField.field))
        # the id settles ties, so that one person is never on two pages (or on none)
        .order_by(ParticipantProfile.last_active_at.desc(), ParticipantProfile.id.desc())
        .limit(limit).offset(offset)).all()
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


def findable_page(actor: User, field_id: int | None = None, skill_query: str = "", page: int = 1,
                  per_page: int = TALENT_PAGE) -> TalentPage:
    """One page of the participants who allow employers to find them and have confirmed their address, newest
    activity first, with the count of all: the skills they hold as vocabulary concepts (with levels of
    confirmation), the host-language level, region and wished fields — never a name, and never free text from
    anyone (the participant, a coach or another employer), which could name or place a person. A page beyond
    the end shows the last page (and says so through ``beyond_the_end``)."""
    organisation = db.session.get(Organisation, _require_hr(actor))
    language = str(get_locale() or "en")
    asked = max(1, page)
    stmt = _findable_statement(field_id, skill_query, language)
    if stmt is None:
        return TalentPage([], 0, 1, per_page, asked)
    total = db.session.scalar(stmt.with_only_columns(func.count(ParticipantProfile.id)).order_by(None)) or 0
    shown = min(asked, max(1, math.ceil(total / per_page)))
    cards = _cards(organisation, stmt, language, per_page, (shown - 1) * per_page) if total else []
    return TalentPage(cards, total, shown, per_page, asked)


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


def back_match(matches: list[Match], position_id: int | None) -> Match | None:
    """The candidacy whose candidate list the profile page leads back to: the position the employer came
    from (when the person is its candidate), else the only one; None when there are several to choose from."""
    chosen = next((m for m in matches if m.position_id == position_id), None) if position_id else None
    return chosen or (matches[0] if len(matches) == 1 else None)


# an employer's invitation reaches a participant from these steps; from any other (the coach said no, the
# person said no or withdrew, or is a candidate already) it changes nothing, and the employer is told the same
INVITABLE = (MatchStatus.SUGGESTED, MatchStatus.APPROVED)


def invite(actor: User, reference: str, position_id: int) -> None:
    """Invite the person behind an anonymous card to look at one of our open positions. The participant
    decides (interested / not for me); the employer learns nothing about them unless they say yes, not even
    whether the invitation reached anyone new — the answer is the same in every case. Capped per position
    and day; the participant's coach is told."""
    from datetime import date, datetime, time

    from ..models import AuditEntry, MatchEvent, MatchOrigin, PositionStatus
    from ..models.base import utcnow
    from .errors import ValidationFailed
    from .notifications import notify

    organisation = db.session.get(Organisation, _require_hr(actor))
    position = db.session.get(Position, position_id)
    if position is None or position.organisation_id != organisation.id:
        raise NotFound(_("No such position."))
    if position.status != PositionStatus.OPEN or position.listed_until < date.today():
        raise ValidationFailed(_("Only an open position can be shown to a candidate. Publish it first."))
    day_start = datetime.combine(utcnow().date(), time())
    sent_today = db.session.scalar(
        select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "talent_invited",
                                                   AuditEntry.target == f"position:{position.id}",
                                                   AuditEntry.at >= day_start)) or 0
    cap = current_app.config["TALENT_INVITES_PER_DAY"]
    if sent_today >= cap:
        raise ValidationFailed(_("You can invite at most %(num)d candidates per position and day. Please go on "
                                 "tomorrow.", num=cap))
    reference = (reference or "").strip().upper()
    profile_id = next((pid for pid in db.session.scalars(
        select(ParticipantProfile.id).join(User, User.id == ParticipantProfile.user_id)
        .where(ParticipantProfile.consent_findable.is_(True), User.active.is_(True),
               User.email_verified_at.is_not(None)))
        if card_reference(organisation, pid) == reference), None) if len(reference) == 10 else None
    if profile_id is None:
        raise NotFound(_("No such card. References change when your organisation renews them: search again."))
    match = db.session.scalar(select(Match).where(Match.profile_id == profile_id, Match.position_id == position.id))
    if match is None:
        match = Match(profile_id=profile_id, position_id=position.id, origin=MatchOrigin.HR_INVITE,
                      status=MatchStatus.SUGGESTED)
        db.session.add(match)
    if match.status in INVITABLE:
        match.events.append(MatchEvent(from_status=match.status if match.id else None,
                                       to_status=MatchStatus.EMPLOYER_INVITED, actor_id=actor.id,
                                       reason_code="employer_invited", at=utcnow()))
        match.status = MatchStatus.EMPLOYER_INVITED
        profile = db.session.get(ParticipantProfile, profile_id)
        notify(profile.user_id, "employer_invitation", {"position": position.title}, "/me/suggestions")
        if profile.coach_id:
            notify(profile.coach_id, "employer_invited_participant",
                   {"participant": profile.user.display_name, "position": position.title},
                   f"/coach/participants/{profile.id}")
    # counted (by this audit entry) whether it changed anything or not: the cap tells nothing either
    audit.record("talent_invited", actor=actor, target=f"position:{position.id}")
    db.session.commit()


def candidate_match(actor: User, match_id: int) -> Match:
    """One candidacy for a position of the actor's organisation; anything else is not found (as on the
    pages: a suggestion never shown to the employer, or another organisation's, does not exist for them)."""
    organisation_id = _require_hr(actor)
    match = db.session.scalar(select(Match).where(Match.id == match_id).options(
        selectinload(Match.position), selectinload(Match.placement), selectinload(Match.events),
        selectinload(Match.profile).selectinload(ParticipantProfile.user),
        selectinload(Match.profile).selectinload(ParticipantProfile.skills),
        selectinload(Match.profile).selectinload(ParticipantProfile.languages)))
    if match is None or match.position.organisation_id != organisation_id or match.status not in CANDIDATE_STATUSES:
        raise NotFound(_("No such candidate."))
    return match
