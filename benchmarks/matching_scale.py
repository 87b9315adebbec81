"""End-to-end scale run of matching through the database: rebuild, the worker, and the requests around it.

    .venv/bin/python benchmarks/matching_scale.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        [--sizes 10000x1000 100000x10000] [--events 30] [--redis redis://127.0.0.1:6379/0]

For each size it fills a throwaway PostgreSQL database (participants with skills of the curated vocabulary,
some typed with typos; positions asking for 3-5 skills of a field) and measures, printing numbers:

- ``flask match rebuild`` in its own process: wall time and peak memory (the process's max RSS), against
  the top-k kernel alone on the same records in this process (the baseline, measured in the same run);
- the matching worker (``flask jobs worker --queue matching``, Redis queue): time until it is ready;
- a profile save and a position publish through the whole Flask stack (test client, real forms' services):
  the request's time, and the time until the worker has stored the suggestions for it (median, p95);
- the same save while the worker rebuilds (median, p95), against ``GET /health`` in the same run.

Targets (issue 12): at 100k x 10k a rebuild <= 5 min and <= 2 GB; event to stored suggestions p95 <= 5 s;
the save request p95 <= 200 ms during a rebuild.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import psycopg
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mimi_match.app import create_app  # noqa: E402
from mimi_match.extensions import db  # noqa: E402
from mimi_match.jobs import jobs_of  # noqa: E402
from mimi_match.models import (  # noqa: E402
    CEFRLevel,
    DesiredField,
    Match,
    MatchingChange,
    MatchStatus,
    OccupationalField,
    Organisation,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    Position,
    PositionKind,
    PositionSkill,
    PositionStatus,
    Role,
    User,
)
from mimi_match.models.base import utcnow  # noqa: E402
from mimi_match.services.fields import load_fields  # noqa: E402
from mimi_match.services.matching_worker import state  # noqa: E402

PREFIX = "http://data.europa.eu/esco/skill/"
REGIONS = ["Oslo", "Akershus", "Vestfold og Telemark", "Vestland", "Trøndelag", "Rogaland", "Agder", "Innlandet"]
SECRET = "matching-scale-bench"
CHUNK = 20_000


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(0, int(round(len(values) * 0.95)) - 1)]


def _typo(rng: random.Random, label: str) -> str:
    i = rng.randrange(1, max(2, len(label) - 1))
    return label[:i] + label[i + 1:]


def fill(n_participants: int, n_positions: int, seed: int = 11) -> None:
    """Participants and positions in bulk (Core inserts in chunks); one password hash for all accounts."""
    rng = random.Random(seed)
    load_fields()
    fields = {f.code: f.id for f in db.session.scalars(select(OccupationalField))}
    selection = json.loads(resources.files("mimi_match.data").joinpath("skill_selection.json").read_text())
    codes = [c for c in selection if c in fields and len(selection[c]) >= 5]
    from mimi_match.services.passwords import hash_password

    password = hash_password("bench-password-2026")
    now, today = utcnow(), date.today()
    n_orgs = max(10, n_positions // 20)
    db.session.execute(insert(Organisation), [{"name": f"Bench employer {i}", "region": rng.choice(REGIONS)}
                                              for i in range(n_orgs)])
    org_ids = list(db.session.scalars(select(Organisation.id)))
    db.session.execute(insert(User), [{"email": f"hr{i}@bench.example", "password_hash": password, "role": Role.HR,
                                       "display_name": f"HR {i}", "organisation_id": org_ids[i],
                                       "email_verified_at": now}
                                      for i in range(n_orgs)])
    for start in range(0, n_participants, CHUNK):
        end = min(start + CHUNK, n_participants)
        db.session.execute(insert(User), [{"email": f"p{i}@bench.example", "password_hash": password,
                                           "role": Role.PARTICIPANT, "display_name": f"Participant {i}",
                                           "email_verified_at": now}
                                          for i in range(start, end)])
    users = dict(db.session.execute(select(User.email, User.id).where(User.role == Role.PARTICIPANT)).all())
    profiles, skills, languages, wishes = [], [], [], []
    for i in range(n_participants):
        main, other = rng.sample(codes, 2)
        held = rng.sample(selection[main], rng.randint(2, 5)) + rng.sample(selection[other], rng.randint(0, 2))
        profiles.append({"id": i + 1, "user_id": users[f"p{i}@bench.example"], "region": rng.choice(REGIONS),
                         "remote_ok": rng.random() < 0.15, "consent_matching": rng.random() < 0.9,
                         "available_from": today + timedelta(days=rng.randint(0, 120)),
                         "hours_per_week": rng.choice([None, 20, 30, 37]), "wish_text": "",
                         "last_active_at": now})
        for concept in held:
            typed = rng.random() < 0.15
            skills.append({"profile_id": i + 1, "label": _typo(rng, concept["label"]) if typed else concept["label"],
                           "concept_uri": None if typed else PREFIX + concept["id"]})
        languages.append({"profile_id": i + 1, "language": "nb", "level": rng.choice(list(CEFRLevel)[:5])})
        third = rng.choice([c for c in codes if c not in (main, other)])
        for rank, code in enumerate([main, other, third][:rng.randint(1, 3)], start=1):
            wishes.append({"profile_id": i + 1, "field_id": fields[code], "rank": rank})
    for table, rows in ((ParticipantProfile, profiles), (ParticipantSkill, skills), (ParticipantLanguage, languages),
                        (DesiredField, wishes)):
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[start:start + CHUNK])
    positions, position_skills = [], []
    for i in range(n_positions):
        code = rng.choice(codes)
        chosen = rng.sample(selection[code], rng.randint(3, 5))
        kind = PositionKind.MICRO_INTERNSHIP if rng.random() < 0.4 else PositionKind.VACANCY
        positions.append({"id": i + 1, "organisation_id": rng.choice(org_ids), "field_id": fields[code], "kind": kind,
                          "status": PositionStatus.OPEN, "title": f"{chosen[0]['label'].capitalize()} {i}",
                          "description": "", "host_language": "nb",
                          "host_language_level": rng.choice([None, CEFRLevel.A2, CEFRLevel.B1, CEFRLevel.B2]),
                          "other_languages": [], "region": rng.choice(REGIONS), "remote": rng.random() < 0.08,
                          "hours_per_week": rng.choice([None, 20, 30, 37]), "openings": rng.randint(1, 3),
                          "start_date": today + timedelta(days=rng.randint(0, 200)), "published_at": now})
        position_skills += [{"position_id": i + 1, "label": c["label"], "concept_uri": PREFIX + c["id"],
                             "required": j < 3} for j, c in enumerate(chosen)]
    for table, rows in ((Position, positions), (PositionSkill, position_skills)):
        for start in range(0, len(rows), CHUNK):
            db.session.execute(insert(table), rows[start:start + CHUNK])
    db.session.commit()
    for table in ("positions", "participant_profiles"):
        db.session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    db.session.execute(text("DELETE FROM matching_changes"))  # a bulk import is not a stream of edits
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def baseline_kernel(app) -> float:
    """The top-k kernel alone on the same records (fit excluded): seconds."""
    from mimi_match.matching.model import MatchModel
    from mimi_match.services.matching_records import participant_records, position_records
    from mimi_match.services.matching_worker import concept_labels

    with app.app_context():
        participants, positions = list(participant_records().values()), list(position_records().values())
        model = MatchModel(host_language="nb").fit(participants, positions, concept_labels(positions))
    start = time.perf_counter()
    model.top_k_all(10)
    return time.perf_counter() - start


def run_rebuild(env: dict) -> tuple[float, float, str]:
    """``flask match rebuild`` in its own process: (wall seconds, peak RSS MiB, its last line)."""
    start = time.perf_counter()
    process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "match", "rebuild"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"rebuild failed:\n{out[-3000:]}")
    return wall, usage.ru_maxrss / 1024, out.strip().splitlines()[-1]


def _settled(app, kind: str, record_id: int) -> bool:
    with app.app_context():
        row = db.session.scalar(select(MatchingChange.token).where(MatchingChange.kind == kind,
                                                                   MatchingChange.record_id == record_id))
        return row is None


def _wait(predicate, timeout: float = 600.0, every: float = 0.02) -> float:
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out waiting for the worker")
        time.sleep(every)
    return time.perf_counter() - start


def _login(app, client, user_id: int) -> None:
    from mimi_match.services.accounts import start_session

    with app.app_context():
        token = start_session(db.session.get(User, user_id))
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


def measure(url: str, redis_url: str, n_participants: int, n_positions: int, n_events: int) -> None:
    prefix = f"bench-{os.getpid()}-{n_participants}"
    env = {**os.environ, "MIMI_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url, "JOBS_URL": redis_url,
           "JOBS_PREFIX": prefix, "FLASK_APP": "wsgi.py", "LOG_LEVEL": "WARNING", "REFIT_DELAY_SECONDS": "3600",
           "PUBLIC_URL": "http://127.0.0.1"}
    os.environ["LOG_LEVEL"] = "WARNING"  # this process too: the numbers, not the audit lines
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "TESTING": False, "JOBS_URL": redis_url,
                      "JOBS_PREFIX": prefix, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                      "PRELOAD_VOCABULARY": False, "RATELIMIT_ENABLED": False})
    print(f"\n== {n_participants:,} participants x {n_positions:,} positions (PostgreSQL, Redis queue)")
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        fill(n_participants, n_positions)
        print(f"filled in {time.perf_counter() - started:.0f} s")
    kernel = baseline_kernel(app)
    wall, rss, line = run_rebuild(env)
    with app.app_context():
        suggestions = db.session.scalar(select(func.count()).select_from(Match).where(
            Match.status == MatchStatus.SUGGESTED))
    print(f"rebuild (flask match rebuild)       {wall:7.1f} s   peak RSS {rss:6.0f} MiB   {suggestions:,} suggestions")
    print(f"  top-k kernel alone (baseline)     {kernel:7.1f} s   -> rebuild = {wall / kernel:5.1f} x kernel")
    print(f"  {line}")

    worker = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "jobs", "worker", "--queue", "matching"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        started = time.perf_counter()

        def ready():
            with app.app_context():
                row = state()
                pending = jobs_of(app).counts()["matching"]["pending"]
                return bool(row.lease_holder and str(worker.pid) in row.lease_holder and not row.job
                            and pending == 0)

        _wait(ready)
        print(f"worker ready after start            {time.perf_counter() - started:7.1f} s (loads the snapshot and"
              " every record, checks every stored suggestion)")
        rng = random.Random(5)
        client = app.test_client()
        with app.app_context():
            people = list(db.session.scalars(select(ParticipantProfile.user_id).where(
                ParticipantProfile.consent_matching.is_(True)).limit(2000)))
            hr = db.session.execute(select(User.id, User.organisation_id).where(User.role == Role.HR).limit(1)).one()
        health = []
        for _ in range(50):
            t = time.perf_counter()
            client.get("/health")
            health.append((time.perf_counter() - t) * 1000)
        selection = json.loads(resources.files("mimi_match.data").joinpath("skill_selection.json").read_text())
        concepts = [c for cs in selection.values() for c in cs]
        labels = [c["label"] for c in concepts]

        def save(user_id: int) -> tuple[float, int]:
            _login(app, client, user_id)
            t = time.perf_counter()
            response = client.post("/me/profile/skills", data={"skills": rng.choice(labels)})
            took = (time.perf_counter() - t) * 1000
            assert response.status_code == 302, response.status_code
            with app.app_context():
                profile_id = db.session.scalar(select(ParticipantProfile.id).where(
                    ParticipantProfile.user_id == user_id))
            return took, profile_id

        save_ms, save_done = [], []
        for user_id in rng.sample(people, n_events):
            took, profile_id = save(user_id)
            save_ms.append(took)
            save_done.append(_wait(lambda pid=profile_id: _settled(app, "participant", pid)))
        publish_ms, publish_done = [], []
        _login(app, client, hr.id)
        for i in range(n_events):
            with app.app_context():
                draft = Position(organisation_id=hr.organisation_id, field_id=db.session.scalar(
                    select(OccupationalField.id).limit(1).offset(i % 20)), kind=PositionKind.VACANCY,
                    status=PositionStatus.DRAFT, title=f"Bench publish {i}", host_language="nb")
                draft.skills = [PositionSkill(label=c["label"], required=True, concept_uri=PREFIX + c["id"])
                                for c in rng.sample(concepts, 3)]
                db.session.add(draft)
                db.session.commit()
                draft_id = draft.id
                db.session.execute(text("DELETE FROM matching_changes WHERE kind = 'position' AND record_id = :i"),
                                   {"i": draft_id})
                db.session.commit()
            t = time.perf_counter()
            response = client.post(f"/hr/positions/{draft_id}/publish")
            publish_ms.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 302, response.status_code
            publish_done.append(_wait(lambda q=draft_id: _settled(app, "position", q)))
        print(f"GET /health (baseline)              median {statistics.median(health):7.1f} ms  p95 "
              f"{_p95(health):7.1f} ms")
        print(f"profile save request                median {statistics.median(save_ms):7.1f} ms  p95 "
              f"{_p95(save_ms):7.1f} ms  ({statistics.median(save_ms) / statistics.median(health):.0f} x health)")
        print(f"  save -> suggestions stored        median {statistics.median(save_done):7.2f} s   p95 "
              f"{_p95(save_done):7.2f} s")
        print(f"position publish request           median {statistics.median(publish_ms):7.1f} ms  p95 "
              f"{_p95(publish_ms):7.1f} ms")
        print(f"  publish -> suggestions stored     median {statistics.median(publish_done):7.2f} s   p95 "
              f"{_p95(publish_done):7.2f} s")

        with app.app_context():
            from mimi_match.services.matching import request_rebuild

            request_rebuild(None)
        _wait(lambda: _job(app) == "rebuild", timeout=60, every=0.01)
        during = []
        while _job(app) == "rebuild" and len(during) < 10 * n_events:
            took, _profile_id = save(rng.choice(people))
            during.append(took)
        print(f"profile save during a rebuild       median {statistics.median(during):7.1f} ms  p95 "
              f"{_p95(during):7.1f} ms  (n={len(during)})")
        _wait(lambda: _job(app) == "")
    finally:
        worker.terminate()
        worker.wait(60)
        with app.app_context():
            for huey in jobs_of(app).queues.values():
                huey.flush()
            db.session.execute(text("DELETE FROM user_sessions"))
            db.session.commit()
            db.drop_all()
            db.engine.dispose()


def _job(app) -> str:
    with app.app_context():
        db.session.expire_all()
        return state().job or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_ADMIN",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--sizes", nargs="*", default=["10000x1000", "100000x10000"])
    parser.add_argument("--events", type=int, default=30)
    args = parser.parse_args()
    admin = args.postgres.replace("postgresql+psycopg://", "postgresql://")
    name = f"mimi_scale_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    try:
        for size in args.sizes:
            n_p, n_q = (int(v) for v in size.lower().split("x"))
            measure(url, args.redis, n_p, n_q, args.events)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
