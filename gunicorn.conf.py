"""gunicorn's settings for MiMi Match, read from this directory by ``gunicorn wsgi:app``.

The application is loaded once in the master (``preload_app``), which also builds the skill vocabulary and
loads the current matching snapshot before any worker exists; workers are forked from it and share those
pages copy-on-write, so a worker's own memory stays small and a new worker serves at once. ``gc.freeze()``
keeps the collector from touching (and so copying) the shared objects in every worker.

Environment: PORT or BIND, WEB_WORKERS (2), WEB_THREADS (4), WEB_TIMEOUT (30 s).
"""
from __future__ import annotations

import gc
import os

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
preload_app = True
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def when_ready(server) -> None:
    """In the master, before the first fork: warm what every worker reads, then freeze it."""
    import threading

    from mimi_match.extensions import db
    from mimi_match.vocabulary import vocabulary
    from wsgi import app

    for thread in threading.enumerate():  # create_app may be building it already: wait, do not build it twice
        if thread.name == "preload-vocabulary":
            thread.join()
    vocabulary()
    with app.app_context():
        try:
            from mimi_match.services.matching import served_model

            served_model()
        except Exception:  # noqa: BLE001 - no database yet or no snapshot: workers load it on demand
            server.log.warning("matching snapshot not preloaded; workers load it on first use")
        db.session.remove()
        db.engine.dispose()  # no connection crosses a fork
    gc.collect()
    gc.freeze()


def post_fork(server, worker) -> None:
    from mimi_match.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)  # connections the master might hold stay the master's
