"""The access table: every registered route, the expected answer for each role.

A new route fails ``test_every_route_is_in_the_table`` until its row is added here.
Codes: 200 ok, 302 redirect (anonymous -> login, or after a POST), 403 refused.
"""
from __future__ import annotations

import pytest

from mimi_match.access import PUBLIC, rule_for

ROLES = ("anonymous", "participant", "coach", "hr", "admin")

# (endpoint, method, path, {role: expected status}); "{user}" is replaced with a real user id.
ACCESS_TABLE = [
    ("main.index", "GET", "/", dict(anonymous=200, participant=302, coach=302, hr=302, admin=302)),
    ("main.health", "GET", "/health", dict(anonymous=200, participant=200, coach=200, hr=200, admin=200)),
    ("main.set_language", "POST", "/language",
     dict(anonymous=302, participant=302, coach=302, hr=302, admin=302)),
    ("auth.login", "GET", "/login", dict(anonymous=200, participant=302, coach=302, hr=302, admin=302)),
    ("auth.login", "POST", "/login", dict(anonymous=200, participant=302, coach=302, hr=302, admin=302)),
    ("auth.register", "GET", "/register", dict(anonymous=200, participant=302, coach=302, hr=302, admin=302)),
    ("auth.register", "POST", "/register", dict(anonymous=200, participant=302, coach=302, hr=302, admin=302)),
    ("auth.logout", "POST", "/logout", dict(anonymous=302, participant=302, coach=302, hr=302, admin=302)),
    ("auth.account", "GET", "/account", dict(anonymous=302, participant=200, coach=200, hr=200, admin=200)),
    ("auth.change_password", "GET", "/account/password",
     dict(anonymous=302, participant=200, coach=200, hr=200, admin=200)),
    ("auth.change_password", "POST", "/account/password",
     dict(anonymous=302, participant=200, coach=200, hr=200, admin=200)),
    ("participant.home", "GET", "/me/", dict(anonymous=302, participant=200, coach=403, hr=403, admin=403)),
    ("coach.caseload", "GET", "/coach/", dict(anonymous=302, participant=403, coach=200, hr=403, admin=403)),
    ("hr.dashboard", "GET", "/hr/", dict(anonymous=302, participant=403, coach=403, hr=200, admin=403)),
    ("admin.overview", "GET", "/admin/", dict(anonymous=302, participant=403, coach=403, hr=403, admin=200)),
    ("admin.users_list", "GET", "/admin/users",
     dict(anonymous=302, participant=403, coach=403, hr=403, admin=200)),
    ("admin.new_user", "GET", "/admin/users/new",
     dict(anonymous=302, participant=403, coach=403, hr=403, admin=200)),
    ("admin.new_user", "POST", "/admin/users/new",
     dict(anonymous=302, participant=403, coach=403, hr=403, admin=200)),
    ("admin.set_active", "POST", "/admin/users/{user}/active",
     dict(anonymous=302, participant=403, coach=403, hr=403, admin=302)),
]


def test_every_route_is_in_the_table(app):
    registered = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(endpoint, method) for endpoint, method, _, _ in ACCESS_TABLE}
    assert registered - listed == set(), "routes missing from ACCESS_TABLE"
    assert listed - registered == set(), "ACCESS_TABLE lists routes that do not exist"


def test_every_route_declares_a_rule(app):
    with app.test_request_context():
        missing = [r.endpoint for r in app.url_map.iter_rules() if rule_for(r.endpoint) is None]
    assert missing == []


def test_public_routes_are_few(app):
    with app.test_request_context():
        public = sorted({r.endpoint for r in app.url_map.iter_rules() if rule_for(r.endpoint) == PUBLIC})
    assert public == ["auth.login", "auth.register", "main.health", "main.index", "main.set_language", "static"]


CASES = [(endpoint, method, path, role, expected[role])
         for endpoint, method, path, expected in ACCESS_TABLE for role in ROLES]


@pytest.mark.parametrize("endpoint, method, path, role, expected", CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_access(app, users, login, endpoint, method, path, role, expected):
    client = app.test_client() if role == "anonymous" else login(users[role])
    target = users["participant"] if role == "admin" else users["coach"]
    response = client.open(path.format(user=target.id), method=method)
    assert response.status_code == expected, response.headers.get("Location")
    if role == "anonymous" and expected == 302 and endpoint not in {"main.set_language", "auth.logout"}:
        assert "/login" in response.headers["Location"]


def test_undeclared_route_is_refused(app, users, login):
    @app.get("/undeclared")
    def undeclared():
        return "should never be served"

    assert login(users["admin"]).get("/undeclared").status_code == 403
    assert app.test_client().get("/undeclared").status_code == 403
