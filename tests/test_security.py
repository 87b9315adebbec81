"""Security: login throttling, headers, CSRF on every changing route."""
from __future__ import annotations

import socket
import uuid

import pytest

from mimi_match.app import create_app
from mimi_match.extensions import db

from . import conftest
from .factories import PASSWORD, create_user


def _login(client, email, password, ip="10.0.0.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_five_failures_for_one_account_lock_it_for_a_while(app, client):
    person = create_user()
    for _ in range(5):
        assert _login(client, person.email, "wrong password").status_code == 200
    response = _login(client, person.email, PASSWORD)  # even the right password now waits
    assert response.status_code == 429 and b"Traceback" not in response.data
    other = create_user()
    assert _login(client, other.email, PASSWORD).status_code == 302  # other accounts are not locked


def test_successful_logins_do_not_count(app, client):
    person = create_user()
    for _ in range(8):
        assert _login(app.test_client(), person.email, PASSWORD).status_code == 302


def test_twenty_failures_from_one_address(app, client):
    people = [create_user() for _ in range(5)]
    for n in range(20):
        assert _login(client, people[n % 5].email + "x", "wrong", ip="10.0.0.9").status_code == 200
    assert _login(client, people[0].email, PASSWORD, ip="10.0.0.9").status_code == 429
    assert _login(client, people[0].email, PASSWORD, ip="10.0.0.10").status_code == 302


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_workers_share_the_count_through_redis(tmp_path):
    """Two app instances (two gunicorn workers) with the same Redis and database see one count."""
    unique = uuid.uuid4().hex
    settings = dict(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
                    SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'workers.db'}")
    first, second = (create_app(conftest.config_settings(**settings)) for _ in range(2))
    with first.app_context():
        db.create_all()
        email = create_user(email=f"{unique}@example.org").email
        db.session.remove()
    for n in range(5):
        worker = (first, second)[n % 2]
        assert _login(worker.test_client(), email, "wrong").status_code == 200
    assert _login(second.test_client(), email, PASSWORD).status_code == 429
    import redis

    stored = list(redis.Redis(host="127.0.0.1", port=6379).scan_iter(f"*{unique}*"))
    assert stored, "the counts are not in Redis"


def test_login_keeps_working_when_redis_is_unreachable(tmp_path, caplog):
    """Throttling storage down (nothing listens on the port): logins still work, throttled per process, and
    the outage is logged."""
    settings = dict(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
                    SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'noredis.db'}")
    app = create_app(conftest.config_settings(**settings))
    with app.app_context():
        db.create_all()
        email = create_user(email="someone@example.org").email
        db.session.remove()
    assert _login(app.test_client(), email, PASSWORD).status_code == 302
    answers = [_login(app.test_client(), email, "wrong").status_code for _ in range(6)]
    assert answers[:5] == [200] * 5 and answers[5] == 429  # still throttled, in this process
    assert any("fall" in r.getMessage().lower() or "storage" in r.getMessage().lower()
               for r in caplog.records if r.levelname in ("WARNING", "ERROR"))


# --- CSRF: every changing route refuses a request without a valid token ------------------------------------

CHANGING = ("POST", "PUT", "PATCH", "DELETE")


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_every_changing_route_refuses_a_missing_or_wrong_csrf_token(app, users, login):
    from .test_access import ACCESS_TABLE, ROLES, route_values

    registered = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods & set(CHANGING)}
    rows = [(endpoint, method, path) for endpoint, method, path, _ in ACCESS_TABLE if method in CHANGING]
    assert {(e, m) for e, m, _ in rows} == registered  # the walk covers the whole URL map
    checked = 0
    values = route_values(users, "admin")
    for role in ROLES:
        client = app.test_client() if role == "anonymous" else login(users[role])
        for endpoint, method, path in rows:
            for token in (None, "forged-token"):
                data = {} if token is None else {"csrf_token": token}
                response = client.open(path.format(**values), method=method, data=data)
                location = response.headers.get("Location", "")
                refused = response.status_code in (400, 403) or (role == "anonymous" and "/login" in location)
                # the REST API takes no cookies, only a bearer key a forged form cannot carry: 401 without one
                refused = refused or (endpoint.startswith("api_v1_") and response.status_code == 401)
                assert refused, (endpoint, role, token, response.status_code, location)
                checked += 1
    assert checked == len(rows) * len(ROLES) * 2
    print(f"\nCSRF walk: {len(rows)} changing routes x {len(ROLES)} roles x 2 = {checked} requests refused")


def test_security_headers_on_every_response(app, users, login):
    anonymous = app.test_client()
    responses = [anonymous.get("/"), anonymous.get("/no-such-page"), anonymous.get("/static/css/app.css"),
                 login(users["participant"]).get("/me/")]
    for response in responses:
        response.close()
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp and "script-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" in headers  # testing counts as "outside development"
    assert login(users["participant"]).get("/me/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in anonymous.get("/").headers.get("Cache-Control", "")


def test_no_hsts_in_development():
    from mimi_match.config import DevelopmentConfig

    settings = conftest.config_settings(DevelopmentConfig, SQLALCHEMY_DATABASE_URI="sqlite://",
                                        PRELOAD_VOCABULARY=False)
    response = create_app(settings).test_client().get("/health")
    assert "Strict-Transport-Security" not in response.headers


def test_templates_and_static_files_hold_no_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in list((root / "templates").rglob("*.html")):
        if path.name == "standalone.html":  # the downloaded file carries its own styles by design
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (" style=", "<style", "<script>", " onclick=", " onchange=", " onsubmit=", "javascript:"):
            if pattern in text:
                offenders.append(f"{path.name}: {pattern}")
    assert offenders == []
