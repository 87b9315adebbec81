"""Accounts: registration with a confirmed address, login sessions that can be revoked, password change and
reset, staff accounts by invitation."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..extensions import db
from ..models import Organisation, ParticipantProfile, Role, User, UserSession, email_look
from ..models.base import utcnow
from . import account_links, audit, mail
from .errors import NotFound, PermissionDenied, ValidationFailed
from .passwords import burn_verification_time, hash_password, password_problem, verify_password


def normalise_email(email: str) -> str:
    return email_look.normalise(email)


def _check_password(password: str, email: str, name: str) -> None:
    problem = password_problem(password, context=(email, email.split("@")[0], name))
    if problem:
        raise ValidationFailed(problem)


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None


def _refuse_look_alike(email: str, own_id: int | None = None) -> None:
    """An address that looks like another account's (other letters drawn the same) is refused."""
    found = db.session.scalar(select(User.id).where(User.email_skeleton == email_look.skeleton(email),
                                                    User.email != email, User.id != (own_id or 0)).limit(1))
    if found is not None:
        raise ValidationFailed(_("This address looks just like the address of another account (some letters only "
                                 "look the same). Please use another address, or write it with plain letters."))


def register_participant(email: str, password: str, display_name: str, locale: str | None) -> User:
    """Self-registration of a participant; the profile starts empty, with no consent given."""
    email = normalise_email(email)
    _check_password(password, email, display_name)
    if email_taken(email):
        # Same words as any other refusal would be a lie; the address is the user's own to know.
        raise ValidationFailed(_("An account with this e-mail address already exists. Try logging in."))
    _refuse_look_alike(email)
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
    _queue_verification(user)
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
    _refuse_look_alike(email, user.id)
    user.email = email
    audit.record("email_changed", actor=user, subject=user, ip=ip)
    if user.role == Role.PARTICIPANT:  # the new address is confirmed like the first one
        user.email_verified_at = None
        _queue_verification(user)
    db.session.commit()


def _mail(user: User, subject: str, lines: list[str]) -> None:
    """Queue an account e-mail in the user's own language (sent once the change commits)."""
    language = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        body = "\n\n".join([_("Hello %(name)s,", name=user.display_name), *[str(line) for line in lines],
                             _("MiMi Match")])
        mail.queue(db.session(), mail.Mail(to=user.email, subject=f"MiMi Match: {subject}", body=body))


def _hours(delta: timedelta) -> int:
    return max(1, round(delta.total_seconds() / 3600))


def _queue_verification(user: User) -> None:
    link = account_links.link(user, account_links.VERIFY)
    days = account_links.lifetime(account_links.VERIFY).days
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Confirm your e-mail address")
        lines = [_("Please confirm that this is your e-mail address by opening this link:"), link,
                 ngettext("The link works for %(num)d day.", "The link works for %(num)d days.", days),
                 _("Until you confirm it, your profile works as usual, but nothing of it is shown to employers.")]
    _mail(user, subject, lines)


def send_verification(user: User, ip: str = "") -> bool:
    """Send the confirmation link again; False when the address is already confirmed."""
    if user.email_verified_at is not None:
        return False
    _queue_verification(user)
    audit.record("email_verification_sent", actor=user, subject=user, ip=ip)
    db.session.commit()
    return True


def verify_email(token: str, ip: str = "") -> User:
    """Confirm the address the link was sent to."""
    user = account_links.user_for(token, account_links.VERIFY)
    if user is None:
        raise ValidationFailed(_("This confirmation link is not valid any more. Log in and ask for a new one."))
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("email_verified", actor=user, subject=user, ip=ip)
        db.session.commit()
    return user


