"""Many people acting on the same thing at the same moment, in real threads against a real database
(a SQLite file, or PostgreSQL in the PostgreSQL leg): no lost update, no 500, a clear message."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from mimi_match.app import create_app
from mimi_match.extensions import db
from mimi_match.jobs import jobs_of
from mimi_match.models import (
    Match,
    MatchEvent,
    MatchingChange,
    MatchStatus,
    ParticipantSkill,
    Position,
    PositionStatus,
    Role,
)
from mimi_match.services import matching
from mimi_match.services.matching_records import participant_records
from mimi_match.services.matching_worker import state, worker_for
from mimi_match.vocabulary import vocabulary

from . import conftest, factories
from .test_positions import vacancy_form

THREADS = 6
ROUNDS = 3


@pytest.fixture
def threaded(tmp_path):
    url = conftest.TEST_DATABASE_URL if conftest.ON_POSTGRES else f"sqlite:///{tmp_path / 'threads.db'}"
    settings = conftest.config_settings(
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": THREADS + 2} if conftest.ON_POSTGRES else {})
    app = create_app(settings)
    app.test_client_class = conftest.IsolatedClient
    with app.app_context():
        if conftest.ON_POSTGRES:
            conftest._reset_postgres_schema()
        else:
            db.create_all()
        yield app
        db.session.remove()
        if conftest.ON_POSTGRES:
            conftest._truncate_postgres()
        db.engine.dispose()


def _client(app, user):
    client = app.test_client()
    factories.login_as(client, user)
    return client


def at_once(calls):
    """Run the calls in threads released together; return their responses (status, text)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        response = call()
        results[i] = (response.status_code, response.get_data(as_text=True), response.headers.get("Location", ""))

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


CONFLICT = ("changed this", "already reviewed", "at the same moment")


def _conflict(result) -> bool:
    status, text, _location = result
    return status == 303 or any(word in text for word in CONFLICT)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_same_profile_from_many_tabs(threaded, round_, caplog):
    person = factories.create_user()
    person.profile.consent_matching = True
    db.session.commit()
    factories.create_position(factories.create_organisation(), required_skill="wash dishes")
    matching.rebuild()  # so that every change also re-ranks this participant, in parallel threads
    clients = [_client(threaded, person) for _ in range(THREADS)]
    skills = [f"skill number {n} round {round_}" for n in range(THREADS)]
    results = at_once([lambda c=c, s=s: c.post("/me/profile/skills", data={"skills": s})
                       for c, s in zip(clients, skills, strict=True)])
    assert all(status in (302, 303) for status, _t, _l in results), [r[0] for r in results]
    saved = set(db.session.scalars(select(ParticipantSkill.label).where(
        ParticipantSkill.profile_id == person.profile.id)))
    accepted = {s for s, r in zip(skills, results, strict=True) if not _conflict(r)}
    assert saved == accepted and accepted  # every accepted change is there; refused ones were told
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "suggestions failed to update"


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_same_position_edited_by_many_hr_managers(threaded, round_):
    hr = factories.create_user(Role.HR)
    field = factories.create_field()
    position = factories.create_position(hr.organisation, field, status=PositionStatus.DRAFT)
    clients = [_client(threaded, hr) for _ in range(THREADS)]
    titles = [f"Title {n}" for n in range(THREADS)]
    url, forms = f"/hr/positions/{position.id}/edit", [
        vacancy_form(field.id, title=t, version_id=str(position.version_id)) for t in titles]
    results = at_once([lambda c=c, f=f: c.post(url, data=f) for c, f in zip(clients, forms, strict=True)])
    assert all(status in (200, 302, 303) for status, _t, _l in results), [r[0] for r in results]
    winners = [t for t, r in zip(titles, results, strict=True) if r[0] == 302]
    assert len(winners) == 1, [r[0] for r in results]
    db.session.expire_all()
    current = db.session.get(Position, position.id)
    assert current.title == winners[0] and current.version_id == 2
    assert all(_conflict(r) for r in results if r[0] != 302)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_same_suggestion_reviewed_by_many_coaches(threaded, round_):
    coach = factories.create_user(Role.COACH)
    person = factories.create_user()
    person.profile.coach_id = coach.id
    person.profile.consent_matching = True
    db.session.commit()
    position = factories.create_position(factories.create_organisation())
    match = Match(profile_id=person.profile.id, position_id=position.id, status=MatchStatus.SUGGESTED, score=0.5)
    match.events.append(MatchEvent(from_status=None, to_status=MatchStatus.SUGGESTED))
    db.session.add(match)
    db.session.commit()
    seen = f"{match.id}:{match.version_id}"
    clients = [_client(threaded, coach) for _ in range(THREADS)]
    decisions = [{"match": seen, "decision": "approve"} if n % 2 else
                 {"match": seen, "decision": "reject", "reason": "skills"} for n in range(THREADS)]
    results = at_once([lambda c=c, d=d: c.post("/coach/review", data=d, follow_redirects=True)
                       for c, d in zip(clients, decisions, strict=True)])
    assert all(status == 200 for status, _t, _l in results), [r[0] for r in results]
    db.session.expire_all()
    events = db.session.scalar(select(func.count()).select_from(MatchEvent).where(MatchEvent.match_id == match.id))
    assert events == 2  # the suggestion and exactly one review
    final = db.session.get(Match, match.id).status
    assert final in (MatchStatus.APPROVED, MatchStatus.REJECTED)
    assert sum(_conflict(r) for r in results) == THREADS - 1


