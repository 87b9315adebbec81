"""In-app notifications: one row per user and event; read when opened."""
from __future__ import annotations

from collections.abc import Callable

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


def notify(user_id: int, kind: str, payload: dict, link: str = "", email: bool = True,
           details: Callable[[str], str] | None = None) -> Notification:
    """Add a notification to the session (committed with the change that caused it) and queue its
    e-mail in the recipient's own language, sent only if that change commits. ``details(language)``
    adds a paragraph to the e-mail (written in that language, skill names too)."""
    note = Notification(user_id=user_id, kind=kind, payload=payload, link=link)
    db.session.add(note)
    user = db.session.get(User, user_id) if email else None
    if email and user is not None and user.active and current_app.config.get("MAIL_NOTIFICATIONS", True):
        language = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(language):
            subject = text(kind, payload)
            body = "\n\n".join(part for part in (
                subject, details(language) if details else "", _absolute(link),
                _("You get this e-mail because you use MiMi Match. Log in to see all your notifications.")) if part)
        mail.queue(db.session(), mail.Mail(to=user.email, subject=f"MiMi Match: {subject}", body=body))
    return note


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
