"""Flask commands: first admin, occupational fields, demo data, translations."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from .i18n import TRANSLATIONS_DIR, compile_catalogs

ROOT = Path(__file__).resolve().parent.parent


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(fields_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(match_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(remind)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(api_key_cli)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", prompt=True)
@click.password_option()
def create_admin(email: str, display_name: str, password: str) -> None:
    """Create an administrator account (the first one, or another)."""
    from .models import Role
    from .services.accounts import create_staff_user
    from .services.errors import ValidationFailed

    try:
        user = create_staff_user(None, email=email, display_name=display_name, role=Role.ADMIN, password=password)
    except ValidationFailed as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Administrator {user.email} created.")


api_key_cli = AppGroup("api-key", help="API keys of an organisation (as on the page HR → API keys).")


@api_key_cli.command("create")
@click.option("--email", required=True, help="The HR manager the key acts for.")
@click.option("--name", required=True, help="Which system uses the key.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
def api_key_create(email: str, name: str, scope: str) -> None:
    """Create a key for an HR manager's organisation and print it (shown only this once)."""
    from sqlalchemy import func, select

    from .extensions import db
    from .models import User
    from .services import api_keys
    from .services.errors import DomainError

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account with the e-mail {email}.")
    try:
        new = api_keys.create(user, name, scope)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(new.token)


fields_cli = AppGroup("fields", help="The curated list of occupational fields.")


@fields_cli.command("load")
def fields_load() -> None:
    """Create or update the occupational fields from the packaged list (idempotent)."""
    from .services.fields import load_fields

    click.echo(f"{load_fields()} occupational fields loaded.")


demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
@click.option("--force", is_flag=True, help="Run the (idempotent) seed even when the demo data is there already.")
def demo_seed(force: bool) -> None:
    """Fill the database with a realistic demo installation (idempotent; quick when it is there already)."""
    from .services.demo import DEMO_PASSWORD, demo_logins, seed_demo
    from .services.demo_journeys import seed_journeys
    from .services.matching import current_version

    logins = demo_logins()
    if logins and current_version() is not None and not force:
        click.echo("Demo data is loaded already (flask demo seed --force loads it again).")
    else:
        seed_demo()
        _rebuild_with_progress()
        moved = seed_journeys()
        if moved:
            click.echo(f"Demo journeys: {moved} suggestions taken through review, answers, offers and placements.")
        logins = demo_logins()
    click.echo(f"Demo logins (every demo account uses the password {DEMO_PASSWORD}):")
    for role in ("admin", "coach", "hr", "participant"):
        emails = logins.get(role, [])
        shown = ", ".join(emails[:3]) + (f" ... ({len(emails)} in all)" if len(emails) > 3 else "")
        click.echo(f"  {role:<12} {shown}")


match_cli = AppGroup("match", help="The matching model and its suggestions.")
STAGES = {"records": "reading profiles and positions", "fit": "fitting the model",
          "rank": "ranking both ways", "write": "writing suggestions", "done": "done"}


class _StagePrinter:
    """Progress by stage, and by participants done within a stage, as a bar per stage."""

    def __init__(self):
        self.stage, self.bar, self.done = None, None, 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "done":
            self.close()
            return
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            label = f"{STAGES.get(stage, stage):<32}"
            if total:
                self.bar = click.progressbar(length=total, label=label, show_eta=True, show_pos=True)
                self.bar.__enter__()
            else:
                click.echo(label)
        if self.bar is not None and done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _rebuild_with_progress() -> dict | None:
    """Rebuild here when no matching worker runs; otherwise ask the worker and follow its progress."""
    import time

    from flask import current_app

    from .extensions import db
    from .services import matching
    from .services.matching_worker import LeaseHeld, state, worker_for

    printer = _StagePrinter()
    try:
        result = matching.rebuild(printer)
        worker_for(current_app).release()  # this command is not the worker: the worker may write at once
    except LeaseHeld as held:
        printer.close()
        click.echo(f"A matching worker is running ({held.holder}): it rebuilds the model now.")
        matching.request_rebuild(None)
        asked = state().rebuild_requested_at
        while True:
            time.sleep(1)
            db.session.expire_all()
            row = state()
            if row.job:
                printer(row.job_stage or "records", row.job_done, row.job_total)
            elif row.rebuild_requested_at is None and row.last_fit_at is not None and row.last_fit_at >= asked:
                printer.close()
                click.echo(f"Model {row.current_version} is current.")
                return None
            elif row.last_error_at is not None and row.last_error_at >= asked:
                printer.close()
                raise click.ClickException(f"The rebuild failed: {row.last_error}") from None
    printer.close()
    click.echo(f"Model {result['version']}: {result['participants']} participants, {result['positions']} open "
               f"positions, {result['suggestions']} suggestions ({result['created']} new) in {result['seconds']} s"
               f" ({', '.join(f'{stage} {s} s' for stage, s in result.get('stages', {}).items())}).")
    return result


@match_cli.command("rebuild")
def match_rebuild() -> None:
    """Refit the matching model and renew every suggestion (coaches review new ones)."""
    _rebuild_with_progress()


@match_cli.command("status")
def match_status() -> None:
    """The current model, the writer, and the work waiting for it."""
    from .services.matching_admin import overview

    for label, value in overview().lines():
        click.echo(f"{label:<28} {value}")


