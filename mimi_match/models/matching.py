"""What every process agrees on about the matching model: the current snapshot, the one writer's lease,
the changes waiting for it, and the jobs that failed."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..extensions import db
from .base import utcnow

STATE_ID = 1


class MatchingState(db.Model):
    """One row: which snapshot is current, who writes (a lease the writer renews), what it is doing."""

    __tablename__ = "matching_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    current_version: Mapped[str | None] = mapped_column(sa.String(40))
    lease_holder: Mapped[str | None] = mapped_column(sa.String(160))
    lease_until: Mapped[datetime | None]
    worker_seen_at: Mapped[datetime | None]
    refit_due_at: Mapped[datetime | None]  # a new fit is wanted from then on (new concepts, an erasure, nightly)
    refit_reason: Mapped[str] = mapped_column(sa.String(40), default="")
    rebuild_requested_at: Mapped[datetime | None]
    rebuild_requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    job: Mapped[str] = mapped_column(sa.String(40), default="")  # what the writer is doing now ("" = idle)
    job_stage: Mapped[str] = mapped_column(sa.String(40), default="")
    job_done: Mapped[int] = mapped_column(default=0)
    job_total: Mapped[int] = mapped_column(default=0)
    job_started_at: Mapped[datetime | None]
    last_fit_at: Mapped[datetime | None]
    last_fit_seconds: Mapped[float | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    last_error_at: Mapped[datetime | None]
    # wishes and openings per region and field, counted by the writer (services.field_balance)
    field_balance: Mapped[dict | None] = mapped_column(sa.JSON)


class ModelSnapshot(db.Model):
    """An immutable version of the model as web processes serve it (no participant in it): the fitted
    spaces and the open positions. Only the current one keeps its data; the rows stay as history."""

    __tablename__ = "model_snapshots"

    version: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    fit_version: Mapped[str] = mapped_column(sa.String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    participants: Mapped[int] = mapped_column(default=0)  # in the writer's model when it was made
    positions: Mapped[int] = mapped_column(default=0)
    size_bytes: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))


class MatchingChange(db.Model):
    """A record whose suggestions must be brought up to date: written in the same transaction as the change
    (so it can never be lost), collapsed per record, removed by the writer once handled. ``token`` changes with
    every new change, so a change made while the writer works on the record is not removed with it."""

    __tablename__ = "matching_changes"

    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # participant, position, pair, erased
    record_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    other_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=0)  # a pair's position
    token: Mapped[int] = mapped_column(sa.BigInteger)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FailedJob(db.Model):
    """A background job that raised: shown to administrators with its error."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue: Mapped[str] = mapped_column(sa.String(40))
    task: Mapped[str] = mapped_column(sa.String(80))
    error: Mapped[str] = mapped_column(sa.Text, default="")
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class FieldBalanceDay(db.Model):
    """The field balance's counts as the matching worker last counted them on one day: the oversupply trend
    per field over time (the worker is the one writer; one row per day)."""

    __tablename__ = "field_balance_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    counts: Mapped[dict] = mapped_column(sa.JSON)
