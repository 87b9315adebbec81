"""Demo journeys: after the model has made its suggestions, walk some of them through every status.

Reviews, answers, offers, placements (planned, running, waiting to be completed, completed with all
three evaluations or with one missing, ended early) and direct applications, with dates in the past
so each role's pages show a believable installation. Runs once: if anyone has acted on a match
already, it does nothing.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    ActionPlanItem,
    ActionSource,
    Evaluation,
    EvaluationVoice,
    Match,
    MatchEvent,
    MatchOrigin,
    MatchStatus,
    ParticipantProfile,
    Placement,
    PlacementOutcome,
    PlacementStatus,
    Position,
    PositionStatus,
    RejectReason,
    SkillConfirmation,
    User,
)
from .notifications import notify as _notify


def notify(user_id: int, kind: str, payload: dict, link: str = "") -> None:
    _notify(user_id, kind, payload, link, email=False)  # demo people have no real mailboxes

S = MatchStatus
# each scenario: the statuses a match goes through after "suggested", and what the placement became
SCENARIOS: dict[str, tuple[list[MatchStatus], PlacementStatus | None]] = {
    "approved": ([S.APPROVED], None),
    "employer_invited": ([S.EMPLOYER_INVITED], None),
    "rejected": ([S.REJECTED], None),
    "interested": ([S.APPROVED, S.INTERESTED], None),
    "declined": ([S.APPROVED, S.DECLINED], None),
    "withdrawn": ([S.APPROVED, S.INTERESTED, S.WITHDRAWN], None),
    "invited": ([S.APPROVED, S.INTERESTED, S.INVITED], None),
    "offered": ([S.APPROVED, S.INTERESTED, S.INVITED, S.OFFERED], None),
    "hr_declined": ([S.APPROVED, S.INTERESTED, S.HR_DECLINED], None),
    "planned": ([S.APPROVED, S.INTERESTED, S.INVITED, S.OFFERED, S.PLACED], PlacementStatus.PLANNED),
    "active": ([S.APPROVED, S.INTERESTED, S.OFFERED, S.PLACED], PlacementStatus.ACTIVE),
    "overdue": ([S.APPROVED, S.INTERESTED, S.INVITED, S.OFFERED, S.PLACED], PlacementStatus.ACTIVE),
    "evaluating": ([S.APPROVED, S.INTERESTED, S.OFFERED, S.PLACED, S.COMPLETED], PlacementStatus.COMPLETED),
    "completed": ([S.APPROVED, S.INTERESTED, S.INVITED, S.OFFERED, S.PLACED, S.COMPLETED],
                  PlacementStatus.COMPLETED),
    "abandoned": ([S.APPROVED, S.INTERESTED, S.OFFERED, S.PLACED, S.COMPLETED], PlacementStatus.ABANDONED),
}
# participant001 (coach1's caseload, the first login the README prints) sees a bit of everything
SHOWCASE = ["approved", "offered", "active", "evaluating"]
CYCLE = ["rejected", "interested", "invited", "approved", "declined", "completed", "hr_declined", "planned",
         "withdrawn", "active", "offered", "abandoned", "overdue", "evaluating", "interested", "rejected",
         "employer_invited"]
N_DIRECT = 6
# a year behind the installation: completed placements spread over the last twelve months, with follow-ups
N_HISTORY = 48
HISTORY_OUTCOMES = [PlacementOutcome.JOB_OFFER, PlacementOutcome.JOB_OFFER, PlacementOutcome.FURTHER_TRAINING,
                    PlacementOutcome.JOB_OFFER, PlacementOutcome.NOT_SUITABLE, PlacementOutcome.FURTHER_TRAINING,
                    PlacementOutcome.JOB_OFFER, PlacementOutcome.DID_NOT_SHOW]
HISTORY_SITUATIONS = ["employed", "employed", "training", "looking", "employed", "other", "training", "employed"]
HISTORY_BARRIERS = [[], ["housing"], ["transport", "childcare"], [], ["money"], ["papers"], [], ["language"]]
MESSAGES = {
    S.INVITED: "Would you come for a short talk on Tuesday at 10:00 or Thursday at 13:00? Bring your papers.",
    S.OFFERED: "We would like to offer you the place. Start as agreed with your coach.",
    S.HR_DECLINED: "Thank you for your interest. We chose a candidate with a driving licence this time.",
    S.DECLINED: "The working hours do not fit with my language course.",
    S.WITHDRAWN: "I found another place near home.",
}
REJECT_NOTES = [(RejectReason.LANGUAGE, "Needs B1 for the safety briefings; let us plan the course first."),
                (RejectReason.LOCATION, "Two hours each way by bus."),
                (RejectReason.NOT_READY, "Wants to finish the Norwegian module first.")]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0))


def seed_journeys(today: date | None = None) -> int:
    """Walk demo suggestions through every status; return how many matches were moved (0 if done before)."""
    today = today or date.today()
    if db.session.scalar(select(Match.id).where(Match.status != S.SUGGESTED).limit(1)) is not None:
        return 0
    suggested = db.session.scalars(
        select(Match).join(ParticipantProfile, ParticipantProfile.id == Match.profile_id)
        .join(Position, Position.id == Match.position_id)
        .where(Match.status == S.SUGGESTED, ParticipantProfile.coach_id.is_not(None),
               Position.status == PositionStatus.OPEN)
        .options(selectinload(Match.events), selectinload(Match.position).selectinload(Position.organisation),
                 selectinload(Match.position).selectinload(Position.skills),
                 selectinload(Match.profile).selectinload(ParticipantProfile.skills),
                 selectinload(Match.profile).selectinload(ParticipantProfile.user))
        .order_by(Match.profile_id, Match.score.desc())).all()
    by_profile: dict[int, list[Match]] = {}
    for match in suggested:
        if match.position.organisation.hr_users:
            by_profile.setdefault(match.profile_id, []).append(match)
    profiles = sorted(by_profile)
    if not profiles:
        return 0
    moved = 0
    showcase = min(profiles, key=lambda pid: (by_profile[pid][0].profile.user.email, pid))
    for name, match in zip(SHOWCASE, by_profile[showcase], strict=False):
        _walk(match, name, today, len(SHOWCASE) - moved)
        moved += 1
    others = [pid for pid in profiles if pid != showcase]
    for n, pid in enumerate(others[: len(CYCLE) * 2]):
        _walk(by_profile[pid][0], CYCLE[n % len(CYCLE)], today, n % 5)
        moved += 1
    for pid in others[len(CYCLE) * 2: len(CYCLE) * 2 + N_DIRECT]:
        _direct(by_profile[pid][-1], today)
        moved += 1
    for n, pid in enumerate(others[len(CYCLE) * 2 + N_DIRECT: len(CYCLE) * 2 + N_DIRECT + N_HISTORY]):
        _history(by_profile[pid][0], n, today)
        moved += 1
    _balance_history(today)
    db.session.flush()
    _guides(today)
    db.session.commit()
    return moved


def _guides(today: date) -> None:
    """Onboarding guides in progress: each running or planned placement, and a few open positions of hr1."""
    from flask import current_app

    from ..models import OnboardingGuide
    from . import onboarding

    host = current_app.config["HOST_LANGUAGE"]
    guides = [onboarding.create_for_placement(p, host, commit=False) for p in db.session.scalars(
        select(Placement).where(Placement.status.in_((PlacementStatus.PLANNED, PlacementStatus.ACTIVE))))]
    hr1 = db.session.scalar(select(User).where(User.email.startswith("hr1@")))
    if hr1 is not None:
        for position in db.session.scalars(select(Position).where(
                Position.organisation_id == hr1.organisation_id, Position.status == PositionStatus.OPEN)
                .order_by(Position.id).limit(2)):
            guide = OnboardingGuide(position_id=position.id, start_date=position.start_date)
            db.session.add(guide)
            db.session.flush()
            onboarding._sync(guide, host, commit=False)
            guides.append(guide)
    for n, guide in enumerate(guides):
        hr = onboarding.guide_position(guide).organisation.hr_users[0]
        for item in guide.items:
            due = guide.start_date + timedelta(days=item.due_offset_days) if guide.start_date else None
            # most past points are ticked off; every third guide has one left over, to show "overdue"
            if due is not None and due < today and not (n % 3 == 0 and item.sort_order == 1):
                item.done_at, item.done_by_id = _at(due, 16), hr.id
        if guide.placement_id is not None:  # (the relationship is not loaded on a guide made moments ago)
            _welcome_and_buddy(guide, n, today, host)


BUDDIES = ("Ingrid Berg", "Jonas Lie", "Sara Ahmadi", "Mats Olsen", "Hanne Dahl", "Tariq Nilsen")


def _welcome_and_buddy(guide, n: int, today: date, host: str) -> None:
    """A named buddy with the first-day points, and the welcome page filled in (shared for every other one)."""
    import secrets

    from ..models.guide import GuideHelper

    placement = guide.placement or db.session.get(Placement, guide.placement_id)
    buddy = GuideHelper(name=BUDDIES[n % len(BUDDIES)], email="", language=host, is_buddy=True,
                        link_key=secrets.token_urlsafe(24))
    guide.helpers.append(buddy)
    db.session.flush()
    for item in guide.items:
        if item.content_key in ("welcome", "checkin_week", "language_practice") and guide.start_date:
            item.helper_id = buddy.id
            item.due_on = guide.start_date + timedelta(days=item.due_offset_days)
            if item.done_at is not None:
                item.done_by_id, item.done_by_helper_id = None, buddy.id
    organisation = placement.match.position.organisation
    guide.first_day_time = time(8, 0) if n % 2 else time(9, 30)
    guide.first_day_place = f"{organisation.name}, hovedinngangen\nSpør etter {buddy.name} i resepsjonen"
    guide.contact_name = placement.company_contact or organisation.hr_users[0].display_name
    guide.contact_phone = f"+47 400 00 {100 + n:03d}"
    guide.what_to_bring = "Bankkort og skattekort\nID (pass eller oppholdskort)\nArbeidssko"
    if n % 2 == 0:
        guide.welcome_shared_at = _at(today - timedelta(days=2), 10)


def _people(match: Match) -> tuple[User, User, User]:
    coach = db.session.get(User, match.profile.coach_id)
    return match.profile.user, coach, match.position.organisation.hr_users[0]


def _walk(match: Match, name: str, today: date, spread: int) -> None:
    steps, placement_status = SCENARIOS[name]
    participant, coach, hr = _people(match)
    actor_of = {S.APPROVED: coach, S.REJECTED: coach, S.INTERESTED: participant, S.DECLINED: participant,
                S.WITHDRAWN: participant, S.INVITED: hr, S.OFFERED: hr, S.HR_DECLINED: hr, S.PLACED: participant,
                S.EMPLOYER_INVITED: hr}
    # a placement's story needs more days behind it than a fresh review
    span = {None: 6, PlacementStatus.PLANNED: 14, PlacementStatus.ACTIVE: 35}.get(placement_status, 70)
    day = today - timedelta(days=span + spread)
    match.events[0].at = _at(day - timedelta(days=2), 6)
    for status in steps:
        if status == S.COMPLETED:
            break
        note, reason = MESSAGES.get(status, ""), None
        if status == S.REJECTED:
            reason, note = REJECT_NOTES[spread % len(REJECT_NOTES)]
            match.reject_reason = reason
        code = reason.value if reason else ("employer_invited" if status == S.EMPLOYER_INVITED else None)
        match.events.append(MatchEvent(from_status=match.status, to_status=status, actor_id=actor_of[status].id,
                                       reason_code=code, note=note,
                                       at=_at(day, 10 + len(match.events))))
        match.status = status
        day += timedelta(days=2)
    if status == S.APPROVED:
        notify(participant.id, "suggestion_approved", {"position": match.position.title}, "/me/suggestions")
    elif status == S.OFFERED:
        notify(participant.id, "hr_offer", {"position": match.position.title}, "/me/applications")
    elif status == S.INTERESTED:
        notify(coach.id, "interest_expressed", {"position": match.position.title,
                                                "participant": participant.display_name},
               f"/coach/participants/{match.profile_id}")
    elif status == S.EMPLOYER_INVITED:
        notify(participant.id, "employer_invitation", {"position": match.position.title}, "/me/suggestions")
    if name in ("invited", "offered"):
        _conversation(match, name, today, (participant, coach, hr))
    if placement_status is not None:
        _placement(match, placement_status, name, today, (participant, coach, hr))


CONVERSATION = [  # (who: 0 participant, 1 coach, 2 HR, text)
    (2, "Hello! Thank you for your interest. Do you have questions before we meet?"),
    (0, "Thank you. Is the work in the morning or in the evening?"),
    (2, "Mostly mornings, 7 to 12. We give you work clothes."),
    (1, "I can come along to the first meeting if that helps."),
]


def _conversation(match: Match, name: str, today: date, people) -> None:
    """A few messages, and a meeting: offered times still open (invited) or one agreed and held (offered)."""
    from ..models import Meeting, MeetingSlot, MeetingStatus, Message

    start = _at(today - timedelta(days=4), 9)
    for n, (who, text) in enumerate(CONVERSATION):
        db.session.add(Message(match_id=match.id, author_id=people[who].id, body=text,
                               created_at=start + timedelta(hours=3 * n)))
    if name == "invited":
        slots = [_at(today + timedelta(days=3), 10), _at(today + timedelta(days=4), 13)]
        db.session.add(Meeting(match_id=match.id, proposed_by_id=people[2].id, place="Reception, ground floor",
                               attendees="Team lead and HR", slots=[MeetingSlot(starts_at=t) for t in slots]))
    else:
        held = _at(today - timedelta(days=2), 10)
        db.session.add(Meeting(match_id=match.id, proposed_by_id=people[2].id, status=MeetingStatus.ACCEPTED,
                               starts_at=held, sequence=1, reminded_at=held - timedelta(hours=20),
                               place="Reception, ground floor", attendees="Team lead and HR",
                               slots=[MeetingSlot(starts_at=held)]))


def _placement(match: Match, status: PlacementStatus, name: str, today: date, people) -> None:
    participant, coach, hr = people
    weeks = match.position.duration_weeks or 4
    start = {PlacementStatus.PLANNED: today + timedelta(days=5),
             PlacementStatus.ACTIVE: today - timedelta(days=7 * weeks - 3 if name == "active" else 7 * weeks + 2)
             }.get(status, today - timedelta(days=7 * weeks + 10))
    placement = Placement(
        match_id=match.id, coach_id=coach.id, status=status, start_date=start,
        end_date=start + timedelta(weeks=weeks), company_contact=match.position.contact_person or hr.display_name,
        objectives=match.position.learning_content or "Learn the daily routines and try the main tasks of the job.")
    if name == "active":  # running, with a few weeks to go
        placement.end_date = today + timedelta(days=18)
    db.session.add(placement)
    db.session.flush()
    _signatures(placement, status, name, start, people)
    if status == PlacementStatus.ACTIVE:
        match.events.append(MatchEvent(from_status=S.PLACED, to_status=S.PLACED, actor_id=coach.id,
                                       reason_code="placement_active", at=_at(start, 8)))
    if status in (PlacementStatus.COMPLETED, PlacementStatus.ABANDONED):
        ended = placement.end_date if status == PlacementStatus.COMPLETED else start + timedelta(days=4)
        placement.end_date = ended
        match.events.append(MatchEvent(from_status=S.PLACED, to_status=S.PLACED, actor_id=coach.id,
                                       reason_code="placement_active", at=_at(start, 8)))
        reason = "The participant got a place on a full-time language course that starts now." \
            if status == PlacementStatus.ABANDONED else ""
        match.events.append(MatchEvent(from_status=S.PLACED, to_status=S.COMPLETED, actor_id=hr.id,
                                       reason_code=f"placement_{status.value}", note=reason, at=_at(ended, 15)))
        match.status = S.COMPLETED
        from . import follow_ups

        follow_ups.plan(placement)  # 3, 6 and 12 months after its end
        if status == PlacementStatus.ABANDONED:
            placement.abandon_reason = reason
            placement.outcome = PlacementOutcome.ABANDONED
        else:
            voices = list(EvaluationVoice) if name == "completed" else [EvaluationVoice.PARTICIPANT,
                                                                          EvaluationVoice.COACH]
            _evaluations(match, placement, voices, {EvaluationVoice.PARTICIPANT: participant,
                                                    EvaluationVoice.COACH: coach, EvaluationVoice.COMPANY: hr},
                         ended)
            for user in (hr,) if name == "evaluating" else ():
                notify(user.id, "evaluation_due", {"position": match.position.title}, "/placements/")
    elif status == PlacementStatus.PLANNED:
        notify(hr.id, "offer_accepted", {"position": match.position.title}, "/placements/")


EVALUATION_TEXT = {
    EvaluationVoice.PARTICIPANT: ("I helped with the daily tasks and learned the routines. At the end I worked "
                                  "alone on some tasks.",
                                  "I understood most instructions. Meetings were fast for me.",
                                  "Norwegian course at B1 level\nAsk about an apprenticeship"),
    EvaluationVoice.COACH: ("Followed the plan; the mid-point talk went well. Reliable and on time every day.",
                            "Asks when something is unclear, which the team valued. Needs work-related vocabulary.",
                            "Make a list of the workplace's key words and practise them weekly"),
    EvaluationVoice.COMPANY: ("Took part in all main tasks of the position; independent on the simpler ones by "
                              "week three.",
                              "Safety instructions understood (checked back with pictures).",
                              ""),
}


def _evaluations(match: Match, placement: Placement, voices: list[EvaluationVoice], people: dict,
                 ended: date) -> None:
    asked = [s.label for s in match.position.skills][:2]
    own = [s for s in match.profile.skills][:2]
    for n, voice in enumerate(voices):
        tasks, language, what_next = EVALUATION_TEXT[voice]
        author = people[voice]
        placement.evaluations.append(Evaluation(
            voice=voice, author_id=author.id, tasks_done=tasks, skills_shown="\n".join(asked + [s.label for s in own]),
            language_at_work=language, what_next=what_next, outcome=PlacementOutcome.JOB_OFFER
            if voice != EvaluationVoice.PARTICIPANT or n == 0 else PlacementOutcome.FURTHER_TRAINING,
            submitted_at=_at(ended + timedelta(days=1 + n), 11)))
        if voice != EvaluationVoice.PARTICIPANT:
            for skill in own:
                skill.confirmation = SkillConfirmation.PLACEMENT
                skill.confirmed_by_id = author.id
                skill.confirmed_at = _at(ended + timedelta(days=1 + n), 11)
        for line in filter(None, what_next.splitlines()):
            db.session.add(ActionPlanItem(profile_id=match.profile_id, title=line, source=ActionSource.EVALUATION,
                                          detail=f"From the evaluation of {match.position.title}",
                                          created_by_id=author.id, due_date=ended + timedelta(weeks=6)))
    if len(voices) == len(EvaluationVoice):
        placement.outcome = PlacementOutcome.JOB_OFFER


def _direct(match: Match, today: date) -> None:
    """A participant's own application found by browsing: no coach review needed, the coach is told."""
    participant, coach, _hr = _people(match)
    match.origin = MatchOrigin.PARTICIPANT
    match.events.append(MatchEvent(from_status=S.SUGGESTED, to_status=S.INTERESTED, actor_id=participant.id,
                                   note="", at=_at(today - timedelta(days=3), 12)))
    match.status = S.INTERESTED
    notify(coach.id, "interest_expressed", {"position": match.position.title,
                                            "participant": participant.display_name},
           f"/coach/participants/{match.profile_id}")


