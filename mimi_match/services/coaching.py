"""The coach's work: the caseload with its signals, a participant's page, notes, competence checks,
taking unassigned participants; and the administrator's assignments."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    ActionPlanItem,
    ActionStatus,
    CheckMethod,
    CheckResult,
    CoachNote,
    CompetenceCheck,
    ConsentEvent,
    DesiredField,
    Evaluation,
    EvaluationVoice,
    Match,
    MatchEvent,
    MatchStatus,
    ParticipantProfile,
    ParticipantSkill,
    Placement,
    PlacementStatus,
    Role,
    SkillConfirmation,
    User,
)
from ..models.base import utcnow
from ..vocabulary import vocabulary
from . import audit
from .errors import NotFound, PermissionDenied, ValidationFailed
from .profiles import completeness, load_profile


@dataclass
class CaseloadRow:
    profile: ParticipantProfile
    completeness: int
    to_review: int
    interested: int
    placements: int
    overdue: int


def _counts(stmt) -> dict[int, int]:
    return dict(db.session.execute(stmt).all())


def caseload(actor: User, host_language: str, query: str = "", sort: str = "name") -> list[CaseloadRow]:
    """My participants with their signals, searchable by name and sortable; five queries in all."""
    if actor.role != Role.COACH:
        raise PermissionDenied()
    stmt = (select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id)
            .where(ParticipantProfile.coach_id == actor.id, User.active.is_(True))
            .options(selectinload(ParticipantProfile.user), selectinload(ParticipantProfile.skills),
                     selectinload(ParticipantProfile.languages), selectinload(ParticipantProfile.experiences),
                     selectinload(ParticipantProfile.educations),
                     selectinload(ParticipantProfile.desired_fields).selectinload(DesiredField.field)))
    if query.strip():
        stmt = stmt.where(func.lower(User.display_name).contains(query.strip().lower(), autoescape=True))
    profiles = list(db.session.scalars(stmt))
    ids = [p.id for p in profiles]
    by_status = db.session.execute(
        select(Match.profile_id, Match.status, func.count()).where(Match.profile_id.in_(ids))
        .group_by(Match.profile_id, Match.status)).all()
    to_review = {pid: n for pid, status, n in by_status if status == MatchStatus.SUGGESTED}
    interested = {pid: n for pid, status, n in by_status if status == MatchStatus.INTERESTED}
    placements = _counts(
        select(Match.profile_id, func.count()).join(Placement, Placement.match_id == Match.id)
        .where(Match.profile_id.in_(ids),
               Placement.status.in_((PlacementStatus.PLANNED, PlacementStatus.ACTIVE)))
        .group_by(Match.profile_id))
    overdue = _counts(
        select(ActionPlanItem.profile_id, func.count())
        .where(ActionPlanItem.profile_id.in_(ids), ActionPlanItem.status != ActionStatus.DONE,
               ActionPlanItem.due_date < date.today())
        .group_by(ActionPlanItem.profile_id))
    rows = [CaseloadRow(p, completeness(p, host_language).percent, to_review.get(p.id, 0),
                        interested.get(p.id, 0), placements.get(p.id, 0), overdue.get(p.id, 0))
            for p in profiles]
    keys = {
        "name": lambda r: r.profile.user.display_name.casefold(),
        "completeness": lambda r: (r.completeness, r.profile.user.display_name.casefold()),
        "review": lambda r: (-r.to_review, r.profile.user.display_name.casefold()),
        "interested": lambda r: (-r.interested, r.profile.user.display_name.casefold()),
        "overdue": lambda r: (-r.overdue, r.profile.user.display_name.casefold()),
    }
    rows.sort(key=keys.get(sort, keys["name"]))
    return rows


WAITING_DAYS = 7  # a candidacy with no step for this long needs a word from the coach
# who is expected to act next on a candidacy in each state
WAITING_ON = {MatchStatus.APPROVED: "participant", MatchStatus.EMPLOYER_INVITED: "participant",
              MatchStatus.OFFERED: "participant", MatchStatus.INTERESTED: "employer", MatchStatus.INVITED: "employer"}


@dataclass
class Waiting:
    match: Match
    since: date
    waiting_on: str  # "participant" or "employer"


@dataclass
class Today:
    """What needs the coach today: each list is complete (the page shows the first few of each)."""
    to_review: int
    waiting: list[Waiting]
    overdue: list[tuple[ParticipantProfile, int]]
    to_start: list[Placement]
    to_evaluate: list[Placement]

    @property
    def empty(self) -> bool:
        return not (self.to_review or self.waiting or self.overdue or self.to_start or self.to_evaluate)


def today(actor: User, rows: list[CaseloadRow], on: date | None = None) -> Today:
    """What needs me today: suggestions waiting for review, candidacies without a step for a week, overdue
    plan steps, placements that should have started and finished placements without my evaluation; ``rows``
    is my whole caseload (from ``caseload``)."""
    if actor.role != Role.COACH:
        raise PermissionDenied()
    on = on or date.today()
    profiles = {r.profile.id: r.profile for r in rows}
    ids = list(profiles)
    last_step = (select(MatchEvent.match_id, func.max(MatchEvent.at).label("at"))
                 .join(Match, Match.id == MatchEvent.match_id)
                 .where(Match.profile_id.in_(ids), Match.status.in_(tuple(WAITING_ON)))
                 .group_by(MatchEvent.match_id).subquery())
    cutoff = utcnow() - timedelta(days=WAITING_DAYS)
    stale = db.session.execute(
        select(Match, last_step.c.at).join(last_step, last_step.c.match_id == Match.id)
        .where(last_step.c.at < cutoff).options(selectinload(Match.position))
        .order_by(last_step.c.at)).all()
    waiting = [Waiting(m, at.date(), WAITING_ON[m.status]) for m, at in stale]
    placements = list(db.session.scalars(
        select(Placement).join(Match, Match.id == Placement.match_id)
        .where(Match.profile_id.in_(ids), Placement.status.in_((PlacementStatus.PLANNED, PlacementStatus.ACTIVE,
                                                                PlacementStatus.COMPLETED)))
        .options(selectinload(Placement.match).selectinload(Match.position))
        .order_by(Placement.start_date)))
    evaluated = set(db.session.scalars(select(Evaluation.placement_id).where(
        Evaluation.placement_id.in_([p.id for p in placements]), Evaluation.voice == EvaluationVoice.COACH)))
    to_start = [p for p in placements if p.status == PlacementStatus.PLANNED and p.start_date <= on]
    to_evaluate = [p for p in placements if p.id not in evaluated and (
        p.status == PlacementStatus.COMPLETED
        or (p.status == PlacementStatus.ACTIVE and p.end_date is not None and p.end_date < on))]
    return Today(to_review=sum(r.to_review for r in rows), waiting=waiting,
                 overdue=sorted(((r.profile, r.overdue) for r in rows if r.overdue), key=lambda t: -t[1]),
                 to_start=to_start, to_evaluate=to_evaluate)


def my_participant(actor: User, profile_id: int) -> ParticipantProfile:
    """A participant of the coach's caseload (others are not found); the view is audited."""
    if actor.role != Role.COACH:
        raise PermissionDenied()
    profile = load_profile(profile_id)
    if profile.coach_id != actor.id:
        raise NotFound(_("No such participant."))
    audit.record("profile_viewed", actor=actor, subject_user_id=profile.user_id, target=f"profile:{profile.id}")
    db.session.commit()
    return profile


