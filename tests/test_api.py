"""The REST API (/api/v1): keys and their scopes, each operation's access, problem details, ETags, paging,
the throttle, the audit, CORS and the OpenAPI document."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import (
    ApiKey,
    AuditEntry,
    Match,
    MatchStatus,
    Placement,
    Position,
    Role,
)
from mimi_match.services import api_keys
from mimi_match.services.errors import PermissionDenied

from .factories import create_field, create_position, create_user

pytestmark = pytest.mark.parametrize("app", [{"RUN_JOBS_AFTER_REQUEST": False}], indirect=True)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def field(app):
    return create_field(code="care")


@pytest.fixture
def keys(app, users):
    hr = users["hr"]
    return {"write": api_keys.create(hr, "HR system", "write").token,
            "read": api_keys.create(hr, "Reports", "read").token}


def draft(field_code: str = "care", **changes) -> dict:
    body = {"kind": "vacancy", "title": "Kitchen assistant", "field": field_code,
            "description": "Lunch shifts in a canteen.\nShort sentences, friendly team.",
            "required_skills": ["clean building floors"], "nice_skills": ["cooking"],
            "contract_type": "permanent", "hours_per_week": 30, "region": "Oslo", "location": "Oslo"}
    body.update(changes)
    return body


def test_create_publish_and_read_a_position(app, users, field, keys):
    client = app.test_client()
    created = client.post("/api/v1/positions", json=draft(), headers=bearer(keys["write"]))
    assert created.status_code == 201, created.json
    body = created.json
    assert body["status"] == "draft" and body["field"] == "care"
    assert [s["label"] for s in body["skills"]] == ["clean building floors", "cooking"]
    assert body["skills"][0]["concept_uri"]  # resolved through the vocabulary
    assert created.headers["Location"].endswith(f"/api/v1/positions/{body['id']}")
    assert created.headers["ETag"] == f'"p{body["id"]}-v{body["version"]}"'

    published = client.post(f"/api/v1/positions/{body['id']}/publish", headers=bearer(keys["write"]))
    assert published.status_code == 200 and published.json["status"] == "open"
    listed = client.get("/api/v1/positions", headers=bearer(keys["read"])).json
    assert [p["id"] for p in listed["items"]] == [body["id"]]
    public = client.get("/api/v1/open-positions").json
    assert [p["id"] for p in public["items"]] == [body["id"]]
    closed = client.post(f"/api/v1/positions/{body['id']}/close", json={"filled": True},
                         headers=bearer(keys["write"]))
    assert closed.json["status"] == "filled"
    assert client.get(f"/api/v1/open-positions/{body['id']}").status_code == 404


def test_the_form_rules_hold(app, users, field, keys):
    client = app.test_client()
    cases = [
        (draft(contract_type=None), "contract_type"),
        (draft(kind="micro_internship", contract_type=None), "duration_weeks"),
        (draft(application_deadline=(date.today() - timedelta(days=1)).isoformat()), "application_deadline"),
        (draft(field="no-such-field"), "field"),
        (draft(required_skills=[]), "required_skills"),
        (draft(title="   "), "title"),
        (draft(title="A\u202eB"), "title"),
        (draft(unknown_field=1), "unknown_field"),
        (draft(hours_per_week=61), "hours_per_week"),
        (draft(region="Atlantis"), "region"),
    ]
    for body, name in cases:
        response = client.post("/api/v1/positions", json=body, headers=bearer(keys["write"]))
        assert response.status_code == 422, (name, response.json)
        assert response.mimetype == "application/problem+json"
        problem = response.json
        assert problem["status"] == 422 and problem["title"] and problem["instance"] == "/api/v1/positions"
        assert name in problem["errors"], (name, problem)
    assert db.session.scalar(select(Position.id)) is None  # nothing was saved


def test_no_json_body_is_a_problem(app, users, field, keys):
    response = app.test_client().post("/api/v1/positions", data="title=x", headers=bearer(keys["write"]),
                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code in (415, 422) and response.mimetype == "application/problem+json"


def test_access_of_every_organisation_operation(app, users, field, keys):
    """No key, a revoked key, a read key on a write operation, another organisation's key."""
    hr = users["hr"]
    position = create_position(hr.organisation, field=field)
    other_hr = create_user(Role.HR)
    other = api_keys.create(other_hr, "Theirs", "write").token
    revoked = api_keys.create(hr, "Old", "write")
    api_keys.revoke(hr, revoked.key.id)
    client = app.test_client()
    operations = [("GET", "/api/v1/positions", None), ("POST", "/api/v1/positions", draft()),
                  ("GET", f"/api/v1/positions/{position.id}", None),
                  ("PATCH", f"/api/v1/positions/{position.id}", {"title": "New"}),
                  ("POST", f"/api/v1/positions/{position.id}/publish", None),
                  ("POST", f"/api/v1/positions/{position.id}/close", {}),
                  ("GET", f"/api/v1/positions/{position.id}/candidates", None),
                  ("GET", "/api/v1/placements", None)]
    writes = {"POST", "PATCH"}
    for method, path, body in operations:
        assert client.open(path, method=method, json=body).status_code == 401, path
        assert client.open(path, method=method, json=body, headers=bearer("mimi_nonsense")).status_code == 401
        assert client.open(path, method=method, json=body,
                           headers=bearer(revoked.token)).status_code == 401, path
        if method in writes:
            refused = client.open(path, method=method, json=body, headers=bearer(keys["read"]))
            assert refused.status_code == 403, path
            assert "insufficient_scope" in refused.headers["WWW-Authenticate"]
        if "{" not in path and path.endswith(("/positions", "/placements")) and method == "GET":
            assert client.open(path, headers=bearer(other)).json["items"] == []
        elif path != "/api/v1/positions":
            assert client.open(path, method=method, json=body, headers=bearer(other)).status_code == 404, path
    # a session cookie counts for nothing on the API
    from .factories import login_as

    login_as(client, hr)
    assert client.get("/api/v1/positions").status_code == 401


