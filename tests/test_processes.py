"""Several processes over one database, as in production: two web servers (gunicorn) and the matching
worker (``flask jobs worker``), on a shared job queue: a SQLite file beside a SQLite database (the quick
start), Redis beside PostgreSQL (production; a SQLite queue when no Redis answers).

Web processes only save and enqueue; the worker is the one writer of suggestions. A participant who
withdraws consent on one web server gets no new suggestion when an HR manager changes a position on the
other; a position published on one server reaches the worker's model and every web process; a worker
killed and started again keeps every change it made.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mimi_match.app import create_app
from mimi_match.extensions import db
from mimi_match.jobs import jobs_of
from mimi_match.models import (
    CEFRLevel,
    DesiredField,
    Match,
    MatchingChange,
    MatchingState,
    MatchStatus,
    ParticipantLanguage,
    ParticipantSkill,
    PositionStatus,
    Role,
)
from mimi_match.services import matching, snapshots
from mimi_match.services.matching_worker import state
from mimi_match.vocabulary import vocabulary

from . import conftest, factories

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "processes-test-secret"
FLOORS = "clean building floors"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Installation:
    """The database and queue of one installation, with the processes started on it."""

    def __init__(self, app, env: dict[str, str], tmp_path: Path):
        self.app, self.env, self.tmp = app, env, tmp_path
        self.processes: list[subprocess.Popen] = []
        self.worker: subprocess.Popen | None = None

    def start(self, *command: str, log: str) -> subprocess.Popen:
        with (self.tmp / log).open("ab") as out:  # the child keeps its own copy of the file
            process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def web(self) -> str:
        port = _free_port()
        self.start(str(BIN / "gunicorn"), "--workers", "1", "--threads", "2", "--bind", f"127.0.0.1:{port}",
                   "wsgi:app", log=f"web-{port}.log")
        base = f"http://127.0.0.1:{port}"
        factories.wait_for(lambda: _answers(base + "/health"), timeout=60)
        return base

    def start_worker(self) -> subprocess.Popen:
        self.worker = self.start(str(BIN / "flask"), "jobs", "worker", "--queue", "all", log="worker.log")
        return self.worker

    def idle(self, timeout: float = 60) -> None:
        """Until the worker has taken every change and job (twice in a row, a moment apart)."""
        def quiet():
            db.session.expire_all()
            waiting = db.session.scalar(select(func.count()).select_from(MatchingChange))
            queued = sum(c["pending"] or 0 for c in jobs_of(self.app).counts().values())
            busy = state().job
            db.session.commit()
            return waiting == 0 and queued == 0 and not busy

        def quiet_twice():
            if not quiet():
                return False
            time.sleep(0.4)
            return quiet()

        factories.wait_for(quiet_twice, timeout=timeout)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Browser:
    """A person at one web server: cookies, and the CSRF token of the page a form is on."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, form_path: str, path: str, data: dict) -> int:
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', self.get(form_path)).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        with self.opener.open(self.base + path, body, timeout=60) as response:
            return response.status

    def login(self, email: str) -> Browser:
        self.post("/login", "/login", {"email": email, "password": factories.PASSWORD})
        assert 'action="/logout"' in self.get("/"), f"{email} is not logged in"
        return self


def _queue() -> str:
    """The quick start's pair on SQLite (a SQLite queue), production's on PostgreSQL (Redis, where one runs)."""
    return "redis" if conftest.ON_POSTGRES and _redis_up() else "sqlite"


