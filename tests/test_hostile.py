"""Hostile input, property-based: every form and JSON endpoint gets long strings, control and
right-to-left characters, emoji, huge numbers, HTML and SQL payloads, missing and duplicate fields.

Zero 500s; a refused request changes nothing; nothing comes back unescaped.
"""
from __future__ import annotations

import inspect
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from mimi_match import forms as forms_package
from mimi_match.extensions import db

from .test_access import ACCESS_TABLE, ROLES, route_values

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "20"))
MARKER = "<script>alert(1)</script>"
PAYLOADS = [
    MARKER, '"><img src=x onerror=alert(1)>', "' OR 1=1 --", "'; DROP TABLE users; --", "\u202eevil\u202c",
    "\x00\x01\x1b[31m", "\r\nSet-Cookie: x=1", "😀" * 50, "x" * 20_000, "9" * 400, "-1", "0", "1e309", "NaN",
    "2026-02-30", "../../etc/passwd", "%00", "{{7*7}}", "${jndi:ldap://x}", "", " ", "DELETE", "approve",
    "interested", "accept", "start", "abandon", "1:1", "p1", "q1", "A1", "C2", "nb", "ar",
]


def _field_names() -> list[str]:
    """Every field name of every form in the package, plus names the views read by hand."""
    from flask_wtf import FlaskForm

    names = {"csrf_token", "version", "match", "decision", "reason", "note", "answer", "action", "message", "step",
             "done", "lang", "next", "back", "kind", "value", "language", "position", "filled", "active", "coach_id",
             "status", "q", "page"}
    import importlib
    import pkgutil

    for module_info in pkgutil.iter_modules(forms_package.__path__):
        module = importlib.import_module(f"{forms_package.__name__}.{module_info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls is not FlaskForm:
                names |= {n for n, v in vars(cls).items() if hasattr(v, "field_class")}
    return sorted(names)


FIELDS = _field_names()
hostile_text = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=300),
                         st.integers(min_value=-10**30, max_value=10**30).map(str),
                         st.integers(min_value=2**31, max_value=10**30).map(str),  # beyond every id column
                         st.tuples(st.text(max_size=40), st.text(max_size=40)).map("\x00".join))  # a NUL inside
hostile_form = st.lists(st.tuples(st.sampled_from(FIELDS), hostile_text), max_size=12)
ROWS = [(endpoint, path, role) for endpoint, method, path, expected in ACCESS_TABLE if method == "POST"
        for role in ROLES if expected[role] != 403 and role != "anonymous"]


def _fingerprint() -> dict[str, int]:
    """Rows per table (logs of the attempt itself excluded) and the sum of every version counter."""
    skip = {"audit_entries", "user_sessions", "notifications"}
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
              for t in db.metadata.sorted_tables if t.name not in skip}
    for table in db.metadata.sorted_tables:
        if "version_id" in table.c:
            counts[f"{table.name}.versions"] = db.session.scalar(select(func.coalesce(func.sum(table.c.version_id), 0)))
    return counts


def _check(response, before) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code < 500, text[:500]
    if response.mimetype == "text/html":  # JSON may echo input: it is never rendered (and nosniff is set)
        assert MARKER not in text and "<img src=x" not in text
    if response.status_code in (400, 404, 405, 413, 429):
        db.session.expire_all()
        assert _fingerprint() == before, "a refused request changed something"


@pytest.mark.parametrize("endpoint, path, role", ROWS, ids=[f"{e}-{r}" for e, _p, r in ROWS])
def test_hostile_form_posts(app, users, login, run_jobs, endpoint, path, role):
    client = login(users[role])
    url = path.format(**route_values(users, role))
    run_jobs()  # the matching worker's answer to the setup itself is not the request's doing

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(fields=hostile_form)
    def run(fields):
        before = _fingerprint()
        _check(client.post(url, data=MultiDict(fields)), before)

    run()


