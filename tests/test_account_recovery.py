"""Accounts people can keep: password reset, e-mail confirmation, staff invitations, through the pages."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.models import AuditEntry, Match, MatchStatus, Role, User
from mimi_match.models.base import utcnow
from mimi_match.services import mail

from .factories import PASSWORD, create_organisation, create_position, create_user, login_as

NEW_PASSWORD = "a brand new sentence of mine"



def _later(monkeypatch, delta: timedelta) -> None:
    """Links are checked as if ``delta`` had passed (their signature holds the time they were made)."""
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) + int(delta.total_seconds()))


def _link(message: mail.Mail, path: str) -> str:
    found = re.search(rf"https?://[^\s/]+({re.escape(path)}[^\s]+)", message.body)
    assert found, message.body
    return found.group(1)


def _ask_reset(client, email: str):
    return client.post("/password/forgot", data={"email": email})


# --- password reset ---------------------------------------------------------------------------------

def test_reset_sets_a_new_password_and_ends_every_other_session(app, users, login, outbox, run_jobs):
    participant = users["participant"]
    elsewhere = login(participant)  # logged in on another device
    assert elsewhere.get("/me/").status_code == 200
    client = app.test_client()
    response = _ask_reset(client, participant.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    run_jobs()
    assert [m.to for m in outbox] == [participant.email]
    path = _link(outbox[0], "/password/reset/")
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302  # logged in with the new password, on this device only
    assert client.get("/me/").status_code == 200
    assert elsewhere.get("/me/").status_code == 302  # the other session ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": participant.email, "password": PASSWORD}).status_code == 200
    assert fresh.post("/login", data={"email": participant.email, "password": NEW_PASSWORD}).status_code == 302
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "password_reset",
                                                         AuditEntry.subject_user_id == participant.id))


def test_a_reset_link_works_once(app, users, outbox, run_jobs):
    client = app.test_client()
    _ask_reset(client, users["coach"].email)
    run_jobs()
    path = _link(outbox[0], "/password/reset/")
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    again = app.test_client().post(path, data={"password": "yet another sentence here", "confirm":
                                               "yet another sentence here"})
    assert again.status_code == 404 and b"used already or is too old" in again.data
    db.session.expire_all()
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": users["coach"].email, "password": NEW_PASSWORD}).status_code == 302


def test_a_reset_link_expires(app, users, outbox, run_jobs, monkeypatch):
    client = app.test_client()
    _ask_reset(client, users["hr"].email)
    run_jobs()
    path = _link(outbox[0], "/password/reset/")
    _later(monkeypatch, timedelta(minutes=app.config["PASSWORD_RESET_MINUTES"] + 1))
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404 and b"Ask for a new one" in response.data
    assert app.test_client().post("/login", data={"email": users["hr"].email,
                                                  "password": PASSWORD}).status_code == 302


def test_a_forged_or_mangled_link_changes_nothing(app, users, outbox, run_jobs):
    client = app.test_client()
    _ask_reset(client, users["participant"].email)
    run_jobs()
    path = _link(outbox[0], "/password/reset/")
    for bad in (path[:-3] + "abc", "/password/reset/nonsense", "/password/reset/" + "x" * 600,
                path.replace("/password/reset/", "/invitation/")):
        response = client.post(bad, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 404, bad
    assert app.test_client().post("/login", data={"email": users["participant"].email,
                                                  "password": PASSWORD}).status_code == 302


def test_reset_answers_the_same_for_unknown_addresses(app, users, outbox, run_jobs):
    known = _ask_reset(app.test_client(), users["participant"].email)
    unknown = _ask_reset(app.test_client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    page_known = app.test_client().get(known.headers["Location"])
    assert page_known.status_code == 200
    run_jobs()
    assert [m.to for m in outbox] == [users["participant"].email]  # the unknown address got nothing


def test_reset_refuses_a_weak_password_and_keeps_the_link(app, users, outbox, run_jobs):
    client = app.test_client()
    _ask_reset(client, users["participant"].email)
    run_jobs()
    path = _link(outbox[0], "/password/reset/")
    response = client.post(path, data={"password": "qwertyuiop", "confirm": "qwertyuiop"})
    assert response.status_code == 200 and b"too common" in response.data
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_reset_requests_are_throttled_per_address(app, users, outbox, run_jobs):
    email = users["participant"].email
    answers = [_ask_reset(app.test_client(), email).status_code for _ in range(4)]
    assert answers[:3] == [302, 302, 302] and answers[3] == 429
    run_jobs()
    assert len(outbox) == 3


def test_throttled_answers_say_when_to_try_again(app, users):
    email = users["participant"].email
    for _ in range(int(app.config["LOGIN_LIMIT_ACCOUNT"].split()[0])):
        app.test_client().post("/login", data={"email": email, "password": "wrong password here"})
    response = app.test_client().post("/login", data={"email": email, "password": "wrong password here"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_an_administrator_sends_a_reset_link(app, users, login, outbox, run_jobs):
    admin = login(users["admin"])
    response = admin.post(f"/admin/users/{users['coach'].id}/reset")
    assert response.status_code == 302
    run_jobs()
    assert [m.to for m in outbox] == [users["coach"].email]
    path = _link(outbox[0], "/password/reset/")
    assert app.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": users["coach"].email, "password": NEW_PASSWORD}).status_code == 302
    assert admin.post("/admin/users/999999/reset").status_code == 404
    assert login(users["coach"]).post(f"/admin/users/{users['admin'].id}/reset").status_code == 403


def test_links_in_mails_use_the_public_address_not_the_host_header(app, users, outbox, run_jobs):
    app.config["PUBLIC_URL"] = "https://match.example.org"
    app.test_client().post("/password/forgot", data={"email": users["participant"].email},
                           headers={"Host": "evil.example"})
    run_jobs()
    assert "https://match.example.org/password/reset/" in outbox[0].body
    assert "evil.example" not in outbox[0].body


# --- e-mail confirmation ------------------------------------------------------------------------------

def _register(client, email="amina@example.org"):
    return client.post("/register", data={"display_name": "Amina", "email": email,
                                          "password": "my long and secret sentence", "confirm":
                                          "my long and secret sentence"})


def test_registration_asks_to_confirm_the_address(app, outbox, run_jobs):
    client = app.test_client()
    assert _register(client).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "amina@example.org"))
    assert user.email_verified_at is None
    home = client.get("/me/").get_data(as_text=True)
    assert "Please confirm your e-mail address" in home  # the profile works meanwhile
    run_jobs()
    assert [m.to for m in outbox] == ["amina@example.org"]
    path = _link(outbox[0], "/account/confirm/")
    response = client.get(path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_verified_at is not None
    assert "Please confirm your e-mail address" not in client.get("/me/").get_data(as_text=True)
    assert client.get(path).status_code == 302  # a second click is harmless


def test_unconfirmed_participants_are_not_shown_to_employers(app, users, outbox):
    client = app.test_client()
    _register(client)
    user = db.session.scalar(select(User).where(User.email == "amina@example.org"))
    user.profile.consent_findable = True
    user.profile.consent_share_on_interest = True
    organisation = users["hr"].organisation
    position = create_position(organisation)
    match = Match(profile_id=user.profile.id, position_id=position.id, score=0.9, status=MatchStatus.APPROVED)
    db.session.add(match)
    db.session.commit()
    from mimi_match.services import candidates

    assert all(card.reference != candidates.card_reference(users["hr"].organisation, user.profile.id)
               for card in candidates.findable_page(users["hr"]).cards)
    response = client.post(f"/me/suggestions/{match.id}/answer", data={"answer": "interested"},
                           follow_redirects=True)
    assert b"confirm your e-mail address first" in response.data
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == MatchStatus.APPROVED  # nothing changed
    user = db.session.get(User, user.id)
    user.email_verified_at = utcnow()
    db.session.commit()
    assert any(card.reference == candidates.card_reference(users["hr"].organisation, user.profile.id)
               for card in candidates.findable_page(users["hr"]).cards)
    client.post(f"/me/suggestions/{match.id}/answer", data={"answer": "interested"})
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == MatchStatus.INTERESTED


def test_confirmation_can_be_sent_again_but_not_endlessly(app, outbox, run_jobs):
    client = app.test_client()
    _register(client)
    answers = [client.post("/account/confirm").status_code for _ in range(4)]
    assert answers == [302, 302, 302, 429]
    run_jobs()
    assert len(outbox) == 4  # the first at registration, then three on request


def test_an_old_confirmation_link_is_refused(app, outbox, run_jobs, monkeypatch):
    client = app.test_client()
    _register(client)
    run_jobs()
    path = _link(outbox[0], "/account/confirm/")
    _later(monkeypatch, timedelta(days=app.config["EMAIL_VERIFY_DAYS"] + 1))
    response = client.get(path, follow_redirects=True)
    assert b"not valid any more" in response.data
    user = db.session.scalar(select(User).where(User.email == "amina@example.org"))
    assert user.email_verified_at is None


def test_changing_the_address_asks_to_confirm_the_new_one(app, users, login, outbox, run_jobs):
    client = login(users["participant"])
    response = client.post("/account/email", data={"email": "new@example.org", "current_password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, users["participant"].id).email_verified_at is None
    run_jobs()
    assert outbox[-1].to == "new@example.org"
    client.get(_link(outbox[-1], "/account/confirm/"))
    db.session.expire_all()
    assert db.session.get(User, users["participant"].id).email_verified_at is not None


def test_registration_is_throttled_per_client_address(app):
    answers = [_register(app.test_client(), f"person{i}@example.org").status_code for i in range(6)]
    assert answers[:5] == [302] * 5 and answers[5] == 429
    assert db.session.scalar(select(User.id).where(User.email == "person5@example.org")) is None


# --- staff invitations --------------------------------------------------------------------------------

def test_an_invited_coach_chooses_their_own_password(app, users, login, outbox, run_jobs):
    admin = login(users["admin"])
    response = admin.post("/admin/users/new", data={"display_name": "Kari Coach", "email": "kari@example.org",
                                                    "role": "coach", "organisation_id": "0"})
    assert response.status_code == 302
    kari = db.session.scalar(select(User).where(User.email == "kari@example.org"))
    assert kari.role == Role.COACH and kari.email_verified_at is None
    assert "invited, no password yet" in admin.get("/admin/users?q=kari").get_data(as_text=True)
    run_jobs()
    assert [m.to for m in outbox] == ["kari@example.org"]
    path = _link(outbox[0], "/invitation/")
    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    assert "kari@example.org" in page
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/coach/")
    assert client.get("/coach/").status_code == 200
    assert app.test_client().get(path).status_code == 404  # used
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "kari@example.org", "password": NEW_PASSWORD}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, kari.id).email_verified_at is not None


def test_an_invitation_sent_again_replaces_the_first(app, users, login, outbox, run_jobs):
    admin = login(users["admin"])
    org = create_organisation("Fjord Hotel")
    admin.post("/admin/users/new", data={"display_name": "Per HR", "email": "per@example.org", "role": "hr",
                                         "organisation_id": str(org.id)})
    per = db.session.scalar(select(User).where(User.email == "per@example.org"))
    assert admin.post(f"/admin/users/{per.id}/invitation").status_code == 302
    run_jobs()
    first, second = (_link(m, "/invitation/") for m in outbox)
    client = app.test_client()
    assert client.get(first).status_code == 404
    assert client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    response = admin.post(f"/admin/users/{per.id}/invitation", follow_redirects=True)
    assert b"accepted the invitation already" in response.data


def test_nobody_can_log_in_to_an_invited_account_before_it_is_accepted(app, users, login, outbox):
    admin = login(users["admin"])
    admin.post("/admin/users/new", data={"display_name": "Kari Coach", "email": "kari@example.org",
                                         "role": "coach", "organisation_id": "0"})
    for guess in ("", PASSWORD, "kari@example.org"):
        assert app.test_client().post("/login", data={"email": "kari@example.org",
                                                      "password": guess}).status_code == 200


def test_a_reset_while_logged_in_elsewhere_does_not_log_in_the_old_cookie(app, users, outbox, run_jobs):
    user = users["participant"]
    client = app.test_client()
    login_as(client, user)
    _ask_reset(app.test_client(), user.email)
    run_jobs()
    app.test_client().post(_link(outbox[0], "/password/reset/"),
                           data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get("/me/").status_code == 302


# --- look-alike addresses -----------------------------------------------------------------------------

@pytest.mark.parametrize("look_alike", [
    "\u0430nna@example.org",  # Cyrillic а
    "ann\u0430@ex\u0430mple.org",
    "anna@example.org",  # the very same address
    "ＡＮＮＡ@example.org",  # fullwidth letters: NFKC makes them the same address
    "\u00e1nna@example.org",  # an accent over a letter
])
def test_look_alike_addresses_are_refused(app, look_alike):
    create_user(email="anna@example.org")
    response = _register(app.test_client(), look_alike)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "already exists" in text or "looks just like the address of another account" in text
    assert db.session.scalar(select(User.id).where(User.email != "anna@example.org",
                                                   User.role == Role.PARTICIPANT, User.display_name == "Amina")) is None


def test_composed_and_decomposed_accents_are_one_address(app):
    create_user(email="jos\u00e9@example.org")  # é composed
    response = _register(app.test_client(), "jose\u0301@example.org")  # e + combining accent
    assert response.status_code == 200 and "already exists" in response.get_data(as_text=True)
    login = app.test_client().post("/login", data={"email": "jose\u0301@example.org", "password": PASSWORD})
    assert login.status_code == 302


def test_a_different_address_is_not_a_look_alike(app):
    create_user(email="anna@example.org")
    assert _register(app.test_client(), "anna0@example.org").status_code == 302
    assert _register(app.test_client(), "hanna@example.org").status_code == 302