EDITORS = 20


def test_rebuild_while_twenty_people_edit_profiles_and_positions(threaded, caplog):
    """The worker rebuilds while 12 participants change their skills and 8 HR managers edit, close and
    reopen positions, all at once: no error, no lost update, and afterwards the stored suggestions are exactly
    what the worker's model gives for the data as it is."""
    from .test_matching_worker import assert_consistent

    threaded.config["RUN_JOBS_AFTER_REQUEST"] = False  # the worker runs beside the server, as in production
    fields = [factories.create_field(f"cf{i}", f"Field {i}") for i in range(3)]
    people = []
    for i in range(30):
        person = factories.create_user(display_name=f"Editor {i}")
        person.profile.consent_matching = True
        person.profile.skills.append(ParticipantSkill(label="clean building floors",
                                                      concept_uri=vocabulary().resolve("clean building floors")))
        people.append(person)
    db.session.commit()
    managers = [factories.create_user(Role.HR) for _ in range(EDITORS - 12)]
    jobs = [factories.create_position(m.organisation, fields[i % 3], title=f"Position {i}") for i, m in
            enumerate(managers)]
    matching.rebuild()
    fields_of = {job.id: job.field_id for job in jobs}
    editors = people[:12]
    labels = {p.id: [f"skill {p.id} {n}" for n in range(4)] for p in editors}
    profile_of = {p.id: p.profile.id for p in editors}

    clients = {user.id: _client(threaded, user) for user in editors + managers}
    manager_ids = [m.id for m in managers]

    def participant_rounds(person_id):
        client = clients[person_id]
        return [client.post("/me/profile/skills", data={"skills": label}) for label in labels[person_id]]

    def manager_rounds(manager_id, job_id):
        client = clients[manager_id]
        out = []
        for n in range(3):
            form = vacancy_form(fields_of[job_id], title=f"Position {job_id} take {n}",
                                required_skills=f"clean building floors\nwash dishes {n}")
            out.append(client.post(f"/hr/positions/{job_id}/edit", data=form))
            out.append(client.post(f"/hr/positions/{job_id}/close"))
            out.append(client.post(f"/hr/positions/{job_id}/reopen"))
        return out

    with factories.running_workers(threaded):
        barrier = threading.Barrier(EDITORS + 1)
        responses: list = []
        failures: list = []

        def run(call):
            barrier.wait()
            try:
                responses.extend(call())
            except Exception:  # noqa: BLE001  (reported below)
                import traceback

                failures.append(traceback.format_exc())

        def rebuilds():  # the administrator asks for a rebuild again and again while the others edit
            with threaded.app_context():
                for _ in range(4):
                    matching.request_rebuild(None)
                    time.sleep(0.3)
            return []

        calls = [lambda p=p: participant_rounds(p) for p in labels] + \
                [lambda m=m, j=j: manager_rounds(m, j) for m, j in zip(manager_ids, fields_of, strict=True)] + \
                [rebuilds]
        threads = [threading.Thread(target=run, args=(c,)) for c in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert not failures, failures
        assert all(r.status_code in (200, 302, 303) for r in responses), [r.status_code for r in responses]

        def idle():
            db.session.expire_all()
            quiet = (db.session.scalar(select(func.count()).select_from(MatchingChange)) == 0
                     and not state().job and state().rebuild_requested_at is None
                     and sum(c["pending"] or 0 for c in jobs_of(threaded).counts().values()) == 0)
            db.session.commit()
            return quiet

        factories.wait_for(idle, timeout=120)
    # no lost update: every skill a participant added is there, every position is open again with its last title
    for person_id, profile_id in profile_of.items():
        saved = set(db.session.scalars(select(ParticipantSkill.label).where(ParticipantSkill.profile_id == profile_id)))
        assert set(labels[person_id]) <= saved
    for job_id in fields_of:
        current = db.session.get(Position, job_id)
        assert current.status == PositionStatus.OPEN and current.title == f"Position {job_id} take 2"
    worker = worker_for(threaded)
    assert worker.model is not None and state().last_error == ""
    in_model = {p.id: p for p in worker.model.participants}
    assert all(in_model[p] == record for p, record in participant_records(in_model).items())
    assert_consistent(threaded)
    assert not [r for r in caplog.records if r.levelname == "ERROR"], [r.getMessage() for r in caplog.records
                                                                       if r.levelname == "ERROR"]
    assert sum(r.getMessage() == "matching model rebuilt" for r in caplog.records) >= 2
