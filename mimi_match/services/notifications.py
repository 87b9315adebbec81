"""In-app notifications: one row per user and event; read when opened."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import func, select, update

from .. import labels
from ..extensions import db
from ..models import Notification, User
from ..models.base import utcnow
from . import account_links, mail
from .errors import PermissionDenied


def text(kind: str, payload: dict | None, html: bool = False) -> str:
    """The notification's sentence in the current language. For a page (``html``) the sentence is
    escaped and each value someone typed (a position title, a name) isolated for direction."""
    template = labels.NOTIFICATION.get(kind)
    if template is None:
        return escape(kind) if html else kind
    sentence = escape(str(template)) if html else str(template)
    values = {k: (Markup("<bdi>%s</bdi>") % str(v)) if html else str(v) for k, v in (payload or {}).items()}
    try:
        return sentence % values
    except (KeyError, TypeError, ValueError):
        return sentence


def _absolute(link: str) -> str:
    return account_links.absolute(link) if link.startswith("/") else link


# sent by e-mail whatever the settings say: the person would lose something by missing it
ALWAYS_MAILED = frozenset({"retention_reminder"})


def mail_choice(user: User, kind: str) -> str:
    """How a notification of ``kind`` reaches ``user`` by e-mail: "now", "digest" or "off"."""
    if kind in ALWAYS_MAILED:
        return "now"
    settings = user.mail_settings or {}
    if labels.NOTIFICATION_GROUP.get(kind, "reminders") in (settings.get("off") or ()):
        return "off"
    return "digest" if settings.get("digest") else "now"


def notify(user_id: int, kind: str, payload: dict, link: str = "", email: bool = True,
           details: Callable[[str], str] | None = None,
           attachments: Callable[[str], list[tuple[str, str, str]]] | None = None) -> Notification:
    """Add a notification to the session (committed with the change that caused it) and queue its
    e-mail in the recipient's own language, sent only if that change commits — or keep it for their daily
    digest, or for the page only, as their e-mail settings say. ``details(language)`` adds a paragraph to
    the e-mail (written in that language, skill names too); ``attachments(language)`` adds files."""
    note = Notification(user_id=user_id, kind=kind, payload=payload, link=link)
    db.session.add(note)
    user = db.session.get(User, user_id) if email else None
    if email and user is not None and user.active and current_app.config.get("MAIL_NOTIFICATIONS", True):
        choice = mail_choice(user, kind)
        if choice == "digest":
            note.digest_pending = True
        elif choice == "now":
            language = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
            with force_locale(language):
                subject = text(kind, payload)
                body = "\n\n".join(part for part in (
                    subject, details(language) if details else "", _absolute(link),
                    _("You get this e-mail because you use MiMi Match. Log in to see all your notifications. "
                      "Choose which e-mails you get under Account, E-mail settings.")) if part)
                files = tuple(attachments(language)) if attachments else ()
            mail.queue(db.session(), mail.Mail(to=user.email, subject=f"MiMi Match: {subject}", body=body,
                                               attachments=files))
    return note


def send_digests(now: datetime | None = None) -> int:
    """One e-mail per person who chose a daily digest, holding what waited for it (the job worker runs
    this every hour; it sends at ``DIGEST_HOUR`` in the installation's zone, or at once with ``now`` given)."""
    if now is None:
        local = datetime.now(ZoneInfo(current_app.config.get("TIME_ZONE") or "UTC"))
        if local.hour != current_app.config.get("DIGEST_HOUR", 16):
            return 0
    pending = list(db.session.scalars(select(Notification).where(Notification.digest_pending.is_(True))
                                      .order_by(Notification.user_id, Notification.id)))
    by_user: dict[int, list[Notification]] = {}
    for note in pending:
        by_user.setdefault(note.user_id, []).append(note)
        note.digest_pending = False
    sent = 0
    for user_id, notes in by_user.items():
        user = db.session.get(User, user_id)
        if user is None or not user.active:
            continue
        language = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(language):
            lines = [f"- {text(n.kind, n.payload)}" + (f"\n  {_absolute(n.link)}" if n.link else "") for n in notes]
            body = "\n\n".join((_("What happened in MiMi Match since the last e-mail:"), "\n".join(lines),
                                 _("You get one e-mail a day because you chose it under Account, E-mail settings.")))
            mail.queue(db.session(), mail.Mail(to=user.email, subject=f"MiMi Match: {text('digest', {})}",
                                               body=body))
        sent += 1
    db.session.commit()
    return sent


MAIL_GROUPS = ("messages", "meetings", "candidacies", "placements", "reminders")


def save_mail_settings(actor: User, off: set[str], digest: bool) -> None:
    """The person's own choice: which groups come by e-mail, and whether as one e-mail a day."""
    if actor is None:
        raise PermissionDenied()
    actor.mail_settings = {"off": sorted(g for g in off if g in MAIL_GROUPS), "digest": bool(digest)}
    db.session.commit()


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def latest(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_read(user: User, ids: set[int]) -> None:
    """Mark the notifications the user has just been shown as read (only their own)."""
    if user is None:
        raise PermissionDenied()
    if ids:
        db.session.execute(update(Notification).where(Notification.user_id == user.id, Notification.id.in_(ids),
                                                      Notification.read_at.is_(None)).values(read_at=utcnow()))
        db.session.commit()
