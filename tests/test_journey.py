"""The journey through the forms: the model suggests, the coach reviews, the participant decides,
the employer answers, the participant accepts, a placement is planned."""
from __future__ import annotations

from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.models import (
    ActionPlanItem,
    ActionSource,
    CEFRLevel,
    EvaluationVoice,
    Match,
    MatchStatus,
    Notification,
    ParticipantLanguage,
    ParticipantSkill,
    Placement,
    PlacementOutcome,
    PlacementStatus,
    RejectReason,
    Role,
    SkillConfirmation,
)
from mimi_match.services import matching
from mimi_match.vocabulary import vocabulary

from .factories import create_organisation, create_position, create_user

FLOORS = "clean building floors"


def _setup(users):
    coach, hr = users["coach"], users["hr"]
    person = users["participant"]
    profile = person.profile
    profile.coach_id = coach.id
    profile.consent_matching = True
    profile.consent_share_on_interest = True
    profile.skills.append(ParticipantSkill(label=FLOORS, concept_uri=vocabulary().resolve(FLOORS)))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
    db.session.commit()
    good = create_position(hr.organisation, title="Office cleaner", required_skill=FLOORS)
    other = create_position(hr.organisation, title="Window cleaner", required_skill=FLOORS)
    matching.rebuild()
    return person, good, other


def _match(profile_id, position_id) -> Match:
    db.session.expire_all()
    return db.session.scalar(select(Match).where(Match.profile_id == profile_id, Match.position_id == position_id))


