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
                         st.integers(min_value=-10**30, max_value=10**30).map(str))
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
def test_hostile_form_posts(app, users, login, endpoint, path, role):
    client = login(users[role])
    url = path.format(**route_values(users, role))

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
