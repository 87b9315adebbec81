"""Accounts: registration, login sessions that can be revoked, password change, staff accounts."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..extensions import db
from ..models import Organisation, ParticipantProfile, Role, User, UserSession
from ..models.base import utcnow
from . import audit
from .errors import NotFound, PermissionDenied, ValidationFailed
from .passwords import burn_verification_time, hash_password, password_problem, verify_password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str, email: str, name: str) -> None:
    problem = password_problem(password, context=(email, email.split("@")[0], name))
    if problem:
        raise ValidationFailed(problem)


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None


def register_participant(email: str, password: str, display_name: str, locale: str | None) -> User:
    """Self-registration of a participant; the profile starts empty, with no consent given."""
    email = normalise_email(email)
    _check_password(password, email, display_name)
    if email_taken(email):
        # Same words as any other refusal would be a lie; the address is the user's own to know.
        raise ValidationFailed(_("An account with this e-mail address already exists. Try logging in."))
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=Role.PARTICIPANT,
        display_name=display_name.strip(),
        locale=locale,
    )
    user.profile = ParticipantProfile()
    db.session.add(user)
    db.session.flush()
    audit.record("account_registered", actor=user, subject=user)
    db.session.commit()
    return user


def authenticate(email: str, password: str, ip: str = "") -> User | None:
    """The user for these credentials, or None; unknown e-mail and wrong password look the same."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        burn_verification_time(password)
        audit.record("login_failed", ip=ip, detail={"reason": "unknown"}, commit=True)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        audit.record("login_failed", subject=user, ip=ip, detail={"reason": "credentials"}, commit=True)
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, ip: str = "") -> str:
    """Open a new login session for ``user``; returns the token that goes in the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_token_hash(token)))
    user.last_login_at = utcnow()
    user.login_token = token
    if user.profile is not None:  # back after a retention reminder: the data stays
        user.profile.retention_reminded_at = None
    audit.record("login", actor=user, subject=user, ip=ip)
    db.session.commit()
    return token


def load_session_user(token: str) -> User | None:
    """The active user behind a session token, if the session is still valid (idle and max age)."""
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    cfg = current_app.config
    idle = timedelta(minutes=cfg["SESSION_IDLE_MINUTES"])
    lifetime = timedelta(hours=cfg["SESSION_MAX_HOURS"])
    if now - row.last_seen_at > idle or now - row.created_at > lifetime:
        row.revoked_at = now
        db.session.commit()
        return None
    user = row.user
    if not user.active:
        return None
    # Touch at most once a minute to keep writes low.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        db.session.commit()
    user.login_token = token
    return user


def end_session(token: str | None) -> None:
    """Revoke one login session (logout)."""
    if not token:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.session.commit()


def end_all_sessions(user: User) -> None:
    """Revoke every login session of ``user`` (password change, deactivation)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def change_password(user: User, current_password: str, new_password: str, ip: str = "") -> str:
    """Change the password, end every session, and return a fresh session token for this one."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(_("Your current password is not correct."))
    _check_password(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_all_sessions(user)
    audit.record("password_changed", actor=user, subject=user, ip=ip)
    db.session.commit()
    return start_session(user, ip)


def change_email(user: User, current_password: str, new_email: str, ip: str = "") -> None:
    """Change the e-mail address after the password is confirmed (re-authentication)."""
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed(_("Your current password is not correct."))
    email = normalise_email(new_email)
    if email == user.email:
        return
    if email_taken(email):
        raise ValidationFailed(_("This e-mail address is already used by another account."))
    user.email = email
    audit.record("email_changed", actor=user, subject=user, ip=ip)
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def create_staff_user(
    actor: User | None,
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    organisation_id: int | None = None,
) -> User:
    """An admin creates a coach, HR or admin account (``actor`` None only for the first admin, CLI)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator can create staff accounts."))
    if role == Role.PARTICIPANT:
        raise ValidationFailed(_("Participants register themselves."))
    email = normalise_email(email)
    if email_taken(email):
        raise ValidationFailed(_("An account with this e-mail address already exists."))
    _check_password(password, email, display_name)
    organisation = None
    if role == Role.HR:
        organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
        if organisation is None:
            raise ValidationFailed(_("An HR manager must belong to an organisation."))
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name.strip(),
        organisation=organisation,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("staff_account_created", actor=actor, subject=user, detail={"role": role.value})
    db.session.commit()
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    """Activate or deactivate an account; deactivation ends all its sessions at once."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator can do this."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    if user.id == actor.id and not active:
        raise ValidationFailed(_("You cannot deactivate your own account."))
    user.active = active
    if not active:
        end_all_sessions(user)
    audit.record("account_activated" if active else "account_deactivated", actor=actor, subject=user)
    db.session.commit()
    return user
