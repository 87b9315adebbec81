"""Placements and their joint evaluation: the participant, the coach and the company contact.

A placement is born planned when the participant accepts an offer. The coach or the employer starts it
(active) and marks it completed; any of the three may end it early as abandoned, with a reason. Then
each voice answers the same questions. Skills the coach or the company saw are confirmed on the
profile ("shown in a placement"), and every "what next" becomes a step in the participant's plan.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import labels
from ..extensions import db
from ..models import (
    ActionPlanItem,
    ActionSource,
    Evaluation,
    EvaluationVoice,
    Match,
    MatchEvent,
    MatchStatus,
    ParticipantProfile,
    ParticipantSkill,
    Placement,
    PlacementOutcome,
    PlacementStatus,
    Position,
    Role,
    SkillConfirmation,
    User,
)
from ..models.base import utcnow
from ..vocabulary import vocabulary
from . import audit, skill_names
from .errors import Conflict, NeedsConfirmation, NotFound, PermissionDenied, ValidationFailed
from .notifications import notify

OPEN = (PlacementStatus.PLANNED, PlacementStatus.ACTIVE)
ENDED = (PlacementStatus.COMPLETED, PlacementStatus.ABANDONED)
# what each party may do with the status (abandon: anyone of the three, at any time before the end)
STEPS = {"start": (PlacementStatus.PLANNED, PlacementStatus.ACTIVE),
         "complete": (PlacementStatus.ACTIVE, PlacementStatus.COMPLETED),
         "abandon": (None, PlacementStatus.ABANDONED)}
STAFF_STEPS = ("start", "complete")
# the outcome an evaluation may give (an abandoned placement is recorded by its status)
OUTCOMES = [o for o in PlacementOutcome if o != PlacementOutcome.ABANDONED]
MAX_TEXT = 2000
MAX_AHEAD_DAYS = 730


# --- who is who -------------------------------------------------------------------------------------

def _query():
    return select(Placement).options(
        selectinload(Placement.evaluations),
        selectinload(Placement.match).selectinload(Match.events),
        selectinload(Placement.match).selectinload(Match.position).selectinload(Position.organisation),
        selectinload(Placement.match).selectinload(Match.position).selectinload(Position.skills),
        selectinload(Placement.match).selectinload(Match.profile).selectinload(ParticipantProfile.user),
        selectinload(Placement.match).selectinload(Match.profile).selectinload(ParticipantProfile.skills))


def coach_id_of(placement: Placement) -> int | None:
    """The participant's current coach (a reassignment moves the placement with the participant)."""
    return placement.match.profile.coach_id


def coach_of(placement: Placement) -> User | None:
    coach_id = coach_id_of(placement)
    return db.session.get(User, coach_id) if coach_id else None


def voice_of(actor: User, placement: Placement) -> EvaluationVoice | None:
    """The voice ``actor`` speaks with on this placement, or None if they are not one of its parties."""
    match = placement.match
    if actor.role == Role.PARTICIPANT and actor.profile is not None and match.profile_id == actor.profile.id:
        return EvaluationVoice.PARTICIPANT
    if actor.role == Role.COACH and coach_id_of(placement) == actor.id:
        return EvaluationVoice.COACH
    if actor.role == Role.HR and actor.organisation_id == match.position.organisation_id:
        return EvaluationVoice.COMPANY
    return None


def get(actor: User, placement_id: int) -> tuple[Placement, EvaluationVoice]:
    """A placement the actor is a party to; to anyone else it does not exist."""
    placement = db.session.scalar(_query().where(Placement.id == placement_id))
    voice = voice_of(actor, placement) if placement is not None else None
    if voice is None:
        raise NotFound(_("No such placement."))
    return placement, voice