@match_cli.command("balance")
@click.option("--region", default=None, help="Only this region.")
def match_balance(region: str | None) -> None:
    """Seekers per opening per field; oversupplied and shortage fields are marked."""
    from .extensions import db
    from .models import OccupationalField
    from .services.matching import balance

    result = balance(region)
    names = {f.id: f.name("en") for f in db.session.scalars(db.select(OccupationalField))}
    click.echo(f"platform-wide: {result.platform_ratio} seekers per opening")
    for entry in sorted(result.fields.values(), key=lambda e: -e.ratio):
        click.echo(f"  {names.get(entry.field_id, entry.field_id)!s:<40} demand {entry.demand:6.1f}  "
                   f"openings {entry.supply:4d}  R {entry.ratio:6.2f}  {entry.status}")


search_cli = AppGroup("search", help="The search index of positions.")


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild every position's search words (after a migration or new skill translations)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from .extensions import db
    from .models import Position
    from .services.search_index import refresh

    positions = db.session.scalars(select(Position).options(selectinload(Position.skills),
                                                            selectinload(Position.terms))).all()
    for position in positions:
        refresh(position)
    db.session.commit()
    click.echo(f"{len(positions)} positions reindexed.")


translate_cli = AppGroup("translate", help="Translation workflow (wraps pybabel).")
POT = TRANSLATIONS_DIR / "messages.pot"


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate_cli.command("extract")
def translate_extract() -> None:
    """Collect every translatable string into messages.pot."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
             "-o", str(POT), ".")


@translate_cli.command("update")
def translate_update() -> None:
    """Extract, then merge new strings into every language's catalog."""
    translate_extract.callback()
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS_DIR), "--no-fuzzy-matching", "--ignore-obsolete")
    fill_source_catalog()


def fill_source_catalog(path: Path = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po") -> None:
    """English is the source language: its catalog translates every message to itself."""
    from babel.messages.pofile import read_po, write_po

    with path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if message.id and not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            message.string = message.id if isinstance(message.id, str) else tuple(message.id)
            message.flags.discard("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog, sort_output=True, width=100)


@translate_cli.command("init")
@click.argument("language")
def translate_init(language: str) -> None:
    """Start a catalog for a new language."""
    _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS_DIR), "-l", language)


@translate_cli.command("compile")
def translate_compile() -> None:
    """Compile every catalog (.po -> .mo)."""
    click.echo("compiled: " + ", ".join(compile_catalogs()))


jobs_cli = AppGroup("jobs", help="The job queue and its workers.")


@jobs_cli.command("worker")
@click.option("--queue", "queue", type=click.Choice(["all", "matching", "mail"]), default="all", show_default=True,
              help="matching: the one writer of suggestions (run exactly one); mail: e-mails (run any number).")
@click.option("--threads", default=2, show_default=True, help="Threads sending e-mail.")
def jobs_worker(queue: str, threads: int) -> None:
    """Run a worker: takes jobs from the queue until stopped (Ctrl+C or SIGTERM)."""
    from flask import current_app
    from huey.consumer import Consumer

    from .jobs import jobs_of
    from .services.matching_worker import worker_for

    jobs = jobs_of(current_app)
    if jobs.in_memory:
        raise click.ClickException("JOBS_URL=memory is private to one process; set a SQLite file or Redis.")
    mail = Consumer(jobs.queues["mail"], workers=threads, periodic=False) if queue in ("all", "mail") else None
    worker = main = None
    if queue in ("all", "matching"):
        worker = worker_for(current_app)
        worker.start_heartbeat()
        main = Consumer(jobs.queues["matching"], workers=1, periodic=True)
        jobs.enqueue("matching.wake")  # catch up with what changed while no worker ran
    if main is None:
        main, mail = mail, None
    elif mail is not None:
        mail._set_signal_handlers = lambda: None  # the main consumer handles the signals and stops this one
    storage = type(main.huey.storage).__name__.replace("Storage", "")
    click.echo(f"MiMi Match worker: queue {queue}, jobs in {storage}")
    if mail is not None:
        mail.start()
    try:
        main.run()
    finally:
        if mail is not None:
            mail.stop(graceful=True)
        if worker is not None:
            worker.stop()


@click.command("remind")
def remind() -> None:
    """Send the reminders that are due: candidates waiting for an answer, placements waiting for a step."""
    from flask import current_app

    from .services import journey, placements

    answers = journey.remind_answers(current_app.config["ANSWER_REMINDER_DAYS"])
    steps = placements.remind(current_app.config["EVALUATION_REMINDER_DAYS"])
    parts = [f"{answers} about waiting candidates"] + [f"{n} to {step}" for step, n in sorted(steps.items())]
    click.echo("reminders sent: " + ", ".join(parts))


privacy_cli = AppGroup("privacy", help="Data protection: retention.")


@privacy_cli.command("purge")
def privacy_purge() -> None:
    """Remind long-inactive participants; erase those who did not come back after the reminder."""
    from .services.privacy import purge

    result = purge()
    click.echo(f"retention: {result['reminded']} participants reminded, {result['erased']} erased")


backup_cli = AppGroup("backup", help="Back up the database, or restore a backup.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_create(path: Path) -> None:
    """Write a backup of the database to PATH (SQLite: a database file; PostgreSQL: a pg_dump archive)."""
    from flask import current_app

    from .services import backup

    try:
        written = backup.create(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except backup.BackupFailed as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {written} ({written.stat().st_size // 1024} KiB).")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm that the current database is replaced.")
def backup_restore(path: Path, yes: bool) -> None:
    """Replace the database by the backup at PATH, bring its schema up to date, and rebuild the matching model.
    Stop the web and worker processes first."""
    from flask import current_app
    from flask_migrate import upgrade

    from .services import backup

    if not yes:
        raise click.ClickException("This replaces everything in the database. Run again with --yes to confirm.")
    try:
        backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except backup.BackupFailed as error:
        raise click.ClickException(str(error)) from None
    upgrade()
    click.echo(f"Restored {path}; rebuilding the matching model from the restored data.")
    _rebuild_with_progress()
