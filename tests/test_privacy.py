"""GDPR rights: export everything, erase everything, retention; re-authentication for the e-mail."""
from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import (
    ActionPlanItem,
    AuditEntry,
    CoachNote,
    Evaluation,
    EvaluationVoice,
    FailedJob,
    Match,
    MatchEvent,
    MatchStatus,
    ModelSnapshot,
    Notification,
    ParticipantProfile,
    ParticipantSkill,
    Placement,
    PlacementStatus,
    Position,
    Role,
    User,
    UserSession,
)
from mimi_match.models.base import utcnow
from mimi_match.services import matching, privacy, snapshots
from mimi_match.services.matching_worker import state, worker_for

from .factories import PASSWORD, create_user
from .test_journey import _setup


def _full_story(users, login):
    """A participant with suggestions, a placement with an evaluation, a plan step and a coach note."""
    person, good, other = _setup(users)
    profile = person.profile
    match = db.session.scalar(select(Match).where(Match.profile_id == profile.id, Match.position_id == good.id))
    match.status = MatchStatus.PLACED
    match.events.append(MatchEvent(from_status=MatchStatus.SUGGESTED, to_status=MatchStatus.PLACED,
                                   actor_id=person.id))
    db.session.flush()
    placement = Placement(match_id=match.id, coach_id=users["coach"].id, start_date=date.today(),
                          status=PlacementStatus.COMPLETED)
    placement.evaluations.append(Evaluation(voice=EvaluationVoice.COMPANY, tasks_done="Floors", what_next=""))
    db.session.add_all([placement, ActionPlanItem(profile_id=profile.id, title="Course"),
                        CoachNote(profile_id=profile.id, author_id=users["coach"].id, body="Private remark")])
    db.session.commit()
    login(users["coach"]).get(f"/coach/participants/{profile.id}")  # a staff view: audited
    login(person).post(f"/opportunities/{other.id}/interest")  # the coach gets a notification naming them
    return person, good, other, placement


def test_export_holds_everything_about_me_and_no_secret(users, login):
    person, good, _other, placement = _full_story(users, login)
    response = login(person).get("/account/export")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == person.email and "password_hash" not in data["account"]
    assert all("token_hash" not in s for s in data["sessions"])
    assert data["profile"]["skills"] and isinstance(data["consent_history"], list)
    assert {m["position_id"] for m in data["matches"]} >= {good.id}
    assert any(m["history"] for m in data["matches"])
    assert data["placements"][0]["id"] == placement.id and data["evaluations"][0]["tasks_done"] == "Floors"
    assert [i["title"] for i in data["action_plan"]] == ["Course"]
    assert [n["body"] for n in data["coach_notes"]] == ["Private remark"]
    assert {"profile_viewed", "login"} <= {a["action"] for a in data["audit_entries"]}
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "data_exported"))
    assert login(users["coach"]).get("/account/export").status_code == 403


def _rows_about(user_id: int, profile_id: int) -> dict[str, int]:
    counts = {
        "users": db.session.scalar(select(func.count()).select_from(User).where(User.id == user_id)),
        "profiles": db.session.scalar(select(func.count()).select_from(ParticipantProfile)
                                      .where(ParticipantProfile.id == profile_id)),
        "matches": db.session.scalar(select(func.count()).select_from(Match).where(Match.profile_id == profile_id)),
        "sessions": db.session.scalar(select(func.count()).select_from(UserSession)
                                      .where(UserSession.user_id == user_id)),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEntry)
                                   .where((AuditEntry.subject_user_id == user_id) | (AuditEntry.actor_id == user_id))),
        "notes": db.session.scalar(select(func.count()).select_from(CoachNote)
                                   .where(CoachNote.profile_id == profile_id)),
        "plan": db.session.scalar(select(func.count()).select_from(ActionPlanItem)
                                  .where(ActionPlanItem.profile_id == profile_id)),
        "placements": db.session.scalar(select(func.count()).select_from(Placement)),
        "evaluations": db.session.scalar(select(func.count()).select_from(Evaluation)),
        "notifications": db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.link == f"/coach/participants/{profile_id}")),
    }
    return counts


