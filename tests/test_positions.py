"""HR managers: create, edit, preview, publish, close, reopen and duplicate positions through the forms."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import Organisation, Position, PositionKind, PositionStatus, Role

from .factories import create_field, create_organisation, create_position, create_user

SOON = date.today() + timedelta(days=20)
LATER = date.today() + timedelta(days=40)


def vacancy_form(field_pk: int, **overrides) -> dict:
    data = {
        "kind": "vacancy", "title": "Kitchen assistant, lunch shifts", "field_id": str(field_pk),
        "description": "You help the cooks prepare lunch for 200 guests.",
        "required_skills": "clean building floors\nfollow hygiene rules in the kitchen",
        "nice_skills": "", "host_language_level": "A2", "location": "Skien", "region": "Vestfold og Telemark",
        "hours_per_week": "30", "contract_type": "temporary", "start_date": LATER.isoformat(),
        "openings": "2", "application_deadline": SOON.isoformat(),
    }
    data.update(overrides)
    return data


def micro_form(field_pk: int, **overrides) -> dict:
    data = vacancy_form(field_pk, kind="micro_internship", title="Micro-internship in the kitchen",
                        contract_type="", duration_weeks="4", purpose="discover_trade",
                        contact_person="Ola Nordmann", learning_content="Cutting vegetables, hygiene.",
                        participants_at_once="2")
    data.update(overrides)
    return data


@pytest.fixture
def hr(users, login):
    return login(users["hr"])


@pytest.fixture
def field():
    return create_field(name="Hospitality & cooking")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Position))


def test_create_vacancy_as_draft_then_publish(hr, users, field, client):
    response = hr.post("/hr/positions/new", data=vacancy_form(field.id))
    assert response.status_code == 302
    position = db.session.scalar(select(Position))
    assert position.status == PositionStatus.DRAFT
    assert position.organisation_id == users["hr"].organisation_id
    assert [s.label for s in position.required_skills] == ["clean building floors",
                                                            "follow hygiene rules in the kitchen"]
    # a vocabulary label becomes a concept, free text stays free text
    assert position.required_skills[0].concept_uri.startswith("http://data.europa.eu/esco/skill/")
    assert position.required_skills[1].concept_uri is None
    # drafts are invisible to participants
    assert client.get(f"/opportunities/{position.id}").status_code == 404
    preview = hr.get(f"/hr/positions/{position.id}")
    assert b"Kitchen assistant" in preview.data and b"Publish" in preview.data
    assert hr.post(f"/hr/positions/{position.id}/publish").status_code == 302
    db.session.refresh(position)
    assert position.status == PositionStatus.OPEN and position.published_at is not None
    assert client.get(f"/opportunities/{position.id}").status_code == 200


def test_create_micro_internship(hr, field):
    response = hr.post("/hr/positions/new", data=micro_form(field.id))
    assert response.status_code == 302
    position = db.session.scalar(select(Position))
    assert position.kind == PositionKind.MICRO_INTERNSHIP
    assert position.duration_weeks == 4 and position.contract_type is None
    assert position.purpose.value == "discover_trade" and position.participants_at_once == 2


@pytest.mark.parametrize("overrides, field_name, message", [
    ({"required_skills": ""}, "required_skills", b"at least one required skill"),
    ({"openings": "0"}, "openings", b"Number must be between 1 and 500"),
    ({"title": ""}, "title", b"This field is required"),
    ({"application_deadline": (LATER + timedelta(days=5)).isoformat()}, "application_deadline",
     b"on or before the start date"),
    ({"application_deadline": (date.today() - timedelta(days=1)).isoformat()}, "application_deadline",
     b"cannot be in the past"),
    ({"contract_type": ""}, "contract_type", b"Choose the kind of contract"),
    ({"hours_per_week": "90"}, "hours_per_week", b"between 1 and 60"),
    ({"field_id": "99999"}, "field_id", b"Not a valid choice"),
])
def test_vacancy_validation_changes_nothing(hr, field, overrides, field_name, message):
    response = hr.post("/hr/positions/new", data=vacancy_form(field.id, **overrides))
    assert response.status_code == 200
    html = response.data
    assert message in html
    assert f'id="{field_name}-error"'.encode() in html  # the message sits next to its field
    assert _count() == 0


@pytest.mark.parametrize("overrides, message", [
    ({"duration_weeks": "13"}, b"between 1 and 12"),
    ({"duration_weeks": "0"}, b"between 1 and 12"),
    ({"duration_weeks": ""}, b"Needed for a micro-internship"),
    ({"contact_person": ""}, b"Needed for a micro-internship"),
])
def test_micro_internship_validation(hr, field, overrides, message):
    response = hr.post("/hr/positions/new", data=micro_form(field.id, **overrides))
    assert response.status_code == 200 and message in response.data
    assert _count() == 0


def test_edit_keeps_concepts_and_checks_version(hr, users, field):
    position = create_position(users["hr"].organisation, field, status=PositionStatus.DRAFT)
    page = hr.get(f"/hr/positions/{position.id}/edit")
    assert b"clean building floors" in page.data
    data = vacancy_form(field.id, title="Dishwasher", version_id=str(position.version_id))
    assert hr.post(f"/hr/positions/{position.id}/edit", data=data).status_code == 302
    db.session.refresh(position)
    assert position.title == "Dishwasher" and position.version_id == 2
    # a form opened before that save is refused, not silently applied
    stale = vacancy_form(field.id, title="Stale title", version_id="1")
    response = hr.post(f"/hr/positions/{position.id}/edit", data=stale)
    assert response.status_code == 200 and b"Someone else changed this position" in response.data
    db.session.refresh(position)
    assert position.title == "Dishwasher"


def test_close_reopen_and_fill(hr, users, field):
    position = create_position(users["hr"].organisation, field, application_deadline=SOON)
    hr.post(f"/hr/positions/{position.id}/close")
    db.session.refresh(position)
    assert position.status == PositionStatus.CLOSED and position.closed_at
    hr.post(f"/hr/positions/{position.id}/reopen")
    db.session.refresh(position)
    assert position.status == PositionStatus.OPEN and position.closed_at is None
    hr.post(f"/hr/positions/{position.id}/close", data={"filled": "1"})
    db.session.refresh(position)
    assert position.status == PositionStatus.FILLED


def test_reopen_with_past_deadline_is_refused(hr, users, field):
    position = create_position(users["hr"].organisation, field, status=PositionStatus.CLOSED,
                               application_deadline=date.today() - timedelta(days=3))
    response = hr.post(f"/hr/positions/{position.id}/reopen", follow_redirects=True)
    assert b"deadline has passed" in response.data
    db.session.refresh(position)
    assert position.status == PositionStatus.CLOSED


def test_duplicate_makes_a_draft_copy(hr, users, field):
    position = create_position(users["hr"].organisation, field, title="Cleaner", application_deadline=SOON,
                               start_date=LATER, openings=3)
    response = hr.post(f"/hr/positions/{position.id}/duplicate")
    assert response.status_code == 302
    copy = db.session.scalar(select(Position).where(Position.id != position.id))
    assert copy.status == PositionStatus.DRAFT and copy.title == "Copy of Cleaner"
    assert copy.openings == 3 and copy.start_date is None and copy.application_deadline is None
    assert [(s.label, s.concept_uri) for s in copy.skills] == [(s.label, s.concept_uri) for s in position.skills]
    assert response.headers["Location"].endswith(f"/hr/positions/{copy.id}")


@pytest.mark.parametrize("path, method", [
    ("/hr/positions/{id}", "GET"), ("/hr/positions/{id}/edit", "GET"), ("/hr/positions/{id}/edit", "POST"),
    ("/hr/positions/{id}/publish", "POST"), ("/hr/positions/{id}/close", "POST"),
    ("/hr/positions/{id}/reopen", "POST"), ("/hr/positions/{id}/duplicate", "POST"),
])
def test_other_organisations_positions_are_404(login, field, path, method):
    other = create_position(create_organisation("Someone Else AS"), field, status=PositionStatus.DRAFT,
                            title="Not yours")
    me = login(create_user(Role.HR))
    response = me.open(path.format(id=other.id), method=method,
                       data=vacancy_form(field.id) if method == "POST" else None)
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.status == PositionStatus.DRAFT and other.title == "Not yours"


def test_dashboard_groups_by_status_with_interest_counts(hr, users, field):
    org = users["hr"].organisation
    create_position(org, field, title="Open one")
    create_position(org, field, title="Draft one", status=PositionStatus.DRAFT)
    create_position(create_organisation("Other AS"), field, title="Someone else's")
    html = hr.get("/hr/").get_data(as_text=True)
    assert "Open one" in html and "Draft one" in html and "Someone else&#39;s" not in html


def test_organisation_profile(hr, users):
    response = hr.post("/hr/organisation", data={
        "name": "Fjordhotellet AS", "sector": "Hospitality", "location": "Skien", "region": "Vestland",
        "description": "A family hotel.", "contact_email": "hr@fjord.example", "contact_phone": "+47 400 00 000"})
    assert response.status_code == 302
    org = db.session.get(Organisation, users["hr"].organisation_id)
    assert org.name == "Fjordhotellet AS" and org.region == "Vestland"


def test_organisation_name_clash_is_refused(hr, users):
    create_organisation("Taken AS")
    response = hr.post("/hr/organisation", data={"name": "Taken AS"})
    assert response.status_code == 200 and b"already uses this name" in response.data
    assert db.session.get(Organisation, users["hr"].organisation_id).name != "Taken AS"
