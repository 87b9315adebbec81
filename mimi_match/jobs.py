"""The job queue: web processes only enqueue; worker processes run the jobs.

Huey (https://huey.readthedocs.io) is the engine: small, well kept, and it has the two backends we need —
SQLite for the quick start (a file beside the database, no extra service) and Redis in production
(``JOBS_URL=redis://...``; several machines share it). ``memory`` keeps jobs in the process, for tests that
run them between requests. Two queues:

- ``matching``: the one writer of the model and of suggested matches (``flask jobs worker --queue matching``;
  run exactly one — a database lease keeps a second one waiting as a standby);
- ``mail``: e-mails, with retries (``flask jobs worker --queue mail``; as many as you like).

A job never carries the change itself: the database is the truth (``matching_changes``), a job only says
"look". A lost wake-up is caught by the worker's tick every minute.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)
EXTENSION = "mimi_jobs"
QUEUES = ("matching", "mail")


def _huey(queue: str, url: str, prefix: str) -> Huey:
    name = f"{prefix}-{queue}"
    if url == "memory":
        return MemoryHuey(name, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, timeout=30)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    raise RuntimeError(f"JOBS_URL must be memory, sqlite:///PATH or redis://..., not {url!r}")


class Jobs:
    """The queues of one app, with its tasks registered (each task runs inside the app's context)."""

    def __init__(self, app: Flask):
        self.app = app
        url = app.config["JOBS_URL"]
        self.in_memory = url == "memory"
        self.queues = {queue: _huey(queue, url, app.config.get("JOBS_PREFIX", "mimi")) for queue in QUEUES}
        self.tasks: dict[str, Callable] = {}
        matching, mail = self.queues["matching"], self.queues["mail"]
        self._task(matching, "matching.wake", _matching_wake, retries=0)
        self._task(mail, "mail.send", _send_mail, retries=3, retry_delay=60)
        self._periodic(matching, "matching.tick", crontab(), _matching_tick)
        self._periodic(matching, "matching.nightly", crontab(minute="17", hour="3"), _matching_nightly)
        self._periodic(matching, "daily.reminders", crontab(minute="5", hour="7"), _daily_reminders)
        self._periodic(matching, "daily.retention", crontab(minute="40", hour="2"), _daily_retention)
        # on the matching queue: its one worker (a lease keeps any second one waiting) sends each reminder once
        self._periodic(matching, "hourly.meetings", crontab(minute="10"), _meeting_reminders)
        self._periodic(matching, "hourly.digest", crontab(minute="0"), _digests)

    def _run(self, queue: str, name: str, function: Callable, *args):
        with self.app.app_context():
            try:
                return function(*args)
            except Exception as error:
                log.exception("job failed", extra={"queue": queue, "task": name})
                _record_failure(queue, name, error)
                raise

    def _task(self, huey: Huey, name: str, function: Callable, **options) -> None:
        queue = huey.name.rsplit("-", 1)[-1]
        self.tasks[name] = huey.task(name=name, **options)(lambda *args: self._run(queue, name, function, *args))

    def _periodic(self, huey: Huey, name: str, when, function: Callable) -> None:
        queue = huey.name.rsplit("-", 1)[-1]
        self.tasks[name] = huey.periodic_task(when, name=name)(lambda: self._run(queue, name, function))

    def enqueue(self, name: str, *args, delay: float | None = None) -> bool:
        """Put a job on its queue; False (and a log line) when the queue cannot be reached: the caller's
        change is saved already, and the worker's tick finds what was missed."""
        try:
            task = self.tasks[name]
            if delay:
                task.schedule(args=args, delay=delay)
            else:
                task(*args)
            return True
        except Exception as error:  # noqa: BLE001  (a queue outage must never fail the user's request)
            log.warning("could not enqueue a job", extra={"task": name, "error": type(error).__name__})
            return False

    def run_pending(self, limit: int = 10_000) -> int:
        """Run every job waiting in this process's memory queues (tests: the worker between two requests)."""
        done = 0
        for huey in self.queues.values() if self.in_memory else ():
            while done < limit:
                task = huey.dequeue()
                if task is None:
                    break
                try:
                    huey.execute(task)
                except Exception:  # noqa: BLE001  (recorded by _run; a test looks at the outcome)
                    pass
                done += 1
        return done

    def counts(self) -> dict[str, dict[str, int]]:
        """Waiting and scheduled jobs per queue (None when the queue cannot be reached)."""
        out = {}
        for queue, huey in self.queues.items():
            try:
                out[queue] = {"pending": huey.pending_count(), "scheduled": huey.scheduled_count()}
            except Exception:  # noqa: BLE001
                out[queue] = {"pending": None, "scheduled": None}
        return out


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Jobs(app)


def jobs_of(app: Flask | None = None) -> Jobs:
    return (app or current_app).extensions[EXTENSION]


def wake_matching(delay: float | None = None) -> None:
    """Tell the matching worker there is work (after a commit that recorded changes)."""
    if has_app_context() and EXTENSION in current_app.extensions:
        from .services.matching_worker import in_worker

        if not in_worker():  # the worker drains until nothing is left; it needs no wake-up from itself
            jobs_of().enqueue("matching.wake", delay=delay)


def send_mail(to: str, subject: str, body: str, attachments: list | None = None) -> bool:
    return jobs_of().enqueue("mail.send", to, subject, body, attachments or [])


def _record_failure(queue: str, name: str, error: Exception) -> None:
    from .extensions import db
    from .models import FailedJob

    try:
        db.session.rollback()
        text = "".join(traceback.format_exception_only(type(error), error)).strip()[:4000]
        db.session.add(FailedJob(queue=queue, task=name, error=text))
        db.session.commit()
    except Exception:  # noqa: BLE001  (the database itself may be what failed)
        db.session.rollback()


# --- the jobs ---------------------------------------------------------------------------------------------

def _matching_wake() -> None:
    from .services.matching_worker import worker_for

    worker_for(current_app).run_once()


def _matching_tick() -> None:
    from .services.matching_worker import worker_for

    worker_for(current_app).tick()


def _matching_nightly() -> None:
    from .services.matching_worker import worker_for

    worker_for(current_app).want_refit("nightly")


def _send_mail(to: str, subject: str, body: str, attachments: list | None = None) -> None:
    from .services.mail import Mail, deliver

    deliver(Mail(to=to, subject=subject, body=body, attachments=tuple(tuple(a) for a in attachments or ())),
            raise_errors=True)


def _daily_reminders() -> None:
    from .services import agreements, follow_ups, journey, placements

    journey.remind_answers(current_app.config["ANSWER_REMINDER_DAYS"])
    placements.remind(current_app.config["EVALUATION_REMINDER_DAYS"])
    agreements.remind()
    follow_ups.remind()


def _meeting_reminders() -> None:
    from .services import meetings

    meetings.remind()


def _digests() -> None:
    """Each hour: the digests whose hour it is in the installation's zone (DIGEST_HOUR), sent once a day."""
    from .services import notifications

    notifications.send_digests()


def _daily_retention() -> None:
    from .services.privacy import purge

    purge()
