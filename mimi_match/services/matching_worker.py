"""The matching worker: the one writer of the model, of its snapshots and of the suggested matches.

It runs in a worker process (``flask jobs worker --queue matching``), holds a lease in the database so that
no second writer on any machine writes at the same time, and keeps in memory the current model (with every
participant) and both suggestion lists. Changes reach it as rows of ``matching_changes``; it reads the
records anew from the database, makes a new model from the old one (never in place), brings the lists up
to date and writes only the suggestions that changed, in bounded transactions that first read — and lock —
the participants' consent and account status and the positions' status: a suggestion for somebody who
said no, or for a closed position, is never written, whatever the worker had in memory.

Web processes load the current snapshot (the fitted spaces and the open positions, no participant in it)
to score one person at a time; the snapshot's version is recorded in the database, so every process and
machine agrees on it. After a restart the worker rebuilds its memory from the snapshot and the database:
nothing it did is lost.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import bindparam, delete, or_, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..extensions import db
from ..matching.config import MatchingConfig
from ..matching.model import MatchModel
from ..matching.records import PositionRecord
from ..matching.suggestions import SuggestionTables, Touched
from ..models import (
    Match,
    MatchEvent,
    MatchingChange,
    MatchingState,
    MatchOrigin,
    MatchStatus,
    ModelSnapshot,
    ParticipantProfile,
    Position,
    PositionStatus,
    User,
)
from ..models.base import utcnow
from ..models.matching import STATE_ID
from ..vocabulary import vocabulary
from . import field_balance, snapshots
from .matching_records import CHUNK, participant_records, position_records

log = logging.getLogger(__name__)
EXTENSION = "mimi_matching_worker"
_local = threading.local()
_create_lock = threading.Lock()
WRITE_BATCH = 3000  # suggestions per transaction
DRAIN_BATCH = 500  # changes per round
RETRY_CODES = {"40P01", "55P03", "40001"}  # deadlock, lock not available, serialization failure
Progress = Callable[[str, int, int], None]


class LeaseHeld(Exception):
    """Another writer holds the lease."""

    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


class LeaseLost(Exception):
    """The lease went to another writer while this one worked: stop writing at once."""


def in_worker() -> bool:
    return getattr(_local, "active", False)


@contextmanager
def _active():
    before = in_worker()
    _local.active = True
    try:
        yield
    finally:
        _local.active = before


def retryable(error: Exception) -> bool:
    """Lock conflicts and deadlocks with user transactions: roll back and try again a moment later."""
    if isinstance(error, OperationalError):
        return True
    code = getattr(getattr(error, "orig", None), "sqlstate", None) or getattr(getattr(error, "orig", None),
                                                                              "pgcode", None)
    return isinstance(error, DBAPIError) and code in RETRY_CODES


def worker_for(app: Flask) -> MatchingWorker:
    """The writer object of this app in this process (created once)."""
    app = app._get_current_object() if hasattr(app, "_get_current_object") else app  # never the proxy
    worker = app.extensions.get(EXTENSION)
    if worker is None:
        with _create_lock:
            worker = app.extensions.get(EXTENSION) or MatchingWorker(app)
            app.extensions[EXTENSION] = worker
    return worker


def state() -> MatchingState:
    """The one state row (created on first use)."""
    row = db.session.get(MatchingState, STATE_ID)
    if row is None:
        try:
            db.session.add(MatchingState(id=STATE_ID))
            db.session.commit()
        except IntegrityError:  # another process created it at the same moment
            db.session.rollback()
        row = db.session.get(MatchingState, STATE_ID)
    return row


def concept_labels(positions: Iterable[PositionRecord]) -> dict[str, list[str]]:
    """Every label, in every language, of the concepts positions ask for (for typo-tolerant matching)."""
    vocab = vocabulary()
    wanted = {s.concept for q in positions for s in (*q.required, *q.nice) if s.concept}
    labels = {}
    for uri in wanted:
        concept = vocab.get(uri)
        if concept is not None:
            labels[uri] = [label for values in concept.labels.values() for label in values]
    return labels


@dataclass
class Dirty:
    """Lists changed in memory whose suggestions are not written yet."""

    participants: set[int] = field(default_factory=set)
    positions: set[int] = field(default_factory=set)
    removed_participants: set[int] = field(default_factory=set)
    removed_positions: set[int] = field(default_factory=set)
    changed_participants: set[int] = field(default_factory=set)  # records changed: rewrite their explanations
    changed_positions: set[int] = field(default_factory=set)

    def add(self, touched: Touched, changed_p: Iterable[int], changed_q: Iterable[int]) -> None:
        self.participants |= touched.participants
        self.positions |= touched.positions
        self.removed_participants |= touched.removed_participants
        self.removed_positions |= touched.removed_positions
        self.changed_participants |= set(changed_p)
        self.changed_positions |= set(changed_q)

    def __bool__(self) -> bool:
        return bool(self.participants or self.positions or self.removed_participants or self.removed_positions)


class MatchingWorker:
    def __init__(self, app: Flask):
        self.app = app
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"
        self.model: MatchModel | None = None
        self.tables: SuggestionTables | None = None
        self.version: str | None = None
        self.fit_version: str | None = None
        self.revision = 0
        self.unwritten = Dirty()
        self._lock = threading.RLock()
        self._heartbeat: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake_for = None
        self.balance_stale = True  # the counts of the field balance are to be (re)counted

    # --- settings ------------------------------------------------------------------------------------
    @property
    def k(self) -> int:
        return int(self.app.config.get("MATCH_TOP_K", 10))

    @property
    def config(self) -> MatchingConfig:
        return self.app.config.get("MATCHING") or MatchingConfig()

    @property
    def ttl(self) -> timedelta:
        return timedelta(seconds=float(self.app.config.get("MATCHING_LEASE_SECONDS", 120)))

    # --- the lease -----------------------------------------------------------------------------------
    def acquire(self) -> bool:
        """Take or renew the writer's lease; False when another live writer holds it."""
        current = state()
        now = utcnow()
        table = MatchingState.__table__
        free = or_(table.c.lease_holder.is_(None), table.c.lease_holder == self.holder, table.c.lease_until < now)
        if current.lease_holder and self._dead_here(current.lease_holder):
            free = or_(free, table.c.lease_holder == current.lease_holder)
        taken = db.session.execute(update(table).where(table.c.id == STATE_ID, free).values(
            lease_holder=self.holder, lease_until=now + self.ttl, worker_seen_at=now)).rowcount
        db.session.commit()
        return taken == 1

    def _dead_here(self, holder: str) -> bool:
        """A holder on this machine whose process is gone (a crashed worker): no need to wait for its lease."""
        host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if host != socket.gethostname() or not pid.isdigit() or holder == self.holder:
            return False
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def release(self) -> None:
        table = MatchingState.__table__
        db.session.execute(update(table).where(table.c.id == STATE_ID, table.c.lease_holder == self.holder)
                           .values(lease_holder=None, lease_until=None))
        db.session.commit()

    def _fence(self) -> None:
        """First statement of every write transaction: renews the lease and proves it is still ours (on SQLite
        it also takes the database's write lock, so what is read next cannot change before the commit)."""
        table = MatchingState.__table__
        now = utcnow()
        renewed = db.session.execute(update(table).where(table.c.id == STATE_ID, table.c.lease_holder == self.holder)
                                     .values(lease_until=now + self.ttl, worker_seen_at=now)).rowcount
        if renewed != 1:
            raise LeaseLost()

    def start_heartbeat(self) -> None:
        """Keep the lease while a long job runs (worker processes only)."""
        if self._heartbeat is not None:
            return

        def beat():
            while not self._stop.wait(self.ttl.total_seconds() / 4):
                with self.app.app_context():
                    try:
                        if self._lock.acquire(blocking=False):  # a running job renews the lease itself
                            try:
                                self.acquire()
                            finally:
                                self._lock.release()
                        else:
                            self._renew_quietly()
                    except Exception:  # noqa: BLE001
                        log.warning("could not renew the matching lease", exc_info=True)

        self._heartbeat = threading.Thread(target=beat, name="matching-lease", daemon=True)
        self._heartbeat.start()

    def _renew_quietly(self) -> None:
        table = MatchingState.__table__
        now = utcnow()
        db.session.execute(update(table).where(table.c.id == STATE_ID, table.c.lease_holder == self.holder)
                           .values(lease_until=now + self.ttl, worker_seen_at=now))
        db.session.commit()

    def stop(self) -> None:
        self._stop.set()
        with self.app.app_context():
            try:
                self.release()
            except Exception:  # noqa: BLE001
                log.warning("could not release the matching lease", exc_info=True)

    # --- the work ------------------------------------------------------------------------------------
    def run_once(self) -> None:
        """Handle everything that is waiting: a requested or due rebuild, changes, unwritten suggestions."""
        with self._lock, _active():
            try:
                if not self.acquire():
                    return  # a standby: the writer that holds the lease does the work
                self._step()
            except LeaseLost:
                log.warning("the matching lease went to another writer; this one stops writing")
                self._forget()
            except Exception as error:
                db.session.rollback()
                if not retryable(error):
                    self._remember_error(error)
                    self._forget()  # start again from the snapshot and the database: the full, checked path
                    raise
                log.info("matching work met a lock; trying again shortly", extra={"error": type(error).__name__})
                from .. import jobs

                jobs.jobs_of(self.app).enqueue("matching.wake", delay=2)

    def tick(self) -> None:
        """Every minute: positions whose listing ended become changes, and whatever a lost wake-up left waits
        no longer."""
        with self._lock, _active():
            if self.model is not None and self.acquire():
                today = date.today()
                ended = list(db.session.scalars(select(Position.id).where(
                    Position.status == PositionStatus.OPEN, Position.listed_until < today)))
                keys = {("position", q, 0) for q in ended if q in self.model.position_row}
                if keys:
                    from .matching_changes import record

                    record(db.session.connection(), keys)
                    db.session.commit()
        self.run_once()

    def _step(self) -> None:
        self._step_matching()
        if self.balance_stale:
            self._count_balance()

    def _count_balance(self) -> None:
        """Count the field balance's wishes and openings again and keep them where every page reads them."""
        counts = field_balance.count()
        self._fence()
        table = MatchingState.__table__
        db.session.execute(update(table).where(table.c.id == STATE_ID).values(field_balance=counts))
        field_balance.keep_day(counts)
        db.session.commit()
        self.balance_stale = False

    def _step_matching(self) -> None:
        current = state()
        if self.model is None and current.current_version is None and not self._anything_to_match():
            self._nothing_to_match(current)  # a new installation: the cheap path, no model to fit
            return
        if self.model is None or current.current_version != self.version:
            if not self._load():
                return
            current = state()
        if current.rebuild_requested_at is not None:
            self._rebuild("requested")
            return
        if self.unwritten:
            self._write_dirty()
        self._drain()
        current = state()
        if current.refit_due_at is not None:
            if current.refit_due_at <= utcnow():
                self._rebuild(current.refit_reason or "due")
            elif self._wake_for != current.refit_due_at:  # one wake-up for the due time, not one per round
                from .. import jobs

                self._wake_for = current.refit_due_at
                delay = (current.refit_due_at - utcnow()).total_seconds() + 1
                jobs.jobs_of(self.app).enqueue("matching.wake", delay=delay)

    def _forget(self) -> None:
        db.session.rollback()
        self.model = self.tables = self.version = self.fit_version = None
        self.unwritten = Dirty()

    def _remember_error(self, error: Exception) -> None:
        db.session.rollback()
        try:
            row = state()
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.last_error_at = utcnow()
            row.job = ""
            db.session.commit()
        except Exception:  # noqa: BLE001
            db.session.rollback()

    def want_refit(self, reason: str, delay: float = 0.0) -> None:
        """Ask for a new fit (no later than ``delay`` seconds from now); repeated asks collapse into one."""
        due = utcnow() + timedelta(seconds=delay)
        table = MatchingState.__table__
        state()
        db.session.execute(update(table).where(table.c.id == STATE_ID, or_(table.c.refit_due_at.is_(None),
                                                                             table.c.refit_due_at > due))
                           .values(refit_due_at=due, refit_reason=reason[:40]))
        db.session.commit()

    # --- loading after a start ------------------------------------------------------------------------
    def _load(self) -> bool:
        """The current snapshot plus every record as it is now; a fit when there is none (False: nothing to
        match yet)."""
        current = state()
        snapshot = db.session.get(ModelSnapshot, current.current_version) if current.current_version else None
        data = snapshot.data if snapshot is not None else None
        served: MatchModel | None = None
        if data:
            try:
                served = snapshots.load(data, self.app.config["SECRET_KEY"])
            except snapshots.BadSnapshot:
                log.warning("the stored model snapshot is not signed with this SECRET_KEY; fitting a new one")
        if served is None or served.config != self.config or served.host_language != self.host_language:
            self._rebuild("first" if served is None else "settings")
            return self.model is not None
        participants, positions = participant_records(), position_records()
        model = served.refreshed(list(participants.values()), list(positions.values()))
        self.model, self.version, self.fit_version = model, snapshot.version, snapshot.fit_version
        self.revision = int(snapshot.version.rpartition(".")[2] or 0)
        self.tables = SuggestionTables.build(model, self.k, self._excluded_all())
        if model.positions != served.positions:
            self.version = self._store(model)
        if any(not model.knows(q) for q in model.positions):
            self.want_refit("new skills", float(self.app.config.get("REFIT_DELAY_SECONDS", 60)))
        self._reconcile(force=False)
        return True

    @property
    def host_language(self) -> str:
        return self.app.config["HOST_LANGUAGE"]

    # --- changes ---------------------------------------------------------------------------------------
    def _drain(self) -> None:
        while self.model is not None:
            rows = db.session.execute(select(MatchingChange.kind, MatchingChange.record_id, MatchingChange.other_id,
                                             MatchingChange.token)
                                      .order_by(MatchingChange.changed_at).limit(DRAIN_BATCH)).all()
            db.session.commit()
            if not rows:
                return
            self._apply(rows)
            self._done(rows)

    def _apply(self, rows) -> None:
        p_ids = {r.record_id for r in rows if r.kind in ("participant", "erased")}
        q_ids = {r.record_id for r in rows if r.kind == "position"}
        self.balance_stale = self.balance_stale or bool(p_ids or q_ids)  # a pair's state moves no count
        pairs = [(r.record_id, r.other_id) for r in rows if r.kind == "pair"]
        found_p = participant_records(p_ids) if p_ids else {}
        found_q = position_records(q_ids) if q_ids else {}
        model = self.model.with_changes(list(found_p.values()), list(found_q.values()),
                                        p_ids - set(found_p), q_ids - set(found_q))
        tables = self.tables.copy()
        touched = tables.update(model, p_ids, q_ids, pairs, self._excluded)
        version = self.version
        if model.positions != self.model.positions:
            version = self._store(model)
        self.model, self.tables, self.version = model, tables, version
        self.unwritten.add(touched, set(found_p) & set(model.participant_row), set(found_q) & set(model.position_row))
        if any(q.is_open and not model.knows(q) for q in found_q.values()):
            self.want_refit("new skills", float(self.app.config.get("REFIT_DELAY_SECONDS", 60)))
        if any(r.kind == "erased" for r in rows):  # their words leave the fitted text space too
            self.want_refit("erasure", float(self.app.config.get("ERASURE_REFIT_DELAY_SECONDS", 0)))
        self._write_dirty()

    def _done(self, rows) -> None:
        """Remove handled changes, unless the record changed again meanwhile (another token)."""
        table = MatchingChange.__table__
        statement = delete(table).where(table.c.kind == bindparam("k"), table.c.record_id == bindparam("r"),
                                        table.c.other_id == bindparam("o"), table.c.token == bindparam("t"))
        for start in range(0, len(rows), CHUNK):
            db.session.execute(statement, [{"k": r.kind, "r": r.record_id, "o": r.other_id, "t": r.token}
                                           for r in rows[start:start + CHUNK]])
        db.session.commit()

    def _excluded(self, participants: set[int], positions: set[int]) -> list[tuple[int, int]]:
        """Pairs somebody acted on (any status but "suggested"), for these participants or positions."""
        out: list[tuple[int, int]] = []
        for column, ids in ((Match.profile_id, participants), (Match.position_id, positions)):
            ids = sorted(ids)
            for start in range(0, len(ids), CHUNK):
                # the status is filtered here, not in SQL: the id index alone is the plan, whatever the statistics
                out += [(p, q) for p, q, status in db.session.execute(
                    select(Match.profile_id, Match.position_id, Match.status).where(
                        column.in_(ids[start:start + CHUNK]))) if status != MatchStatus.SUGGESTED]
        return [(int(p), int(q)) for p, q in out]

    def _excluded_all(self) -> list[tuple[int, int]]:
        return [(int(p), int(q)) for p, q in db.session.execute(
            select(Match.profile_id, Match.position_id).where(Match.status != MatchStatus.SUGGESTED),
            execution_options={"yield_per": 10000})]

    # --- snapshots ---------------------------------------------------------------------------------------
    def _store(self, model: MatchModel) -> str:
        """Store what web processes serve as a new immutable version and make it current; only the current
        version keeps its data."""
        self.revision += 1
        version = f"{self.fit_version}.{self.revision}"
        model.version = version  # a model not yet handed to anyone: it names the snapshot it becomes
        data = snapshots.dump(model.served(), self.app.config["SECRET_KEY"])
        self._fence()
        db.session.add(ModelSnapshot(version=version, fit_version=self.fit_version, size_bytes=len(data), data=data,
                                     participants=len(model.participants), positions=len(model.positions)))
        db.session.flush()
        table = MatchingState.__table__
        db.session.execute(update(table).where(table.c.id == STATE_ID).values(current_version=version))
        history = ModelSnapshot.__table__
        db.session.execute(update(history).where(history.c.version != version, history.c.data.is_not(None))
                           .values(data=None))
        db.session.commit()
        return version

    # --- rebuilding ----------------------------------------------------------------------------------------
    def rebuild(self, progress: Progress | None = None, reason: str = "requested") -> dict:
        """A new fit on the current data, stored, with every suggestion renewed (this process as the writer)."""
        with self._lock, _active():
            if not self.acquire():
                raise LeaseHeld(state().lease_holder or "")
            try:
                result = self._rebuild(reason, progress)
                self._count_balance()
                return result
            except Exception as error:
                self._remember_error(error)
                raise

    def _rebuild(self, reason: str, progress: Progress | None = None) -> dict:
        self.balance_stale = True
        started = time.monotonic()
        say = _Reporter(self, progress)
        row = state()
        begun = utcnow()
        row.job, row.job_started_at, row.rebuild_requested_at, row.last_error = "rebuild", begun, None, ""
        retry_at = None
        if row.refit_due_at is not None and row.refit_due_at <= begun:  # tried again in a while if this fails
            retry_at = row.refit_due_at = begun + timedelta(seconds=float(self.app.config["REFIT_RETRY_SECONDS"]))
        db.session.commit()
        log.info("matching model rebuild started", extra={"reason": reason})
        pending = db.session.execute(select(MatchingChange.kind, MatchingChange.record_id, MatchingChange.other_id,
                                            MatchingChange.token)).all()
        say("records", 0, 0)
        participants = list(participant_records().values())
        positions = list(position_records().values())
        say("records", len(participants), len(participants))
        if not participants or not positions:  # nothing to match yet (a new installation)
            self._fence()
            db.session.execute(delete(Match).where(Match.status == MatchStatus.SUGGESTED))
            db.session.execute(update(MatchingState.__table__).where(MatchingState.__table__.c.id == STATE_ID)
                               .values(current_version=None, job=""))
            db.session.commit()
            self._forget()
            self._done(pending)
            return {"version": None, "participants": len(participants), "positions": len(positions),
                    "suggestions": 0, "created": 0, "seconds": round(time.monotonic() - started, 2)}
        say("fit", 0, len(participants))
        fit_version = utcnow().strftime("%Y%m%d%H%M%S%f")[:17]
        model = MatchModel(self.config, host_language=self.host_language, version=fit_version)
        model.fit(participants, positions, concept_labels(positions))
        say("rank", 0, len(model.participants))
        tables = SuggestionTables.build(model, self.k, self._excluded_all(),
                                        progress=lambda done: say("rank", done, len(model.participants)))
        self.fit_version, self.revision = fit_version, -1
        self.version = self._store(model)
        self.model, self.tables, self.unwritten = model, tables, Dirty()
        created = self._reconcile(force=True, progress=say)
        self._done(pending)
        if db.session.get_bind().dialect.name == "postgresql" and created_total(created) > 10_000:
            # fresh statistics after writing so many rows (the planner must not think the table is empty)
            db.session.execute(text("ANALYZE matches"))
            db.session.execute(text("ANALYZE match_events"))
            db.session.commit()
        row = state()
        if retry_at is not None and row.refit_due_at == retry_at:  # done, unless asked again while it ran
            row.refit_due_at, row.refit_reason = None, ""
        row.job, row.job_stage, row.last_fit_at = "", "", utcnow()
        row.last_fit_seconds = round(time.monotonic() - started, 2)
        db.session.commit()
        say("done", 0, 0)
        result = {"version": self.version, "participants": len(model.participants), "positions": len(model.positions),
                  "suggestions": tables.count(), "created": created_total(created), "seconds": row.last_fit_seconds,
                  "stages": say.seconds}
        log.info("matching model rebuilt", extra={"model_version": self.version, "participants": result["participants"],
                                                   "positions": result["positions"],
                                                   "suggestions": result["suggestions"], "new": created_total(created),
                                                   "seconds": result["seconds"], "stages": say.seconds})
        return result

    def _nothing_to_match(self, current: MatchingState) -> None:
        """Nobody to match or nothing open: waiting changes are done, and no suggestion may stay."""
        rows = db.session.execute(select(MatchingChange.kind, MatchingChange.record_id, MatchingChange.other_id,
                                         MatchingChange.token)).all()
        if db.session.scalar(select(Match.id).where(Match.status == MatchStatus.SUGGESTED).limit(1)) is not None:
            self._fence()
            db.session.execute(delete(Match).where(Match.status == MatchStatus.SUGGESTED))
        if current.rebuild_requested_at is not None or current.refit_due_at is not None:
            current.rebuild_requested_at = current.refit_due_at = None
        db.session.commit()
        if rows:
            self.balance_stale = True
            self._done(rows)

    @staticmethod
    def _anything_to_match() -> bool:
        """Whether anybody may be matched and any position is open (two indexed look-ups)."""
        someone = db.session.scalar(select(ParticipantProfile.id).join(User, User.id == ParticipantProfile.user_id)
                                    .where(ParticipantProfile.consent_matching.is_(True), User.active.is_(True))
                                    .limit(1))
        something = db.session.scalar(select(Position.id).where(Position.status == PositionStatus.OPEN,
                                                                Position.listed_until >= date.today()).limit(1))
        return someone is not None and something is not None

    # --- writing suggestions ---------------------------------------------------------------------------------
    def _stored(self, participants: Iterable[int] = (), positions: Iterable[int] = ()) -> dict[tuple[int, int], tuple]:
        """Stored suggestions of these participants or positions: (p, q) -> (id, score, model version)."""
        out: dict[tuple[int, int], tuple] = {}
        for column, ids in ((Match.profile_id, participants), (Match.position_id, positions)):
            ids = sorted(set(ids))
            for start in range(0, len(ids), CHUNK):
                for mid, p, q, score, version, status in db.session.execute(
                        select(Match.id, Match.profile_id, Match.position_id, Match.score, Match.model_version,
                               Match.status).where(column.in_(ids[start:start + CHUNK]))):
                    if status == MatchStatus.SUGGESTED:  # filtered here: the id index is the plan (see _excluded)
                        out[(p, q)] = (mid, score, version)
        return out

    def _write_dirty(self) -> None:
        dirty = self.unwritten
        stored = self._stored(dirty.participants | dirty.removed_participants,
                              dirty.positions | dirty.removed_positions)
        wanted = self.tables.pairs(participants=dirty.participants, positions=dirty.positions)
        deletes = [row[0] for pair, row in stored.items() if not self.tables.is_suggested(*pair)]
        upserts = [(p, q, s) for (p, q), s in wanted.items()
                   if (p, q) not in stored or stored[(p, q)][1] != round(s, 4)
                   or p in dirty.changed_participants or q in dirty.changed_positions]
        created = self._write(deletes, upserts, stored)
        self.unwritten = Dirty()
        self._tell_coaches(created)

    def _reconcile(self, force: bool, progress: _Reporter | None = None) -> Counter:
        """Make the stored suggestions exactly the lists: everything, participant by participant."""
        say = progress or (lambda *_: None)
        known_p, known_q = set(self.model.participant_row), set(self.model.position_row)
        for column, known in ((Match.profile_id, known_p), (Match.position_id, known_q)):
            gone = sorted(set(db.session.scalars(select(column).where(Match.status == MatchStatus.SUGGESTED)
                                                 .distinct())) - known)
            for start in range(0, len(gone), CHUNK):
                self._fence()
                db.session.execute(delete(Match).where(Match.status == MatchStatus.SUGGESTED,
                                                       column.in_(gone[start:start + CHUNK])))
                db.session.commit()
        created: Counter = Counter()
        total, done = len(self.model.participants), 0
        say("write", 0, total)
        for chunk, wanted in self.tables.by_participant(WRITE_BATCH):
            stored = self._stored(participants=chunk)
            deletes = [row[0] for pair, row in stored.items() if pair not in wanted]
            upserts = [(p, q, s) for (p, q), s in wanted.items()
                       if force or (p, q) not in stored or stored[(p, q)][1] != round(s, 4)]
            created += self._write(deletes, upserts, stored)
            done += len(chunk)
            say("write", min(done, total), total)
        self._tell_coaches(created)
        return created

    def _write(self, deletes: list[int], upserts: list[tuple[int, int, float]], stored: dict) -> Counter:
        """Delete and write suggestions in transactions of WRITE_BATCH, each checking the truth first."""
        created: Counter = Counter()
        for start in range(0, len(deletes), WRITE_BATCH):
            self._fence()
            db.session.execute(delete(Match).where(Match.id.in_(deletes[start:start + WRITE_BATCH]),
                                                   Match.status == MatchStatus.SUGGESTED))
            db.session.commit()
        upserts.sort()
        batches = [upserts[start:start + WRITE_BATCH] for start in range(0, len(upserts), WRITE_BATCH)]
        if not batches:
            return created
        # the next batch is explained (Python work) while this one is written (the database's work)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="explain") as pool:
            upcoming = pool.submit(self._explain, batches[0])
            for i, batch in enumerate(batches):
                explained = upcoming.result()
                if i + 1 < len(batches):
                    upcoming = pool.submit(self._explain, batches[i + 1])
                created += self._write_batch(batch, explained, stored)
        return created

    def _explain(self, batch: list[tuple[int, int, float]]) -> list[tuple[dict, str, str]]:
        """Each pair's explanation, with its JSON and its components' JSON (no database here)."""
        return [(e, json.dumps(e), json.dumps(e["components"]))
                for e in self.model.explain_many([(p, q) for p, q, _ in batch])]

    def _write_batch(self, batch: list[tuple[int, int, float]], explained: list, stored: dict) -> Counter:
        on_postgres = db.session.get_bind().dialect.name == "postgresql"
        self._fence()
        # the truth, read (and on PostgreSQL share-locked, never waited for) in the transaction that writes
        profiles = sorted({p for p, _, _ in batch})
        query = select(ParticipantProfile.id).join(User, User.id == ParticipantProfile.user_id).where(
            ParticipantProfile.id.in_(profiles), ParticipantProfile.consent_matching.is_(True), User.active.is_(True))
        if on_postgres:
            query = query.with_for_update(read=True, nowait=True, of=(ParticipantProfile, User))
        may_p = set(db.session.scalars(query))
        query = select(Position.id).where(Position.id.in_(sorted({q for _, q, _ in batch})),
                                          Position.status == PositionStatus.OPEN, Position.listed_until >= date.today())
        if on_postgres:
            query = query.with_for_update(read=True, nowait=True)
        may_q = set(db.session.scalars(query))
        now, version = utcnow(), self.version
        updates, inserts, refused = [], [], []
        for (p, q, score), (explanation, explanation_json, components_json) in zip(batch, explained, strict=True):
            row = stored.get((p, q))
            if p not in may_p or q not in may_q:
                if row is not None:
                    refused.append(row[0])
                continue
            values = {"score": round(float(score), 4), "components": explanation["components"],
                      "explanation": explanation, "model_version": version, "updated_at": now,
                      "json": (components_json, explanation_json)}
            if row is not None:
                updates.append({"id": row[0], **values})
            else:
                inserts.append({"profile_id": p, "position_id": q, **values})
        table = Match.__table__
        if on_postgres and (updates or refused):
            db.session.execute(select(table.c.id).where(table.c.id.in_([u["id"] for u in updates] + refused))
                               .with_for_update(nowait=True))
        if refused:
            db.session.execute(delete(table).where(table.c.id.in_(refused),
                                                   table.c.status == MatchStatus.SUGGESTED.value))
        if on_postgres:
            created = _copy_write(updates, inserts, version, now)
        else:
            created = _executemany_write(updates, inserts, version, now)
        db.session.commit()
        return created

    def _tell_coaches(self, created: Counter) -> None:
        """One notification per coach for the new suggestions waiting in their review queue."""
        if not created:
            return
        from .notifications import notify

        per_coach: Counter = Counter()
        ids = sorted(created)
        for start in range(0, len(ids), CHUNK):
            for pid, coach_id in db.session.execute(select(ParticipantProfile.id, ParticipantProfile.coach_id).where(
                    ParticipantProfile.id.in_(ids[start:start + CHUNK]), ParticipantProfile.coach_id.is_not(None))):
                per_coach[coach_id] += created[pid]
        for coach_id, count in per_coach.items():
            notify(coach_id, "suggestions_to_review", {"count": count}, "/coach/review")
        db.session.commit()

    # --- for tests and the admin page -------------------------------------------------------------------------
    def expected_pairs(self) -> set[tuple[int, int]]:
        """Every pair the lists suggest now."""
        return {pair for _, pairs in self.tables.by_participant() for pair in pairs} if self.tables else set()