@dataclass
class ParticipantHistory:
    notes: list[CoachNote]
    checks: list[CompetenceCheck]
    consent: list[ConsentEvent]
    matches: list[Match]


def history(profile: ParticipantProfile) -> ParticipantHistory:
    notes = db.session.scalars(select(CoachNote).where(CoachNote.profile_id == profile.id)
                               .order_by(CoachNote.created_at.desc())).all()
    checks = db.session.scalars(select(CompetenceCheck).where(CompetenceCheck.profile_id == profile.id)
                                .order_by(CompetenceCheck.checked_on.desc(), CompetenceCheck.id.desc())).all()
    consent = db.session.scalars(select(ConsentEvent).where(ConsentEvent.profile_id == profile.id)
                                 .order_by(ConsentEvent.at.desc())).all()
    matches = db.session.scalars(select(Match).where(Match.profile_id == profile.id)
                                 .options(selectinload(Match.position), selectinload(Match.events),
                                          selectinload(Match.placement))
                                 .order_by(Match.updated_at.desc())).all()
    return ParticipantHistory(list(notes), list(checks), list(consent), list(matches))


def add_note(actor: User, profile_id: int, body: str) -> CoachNote:
    """A private note: only coaches of this participant and the participant's own export see it."""
    profile = my_participant(actor, profile_id)
    body = body.strip()
    if not body:
        raise ValidationFailed(_("The note is empty."))
    note = CoachNote(profile_id=profile.id, author_id=actor.id, body=body[:5000])
    db.session.add(note)
    audit.record("coach_note_added", actor=actor, subject_user_id=profile.user_id)  # never the text
    db.session.commit()
    return note