def test_whole_journey(users, login):
    person, good, other = _setup(users)
    coach, participant, hr = login(users["coach"]), login(person), login(users["hr"])
    # nothing reaches the participant or the employer before the coach approves
    assert "Office cleaner" not in participant.get("/me/suggestions").get_data(as_text=True)
    assert person.display_name not in hr.get(f"/hr/positions/{good.id}/candidates").get_data(as_text=True)
    queue = coach.get("/coach/review").get_data(as_text=True)
    assert "Office cleaner" in queue and "Window cleaner" in queue and FLOORS in queue
    m_good, m_other = _match(person.profile.id, good.id), _match(person.profile.id, other.id)
    coach.post("/coach/review", data={"match": f"{m_good.id}:{m_good.version_id}", "decision": "approve"})
    coach.post("/coach/review", data={"match": f"{m_other.id}:{m_other.version_id}", "decision": "reject",
                                      "reason": "location", "note": "too far"})
    assert _match(person.profile.id, good.id).status == MatchStatus.APPROVED
    rejected = _match(person.profile.id, other.id)
    assert rejected.status == MatchStatus.REJECTED and rejected.reject_reason == RejectReason.LOCATION
    # the participant sees the approved suggestion with its reasons, and decides
    page = participant.get("/me/suggestions").get_data(as_text=True)
    assert "Office cleaner" in page and "Window cleaner" not in page and FLOORS in page
    assert db.session.scalar(select(Notification).where(Notification.user_id == person.id))
    participant.post(f"/me/suggestions/{m_good.id}/answer", data={"answer": "interested"})
    assert _match(person.profile.id, good.id).status == MatchStatus.INTERESTED
    # the employer sees the candidate and invites, then offers
    page = hr.get(f"/hr/positions/{good.id}/candidates").get_data(as_text=True)
    assert person.display_name in page
    hr.post(f"/hr/matches/{m_good.id}/answer", data={"action": "invite", "message": "Tuesday 10:00?",
                                                     "position": str(good.id)})
    assert _match(person.profile.id, good.id).status == MatchStatus.INVITED
    hr.post(f"/hr/matches/{m_good.id}/answer", data={"action": "offer", "position": str(good.id)})
    assert _match(person.profile.id, good.id).status == MatchStatus.OFFERED
    page = participant.get("/me/applications").get_data(as_text=True)
    assert "Accept the offer" in page and "Tuesday 10:00?" in page
    participant.post(f"/me/applications/{m_good.id}/offer", data={"answer": "accept"})
    match = _match(person.profile.id, good.id)
    assert match.status == MatchStatus.PLACED
    placement = db.session.scalar(select(Placement).where(Placement.match_id == match.id))
    assert placement.status == PlacementStatus.PLANNED and placement.coach_id == users["coach"].id
    # the full history, who and when
    assert [e.to_status for e in match.events] == [
        MatchStatus.SUGGESTED, MatchStatus.APPROVED, MatchStatus.INTERESTED, MatchStatus.INVITED,
        MatchStatus.OFFERED, MatchStatus.PLACED]
    assert [e.actor_id for e in match.events[1:]] == [users["coach"].id, person.id, users["hr"].id,
                                                      users["hr"].id, person.id]
    # the placement: the coach starts it, the employer completes it
    assert hr.get(f"/placements/{placement.id}").status_code == 200
    # (started before its planned date and completed the same day: both confirmed, as a person would)
    coach.post(f"/placements/{placement.id}/status", data={"step": "start", "version": placement.version_id,
                                                          "confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status == PlacementStatus.ACTIVE
    hr.post(f"/placements/{placement.id}/status", data={"step": "complete", "confirmed": "1"})
    db.session.expire_all()
    placement = db.session.get(Placement, placement.id)
    assert placement.status == PlacementStatus.COMPLETED and placement.match.status == MatchStatus.COMPLETED
    due = db.session.scalars(select(Notification.user_id).where(Notification.kind == "evaluation_due")).all()
    assert set(due) == {person.id, users["coach"].id, users["hr"].id}
    # three voices, the same questions; the participant's voice does not confirm their own skills
    skill = person.profile.skills[0]
    participant.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Cleaned the offices", "skills": f"p{skill.id}", "language_at_work": "Fine",
        "what_next": "Take the cleaning course", "outcome": "job_offer"})
    db.session.expire_all()
    assert person.profile.skills[0].confirmation == SkillConfirmation.SELF_STATED
    coach.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Floors, windows", "skills": f"p{skill.id}", "other_skills": "operate a floor scrubber",
        "what_next": "- Norwegian course B1\n- Apply for the permanent post", "outcome": "job_offer"})
    hr.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "All tasks of the week", "language_at_work": "Understood instructions",
        "what_next": "", "outcome": "job_offer"})
    db.session.expire_all()
    placement = db.session.get(Placement, placement.id)
    assert {e.voice for e in placement.evaluations} == set(EvaluationVoice)
    assert placement.outcome == PlacementOutcome.JOB_OFFER
    confirmed = {s.label: s.confirmation for s in person.profile.skills}
    assert confirmed[FLOORS] == SkillConfirmation.PLACEMENT
    assert confirmed["operate a floor scrubber"] == SkillConfirmation.PLACEMENT
    steps = db.session.scalars(select(ActionPlanItem.title).where(ActionPlanItem.profile_id == person.profile.id,
                                                                  ActionPlanItem.source == ActionSource.EVALUATION))
    assert sorted(steps) == ["Apply for the permanent post", "Norwegian course B1", "Take the cleaning course"]
    plan = participant.get("/me/plan").get_data(as_text=True)
    assert "Norwegian course B1" in plan and "Take the cleaning course" in plan
    # the history, as each party may see it: the coach's review note stays with coaches
    seen_by = {who: c.get(f"/placements/{placement.id}").get_data(as_text=True)
               for who, c in (("participant", participant), ("coach", coach), ("hr", hr))}
    assert all("Placement completed" in page for page in seen_by.values())
    assert "Approved by the coach" not in seen_by["hr"] and "Approved by the coach" in seen_by["coach"]
    assert "Tuesday 10:00?" in seen_by["participant"]


def test_second_coach_gets_a_clear_conflict(users, login):
    person, good, _other = _setup(users)
    match = _match(person.profile.id, good.id)
    seen = f"{match.id}:{match.version_id}"
    first = login(users["coach"])
    first.post("/coach/review", data={"match": seen, "decision": "approve"})
    second = login(users["coach"])  # the same form, opened before the first decision
    response = second.post("/coach/review", data={"match": seen, "decision": "reject", "reason": "skills"},
                           follow_redirects=True)
    assert response.status_code == 200 and b"already reviewed by" in response.data
    assert _match(person.profile.id, good.id).status == MatchStatus.APPROVED


def test_rejection_needs_a_reason(users, login):
    person, good, _other = _setup(users)
    match = _match(person.profile.id, good.id)
    response = login(users["coach"]).post("/coach/review", data={"match": f"{match.id}:{match.version_id}",
                                                                 "decision": "reject"}, follow_redirects=True)
    assert b"Choose a reason" in response.data
    assert _match(person.profile.id, good.id).status == MatchStatus.SUGGESTED