def _signatures(placement: Placement, status: PlacementStatus, name: str, start: date, people) -> None:
    """The agreement in every state: planned placements signed by the participant only, or by all before the
    plan changed (to be signed again); one running without the coach's signature; the others signed by all
    three a few days before the start."""
    from ..models import AgreementSignature

    participant, coach, hr = people
    everyone = [(EvaluationVoice.PARTICIPANT, participant), (EvaluationVoice.COMPANY, hr),
                (EvaluationVoice.COACH, coach)]
    signers = everyone
    if status == PlacementStatus.PLANNED:  # before a start: signed by some, or by all before the plan changed
        _signatures.planned = getattr(_signatures, "planned", 0) + 1
        if _signatures.planned % 2:
            signers = everyone[:1]
        else:
            placement.plan_version = 2  # the plan changed after all three signed: they sign again
    elif name == "overdue":  # started before the coach signed (recorded in the history)
        signers = everyone[:2]
    for n, (voice, user) in enumerate(signers):
        db.session.add(AgreementSignature(placement_id=placement.id, voice=voice, plan_version=1, user_id=user.id,
                                          typed_name=user.display_name,
                                          signed_at=_at(min(start, date.today()) - timedelta(days=3), 9 + n)))


def _history(match: Match, n: int, today: date) -> None:
    """One placement of the past year, from the suggestion to its follow-ups (recorded when they were due)."""
    from ..models import AgreementSignature, FollowUp
    from . import follow_ups

    participant, coach, hr = _people(match)
    start = today - timedelta(days=40 + (n * 7) % 330)
    end = start + timedelta(weeks=4)
    match.profile.created_at = _at(start - timedelta(days=30 + (n * 13) % 120), 9)
    day = start - timedelta(days=21)
    match.events[0].at = _at(day - timedelta(days=2), 6)
    actor_of = {S.APPROVED: coach, S.INTERESTED: participant, S.INVITED: hr, S.OFFERED: hr, S.PLACED: participant}
    for status in (S.APPROVED, S.INTERESTED, S.INVITED, S.OFFERED, S.PLACED):
        if status == S.INVITED and n % 3 == 0:
            continue  # an offer without a meeting first
        match.events.append(MatchEvent(from_status=match.status, to_status=status, actor_id=actor_of[status].id,
                                       at=_at(day, 10)))
        match.status = status
        day += timedelta(days=3)
    outcome = HISTORY_OUTCOMES[n % len(HISTORY_OUTCOMES)]
    placement = Placement(match_id=match.id, coach_id=coach.id, status=PlacementStatus.COMPLETED, start_date=start,
                          end_date=end, company_contact=match.position.contact_person or hr.display_name,
                          objectives=match.position.learning_content or "Learn the daily routines.", outcome=outcome)
    db.session.add(placement)
    db.session.flush()
    for k, (voice, user) in enumerate(((EvaluationVoice.PARTICIPANT, participant), (EvaluationVoice.COMPANY, hr),
                                       (EvaluationVoice.COACH, coach))):
        db.session.add(AgreementSignature(placement_id=placement.id, voice=voice, plan_version=1, user_id=user.id,
                                          typed_name=user.display_name,
                                          signed_at=_at(start - timedelta(days=4), 9 + k)))
    match.events.append(MatchEvent(from_status=S.PLACED, to_status=S.PLACED, actor_id=coach.id,
                                   reason_code="placement_active", at=_at(start, 8)))
    match.events.append(MatchEvent(from_status=S.PLACED, to_status=S.COMPLETED, actor_id=hr.id,
                                   reason_code="placement_completed", at=_at(end, 15)))
    match.status = S.COMPLETED
    follow_ups.plan(placement)
    db.session.flush()
    for f in db.session.scalars(select(FollowUp).where(FollowUp.placement_id == placement.id)):
        if f.due_on <= today and (n + f.months) % 5:  # most are recorded; a few wait for the coach
            f.situation = HISTORY_SITUATIONS[(n + f.months) % len(HISTORY_SITUATIONS)]
            f.barriers = HISTORY_BARRIERS[(n + f.months) % len(HISTORY_BARRIERS)]
            f.recorded_by_id, f.recorded_at = coach.id, _at(f.due_on + timedelta(days=2), 14)


def _balance_history(today: date) -> None:
    """The field balance of the past twelve months (the worker keeps one a day from now on): today's counts,
    with a little more wished in earlier months, so the trend has something to show."""
    from . import field_balance

    counts = field_balance.count()
    for back in range(11, 0, -1):
        day = (today.replace(day=1) - timedelta(days=30 * back - 14))
        factor = 1 + back * 0.05
        wishes = {region: {f: [round(n * factor) for n in ranks] for f, ranks in fields.items()}
                  for region, fields in counts["wishes"].items()}
        field_balance.keep_day({**counts, "wishes": wishes}, day=day)