def test_a_key_stops_with_its_owner(app, users, field, keys):
    hr = users["hr"]
    hr.active = False
    db.session.commit()
    assert app.test_client().get("/api/v1/positions", headers=bearer(keys["read"])).status_code == 401


def test_stale_if_match_is_412(app, users, field, keys):
    client = app.test_client()
    created = client.post("/api/v1/positions", json=draft(), headers=bearer(keys["write"]))
    path, etag = f"/api/v1/positions/{created.json['id']}", created.headers["ETag"]
    assert client.patch(path, json={"title": "Cook"}, headers=bearer(keys["write"])).status_code == 428
    first = client.patch(path, json={"title": "Cook"}, headers={**bearer(keys["write"]), "If-Match": etag})
    assert first.status_code == 200 and first.json["title"] == "Cook"
    assert first.json["skills"] == created.json["skills"]  # what was not sent stays
    assert first.headers["ETag"] != etag
    stale = client.patch(path, json={"title": "Baker"}, headers={**bearer(keys["write"]), "If-Match": etag})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert client.get(path, headers=bearer(keys["read"])).json["title"] == "Cook"


def _candidate(users, position, shared: bool, status=MatchStatus.INTERESTED) -> Match:
    participant = create_user(Role.PARTICIPANT, display_name="Amina Yusuf")
    participant.profile.consent_share_on_interest = shared
    match = Match(profile_id=participant.profile.id, position_id=position.id, status=status, score=0.7)
    db.session.add(match)
    db.session.commit()
    return match