def for_user(actor: User) -> list[Placement]:
    """The placements the actor is a party to, those still running first."""
    stmt = _query().join(Match, Match.id == Placement.match_id)
    if actor.role == Role.PARTICIPANT:
        if actor.profile is None:
            return []
        stmt = stmt.where(Match.profile_id == actor.profile.id)
    elif actor.role == Role.COACH:
        stmt = stmt.join(ParticipantProfile, ParticipantProfile.id == Match.profile_id).where(
            ParticipantProfile.coach_id == actor.id)
    elif actor.role == Role.HR:
        stmt = stmt.join(Position, Position.id == Match.position_id).where(
            Position.organisation_id == actor.organisation_id)
    else:
        raise PermissionDenied()
    placements = list(db.session.scalars(stmt.order_by(Placement.start_date.desc(), Placement.id.desc())))
    placements.sort(key=lambda p: p.status not in OPEN)
    return placements


def person_name(actor: User, placement: Placement) -> str:
    """The participant's name, for the employer only when the participant shares their profile."""
    profile = placement.match.profile
    if actor.role == Role.HR and not profile.consent_share_on_interest:
        return _("the candidate")
    return profile.user.display_name


def parties(placement: Placement) -> dict[EvaluationVoice, list[int]]:
    """The user ids behind each voice (every HR manager of the organisation speaks for the company)."""
    match = placement.match
    coach = coach_id_of(placement)
    return {EvaluationVoice.PARTICIPANT: [match.profile.user_id],
            EvaluationVoice.COACH: [coach] if coach else [],
            EvaluationVoice.COMPANY: [u.id for u in match.position.organisation.hr_users if u.active]}


def _tell(placement: Placement, kind: str, skip: int | None = None, **extra) -> None:
    payload = {"position": placement.match.position.title, **extra}
    for user_ids in parties(placement).values():
        for user_id in user_ids:
            if user_id != skip:
                notify(user_id, kind, payload, f"/placements/{placement.id}")


def _commit(placement: Placement) -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("Someone else changed this placement at the same moment. Please look again.")) from None


def _check_version(placement: Placement, version: int | None) -> None:
    if version is not None and version != placement.version_id:
        raise Conflict(_("This placement was changed in the meantime (now: %(status)s). Please look again.",
                         status=str(labels.PLACEMENT_STATUS[placement.status.value])))


# --- plan and status ----------------------------------------------------------------------------------

def update_plan(actor: User, placement_id: int, *, start_date: date, end_date: date | None, objectives: str,
                company_contact: str, version: int | None = None) -> Placement:
    """Dates, objectives and the company contact, agreed while the placement is planned or running."""
    placement, voice = get(actor, placement_id)
    if voice == EvaluationVoice.PARTICIPANT:
        raise PermissionDenied()
    _check_version(placement, version)
    if placement.status not in OPEN:
        raise Conflict(_("This placement has ended; its plan can no longer change."))
    if end_date is not None and end_date < start_date:
        raise ValidationFailed(_("The end date cannot be before the start date."))
    if max(start_date, end_date or start_date) > date.today() + timedelta(days=MAX_AHEAD_DAYS):
        raise ValidationFailed(_("Please choose dates within the next two years."))
    if placement.status == PlacementStatus.PLANNED and start_date < date.today() - timedelta(days=31):
        raise ValidationFailed(_("The start date is too far in the past."))
    before = (placement.start_date, placement.end_date, placement.objectives, placement.company_contact)
    placement.start_date, placement.end_date = start_date, end_date
    placement.objectives = objectives.strip()[:MAX_TEXT]
    placement.company_contact = " ".join(company_contact.split())[:200]
    if before == (placement.start_date, placement.end_date, placement.objectives, placement.company_contact):
        return placement  # nothing changed: the agreement stands
    from . import agreements

    agreements.plan_changed(placement)
    if placement.status == PlacementStatus.PLANNED:
        _move_guide(placement)
    _tell(placement, "placement_changed", skip=actor.id)
    _commit(placement)
    return placement


