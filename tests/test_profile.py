"""A participant builds a profile step by step through the forms, and controls consent."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.models import (
    AuditEntry,
    ConsentEvent,
    ConsentKind,
    Match,
    MatchStatus,
    ParticipantProfile,
    SkillConfirmation,
)

from .factories import create_field, create_organisation, create_position, create_user


@pytest.fixture
def me(users, login):
    return login(users["participant"])


def profile_of(users) -> ParticipantProfile:
    db.session.expire_all()
    return db.session.get(ParticipantProfile, users["participant"].profile.id)


def test_empty_profile_points_to_first_step(me):
    html = me.get("/me/").get_data(as_text=True)
    assert "0% complete" in html and "Add your skills" in html


def test_build_a_complete_profile_through_the_steps(me, users):
    care = create_field("care", "Elderly care")
    kitchen = create_field("kitchen", "Hospitality")
    # 1. skills: a vocabulary label becomes a concept, other words stay as typed
    response = me.post("/me/profile/skills", data={"skills": "clean building floors\nbaking bread\nhelping elderly",
                                                   "continue": "1"})
    assert response.headers["Location"].endswith("/me/profile/experience")
    skills = profile_of(users).skills
    assert [s.label for s in skills] == ["clean building floors", "baking bread", "helping elderly"]
    assert skills[0].concept_uri and skills[1].concept_uri is None
    assert all(s.confirmation == SkillConfirmation.SELF_STATED for s in skills)
    # 2. work and school
    me.post("/me/profile/experience", data={"work-title": "cook", "work-place": "Aleppo", "work-months": "36",
                                            "work-submit": "1"})
    me.post("/me/profile/experience", data={"school-title": "nursing school", "school-institution": "Kyiv",
                                            "school-recognition": "in_process", "school-submit": "1"})
    profile = profile_of(users)
    assert profile.experiences[0].months == 36 and profile.educations[0].recognition.value == "in_process"
    # 3. languages, the local one first
    page = me.get("/me/profile/languages").get_data(as_text=True)
    assert "Please tell us first how well you speak" in page
    me.post("/me/profile/languages", data={"language": "nb", "level": "A2"})
    me.post("/me/profile/languages", data={"language": "ar", "level": "C2"})
    me.post("/me/profile/languages", data={"language": "nb", "level": "B1"})  # change the level
    assert {(lang.language, lang.level.value) for lang in profile_of(users).languages} == {("nb", "B1"),
                                                                                           ("ar", "C2")}
    # 4. wishes, in order
    me.post("/me/profile/wishes", data={"first": str(kitchen.id), "second": str(care.id), "third": "0",
                                        "wish_text": "I want to cook", "kinds": "micro_internship"})
    profile = profile_of(users)
    assert [(d.rank, d.field_id) for d in profile.desired_fields] == [(1, kitchen.id), (2, care.id)]
    # reorder: ranks are rewritten without clashing with the unique (profile, rank)
    me.post("/me/profile/wishes", data={"first": str(care.id), "second": str(kitchen.id), "third": "0",
                                        "wish_text": "", "kinds": "both"})
    assert [d.field_id for d in profile_of(users).desired_fields] == [care.id, kitchen.id]
    # 5. where and when
    me.post("/me/profile/availability", data={"region": "Oslo", "travel_km": "30", "remote_ok": "y",
                                              "available_from": (date.today() + timedelta(days=7)).isoformat(),
                                              "hours_per_week": "30"})
    # 6. consent
    me.post("/me/profile/consent", data={"consent_matching": "y", "consent_share_on_interest": "y"})
    profile = profile_of(users)
    assert profile.region == "Oslo" and profile.remote_ok and profile.consent_matching
    assert not profile.consent_findable
    html = me.get("/me/").get_data(as_text=True)
    assert "100% complete" in html and "Your profile is complete" in html


@pytest.mark.parametrize("path, data, message", [
    ("/me/profile/skills", {"skills": ""}, b"Write at least one skill"),
    ("/me/profile/experience", {"work-title": "", "work-submit": "1"}, b"This field is required"),
    ("/me/profile/experience", {"work-title": "cook", "work-months": "9999", "work-submit": "1"},
     b"between 0 and 600"),
    ("/me/profile/languages", {"language": "nb", "level": "Z9"}, b"Not a valid choice"),
    ("/me/profile/wishes", {"first": "424242", "kinds": "both"}, b"Not a valid choice"),
    ("/me/profile/availability", {"hours_per_week": "100"}, b"between 1 and 60"),
])
def test_bad_input_gets_a_message_and_changes_nothing(me, users, path, data, message):
    before = profile_of(users).version_id
    response = me.post(path, data=data)
    assert response.status_code == 200 and message in response.data
    profile = profile_of(users)
    assert profile.version_id == before
    assert not profile.skills and not profile.experiences and not profile.languages and not profile.desired_fields


def test_same_field_twice_counts_once(me, users):
    care = create_field("care", "Elderly care")
    me.post("/me/profile/wishes", data={"first": str(care.id), "second": str(care.id), "kinds": "both"})
    assert [d.rank for d in profile_of(users).desired_fields] == [1]


def test_remove_skill_language_and_items(me, users):
    me.post("/me/profile/skills", data={"skills": "cooking, cleaning"})
    me.post("/me/profile/languages", data={"language": "nb", "level": "A2"})
    me.post("/me/profile/experience", data={"work-title": "cook", "work-submit": "1"})
    profile = profile_of(users)
    me.post(f"/me/profile/skills/{profile.skills[0].id}/remove")
    me.post("/me/profile/languages/nb/remove")
    me.post(f"/me/profile/experience/{profile.experiences[0].id}/remove")
    profile = profile_of(users)
    assert [s.label for s in profile.skills] == ["cleaning"] and not profile.languages and not profile.experiences


def test_cannot_touch_another_participants_items(me, users):
    other = create_user()
    other.profile.skills.append(__import__("mimi_match.models", fromlist=["ParticipantSkill"])
                                .ParticipantSkill(label="secret"))
    db.session.commit()
    skill_id = other.profile.skills[0].id
    assert me.post(f"/me/profile/skills/{skill_id}/remove").status_code == 404
    db.session.refresh(other.profile)
    assert [s.label for s in other.profile.skills] == ["secret"]


def test_never_asks_for_protected_characteristics(me):
    pages = "".join(me.get(f"/me/profile/{step}").get_data(as_text=True).lower()
                    for step in ("skills", "experience", "languages", "wishes", "availability", "consent"))
    for word in ("nationality", "religion", "ethnic", "gender", "date of birth", "health", "birthday"):
        assert f'name="{word}' not in pages and f"{word}:" not in pages
    assert not hasattr(ParticipantProfile, "nationality") and not hasattr(ParticipantProfile, "gender")


def test_consent_changes_are_recorded_and_audited(me, users):
    me.post("/me/profile/consent", data={"consent_matching": "y"})
    me.post("/me/profile/consent", data={"submit": "1"})  # a browser sends the button, no boxes
    events = db.session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
    assert [(e.kind, e.granted) for e in events] == [(ConsentKind.MATCHING, True), (ConsentKind.MATCHING, False)]
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "consent_changed")).all()) == 2


def test_withdrawing_matching_consent_removes_suggestions_at_once(me, users):
    profile = users["participant"].profile
    me.post("/me/profile/consent", data={"consent_matching": "y"})
    org = create_organisation()
    suggested = create_position(org, title="Suggested")
    chosen = create_position(org, title="Chosen")
    db.session.add_all([Match(profile_id=profile.id, position_id=suggested.id, status=MatchStatus.SUGGESTED),
                        Match(profile_id=profile.id, position_id=chosen.id, status=MatchStatus.INTERESTED)])
    db.session.commit()
    me.post("/me/profile/consent", data={"submit": "1"})  # a browser sends the button, no boxes
    remaining = db.session.scalars(select(Match)).all()
    assert [m.position_id for m in remaining] == [chosen.id]  # the participant's own step stays


@pytest.mark.parametrize("locale", ["ar", "nb", "uk"])
def test_steps_render_in_other_languages(me, locale):
    me.post("/language", data={"locale": locale})
    for step in ("skills", "experience", "languages", "wishes", "availability", "consent"):
        response = me.get(f"/me/profile/{step}")
        assert response.status_code == 200 and f'lang="{locale}"' in response.get_data(as_text=True)
