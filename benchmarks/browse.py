"""Benchmark: the opportunities list and search with 10,000 open positions, and skill autocomplete.

    .venv/bin/python benchmarks/browse.py [--positions 10000] [--requests 300] [--postgres URL]

Fills a throwaway database (a SQLite file, and PostgreSQL when --postgres is given or
TEST_DATABASE_URL is set), then times requests through Flask's test client (the whole stack:
routing, session, queries, templates) and prints median and p95 per page. Target: p95 < 50 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from importlib import resources

from sqlalchemy import insert, select

from mimi_match.app import create_app
from mimi_match.extensions import db
from mimi_match.models import (
    CEFRLevel,
    ContractType,
    OccupationalField,
    Organisation,
    Position,
    PositionKind,
    PositionSkill,
    PositionStatus,
    PositionTerm,
)
from mimi_match.models.base import utcnow
from mimi_match.services.fields import load_fields
from mimi_match.services.search_index import weighted_terms
from mimi_match.vocabulary import vocabulary

REGIONS = ["Oslo", "Akershus", "Vestfold og Telemark", "Vestland", "Trøndelag", "Rogaland", "Agder"]
WORDS = "morning evening shifts team busy friendly small large central modern family guests customers".split()


def fill(n_positions: int) -> None:
    rng = random.Random(7)
    load_fields()
    fields = {f.code: f.id for f in db.session.scalars(select(OccupationalField))}
    selection = json.loads(resources.files("mimi_match.data").joinpath("skill_selection.json").read_text())
    prefix = "http://data.europa.eu/esco/skill/"
    orgs = []
    for i in range(200):
        org = Organisation(name=f"Bench employer {i}", region=rng.choice(REGIONS))
        db.session.add(org)
        orgs.append(org)
    db.session.flush()
    vocab = vocabulary()
    now = utcnow()
    rows, skills, terms = [], [], []
    for i in range(n_positions):
        code = rng.choice(list(selection))
        chosen = rng.sample(selection[code], 4)
        kind = rng.choice(list(PositionKind))
        title = f"{chosen[0]['label'].capitalize()} – {rng.choice(WORDS)} {i}"
        position = Position(title=title, description=" ".join(rng.choices(WORDS, k=30)), kind=kind)
        position.skills = [PositionSkill(label=c["label"], concept_uri=prefix + c["id"], required=j < 3)
                           for j, c in enumerate(chosen)]
        rows.append(dict(
            id=i + 1, organisation_id=rng.choice(orgs).id, field_id=fields[code], kind=kind,
            status=PositionStatus.OPEN, title=title, description=position.description, host_language="nb",
            host_language_level=rng.choice(list(CEFRLevel)[:4]), other_languages=[], location="",
            region=rng.choice(REGIONS), remote=rng.random() < 0.1, hours_per_week=rng.choice([10, 20, 30, 37]),
            contract_type=None if kind == PositionKind.MICRO_INTERNSHIP else ContractType.PERMANENT,
            openings=rng.randint(1, 3), start_date=date.today() + timedelta(days=rng.randint(10, 90)),
            application_deadline=date.today() + timedelta(days=rng.randint(1, 60)),
            duration_weeks=rng.randint(1, 12) if kind == PositionKind.MICRO_INTERNSHIP else None,
            contact_person="", learning_content="", published_at=now - timedelta(minutes=i),
            created_at=now, updated_at=now, version_id=1))
        rows[-1]["listed_until"] = rows[-1]["application_deadline"]
        terms += [dict(position_id=i + 1, term=t, weight=w) for t, w in weighted_terms(position).items()]
        skills += [dict(position_id=i + 1, label=s.label, concept_uri=s.concept_uri, required=s.required)
                   for s in position.skills]
    db.session.execute(insert(Position), rows)
    db.session.execute(insert(PositionSkill), skills)
    db.session.execute(insert(PositionTerm), terms)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("SELECT setval('positions_id_seq', (SELECT max(id) FROM positions))"))
        db.session.commit()
        # what autovacuum does on a live server: statistics and the visibility map (index-only scans)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(db.text("VACUUM ANALYZE"))
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    assert len(vocab) > 0


def timed(client, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append(Timing((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000))
        assert response.status_code == 200, (path, response.status_code)
    return times


class Timing(float):
    """A request's wall-clock milliseconds, with the CPU milliseconds this process spent on it (Python
    and SQLite, not the PostgreSQL server): on a busy machine the CPU figure shows the cost itself."""

    def __new__(cls, wall: float, cpu: float = 0.0):
        timing = super().__new__(cls, wall)
        timing.cpu = cpu
        return timing


def report(name: str, times: list[float]) -> None:
    cpu = sorted(t.cpu for t in times if isinstance(t, Timing))
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    line = (f"  {name:<34} n={len(times):<4} median {statistics.median(times):6.1f} ms   p95 {p95:6.1f} ms"
            f"   {'OK' if p95 < 50 else 'over 50 ms'}")
    if cpu:
        line += f"   (cpu here: median {statistics.median(cpu):5.1f}, p95 {cpu[int(len(cpu) * 0.95) - 1]:5.1f} ms)"
    print(line)


def run(url: str, n_positions: int, n_requests: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False,
                      "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        fill(n_positions)
        count = db.session.scalar(select(db.func.count()).select_from(Position))
        print(f"{app.config['SQLALCHEMY_DATABASE_URI'].split('://')[0]}: {count} open positions "
              f"(filled in {time.perf_counter() - start:.1f} s)")
    rng = random.Random(3)
    client = app.test_client()
    timed(client, ["/opportunities/"] * 5)  # warm up
    report("list, newest first (page 1..50)", timed(client, [f"/opportunities/?page={rng.randint(1, 50)}"
                                                              for _ in range(n_requests)]))
    report("list, sorted by deadline", timed(client, ["/opportunities/?sort=deadline"] * n_requests))
    queries = ["care", "clean floors", "forklift", "cook", "customer", "weld", "hygiene", "patients", "shifts"]
    report("search (1-2 words)", timed(client, [f"/opportunities/?q={rng.choice(queries)}"
                                                for _ in range(n_requests)]))
    report("search + filters", timed(client, [
        f"/opportunities/?q={rng.choice(queries)}&level=B1&region={rng.choice(REGIONS)}&hours=30"
        for _ in range(n_requests)]))
    # synonyms (alternative labels) and other languages, found through the skills' concepts
    synonyms = ["klesvask", "rengjøre gulv", "pflege", "καθαρισμ", "غسيل", "прибирання", "linen", "dishwashing"]
    report("search, synonyms / other languages", timed(client, [f"/opportunities/?q={rng.choice(synonyms)}"
                                                                for _ in range(n_requests)]))
    report("search, newest first", timed(client, [f"/opportunities/?q={rng.choice(queries)}&sort=newest"
                                                  for _ in range(n_requests)]))
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def autocomplete(n: int) -> None:
    vocab = vocabulary()
    rng = random.Random(5)
    words = ["cl", "cle", "clea", "clean", "fork", "vaske", "reng", "pflege", "καθ", "تنظ", "приб", "cook", "we",
             "measure", "care", "pa", "op"]
    times = []
    for _ in range(n):
        q = rng.choice(words)
        start = time.perf_counter()
        vocab.search(q, rng.choice(["en", "nb", "de", "el", "ar", "uk"]))
        times.append((time.perf_counter() - start) * 1000)
    print(f"skill autocomplete over {len(vocab)} concepts:")
    report("vocabulary search", times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", ""))
    args = parser.parse_args()
    start = time.perf_counter()
    vocabulary()
    print(f"vocabulary loaded in {time.perf_counter() - start:.2f} s")
    autocomplete(2000)
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.db", args.positions, args.requests)
    if args.postgres:
        run(args.postgres, args.positions, args.requests)


if __name__ == "__main__":
    main()