def confirmation_needed(placement: Placement, step: str, today: date | None = None) -> str | None:
    """The question to ask before a step whose dates would surprise: starting before the planned start, or
    completing on the day it started or before the planned end. None: nothing to ask."""
    today = today or date.today()
    if step == "start" and placement.status == PlacementStatus.PLANNED:
        from . import agreements

        questions = []
        unsigned = agreements.missing(placement)
        if unsigned:
            questions.append(_("Not everyone has signed the agreement yet (missing: %(who)s). Start all the same? "
                               "This is recorded.", who=", ".join(str(labels.VOICE[v.value]) for v in unsigned)))
        if placement.start_date > today:
            questions.append(_("The plan says the placement starts on %(date)s. Did it really start today? Then "
                               "today becomes its start date, and the onboarding guide's points move with it.",
                               date=format_date(placement.start_date, "long")))
        return " ".join(questions) or None
    if step == "complete" and placement.status == PlacementStatus.ACTIVE:
        if placement.start_date >= today:
            return _("The placement started today. Is it really completed already (a placement of less than a "
                     "day)?")
        if placement.end_date is not None and placement.end_date > today:
            return _("The plan says the placement ends on %(date)s. Did it really end today? Then today becomes "
                     "its end date.", date=format_date(placement.end_date, "long"))
    return None


def change_status(actor: User, placement_id: int, step: str, reason: str = "",
                  version: int | None = None, confirmed: bool = False) -> Placement:
    """Start, complete, or abandon (with a reason) a placement; recorded in the match's history. A start
    before the planned date or a completion on the first day (or before the planned end) is only done
    ``confirmed``: the real dates are recorded, and the planned ones kept in the history."""
    placement, voice = get(actor, placement_id)
    if step not in STEPS:
        raise ValidationFailed(_("Choose what to do."))
    if step in STAFF_STEPS and voice == EvaluationVoice.PARTICIPANT:
        raise PermissionDenied()
    _check_version(placement, version)
    before, after = STEPS[step]
    if (before is not None and placement.status != before) or (before is None and placement.status not in OPEN):
        raise Conflict(_("This placement is now “%(status)s”; nothing was changed.",
                         status=str(labels.PLACEMENT_STATUS[placement.status.value])))
    reason = reason.strip()[:MAX_TEXT]
    if step == "abandon" and not reason:
        raise ValidationFailed(_("Say briefly why the placement ends early."))
    question = confirmation_needed(placement, step) if step in STAFF_STEPS else None
    if question and not confirmed:
        raise NeedsConfirmation(question)
    placement.status = after
    match = placement.match
    today = date.today()
    planned = ""
    if step == "start":
        from . import agreements

        unsigned = agreements.missing(placement)
        if unsigned:
            planned = "started before signatures of: " + ", ".join(v.value for v in unsigned)
            audit.record("placement_started_unsigned", actor=actor, subject_user_id=placement.match.profile.user_id,
                         detail={"placement": placement.id, "missing": [v.value for v in unsigned]})
    if step == "start" and placement.start_date > today:
        planned = "; ".join(p for p in (planned, _planned_note("start", placement.start_date)) if p)
        placement.start_date = today
        _move_guide(placement)
    if step in ("complete", "abandon"):
        if placement.end_date is None or placement.end_date > today:
            if placement.end_date is not None and step == "complete":
                planned = _planned_note("end", placement.end_date)
            placement.end_date = max(today, placement.start_date)
        if step == "abandon":
            placement.abandon_reason = reason
            placement.outcome = PlacementOutcome.ABANDONED
        match.events.append(MatchEvent(from_status=match.status, to_status=MatchStatus.COMPLETED,
                                       actor_id=actor.id, reason_code=f"placement_{after.value}",
                                       note=reason or planned, at=utcnow()))
        from . import follow_ups

        follow_ups.plan(placement)
        match.status = MatchStatus.COMPLETED
    else:
        match.events.append(MatchEvent(from_status=match.status, to_status=match.status, actor_id=actor.id,
                                       reason_code="placement_active", note=planned, at=utcnow()))
    kind = {"start": "placement_started", "complete": "evaluation_due", "abandon": "placement_abandoned"}[step]
    _tell(placement, kind, skip=actor.id if step == "start" else None)
    audit.record("placement_" + after.value, actor=actor, subject_user_id=match.profile.user_id,
                 detail={"placement": placement.id})
    _commit(placement)
    return placement


