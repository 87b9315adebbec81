"""Backup and restore with the databases' own tools, and the matching model rebuilt after a restore."""
from __future__ import annotations

import uuid

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from mimi_match.app import create_app
from mimi_match.extensions import db
from mimi_match.models import MatchingState, ParticipantSkill, Position, User
from mimi_match.models.matching import STATE_ID

from .conftest import TEST_DATABASE_URL, config_settings
from .factories import create_organisation, create_position, create_user


def _postgres_up() -> bool:
    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
        return True
    except psycopg.Error:
        return False


def _databases(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'live.db'}"
    if TEST_DATABASE_URL.startswith("postgresql") or _postgres_up():
        name = f"mimi_backup_{uuid.uuid4().hex[:10]}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield "postgresql", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    for kind, url in _databases(tmp_path):
        if kind == request.param:
            yield url
            return
    pytest.skip("no PostgreSQL on 127.0.0.1:5432")


def test_a_backup_restores_what_was_there_and_the_model_is_rebuilt(database, tmp_path):
    app = create_app(config_settings(SQLALCHEMY_DATABASE_URI=database))
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()  # a real installation's schema, with its migration history
        kept = create_user(email="kept@example.org")
        kept.profile.consent_matching = True
        kept.profile.skills.append(ParticipantSkill(label="clean building floors"))
        db.session.commit()
        position = create_position(create_organisation("Fjord Hotel"), title="Kept position")
        kept_id, position_id = kept.id, position.id
        result = runner.invoke(args=["backup", "create", str(tmp_path / "mimi.backup")])
        assert result.exit_code == 0, result.output
        assert runner.invoke(args=["backup", "create", str(tmp_path / "mimi.backup")]).exit_code != 0  # no overwrite
        create_user(email="after@example.org")  # after the backup: gone after the restore
        db.session.delete(db.session.get(Position, position_id))
        db.session.commit()
        refused = runner.invoke(args=["backup", "restore", str(tmp_path / "mimi.backup")])
        assert refused.exit_code != 0 and "--yes" in refused.output
        assert db.session.scalar(select(User.id).where(User.email == "after@example.org")) is not None
        result = runner.invoke(args=["backup", "restore", str(tmp_path / "mimi.backup"), "--yes"])
        assert result.exit_code == 0, result.output
        assert "rebuilding the matching model" in result.output, result.output
        db.session.remove()
        emails = set(db.session.scalars(select(User.email)))
        assert "kept@example.org" in emails and "after@example.org" not in emails
        assert db.session.get(Position, position_id).title == "Kept position"
        assert db.session.get(User, kept_id) is not None
        state = db.session.get(MatchingState, STATE_ID)
        assert state is not None and state.current_version is not None  # rebuilt from the restored data
        assert "Model " in result.output and "1 participants, 1 open positions" in result.output
        db.session.remove()
        db.engine.dispose()


def test_a_missing_backup_file_is_a_clear_error(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(tmp_path / "nothing.backup"), "--yes"])
    assert result.exit_code != 0 and "does not exist" in result.output
