"""Backups of the database and restoring one, with the databases' own tools.

SQLite: the online backup API (a consistent copy while the service runs). PostgreSQL: ``pg_dump`` in its
custom format and ``pg_restore --clean`` (both from the PostgreSQL client tools). A restore replaces the
whole database; afterwards the schema is brought to this version (``flask db upgrade``) and the matching
model is rebuilt from the restored data, so no suggestion or snapshot from after the backup survives.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ..extensions import db


class BackupFailed(RuntimeError):
    pass


def _kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupFailed(f"backups are made for SQLite and PostgreSQL, not {backend}")
    return backend


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the client tools; the password goes in the environment, not the command line."""
    parsed = make_url(url)
    args = ["--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432),
            "--username", parsed.username or "postgres", "--dbname", parsed.database or "postgres"]
    return args, ({"PGPASSWORD": parsed.password} if parsed.password else {})


def _run(command: list[str], extra_env: dict[str, str]) -> None:
    import os

    if shutil.which(command[0]) is None:
        raise BackupFailed(f"{command[0]} is not installed (PostgreSQL client tools)")
    done = subprocess.run(command, env={**os.environ, **extra_env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def create(url: str, target: Path) -> Path:
    """Write a backup of the database at ``url`` to ``target`` (a new file)."""
    target = Path(target)
    if target.exists():
        raise BackupFailed(f"{target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    if _kind(url) == "sqlite":
        with sqlite3.connect(_sqlite_path(url)) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    else:
        args, env = _pg_args(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *args], env)
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database at ``url`` by the backup ``source``."""
    source = Path(source)
    if not source.is_file():
        raise BackupFailed(f"no backup file at {source}")
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds the old database
    if _kind(url) == "sqlite":
        with sqlite3.connect(source) as backup, sqlite3.connect(_sqlite_path(url)) as live:
            backup.backup(live)
    else:
        args, env = _pg_args(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)], env)