def _stored_participants(app) -> set[int]:
    """Participants in any model a process may use: the worker's own and every stored snapshot."""
    model = worker_for(app).model
    held = set(model.participant_row) if model is not None else set()
    for data in db.session.scalars(select(ModelSnapshot.data).where(ModelSnapshot.data.is_not(None))):
        held |= {p.id for p in snapshots.load(data, app.config["SECRET_KEY"]).participants}
    return held


def test_erasing_my_account_removes_every_row_about_me(app, users, login):
    person, good, other, _placement = _full_story(users, login)
    user_id, profile_id = person.id, person.profile.id
    matching.rebuild()
    assert profile_id in _stored_participants(app)
    fit_before = matching.served_model().version
    client = login(person)
    refused = client.post("/account/delete", data={"password": "wrong", "confirmation": "DELETE"})
    assert refused.status_code == 200 and b"not correct" in refused.data
    assert client.post("/account/delete", data={"password": PASSWORD, "confirmation": "yes"}).status_code == 200
    assert _rows_about(user_id, profile_id)["users"] == 1
    response = client.post("/account/delete", data={"password": PASSWORD, "confirmation": "delete"})
    assert response.status_code == 302
    db.session.expire_all()
    assert all(n == 0 for n in _rows_about(user_id, profile_id).values()), _rows_about(user_id, profile_id)
    assert profile_id not in _stored_participants(app)
    after = matching.current_version()  # refitted without them (here nobody else is left to match: no model)
    assert after is None or after.split(".")[0] != fit_before.split(".")[0]
    assert client.get("/me/").status_code == 302  # the old cookie no longer works
    # the employer keeps an anonymous count (the placement and the direct application)
    counts = dict(db.session.execute(select(Position.id, Position.erased_candidates)).all())
    assert counts[good.id] == 1 and counts[other.id] == 1
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "participant_erased")).detail == {
        "by": "self"}


def test_a_failing_model_store_during_erasure_leaves_no_model_that_holds_the_person(app, users, login, monkeypatch):
    """The disk is full when the worker stores the refitted model: the erasure stands, no model any process
    may use holds the person, no suggestion names a version that does not exist, the operator sees why,
    and the refit happens once storing works again."""
    person, _good, _other, _placement = _full_story(users, login)
    profile_id, user_id = person.profile.id, person.id
    words = "Zylberquist weaving"  # the person's own words, in no other profile
    login(person).post("/me/profile/skills", data={"skills": words})
    someone_else = create_user()
    someone_else.profile.consent_matching = True
    someone_else.profile.skills.append(ParticipantSkill(label="clean windows"))
    db.session.commit()
    matching.rebuild()
    assert profile_id in _stored_participants(app)
    version_before = matching.current_version()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshots, "dump", disk_full)
    response = login(person).post("/account/delete", data={"password": PASSWORD, "confirmation": "DELETE"})
    assert response.status_code == 302  # the user's erasure is done; the store failed in the worker
    db.session.expire_all()
    assert db.session.get(User, user_id) is None
    assert profile_id not in _stored_participants(app)
    stored = [snapshots.load(d, app.config["SECRET_KEY"]) for d in db.session.scalars(
        select(ModelSnapshot.data).where(ModelSnapshot.data.is_not(None)))]
    assert stored and all(words.lower() not in repr(vars(m)).lower() for m in stored)
    versions = set(db.session.scalars(select(ModelSnapshot.version)))
    assert set(db.session.scalars(select(Match.model_version).where(Match.model_version.is_not(None)))) <= versions
    assert matching.current_version() == version_before  # the last good model is still served
    assert "No space left" in state().last_error and db.session.scalar(select(func.count()).select_from(FailedJob))
    assert state().refit_due_at is not None  # tried again later
    monkeypatch.undo()
    row = state()
    row.refit_due_at = utcnow()
    db.session.commit()
    worker_for(app).run_once()
    assert matching.current_version().split(".")[0] != version_before.split(".")[0]


