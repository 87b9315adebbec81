"""A participant's own profile, built step by step: skills, experience, languages, wishes, availability,
consent. Every change is the participant's own (or, for confirmed skills, their coach's)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..matching.cefr import LEVELS
from ..models import (
    CEFRLevel,
    ConsentEvent,
    ConsentKind,
    DesiredField,
    DesiredKinds,
    Education,
    Match,
    MatchStatus,
    OccupationalField,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    RecognitionStatus,
    Role,
    User,
    WorkExperience,
)
from ..models.base import utcnow
from . import audit
from .errors import NotFound, PermissionDenied, ValidationFailed
from .skill_choices import concepts_for

MAX_SKILLS = 40
MAX_LANGUAGES = 12
MAX_ITEMS = 20  # experiences, educations


def own_profile(actor: User) -> ParticipantProfile:
    """The acting participant's profile with everything the steps show."""
    if actor.role != Role.PARTICIPANT or actor.profile is None:
        raise PermissionDenied(_("Only participants have a profile."))
    return load_profile(actor.profile.id)


def load_profile(profile_id: int) -> ParticipantProfile:
    profile = db.session.scalar(
        select(ParticipantProfile).where(ParticipantProfile.id == profile_id).options(
            selectinload(ParticipantProfile.user), selectinload(ParticipantProfile.skills),
            selectinload(ParticipantProfile.languages), selectinload(ParticipantProfile.experiences),
            selectinload(ParticipantProfile.educations),
            selectinload(ParticipantProfile.desired_fields).selectinload(DesiredField.field)))
    if profile is None:
        raise NotFound(_("No such participant."))
    return profile


def _touch(profile: ParticipantProfile) -> None:
    profile.last_active_at = utcnow()


def _save(profile: ParticipantProfile) -> None:
    """Commit a change of the participant's own (the matching worker is told by the commit itself)."""
    _touch(profile)
    db.session.commit()


# --- completeness -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    key: str  # also the endpoint suffix: participant.step_<key>
    title: object
    hint: object
    weight: int
    icon: str = "check-circle"  # from static/icons/icons.svg: a picture beside the words, for every reader


STEPS = (
    Step("skills", _l("What I can do"), _l("Add your skills"), 25, "tools"),
    Step("experience", _l("Work and school"), _l("Add your work experience or education"), 15, "mortarboard"),
    Step("languages", _l("My languages"), _l("Add your languages"), 20, "translate"),
    Step("wishes", _l("What I want"), _l("Choose the work you want"), 20, "heart"),
    Step("availability", _l("Where and when"), _l("Say where and when you can work"), 10, "calendar-week"),
    Step("consent", _l("What I allow"), _l("Decide what we may do with your profile"), 10, "shield-check"),
)


def step_done(profile: ParticipantProfile, key: str, host_language: str) -> bool:
    if key == "skills":
        return len(profile.skills) >= 3
    if key == "experience":
        return bool(profile.experiences or profile.educations)
    if key == "languages":
        return any(lang.language == host_language for lang in profile.languages)
    if key == "wishes":
        return bool(profile.desired_fields)
    if key == "availability":
        return bool(profile.region) and (profile.available_from is not None or profile.hours_per_week is not None)
    if key == "consent":
        return profile.consent_matching
    raise KeyError(key)


@dataclass
class Completeness:
    percent: int
    done: dict[str, bool]
    next_step: Step | None


def completeness(profile: ParticipantProfile, host_language: str) -> Completeness:
    done = {step.key: step_done(profile, step.key, host_language) for step in STEPS}
    percent = sum(step.weight for step in STEPS if done[step.key])
    next_step = next((step for step in STEPS if not done[step.key]), None)
    return Completeness(percent, done, next_step)


# --- skills ---------------------------------------------------------------------------------------

def add_skills(actor: User, labels: list[str], locale: str | None,
               chosen: Mapping[str, str] | None = None) -> int:
    """Add skills (self-stated): the concept chosen from the suggestions (``chosen``: label -> URI), else the
    concept the words are a label of, else free text. A chosen URI that does not fit changes nothing."""
    profile = own_profile(actor)
    concepts = concepts_for(labels, chosen, locale)
    known_concepts = {s.concept_uri for s in profile.skills if s.concept_uri}
    known_labels = {s.label.casefold() for s in profile.skills}
    added = 0
    for label, concept in zip(labels, concepts, strict=True):
        if (concept and concept in known_concepts) or label.casefold() in known_labels:
            continue
        if len(profile.skills) >= MAX_SKILLS:
            raise ValidationFailed(_("You can list at most %(n)d skills.", n=MAX_SKILLS))
        profile.skills.append(ParticipantSkill(label=label, concept_uri=concept))
        known_labels.add(label.casefold())
        if concept:
            known_concepts.add(concept)
        added += 1
    _save(profile)
    return added


def remove_skill(actor: User, skill_id: int) -> None:
    profile = own_profile(actor)
    skill = next((s for s in profile.skills if s.id == skill_id), None)
    if skill is None:
        raise NotFound(_("No such skill."))
    profile.skills.remove(skill)
    _save(profile)


# --- experience and education ----------------------------------------------------------------------

