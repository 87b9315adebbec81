"""Administrator: staff accounts through the form, search, deactivation."""
from __future__ import annotations

from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.models import AuditEntry, Role, User

from .factories import create_organisation, create_user


def test_admin_creates_coach_by_invitation(users, login, app):
    """The administrator never chooses the password (the invitation flow: test_account_recovery.py)."""
    admin = login(users["admin"])
    response = admin.post("/admin/users/new", data={
        "display_name": "Kari Coach", "email": "kari@example.org", "role": "coach",
        "organisation_id": "0", "password": "first password for kari"})
    assert response.status_code == 302
    kari = db.session.scalar(select(User).where(User.email == "kari@example.org"))
    assert kari.role == Role.COACH and kari.organisation is None and kari.email_verified_at is None
    response = app.test_client().post("/login", data={"email": "kari@example.org",
                                                       "password": "first password for kari"})
    assert response.status_code == 200  # a password sent along by the form is ignored


def test_hr_account_needs_an_organisation(users, login):
    admin = login(users["admin"])
    response = admin.post("/admin/users/new", data={
        "display_name": "Per HR", "email": "per@example.org", "role": "hr",
        "organisation_id": "0"})
    assert response.status_code == 200 and b"must belong to an organisation" in response.data
    assert db.session.scalar(select(User).where(User.email == "per@example.org")) is None
    org = create_organisation("Fjord Hotel")
    response = admin.post("/admin/users/new", data={
        "display_name": "Per HR", "email": "per@example.org", "role": "hr",
        "organisation_id": str(org.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "per@example.org")).organisation_id == org.id


def test_staff_form_refuses_participant_role(users, login):
    admin = login(users["admin"])
    response = admin.post("/admin/users/new", data={
        "display_name": "X", "email": "x@example.org", "role": "participant", "organisation_id": "0"})
    assert response.status_code == 200
    assert b"Not a valid choice" in response.data
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_user_search(users, login):
    create_user(Role.COACH, display_name="Ingrid Haugen", email="ingrid@example.org")
    admin = login(users["admin"])
    page = admin.get("/admin/users?q=haugen").get_data(as_text=True)
    assert "ingrid@example.org" in page and users["participant"].email not in page
    page = admin.get("/admin/users?role=participant").get_data(as_text=True)
    assert users["participant"].email in page and "ingrid@example.org" not in page


def test_admin_cannot_deactivate_self(users, login):
    admin_user = users["admin"]
    admin = login(admin_user)
    response = admin.post(f"/admin/users/{admin_user.id}/active", data={"active": "0"}, follow_redirects=True)
    assert b"cannot deactivate your own account" in response.data
    db.session.refresh(admin_user)
    assert admin_user.active


def test_reactivation_lets_the_user_back_in(users, login, app):
    target = create_user(active=False)
    admin = login(users["admin"])
    admin.post(f"/admin/users/{target.id}/active", data={"active": "1"})
    response = app.test_client().post("/login", data={"email": target.email, "password": "correct horse battery"})
    assert response.status_code == 302
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject_user_id == target.id)).all()
    assert "account_activated" in actions


def test_unknown_user_is_404(users, login):
    assert login(users["admin"]).post("/admin/users/99999/active", data={"active": "0"}).status_code == 404


def test_refused_access_is_audited(users, login):
    login(users["participant"]).get("/admin/")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "access_denied"))
    assert entry.actor_id == users["participant"].id and entry.target == "/admin/"


def test_user_list_pages(users, login):
    for i in range(55):
        create_user(Role.COACH, display_name=f"Coach {i:02d}", email=f"pagecoach{i}@example.org")
    admin = login(users["admin"])
    first = admin.get("/admin/users?role=coach").get_data(as_text=True)
    assert "Next" in first and "Previous" not in first and "role=coach" in first
    second = admin.get("/admin/users?role=coach&page=2").get_data(as_text=True)
    assert "Previous" in second and "pagecoach" in second


def test_matching_page_shows_the_model_and_rebuilds_through_the_worker(app, users, login):
    from mimi_match.models import CEFRLevel, FailedJob, ParticipantLanguage, ParticipantSkill
    from mimi_match.services import matching
    from mimi_match.services.matching_worker import state, worker_for
    from mimi_match.vocabulary import vocabulary

    person = users["participant"]
    person.profile.consent_matching = True
    person.profile.skills.append(ParticipantSkill(label="clean building floors",
                                                  concept_uri=vocabulary().resolve("clean building floors")))
    person.profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
    db.session.commit()
    admin = login(users["admin"])
    assert "There is no model yet" in admin.get("/admin/matching").get_data(as_text=True)
    from .factories import create_position

    create_position(users["hr"].organisation, title="Office cleaner")
    first = matching.rebuild()
    db.session.add(FailedJob(queue="mail", task="mail.send", error="SMTPServerDisconnected: gone"))
    db.session.commit()
    page = admin.get("/admin/matching").get_data(as_text=True)
    assert first["version"] in page and "1 × 1" in page and "SMTPServerDisconnected" in page
    assert "Running" in page
    worker_for(app).release()  # as when the worker stopped: the operator is told
    assert "Not running" in admin.get("/admin/matching").get_data(as_text=True)
    app.config["RUN_JOBS_AFTER_REQUEST"] = False
    response = admin.post("/admin/matching/rebuild")
    assert response.status_code == 302 and state().rebuild_requested_at is not None
    page = admin.get("/admin/matching").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "A rebuild is asked for" in page and " disabled" in page
    from mimi_match.jobs import jobs_of

    jobs_of(app).run_pending()  # the worker takes the request
    db.session.expire_all()
    assert state().rebuild_requested_at is None and matching.current_version() != first["version"]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "model_rebuild_requested"))
    status = app.test_cli_runner().invoke(args=["match", "status"])
    assert status.exit_code == 0 and matching.current_version() in status.output
