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
    app.cli.add_command(remind)
    app.cli.add_command(privacy_cli)


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


fields_cli = AppGroup("fields", help="The curated list of occupational fields.")


@fields_cli.command("load")
def fields_load() -> None:
    """Create or update the occupational fields from the packaged list (idempotent)."""
    from .services.fields import load_fields

    click.echo(f"{load_fields()} occupational fields loaded.")


demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
def demo_seed() -> None:
    """Fill the database with a realistic demo installation (idempotent)."""
    from .services.demo import seed_demo
    from .services.demo_journeys import seed_journeys

    logins = seed_demo()
    _rebuild_with_progress()
    moved = seed_journeys()
    if moved:
        click.echo(f"Demo journeys: {moved} suggestions taken through review, answers, offers and placements.")
    by_role: dict[str, list[str]] = {}
    for role, email, _password in logins:
        by_role.setdefault(role, []).append(email)
    password = logins[0][2]
    click.echo(f"Demo data ready. Demo logins (every demo account uses the password {password}):")
    for role in ("admin", "coach", "hr", "participant"):
        emails = by_role.get(role, [])
        shown = ", ".join(emails[:3]) + (f" ... ({len(emails)} in all)" if len(emails) > 3 else "")
        click.echo(f"  {role:<12} {shown}")


match_cli = AppGroup("match", help="The matching model and its suggestions.")
STAGES = {"records": "reading profiles and positions", "fit": "fitting the model",
          "suggest": "writing suggestions", "save": "saving the model"}


def _rebuild_with_progress() -> dict:
    from .services.matching import rebuild

    with click.progressbar(length=len(STAGES), label="Matching model", show_eta=False,
                           item_show_func=lambda stage: STAGES.get(stage or "", "")) as bar:
        def step(stage: str) -> None:
            bar.update(1, stage)

        result = rebuild(step)
    click.echo(f"Model {result['version']}: {result['participants']} participants, {result['positions']} open "
               f"positions, {result['suggestions']} suggestions ({result['created']} new).")
    return result


@match_cli.command("rebuild")
def match_rebuild() -> None:
    """Refit the matching model and renew every suggestion (coaches review new ones)."""
    _rebuild_with_progress()


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