def _planned_note(which: str, planned: date) -> str:
    """The planned date, kept in the history when the real one differs (ISO: read in every language)."""
    return f"{'planned start' if which == 'start' else 'planned end'}: {planned.isoformat()}"


def _move_guide(placement: Placement) -> None:
    """The onboarding guide's points are due relative to the real start."""
    from ..models import OnboardingGuide

    for guide in db.session.scalars(select(OnboardingGuide).where(OnboardingGuide.placement_id == placement.id)):
        guide.start_date = placement.start_date


# --- the joint evaluation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SkillChoice:
    key: str  # "p<id>" a skill on the profile, "q<id>" a skill the position asked for
    label: str  # as typed on the profile or the position (what the evaluation keeps)
    confirmed: bool
    name: str = ""  # in the reader's language (what the form shows)


def skill_choices(placement: Placement, actor: User | None = None, language: str | None = None) -> list[SkillChoice]:
    """The skills an evaluation can say were shown: the participant's (for the employer only when the
    participant shares their profile), then what the position asked for; named in ``language``."""
    profile = placement.match.profile
    known = {s.concept_uri for s in profile.skills if s.concept_uri} | {s.label.casefold() for s in profile.skills}
    shared = actor is None or actor.role != Role.HR or profile.consent_share_on_interest
    choices = [SkillChoice(f"p{s.id}", s.label, s.confirmation == SkillConfirmation.PLACEMENT,
                           skill_names.of(s, language))
               for s in profile.skills] if shared else []
    for skill in placement.match.position.skills:
        if skill.concept_uri not in known and skill.label.casefold() not in known:
            choices.append(SkillChoice(f"q{skill.id}", skill.label, False, skill_names.of(skill, language)))
            known.add(skill.concept_uri or skill.label.casefold())
    return choices


RATING_SCALE = (1, 2, 3, 4)


def learning_goals(placement: Placement) -> list[str]:
    """The plan's learning goals, one per line (what each voice rates)."""
    return [" ".join(line.strip().lstrip("-*•").split()) for line in (placement.objectives or "").splitlines()
            if line.strip()][:10]