@pytest.fixture(params=[_queue()])
def installation(request, tmp_path):
    url = conftest.TEST_DATABASE_URL if conftest.ON_POSTGRES else f"sqlite:///{tmp_path / 'shared.db'}"
    jobs_url = f"sqlite:///{tmp_path / 'jobs.db'}" if request.param == "sqlite" else "redis://127.0.0.1:6379/0"
    prefix = f"mimi-test-{os.getpid()}-{time.monotonic_ns()}"
    settings = conftest.config_settings(SQLALCHEMY_DATABASE_URI=url, JOBS_URL=jobs_url, JOBS_PREFIX=prefix,
                                        SECRET_KEY=SECRET)
    app = create_app(settings)
    env = {**os.environ, "MIMI_ENV": "development", "SECRET_KEY": SECRET, "DATABASE_URL": url, "JOBS_URL": jobs_url,
           "JOBS_PREFIX": prefix, "FLASK_APP": "wsgi.py", "REFIT_DELAY_SECONDS": "0", "LOG_LEVEL": "WARNING",
           "MIMI_INSTANCE_DIR": str(tmp_path / "instance")}
    with app.app_context():
        if conftest.ON_POSTGRES:
            conftest._reset_postgres_schema()
        else:
            db.create_all()
        site = Installation(app, env, tmp_path)
        try:
            yield site
        finally:
            site.stop()
            for huey in jobs_of(app).queues.values():
                huey.flush()
            db.session.remove()
            if conftest.ON_POSTGRES:
                conftest._truncate_postgres()
            db.engine.dispose()


def _participant(name: str):
    person = factories.create_user(display_name=name)
    profile = person.profile
    profile.consent_matching = True
    profile.skills.append(ParticipantSkill(label=FLOORS, concept_uri=vocabulary().resolve(FLOORS)))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
    db.session.commit()
    return person


def _suggested(**where) -> list[tuple[int, int]]:
    db.session.expire_all()
    query = select(Match.profile_id, Match.position_id).where(Match.status == MatchStatus.SUGGESTED)
    for key, value in where.items():
        query = query.where(getattr(Match, key) == value)
    rows = [tuple(r) for r in db.session.execute(query)]
    db.session.commit()
    return rows


def _served_positions(app) -> set[int]:
    db.session.expire_all()
    from mimi_match.models import ModelSnapshot

    data = db.session.scalar(select(ModelSnapshot.data).where(ModelSnapshot.version == matching.current_version()))
    db.session.commit()
    return set(int(q) for q in snapshots.load(data, SECRET).position_ids)


def test_two_web_servers_and_the_worker_agree(installation):
    site = installation
    hr = factories.create_user(Role.HR)
    amina, bo = _participant("Amina"), _participant("Bo")
    job = factories.create_position(hr.organisation, title="Office cleaner", required_skill=FLOORS)
    draft = factories.create_position(hr.organisation, title="Hotel cleaner", required_skill=FLOORS,
                                      status=PositionStatus.DRAFT)
    site.start_worker()
    web_a, web_b = site.web(), site.web()
    site.idle()
    assert (amina.profile.id, job.id) in _suggested()  # the worker made the first model

    # consent withdrawn on server A; the position closed and reopened on server B at once
    amina_at_a = Browser(web_a).login(amina.email)
    hr_at_b = Browser(web_b).login(hr.email)
    assert amina_at_a.post("/me/profile/consent", "/me/profile/consent", {"submit": "1"}) == 200
    hr_at_b.post(f"/hr/positions/{job.id}", f"/hr/positions/{job.id}/close", {})
    hr_at_b.post(f"/hr/positions/{job.id}", f"/hr/positions/{job.id}/reopen", {})
    site.idle()
    assert _suggested(profile_id=amina.profile.id) == []  # she said no: nothing is suggested, on any server
    assert (bo.profile.id, job.id) in _suggested()

    # a position published on server B reaches the worker's model and the snapshot every server serves
    hr_at_b.post(f"/hr/positions/{draft.id}", f"/hr/positions/{draft.id}/publish", {})
    site.idle()
    assert (bo.profile.id, draft.id) in _suggested()
    assert draft.id in _served_positions(site.app)
    fits = Browser(web_a).login(bo.email).get("/opportunities/?sort=fit")
    assert "Hotel cleaner" in fits

    # the worker dies; a new one starts and keeps everything the first one did
    before = sorted(_suggested())
    version = matching.current_version()
    site.worker.send_signal(signal.SIGKILL)
    site.worker.wait(10)
    site.start_worker()
    site.idle()
    factories.wait_for(lambda: (db.session.expire_all(), str(site.worker.pid) in (state().lease_holder or ""))[1],
                       timeout=60)
    assert sorted(_suggested()) == before and matching.current_version() == version
    assert draft.id in _served_positions(site.app)
    # and it works on: Bo's consent withdrawn on server B leaves him without suggestions
    assert Browser(web_b).login(bo.email).post("/me/profile/consent", "/me/profile/consent", {"submit": "1"}) == 200
    site.idle()
    assert _suggested(profile_id=bo.profile.id) == []
    errors = [log.name for log in site.tmp.glob("*.log") if "Traceback" in log.read_text(errors="replace")]
    assert errors == [], "a process logged an error"