def test_erasure_that_cannot_be_saved_changes_nothing_and_says_so(app, users, login, monkeypatch):
    from sqlalchemy.exc import OperationalError

    person = users["participant"]
    client = login(person)
    real_commit = db.session.commit

    def failing_commit():
        if db.session.deleted:
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        return real_commit()

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = client.post("/account/delete", data={"password": PASSWORD, "confirmation": "DELETE"})
    monkeypatch.undo()
    assert response.status_code == 200 and b"nothing was deleted" in response.data
    db.session.expire_all()
    assert db.session.get(User, person.id) is not None


def test_admin_erases_on_request_and_only_participants(users, login):
    person = users["participant"]
    admin = login(users["admin"])
    page = admin.get(f"/admin/users/{person.id}/data")
    assert page.status_code == 200 and person.email.encode() in page.data
    data = json.loads(admin.get(f"/admin/users/{person.id}/export").get_data(as_text=True))
    assert data["account"]["id"] == person.id
    admin.post(f"/admin/users/{person.id}/erase", data={"confirmation": "nope"})
    assert db.session.get(User, person.id) is not None
    for staff in ("coach", "hr", "admin"):
        assert admin.get(f"/admin/users/{users[staff].id}/data").status_code == 404
        assert admin.post(f"/admin/users/{users[staff].id}/erase", data={"confirmation": "DELETE"}).status_code == 404
    person_id = person.id
    admin.post(f"/admin/users/{person_id}/erase", data={"confirmation": "DELETE"})
    db.session.expire_all()
    assert db.session.get(User, person_id) is None


def test_retention_reminds_then_erases_and_is_idempotent(app, users, login):
    away, back, active = create_user(), create_user(), users["participant"]
    long_ago = utcnow() - timedelta(days=800)
    for person in (away, back):
        person.profile.last_active_at = long_ago
        person.last_login_at = long_ago
    db.session.commit()
    runner = app.test_cli_runner()
    assert "2 participants reminded, 0 erased" in runner.invoke(args=["privacy", "purge"]).output
    assert "0 participants reminded, 0 erased" in runner.invoke(args=["privacy", "purge"]).output
    assert db.session.scalar(select(Notification).where(Notification.user_id == away.id,
                                                        Notification.kind == "retention_reminder"))
    login(back)  # logging in (a new session) keeps the data
    db.session.expire_all()
    assert db.session.get(User, back.id).profile.retention_reminded_at is None
    later = utcnow() + timedelta(days=31)
    assert privacy.purge(later) == {"reminded": 0, "erased": 1}
    assert privacy.purge(later) == {"reminded": 0, "erased": 0}
    db.session.expire_all()
    assert db.session.get(User, away.id) is None
    assert db.session.get(User, back.id) is not None and db.session.get(User, active.id) is not None


def test_changing_the_email_asks_for_the_password(users, login):
    person = users["participant"]
    client = login(person)
    page = client.post("/account/email", data={"email": "new@example.org", "current_password": "wrong"})
    assert b"not correct" in page.data
    taken = client.post("/account/email", data={"email": users["coach"].email, "current_password": PASSWORD})
    assert b"already used" in taken.data
    changed = client.post("/account/email", data={"email": "New@Example.org", "current_password": PASSWORD})
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).email == "new@example.org"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "email_changed"))


