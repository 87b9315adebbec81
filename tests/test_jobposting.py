"""Positions as schema.org JobPosting: JSON-LD on the public page, and import (preview, then a draft)."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import CEFRLevel, ContractType, InternshipPurpose, Position, PositionKind, PositionStatus
from mimi_match.services import api_keys, jobposting
from mimi_match.services.errors import ValidationFailed

from .factories import create_field, create_position

BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def blocks(html: str) -> list[dict]:
    return [json.loads(text) for text in BLOCK.findall(html)]


@pytest.fixture
def field(app):
    return create_field(code="care")


def test_an_open_vacancy_has_every_required_property(app, users, field):
    position = create_position(users["hr"].organisation, field=field, contract_type=ContractType.PERMANENT,
                               host_language_level=CEFRLevel.B1, location="Oslo", region="Oslo",
                               hours_per_week=20, description="Lunch shifts.\n\nFriendly team.")
    page = app.test_client().get(f"/opportunities/{position.id}")
    [doc] = blocks(page.get_data(as_text=True))
    assert doc["@type"] == "JobPosting" and jobposting.missing_properties(doc) == []
    assert doc["title"] == "Care assistant" and doc["hiringOrganization"]["name"] == users["hr"].organisation.name
    assert doc["jobLocation"]["address"]["addressLocality"] == "Oslo"
    assert doc["employmentType"] == ["PART_TIME"]
    assert "B1" in doc["qualifications"]
    assert {"propertyID": "host_language_level", "value": "B1"}.items() <= doc["additionalProperty"][0].items()
    assert doc["skills"][0]["@type"] == "DefinedTerm" and doc["skills"][0]["@id"].startswith("http")
    assert doc["description"] == "<p>Lunch shifts.</p><p>Friendly team.</p>"


def test_a_micro_internship_states_its_duration(app, users, field):
    position = create_position(users["hr"].organisation, field=field, kind=PositionKind.MICRO_INTERNSHIP,
                               duration_weeks=4, purpose=InternshipPurpose.TRY_OUT
                               if hasattr(InternshipPurpose, "TRY_OUT") else list(InternshipPurpose)[0])
    with app.test_request_context():
        doc = jobposting.json_ld(position, "http://x/1", "en")
    assert doc["employmentType"] == ["INTERN"] and jobposting.missing_properties(doc) == []
    duration = next(p for p in doc["additionalProperty"] if p["propertyID"] == "duration_weeks")
    assert duration["value"] == 4 and duration["unitCode"] == "WEE"


def test_no_block_for_drafts_and_closed(app, users, field, login):
    draft = create_position(users["hr"].organisation, field=field, status=PositionStatus.DRAFT)
    closed = create_position(users["hr"].organisation, field=field, status=PositionStatus.CLOSED)
    client = login(users["hr"])
    for position in (draft, closed):
        response = client.get(f"/opportunities/{position.id}")
        assert blocks(response.get_data(as_text=True)) == [], response.status_code


def test_a_title_cannot_end_the_script(app, users, field):
    position = create_position(users["hr"].organisation, field=field, title="</script><script>alert(1)</script>")
    html = app.test_client().get(f"/opportunities/{position.id}").get_data(as_text=True)
    [doc] = blocks(html)
    assert doc["title"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_round_trip(app, users, field):
    deadline = date.today() + timedelta(days=20)
    position = create_position(users["hr"].organisation, field=field, contract_type=ContractType.PERMANENT,
                               application_deadline=deadline, hours_per_week=37, location="Bergen",
                               region="Vestland", host_language_level=CEFRLevel.A2)
    with app.test_request_context():
        doc = jobposting.json_ld(position, "http://x/1", "en")
        preview = jobposting.parse(json.dumps(doc), users["hr"], "en")
    data = preview.input
    assert (data.title, data.kind, data.field_id, data.application_deadline, data.hours_per_week) == \
        (position.title, "vacancy", field.id, deadline, 37)
    assert (data.location, data.host_language_level) == ("Bergen", "A2")
    assert [(s.label, s.concept_uri) for s in preview.skills] == \
        [(s.label, s.concept_uri) for s in position.skills]


@pytest.mark.parametrize("document, words", [
    ("{not json", "not JSON"),
    ('{"@type": "Person", "name": "x"}', "JobPosting"),
    ('[1, 2, "x", null]', "JobPosting"),
    (json.dumps({"@type": "JobPosting", "title": 42.5, "description": "x"}), None),
    (json.dumps({"@type": "JobPosting", "title": "", "description": "x"}), "title"),
    (json.dumps({"@type": "JobPosting", "title": "T", "description": ["x"]}), "description"),
    ('{"@type": "JobPosting", "title": "' + "x" * 300_000 + '"}', "200 kB"),
])
def test_bad_documents_are_refused_clearly(app, users, field, document, words):
    with app.test_request_context():
        if words is None:  # a number as a title is read as its text
            assert jobposting.parse(document, users["hr"], "en").input.title == "42.5"
            return
        with pytest.raises(ValidationFailed) as refused:
            jobposting.parse(document, users["hr"], "en")
    assert words in refused.value.message


def test_import_through_the_api(app, users, field):
    token = api_keys.create(users["hr"], "ATS", "write").token
    doc = {"@context": "https://schema.org", "@graph": [{"@type": "Organization", "name": "x"}, {
        "@type": "JobPosting", "title": "Warehouse worker", "description": "<p>Packing &amp; sorting.</p><ul>"
        "<li>Early shifts</li></ul>", "employmentType": "FULL_TIME", "occupationalCategory": "5322",
        "skills": "clean building floors, forklift dancing", "workHours": "30 hours a week",
        "jobLocation": {"@type": "Place", "address": {"addressLocality": "Oslo", "addressRegion": "Oslo"}}}]}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    before = db.session.scalar(select(func.count(Position.id)))
    preview = client.post("/api/v1/positions/import?preview=true", json=doc, headers=headers)
    assert preview.status_code == 200, preview.json
    assert db.session.scalar(select(func.count(Position.id))) == before  # a preview saves nothing
    skills = {s["label"]: s["concept_uri"] for s in preview.json["skills"]}
    assert skills["clean building floors"] and skills["forklift dancing"] is None
    assert preview.json["field"] == "care" and preview.json["warnings"]
    created = client.post("/api/v1/positions/import", json=doc, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "draft" and created.json["description"] == "Packing & sorting.\n\nEarly shifts"
    assert created.json["hours_per_week"] == 30 and created.json["region"] == "Oslo"
    refused = client.post("/api/v1/positions/import", json={"@type": "Person"}, headers=headers)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"


def test_the_api_serves_an_open_positions_jobposting(app, users, field):
    position = create_position(users["hr"].organisation, field=field)
    response = app.test_client().get(f"/api/v1/open-positions/{position.id}/jobposting")
    assert response.mimetype == "application/ld+json"
    assert jobposting.missing_properties(response.json if response.is_json else json.loads(response.data)) == []
