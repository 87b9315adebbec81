"""Placements: who may see and change them, status rules, the three-voice evaluation, reminders, e-mail."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import (
    ActionPlanItem,
    ActionSource,
    AuditEntry,
    Evaluation,
    EvaluationVoice,
    Match,
    MatchEvent,
    MatchStatus,
    Notification,
    ParticipantSkill,
    Placement,
    PlacementOutcome,
    PlacementStatus,
    Role,
    SkillConfirmation,
)
from mimi_match.models.base import utcnow
from mimi_match.services import journey, mail, placements

from .factories import create_organisation, create_position, create_user


def _placement(users, status=PlacementStatus.PLANNED, start=None, end=None) -> Placement:
    profile = users["participant"].profile
    profile.coach_id = users["coach"].id
    profile.skills.append(ParticipantSkill(label="cooking"))
    position = create_position(users["hr"].organisation, title="Kitchen helper", required_skill="wash dishes")
    match = Match(profile_id=profile.id, position_id=position.id, status=MatchStatus.PLACED)
    match.events.append(MatchEvent(from_status=None, to_status=MatchStatus.SUGGESTED, note="model x"))
    match.events.append(MatchEvent(from_status=MatchStatus.SUGGESTED, to_status=MatchStatus.REJECTED,
                                   actor_id=users["coach"].id, note="secret review note"))
    db.session.add(match)
    db.session.flush()
    placement = Placement(match_id=match.id, coach_id=users["coach"].id, status=status,
                          start_date=start or date.today(), end_date=end, company_contact="Kari")
    db.session.add(placement)
    db.session.commit()
    return placement


def _reload(placement_id: int) -> Placement:
    db.session.expire_all()
    return db.session.get(Placement, placement_id)


def test_only_the_three_parties_see_a_placement(users, login):
    placement = _placement(users)
    url = f"/placements/{placement.id}"
    for who in ("participant", "coach", "hr"):
        page = login(users[who]).get(url)
        assert page.status_code == 200 and b"Kitchen helper" in page.data
    strangers = [create_user(), create_user(Role.COACH), create_user(Role.HR, organisation=create_organisation())]
    for stranger in strangers:
        client = login(stranger)
        assert client.get(url).status_code == 404
        assert b"Kitchen helper" not in client.get("/placements/").data
        assert client.post(f"{url}/status", data={"step": "abandon", "reason": "x"}).status_code == 404
        assert client.post(f"{url}/evaluation", data={"tasks_done": "x", "outcome": "job_offer"}).status_code == 404
    assert login(strangers[1]).post(f"{url}/plan", data={"start_date": "2030-01-01"}).status_code == 404
    assert login(users["admin"]).get(url).status_code == 403
    assert _reload(placement.id).status == PlacementStatus.PLANNED


def test_participant_may_end_early_with_a_reason_but_not_start_or_complete(users, login):
    placement = _placement(users)
    client = login(users["participant"])
    assert client.post(f"/placements/{placement.id}/status", data={"step": "start"}).status_code == 403
    assert client.post(f"/placements/{placement.id}/plan", data={"start_date": "2030-01-01"}).status_code == 403
    page = client.post(f"/placements/{placement.id}/status", data={"step": "abandon", "reason": " "},
                       follow_redirects=True)
    assert b"Say briefly why" in page.data and _reload(placement.id).status == PlacementStatus.PLANNED
    client.post(f"/placements/{placement.id}/status", data={"step": "abandon", "reason": "I found a job"})
    placement = _reload(placement.id)
    assert placement.status == PlacementStatus.ABANDONED and placement.abandon_reason == "I found a job"
    assert placement.outcome == PlacementOutcome.ABANDONED and placement.match.status == MatchStatus.COMPLETED
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "placement_abandoned")))
    assert told == {users["participant"].id, users["coach"].id, users["hr"].id}
    # ended is ended: no second step
    page = login(users["coach"]).post(f"/placements/{placement.id}/status", data={"step": "start"},
                                      follow_redirects=True)
    assert "nothing was changed" in page.get_data(as_text=True)
    assert _reload(placement.id).status == PlacementStatus.ABANDONED


def test_status_follows_planned_active_completed(users, login):
    placement = _placement(users, start=date.today() + timedelta(days=3))
    coach = login(users["coach"])
    page = coach.post(f"/placements/{placement.id}/status", data={"step": "complete"}, follow_redirects=True)
    assert "nothing was changed" in page.get_data(as_text=True)
    planned = placement.start_date
    # three days early: asked first, nothing changes until confirmed; then the real date, the planned one kept
    page = coach.post(f"/placements/{placement.id}/status", data={"step": "start"}, follow_redirects=True)
    assert "Did it really start today?" in page.get_data(as_text=True)
    assert _reload(placement.id).status == PlacementStatus.PLANNED
    coach.post(f"/placements/{placement.id}/status", data={"step": "start", "confirmed": "1"})
    placement = _reload(placement.id)
    assert placement.status == PlacementStatus.ACTIVE and placement.start_date == date.today()
    assert placement.match.events[-1].reason_code == "placement_active"
    assert placement.match.events[-1].note.endswith(f"planned start: {planned.isoformat()}")
    assert placement.match.events[-1].note.startswith("started before signatures of")  # nobody had signed
    # completed on the day it started: asked too
    page = coach.post(f"/placements/{placement.id}/status", data={"step": "complete"}, follow_redirects=True)
    assert "Is it really completed already" in page.get_data(as_text=True)
    assert _reload(placement.id).status == PlacementStatus.ACTIVE
    page = coach.post(f"/placements/{placement.id}/status", data={"step": "fly"}, follow_redirects=True)
    assert b"Choose what to do" in page.data


def test_stale_form_is_a_conflict_not_a_lost_update(users, login):
    placement = _placement(users)
    seen = placement.version_id
    login(users["hr"]).post(f"/placements/{placement.id}/status", data={"step": "start", "version": seen,
                                                                       "confirmed": "1"})
    page = login(users["coach"]).post(f"/placements/{placement.id}/status",
                                      data={"step": "abandon", "reason": "late", "version": seen},
                                      follow_redirects=True)
    assert page.status_code == 200 and "changed in the meantime" in page.get_data(as_text=True)
    assert _reload(placement.id).status == PlacementStatus.ACTIVE


def test_plan_changes_are_checked(users, login):
    placement = _placement(users)
    hr = login(users["hr"])
    page = hr.post(f"/placements/{placement.id}/plan", data={
        "start_date": "2027-05-10", "end_date": "2027-05-01", "objectives": "x", "version": placement.version_id},
        follow_redirects=True)
    assert b"cannot be before the start date" in page.data
    assert _reload(placement.id).start_date == date.today()
    page = hr.post(f"/placements/{placement.id}/plan", data={"start_date": "not a date"}, follow_redirects=True)
    assert page.status_code == 200 and _reload(placement.id).start_date == date.today()
    page = hr.post(f"/placements/{placement.id}/plan", data={"start_date": "9999-12-20"}, follow_redirects=True)
    assert b"within the next two years" in page.data and _reload(placement.id).start_date == date.today()
    start, end = date.today() + timedelta(days=30), date.today() + timedelta(days=58)
    hr.post(f"/placements/{placement.id}/plan", data={
        "start_date": start.isoformat(), "end_date": end.isoformat(), "objectives": "Learn the dish machine",
        "company_contact": "Ola  Nordmann", "version": placement.version_id})
    placement = _reload(placement.id)
    assert (placement.start_date, placement.end_date) == (start, end)
    assert placement.company_contact == "Ola Nordmann" and placement.objectives == "Learn the dish machine"
    assert db.session.scalar(select(Notification).where(Notification.kind == "placement_changed",
                                                        Notification.user_id == users["participant"].id))


def test_evaluation_rules(users, login):
    placement = _placement(users, status=PlacementStatus.ACTIVE)
    participant, coach = login(users["participant"]), login(users["coach"])
    form = {"tasks_done": "Dishes", "outcome": "further_training"}
    page = participant.post(f"/placements/{placement.id}/evaluation", data=form, follow_redirects=True)
    assert b"opens when the placement has ended" in page.data
    coach.post(f"/placements/{placement.id}/status", data={"step": "complete", "confirmed": "1"})  # same day
    for bad, message in (({"outcome": "abandoned"}, b"Not a valid"), ({"outcome": "nonsense"}, b"Not a valid"),
                         ({"tasks_done": ""}, b"Say which tasks"), ({"skills": "p999999"}, b"Choose skills")):
        page = coach.post(f"/placements/{placement.id}/evaluation", data={**form, **bad}, follow_redirects=True)
        assert page.status_code == 200 and message in page.data, bad
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0
    wash = next(c for c in placements.skill_choices(_reload(placement.id)) if c.label == "wash dishes")
    coach.post(f"/placements/{placement.id}/evaluation", data={**form, "skills": wash.key, "what_next": "Course"})
    page = coach.post(f"/placements/{placement.id}/evaluation", data=form, follow_redirects=True)
    assert b"already saved" in page.data
    placement = _reload(placement.id)
    assert len(placement.evaluations) == 1 and placement.outcome is None
    skills = {s.label: s.confirmation for s in placement.match.profile.skills}
    assert skills == {"cooking": SkillConfirmation.SELF_STATED, "wash dishes": SkillConfirmation.PLACEMENT}
    assert db.session.scalar(select(func.count()).select_from(ActionPlanItem)) == 1
    missing = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "evaluation_given")))
    assert missing == {users["participant"].id, users["hr"].id}


def test_agreed_outcome_majority_then_the_company():
    def ev(voice, outcome):
        return Evaluation(voice=voice, outcome=outcome)

    job, train, unfit = PlacementOutcome.JOB_OFFER, PlacementOutcome.FURTHER_TRAINING, PlacementOutcome.NOT_SUITABLE
    assert placements.agreed_outcome([ev(EvaluationVoice.PARTICIPANT, job), ev(EvaluationVoice.COACH, train),
                                      ev(EvaluationVoice.COMPANY, train)]) == train
    assert placements.agreed_outcome([ev(EvaluationVoice.PARTICIPANT, job), ev(EvaluationVoice.COACH, train),
                                      ev(EvaluationVoice.COMPANY, unfit)]) == unfit
    assert placements.agreed_outcome([]) is None


def test_next_steps_are_lines_without_list_marks():
    assert placements.next_steps("- B1 course\n\n* CV  update\n• x" + "\ny" * 9) == ["B1 course", "CV update", "x",
                                                                                       "y", "y"]


def test_history_is_limited_to_what_each_party_may_see(users, login):
    placement = _placement(users)
    match = placement.match
    participant_rows = journey.history(users["participant"], match)
    hr_rows = journey.history(users["hr"], match)
    coach_rows = journey.history(users["coach"], match)
    assert [r.text for r in participant_rows] == []  # a model suggestion and a coach's rejection stay hidden
    assert hr_rows == []
    assert [r.note for r in coach_rows] == ["", "secret review note"]
    assert coach_rows[1].who == "you" and coach_rows[0].who == "MiMi Match"


def test_reminders_once_per_period(users, app):
    placement = _placement(users, start=date.today() - timedelta(days=2))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["remind"])
    assert first.exit_code == 0 and "2 to start" in first.output  # the coach and the HR manager
    assert "0 to start" not in runner.invoke(args=["remind"]).output
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "reminder_start")) == 2
    assert placements.due(_reload(placement.id)) == "start"


def test_waiting_candidates_remind_the_employer(users):
    profile = users["participant"].profile
    position = create_position(users["hr"].organisation, title="Driver")
    match = Match(profile_id=profile.id, position_id=position.id, status=MatchStatus.INTERESTED)
    match.events.append(MatchEvent(from_status=None, to_status=MatchStatus.INTERESTED, actor_id=users["participant"].id,
                                   at=utcnow() - timedelta(days=10)))
    db.session.add(match)
    db.session.commit()
    db.session.execute(Match.__table__.update().values(updated_at=utcnow() - timedelta(days=10)))
    db.session.commit()
    assert journey.remind_answers(7) == 1
    assert journey.remind_answers(7) == 0
    note = db.session.scalar(select(Notification).where(Notification.kind == "reminder_answer"))
    assert note.user_id == users["hr"].id and note.payload == {"position": "Driver", "count": 1}


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.mark.parametrize("app", [{"MAIL_SERVER": "smtp.example.org", "PUBLIC_URL": "https://mimi.example"}],
                         indirect=True)
def test_email_goes_out_after_commit_in_the_recipients_language(users, login, monkeypatch):
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent = []
    users["participant"].locale = "nb"
    db.session.commit()
    placement = _placement(users)
    login(users["coach"]).post(f"/placements/{placement.id}/status", data={"step": "start", "confirmed": "1"})
    assert [m["To"] for m in FakeSMTP.sent] == [users["participant"].email, users["hr"].email]
    to_participant = FakeSMTP.sent[0]
    assert "Kitchen helper" in to_participant["Subject"] and "startet" in to_participant["Subject"]
    assert f"https://mimi.example/placements/{placement.id}" in to_participant.get_content()
    # a refused change sends nothing
    FakeSMTP.sent = []
    login(users["coach"]).post(f"/placements/{placement.id}/status", data={"step": "start"})
    assert FakeSMTP.sent == []


def test_mail_is_dropped_on_rollback(app):
    db.session.execute(select(1))
    mail.queue(db.session(), mail.Mail("a@example.org", "s", "b"))
    db.session.rollback()
    assert mail.OUTBOX not in db.session().info


def test_the_placement_follows_the_participant_to_a_new_coach(users, login):
    placement = _placement(users)
    new_coach = create_user(Role.COACH)
    users["participant"].profile.coach_id = new_coach.id
    db.session.commit()
    assert login(new_coach).get(f"/placements/{placement.id}").status_code == 200
    assert login(users["coach"]).get(f"/placements/{placement.id}").status_code == 404
    assert b"Kitchen helper" not in login(users["coach"]).get("/placements/").data


def test_the_employer_sees_no_name_or_profile_skills_without_consent(users, login):
    placement = _placement(users, status=PlacementStatus.COMPLETED)
    profile = users["participant"].profile
    profile.consent_share_on_interest = False
    db.session.commit()
    hr = login(users["hr"])
    for page in (hr.get(f"/placements/{placement.id}"), hr.get("/placements/")):
        text = page.get_data(as_text=True)
        assert users["participant"].display_name not in text and "the candidate" in text
    assert "cooking" not in hr.get(f"/placements/{placement.id}").get_data(as_text=True)
    cooking = next(s for s in profile.skills if s.label == "cooking")
    page = hr.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Dishes", "outcome": "job_offer", "skills": f"p{cooking.id}"}, follow_redirects=True)
    assert b"Choose skills from the list" in page.data


def test_without_a_coach_two_voices_complete_the_evaluation(users, login):
    placement = _placement(users, status=PlacementStatus.COMPLETED)
    users["participant"].profile.coach_id = None
    db.session.commit()
    form = {"tasks_done": "Dishes", "outcome": "further_training"}
    login(users["participant"]).post(f"/placements/{placement.id}/evaluation", data=form)
    login(users["hr"]).post(f"/placements/{placement.id}/evaluation", data=form)
    placement = _reload(placement.id)
    assert placement.outcome == PlacementOutcome.FURTHER_TRAINING and placements.due(placement) is None


def test_each_voice_answers_first_on_its_own(users, login):
    """Blind first step: until a voice has saved its own evaluation, it sees that the others answered, not what."""
    placement = _placement(users, status=PlacementStatus.COMPLETED, start=date.today() - timedelta(days=20),
                           end=date.today())
    coach, hr, participant = login(users["coach"]), login(users["hr"]), login(users["participant"])
    coach.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Washed up every lunch", "outcome": "job_offer", "what_next": "Norwegian course B1"})
    hidden = hr.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Washed up every lunch" not in hidden and "You can read it once your own evaluation is saved" in hidden
    assert "Washed up every lunch" not in participant.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Washed up every lunch" in coach.get(f"/placements/{placement.id}").get_data(as_text=True)
    hr.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Kept the kitchen going", "outcome": "job_offer", "what_next": "norwegian course b1.\nForklift"})
    shown = hr.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Washed up every lunch" in shown and "Kept the kitchen going" in shown
    # the same "what next" from two voices is one step, naming both; a new line is a step of its own
    steps = db.session.scalars(select(ActionPlanItem).where(ActionPlanItem.source == ActionSource.EVALUATION)
                               .order_by(ActionPlanItem.id)).all()
    assert [s.title for s in steps] == ["Norwegian course B1", "Forklift"]
    assert "(Coach)" in steps[0].detail and "(Company)" in steps[0].detail


def test_an_early_start_moves_the_onboarding_guide(app, users, login):
    from mimi_match.models import OnboardingGuide
    from mimi_match.services import onboarding

    placement = _placement(users, start=date.today() + timedelta(days=10))
    guide = onboarding.create_for_placement(placement, "nb")
    login(users["coach"]).post(f"/placements/{placement.id}/status", data={"step": "start", "confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(OnboardingGuide, guide.id).start_date == date.today()


def _pdf_text(data: bytes) -> str:
    import io
    import unicodedata

    from pypdf import PdfReader

    return unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_the_agreement_is_generated_signed_by_all_three_and_asked_again_after_a_plan_change(users, login, run_jobs):
    placement = _placement(users, start=date.today() + timedelta(days=7), end=date.today() + timedelta(days=35))
    placement.objectives = "Wash up after lunch\nLearn the dishwasher"
    db.session.commit()
    participant, coach, hr = login(users["participant"]), login(users["coach"]), login(users["hr"])
    page = participant.get(f"/placements/{placement.id}/agreement").get_data(as_text=True)
    assert "Agreement for a job start: Kitchen helper" in page and "Learn the dishwasher" in page
    assert "Contact person Kari".lower() in page.lower() and "not signed yet" in page
    english = _pdf_text(participant.get(f"/placements/{placement.id}/agreement.pdf?in=en").data)
    assert "Agreement for a job start: Kitchen helper" in english and "Learn the dishwasher" in english
    assert "Insurance" in english and "If it ends early" in english
    arabic = participant.get(f"/placements/{placement.id}/agreement.pdf?in=ar")
    assert arabic.mimetype == "application/pdf"
    text = _pdf_text(arabic.data)
    assert "اتفاقية" in text and "التأمين" in text and "Kitchen helper" in text
    # starting before anyone signed asks first
    page = coach.post(f"/placements/{placement.id}/status", data={"step": "start"}, follow_redirects=True)
    assert "Not everyone has signed the agreement yet" in page.get_data(as_text=True)
    # a wrong name is refused; the right one signs
    bad = participant.post(f"/placements/{placement.id}/agreement/sign", data={"typed_name": "Someone Else"},
                           follow_redirects=True)
    assert "type your name as it is on your account" in bad.get_data(as_text=True)
    for user, client in ((users["participant"], participant), (users["coach"], coach), (users["hr"], hr)):
        assert client.post(f"/placements/{placement.id}/agreement/sign",
                           data={"typed_name": user.display_name.upper()}).status_code == 302
    placement = _reload(placement.id)
    from mimi_match.services import agreements

    assert agreements.missing(placement) == []
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "agreement_signed")).all()
    assert {e.actor_id for e in entries} == {users["participant"].id, users["coach"].id, users["hr"].id}
    assert "signed by" in _pdf_text(participant.get(f"/placements/{placement.id}/agreement.pdf?in=en").data)
    # the plan changes: everyone signs again
    hr.post(f"/placements/{placement.id}/plan", data={
        "start_date": placement.start_date.isoformat(), "end_date": (date.today() + timedelta(days=42)).isoformat(),
        "objectives": placement.objectives, "company_contact": "Kari", "version": placement.version_id})
    placement = _reload(placement.id)
    assert placement.plan_version == 2 and len(agreements.missing(placement)) == 3
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "agreement_changed")))
    assert told == {users["participant"].id, users["coach"].id, users["hr"].id}
    # the job worker reminds whoever has not signed (once every few days)
    assert agreements.remind() == 3 and agreements.remind() == 0
    # started all the same, confirmed: recorded
    coach.post(f"/placements/{placement.id}/status", data={"step": "start", "confirmed": "1"})
    placement = _reload(placement.id)
    assert placement.status == PlacementStatus.ACTIVE
    assert "started before signatures of" in placement.match.events[-1].note
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "placement_started_unsigned"))


def test_only_the_three_parties_see_or_sign_the_agreement(users, login):
    placement = _placement(users)
    for outsider in (create_user(Role.PARTICIPANT), create_user(Role.COACH),
                     create_user(Role.HR, organisation=create_organisation("Other"))):
        client = login(outsider)
        assert client.get(f"/placements/{placement.id}/agreement").status_code == 404
        assert client.get(f"/placements/{placement.id}/agreement.pdf").status_code == 404
        assert client.post(f"/placements/{placement.id}/agreement/sign",
                           data={"typed_name": outsider.display_name}).status_code == 404
    assert login(users["admin"]).get(f"/placements/{placement.id}/agreement").status_code == 403


def test_follow_ups_are_planned_reminded_and_recorded_and_counted(app, users, login):
    from mimi_match.models import FollowUp
    from mimi_match.services import follow_ups, outcomes

    placement = _placement(users, status=PlacementStatus.ACTIVE, start=date(2026, 1, 10), end=date(2026, 2, 28))
    login(users["coach"]).post(f"/placements/{placement.id}/status", data={"step": "complete", "confirmed": "1"})
    rows = db.session.scalars(select(FollowUp).order_by(FollowUp.months)).all()
    end = _reload(placement.id).end_date
    assert [(f.months, f.due_on) for f in rows] == [(m, follow_ups.months_after(end, m)) for m in (3, 6, 12)]
    assert follow_ups.months_after(date(2026, 11, 30), 3) == date(2027, 2, 28)
    # due: the worker reminds the coach and asks the participant, once
    assert follow_ups.remind(today=rows[1].due_on) == 2
    assert follow_ups.remind(today=rows[1].due_on) == 0
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (users["coach"].id, "follow_up_due") in kinds and (users["participant"].id, "follow_up_asked") in kinds
    # not yet due: refused; the employer never sees it nor records it
    hr = login(users["hr"])
    assert "Follow-up after the placement" not in hr.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert hr.post(f"/placements/{placement.id}/follow-ups/{rows[0].id}", data={"situation": "employed"}
                   ).status_code == 403
    six = rows[1]
    six.due_on = date.today()
    rows[2].due_on = date.today() + timedelta(days=30)
    db.session.commit()
    participant = login(users["participant"])
    page = participant.post(f"/placements/{placement.id}/follow-ups/{rows[2].id}", data={"situation": "employed"},
                            follow_redirects=True)
    assert "not due yet" in page.get_data(as_text=True)
    page = participant.post(f"/placements/{placement.id}/follow-ups/{six.id}", data={"situation": "nonsense"},
                            follow_redirects=True)
    assert "Choose the situation" in page.get_data(as_text=True)
    participant.post(f"/placements/{placement.id}/follow-ups/{six.id}",
                     data={"situation": "employed", "barriers": ["housing", "transport", "bogus"], "note": "Night bus"})
    six = db.session.get(FollowUp, six.id)
    db.session.refresh(six)
    assert six.situation == "employed" and six.barriers == ["housing", "transport"] and six.recorded_by_id
    page = login(users["coach"]).get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Still hard:" in page and "Housing, Transport" in page and "Night bus" in page
    app.config["OUTCOMES_MIN_GROUP"] = 1
    result, _bands, _languages = outcomes.overview(users["coach"], outcomes.Filters())
    assert result.follow_up[(6, "employed")].value == 1 and result.follow_up[(12, "employed")].value == 0


def test_the_joint_summary_is_drafted_by_the_coach_and_confirmed_by_the_others(users, login):
    placement = _placement(users, status=PlacementStatus.COMPLETED, start=date.today() - timedelta(days=20),
                           end=date.today())
    clients = {"participant": login(users["participant"]), "coach": login(users["coach"]), "hr": login(users["hr"])}
    url = f"/placements/{placement.id}/summary"
    # not before every voice has answered
    page = clients["coach"].post(url, data={"action": "draft", "text": "x", "outcome": "job_offer"},
                                 follow_redirects=True)
    assert "when every voice has given its evaluation" in page.get_data(as_text=True)
    for role in ("participant", "coach", "hr"):
        clients[role].post(f"/placements/{placement.id}/evaluation", data={
            "tasks_done": f"Tasks seen by {role}", "outcome": "further_training" if role == "hr" else "job_offer"})
    assert _reload(placement.id).outcome == PlacementOutcome.JOB_OFFER  # provisional: two of three voices
    # only the coach drafts; the others answer
    assert clients["hr"].post(url, data={"action": "draft", "text": "x", "outcome": "job_offer"}).status_code == 403
    clients["coach"].post(url, data={"action": "draft", "text": "Good routines; work on Norwegian.",
                                     "outcome": "further_training"})
    page = clients["participant"].get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "Good routines; work on Norwegian." in page and "I agree with this summary" in page
    page = clients["participant"].post(url, data={"action": "comment", "comment": ""}, follow_redirects=True)
    assert "Write what should change" in page.get_data(as_text=True)
    clients["participant"].post(url, data={"action": "comment", "comment": "I was offered a job, write that."})
    assert db.session.scalar(select(Notification).where(Notification.kind == "summary_commented",
                                                        Notification.user_id == users["coach"].id))
    # the coach revises; the earlier answers no longer count; both agree: the outcome is recorded
    clients["coach"].post(url, data={"action": "draft", "text": "Good routines; a job offer followed.",
                                     "outcome": "job_offer"})
    clients["participant"].post(url, data={"action": "agree"})
    assert _reload(placement.id).outcome == PlacementOutcome.JOB_OFFER
    summary = placements.joint_summary(_reload(placement.id))
    assert summary.revision == 2 and summary.confirmed_at is None
    clients["hr"].post(url, data={"action": "agree"})
    db.session.expire_all()
    summary = placements.joint_summary(_reload(placement.id))
    assert summary.confirmed_at is not None and _reload(placement.id).outcome == PlacementOutcome.JOB_OFFER
    page = clients["coach"].post(url, data={"action": "draft", "text": "late", "outcome": "not_suitable"},
                                 follow_redirects=True)
    assert "no longer changes" in page.get_data(as_text=True)


def test_each_voice_rates_the_learning_goals_and_skills_on_one_scale(users, login):
    placement = _placement(users, status=PlacementStatus.COMPLETED, start=date.today() - timedelta(days=20),
                           end=date.today())
    placement.objectives = "Run the dishwasher\n- Keep the cold store in order"
    db.session.commit()
    coach = login(users["coach"])
    page = coach.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "How far did each learning goal get?" in page and 'name="rate-g1"' in page
    wash = next(c for c in placements.skill_choices(_reload(placement.id)) if c.label == "wash dishes")
    bad = coach.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Dishes", "outcome": "job_offer", "rate-g0": "9"}, follow_redirects=True)
    assert "Rate on the scale from 1 to 4" in bad.get_data(as_text=True)
    bad = coach.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Dishes", "outcome": "job_offer", "rate-g7": "2"}, follow_redirects=True)
    assert "Rate on the scale from 1 to 4" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 0
    coach.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Dishes", "outcome": "job_offer", "skills": wash.key, "rate-g0": "3", "rate-g1": "",
        f"rate-{wash.key}": "4"})
    evaluation = db.session.scalar(select(Evaluation))
    assert evaluation.ratings == {"g0": 3, wash.key: 4}
    page = coach.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert "<bdi>Run the dishwasher</bdi>: 3 · on their own" in page and "4 · could show others" in page