def evaluate(actor: User, placement_id: int, *, tasks_done: str, skills: list[str], other_skills: str,
             language_at_work: str, what_next: str, outcome: str, locale: str | None = None,
             ratings: dict[str, str] | None = None) -> Evaluation:
    """One voice of the joint evaluation, given once after the placement ended; ``ratings`` rate each
    learning goal ("g<n>") and skill (its key) on one scale (1 not yet … 4 could show others)."""
    placement, voice = get(actor, placement_id)
    if placement.status not in ENDED:
        raise Conflict(_("The evaluation opens when the placement has ended."))
    if any(e.voice == voice for e in placement.evaluations):
        raise Conflict(_("Your evaluation of this placement is already saved."))
    try:
        result = PlacementOutcome(outcome)
    except ValueError:
        raise ValidationFailed(_("Choose the outcome.")) from None
    if result == PlacementOutcome.ABANDONED:
        raise ValidationFailed(_("Choose the outcome."))
    if not tasks_done.strip():
        raise ValidationFailed(_("Say which tasks were done."))
    by_key = {c.key: c for c in skill_choices(placement, actor)}
    unknown = [k for k in skills if k not in by_key]
    if unknown:
        raise ValidationFailed(_("Choose skills from the list."))
    allowed = {f"g{n}" for n in range(len(learning_goals(placement)))} | set(by_key)
    rated: dict[str, int] = {}
    for key, value in (ratings or {}).items():
        if not value:
            continue
        if key not in allowed or not (value.isdecimal() and int(value) in RATING_SCALE):
            raise ValidationFailed(_("Rate on the scale from 1 to 4."))
        rated[key] = int(value)
    extra = [" ".join(line.split())[:200] for line in other_skills.splitlines() if line.strip()][:20]
    shown = [by_key[k].label for k in dict.fromkeys(skills)] + extra
    evaluation = Evaluation(placement_id=placement.id, voice=voice, author_id=actor.id,
                            tasks_done=tasks_done.strip()[:MAX_TEXT], skills_shown="\n".join(shown),
                            language_at_work=language_at_work.strip()[:MAX_TEXT],
                            what_next=what_next.strip()[:MAX_TEXT], outcome=result, submitted_at=utcnow(),
                            ratings=rated or None)
    placement.evaluations.append(evaluation)
    profile = placement.match.profile
    if voice != EvaluationVoice.PARTICIPANT:  # a skill is confirmed by someone who saw it, not self-confirmed
        _confirm_skills(actor, placement, [k for k in dict.fromkeys(skills)], extra, locale)
    with force_locale(profile.user.locale or "en"):  # the step is the participant's: their language
        detail = _("From the evaluation of %(position)s (%(voice)s)", position=placement.match.position.title,
                   voice=str(labels.VOICE[voice.value]))
    _add_next_steps(profile, evaluation.what_next, detail, actor)
    placement.updated_at = utcnow()  # two voices at the same moment: the version check lets one through
    voices = {e.voice for e in placement.evaluations}
    if voices >= required_voices(placement):
        if placement.status == PlacementStatus.COMPLETED:
            placement.outcome = agreed_outcome(placement.evaluations)
        _tell(placement, "evaluation_complete")
    else:
        for other, user_ids in parties(placement).items():
            if other not in voices:
                for user_id in user_ids:
                    notify(user_id, "evaluation_given", {"position": placement.match.position.title},
                           f"/placements/{placement.id}")
    audit.record("evaluation_given", actor=actor, subject_user_id=profile.user_id,
                 detail={"placement": placement.id, "voice": voice.value})
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if db.session.scalar(select(Evaluation.id).where(Evaluation.placement_id == placement_id,
                                                         Evaluation.voice == voice)):
            raise Conflict(_("Your evaluation of this placement is already saved.")) from None
        raise
    return evaluation


def _same_step(text: str) -> str:
    """Two "what next" lines that say the same thing: case, spacing and end punctuation aside."""
    return " ".join(text.casefold().split()).rstrip(".!;:,")


def _add_next_steps(profile: ParticipantProfile, what_next: str, detail: str, actor: User) -> None:
    """Each line of "what next" becomes a step in the plan, unless an open step from an evaluation already
    says the same (the coach and the company both wrote "B1 course"): then that step names this voice too."""
    open_steps = {_same_step(i.title): i for i in db.session.scalars(select(ActionPlanItem).where(
        ActionPlanItem.profile_id == profile.id, ActionPlanItem.source == ActionSource.EVALUATION,
        ActionPlanItem.completed_at.is_(None)))}
    for line in next_steps(what_next):
        same = open_steps.get(_same_step(line))
        if same is not None:
            if detail not in same.detail:
                same.detail = "\n".join(part for part in (same.detail, detail) if part)[:MAX_TEXT]
            continue
        item = ActionPlanItem(profile_id=profile.id, title=line, detail=detail, source=ActionSource.EVALUATION,
                              created_by_id=actor.id, due_date=date.today() + timedelta(weeks=4))
        db.session.add(item)
        open_steps[_same_step(line)] = item


def next_steps(what_next: str, limit: int = 5) -> list[str]:
    """Each line of "what next" is one step (list marks dropped), at most ``limit``."""
    steps = [" ".join(line.strip().lstrip("-*•").split())[:200] for line in what_next.splitlines()]
    return [step for step in steps if step][:limit]


