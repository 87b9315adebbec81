"""Writing the audit log: who did or saw what, when (UTC). Never passwords or note texts."""
from __future__ import annotations

import logging
from typing import Any

from ..extensions import db
from ..models import AuditEntry, User

log = logging.getLogger("mimi_match.audit")


def neutralise(value: Any, limit: int = 200) -> str:
    """Make logged input safe: no line breaks or control characters, bounded length."""
    text = str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:limit]


def record(
    action: str,
    *,
    actor: User | None = None,
    subject: User | None = None,
    subject_user_id: int | None = None,
    subject_label: str = "",
    target: str = "",
    ip: str = "",
    detail: dict[str, Any] | None = None,
    commit: bool = False,
) -> AuditEntry:
    """Add an audit entry to the session (and commit it if asked)."""
    clean_detail = {neutralise(k, 40): neutralise(v) for k, v in (detail or {}).items()}
    entry = AuditEntry(
        action=neutralise(action, 60),
        actor_id=actor.id if actor is not None else None,
        subject_user_id=subject.id if subject is not None else subject_user_id,
        subject_label=subject_label,
        target=neutralise(target),
        ip=neutralise(ip, 45),
        detail=clean_detail,
    )
    db.session.add(entry)
    log.info(
        "audit",
        extra={"audit_action": entry.action, "actor_id": entry.actor_id,
               "subject_user_id": entry.subject_user_id, "target": entry.target},
    )
    if commit:
        db.session.commit()
    return entry


def search(actor: User, action: str = "", person: str = "", since=None, until=None, page: int = 1,
           per_page: int = 50) -> tuple[list[tuple[AuditEntry, User | None, User | None]], int]:
    """Audit entries for the admin, newest first: (entry, actor, subject)."""
    from datetime import datetime, time

    from sqlalchemy import func, or_, select
    from sqlalchemy.orm import aliased

    from .errors import PermissionDenied

    if actor.role.value != "admin":
        raise PermissionDenied()
    who, about = aliased(User), aliased(User)
    stmt = select(AuditEntry, who, about).outerjoin(who, who.id == AuditEntry.actor_id) \
        .outerjoin(about, about.id == AuditEntry.subject_user_id)
    if action.strip():
        stmt = stmt.where(AuditEntry.action.contains(action.strip().lower(), autoescape=True))
    if person.strip():
        needle = person.strip().lower()
        stmt = stmt.where(or_(func.lower(who.email).contains(needle, autoescape=True),
                              func.lower(about.email).contains(needle, autoescape=True)))
    if since:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(since, time.min))
    if until:
        stmt = stmt.where(AuditEntry.at <= datetime.combine(until, time.max))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, min(page, 10_000))
    rows = db.session.execute(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return [tuple(row) for row in rows], total