@settings(max_examples=EXAMPLES * 3, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(query=hostile_text, extra=st.lists(st.tuples(st.sampled_from(["q", "lang", "page", "limit"]), hostile_text),
                                          max_size=4))
def test_hostile_json_and_search_queries(app, users, login, query, extra):
    client = login(users["participant"])
    before = _fingerprint()
    for path in ("/api/skills", "/opportunities/", "/coach/review", "/admin/users", "/admin/audit"):
        response = client.get(path, query_string=MultiDict([("q", query), *extra]))
        assert response.status_code in (200, 302, 400, 403, 404), (path, response.status_code)
        _check(response, before)
        if path == "/api/skills" and response.status_code == 200:
            assert response.is_json


# --- the inputs that once answered 500 (control bytes on PostgreSQL, huge integers, huge bulk actions) ---

NUL_FORMS = [
    ("/login", {"email": "a\x00@example.org", "password": "x"}),
    ("/register", {"display_name": "A\x00", "email": "new@example.org", "password": "long enough sentence",
                   "confirm": "long enough sentence"}),
    ("/password/forgot", {"email": "someone\x00@example.org"}),
]


@pytest.mark.parametrize("path, data", NUL_FORMS, ids=[p for p, _d in NUL_FORMS])
def test_a_nul_byte_in_a_public_form_is_refused_with_a_message(app, path, data):
    before = _fingerprint()
    response = app.test_client().post(path, data=data)
    assert response.status_code == 400
    assert "control characters" in response.get_data(as_text=True)
    _check(response, before)


ONE_ROLE_EACH = list({endpoint: (endpoint, path, role) for endpoint, path, role in reversed(ROWS)}.values())


@pytest.mark.parametrize("endpoint, path, role", ONE_ROLE_EACH, ids=[f"{e}-{r}" for e, _p, r in ONE_ROLE_EACH])
def test_a_nul_byte_in_any_form_field_is_refused_with_a_message(app, users, login, run_jobs, endpoint, path, role):
    """Every form a signed-in person can post, each of its fields carrying a NUL byte (which PostgreSQL
    cannot store): a 400 with a message, nothing changed."""
    client = login(users[role])
    url = path.format(**route_values(users, role))
    run_jobs()
    before = _fingerprint()
    response = client.post(url, data=MultiDict([(name, "ok\x00ok") for name in FIELDS if name != "csrf_token"]))
    assert response.status_code == 400, (url, response.status_code)
    assert "control characters" in response.get_data(as_text=True)
    _check(response, before)


def test_control_bytes_anywhere_are_refused_for_every_role(app, users, login):
    before = _fingerprint()
    for role in ("participant", "coach", "hr", "admin"):
        client = login(users[role])
        for bad in ("\x00", "\x1b[31m", "a\x7fb"):
            assert client.get("/opportunities/", query_string={"q": bad}).status_code == 400
            assert client.post("/account/email", data={"email": f"x{bad}@example.org",
                                                       "current_password": "x"}).status_code == 400
        assert client.get("/opportunities/%00").status_code == 400
    assert app.test_client().get("/opportunities/", query_string={"q": "tab\tand\nline"}).status_code == 200
    db.session.expire_all()
    assert _fingerprint() == before


HUGE = ["99999999999999999999999999", str(2**31), str(2**63), "-5", "0", "1e5", "٣"]


def test_huge_numbers_in_lists_and_filters_find_nothing_instead_of_failing(app, users, login):
    pages = {"participant": ["/opportunities/?page={n}", "/opportunities/?field={n}&page={n}"],
             "coach": ["/coach/review?page={n}", "/coach/review?field={n}&sort=score&page={n}"],
             "hr": ["/hr/talent?field={n}"],
             "admin": ["/admin/users?page={n}", "/admin/audit?page={n}", "/admin/assignments?page={n}"]}
    for role, paths in pages.items():
        client = login(users[role])
        for path in paths:
            for n in HUGE:
                response = client.get(path.format(n=n))
                assert response.status_code in (200, 400), (role, path, n, response.status_code)
    hr = login(users["hr"])
    for n in HUGE[:3]:
        assert hr.post(f"/hr/matches/{n}/answer", data={"action": "offer"}).status_code == 404
        assert hr.get(f"/hr/positions/{n}/candidates").status_code == 404


def test_a_bulk_review_of_70000_ids_is_refused_at_once(app, users, login):
    coach = login(users["coach"])
    before = _fingerprint()
    fields = [("match", f"{i}:1") for i in range(1, 70_001)] + [("decision", "approve")]
    response = coach.post("/coach/review", data=MultiDict(fields), follow_redirects=True)
    assert response.status_code == 200
    assert "At most 500 suggestions can be decided at once" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _fingerprint() == before
    huge = [("match", f"{10**25}:{10**25}"), ("match", "1:99999999999999999999"), ("decision", "approve")]
    assert coach.post("/coach/review", data=MultiDict(huge)).status_code in (302, 404)


def test_a_right_to_left_override_is_refused_and_names_are_isolated(app, users, login):
    response = app.test_client().post("/register", data={
        "display_name": "Eve\u202e gnp.exe", "email": "eve@example.org", "password": "long enough sentence",
        "confirm": "long enough sentence"})
    assert response.status_code == 400
    person = users["participant"]
    person.display_name = "\u202eevil"  # stored before the refusal existed: shown isolated, not obeyed
    person.profile.coach_id = users["coach"].id
    db.session.commit()
    page = login(users["coach"]).get(f"/coach/participants/{person.profile.id}").get_data(as_text=True)
    assert "<h1 class=\"h3\"><bdi>\u202eevil</bdi></h1>" in page
    home = login(person).get("/me/").get_data(as_text=True)
    assert "<bdi>\u202eevil</bdi>" in home
