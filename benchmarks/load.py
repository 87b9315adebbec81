"""Mixed load on the service as production runs it: requests per second, latency, errors, worker memory.

    .venv/bin/python benchmarks/load.py [--sizes demo 10000x1000 100000x10000] [--connections 8 32 64]
        [--seconds 20] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--redis redis://...]

For each size it fills a throwaway PostgreSQL database (``demo``: the demo seed; ``NxM``: N participants and
M positions as in ``matching_scale.py``, with coaches who have caseloads and the search index built), runs
``flask match rebuild``, and starts ``gunicorn wsgi:app`` with the documented production settings
(``gunicorn.conf.py``: the app preloaded, WEB_WORKERS=2, WEB_THREADS=4; MIMI_ENV=production, Redis) on
127.0.0.1. Virtual users log in through the login form (participants, coaches, HR managers; CSRF and all),
then every connection sends, for a bounded time, a mix of: anonymous search, a participant's suggestions,
opportunities and own page, the coach's review queue and HR's candidates of a position. It prints, per
concurrency level, requests/s, p50/p95/p99, errors and the ratio to a one-line Flask app served by the same
gunicorn settings in the same run, and each worker's memory (RSS, and its own: RSS minus shared pages).

The client is Python (threads in two processes): on a two-core machine it takes CPU from the server, for
the hello-world app as for MiMi Match, which the ratio accounts for.
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SECRET = "load-bench-secret-key-of-enough-length"
WORDS = ["clean", "kitchen", "care", "forklift", "cook", "warehouse", "lager", "renhold", "barnehage", "sjåfør"]


# --- the installation ---------------------------------------------------------------------------------

def fill(url: str, size: str) -> dict:
    """Fill the database; return the logins of the virtual users and a position of each HR user."""
    from sqlalchemy import insert, select, update

    from mimi_match.app import create_app
    from mimi_match.extensions import db
    from mimi_match.models import ParticipantProfile, Position, PositionStatus, Role, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "TESTING": False,
                      "PRELOAD_VOCABULARY": False, "JOBS_URL": "memory"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        if size == "demo":
            from mimi_match.services.demo import seed_demo

            seed_demo()
            password = "mimi-demo-2026"
        else:
            import matching_scale

            n_p, n_q = (int(v) for v in size.lower().split("x"))
            matching_scale.fill(n_p, n_q)
            from mimi_match.models.base import utcnow
            from mimi_match.services.passwords import hash_password

            password = "bench-password-2026"
            coaches = max(5, n_p // 500)
            db.session.execute(insert(User), [{"email": f"coach{i}@bench.example", "role": Role.COACH,
                                               "password_hash": hash_password(password), "display_name": f"Coach {i}",
                                               "email_verified_at": utcnow()}
                                              for i in range(coaches)])
            coach_ids = list(db.session.scalars(select(User.id).where(User.role == Role.COACH).order_by(User.id)))
            for i, coach_id in enumerate(coach_ids):  # a caseload of every coaches-th participant
                db.session.execute(update(ParticipantProfile).where(ParticipantProfile.id % len(coach_ids) == i)
                                   .values(coach_id=coach_id))
            db.session.commit()
            from mimi_match.services import search_index

            for position in db.session.scalars(select(Position)):
                search_index.refresh(position)
            db.session.commit()
        users = {role: list(db.session.scalars(select(User.email).where(User.role == role, User.active.is_(True))
                                               .order_by(User.id).limit(8)))
                 for role in (Role.PARTICIPANT, Role.COACH, Role.HR)}
        positions = {}
        for email in users[Role.HR]:
            hr = db.session.scalar(select(User).where(User.email == email))
            positions[email] = db.session.scalar(select(Position.id).where(
                Position.organisation_id == hr.organisation_id, Position.status == PositionStatus.OPEN).limit(1))
        users[Role.HR] = [e for e in users[Role.HR] if positions.get(e)]
        db.engine.dispose()
    return {"password": password, "users": {r.value: v for r, v in users.items()}, "positions": positions}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def start_mimi(url: str, redis: str, prefix: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "MIMI_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url, "REDIS_URL": redis,
           "JOBS_PREFIX": prefix, "BIND": f"127.0.0.1:{port}", "WEB_WORKERS": "2", "WEB_THREADS": "4",
           "LOG_LEVEL": "WARNING", "SESSION_COOKIE_SECURE": "0",
           "PUBLIC_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _wait_up(port)
    return process, port


def start_hello(folder: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    (folder / "hello.py").write_text(textwrap.dedent("""\
        from flask import Flask
        app = Flask(__name__)

        @app.get("/health")
        def health():
            return "ok"

        @app.get("/")
        def hello():
            return "Hello, world"
    """))
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--threads", "4",
                                "--bind", f"127.0.0.1:{port}", "hello:app"], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _wait_up(port)
    return process, port


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def worker_memory(master: int) -> list[tuple[float, float]]:
    """(RSS, own = RSS minus shared) in MiB for each gunicorn worker of this master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    out = []
    for pid in children:
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value, *_ = line.split()
            fields[name.rstrip(":")] = int(value) / 1024
        out.append((fields["Rss"], fields["Rss"] - fields.get("Shared_Clean", 0) - fields.get("Shared_Dirty", 0)))
    return out


