"""The second factor: a time-based one-time code (TOTP, RFC 6238) from an authenticator app, and recovery codes.

Required at login for the roles in ``MFA_REQUIRED_ROLES`` (in production: administrators, coaches and HR
managers, who see vulnerable people's data); optional for everyone else. A code is accepted once (the time
step it belongs to is remembered), with one step of clock drift either way. Recovery codes are shown once,
stored as hashes, and each works once. An administrator can remove someone's second factor (a lost phone):
that person enrols again at the next login.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import cast, literal, or_, update

from ..extensions import db
from ..models import Role, User
from ..models.base import utcnow
from . import audit
from .errors import NotFound, PermissionDenied, ValidationFailed
from .passwords import verify_password

ISSUER = "MiMi Match"
RECOVERY_CODES = 10


def required_for(user: User) -> bool:
    roles = {r.strip() for r in (current_app.config.get("MFA_REQUIRED_ROLES") or "").split(",") if r.strip()}
    return user.role.value in roles


def enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning(user: User, secret: str) -> tuple[str, str]:
    """The otpauth:// URI an authenticator app reads, and its QR code as an SVG data URI (made here, locally)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return uri, segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _step_accepted(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (now, or one step before or after), if it is new; else None."""
    code = "".join(code.split())
    if not (code.isdecimal() and code.isascii() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(("mimi-recovery\0" + code.replace("-", "").strip().lower()).encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    return ["-".join((secrets.token_hex(3), secrets.token_hex(3))) for _ in range(RECOVERY_CODES)]


def confirm_enrolment(user: User, secret: str, code: str, ip: str = "") -> list[str]:
    """Switch the second factor on once the app shows a right code; returns the recovery codes (shown once)."""
    step = _step_accepted(secret, code, None)
    if step is None:
        raise ValidationFailed(_("This code is not right. Type the 6 digits your app shows now."))
    codes = _new_recovery_codes()
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    user.recovery_codes = [_hash(c) for c in codes]
    audit.record("second_factor_enabled", actor=user, subject=user, ip=ip)
    db.session.commit()
    return codes


def _claim(user: User, condition, **values) -> bool:
    """Write ``values`` only if ``condition`` still holds in the database: of two workers accepting the same
    code at the same moment, one wins (on PostgreSQL the second waits for the first and then finds the row
    changed), so a code, or a recovery code, opens one session only."""
    result = db.session.execute(update(User).where(User.id == user.id, condition).values(**values)
                                .execution_options(synchronize_session=False))
    db.session.expire(user, list(values))
    return result.rowcount == 1


def check(user: User, code: str, ip: str = "") -> bool:
    """A code from the app, or an unused recovery code (which is then used up)."""
    if not enabled(user):
        return False
    step = _step_accepted(user.totp_secret, code, user.totp_last_step)
    if step is not None and _claim(user, or_(User.totp_last_step.is_(None), User.totp_last_step < step),
                                   totp_last_step=step):
        audit.record("second_factor_passed", actor=user, subject=user, ip=ip)
        db.session.commit()
        return True
    hashed = _hash(code)
    known = list(user.recovery_codes or [])
    if step is None and len(code.strip()) <= 20 and hashed in known:
        remaining = [c for c in known if c != hashed]
        unchanged = cast(User.recovery_codes, sa.Text) == cast(literal(known, sa.JSON), sa.Text)
        if _claim(user, unchanged, recovery_codes=remaining):
            audit.record("recovery_code_used", actor=user, subject=user, ip=ip, detail={"left": len(remaining)})
            db.session.commit()
            return True
    audit.record("second_factor_failed", subject=user, ip=ip, commit=True)
    return False


def new_recovery_codes(user: User, password: str, ip: str = "") -> list[str]:
    if not verify_password(user.password_hash, password):
        raise ValidationFailed(_("Your current password is not correct."))
    if not enabled(user):
        raise ValidationFailed(_("Switch on the second factor first."))
    codes = _new_recovery_codes()
    user.recovery_codes = [_hash(c) for c in codes]
    audit.record("recovery_codes_renewed", actor=user, subject=user, ip=ip)
    db.session.commit()
    return codes


def _clear(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = user.recovery_codes = None


def disable(user: User, password: str, ip: str = "") -> None:
    """Switch the own second factor off (only where the role does not require it)."""
    if required_for(user):
        raise PermissionDenied(_("Your role requires a second factor."))
    if not verify_password(user.password_hash, password):
        raise ValidationFailed(_("Your current password is not correct."))
    _clear(user)
    audit.record("second_factor_disabled", actor=user, subject=user, ip=ip)
    db.session.commit()


def reset_for(actor: User, user_id: int) -> User:
    """An administrator removes someone's second factor (lost phone); they enrol again at the next login."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator can do this."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    if not enabled(user):
        raise ValidationFailed(_("This account has no second factor."))
    _clear(user)
    from .accounts import end_all_sessions

    end_all_sessions(user)
    audit.record("second_factor_reset", actor=actor, subject=user)
    db.session.commit()
    return user