def test_the_privacy_page_is_public_and_plain(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "Data we keep and why" in page and "never use them to match" in page and "730" in page


def test_audit_log_search_for_the_admin(users, login):
    login(users["coach"]).get("/admin/")  # a refused access is logged
    admin = login(users["admin"])
    page = admin.get(f"/admin/audit?person={users['coach'].email}").get_data(as_text=True)
    assert "access_denied" in page or "forbidden" in page
    assert "entries found" in admin.get("/admin/audit?action=login&since=bad-date").get_data(as_text=True)
    assert login(users["hr"]).get("/admin/audit").status_code == 403


def test_hr_sees_no_candidate_after_erasure_only_the_count(users, login):
    person, good, _other, _placement = _full_story(users, login)
    privacy.erase(users["admin"], person.id)
    page = login(users["hr"]).get(f"/hr/positions/{good.id}/candidates").get_data(as_text=True)
    assert person.display_name not in page


def test_nobody_but_the_participant_erases_themselves(users):
    import pytest

    from mimi_match.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        privacy.erase(users["coach"], users["participant"].id)
    with pytest.raises(PermissionDenied):
        privacy.erase_own_account(users["hr"], PASSWORD, "DELETE")
    assert db.session.get(User, users["participant"].id).role == Role.PARTICIPANT


def test_staff_views_stay_on_record_after_erasure_under_a_pseudonym(app, users, login, caplog):
    """Who on the staff saw the person stays accountable after the erasure; the person's own e-mail,
    name and entries are gone, from the database and from the log output."""
    import logging

    from mimi_match.models import AuditEntry, Match, MatchStatus
    from mimi_match.services.privacy import erased_pseudonym

    from .factories import create_position

    caplog.set_level(logging.INFO)
    person = users["participant"]
    person.email = "bashir.erased@example.org"
    person.profile.consent_share_on_interest = True
    person.profile.coach_id = users["coach"].id
    position = create_position(users["hr"].organisation)
    db.session.add(Match(profile_id=person.profile.id, position_id=position.id, status=MatchStatus.INTERESTED))
    db.session.commit()
    person_id = person.id
    assert login(users["coach"]).get(f"/coach/participants/{person.profile.id}").status_code == 200
    assert login(users["hr"]).get(f"/hr/candidates/{person.profile.id}").status_code == 200
    own = login(person)
    own.post("/account/delete", data={"password": PASSWORD, "confirmation": "DELETE"})
    db.session.expire_all()
    assert db.session.get(User, person_id) is None
    pseudonym = erased_pseudonym(person_id)
    views = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "profile_viewed")))
    assert {v.actor_id for v in views} >= {users["coach"].id, users["hr"].id}
    assert all(v.subject_label == pseudonym and v.subject_user_id is None for v in views)
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "login",
                                                         AuditEntry.actor_id == person_id)) is None
    page = login(users["admin"]).get("/admin/audit").get_data(as_text=True)
    assert pseudonym in page and "bashir.erased@example.org" not in page
    output = "\n".join(str(record.__dict__) for record in caplog.records)
    assert "bashir.erased@example.org" not in output


def test_production_logs_no_addresses_when_mail_is_not_sent(app, caplog):
    import logging

    from mimi_match.services import mail

    caplog.set_level(logging.INFO)
    app.config["ENV_NAME"] = "production"
    mail.deliver(mail.Mail(to="someone@example.org", subject="MiMi Match: Amina is interested", body="link"))
    output = "\n".join(str(record.__dict__) for record in caplog.records)
    assert "someone@example.org" not in output and "Amina" not in output and "mail not sent" in output


def test_the_export_names_the_positions_and_employers_it_refers_to(users, login):
    from mimi_match.models import Match, MatchStatus, Organisation

    from .factories import create_position

    person = users["participant"]
    organisation = db.session.get(Organisation, users["hr"].organisation_id)
    position = create_position(organisation, title="Kitchen helper at the fjord")
    db.session.add(Match(profile_id=person.profile.id, position_id=position.id, status=MatchStatus.INTERESTED))
    person.totp_secret, person.recovery_codes = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", ["hash"]
    db.session.commit()
    data = json.loads(login(person).get("/account/export").get_data(as_text=True))
    named = {p["id"]: p for p in data["positions_referred_to"]}
    assert named[position.id]["title"] == "Kitchen helper at the fjord"
    assert named[position.id]["organisation"]["name"] == organisation.name
    assert "totp_secret" not in data["account"] and "recovery_codes" not in data["account"]
