"""Autocomplete people can trust: our fields' skills first, repeated labels told apart, the chosen concept saved."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import ParticipantProfile, Position, PositionSkill
from mimi_match.vocabulary import Concept, SkillVocabulary, vocabulary

from .factories import create_field
from .test_positions import vacancy_form

PREFIX = "http://data.europa.eu/esco/skill/"
CLEAN_ROOMS = PREFIX + "7bb01a18-4637-4535-ba18-258f48f705b8"  # preferred label "clean rooms"
SERVICE_ROOMS = PREFIX + "50e2757f-ba69-46ce-98a4-a1e95051cfbe"  # "service rooms", also called "clean rooms"
FLOORS = PREFIX + "a2cd3b30-2d6c-473e-a5d4-4e7cb576babe"  # clean building floors


def suggestions(client, q: str) -> list[dict]:
    return client.get("/api/skills", query_string={"q": q}).get_json()["results"]


@pytest.fixture
def me(users, login):
    return login(users["participant"])


@pytest.fixture
def hr(users, login):
    return login(users["hr"])


# --- ranking and hints ----------------------------------------------------------------------------

def test_laund_offers_a_laundry_skill_of_our_fields_first(me):
    results = suggestions(me, "laund")
    assert "laundry" in results[0]["label"] and results[0]["fields"], results[0]
    assert "money" not in results[0]["label"]
    # the skills of our occupational fields come before the rest of ESCO
    ours = [bool(r["fields"]) for r in results]
    assert ours == sorted(ours, reverse=True)


def test_field_skills_first_in_my_language_too(me):
    me.post("/language", data={"locale": "nb"})
    results = suggestions(me, "vask")
    assert results and results[0]["fields"] and results[0]["language"] == "nb"


def test_repeated_labels_come_with_hints_that_tell_them_apart(me):
    results = suggestions(me, "clean rooms")
    rooms = [r for r in results if r["label"] == "clean rooms"]
    assert [r["uri"] for r in rooms] == [CLEAN_ROOMS, SERVICE_ROOMS]  # the concept of that name first
    hints = [r["hint"] for r in rooms]
    assert all(hints) and len(set(hints)) == 2 and "clean rooms" not in hints
    assert rooms[1]["hint"] == "service rooms"  # its own name
    # labels that do not repeat need no hint
    assert all(r["hint"] == "" for r in suggestions(me, "laund"))


def test_hint_falls_back_to_fields_then_other_labels():
    vocab = SkillVocabulary(
        [Concept("u:a", {"en": ("wash cars", "car wash")}), Concept("u:b", {"en": ("wash cars", "clean vehicles")}),
         Concept("u:c", {"en": ("wash cars",)}), Concept("u:d", {"en": ("washing machines",)})],
        fields={"u:b": ("auto",)}, field_names={"auto": {"en": "Mechanics", "nb": "Mekanikk"}})
    results = vocab.search("wash", "nb")
    assert [s.uri for s in results][0] == "u:b"  # a skill of one of our fields first
    by_uri = {s.uri: s for s in results}
    assert by_uri["u:b"].hint == "Mekanikk" and by_uri["u:b"].fields == ("Mekanikk",)
    assert by_uri["u:a"].hint == "car wash"  # no field: another of its labels
    assert by_uri["u:c"].hint == ""  # nothing else to tell: left as it is, still a separate suggestion
    assert by_uri["u:d"].hint == ""  # its label does not repeat


def test_a_typed_label_resolves_to_the_concept_it_names():
    assert vocabulary().resolve("clean rooms", "en") == CLEAN_ROOMS
    assert vocabulary().resolve("service rooms", "en") == SERVICE_ROOMS
    assert vocabulary().has_label(SERVICE_ROOMS, "Clean Rooms")
    assert not vocabulary().has_label(FLOORS, "clean rooms")


def test_the_skill_forms_carry_the_hidden_choice_field(me, hr):
    assert 'name="skill_concepts"' in me.get("/me/profile/skills").get_data(as_text=True)
    assert 'name="skill_concepts"' in hr.get("/hr/positions/new").get_data(as_text=True)


# --- the chosen concept is the one saved ------------------------------------------------------------

def _second_clean_rooms(client) -> dict:
    rooms = [r for r in suggestions(client, "clean roo") if r["label"] == "clean rooms"]
    assert len(rooms) == 2
    return rooms[1]


def _profile(users) -> ParticipantProfile:
    db.session.expire_all()
    return db.session.get(ParticipantProfile, users["participant"].profile.id)


def test_a_participant_saves_the_suggestion_chosen(me, users):
    chosen = _second_clean_rooms(me)
    assert chosen["uri"] == SERVICE_ROOMS
    response = me.post("/me/profile/skills", data={
        "skills": "clean rooms\nbaking bread", "skill_concepts": json.dumps({chosen["label"]: chosen["uri"]})})
    assert response.status_code == 302
    skills = {s.label: s.concept_uri for s in _profile(users).skills}
    assert skills == {"clean rooms": SERVICE_ROOMS, "baking bread": None}


def test_a_participant_typing_without_choosing_gets_the_concept_of_that_name(me, users):
    me.post("/me/profile/skills", data={"skills": "clean rooms", "skill_concepts": ""})
    assert [s.concept_uri for s in _profile(users).skills] == [CLEAN_ROOMS]


def test_an_hr_manager_saves_the_suggestion_chosen(hr):
    field = create_field(name="Cleaning")
    chosen = _second_clean_rooms(hr)
    response = hr.post("/hr/positions/new", data=vacancy_form(
        field.id, required_skills="clean rooms\nclean building floors", nice_skills="be friendly",
        skill_concepts=json.dumps({"Clean Rooms": chosen["uri"]})))  # the case of the key does not matter
    assert response.status_code == 302
    position = db.session.scalar(select(Position))
    assert {s.label: s.concept_uri for s in position.skills} == {
        "clean rooms": SERVICE_ROOMS, "clean building floors": FLOORS, "be friendly": None}

    # editing: choosing the other "clean rooms" for the same line changes its concept; the rest stays
    response = hr.post(f"/hr/positions/{position.id}/edit", data=vacancy_form(
        field.id, required_skills="clean rooms\nclean building floors", nice_skills="be friendly",
        skill_concepts=json.dumps({"clean rooms": CLEAN_ROOMS}), version_id=str(position.version_id)))
    assert response.status_code == 302
    db.session.expire_all()
    skills = db.session.scalars(select(PositionSkill).where(PositionSkill.position_id == position.id)).all()
    assert {s.label: s.concept_uri for s in skills}["clean rooms"] == CLEAN_ROOMS

    # and an edit without a choice keeps the concept a line has
    hr.post(f"/hr/positions/{position.id}/edit", data=vacancy_form(
        field.id, required_skills="clean rooms\nclean building floors", nice_skills="be friendly",
        version_id=str(db.session.get(Position, position.id).version_id)))
    db.session.expire_all()
    assert db.session.scalar(select(PositionSkill.concept_uri).where(
        PositionSkill.position_id == position.id, PositionSkill.label == "clean rooms")) == CLEAN_ROOMS


TAMPERED = [
    {"clean rooms": PREFIX + "00000000-0000-0000-0000-000000000000"},  # no such concept
    {"clean rooms": FLOORS},  # a real concept, but "clean rooms" is none of its labels
    {"clean rooms": "javascript:alert(1)"},
]


@pytest.mark.parametrize("choice", TAMPERED)
def test_a_tampered_choice_is_refused_and_changes_nothing_for_a_participant(me, users, choice):
    response = me.post("/me/profile/skills", data={"skills": "clean rooms\nbaking bread",
                                                   "skill_concepts": json.dumps(choice)})
    assert response.status_code == 200
    assert "We could not check the skill you chose for “clean rooms”" in response.get_data(as_text=True)
    assert _profile(users).skills == []


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", json.dumps({"clean rooms": 5})])
def test_an_unreadable_choice_field_is_refused_and_changes_nothing(me, users, raw):
    response = me.post("/me/profile/skills", data={"skills": "clean rooms", "skill_concepts": raw})
    assert response.status_code == 200
    assert "could not be read" in response.get_data(as_text=True)
    assert _profile(users).skills == []


@pytest.mark.parametrize("choice", TAMPERED)
def test_a_tampered_choice_is_refused_and_changes_nothing_for_a_position(hr, choice):
    field = create_field(name="Cleaning")
    response = hr.post("/hr/positions/new", data=vacancy_form(
        field.id, required_skills="clean rooms", skill_concepts=json.dumps(choice)))
    assert response.status_code == 200
    assert "We could not check the skill you chose for “clean rooms”" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Position)) == 0

    hr.post("/hr/positions/new", data=vacancy_form(field.id, required_skills="clean rooms"))
    position = db.session.scalar(select(Position))
    response = hr.post(f"/hr/positions/{position.id}/edit", data=vacancy_form(
        field.id, title="Changed title", required_skills="clean rooms", skill_concepts=json.dumps(choice),
        version_id=str(position.version_id)))
    assert "We could not check the skill you chose" in response.get_data(as_text=True)
    db.session.expire_all()
    position = db.session.get(Position, position.id)
    assert position.title != "Changed title"
    assert [s.concept_uri for s in position.skills] == [CLEAN_ROOMS]
    response = hr.post(f"/hr/positions/{position.id}/edit", data=vacancy_form(
        field.id, required_skills="clean rooms", skill_concepts="{oops", version_id=str(position.version_id)))
    assert "could not be read" in response.get_data(as_text=True)
