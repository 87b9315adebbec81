"""Registration, login, the password rules, no enumeration, and sessions that really end."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.models import AuditEntry, Role, User, UserSession

from .factories import PASSWORD, create_user


def register(client, **overrides):
    data = {"display_name": "Amina", "email": "amina@example.org", "password": "a long sentence of mine",
            "confirm": "a long sentence of mine"}
    data.update(overrides)
    if "password" in overrides and "confirm" not in overrides:
        data["confirm"] = overrides["password"]
    return client.post("/register", data=data)


def test_register_creates_participant_and_logs_in(client):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/")
    user = db.session.scalar(select(User).where(User.email == "amina@example.org"))
    assert user.role == Role.PARTICIPANT and user.profile is not None
    assert user.password_hash.startswith("$argon2id$")
    assert client.get("/me/").status_code == 200
    # no consent is assumed at registration
    assert not user.profile.consent_matching and not user.profile.consent_findable


@pytest.mark.parametrize("password, message", [
    ("short", b"at least 8 characters"),
    ("password1", b"too common"),
    ("iloveyou123", b"too common"),
    ("x" * 129, b"at most 128 characters"),
    ("amina@example.org", b"e-mail address or name"),
])
def test_register_refuses_weak_passwords(client, password, message):
    response = register(client, password=password)
    assert response.status_code == 200
    assert message in response.data
    assert db.session.scalar(select(User).where(User.email == "amina@example.org")) is None


@pytest.mark.parametrize("password", ["abcdefgh", "a" * 64, "x" * 128, "only lowercase words", "كلمة سر طويلة"])
def test_register_accepts_long_passwords_without_composition_rules(client, password):
    response = register(client, password=password)
    assert response.status_code == 302


def test_register_rejects_mismatched_confirmation(client):
    response = register(client, confirm="something else entirely")
    assert b"not the same" in response.data
    assert db.session.scalar(select(User)) is None


def test_register_duplicate_email_changes_nothing(client):
    existing = create_user(email="amina@example.org", display_name="Original")
    response = register(client, display_name="Impostor")
    assert response.status_code == 200
    assert b"already exists" in response.data
    db.session.refresh(existing)
    assert existing.display_name == "Original"
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


@pytest.mark.parametrize("role, landing", [
    (Role.PARTICIPANT, "/me/"), (Role.COACH, "/coach/"), (Role.HR, "/hr/"), (Role.ADMIN, "/admin/"),
])
def test_login_lands_on_role_page(client, role, landing):
    user = create_user(role)
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith(landing)
    assert client.get(landing).status_code == 200
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login")).actor_id == user.id


def test_login_same_answer_for_unknown_email_and_wrong_password(client):
    user = create_user(email="known@example.org")
    wrong = client.post("/login", data={"email": user.email, "password": "wrong password here"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "wrong password here"})
    assert wrong.status_code == unknown.status_code == 200
    strip = lambda html: html.replace(b"known@example.org", b"").replace(b"nobody@example.org", b"")  # noqa: E731
    assert strip(wrong.data) == strip(unknown.data)
    assert b"not correct" in wrong.data
    failures = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).all()
    assert len(failures) == 2


def test_login_next_only_follows_local_paths(client):
    user = create_user(Role.COACH)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "next": "https://evil.example/steal"})
    assert response.headers["Location"].endswith("/coach/")
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/account"})
    assert response.headers["Location"].endswith("/account")


def test_deactivated_user_cannot_log_in(client):
    user = create_user(active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and b"not correct" in response.data


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_logout_revokes_a_copied_cookie(app, client):
    user = create_user()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    stolen = _cookie(client)
    assert client.get("/me/").status_code == 200
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/me/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_revokes_other_sessions_and_old_cookie(app, client):
    user = create_user()
    other_device = app.test_client()
    other_device.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    old_cookie = _cookie(client)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "a brand new sentence", "confirm": "a brand new sentence"})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200  # this session continues with a new token
    assert other_device.get("/me/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/me/").status_code == 302
    # the new password works, the old one does not
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"email": user.email, "password": "a brand new sentence"}).status_code == 302


def test_password_change_with_wrong_current_password_changes_nothing(client, login):
    user = create_user()
    client = login(user)
    before = user.password_hash
    response = client.post("/account/password", data={
        "current_password": "not my password", "password": "a brand new sentence",
        "confirm": "a brand new sentence"})
    assert response.status_code == 200 and b"not correct" in response.data
    db.session.refresh(user)
    assert user.password_hash == before


def test_deactivation_ends_sessions(client, login, users):
    target = users["participant"]
    target_client = login(target)
    assert target_client.get("/me/").status_code == 200
    admin_client = login(users["admin"])
    response = admin_client.post(f"/admin/users/{target.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert target_client.get("/me/").status_code == 302
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == target.id)).all()
    assert sessions and all(s.revoked_at is not None for s in sessions)


def test_idle_session_expires(app, login, users):
    client = login(users["participant"])
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == users["participant"].id))
    row.last_seen_at -= timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    db.session.commit()
    assert client.get("/me/").status_code == 302


def test_session_id_changes_at_login(client):
    user = create_user()
    client.get("/")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_absolute_lifetime_ends_even_an_active_session(app, login, users):
    client = login(users["participant"])
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == users["participant"].id))
    row.created_at -= timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1)
    row.last_seen_at = row.created_at + timedelta(hours=app.config["SESSION_MAX_HOURS"])  # active until now
    db.session.commit()
    assert client.get("/me/").status_code == 302


def test_session_cookie_flags(client):
    from mimi_match.config import ProductionConfig

    user = create_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ProductionConfig.SESSION_COOKIE_SECURE is True  # Secure outside development
