"""Alembic: one head; upgrade on an empty database matches the models; downgrade and upgrade again."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import inspect, text

from mimi_match.extensions import db

from .conftest import ON_POSTGRES

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _alembic_config() -> Config:
    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def test_single_head():
    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert len(heads) == 1, heads


@pytest.fixture
def empty_database(app, tmp_path):
    """An empty database: a SQLite file, or the PostgreSQL test database wiped clean."""
    if ON_POSTGRES:
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        yield app
        # leave the schema as the migrations made it (identical to the models, as the check proves)
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
    else:
        from mimi_match.app import create_app

        file_app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}",
                               "TESTING": True, "SECRET_KEY": "x"})
        with file_app.app_context():
            yield file_app
            db.engine.dispose()


def test_upgrade_check_downgrade_upgrade(empty_database):
    with empty_database.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "positions", "matches", "match_events", "participant_profiles",
                "placements", "evaluations", "action_plan_items", "audit_entries"} <= tables
        check()  # raises if the models and the migrated schema differ
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        check()
        assert "users" in inspect(db.engine).get_table_names()


def test_migration_files_have_messages():
    for path in (MIGRATIONS / "versions").glob("*.py"):
        head = path.read_text(encoding="utf-8").splitlines()[0]
        assert head.strip('"') and head != '"""empty message', path.name