# --- virtual users --------------------------------------------------------------------------------------

def _cookie(headers, jar: dict) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]


def login(port: int, email: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    jar: dict[str, str] = {}
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    _cookie(response.getheaders(), jar)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    body = urlencode({"csrf_token": token.group(1) if token else "", "email": email, "password": password})
    conn.request("POST", "/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())})
    response = conn.getresponse()
    response.read()
    _cookie(response.getheaders(), jar)
    if response.status != 302:
        raise SystemExit(f"login of {email} failed ({response.status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def mix(sessions: dict, positions: dict) -> list[tuple[str, str | None]]:
    """(path, cookie) of each kind of request, equally often."""
    out = [(f"/opportunities/?q={word}", None) for word in WORDS[:4]]
    for cookie in sessions["participant"]:
        out += [("/me/suggestions", cookie), ("/opportunities/", cookie), ("/me/", cookie)]
    for cookie in sessions["coach"]:
        out.append(("/coach/review", cookie))
    for email, cookie in sessions["hr"]:
        out.append((f"/hr/positions/{positions[email]}/candidates", cookie))
    return out


def _client(port: int, requests: list, connections: int, seconds: float, results) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def connection(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            path, cookie = rng.choice(requests)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=connection, args=(os.getpid() * 1000 + i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put((latencies, errors[0]))


def drive(port: int, requests: list, connections: int, seconds: float, processes: int = 2) -> dict:
    results = multiprocessing.Queue()
    share = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    workers = [multiprocessing.Process(target=_client, args=(port, requests, n, seconds, results))
               for n in share if n]
    started = time.perf_counter()
    for w in workers:
        w.start()
    latencies, errors = [], 0
    for _ in workers:
        got, failed = results.get()
        latencies += got
        errors += failed
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else float("nan")

    return {"rps": len(latencies) / wall, "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "errors": errors,
            "n": len(latencies)}


# --- the run --------------------------------------------------------------------------------------------

def measure(admin: str, base: str, redis: str, size: str, levels: list[int], seconds: float) -> None:
    name = f"mimi_load_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{base}/{name}"
    hello = mimi = None
    try:
        started = time.perf_counter()
        installation = fill(url, size)
        print(f"\n== {size}: filled in {time.perf_counter() - started:.0f} s", flush=True)
        env = {**os.environ, "MIMI_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": url,
               "REDIS_URL": redis, "JOBS_PREFIX": name, "FLASK_APP": "wsgi.py", "LOG_LEVEL": "WARNING",
               "PUBLIC_URL": "http://127.0.0.1"}
        started = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "flask"), "match", "rebuild"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        print(f"matching rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        mimi, port = start_mimi(url, redis, name)
        print(f"gunicorn (2 workers x 4 threads, preloaded) serving after {time.perf_counter() - started:.1f} s",
              flush=True)
        users, password = installation["users"], installation["password"]
        sessions = {"participant": [login(port, e, password) for e in users["participant"]],
                    "coach": [login(port, e, password) for e in users["coach"][:4]],
                    "hr": [(e, login(port, e, password)) for e in users["hr"][:4]]}
        requests = mix(sessions, installation["positions"])
        drive(port, requests, 4, 3)  # warm up every worker (snapshot, vocabulary, caches)
        folder = Path(tempfile.mkdtemp())
        hello, hello_port = start_hello(folder)
        drive(hello_port, [("/", None)], 4, 2)
        print(f"{'connections':>11} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
              f" {'hello req/s':>12} {'ratio':>7}")
        for connections in levels:
            ours = drive(port, requests, connections, seconds)
            theirs = drive(hello_port, [("/", None)], connections, min(seconds, 10))
            print(f"{connections:>11} {ours['rps']:>8.1f} {ours['p50']:>8.1f} {ours['p95']:>8.1f} {ours['p99']:>8.1f}"
                  f" {ours['errors']:>7} {theirs['rps']:>12.1f} {theirs['rps'] / max(ours['rps'], 1e-9):>6.0f}x",
                  flush=True)
        for i, (rss, own) in enumerate(worker_memory(mimi.pid)):
            print(f"worker {i + 1}: RSS {rss:.0f} MiB, own (RSS minus shared) {own:.0f} MiB")
        per_page = {}
        for path, cookie in requests:
            kind = re.sub(r"\d+", "N", path.split("?")[0]) + ("?q=…" if "?q=" in path else "")
            per_page.setdefault(kind, (path, cookie))
        print("one connection, each page alone (median of 30):")
        for kind, (path, cookie) in per_page.items():
            result = drive(port, [(path, cookie)], 1, 3, processes=1)
            print(f"  {kind:38} p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms")
    finally:
        for process in (hello, mimi):
            if process is not None:
                stop(process)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_ADMIN",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--sizes", nargs="*", default=["demo", "10000x1000"])
    parser.add_argument("--connections", nargs="*", type=int, default=[8, 32, 64])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    admin = args.postgres.replace("postgresql+psycopg://", "postgresql://")
    base = args.postgres.rsplit("/", 1)[0]
    for size in args.sizes:
        measure(admin, base, args.redis, size, args.connections, args.seconds)


if __name__ == "__main__":
    main()