def record_competence_check(actor: User, profile_id: int, *, skill_id: int | None, new_skill: str,
                            expert_name: str, method: str, result: str, joint_assessment: str,
                            checked_on: date, locale: str | None) -> CompetenceCheck:
    """A skill checked by a professional expert; a confirmed result marks the skill as confirmed."""
    profile = my_participant(actor, profile_id)
    if checked_on > date.today():
        raise ValidationFailed(_("The date of the check cannot be in the future."))
    skill = next((s for s in profile.skills if s.id == skill_id), None) if skill_id else None
    if skill is None and new_skill.strip():
        label = " ".join(new_skill.split())[:200]
        skill = ParticipantSkill(label=label, concept_uri=vocabulary().resolve(label, locale))
        profile.skills.append(skill)
        db.session.flush()
    if skill is None:
        raise ValidationFailed(_("Choose the skill that was checked, or name a new one."))
    check = CompetenceCheck(profile_id=profile.id, skill_id=skill.id, coach_id=actor.id,
                            expert_name=expert_name.strip(), method=CheckMethod(method),
                            result=CheckResult(result), joint_assessment=joint_assessment.strip(),
                            checked_on=checked_on)
    db.session.add(check)
    if check.result == CheckResult.CONFIRMED:
        skill.confirmation = SkillConfirmation.COMPETENCE_CHECK
        skill.confirmed_by_id = actor.id
        skill.confirmed_at = utcnow()
    audit.record("competence_check_recorded", actor=actor, subject_user_id=profile.user_id,
                 detail={"result": result})
    db.session.commit()
    return check


def unassigned(actor: User) -> list[ParticipantProfile]:
    if actor.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied()
    return list(db.session.scalars(
        select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id)
        .where(ParticipantProfile.coach_id.is_(None), User.active.is_(True))
        .options(selectinload(ParticipantProfile.user),
                 selectinload(ParticipantProfile.desired_fields).selectinload(DesiredField.field))
        .order_by(ParticipantProfile.created_at)))


def take(actor: User, profile_id: int) -> ParticipantProfile:
    """A coach takes a participant who has no coach yet."""
    if actor.role != Role.COACH:
        raise PermissionDenied()
    profile = db.session.get(ParticipantProfile, profile_id)
    if profile is None:
        raise NotFound(_("No such participant."))
    if profile.coach_id is not None and profile.coach_id != actor.id:
        raise ValidationFailed(_("Another coach has already taken this participant."))
    profile.coach_id = actor.id
    audit.record("participant_taken", actor=actor, subject_user_id=profile.user_id)
    db.session.commit()
    return profile


def coaches() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == Role.COACH, User.active.is_(True))
                                   .order_by(User.display_name)))


def assignments(actor: User, query: str = "", only_unassigned: bool = False, page: int = 1, per_page: int = 50):
    """Participants and their coaches, for the administrator (no notes, no profile content)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied()
    stmt = select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id)
    if query.strip():
        stmt = stmt.where(func.lower(User.display_name).contains(query.strip().lower(), autoescape=True)
                          | func.lower(User.email).contains(query.strip().lower(), autoescape=True))
    if only_unassigned:
        stmt = stmt.where(ParticipantProfile.coach_id.is_(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.options(selectinload(ParticipantProfile.user), selectinload(ParticipantProfile.coach))
        .order_by(User.display_name, ParticipantProfile.id)
        .limit(per_page).offset((max(1, page) - 1) * per_page)).all()
    return list(rows), total


def assign(actor: User, profile_id: int, coach_id: int | None) -> ParticipantProfile:
    """The administrator assigns a participant to a coach (or removes the assignment)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied()
    profile = db.session.get(ParticipantProfile, profile_id)
    if profile is None:
        raise NotFound(_("No such participant."))
    if coach_id:
        coach = db.session.get(User, coach_id)
        if coach is None or coach.role != Role.COACH or not coach.active:
            raise ValidationFailed(_("Choose an active coach."))
    profile.coach_id = coach_id or None
    audit.record("participant_assigned", actor=actor, subject_user_id=profile.user_id,
                 detail={"coach_id": coach_id or ""})
    db.session.commit()
    return profile
