"""What an operator needs to know about matching: the current model, the writer, the work and the failures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import FailedJob, Match, MatchingChange, MatchStatus, ModelSnapshot, Role, User
from ..models.base import utcnow
from .errors import PermissionDenied
from .matching_worker import state


@dataclass
class MatchingOverview:
    version: str | None
    created_at: datetime | None
    size_bytes: int
    participants: int
    positions: int
    suggestions: int
    last_fit_at: datetime | None
    last_fit_seconds: float | None
    worker: str | None
    worker_alive: bool
    worker_seen_at: datetime | None
    job: str
    job_stage: str
    job_done: int
    job_total: int
    rebuild_requested_at: datetime | None
    refit_due_at: datetime | None
    refit_reason: str
    waiting_changes: int
    queues: dict[str, dict[str, int | None]]
    last_error: str
    last_error_at: datetime | None
    failures: list[FailedJob]
    history: list[ModelSnapshot]

    @property
    def busy(self) -> bool:
        return bool(self.job) or self.rebuild_requested_at is not None

    @property
    def age_minutes(self) -> int | None:
        return None if self.created_at is None else int((utcnow() - self.created_at).total_seconds() // 60)

    def lines(self) -> list[tuple[str, str]]:
        """The same for a terminal (``flask match status``)."""
        queue = ", ".join(f"{name} {c['pending'] if c['pending'] is not None else '?'} waiting"
                          for name, c in self.queues.items())
        return [
            ("model version", self.version or "none yet"),
            ("made", f"{self.created_at:%Y-%m-%d %H:%M} UTC ({self.age_minutes} min ago)" if self.created_at else "-"),
            ("size", f"{self.size_bytes / 1024:.0f} KiB"),
            ("participants x positions", f"{self.participants} x {self.positions}"),
            ("suggestions stored", str(self.suggestions)),
            ("last fit", f"{self.last_fit_at:%Y-%m-%d %H:%M} UTC in {self.last_fit_seconds} s"
             if self.last_fit_at else "-"),
            ("matching worker", (self.worker or "none") + ("" if self.worker_alive else " (not running)")),
            ("now doing", f"{self.job} {self.job_stage} {self.job_done}/{self.job_total}" if self.job else "nothing"),
            ("changes waiting", str(self.waiting_changes)),
            ("jobs", queue),
            ("failed jobs", str(len(self.failures))),
            ("last error", f"{self.last_error_at:%Y-%m-%d %H:%M} {self.last_error}" if self.last_error else "-"),
        ]


def overview(actor: User | None = None) -> MatchingOverview:
    """For the administrator's page (``actor``) or the command line (no actor)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied()
    from ..jobs import jobs_of

    row = state()
    snapshot = db.session.get(ModelSnapshot, row.current_version) if row.current_version else None
    alive = bool(row.lease_holder and row.lease_until and row.lease_until > utcnow())
    return MatchingOverview(
        version=row.current_version, created_at=snapshot.created_at if snapshot else None,
        size_bytes=snapshot.size_bytes if snapshot else 0, participants=snapshot.participants if snapshot else 0,
        positions=snapshot.positions if snapshot else 0,
        suggestions=db.session.scalar(select(func.count()).select_from(Match)
                                      .where(Match.status == MatchStatus.SUGGESTED)) or 0,
        last_fit_at=row.last_fit_at, last_fit_seconds=row.last_fit_seconds,
        worker=row.lease_holder, worker_alive=alive, worker_seen_at=row.worker_seen_at,
        job=row.job or "", job_stage=row.job_stage or "", job_done=row.job_done or 0, job_total=row.job_total or 0,
        rebuild_requested_at=row.rebuild_requested_at, refit_due_at=row.refit_due_at,
        refit_reason=row.refit_reason or "",
        waiting_changes=db.session.scalar(select(func.count()).select_from(MatchingChange)) or 0,
        queues=jobs_of(current_app).counts(), last_error=row.last_error or "", last_error_at=row.last_error_at,
        failures=list(db.session.scalars(select(FailedJob).order_by(FailedJob.failed_at.desc()).limit(10))),
        history=list(db.session.scalars(select(ModelSnapshot).order_by(ModelSnapshot.created_at.desc()).limit(8))),
    )
