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
    monkeypatch.setattr("mimi_match.config.ProductionConfig.PUBLIC_URL", "https://match.example.org")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-mimi_session"


def test_production_requires_public_url(monkeypatch):
    monkeypatch.setattr("mimi_match.config.ProductionConfig.SECRET_KEY", "from-the-environment")
    for missing in ("", "match.example.org", "ftp://match.example.org"):
        monkeypatch.setattr("mimi_match.config.ProductionConfig.PUBLIC_URL", missing)
        with pytest.raises(RuntimeError, match="PUBLIC_URL"):
            create_app("production")


def test_production_answers_only_its_own_host_name(monkeypatch):
    """A poisoned Host header gets a 400, not a page whose links point elsewhere."""
    monkeypatch.setattr("mimi_match.config.ProductionConfig.SECRET_KEY", "from-the-environment")
    monkeypatch.setattr("mimi_match.config.ProductionConfig.PUBLIC_URL", "https://match.example.org")
    monkeypatch.setattr("mimi_match.config.ProductionConfig.SQLALCHEMY_DATABASE_URI", "sqlite://", raising=False)
    monkeypatch.setenv("TRUSTED_HOSTS", "internal.example.org")
    app = create_app("production")
    client = app.test_client()
    assert client.get("/health", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/health", base_url="https://evil.example").status_code == 400
    assert client.get("/health", base_url="https://match.example.org").status_code == 200
    assert client.get("/health", base_url="https://internal.example.org:8443").status_code == 200


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