def request_password_reset(email: str, ip: str = "", actor: User | None = None) -> None:
    """Mail a reset link to the account with this address, if there is one. The answer to the person asking
    is the same either way, so nobody learns from it whether an address has an account."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        audit.record("password_reset_requested", actor=actor, ip=ip, detail={"known": "no"}, commit=True)
        return
    link = account_links.link(user, account_links.RESET)
    hours = _hours(account_links.lifetime(account_links.RESET))
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Choose a new password")
        lines = [_("Someone (we hope you) asked for a new password for your MiMi Match account. "
                   "Open this link to choose one:"), link,
                 ngettext("The link works once, for %(num)d hour.", "The link works once, for %(num)d hours.", hours),
                 _("If you did not ask for it, you can ignore this e-mail: your password stays as it is.")]
    _mail(user, subject, lines)
    audit.record("password_reset_requested", actor=actor, subject=user, ip=ip, detail={"known": "yes"})
    db.session.commit()


def send_reset_link(actor: User, user_id: int, ip: str = "") -> User:
    """An administrator sends someone a reset link (the administrator never learns or sets the password)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator can do this."))
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    if not user.active:
        raise ValidationFailed(_("This account is deactivated. Activate it first."))
    request_password_reset(user.email, ip, actor=actor)
    return user


def reset_target(token: str, purpose: str = account_links.RESET) -> User:
    """The account a reset or invitation link is for, or a clear refusal."""
    user = account_links.user_for(token, purpose)
    if user is None:
        raise ValidationFailed(
            _("This link is not valid any more: it was used already or is too old. Ask for a new one.")
            if purpose == account_links.RESET else
            _("This invitation is not valid any more: it was used already or is too old. "
              "Ask your administrator for a new one."))
    return user


def set_password_from_link(token: str, purpose: str, new_password: str, ip: str = "") -> str | None:
    """Set the password from a reset or invitation link: every session of the account ends, the link stops
    working, the address counts as confirmed (the mail reached its owner); returns a fresh session token, or
    None for an account with a second factor (it logs in with the new password and a code)."""
    user = reset_target(token, purpose)
    _check_password(new_password, user.email, user.display_name)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    end_all_sessions(user)
    audit.record("password_reset" if purpose == account_links.RESET else "invitation_accepted",
                 actor=user, subject=user, ip=ip)
    db.session.commit()
    if user.totp_enabled_at is not None:  # a link by e-mail is one factor: the code from the app is still asked
        return None
    return start_session(user, ip)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def create_staff_user(
    actor: User | None,
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    organisation_id: int | None = None,
) -> User:
    """An admin creates a coach, HR or admin account (``actor`` None only for the first admin, CLI). Without
    ``password`` the person is invited: they get a link by e-mail and choose their own password."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator can create staff accounts."))
    if role == Role.PARTICIPANT:
        raise ValidationFailed(_("Participants register themselves."))
    email = normalise_email(email)
    if email_taken(email):
        raise ValidationFailed(_("An account with this e-mail address already exists."))
    _refuse_look_alike(email)
    if password is not None:
        _check_password(password, email, display_name)
    organisation = None
    if role == Role.HR:
        organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
        if organisation is None:
            raise ValidationFailed(_("An HR manager must belong to an organisation."))
    user = User(
        email=email,
        # an invited account has no password anyone knows: a random one, hashed, until the link sets theirs
        password_hash=hash_password(password if password is not None else secrets.token_urlsafe(32)),
        role=role,
        display_name=display_name.strip(),
        organisation=organisation,
        email_verified_at=utcnow() if password is not None else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("staff_account_created" if password is not None else "staff_invited", actor=actor, subject=user,
                 detail={"role": role.value})
    if password is None:
        _queue_invitation(user, actor)
    db.session.commit()
    return user


def _queue_invitation(user: User, actor: User | None) -> None:
    link = account_links.link(user, account_links.INVITE)
    days = account_links.lifetime(account_links.INVITE).days
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("You are invited to MiMi Match")
        lines = [_("%(who)s created a MiMi Match account for you. Open this link to choose your password:",
                   who=actor.display_name if actor is not None else _("An administrator")), link,
                 ngettext("The link works once, for %(num)d day.", "The link works once, for %(num)d days.", days)]
    _mail(user, subject, lines)


def resend_invitation(actor: User, user_id: int) -> User:
    """A new invitation link for someone who has not accepted theirs (the old link stops working)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator can do this."))
    user = db.session.get(User, user_id)
    if user is None or user.role == Role.PARTICIPANT:
        raise NotFound(_("No such user."))
    if user.email_verified_at is not None:
        raise ValidationFailed(_("This person has accepted the invitation already. Send a reset link instead."))
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # the earlier link no longer matches
    _queue_invitation(user, actor)
    audit.record("staff_invited", actor=actor, subject=user, detail={"role": user.role.value, "again": "yes"})
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
