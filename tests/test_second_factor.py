"""The second factor (TOTP) through the pages: enrolment, login with a code and with a recovery code,
required for staff, removed by an administrator."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.models import AuditEntry, Role, User

from .factories import PASSWORD, create_user

STAFF = {"MFA_REQUIRED_ROLES": "admin,coach,hr"}


def _password_login(client, user: User):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


def _enrol(client) -> tuple[str, list[str]]:
    """Set up the second factor through the page; returns the secret and the recovery codes shown."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, made on the server, no outside service
    secret = re.search(r'<code[^>]*>([A-Z2-7]{32})</code>', page).group(1)
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r'<li class="col">([0-9a-f]{6}-[0-9a-f]{6})</li>', response.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def _next_code(secret: str) -> str:
    """A code of the next time step (the current one was used for enrolment; a code works once)."""
    totp = pyotp.TOTP(secret)
    return totp.at(int(time.time()) + totp.interval)


def test_a_participant_enrols_and_then_logs_in_with_a_code(app, users, login):
    person = users["participant"]
    client = login(person)
    secret, _codes = _enrol(client)
    db.session.expire_all()
    assert db.session.get(User, person.id).totp_enabled_at is not None
    fresh = app.test_client()
    response = _password_login(fresh, person)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert fresh.get("/me/").status_code == 302  # the password alone opens nothing
    response = fresh.post("/login/code", data={"code": "000000"})
    assert response.status_code == 200 and b"not right" in response.data
    response = fresh.post("/login/code", data={"code": _next_code(secret)})
    assert response.status_code == 302
    assert fresh.get("/me/").status_code == 200


def test_a_code_works_once(app, users, login):
    person = users["participant"]
    secret, _codes = _enrol(login(person))
    code = _next_code(secret)
    first = app.test_client()
    _password_login(first, person)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    second = app.test_client()
    _password_login(second, person)
    assert second.post("/login/code", data={"code": code}).status_code == 200  # replayed: refused


def test_a_recovery_code_works_once(app, users, login):
    person = users["hr"]
    _secret, codes = _enrol(login(person))
    client = app.test_client()
    _password_login(client, person)
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    again = app.test_client()
    _password_login(again, person)
    assert again.post("/login/code", data={"code": codes[0]}).status_code == 200
    assert again.post("/login/code", data={"code": codes[1]}).status_code == 302
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "recovery_code_used"))


def test_a_worker_that_read_the_account_before_another_accepted_the_code_refuses_it(app, users, login):
    """The race between two workers: both read the account, the other one accepts the code (or the recovery
    code) and commits first; this one's view is stale, and its conditional write finds the row changed."""
    from sqlalchemy import update

    from mimi_match.services import second_factor

    person = users["participant"]
    secret, codes = _enrol(login(person))
    totp = pyotp.TOTP(secret)
    code = _next_code(secret)
    behind_its_back = update(User).where(User.id == person.id).execution_options(synchronize_session=False)

    stale = db.session.get(User, person.id)
    others = [c for c in stale.recovery_codes if c != second_factor._hash(codes[0])]
    db.session.execute(behind_its_back.values(recovery_codes=others))  # the other worker used codes[0]
    assert second_factor._hash(codes[0]) in stale.recovery_codes  # this one still sees it unused
    assert second_factor.check(stale, codes[0]) is False

    stale = db.session.get(User, person.id)
    step = (int(time.time()) + totp.interval) // totp.interval
    db.session.execute(behind_its_back.values(totp_last_step=step))  # the other worker accepted the code
    assert stale.totp_last_step < step
    assert second_factor.check(stale, code) is False
    assert second_factor.check(db.session.get(User, person.id), codes[1]) is True
    db.session.expire_all()
    assert len(db.session.get(User, person.id).recovery_codes) == 8


def test_guessing_codes_is_throttled(app, users, login):
    person = users["participant"]
    _enrol(login(person))
    client = app.test_client()
    _password_login(client, person)
    answers = [client.post("/login/code", data={"code": f"{n:06d}"}).status_code for n in range(6)]
    assert answers[:5] == [200] * 5 and answers[5] == 429