def test_the_field_balance_the_worker_counts_is_what_every_web_server_shows(installation):
    """The matching worker is the one writer of the field balance's counts; a wish saved anywhere reaches the
    counts once the worker has handled it, and both web servers show the same, new figure."""
    site = installation
    hr = factories.create_user(Role.HR)
    coach = factories.create_user(Role.COACH)
    kitchen = factories.create_field("kitchen", "Kitchen work")
    factories.create_position(hr.organisation, kitchen, title="Dishwasher", required_skill=FLOORS)
    people = [_participant(f"Seeker {i}") for i in range(5)]
    for person in people[:3]:
        person.profile.desired_fields.append(DesiredField(field_id=kitchen.id, rank=1))
    db.session.commit()
    site.start_worker()
    web_a, web_b = site.web(), site.web()
    site.idle()

    def wishes_shown(web: str) -> str:
        page = Browser(web).login(coach.email).get("/coach/fields")
        found = re.search(r"Kitchen work</td>\s*<td class=\"text-end\">([\d.,]+)</td>", page)
        return found.group(1) if found else ""

    assert wishes_shown(web_a) == wishes_shown(web_b) == "3"
    for person in people[3:]:  # two more wishes, saved by another process than the worker
        person.profile.desired_fields.append(DesiredField(field_id=kitchen.id, rank=1))
    db.session.commit()
    site.idle()
    assert wishes_shown(web_a) == wishes_shown(web_b) == "5"
    db.session.expire_all()
    from mimi_match.services import field_balance

    stored = db.session.scalar(select(MatchingState.field_balance))
    assert stored == field_balance.count()
    db.session.commit()


def test_one_code_sent_to_two_web_servers_at_once_opens_one_session(installation):
    """A second-factor code (or a recovery code) captured and replayed at the same moment on another web
    server: of the two processes, one accepts it."""
    import threading

    import pyotp

    from mimi_match.services import second_factor

    site = installation
    person = factories.create_user(Role.COACH)
    secret = second_factor.new_secret()
    recovery = second_factor.confirm_enrolment(person, secret, pyotp.TOTP(secret).now())
    totp = pyotp.TOTP(secret)
    code = totp.at(time.time() + totp.interval)  # a step not used for the enrolment
    web_a, web_b = site.web(), site.web()

    def attempt_pair(code: str) -> list[bool]:
        browsers = [Browser(web_a), Browser(web_b)]
        tokens = []
        for browser in browsers:
            browser.post("/login", "/login", {"email": person.email, "password": factories.PASSWORD})
            page = browser.get("/login/code")
            tokens.append(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1))
        start = threading.Barrier(2)

        def send(browser: Browser, token: str) -> None:
            body = urllib.parse.urlencode({"code": code, "csrf_token": token}).encode()
            start.wait()
            browser.opener.open(browser.base + "/login/code", body, timeout=60).read()

        threads = [threading.Thread(target=send, args=pair) for pair in zip(browsers, tokens, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        return ['action="/logout"' in browser.get("/") for browser in browsers]

    assert sorted(attempt_pair(code)) == [False, True]
    assert sorted(attempt_pair(recovery[0])) == [False, True]
    db.session.expire_all()
    assert len(db.session.get(type(person), person.id).recovery_codes) == 9
