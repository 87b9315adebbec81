"""Participants (and visitors) browse open positions; participants save them and say "I am interested"."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from mimi_match.extensions import db
from mimi_match.models import (
    CEFRLevel,
    Match,
    MatchOrigin,
    MatchStatus,
    ParticipantLanguage,
    PositionKind,
    PositionStatus,
    SavedPosition,
)
from mimi_match.models.base import utcnow

from .factories import create_field, create_organisation, create_position


@pytest.fixture
def catalogue(app):
    """A few open positions with distinct properties, plus ones that must never show."""
    org = create_organisation("Skien Kommune")
    care, kitchen = create_field("care", "Elderly care"), create_field("kitchen", "Hospitality")
    now = utcnow()
    made = {
        "care_b1": create_position(org, care, title="Care worker nights", host_language_level=CEFRLevel.B1,
                                   region="Vestfold og Telemark", hours_per_week=30,
                                   required_skill="assist patients with activities of daily living",
                                   published_at=now - timedelta(days=3),
                                   application_deadline=date.today() + timedelta(days=30)),
        "kitchen_a2": create_position(org, kitchen, title="Kitchen helper", host_language_level=CEFRLevel.A2,
                                      region="Oslo", hours_per_week=20, kind=PositionKind.MICRO_INTERNSHIP,
                                      duration_weeks=4, required_skill="clean building floors",
                                      description="Wash dishes and prepare vegetables.",
                                      published_at=now - timedelta(days=1),
                                      application_deadline=date.today() + timedelta(days=10)),
        "remote_c1": create_position(org, kitchen, title="Menu translator", host_language_level=CEFRLevel.C1,
                                     region="Vestland", remote=True, hours_per_week=10, required_skill=None,
                                     published_at=now - timedelta(days=2)),
        "draft": create_position(org, care, title="Secret draft", status=PositionStatus.DRAFT),
        "closed": create_position(org, care, title="Old closed", status=PositionStatus.CLOSED),
        "expired": create_position(org, care, title="Deadline gone",
                                   application_deadline=date.today() - timedelta(days=1)),
    }
    return made


def titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [t for t in ("Care worker nights", "Kitchen helper", "Menu translator", "Secret draft", "Old closed",
                        "Deadline gone") if t in html]


def test_anonymous_sees_only_open_positions_newest_first(client, catalogue):
    response = client.get("/opportunities/")
    assert response.status_code == 200
    assert titles(response) == ["Care worker nights", "Kitchen helper", "Menu translator"]
    html = response.get_data(as_text=True)
    assert html.index("Kitchen helper") < html.index("Menu translator") < html.index("Care worker nights")
    assert "3 opportunities found" in html


@pytest.mark.parametrize("query, expected", [
    ("q=kitchen", ["Kitchen helper"]),
    ("q=dishes", ["Kitchen helper"]),  # description
    ("q=daily+living", ["Care worker nights"]),  # skill label
    ("q=KITCHEN+helper", ["Kitchen helper"]),
    ("kind=micro_internship", ["Kitchen helper"]),
    ("region=Oslo", ["Kitchen helper"]),
    ("region=Oslo&remote=y", ["Kitchen helper", "Menu translator"]),
    ("remote=y", ["Menu translator"]),
    ("level=B1", ["Care worker nights", "Kitchen helper"]),
    ("level=A2", ["Kitchen helper"]),
    ("hours=20", ["Kitchen helper", "Menu translator"]),
    ("q=nothing+like+this", []),
])
def test_filters(client, catalogue, query, expected):
    assert sorted(titles(client.get(f"/opportunities/?{query}"))) == sorted(expected)


def test_field_filter(client, catalogue):
    field_id = catalogue["kitchen_a2"].field_id
    assert sorted(titles(client.get(f"/opportunities/?field={field_id}"))) == ["Kitchen helper", "Menu translator"]


def test_sort_by_deadline(client, catalogue):
    html = client.get("/opportunities/?sort=deadline").get_data(as_text=True)
    # soonest deadline first, positions without a deadline last
    assert html.index("Kitchen helper") < html.index("Care worker nights") < html.index("Menu translator")


def test_search_finds_skills_in_other_languages(client, catalogue):
    """The search text holds each concept's labels in all six languages."""
    position = catalogue["kitchen_a2"]
    from mimi_match.vocabulary import vocabulary

    concept = vocabulary().get(position.skills[0].concept_uri)
    other_labels = {lang: labels[0] for lang, labels in concept.labels.items() if lang != "en"}
    if not other_labels:
        pytest.skip("no translated labels for this concept in the vocabulary")
    for lang, label in other_labels.items():
        assert titles(client.get("/opportunities/", query_string={"q": label})) == ["Kitchen helper"], lang


def test_bad_filter_values_are_ignored_not_errors(client, catalogue):
    response = client.get("/opportunities/?hours=abc&level=Z9&field=xyz&page=-4&sort=evil")
    assert response.status_code == 200
    assert len(titles(response)) == 3