def test_candidates_show_only_what_consent_allows(app, users, field, keys):
    position = create_position(users["hr"].organisation, field=field)
    shared = _candidate(users, position, True)
    hidden = _candidate(users, position, False)
    suggested = _candidate(users, position, True, status=MatchStatus.SUGGESTED)
    client = app.test_client()
    items = client.get(f"/api/v1/positions/{position.id}/candidates", headers=bearer(keys["read"])).json["items"]
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {shared.id, hidden.id}  # a suggestion is not a candidate
    assert by_id[shared.id]["name"] == "Amina Yusuf"
    assert by_id[hidden.id]["name"] is None and by_id[hidden.id]["skills"] == [] and not by_id[hidden.id]["shared"]
    assert client.get(f"/api/v1/candidates/{suggested.id}", headers=bearer(keys["read"])).status_code == 404


def test_answer_a_candidate(app, users, field, keys):
    position = create_position(users["hr"].organisation, field=field)
    match = _candidate(users, position, True)
    client = app.test_client()
    read = client.get(f"/api/v1/candidates/{match.id}", headers=bearer(keys["read"]))
    path = f"/api/v1/candidates/{match.id}/answer"
    headers = {**bearer(keys["write"]), "If-Match": read.headers["ETag"]}
    assert client.post(path, json={"action": "invite"}, headers=headers).status_code == 422  # a message is needed
    answered = client.post(path, json={"action": "invite", "message": "Tuesday at 10?"}, headers=headers)
    assert answered.status_code == 200 and answered.json["status"] == "invited"
    again = client.post(path, json={"action": "offer"}, headers=headers)
    assert again.status_code == 412


def test_placements(app, users, field, keys):
    position = create_position(users["hr"].organisation, field=field)
    match = _candidate(users, position, True, status=MatchStatus.PLACED)
    placement = Placement(match_id=match.id, start_date=date.today())
    db.session.add(placement)
    db.session.commit()
    client = app.test_client()
    items = client.get("/api/v1/placements", headers=bearer(keys["read"])).json["items"]
    assert [(p["id"], p["status"], p["candidate_id"]) for p in items] == [(placement.id, "planned", match.id)]
    assert client.get(f"/api/v1/placements/{placement.id}", headers=bearer(keys["read"])).json["position_id"] == \
        position.id


def test_open_positions_pages_are_stable(app, users, field):
    organisation = users["hr"].organisation
    made = [create_position(organisation, field=field, title=f"Position {i}") for i in range(5)]
    client = app.test_client()
    first = client.get("/api/v1/open-positions?limit=2").json
    assert len(first["items"]) == 2 and first["next_cursor"]
    create_position(organisation, field=field, title="Newer")  # added between two pages: no repeat, no gap
    seen = [p["id"] for p in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/api/v1/open-positions?limit=2&cursor={cursor}").json
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
    assert seen == sorted((p.id for p in made), reverse=True)
    assert client.get("/api/v1/open-positions?cursor=bad!").status_code == 422
    bad = client.get("/api/v1/open-positions?cursor=bm9wZQ")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert client.get("/api/v1/open-positions?field=care&kind=micro_internship").json["items"] == []


def test_fields_and_skills(app, users, field):
    client = app.test_client()
    fields = client.get("/api/v1/fields").json["items"]
    assert fields[0]["code"] == "care" and set(fields[0]["names"]) == {"en", "nb", "de", "el", "uk", "ar"}
    hits = client.get("/api/v1/skills?q=clean%20build&language=en").json["items"]
    assert hits and hits[0]["uri"].startswith("http")
    concept = client.get("/api/v1/skills/concept", query_string={"uri": hits[0]["uri"]}).json
    assert set(concept["labels"]) == {"en", "nb", "de", "el", "uk", "ar"} and concept["labels"]["en"]
    assert client.get("/api/v1/skills/concept?uri=http://example.org/none").status_code == 404
    assert client.get("/api/v1/skills?q=a").status_code == 422


def test_throttled_per_key(app, users, field, keys):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    codes = [client.get("/api/v1/positions", headers=bearer(keys["read"])).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    throttled = client.get("/api/v1/positions", headers=bearer(keys["read"]))
    assert int(throttled.headers["Retry-After"]) >= 1 and throttled.mimetype == "application/problem+json"
    assert client.get("/api/v1/positions", headers=bearer(keys["write"])).status_code == 200  # its own count


def test_every_call_is_audited(app, users, field, keys):
    client = app.test_client()
    client.get("/api/v1/positions", headers=bearer(keys["read"]))
    client.post("/api/v1/positions", json=draft(), headers=bearer(keys["write"]))
    client.get("/api/v1/positions", headers=bearer("mimi_wrong"))
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("api_call", "api_refused")))
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.target, e.detail.get("status")) for e in entries] == [
        ("api_call", "GET /api/v1/positions", "200"), ("api_call", "POST /api/v1/positions", "201"),
        ("api_refused", "/api/v1/positions", None)]
    assert all(e.actor_id == users["hr"].id for e in entries[:2])
    assert "mimi_wrong" not in str(entries[2].detail) or len(entries[2].detail["key"]) <= 12