def test_nobody_acts_on_others_matches(users, login):
    person, good, _other = _setup(users)
    match = _match(person.profile.id, good.id)
    other_coach = login(create_user(Role.COACH))
    assert other_coach.post("/coach/review", data={"match": f"{match.id}:{match.version_id}",
                                                   "decision": "approve"}).status_code == 404
    stranger = login(create_user())
    assert stranger.post(f"/me/suggestions/{match.id}/answer", data={"answer": "interested"}).status_code == 404
    other_hr = login(create_user(Role.HR, organisation=create_organisation("Other AS")))
    assert other_hr.get(f"/hr/positions/{good.id}/candidates").status_code == 404
    assert other_hr.post(f"/hr/matches/{match.id}/answer", data={"action": "offer"}).status_code == 404
    assert _match(person.profile.id, good.id).status == MatchStatus.SUGGESTED


def test_direct_application_reaches_the_employer_and_informs_the_coach(users, login):
    person, good, _other = _setup(users)
    position = create_position(users["hr"].organisation, title="Kitchen helper", required_skill=None)
    login(person).post(f"/opportunities/{position.id}/interest")
    page = login(users["hr"]).get(f"/hr/positions/{position.id}/candidates").get_data(as_text=True)
    assert person.display_name in page
    assert "Kitchen helper" in login(person).get("/me/applications").get_data(as_text=True)
    note = db.session.scalar(select(Notification).where(Notification.user_id == users["coach"].id,
                                                        Notification.kind == "interest_expressed"))
    assert note.payload["position"] == "Kitchen helper"
    notes = login(users["coach"]).get("/notifications").get_data(as_text=True)
    assert "is interested in <bdi>Kitchen helper</bdi>" in notes


def test_unreviewed_and_rejected_suggestions_stay_invisible_to_the_participant(users, login):
    person, good, other = _setup(users)
    participant = login(person)
    assert "Suggested" not in participant.get(f"/opportunities/{good.id}").get_data(as_text=True)
    m_other = _match(person.profile.id, other.id)
    login(users["coach"]).post("/coach/review", data={"match": f"{m_other.id}:{m_other.version_id}",
                                                      "decision": "reject", "reason": "skills"})
    page = participant.get(f"/opportunities/{other.id}").get_data(as_text=True)
    assert "Not suggested" not in page and "I am interested" in page  # the participant may still apply
    participant.post(f"/opportunities/{other.id}/interest")
    assert _match(person.profile.id, other.id).status == MatchStatus.INTERESTED


def test_candidate_list_shows_only_what_consent_allows(users, login):
    person, good, _other = _setup(users)
    person.profile.consent_share_on_interest = False
    db.session.commit()
    login(person).post(f"/opportunities/{good.id}/interest")
    page = login(users["hr"]).get(f"/hr/positions/{good.id}/candidates").get_data(as_text=True)
    assert "not allowed sharing" in page
    assert person.display_name not in page and FLOORS not in page


def test_participant_can_withdraw_after_an_invitation(users, login):
    person, good, _other = _setup(users)
    participant = login(person)
    participant.post(f"/opportunities/{good.id}/interest")
    match = _match(person.profile.id, good.id)
    login(users["hr"]).post(f"/hr/matches/{match.id}/answer", data={"action": "invite", "message": "Come by"})
    assert _match(person.profile.id, good.id).status == MatchStatus.INVITED
    participant.post(f"/opportunities/{good.id}/withdraw")
    assert _match(person.profile.id, good.id).status == MatchStatus.WITHDRAWN
    response = participant.post(f"/opportunities/{good.id}/withdraw", follow_redirects=True)
    assert b"Nothing changed" in response.data


def test_withdrawing_consent_keeps_the_coachs_rejections(users, login):
    person, good, other = _setup(users)
    m_other = _match(person.profile.id, other.id)
    login(users["coach"]).post("/coach/review", data={"match": f"{m_other.id}:{m_other.version_id}",
                                                      "decision": "reject", "reason": "location"})
    participant = login(person)
    participant.post("/me/profile/consent", data={"submit": "1"})
    assert _match(person.profile.id, good.id) is None  # the unreviewed suggestion went
    assert _match(person.profile.id, other.id).status == MatchStatus.REJECTED  # the rejection stays
    participant.post("/me/profile/consent", data={"consent_matching": "y"})
    assert _match(person.profile.id, other.id).status == MatchStatus.REJECTED  # and is not suggested again