def test_the_code_step_without_a_password_step_goes_back_to_login(app):
    client = app.test_client()
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("app", [STAFF], indirect=True)
def test_staff_must_set_up_a_second_factor_before_anything_else(app, users, login):
    coach = login(users["coach"])
    response = coach.get("/coach/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    assert coach.get("/coach/review").headers["Location"].endswith("/account/two-factor")
    _enrol(coach)
    assert coach.get("/coach/").status_code == 200
    participant = login(users["participant"])
    assert participant.get("/me/").status_code == 200  # optional for participants


@pytest.mark.parametrize("app", [STAFF], indirect=True)
def test_staff_cannot_switch_a_required_second_factor_off(app, users, login):
    hr = login(users["hr"])
    _enrol(hr)
    page = hr.get("/account/two-factor").get_data(as_text=True)
    assert "Switch the second factor off" not in page
    hr.post("/account/two-factor", data={"password": PASSWORD, "action": "disable"})
    db.session.expire_all()
    assert db.session.get(User, users["hr"].id).totp_enabled_at is not None


def test_a_participant_can_switch_it_off_with_the_password(app, users, login):
    client = login(users["participant"])
    _enrol(client)
    assert client.post("/account/two-factor", data={"password": "wrong one", "action": "disable"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, users["participant"].id).totp_enabled_at is not None
    assert client.post("/account/two-factor", data={"password": PASSWORD, "action": "disable"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, users["participant"].id).totp_enabled_at is None


def test_new_recovery_codes_replace_the_old_ones(app, users, login):
    person = users["participant"]
    client = login(person)
    _secret, old = _enrol(client)
    response = client.post("/account/two-factor", data={"password": PASSWORD, "action": "codes"})
    new = re.findall(r'<li class="col">([0-9a-f]{6}-[0-9a-f]{6})</li>', response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    fresh = app.test_client()
    _password_login(fresh, person)
    assert fresh.post("/login/code", data={"code": old[0]}).status_code == 200
    assert fresh.post("/login/code", data={"code": new[0]}).status_code == 302


def test_an_administrator_removes_a_lost_second_factor(app, users, login):
    coach = users["coach"]
    coach_client = login(coach)
    _enrol(coach_client)
    admin = login(users["admin"])
    assert "Remove second factor" in admin.get("/admin/users?q=" + coach.email).get_data(as_text=True)
    assert admin.post(f"/admin/users/{coach.id}/second-factor").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, coach.id).totp_secret is None
    assert coach_client.get("/coach/").status_code == 302  # logged out everywhere
    fresh = app.test_client()
    assert _password_login(fresh, coach).headers["Location"].endswith("/coach/")  # password only, until set up
    other = login(create_user(Role.COACH))
    assert other.post(f"/admin/users/{coach.id}/second-factor").status_code == 403


def test_a_password_reset_does_not_skip_the_second_factor(app, users, login, monkeypatch, run_jobs):
    """The reset link proves the mailbox, not the phone: after it, the login still asks for the code."""
    from mimi_match.services import mail

    sent = []
    monkeypatch.setattr(mail, "deliver", lambda message, raise_errors=False: sent.append(message))
    person = users["coach"]
    secret, _codes = _enrol(login(person))
    client = app.test_client()
    client.post("/password/forgot", data={"email": person.email})
    run_jobs()
    path = re.search(r"https?://[^\s/]+(/password/reset/\S+)", sent[0].body).group(1)
    response = client.post(path, data={"password": "a brand new sentence of mine",
                                       "confirm": "a brand new sentence of mine"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/coach/").status_code == 302  # not logged in
    response = client.post("/login", data={"email": person.email, "password": "a brand new sentence of mine"})
    assert response.headers["Location"].endswith("/login/code")
    assert client.post("/login/code", data={"code": _next_code(secret)}).status_code == 302
    assert client.get("/coach/").status_code == 200