def test_cors_is_closed(app, users, keys):
    client = app.test_client()
    response = client.get("/api/v1/open-positions", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options("/api/v1/positions", headers={"Origin": "https://elsewhere.example",
                                                             "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_keys_are_stored_hashed_and_rotate(app, users, keys):
    hr = users["hr"]
    stored = db.session.scalars(select(ApiKey)).all()
    assert all(keys["write"] not in (k.token_hash, k.prefix) for k in stored)
    key = next(k for k in stored if k.scope == "write")
    rotated = api_keys.rotate(hr, key.id)
    client = app.test_client()
    assert client.get("/api/v1/positions", headers=bearer(keys["write"])).status_code == 401
    assert client.get("/api/v1/positions", headers=bearer(rotated.token)).status_code == 200
    assert rotated.key.replaces_id == key.id and rotated.key.scope == "write"
    with pytest.raises(PermissionDenied):
        api_keys.create(users["coach"], "Mine", "read")


def test_the_openapi_document(app, users, field):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    operations = [(path, method) for path, ops in spec["paths"].items() for method in ops]
    assert len(operations) >= 16
    create = spec["paths"]["/api/v1/positions"]["post"]
    assert create["security"] == [{"apiKey": []}]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    assert spec["components"]["schemas"]["PositionWrite"]["properties"]["field"]["enum"] == ["care"]
    assert "security" not in spec["paths"]["/api/v1/open-positions"]["get"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger-ui-bundle.js" in docs.data and b"cdn" not in docs.data.lower()


def test_unknown_api_address_is_a_problem(app):
    response = app.test_client().get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    wrong = app.test_client().delete("/api/v1/fields")
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]


def test_the_api_keys_page(app, users, login):
    hr = users["hr"]
    client = login(hr)
    assert "No keys yet" in client.get("/hr/api-keys").get_data(as_text=True)
    created = client.post("/hr/api-keys", data={"name": "Our HR system", "scope": "write"})
    page = created.get_data(as_text=True)
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="new-token" type="text" readonly value="(mimi_[^"]+)"', page).group(1)
    assert app.test_client().get("/api/v1/positions", headers=bearer(token)).status_code == 200
    listed = client.get("/hr/api-keys").get_data(as_text=True)
    assert "Our HR system" in listed and token not in listed  # shown once only
    key = db.session.scalar(select(ApiKey))
    assert client.post("/hr/api-keys", data={"name": "", "scope": "write"}).status_code == 302  # refused, told
    assert db.session.scalar(select(func.count(ApiKey.id))) == 1
    client.post(f"/hr/api-keys/{key.id}/revoke")
    assert app.test_client().get("/api/v1/positions", headers=bearer(token)).status_code == 401
    # another organisation's HR manager cannot touch it; an administrator can see and rotate it
    other = login(create_user(Role.HR))
    assert other.post(f"/hr/api-keys/{key.id}/rotate").status_code == 404
    admin = login(users["admin"])
    assert users["hr"].organisation.name in admin.get("/hr/api-keys").get_data(as_text=True)
    assert "Our HR system" in admin.get(f"/hr/api-keys?organisation={hr.organisation_id}").get_data(as_text=True)
