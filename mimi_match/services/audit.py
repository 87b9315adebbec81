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