def _copy_write(updates: list[dict], inserts: list[dict], version: str, now) -> Counter:
    """PostgreSQL: the rows go in with COPY to a temporary table, then one UPDATE and one INSERT ... ON CONFLICT
    DO NOTHING (with the history's first event) — no per-row statement, no huge statement text to parse."""
    raw = db.session.connection().connection.driver_connection  # the same transaction
    created: Counter = Counter()
    with raw.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS mimi_suggestion_rows (id integer, profile_id integer, "
                       "position_id integer, score double precision, components text, explanation text) "
                       "ON COMMIT DELETE ROWS")
        with cursor.copy("COPY mimi_suggestion_rows (id, profile_id, position_id, score, components, explanation) "
                         "FROM STDIN") as copy:
            for row in updates:
                copy.write_row((row["id"], None, None, row["score"], *row["json"]))
            for row in inserts:
                copy.write_row((None, row["profile_id"], row["position_id"], row["score"], *row["json"]))
        if updates:
            cursor.execute(
                "UPDATE matches AS m SET score = r.score, components = r.components::json, "
                "explanation = r.explanation::json, model_version = %s, updated_at = %s, version_id = m.version_id + 1 "
                "FROM mimi_suggestion_rows AS r WHERE r.id IS NOT NULL AND m.id = r.id AND m.status = 'suggested'",
                (version, now))
        if inserts:
            cursor.execute(
                "WITH new AS (INSERT INTO matches (profile_id, position_id, origin, status, score, components, "
                "explanation, model_version, created_at, updated_at, version_id) "
                "SELECT r.profile_id, r.position_id, 'model', 'suggested', r.score, r.components::json, "
                "r.explanation::json, %s, %s, %s, 1 FROM mimi_suggestion_rows AS r WHERE r.id IS NULL "
                "ON CONFLICT (profile_id, position_id) DO NOTHING RETURNING id, profile_id), "
                "history AS (INSERT INTO match_events (match_id, from_status, to_status, note, at) "
                "SELECT id, NULL, 'suggested', %s, %s FROM new) SELECT profile_id FROM new",
                (version, now, now, "model " + (version or ""), now))
            created.update(row[0] for row in cursor.fetchall())
    return created


