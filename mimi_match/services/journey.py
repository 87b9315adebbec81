"""From suggestion to placement: the coach reviews, the participant decides, the employer answers.

Every transition is checked against who may take it and from which status, is recorded as a
MatchEvent (who, when, why), and is refused with a clear message when someone else acted first.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import false, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from .. import labels
from ..extensions import db
from ..models import (
    Match,
    MatchEvent,
    MatchStatus,
    ParticipantProfile,
    Placement,
    Position,
    PositionStatus,
    RejectReason,
    Role,
    User,
)
from ..models.base import utcnow
from . import audit, onboarding, skill_names
from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from .notifications import notify

HR_ANSWERS = {"invite": MatchStatus.INVITED, "offer": MatchStatus.OFFERED, "decline": MatchStatus.HR_DECLINED}
# the employer sees a participant as a candidate from "interested" on
CANDIDATE = (MatchStatus.INTERESTED, MatchStatus.INVITED, MatchStatus.OFFERED, MatchStatus.PLACED,
             MatchStatus.COMPLETED, MatchStatus.HR_DECLINED)


def _load(match_id: int) -> Match:
    match = db.session.scalar(select(Match).where(Match.id == match_id).options(
        selectinload(Match.events), selectinload(Match.position).selectinload(Position.organisation),
        selectinload(Match.profile).selectinload(ParticipantProfile.user)))
    if match is None:
        raise NotFound(_("No such match."))
    return match


def _move(match: Match, to: MatchStatus, actor: User, reason: str | None = None, note: str = "") -> None:
    match.events.append(MatchEvent(from_status=match.status, to_status=to, actor_id=actor.id, reason_code=reason,
                                   note=note[:2000], at=utcnow()))
    match.status = to


def _who_acted(match: Match) -> str:
    last = match.events[-1] if match.events else None
    user = db.session.get(User, last.actor_id) if last and last.actor_id else None
    return user.display_name if user else _("someone else")


# --- coach review ------------------------------------------------------------------------------

@dataclass
class ReviewResult:
    done: int
    conflicts: list[str]


REVIEW_PAGE = 25


@dataclass(frozen=True)
class ReviewPage:
    matches: list[Match]
    total: int
    page: int
    per_page: int = REVIEW_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


MIN_SCORES = (0.3, 0.5, 0.7)  # the score floors a coach can filter the queue by
SUPPLY_FILTERS = ("oversupplied", "other")


def review_queue(actor: User, participant: str = "", field_id: int | None = None, sort: str = "score",
                 page: int = 1, per_page: int = REVIEW_PAGE, min_score: float | None = None,
                 supply: str = "") -> ReviewPage:
    """One page of new suggestions for the coach's caseload, with what the review needs loaded; the page and
    the count are SQL (a caseload's queue can hold thousands). ``min_score`` keeps suggestions scoring at
    least that; ``supply`` keeps those in oversupplied fields ("oversupplied") or in the others ("other")."""
    if actor.role != Role.COACH:
        raise PermissionDenied()
    # only the joins a filter or the order needs: the count runs over the whole caseload's queue
    stmt = (select(Match).join(ParticipantProfile, ParticipantProfile.id == Match.profile_id)
            .where(Match.status == MatchStatus.SUGGESTED, ParticipantProfile.coach_id == actor.id))
    if participant.strip() or sort == "participant":
        stmt = stmt.join(User, User.id == ParticipantProfile.user_id)
    if participant.strip():
        stmt = stmt.where(db.func.lower(User.display_name).contains(participant.strip().lower(), autoescape=True))
    if field_id or supply in SUPPLY_FILTERS:
        stmt = stmt.join(Position, Position.id == Match.position_id)
    if field_id:
        stmt = stmt.where(Position.field_id == field_id)
    if supply in SUPPLY_FILTERS:
        from .matching import balance

        crowded = [f.field_id for f in balance().oversupplied()]
        in_crowded = Position.field_id.in_(crowded) if crowded else false()
        stmt = stmt.where(in_crowded if supply == "oversupplied" else ~in_crowded)
    if min_score is not None:
        stmt = stmt.where(Match.score >= min_score)
    total = db.session.scalar(stmt.with_only_columns(db.func.count(Match.id)).order_by(None)) or 0
    last = max(1, -(-total // per_page))
    page = min(max(1, page), last)
    order = {"newest": (Match.created_at.desc(), Match.id.desc()),
             "participant": (User.display_name, Match.score.desc(), Match.id)}.get(sort, (Match.score.desc(), Match.id))
    stmt = stmt.options(selectinload(Match.profile).selectinload(ParticipantProfile.user),
                        selectinload(Match.position).selectinload(Position.field),
                        selectinload(Match.position).selectinload(Position.organisation),
                        selectinload(Match.position).selectinload(Position.skills))
    matches = list(db.session.scalars(stmt.order_by(*order).limit(per_page).offset((page - 1) * per_page)))
    return ReviewPage(matches, total, page, per_page)


def review(actor: User, decisions: list[tuple[int, int | None]], approve: bool, reason: str | None = None,
           note: str = "") -> ReviewResult:
    """Approve or reject suggestions (match id, version seen); someone else's earlier review wins."""
    if actor.role != Role.COACH:
        raise PermissionDenied()
    if not approve:
        try:
            reason = RejectReason(reason or "").value
        except ValueError:
            raise ValidationFailed(_("Choose a reason for the rejection.")) from None
    done, conflicts = 0, []
    ids = [match_id for match_id, _version in decisions]
    found = {m.id: m for m in db.session.scalars(select(Match).where(Match.id.in_(ids)).options(
        selectinload(Match.events), selectinload(Match.position).selectinload(Position.skills),
        selectinload(Match.profile).selectinload(ParticipantProfile.user)))}
    if any(m.profile.coach_id != actor.id for m in found.values()):
        raise NotFound(_("No such match."))
    for match_id in ids:
        match = found.get(match_id)
        if match is None:  # a suggestion withdrawn by the model in the meantime
            conflicts.append(_("One suggestion no longer exists (the profile or position changed)."))
            continue
        if match.status != MatchStatus.SUGGESTED:
            conflicts.append(_("%(position)s for %(name)s was already reviewed by %(who)s.",
                               position=match.position.title, name=match.profile.user.display_name,
                               who=_who_acted(match)))
            continue
        _move(match, MatchStatus.APPROVED if approve else MatchStatus.REJECTED, actor, reason, note)
        if not approve:
            match.reject_reason = RejectReason(reason)
        done += 1
        if approve:
            notify(match.profile.user_id, "suggestion_approved", {"position": match.position.title},
                   "/me/suggestions", details=_reasons_in(match))
    try:
        db.session.commit()
    except StaleDataError:  # another coach's review was saved between our read and our write
        db.session.rollback()
        return ReviewResult(0, [_("Another coach reviewed some of these at the same moment. Please look again.")])
    return ReviewResult(done, conflicts)


def _reasons_in(match: Match):
    """The suggestion's skills for its e-mail, in the language the e-mail is written in."""
    explanation, skills = dict(match.explanation or {}), list(match.position.skills)
    return lambda language: "\n".join(skill_names.reasons_sentences(
        skill_names.reasons(explanation, skills, language)))


# --- the participant ---------------------------------------------------------------------------

def _participant_match(actor: User, match_id: int) -> Match:
    if actor.role != Role.PARTICIPANT or actor.profile is None:
        raise PermissionDenied()
    match = _load(match_id)
    if match.profile_id != actor.profile.id:
        raise NotFound(_("No such match."))
    return match


def my_suggestions(actor: User) -> list[Match]:
    """Suggestions a coach approved for me (nothing reaches me without that)."""
    if actor.role != Role.PARTICIPANT or actor.profile is None:
        raise PermissionDenied()
    return list(db.session.scalars(
        select(Match).join(Position, Position.id == Match.position_id)
        .where(Match.profile_id == actor.profile.id,
               Match.status.in_((MatchStatus.APPROVED, MatchStatus.EMPLOYER_INVITED)),
               Position.status == PositionStatus.OPEN, Position.listed_until >= date.today())
        .options(selectinload(Match.position).selectinload(Position.organisation),
                 selectinload(Match.position).selectinload(Position.field),
                 selectinload(Match.position).selectinload(Position.skills)).order_by(Match.score.desc())))


def my_applications(actor: User) -> list[Match]:
    """Every position I acted on, and where it stands."""
    if actor.role != Role.PARTICIPANT or actor.profile is None:
        raise PermissionDenied()
    hidden = (MatchStatus.SUGGESTED, MatchStatus.APPROVED, MatchStatus.REJECTED, MatchStatus.EMPLOYER_INVITED)
    return list(db.session.scalars(
        select(Match).where(Match.profile_id == actor.profile.id, Match.status.not_in(hidden))
        .options(selectinload(Match.events), selectinload(Match.placement),
                 selectinload(Match.position).selectinload(Position.organisation))
        .order_by(Match.updated_at.desc())))


def respond(actor: User, match_id: int, interested: bool, reason: str = "") -> Match:
    """The participant's own step on an approved suggestion: "I am interested" or "not for me"."""
    match = _participant_match(actor, match_id)
    if match.status not in (MatchStatus.APPROVED, MatchStatus.EMPLOYER_INVITED):
        raise Conflict(_("This suggestion has already been answered."))
    if match.position.status != PositionStatus.OPEN or match.position.listed_until < date.today():
        raise Conflict(_("This position is no longer open."))
    if interested and actor.email_verified_at is None:  # nothing goes to an employer from an unproven address
        raise ValidationFailed(_("Please confirm your e-mail address first (with the link we sent you): "
                                 "then the employer can see that you are interested."))
    _move(match, MatchStatus.INTERESTED if interested else MatchStatus.DECLINED, actor, note=reason)
    if interested:
        tell_employer(match)
    if interested and match.profile.coach_id:
        notify(match.profile.coach_id, "interest_expressed", {"position": match.position.title,
                                                              "participant": actor.display_name},
               f"/coach/participants/{match.profile_id}")
    audit.record("suggestion_answered", actor=actor, subject=actor, detail={"interested": interested})
    db.session.commit()
    return match


def tell_employer(match: Match) -> None:
    """The position's HR managers hear that a candidate said "I am interested": once per candidate, and
    bundled into one notification (and one e-mail) per position and day when several come."""
    from ..models import Notification

    if any(e.to_status == MatchStatus.INTERESTED for e in match.events[:-1]):
        return  # interested before (withdrew, came back): the employer heard of this candidate already
    position = match.position
    link = f"/hr/positions/{position.id}/candidates"
    day_start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    for user in position.organisation.hr_users:
        if not user.active:
            continue
        today = db.session.scalar(select(Notification).where(
            Notification.user_id == user.id, Notification.kind == "candidates_interested",
            Notification.link == link, Notification.created_at >= day_start).limit(1))
        if today is None:
            notify(user.id, "candidates_interested", {"position": position.title, "count": 1}, link)
        else:  # the day's notification counts one more; no second e-mail
            today.payload = {**(today.payload or {}), "count": int((today.payload or {}).get("count", 1)) + 1}
            today.read_at = None


def answer_offer(actor: User, match_id: int, accept: bool) -> Match:
    """The participant accepts an offer (a placement starts, planned) or turns it down."""
    match = _participant_match(actor, match_id)
    if match.status != MatchStatus.OFFERED:
        raise Conflict(_("There is no open offer here."))
    if accept:
        _move(match, MatchStatus.PLACED, actor)
        position = match.position
        start = position.start_date if position.start_date and position.start_date >= date.today() \
            else date.today() + timedelta(days=7)
        end = start + timedelta(weeks=position.duration_weeks) if position.duration_weeks else None
        placement = Placement(match_id=match.id, coach_id=match.profile.coach_id, start_date=start, end_date=end,
                              company_contact=position.contact_person or "",
                              objectives=position.learning_content or "")
        db.session.add(placement)
        db.session.flush()
        onboarding.create_for_placement(placement, current_app.config["HOST_LANGUAGE"], commit=False)
        for user in position.organisation.hr_users:
            notify(user.id, "offer_accepted", {"position": position.title}, f"/placements/{placement.id}")
        if match.profile.coach_id:
            notify(match.profile.coach_id, "placement_planned", {"position": position.title},
                   f"/placements/{placement.id}")
    else:
        _move(match, MatchStatus.DECLINED, actor)
    db.session.commit()
    return match


# --- the employer --------------------------------------------------------------------------------

def candidates(actor: User, position_id: int) -> tuple[Position, list[Match]]:
    """Participants who said they are interested in one of my organisation's positions."""
    if actor.role != Role.HR:
        raise PermissionDenied()
    position = db.session.get(Position, position_id)
    if position is None or position.organisation_id != actor.organisation_id:
        raise NotFound(_("No such position."))
    matches = db.session.scalars(
        select(Match).where(Match.position_id == position_id, Match.status.in_(CANDIDATE))
        .options(selectinload(Match.events), selectinload(Match.placement),
                 selectinload(Match.position).selectinload(Position.skills),
                 selectinload(Match.profile).selectinload(ParticipantProfile.user),
                 selectinload(Match.profile).selectinload(ParticipantProfile.skills),
                 selectinload(Match.profile).selectinload(ParticipantProfile.languages))
        .order_by(Match.updated_at)).all()
    return position, list(matches)


def waiting_days(match: Match) -> int:
    """Days since the candidate's last step without an answer from the employer."""
    last = match.events[-1].at if match.events else match.updated_at
    return (utcnow() - last).days


def hr_answer(actor: User, match_id: int, action: str, message: str = "", version: int | None = None) -> Match:
    """Invite to a meeting, offer the position, or decline with a reason."""
    if actor.role != Role.HR:
        raise PermissionDenied()
    match = _load(match_id)
    # a pair that never was (or no longer is) this employer's candidate is not found, like any unknown id:
    # the answer must not tell whether a coach rejected it or the participant declined or withdrew
    if match.position.organisation_id != actor.organisation_id or match.status not in CANDIDATE:
        raise NotFound(_("No such candidate."))
    target = HR_ANSWERS.get(action)
    if target is None:
        raise ValidationFailed(_("Choose an answer."))
    allowed = {MatchStatus.INVITED: (MatchStatus.INTERESTED,),
               MatchStatus.OFFERED: (MatchStatus.INTERESTED, MatchStatus.INVITED),
               MatchStatus.HR_DECLINED: (MatchStatus.INTERESTED, MatchStatus.INVITED)}[target]
    if match.status not in allowed or (version is not None and version != match.version_id):
        raise Conflict(_("This candidate's status changed in the meantime (now: %(status)s). Please look again.",
                         status=str(labels.MATCH_STATUS_FOR_STAFF[match.status.value])))
    if target != MatchStatus.OFFERED and not message.strip():
        raise ValidationFailed(_("Write a short message to the candidate."))
    _move(match, target, actor, note=message.strip())
    notify(match.profile.user_id, f"hr_{action}", {"position": match.position.title}, "/me/applications")
    audit.record("candidate_answered", actor=actor, subject_user_id=match.profile.user_id,
                 detail={"answer": action})
    db.session.commit()
    return match


# --- the status history, as each party may see it -------------------------------------------------------

@dataclass(frozen=True)
class HistoryRow:
    at: object
    text: str
    who: str
    note: str


HIDDEN_FROM_EMPLOYER = (MatchStatus.SUGGESTED, MatchStatus.APPROVED, MatchStatus.REJECTED,
                        MatchStatus.EMPLOYER_INVITED)
# messages the participant and the employer exchange; a coach's review note stays with coaches
SHARED_NOTES = (MatchStatus.INVITED, MatchStatus.OFFERED, MatchStatus.HR_DECLINED)


def history(actor: User, match: Match) -> list[HistoryRow]:
    """Who did what and when on one match, limited to what ``actor`` may see.

    The caller has already checked that the actor may see the match at all."""
    actors = _actors({e.actor_id for e in match.events if e.actor_id})
    staff_labels = labels.MATCH_STATUS_FOR_STAFF
    rows = []
    for event in match.events:
        placement_step = labels.PLACEMENT_EVENT.get(event.reason_code or "")
        if actor.role == Role.PARTICIPANT and event.to_status in (MatchStatus.SUGGESTED, MatchStatus.REJECTED):
            continue
        if actor.role == Role.HR and event.to_status in HIDDEN_FROM_EMPLOYER:
            continue
        who_user = actors.get(event.actor_id)
        note = event.note if (actor.role == Role.COACH or placement_step or event.to_status in SHARED_NOTES
                              or (who_user is not None and who_user.id == actor.id)) else ""
        if event.to_status == MatchStatus.SUGGESTED:
            note = ""  # the model version, of no use to people
        if actor.role == Role.PARTICIPANT:
            text = placement_step or labels.MATCH_STATUS_FOR_PARTICIPANT[event.to_status.value]
        else:
            text = placement_step or staff_labels[event.to_status.value]
        rows.append(HistoryRow(event.at, str(text), _who(actor, match, who_user), note))
    return rows


def _actors(ids: set[int]) -> dict[int, User]:
    """The users behind history events, loaded once per request for all the matches on a page."""
    from flask import g

    known: dict[int, User] = g.setdefault("history_actors", {})
    missing = ids - known.keys()
    if missing:
        known.update({u.id: u for u in db.session.scalars(select(User).where(User.id.in_(missing)))})
    return {i: known[i] for i in ids if i in known}


def employer_message(match: Match) -> str:
    """The employer's latest message to the candidate (meeting times, the offer, the reason for a no)."""
    return next((e.note for e in reversed(match.events) if e.to_status in SHARED_NOTES and e.note), "")


def _who(actor: User, match: Match, who: User | None) -> str:
    if who is None:
        return _("MiMi Match")
    if who.id == actor.id:
        return _("you")
    if actor.role == Role.COACH:
        return who.display_name
    if who.role == Role.COACH:
        return _("your coach") if actor.role == Role.PARTICIPANT else _("the coach")
    if who.role == Role.HR:
        return match.position.organisation.name if actor.role == Role.PARTICIPANT else who.display_name
    if who.role == Role.PARTICIPANT:
        return who.display_name if match.profile.consent_share_on_interest else _("the candidate")
    return _("an administrator")


def remind_answers(days: int) -> int:
    """Remind HR managers of candidates who have waited more than ``days`` for an answer (once per period)."""
    from ..models import Notification

    cutoff = utcnow() - timedelta(days=days)
    waiting: dict[int, int] = {}
    for match in db.session.scalars(select(Match).where(
            Match.status.in_((MatchStatus.INTERESTED, MatchStatus.INVITED)), Match.updated_at <= cutoff)
            .options(selectinload(Match.events))):
        if waiting_days(match) >= days:
            waiting[match.position_id] = waiting.get(match.position_id, 0) + 1
    sent = 0
    for position in db.session.scalars(select(Position).where(Position.id.in_(waiting))
                                       .options(selectinload(Position.organisation))):
        link = f"/hr/positions/{position.id}/candidates"
        for user in position.organisation.hr_users:
            recent = db.session.scalar(select(Notification.id).where(
                Notification.user_id == user.id, Notification.kind == "reminder_answer",
                Notification.link == link, Notification.created_at >= cutoff).limit(1))
            if user.active and recent is None:
                notify(user.id, "reminder_answer", {"position": position.title, "count": waiting[position.id]}, link)
                sent += 1
    db.session.commit()
    return sent


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    state: str  # "done", "current", "todo" (and "skipped": passed over, as an offer without a meeting)


STEP_OF = {MatchStatus.INTERESTED: "interested", MatchStatus.INVITED: "invited", MatchStatus.OFFERED: "offer",
           MatchStatus.PLACED: "placed", MatchStatus.COMPLETED: "completed"}
ENDED = {MatchStatus.WITHDRAWN: "withdrawn", MatchStatus.HR_DECLINED: "hr_declined", MatchStatus.DECLINED: "declined"}


def steps(match: Match) -> list[Step]:
    """A candidacy's steps, interested → invited → meeting → offer → placed → completed, each done, current
    or still ahead; a candidacy that ended (withdrawn, declined) shows how far it came, with nothing current."""
    from ..models import Meeting, MeetingStatus

    keys = list(labels.CANDIDACY_STEPS)
    reached = {STEP_OF[e.to_status] for e in match.events if e.to_status in STEP_OF}
    met = db.session.scalar(select(Meeting.id).where(Meeting.match_id == match.id,
                                                     Meeting.status == MeetingStatus.ACCEPTED).limit(1))
    if met is not None:
        reached.add("meeting")
    current = STEP_OF.get(match.status)
    if current == "invited" and "meeting" in reached:
        current = "meeting"
    last = max((keys.index(k) for k in reached | ({current} if current else set())), default=-1)
    out = []
    for index, key in enumerate(keys):
        if key == current:
            state = "current"
        elif key in reached:
            state = "done"
        elif index < last:
            state = "skipped"
        else:
            state = "todo"
        out.append(Step(key, str(labels.CANDIDACY_STEPS[key]), state))
    return out