def _confirm_skills(actor: User, placement: Placement, keys: list[str], extra: list[str],
                    locale: str | None) -> None:
    profile = placement.match.profile
    by_id = {s.id: s for s in profile.skills}
    position_skills = {s.id: s for s in placement.match.position.skills}
    targets: list[ParticipantSkill] = []
    for key in keys:
        if key.startswith("p") and int(key[1:]) in by_id:
            targets.append(by_id[int(key[1:])])
        elif key.startswith("q") and int(key[1:]) in position_skills:
            asked = position_skills[int(key[1:])]
            targets.append(_skill_on(profile, asked.label, asked.concept_uri))
    vocab = vocabulary()
    for label in extra:
        targets.append(_skill_on(profile, label, vocab.resolve(label, locale)))
    for skill in targets:
        skill.confirmation = SkillConfirmation.PLACEMENT
        skill.confirmed_by_id = actor.id
        skill.confirmed_at = utcnow()


def _skill_on(profile: ParticipantProfile, label: str, concept: str | None) -> ParticipantSkill:
    for skill in profile.skills:
        if (concept and skill.concept_uri == concept) or skill.label.casefold() == label.casefold():
            return skill
    skill = ParticipantSkill(label=label, concept_uri=concept)
    profile.skills.append(skill)
    return skill


def agreed_outcome(evaluations: list[Evaluation]) -> PlacementOutcome | None:
    """What most voices said; on a tie the company's word decides (it makes the job offer)."""
    said = Counter(e.outcome for e in evaluations if e.outcome)
    if not said:
        return None
    top = max(said.values())
    leaders = {o for o, n in said.items() if n == top}
    if len(leaders) == 1:
        return leaders.pop()
    company = next((e.outcome for e in evaluations if e.voice == EvaluationVoice.COMPANY), None)
    return company if company in leaders else sorted(leaders)[0]


def required_voices(placement: Placement) -> set[EvaluationVoice]:
    """The voices with someone behind them (a participant without a coach has two)."""
    return {voice for voice, user_ids in parties(placement).items() if user_ids}


def due(placement: Placement, today: date | None = None) -> str | None:
    """What the placement waits for: "start", "complete", "evaluation", or None."""
    today = today or date.today()
    if placement.status == PlacementStatus.PLANNED and placement.start_date <= today:
        return "start"
    if placement.status == PlacementStatus.ACTIVE and placement.end_date and placement.end_date <= today:
        return "complete"
    if placement.status in ENDED and not {e.voice for e in placement.evaluations} >= required_voices(placement):
        return "evaluation"
    return None


def remind(days: int) -> dict[str, int]:
    """Remind parties of placements that wait for a step; each reminder at most once per ``days``."""
    from ..models import Notification

    since = utcnow() - timedelta(days=days)
    sent = Counter()
    recent_end = utcnow() - timedelta(days=90)
    for placement in db.session.scalars(_query().where(
            or_(Placement.status.in_(OPEN), Placement.updated_at >= recent_end))):
        step = due(placement)
        if step is None:
            continue
        link = f"/placements/{placement.id}"
        given = {e.voice for e in placement.evaluations}
        for voice, user_ids in parties(placement).items():
            if step in ("start", "complete") and voice == EvaluationVoice.PARTICIPANT:
                continue
            if step == "evaluation" and voice in given:
                continue
            for user_id in user_ids:
                recent = db.session.scalar(select(Notification.id).where(
                    Notification.user_id == user_id, Notification.link == link,
                    Notification.kind == f"reminder_{step}", Notification.created_at >= since).limit(1))
                if recent is None:
                    notify(user_id, f"reminder_{step}", {"position": placement.match.position.title}, link)
                    sent[step] += 1
    db.session.commit()
    return dict(sent)


# --- the joint summary (the evaluation's second step) ------------------------------------------------------

def summary_drafter(placement: Placement) -> EvaluationVoice:
    """Who drafts the joint summary: the coach, or the company when the placement has no coach."""
    return EvaluationVoice.COACH if EvaluationVoice.COACH in required_voices(placement) else EvaluationVoice.COMPANY


