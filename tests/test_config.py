"""Configuration from the environment, and the version columns that stop lost updates."""
from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from mimi_match.app import create_app
from mimi_match.extensions import db
from mimi_match.models import Position

from .factories import create_organisation, create_position


def test_production_requires_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("mimi_match.config.ProductionConfig.SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_postgres_urls_use_psycopg3():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql://u@localhost/db", "SECRET_KEY": "x"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@localhost/db"


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("MIMI_ENV", "staging")
    with pytest.raises(RuntimeError, match="MIMI_ENV"):
        create_app()


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setattr("mimi_match.config.ProductionConfig.SECRET_KEY", "from-the-environment")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_version_column_refuses_a_stale_update(app):
    position = create_position(create_organisation())
    assert position.version_id == 1
    # another writer changes the row behind this session's back
    db.session.execute(Position.__table__.update().where(Position.id == position.id)
                       .values(title="Changed elsewhere", version_id=2))
    position.title = "My change"
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(Position, position.id).title != "My change"
