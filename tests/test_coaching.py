"""Coaches work their caseload; the action plan; competence checks; assignments; HR sees only what consent
allows. Every relationship rule is tested: own / other participant, my / other coach's caseload, consent."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.models import (
    ActionPlanItem,
    ActionSource,
    ActionStatus,
    AuditEntry,
    CEFRLevel,
    CoachNote,
    CompetenceCheck,
    Match,
    MatchStatus,
    ParticipantLanguage,
    ParticipantSkill,
    Role,
    SkillConfirmation,
)
from mimi_match.services import matching
from mimi_match.vocabulary import vocabulary

from .factories import create_organisation, create_position, create_user


@pytest.fixture
def caseload(users):
    """Two participants of the coach (one overdue, one with a suggestion) and one of another coach."""
    coach = users["coach"]
    mine, second = users["participant"], create_user(display_name="Zainab Q.")
    other_coach = create_user(Role.COACH)
    theirs = create_user(display_name="Not yours")
    for participant, owner in ((mine, coach), (second, coach), (theirs, other_coach)):
        participant.profile.coach_id = owner.id
    mine.profile.skills.append(ParticipantSkill(label="cooking"))
    db.session.add(ActionPlanItem(profile_id=mine.profile.id, title="Apply for recognition",
                                  due_date=date.today() - timedelta(days=3)))
    position = create_position(create_organisation())
    # the model suggests the position to the second participant, who agreed to matching and has its skill
    second.profile.consent_matching = True
    second.profile.skills.append(ParticipantSkill(label="clean building floors",
                                                  concept_uri=vocabulary().resolve("clean building floors")))
    db.session.commit()
    matching.rebuild()
    assert [m.profile_id for m in db.session.scalars(select(Match).where(Match.status == MatchStatus.SUGGESTED))] \
        == [second.profile.id]
    return dict(mine=mine, second=second, theirs=theirs, other_coach=other_coach, position=position)


def test_caseload_shows_signals_and_only_my_participants(login, users, caseload):
    html = login(users["coach"]).get("/coach/").get_data(as_text=True)
    assert users["participant"].display_name in html and "Zainab Q." in html and "Not yours" not in html
    assert "2 participants are assigned to you" in html
    assert '<span class="badge text-bg-danger">1</span>' in html  # an overdue step
    assert '<span class="badge text-bg-warning">1</span>' in html  # a suggestion to review


def test_caseload_search_and_sort(login, users, caseload):
    coach = login(users["coach"])
    html = coach.get("/coach/?q=zain").get_data(as_text=True)
    assert "Zainab Q." in html and users["participant"].display_name not in html
    # the order of the table (the "needs me today" panel above it names people too)
    html = coach.get("/coach/?sort=review").get_data(as_text=True).partition("<table")[2]
    assert html.index("Zainab Q.") < html.index(users["participant"].display_name)
    html = coach.get("/coach/?sort=overdue").get_data(as_text=True).partition("<table")[2]
    assert html.index(users["participant"].display_name) < html.index("Zainab Q.")


def test_participant_page_is_audited_and_limited_to_my_caseload(login, users, caseload):
    coach = login(users["coach"])
    assert coach.get(f"/coach/participants/{caseload['mine'].profile.id}").status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "profile_viewed"))
    assert entry.actor_id == users["coach"].id and entry.subject_user_id == caseload["mine"].id
    assert coach.get(f"/coach/participants/{caseload['theirs'].profile.id}").status_code == 404
    assert coach.post(f"/coach/participants/{caseload['theirs'].profile.id}/notes",
                      data={"note-body": "x"}).status_code == 404


def test_notes_are_private(login, users, caseload):
    coach = login(users["coach"])
    profile_id = caseload["mine"].profile.id
    coach.post(f"/coach/participants/{profile_id}/notes", data={"note-body": "Worried about housing"})
    note = db.session.scalar(select(CoachNote))
    assert note.body == "Worried about housing" and note.author_id == users["coach"].id
    assert "Worried about housing" in coach.get(f"/coach/participants/{profile_id}").get_data(as_text=True)
    # no note text in the audit log
    details = " ".join(str(e.detail) + e.target for e in db.session.scalars(select(AuditEntry)))
    assert "housing" not in details
    # the participant's coach only: not the other coach, not the admin, not HR, not the participant's pages
    assert login(caseload["other_coach"]).get(f"/coach/participants/{profile_id}").status_code == 404
    for role in ("admin", "hr"):
        client = login(users[role])
        for path in ("/admin/assignments", "/hr/talent", f"/coach/participants/{profile_id}"):
            assert "Worried about housing" not in client.get(path).get_data(as_text=True)


def test_competence_check_confirms_the_skill(login, users, caseload):
    coach = login(users["coach"])
    profile = caseload["mine"].profile
    skill = profile.skills[0]
    response = coach.post(f"/coach/participants/{profile.id}/checks", data={
        "check-skill_id": str(skill.id), "check-expert_name": "Chef Ole Hansen", "check-method": "practical",
        "check-result": "confirmed", "check-joint_assessment": "Cooked a full lunch for 20 people.",
        "check-checked_on": date.today().isoformat()})
    assert response.status_code == 302
    db.session.refresh(skill)
    assert skill.confirmation == SkillConfirmation.COMPETENCE_CHECK and skill.confirmed_by_id == users["coach"].id
    check = db.session.scalar(select(CompetenceCheck))
    assert check.expert_name == "Chef Ole Hansen" and check.skill_id == skill.id
    # the participant sees it as confirmed
    html = login(caseload["mine"]).get("/me/profile/skills").get_data(as_text=True)
    assert "confirmed in a competence check" in html


def test_competence_check_for_a_new_skill_partly_shown(login, users, caseload):
    coach = login(users["coach"])
    profile = caseload["mine"].profile
    coach.post(f"/coach/participants/{profile.id}/checks", data={
        "check-skill_id": "0", "check-new_skill": "clean building floors", "check-expert_name": "Expert",
        "check-method": "interview", "check-result": "partly", "check-joint_assessment": "Needs practice.",
        "check-checked_on": date.today().isoformat()})
    db.session.refresh(profile)
    new = [s for s in profile.skills if s.label == "clean building floors"][0]
    assert new.concept_uri and new.confirmation == SkillConfirmation.SELF_STATED  # partly: not confirmed


@pytest.mark.parametrize("data, message", [
    ({"check-skill_id": "0"}, b"Choose the skill"),
    ({"check-checked_on": (date.today() + timedelta(days=2)).isoformat()}, b"cannot be in the future"),
    ({"check-result": "excellent"}, b"Not a valid choice"),
])
def test_competence_check_bad_input(login, users, caseload, data, message):
    profile = caseload["mine"].profile
    form = {"check-skill_id": str(profile.skills[0].id), "check-expert_name": "E", "check-method": "interview",
            "check-result": "confirmed", "check-joint_assessment": "ok", "check-checked_on": date.today().isoformat()}
    form.update(data)
    response = login(users["coach"]).post(f"/coach/participants/{profile.id}/checks", data=form)
    assert response.status_code == 200 and message in response.data
    assert db.session.scalar(select(CompetenceCheck)) is None


def test_action_plan_shared_between_participant_and_coach(login, users, caseload):
    participant, coach = login(caseload["mine"]), login(users["coach"])
    profile_id = caseload["mine"].profile.id
    participant.post("/me/plan", data={"title": "Finish the B1 course", "due_date": "2027-01-31"})
    coach.post(f"/coach/participants/{profile_id}/plan", data={"item-title": "Bring your diploma"})
    items = {i.title: i for i in db.session.scalars(select(ActionPlanItem).where(
        ActionPlanItem.profile_id == profile_id))}
    assert items["Finish the B1 course"].source == ActionSource.OWN
    assert items["Bring your diploma"].source == ActionSource.COACH
    assert "Bring your diploma" in participant.get("/me/plan").get_data(as_text=True)
    participant.post(f"/me/plan/{items['Bring your diploma'].id}/status", data={"status": "done"})
    db.session.refresh(items["Bring your diploma"])
    assert items["Bring your diploma"].status == ActionStatus.DONE and items["Bring your diploma"].completed_at
    # a coach may remove only what they added
    coach.post(f"/coach/participants/{profile_id}/plan/{items['Finish the B1 course'].id}/remove",
               follow_redirects=True)
    assert db.session.get(ActionPlanItem, items["Finish the B1 course"].id) is not None


def test_plan_is_private_to_its_participant_and_coach(login, users, caseload):
    item = ActionPlanItem(profile_id=caseload["theirs"].profile.id, title="Their step")
    db.session.add(item)
    db.session.commit()
    assert login(caseload["mine"]).post(f"/me/plan/{item.id}/status", data={"status": "done"}).status_code == 404
    assert login(users["coach"]).post(
        f"/coach/participants/{caseload['theirs'].profile.id}/plan/{item.id}/status",
        data={"status": "done"}).status_code == 404
    db.session.refresh(item)
    assert item.status == ActionStatus.OPEN


def test_gap_from_a_position_becomes_a_plan_step(login, users, caseload):
    participant = caseload["mine"]
    db.session.add(ParticipantLanguage(profile_id=participant.profile.id, language="nb", level=CEFRLevel.A2))
    position = create_position(create_organisation("Kitchen AS"), required_skill="clean building floors",
                               host_language_level=CEFRLevel.B1)
    client = login(participant)
    html = client.get(f"/opportunities/{position.id}").get_data(as_text=True)
    assert "What you could still learn" in html and "clean building floors" in html and "level B1" in html
    client.post("/me/plan/from-gap", data={"kind": "skill", "value": "clean building floors",
                                           "back": f"/opportunities/{position.id}"})
    client.post("/me/plan/from-gap", data={"kind": "language", "value": "B1"})
    sources = {i.source for i in db.session.scalars(select(ActionPlanItem).where(
        ActionPlanItem.profile_id == participant.profile.id))}
    assert {ActionSource.SKILL_GAP, ActionSource.LANGUAGE_GAP} <= sources


def test_take_an_unassigned_participant(login, users):
    waiting = create_user(display_name="Waiting W.")
    coach = login(users["coach"])
    assert "Waiting W." in coach.get("/coach/unassigned").get_data(as_text=True)
    coach.post(f"/coach/unassigned/{waiting.profile.id}/take")
    db.session.refresh(waiting.profile)
    assert waiting.profile.coach_id == users["coach"].id
    # a second coach cannot take them away
    other = login(create_user(Role.COACH))
    response = other.post(f"/coach/unassigned/{waiting.profile.id}/take", follow_redirects=True)
    assert b"already taken" in response.data
    db.session.refresh(waiting.profile)
    assert waiting.profile.coach_id == users["coach"].id


def test_admin_assigns_coaches(login, users):
    participant = users["participant"]
    admin = login(users["admin"])
    assert participant.display_name in admin.get("/admin/assignments?unassigned=1").get_data(as_text=True)
    admin.post(f"/admin/assignments/{participant.profile.id}", data={"coach_id": str(users["coach"].id)})
    db.session.refresh(participant.profile)
    assert participant.profile.coach_id == users["coach"].id
    response = admin.post(f"/admin/assignments/{participant.profile.id}", data={"coach_id": str(users["hr"].id)},
                          follow_redirects=True)
    assert b"Choose an active coach" in response.data
    db.session.refresh(participant.profile)
    assert participant.profile.coach_id == users["coach"].id


# --- what HR may see ---------------------------------------------------------------------------

FORKLIFT = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"  # operate forklift


def test_talent_cards_are_anonymous_and_need_consent(login, users):
    findable = create_user(display_name="Findable Person")
    findable.profile.consent_findable = True
    findable.profile.skills.append(ParticipantSkill(label="truck things", concept_uri=FORKLIFT))
    hidden = create_user(display_name="Hidden Person")
    hidden.profile.skills.append(ParticipantSkill(label="secret welding", concept_uri=FORKLIFT))
    db.session.commit()
    html = login(users["hr"]).get("/hr/talent").get_data(as_text=True)
    assert "operate forklift" in html and "truck things" not in html
    assert html.count("operate forklift") == 1  # the hidden person's card is not there
    assert "Findable Person" not in html and findable.email not in html
    found = login(users["hr"]).get("/hr/talent?skill=forklift").get_data(as_text=True)
    assert "operate forklift" in found


def test_blind_cards_hold_no_free_text_from_anyone(login, users):
    """Words a participant, a coach or another employer typed (a name, a town) never reach a card, and a
    talent search cannot find a card by them."""
    from mimi_match.models import CEFRLevel, ParticipantLanguage

    person = create_user(display_name="Bashir")
    person.profile.consent_findable = True
    person.profile.region = "Oslo"
    person.profile.skills.append(ParticipantSkill(label="forklift, learned in Aleppo", concept_uri=FORKLIFT))
    person.profile.skills.append(ParticipantSkill(label="helped Bashir from Aleppo"))  # no concept: typed only
    person.profile.languages.append(ParticipantLanguage(language="ar", level=CEFRLevel.C2))
    person.profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.A2))
    db.session.commit()
    hr = login(users["hr"])
    html = hr.get("/hr/talent").get_data(as_text=True)
    assert "operate forklift" in html and "A2" in html
    assert "Aleppo" not in html and "Bashir" not in html
    words = set(re.findall(r"[A-Za-z0-9]+", re.sub(r'value="[^"]*"', "", html)))  # tokens hold any letters
    assert "C2" not in words and "Arabic" not in words  # first languages hint at origin: not on the card
    assert "operate forklift" not in hr.get("/hr/talent?skill=aleppo").get_data(as_text=True)
    assert "operate forklift" not in hr.get("/hr/talent?skill=bashir").get_data(as_text=True)


def test_card_references_differ_between_organisations_and_can_be_rotated(login, users):
    import re

    person = create_user()
    person.profile.consent_findable = True
    person.profile.skills.append(ParticipantSkill(label="forklift", concept_uri=FORKLIFT))
    db.session.commit()

    def reference(client) -> str:
        found = re.findall(r"Candidate ([0-9A-F]{10})", client.get("/hr/talent").get_data(as_text=True))
        assert len(found) == 1
        return found[0]

    ours = login(users["hr"])
    theirs = login(create_user(Role.HR, organisation=create_organisation("Other employer")))
    first = reference(ours)
    assert first == reference(ours)  # stable while nobody rotates
    assert reference(theirs) != first
    other_before = reference(theirs)
    assert ours.post("/hr/talent/references").status_code == 302
    assert reference(ours) != first
    assert reference(theirs) == other_before  # only our own references changed


def test_candidate_profile_only_after_interest_in_own_position_and_with_consent(login, users):
    participant = users["participant"]
    participant.profile.consent_share_on_interest = True
    participant.profile.skills.append(ParticipantSkill(label="baking"))
    db.session.commit()
    hr = login(users["hr"])
    path = f"/hr/candidates/{participant.profile.id}"
    assert hr.get(path).status_code == 404  # no interest yet
    other_position = create_position(create_organisation("Other AS"))
    login(participant).post(f"/opportunities/{other_position.id}/interest")
    assert hr.get(path).status_code == 404  # interested, but in another organisation's position
    own = create_position(users["hr"].organisation, title="Baker")
    login(participant).post(f"/opportunities/{own.id}/interest")
    response = hr.get(path)
    assert response.status_code == 200 and b"baking" in response.data and b"Baker" in response.data
    participant.profile.consent_share_on_interest = False
    db.session.commit()
    assert hr.get(path).status_code == 404  # consent withdrawn: at once
    login(participant).post(f"/opportunities/{own.id}/withdraw")
    participant.profile.consent_share_on_interest = True
    db.session.commit()
    assert hr.get(path).status_code == 404  # interest withdrawn