def joint_summary(placement: Placement):
    from ..models import JointSummary

    return db.session.scalar(select(JointSummary).where(JointSummary.placement_id == placement.id))


def summary_answers(summary) -> dict[EvaluationVoice, object]:
    from ..models import SummaryAnswer

    if summary is None:
        return {}
    return {a.voice: a for a in db.session.scalars(select(SummaryAnswer).where(
        SummaryAnswer.summary_id == summary.id, SummaryAnswer.revision == summary.revision))}


def draft_summary(actor: User, placement_id: int, text: str, outcome: str) -> object:
    """The drafter writes (or revises) the joint summary once every voice has answered on its own; a revision
    asks the others again."""
    from ..models import JointSummary

    placement, voice = get(actor, placement_id)
    if voice != summary_drafter(placement):
        raise PermissionDenied()
    if not {e.voice for e in placement.evaluations} >= required_voices(placement):
        raise Conflict(_("The joint summary comes when every voice has given its evaluation."))
    try:
        result = PlacementOutcome(outcome)
    except ValueError:
        raise ValidationFailed(_("Choose the outcome.")) from None
    text = text.strip()[:MAX_TEXT]
    if not text:
        raise ValidationFailed(_("Write the summary: what went well, and what comes next."))
    summary = joint_summary(placement)
    if summary is None:
        summary = JointSummary(placement_id=placement.id, text=text, outcome=result, drafted_by_id=actor.id)
        db.session.add(summary)
    else:
        if summary.confirmed_at is not None:
            raise Conflict(_("The joint summary is confirmed by everyone; it no longer changes."))
        summary.text, summary.outcome, summary.revision = text, result, summary.revision + 1
        summary.drafted_by_id, summary.drafted_at = actor.id, utcnow()
    for other, user_ids in parties(placement).items():
        if other != voice and other in required_voices(placement):
            for user_id in user_ids:
                notify(user_id, "summary_drafted", {"position": placement.match.position.title},
                       f"/placements/{placement.id}#summary")
    audit.record("summary_drafted", actor=actor, subject_user_id=placement.match.profile.user_id,
                 detail={"placement": placement.id})
    _commit(placement)
    return summary


def answer_summary(actor: User, placement_id: int, agrees: bool, comment: str = "") -> object:
    """The other voices confirm the summary, or comment on it (which asks the drafter for a revision). When
    all have confirmed, the summary's outcome is recorded as the placement's."""
    from ..models import SummaryAnswer

    placement, voice = get(actor, placement_id)
    summary = joint_summary(placement)
    if summary is None or voice == summary_drafter(placement):
        raise Conflict(_("There is no joint summary for you to answer."))
    if summary.confirmed_at is not None:
        raise Conflict(_("The joint summary is confirmed by everyone; it no longer changes."))
    comment = comment.strip()[:MAX_TEXT]
    if not agrees and not comment:
        raise ValidationFailed(_("Write what should change in the summary."))
    if voice in summary_answers(summary):
        raise Conflict(_("You have answered this version of the summary already."))
    db.session.add(SummaryAnswer(summary_id=summary.id, voice=voice, revision=summary.revision, agrees=agrees,
                                 comment=comment, user_id=actor.id, at=utcnow()))
    db.session.flush()
    answers = summary_answers(summary)
    others = required_voices(placement) - {summary_drafter(placement)}
    if all(v in answers and answers[v].agrees for v in others):
        summary.confirmed_at = utcnow()
        if placement.status == PlacementStatus.COMPLETED:
            placement.outcome = summary.outcome
        _tell(placement, "summary_confirmed")
    elif not agrees:
        for user_id in parties(placement).get(summary_drafter(placement), []):
            notify(user_id, "summary_commented", {"position": placement.match.position.title},
                   f"/placements/{placement.id}#summary")
    audit.record("summary_answered", actor=actor, subject_user_id=placement.match.profile.user_id,
                 detail={"placement": placement.id, "agrees": agrees})
    placement.updated_at = utcnow()
    _commit(placement)
    return summary