def test_crafted_numbers_never_cause_a_500(users, login):
    person, good, _other = _setup(users)
    coach = login(users["coach"])
    assert coach.post("/coach/review", data={"match": "²:1", "decision": "approve"}).status_code == 302
    assert login(users["hr"]).post("/hr/matches/1/answer", data={"action": "offer", "version": "²",
                                                                  "position": "²"}).status_code in (302, 404)
    assert login(users["participant"]).get("/opportunities/?_method=POST&_external=1").status_code == 200


def test_hr_without_organisation_gets_403_not_500(login):
    orphan = create_user(Role.HR, organisation=create_organisation("Gone AS"))
    orphan.organisation_id = None
    db.session.commit()
    assert login(orphan).get("/hr/").status_code == 403


def _without_tokens(response) -> str:
    """The page without its time-signed CSRF tokens and request id (they differ between any two pages)."""
    import re

    return re.sub(r'(value|content)="[A-Za-z0-9._-]{40,}"', "", response.get_data(as_text=True))


def test_answers_about_a_non_candidate_look_like_an_unknown_match(users, login):
    """No status oracle: an HR manager answering on any pair of their own positions learns nothing about
    pairs that never became (or no longer are) candidates: the same 404 as an id that does not exist."""
    person, good, _other = _setup(users)
    match = _match(person.profile.id, good.id)
    hr = login(users["hr"])
    unknown = hr.post("/hr/matches/987654/answer", data={"action": "offer"})
    assert unknown.status_code == 404
    unknown_page = _without_tokens(unknown).replace("/hr/matches/987654/", "/hr/matches/N/")
    for status in (MatchStatus.SUGGESTED, MatchStatus.APPROVED, MatchStatus.REJECTED, MatchStatus.DECLINED,
                   MatchStatus.WITHDRAWN):
        match = _match(person.profile.id, good.id)
        match.status = status
        db.session.commit()
        response = hr.post(f"/hr/matches/{match.id}/answer", data={"action": "offer"})
        page = _without_tokens(response).replace(f"/hr/matches/{match.id}/", "/hr/matches/N/")
        assert (response.status_code, page) == (404, unknown_page), status
        assert _match(person.profile.id, good.id).status == status
    match = _match(person.profile.id, good.id)
    match.status = MatchStatus.INTERESTED
    db.session.commit()
    assert hr.post(f"/hr/matches/{match.id}/answer", data={"action": "offer"}).status_code == 302
    assert _match(person.profile.id, good.id).status == MatchStatus.OFFERED


def test_text_people_typed_is_isolated_for_direction_on_every_page_it_reaches(users, login):
    """In Arabic, a Latin message keeps its full stop at its own end (and an Arabic one in English):
    HR's message, the coach's note, a plan step, a position title inside a notification."""
    person, good, _other = _setup(users)
    person.locale = "ar"
    good.title = "Office cleaner (night)."
    db.session.commit()
    participant, hr, coach = login(person), login(users["hr"]), login(users["coach"])
    participant.post(f"/opportunities/{good.id}/interest")
    match = _match(person.profile.id, good.id)
    hr.post(f"/hr/matches/{match.id}/answer", data={"action": "invite", "message": "Coffee at ten."})
    applications = participant.get("/me/applications?lang=ar").get_data(as_text=True)
    assert "<bdi>Coffee at ten.</bdi>" in applications
    notes = participant.get("/notifications?lang=ar").get_data(as_text=True)
    assert "<bdi>Office cleaner (night).</bdi>" in notes
    participant.post("/me/plan", data={"title": "Call the office.", "detail": "Ask for Sara."})
    plan = participant.get("/me/plan").get_data(as_text=True)
    assert "<bdi>Call the office.</bdi>" in plan and 'dir="auto">Ask for Sara.' in plan
    coach.post(f"/coach/participants/{person.profile.id}/notes", data={"note-body": "مكالمة يوم الثلاثاء."})
    page = coach.get(f"/coach/participants/{person.profile.id}").get_data(as_text=True)
    assert 'dir="auto">مكالمة يوم الثلاثاء.</div>' in page
    assert "<bdi>Call the office.</bdi>" in page
