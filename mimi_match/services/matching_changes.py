"""Changes that matter to matching leave the request as rows of ``matching_changes``, written in the same
transaction as the change itself, and wake the matching worker once that transaction commits.

No service has to remember to tell matching: a flush that adds, changes or removes a participant's skills,
languages, wishes, experience, availability or consent, an account's active status, a position's content,
status or skills, or a pair's "acted on" state records the record's id here. The same record changed many
times before the worker gets to it stays one row (its token changes, so the worker never drops a change it
has not seen). Web processes never score or write suggestions themselves.
"""
from __future__ import annotations

import logging
import random
from itertools import chain

from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import (
    DesiredField,
    Education,
    Match,
    MatchingChange,
    MatchStatus,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    Position,
    PositionSkill,
    Role,
    User,
    WorkExperience,
)
from ..models.base import utcnow

log = logging.getLogger(__name__)
PENDING = "mimi_matching_changes"
WAKE = "mimi_matching_wake"

PROFILE_FIELDS = ("consent_matching", "region", "remote_ok", "available_from", "hours_per_week", "desired_kinds",
                  "wish_text")
POSITION_FIELDS = ("status", "listed_until", "field_id", "kind", "title", "description", "host_language",
                   "host_language_level", "region", "remote", "hours_per_week", "start_date", "openings")
PROFILE_PARTS = (ParticipantSkill, ParticipantLanguage, DesiredField, WorkExperience, Education)


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


def _status_left_or_joined_suggested(match: Match, new: bool, deleted: bool) -> bool:
    """Whether the pair's "acted on" state changed: acted-on pairs are never suggested again."""
    if new or deleted:
        return match.status != MatchStatus.SUGGESTED
    history = inspect(match).attrs["status"].history
    return bool(history.has_changes()) and MatchStatus.SUGGESTED in (*history.deleted, *history.added)


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context, _instances) -> None:
    found: list[tuple[str, object]] = session.info.setdefault(PENDING, [])
    new, deleted = set(session.new), set(session.deleted)
    for obj in chain(session.new, session.dirty, session.deleted):
        is_new, is_deleted = obj in new, obj in deleted
        if isinstance(obj, ParticipantProfile):
            if is_new or is_deleted or _changed(obj, PROFILE_FIELDS):
                found.append(("participant", obj))
        elif isinstance(obj, PROFILE_PARTS):
            if is_new or is_deleted or session.is_modified(obj, include_collections=False):
                found.append(("participant_id", obj))
        elif isinstance(obj, User):
            if obj.role == Role.PARTICIPANT and (is_deleted or (not is_new and _changed(obj, ("active",)))):
                profile = obj.profile
                if profile is not None:
                    found.append(("erased" if is_deleted else "participant", profile))
        elif isinstance(obj, Position):
            if is_new or is_deleted or _changed(obj, POSITION_FIELDS):
                found.append(("position", obj))
        elif isinstance(obj, PositionSkill):
            if is_new or is_deleted or session.is_modified(obj, include_collections=False):
                found.append(("position_id", obj))
        elif isinstance(obj, Match) and _status_left_or_joined_suggested(obj, is_new, is_deleted):
            found.append(("pair", obj))


def _key(kind: str, obj) -> tuple[str, int, int] | None:
    if kind == "participant_id":
        ident = getattr(obj, "profile_id", None) or (obj.profile.id if getattr(obj, "profile", None) else None)
        return ("participant", ident, 0) if ident else None
    if kind == "position_id":
        ident = obj.position_id or (obj.position.id if obj.position is not None else None)
        return ("position", ident, 0) if ident else None
    if kind == "pair":
        return ("pair", obj.profile_id, obj.position_id) if obj.profile_id and obj.position_id else None
    ident = inspect(obj).identity
    return (kind, ident[0], 0) if ident else None


@event.listens_for(Session, "after_flush")
def _write(session: Session, _context) -> None:
    found = session.info.pop(PENDING, None)
    if not found:
        return
    keys = {key for key in (_key(kind, obj) for kind, obj in found) if key is not None}
    if keys:
        record(session.connection(), keys)
        session.info[WAKE] = True


def record(connection, keys) -> None:
    """Upsert change rows (kind, record id, other id) on ``connection``, in key order (one lock order for all)."""
    now = utcnow()
    rows = [{"kind": kind, "record_id": ident, "other_id": other, "token": random.getrandbits(62), "changed_at": now}
            for kind, ident, other in sorted(set(keys))]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(MatchingChange.__table__).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "record_id", "other_id"],
        set_={"token": statement.excluded.token, "changed_at": statement.excluded.changed_at})
    connection.execute(statement)


@event.listens_for(Session, "after_commit")
def _wake_worker(session: Session) -> None:
    if session.info.pop(WAKE, False):
        from .. import jobs

        jobs.wake_matching()


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous_transaction) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(WAKE, None)