def test_pagination(app, client):
    org, field = create_organisation(), create_field()
    for i in range(25):
        create_position(org, field, title=f"Position number {i:02d}", published_at=utcnow() - timedelta(hours=i))
    first = client.get("/opportunities/").get_data(as_text=True)
    assert "Position number 00" in first and "Position number 19" in first and "Position number 20" not in first
    assert "Page 1 of 2" in first and "25 opportunities found" in first
    second = client.get("/opportunities/?page=2").get_data(as_text=True)
    assert "Position number 20" in second and "Position number 24" in second and "Position number 00" not in second
    beyond = client.get("/opportunities/?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in beyond


def _count_queries(app, fn) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


@pytest.mark.parametrize("role", ["anonymous", "participant"])
def test_query_count_does_not_grow_with_page_size(app, users, login, role):
    """No N+1: a page of 5 and a page of 20 positions cost the same number of queries."""
    org = create_organisation()
    fields = [create_field(f"f{i}") for i in range(5)]
    for i in range(20):
        create_position(org, fields[i % 5], title=f"P{i}")
    client = app.test_client() if role == "anonymous" else login(users["participant"])
    client.get("/opportunities/")  # warm up (vocabulary, session)
    app.config["PAGE_SIZE"] = 5
    small = _count_queries(app, lambda: client.get("/opportunities/"))
    app.config["PAGE_SIZE"] = 20
    large = _count_queries(app, lambda: client.get("/opportunities/"))
    assert small == large
    assert large <= 12  # session, user, page, count, skills, participant state, notification badge


def test_detail_explains_language_level_and_micro_internship(client, catalogue):
    html = client.get(f"/opportunities/{catalogue['kitchen_a2'].id}").get_data(as_text=True)
    assert "What is a micro-internship?" in html
    assert "A2: you can handle short, simple conversations" in html
    assert "Log in or create an account" in html


@pytest.mark.parametrize("name", ["draft", "closed", "expired"])
def test_hidden_positions_are_404(client, catalogue, name):
    assert client.get(f"/opportunities/{catalogue[name].id}").status_code == 404


def test_hr_of_own_organisation_can_preview_a_draft(login, users):
    draft = create_position(users["hr"].organisation, status=PositionStatus.DRAFT, title="My draft")
    assert login(users["hr"]).get(f"/opportunities/{draft.id}").status_code == 200


def test_save_and_unsave(login, users, catalogue):
    participant = users["participant"]
    client = login(participant)
    position = catalogue["care_b1"]
    client.post(f"/opportunities/{position.id}/save")
    assert db.session.get(SavedPosition, (participant.profile.id, position.id)) is not None
    assert "Care worker nights" in client.get("/opportunities/saved").get_data(as_text=True)
    client.post(f"/opportunities/{position.id}/save")  # twice is harmless
    client.post(f"/opportunities/{position.id}/unsave")
    assert db.session.get(SavedPosition, (participant.profile.id, position.id)) is None


def test_cannot_save_a_draft(login, users, catalogue):
    client = login(users["participant"])
    assert client.post(f"/opportunities/{catalogue['draft'].id}/save").status_code == 404
    assert db.session.scalar(select(SavedPosition)) is None


def test_interest_recorded_and_withdrawn_with_history(login, users, catalogue):
    participant = users["participant"]
    client = login(participant)
    position = catalogue["kitchen_a2"]
    response = client.post(f"/opportunities/{position.id}/interest", follow_redirects=True)
    assert b"You said you are interested" in response.data and b"Withdraw my interest" in response.data
    match = db.session.scalar(select(Match))
    assert (match.status, match.origin) == (MatchStatus.INTERESTED, MatchOrigin.PARTICIPANT)
    client.post(f"/opportunities/{position.id}/withdraw")
    db.session.refresh(match)
    assert match.status == MatchStatus.WITHDRAWN
    client.post(f"/opportunities/{position.id}/interest")
    db.session.refresh(match)
    assert match.status == MatchStatus.INTERESTED
    assert [(e.from_status, e.to_status) for e in match.events] == [
        (None, MatchStatus.INTERESTED), (MatchStatus.INTERESTED, MatchStatus.WITHDRAWN),
        (MatchStatus.WITHDRAWN, MatchStatus.INTERESTED)]
    assert all(e.actor_id == participant.id for e in match.events)
    assert db.session.scalar(select(db.func.count()).select_from(Match)) == 1


def test_interest_counts_on_hr_dashboard(login, users):
    position = create_position(users["hr"].organisation, title="Counted")
    login(users["participant"]).post(f"/opportunities/{position.id}/interest")
    html = login(users["hr"]).get("/hr/").get_data(as_text=True)
    row = html[html.index("Counted"):]
    assert f'/hr/positions/{position.id}/candidates">1</a>' in row.split("</tr>")[0]


def test_anonymous_must_log_in_to_act(client, catalogue):
    response = client.post(f"/opportunities/{catalogue['care_b1'].id}/interest")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.scalar(select(Match)) is None


def test_participant_sees_own_level_filter_first(login, users, catalogue):
    profile = users["participant"].profile
    db.session.add(ParticipantLanguage(profile_id=profile.id, language="nb", level=CEFRLevel.A2))
    db.session.commit()
    html = login(users["participant"]).get("/opportunities/").get_data(as_text=True)
    assert "Your level in the local language is A2" in html
    assert "Kitchen helper" in html and "Care worker nights" not in html
    # widening the filter is the participant's choice
    html = login(users["participant"]).get("/opportunities/?level=").get_data(as_text=True)
    assert "Care worker nights" in html
