"""schemathesis runs every operation of the generated OpenAPI document against the WSGI app (no network),
with every check it has (``--checks all``): server errors, status codes, content types, headers and
bodies against the schema, valid data accepted, invalid data refused, authentication not ignored, ...

Two settings differ from schemathesis' defaults, both for statuses the API answers by design:
"valid data" (by the schema) may also be answered 412/428 (If-Match names another version or is missing:
optimistic concurrency) and 422 (rules the schema cannot state: a deadline not in the past, the fields
a micro-internship needs, the message an invitation needs); a missing required If-Match header is answered
428 Precondition Required (RFC 6585) rather than 400.
"""
from __future__ import annotations

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events

from mimi_match.extensions import db
from mimi_match.models import Match, MatchStatus, Placement, Role
from mimi_match.services import api_keys

from .factories import create_field, create_position, create_user

SETTINGS = {"RUN_JOBS_AFTER_REQUEST": False, "API_RATE_LIMIT": "1000000 per minute",
            "API_PUBLIC_RATE_LIMIT": "1000000 per minute"}
CONFIG = {
    "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "428", "429"]},
        # a missing If-Match is answered 428 Precondition Required (RFC 6585), the status made for it
        "missing_required_header": {"expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]}},
    "generation": {"max-examples": 15},
}
TOKEN: dict[str, str] = {}


def _world(users) -> None:
    """Something for every operation to find: positions, a candidate and a placement of the key's organisation."""
    from datetime import date

    hr = users["hr"]
    field = create_field(code="care")
    position = create_position(hr.organisation, field=field)
    participant = create_user(Role.PARTICIPANT)
    participant.profile.consent_share_on_interest = True
    match = Match(profile_id=participant.profile.id, position_id=position.id, status=MatchStatus.INTERESTED)
    placed = Match(profile_id=participant.profile.id, position_id=create_position(hr.organisation, field=field).id,
                   status=MatchStatus.PLACED)
    db.session.add_all([match, placed])
    db.session.flush()
    db.session.add(Placement(match_id=placed.id, start_date=date.today()))
    db.session.commit()


def _without_socket_settings(monkeypatch) -> None:
    """schemathesis 4.32 passes socket settings (max_redirects, ...) to werkzeug's test client on some calls,
    which refuses them: drop them, as its own code does on the other path (they mean nothing in-process)."""
    from schemathesis.transport import wsgi

    send = wsgi.WSGITransport.send

    def in_process(self, case, *, session=None, **kwargs):
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(wsgi.WSGITransport, "send", in_process)


def test_every_operation_with_all_checks(app, users, monkeypatch):
    """What ``schemathesis run --checks all`` does (examples, coverage, fuzzing and stateful phases), through
    its engine, on the WSGI app; every failed check is listed with the operation and the request."""
    app.config.update(SETTINGS)
    _without_socket_settings(monkeypatch)
    _world(users)
    token = api_keys.create(users["hr"], "schemathesis", "write").token
    config = SchemathesisConfig.from_dict({**CONFIG, "headers": {"Authorization": f"Bearer {token}"}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    failures, operations, checked, seen = [], set(), 0, set()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            operations.add(event.recorder.label)
            for case_id, nodes in event.recorder.checks.items():
                for node in nodes:
                    checked += 1
                    if node.failure_info is not None:
                        what = (event.recorder.label, node.name, node.failure_info.failure.title)
                        if what in seen:
                            continue
                        seen.add(what)
                        case = event.recorder.cases[case_id].value
                        failures.append(f"{event.recorder.label} [{node.name}] {node.failure_info.failure.title}: "
                                        f"{node.failure_info.failure.message[:300]} -- {case.method} {case.path} "
                                        f"query={case.query} body={str(case.body)[:200]} headers={case.headers}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"error: {event}")
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    spec_operations = {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops
                       if method in ("get", "post", "patch", "put", "delete")}
    assert failures == [], "\n".join(sorted(set(failures))[:40])
    assert spec_operations <= operations and len(spec_operations) >= 18, spec_operations - operations
    assert checked > 5000, checked