def add_experience(actor: User, title: str, place: str, months: int | None, description: str) -> None:
    profile = own_profile(actor)
    if len(profile.experiences) >= MAX_ITEMS:
        raise ValidationFailed(_("You can list at most %(n)d jobs.", n=MAX_ITEMS))
    profile.experiences.append(WorkExperience(title=title.strip(), place=place.strip(), months=months,
                                              description=description.strip()))
    _save(profile)


def add_education(actor: User, title: str, institution: str, recognition: str) -> None:
    profile = own_profile(actor)
    if len(profile.educations) >= MAX_ITEMS:
        raise ValidationFailed(_("You can list at most %(n)d educations.", n=MAX_ITEMS))
    profile.educations.append(Education(title=title.strip(), institution=institution.strip(),
                                        recognition=RecognitionStatus(recognition)))
    _save(profile)


def remove_item(actor: User, kind: str, item_id: int) -> None:
    profile = own_profile(actor)
    items = profile.experiences if kind == "experience" else profile.educations
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise NotFound(_("Not found."))
    items.remove(item)
    _save(profile)


# --- languages --------------------------------------------------------------------------------------

def set_language(actor: User, language: str, level: str) -> None:
    """Add a language or change its level."""
    profile = own_profile(actor)
    if level not in LEVELS:
        raise ValidationFailed(_("Choose a level from A1 to C2."))
    existing = next((lang for lang in profile.languages if lang.language == language), None)
    if existing is None:
        if len(profile.languages) >= MAX_LANGUAGES:
            raise ValidationFailed(_("You can list at most %(n)d languages.", n=MAX_LANGUAGES))
        profile.languages.append(ParticipantLanguage(language=language, level=CEFRLevel(level)))
    else:
        existing.level = CEFRLevel(level)
    _save(profile)


def remove_language(actor: User, language: str) -> None:
    profile = own_profile(actor)
    existing = next((lang for lang in profile.languages if lang.language == language), None)
    if existing is None:
        raise NotFound(_("Not found."))
    profile.languages.remove(existing)
    _save(profile)


# --- wishes -----------------------------------------------------------------------------------------

def set_wishes(actor: User, field_ids: list[int], wish_text: str, kinds: str) -> None:
    """Up to three desired fields in the participant's order (first = most wanted)."""
    profile = own_profile(actor)
    chosen: list[int] = []
    for field_id in field_ids:
        if field_id and field_id not in chosen:
            chosen.append(field_id)
    if len(chosen) > 3:
        raise ValidationFailed(_("Choose at most three fields."))
    if chosen:
        found = set(db.session.scalars(select(OccupationalField.id).where(
            OccupationalField.id.in_(chosen), OccupationalField.active.is_(True))))
        if found != set(chosen):
            raise ValidationFailed(_("Choose fields from the list."))
    # ranks are unique per profile: clear them first, then write the new order
    db.session.execute(delete(DesiredField).where(DesiredField.profile_id == profile.id))
    db.session.flush()
    db.session.expire(profile, ["desired_fields"])
    for rank, field_id in enumerate(chosen, start=1):
        db.session.add(DesiredField(profile_id=profile.id, field_id=field_id, rank=rank))
    profile.wish_text = wish_text.strip()
    profile.desired_kinds = DesiredKinds(kinds)
    _save(profile)


# --- availability -----------------------------------------------------------------------------------

def set_availability(actor: User, region: str, travel_km: int | None, remote_ok: bool,
                     available_from: date | None, hours_per_week: int | None) -> None:
    profile = own_profile(actor)
    profile.region = region
    profile.travel_km = travel_km
    profile.remote_ok = remote_ok
    profile.available_from = available_from
    profile.hours_per_week = hours_per_week
    _save(profile)


# --- consent ----------------------------------------------------------------------------------------

CONSENT_FIELDS = {
    ConsentKind.MATCHING: "consent_matching",
    ConsentKind.FINDABLE: "consent_findable",
    ConsentKind.SHARE_ON_INTEREST: "consent_share_on_interest",
}
# suggestions the participant has not acted on; they go when consent to matching is withdrawn (a coach's
# rejection stays: it is kept to measure the model, and the pair must not come back)
UNACTED = (MatchStatus.SUGGESTED, MatchStatus.APPROVED)


def set_consent(actor: User, matching: bool, findable: bool, share_on_interest: bool) -> list[ConsentKind]:
    """Change consent with immediate effect; every change is kept in the consent history."""
    profile = own_profile(actor)
    wanted = {ConsentKind.MATCHING: matching, ConsentKind.FINDABLE: findable,
              ConsentKind.SHARE_ON_INTEREST: share_on_interest}
    changed = []
    for kind, value in wanted.items():
        attribute = CONSENT_FIELDS[kind]
        if getattr(profile, attribute) != value:
            setattr(profile, attribute, value)
            db.session.add(ConsentEvent(profile_id=profile.id, kind=kind, granted=value, actor_id=actor.id))
            audit.record("consent_changed", actor=actor, subject=actor,
                         detail={"kind": kind.value, "granted": value})
            changed.append(kind)
    if ConsentKind.MATCHING in changed and not matching:
        db.session.execute(delete(Match).where(Match.profile_id == profile.id, Match.status.in_(UNACTED)))
    _save(profile)
    return changed
