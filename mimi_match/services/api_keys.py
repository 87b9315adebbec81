"""An organisation's API keys: created by its HR managers, named, scoped (read or write), shown once,
stored only as a hash; revoked and rotated by its HR managers or an administrator.

A key acts on behalf of the HR manager who created it (a rotated key keeps that owner): every call goes
through the same services as the pages with that person as the acting user, so the API can never do
more than they could, and it stops working the day they leave the organisation or are deactivated.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..models import ApiKey, Organisation, Role, User
from ..models.base import utcnow
from . import audit
from .errors import NotFound, PermissionDenied, ValidationFailed

TOKEN_PREFIX = "mimi_"
SCOPES = {"read": _l("Read: positions, candidates, placements"),
          "write": _l("Read and write: also create, change, publish and close positions and answer candidates")}
MAX_KEYS = 20  # active keys per organisation
# last_used_at is written at most this often per key (not on every call)
LAST_USED_EVERY_SECONDS = 60


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class NewKey:
    """A key just made, with its token: the only moment the token exists outside the caller's hands."""

    key: ApiKey
    token: str


def _organisation_for(actor: User, organisation_id: int | None) -> int:
    if actor.role == Role.HR and actor.organisation_id is not None:
        if organisation_id not in (None, actor.organisation_id):
            raise NotFound(_("No such organisation."))
        return actor.organisation_id
    if actor.role == Role.ADMIN and organisation_id is not None:
        if db.session.get(Organisation, organisation_id) is None:
            raise NotFound(_("No such organisation."))
        return organisation_id
    raise PermissionDenied(_("Only the organisation's HR managers and administrators manage its API keys."))


def keys_of(actor: User, organisation_id: int | None = None) -> list[ApiKey]:
    """Every key of the organisation, active ones first, newest first."""
    org = _organisation_for(actor, organisation_id)
    return list(db.session.scalars(select(ApiKey).where(ApiKey.organisation_id == org).order_by(
        ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())))


def _own_key(actor: User, key_id: int) -> ApiKey:
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(_("No such key."))
    if actor.role == Role.ADMIN:
        return key
    if actor.role != Role.HR or key.organisation_id != actor.organisation_id:
        raise NotFound(_("No such key."))
    return key


def _new_token() -> tuple[str, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[:12]


def create(actor: User, name: str, scope: str) -> NewKey:
    """A new key of the actor's organisation (HR managers only: the key acts on their behalf)."""
    if actor.role != Role.HR or actor.organisation_id is None:
        raise PermissionDenied(_("Only HR managers create API keys: a key acts on behalf of the one who made it."))
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise ValidationFailed(_("Give the key a name of at most 80 characters, e.g. the system that uses it."))
    if scope not in SCOPES:
        raise ValidationFailed(_("Choose what the key may do."))
    active = db.session.scalars(select(ApiKey.id).where(ApiKey.organisation_id == actor.organisation_id,
                                                        ApiKey.revoked_at.is_(None))).all()
    if len(active) >= MAX_KEYS:
        raise ValidationFailed(_("Your organisation has %(n)d active keys. Revoke one you no longer use first.",
                                 n=MAX_KEYS))
    token, prefix = _new_token()
    key = ApiKey(organisation_id=actor.organisation_id, name=name, scope=scope, prefix=prefix,
                 token_hash=token_hash(token), created_by_id=actor.id)
    db.session.add(key)
    db.session.flush()
    audit.record("api_key_created", actor=actor, target=f"api_key:{key.id}", detail={"scope": scope})
    db.session.commit()
    return NewKey(key, token)


def revoke(actor: User, key_id: int) -> ApiKey:
    key = _own_key(actor, key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        audit.record("api_key_revoked", actor=actor, target=f"api_key:{key.id}")
        db.session.commit()
    return key


def rotate(actor: User, key_id: int) -> NewKey:
    """A new token for the same name, scope and owner; the old one stops working at once."""
    old = _own_key(actor, key_id)
    if old.revoked_at is not None:
        raise ValidationFailed(_("This key is revoked. Create a new one instead."))
    token, prefix = _new_token()
    old.revoked_at = utcnow()
    key = ApiKey(organisation_id=old.organisation_id, name=old.name, scope=old.scope, prefix=prefix,
                 token_hash=token_hash(token), created_by_id=old.created_by_id, replaces_id=old.id)
    db.session.add(key)
    db.session.flush()
    audit.record("api_key_rotated", actor=actor, target=f"api_key:{key.id}", detail={"replaces": old.id})
    db.session.commit()
    return NewKey(key, token)


@dataclass(frozen=True)
class Caller:
    """Who is calling the API: the key, and the HR manager it acts for."""

    key: ApiKey
    user: User


def authenticate(token: str) -> Caller | None:
    """The active key with this token whose owner still is an active HR manager of its organisation."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.token_hash == token_hash(token)))
    if key is None or key.revoked_at is not None or key.created_by_id is None:
        return None
    owner = db.session.get(User, key.created_by_id)
    if owner is None or not owner.active or owner.role != Role.HR or owner.organisation_id != key.organisation_id:
        return None
    now = utcnow()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= LAST_USED_EVERY_SECONDS:
        db.session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        db.session.commit()
    return Caller(key, owner)
