"""Fixtures: an app on a throwaway database (SQLite in memory, or TEST_DATABASE_URL), clients, users."""
from __future__ import annotations

import os

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import text

from mimi_match.app import create_app
from mimi_match.extensions import db
from mimi_match.i18n import compile_catalogs
from mimi_match.jobs import jobs_of
from mimi_match.models import Role

from . import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
_schema_ready = False


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL if ON_POSTGRES else 'SQLite in memory'}"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    compile_catalogs()


def _reset_postgres_schema() -> None:
    global _schema_ready
    if not _schema_ready:
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.drop_all()
        db.create_all()
        _schema_ready = True


def _truncate_postgres() -> None:
    tables = ", ".join(t.name for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (own ``g``, own DB session), as in production.

    The test itself holds an app context for its database work; without this, requests would
    share that context's ``g`` (and Flask-Login's cached user) and its session.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            response = super().open(*args, **kwargs)
            # then the workers take what the request queued, as they would a moment later in production
            if self.application.config.get("RUN_JOBS_AFTER_REQUEST", True):
                jobs_of(self.application).run_pending()
            return response
        finally:
            _cv_app.reset(token)
            if _cv_app.get(None) is not None:
                db.session.expire_all()


def config_settings(config_class=None, **overrides) -> dict:
    """A config class's settings as a mapping for ``create_app`` (engines and limits are built from it)."""
    from mimi_match.config import TestingConfig

    cls = config_class or TestingConfig
    return {**{k: getattr(cls, k) for k in dir(cls) if k.isupper()}, **overrides}


def make_app(**overrides):
    app = create_app("testing")
    app.config.update(overrides)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def app_factory():
    """Build an app with extra config (e.g. CSRF on) sharing the test database lifecycle."""
    apps = []

    def build(**overrides):
        app = make_app(**overrides)
        apps.append(app)
        return app

    yield build


@pytest.fixture
def app(request):
    overrides = getattr(request, "param", {}) or {}
    app = make_app(**overrides)
    with app.app_context():
        if ON_POSTGRES:
            _reset_postgres_schema()
        else:
            db.create_all()
        yield app
        db.session.remove()
        if ON_POSTGRES:
            _truncate_postgres()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def users(app):
    """One active user of each role (the HR user with an organisation)."""
    return {role.value: factories.create_user(role) for role in Role}


@pytest.fixture
def login(app):
    """``login(user)`` returns a test client logged in as ``user``."""

    def _login(user):
        client = app.test_client()
        factories.login_as(client, user)
        return client

    return _login


@pytest.fixture
def run_jobs(app):
    """``run_jobs()`` runs what is waiting on the queues now (the workers, in this process)."""
    return lambda: jobs_of(app).run_pending()


@pytest.fixture
def outbox(monkeypatch):
    """The e-mails the mail worker would send, in order (after ``run_jobs()``)."""
    from mimi_match.services import mail

    sent: list = []
    monkeypatch.setattr(mail, "deliver", lambda message, raise_errors=False: sent.append(message))
    return sent