def _executemany_write(updates: list[dict], inserts: list[dict], version: str, now) -> Counter:
    """SQLite (no network between): plain executemany statements."""
    table = Match.__table__
    created: Counter = Counter()
    if updates:
        db.session.execute(
            update(table).where(table.c.id == bindparam("b_id"), table.c.status == MatchStatus.SUGGESTED.value)
            .values(score=bindparam("b_score"), components=bindparam("b_components"),
                    explanation=bindparam("b_explanation"), model_version=bindparam("b_model_version"),
                    updated_at=bindparam("b_updated_at"), version_id=table.c.version_id + 1),
            [{f"b_{k}": v for k, v in row.items() if k != "json"} for row in updates])
    if inserts:
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=["profile_id", "position_id"]) \
            .returning(table.c.id, table.c.profile_id)
        new = db.session.execute(statement, [{**{k: v for k, v in row.items() if k != "json"}, "created_at": now,
                                              "origin": MatchOrigin.MODEL.value, "status": MatchStatus.SUGGESTED.value,
                                              "version_id": 1} for row in inserts]).all()
        if new:
            db.session.execute(MatchEvent.__table__.insert(), [
                {"match_id": mid, "from_status": None, "to_status": MatchStatus.SUGGESTED.value, "actor_id": None,
                 "reason_code": None, "note": "model " + (version or ""), "at": now} for mid, _ in new])
            created.update(p for _, p in new)
    return created


class _Reporter:
    """Progress to the caller (the CLI's bar) and, at most every second, to the state row (the admin page);
    the seconds each stage took."""

    def __init__(self, worker: MatchingWorker, progress: Progress | None):
        self.worker, self.progress, self.last = worker, progress, 0.0
        self.stage, self.since, self.seconds = None, time.monotonic(), {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(stage, done, total)
        now = time.monotonic()
        if stage != self.stage:
            if self.stage is not None:
                self.seconds[self.stage] = round(now - self.since, 1)
            self.stage, self.since = stage, now
        if now - self.last >= 1.0 or done == total:
            self.last = now
            table = MatchingState.__table__
            db.session.execute(update(table).where(table.c.id == STATE_ID,
                                                   table.c.lease_holder == self.worker.holder).values(
                job_stage=stage, job_done=done, job_total=total, lease_until=utcnow() + self.worker.ttl,
                worker_seen_at=utcnow()))
            db.session.commit()


def created_total(created: Counter) -> int:
    return sum(created.values())
