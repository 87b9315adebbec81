"""In-app notifications: one row per user and event; read when opened."""
from __future__ import annotations

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Notification, User
from ..models.base import utcnow
from .errors import PermissionDenied


def notify(user_id: int, kind: str, payload: dict, link: str = "") -> Notification:
    """Add a notification to the session (committed with the change that caused it)."""
    note = Notification(user_id=user_id, kind=kind, payload=payload, link=link)
    db.session.add(note)
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
