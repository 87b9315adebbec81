"""Links sent by e-mail that act on an account: reset a password, confirm an address, accept an invitation.

A link carries a token signed with the installation's secret key: the account's id, what the link is for,
and a fingerprint of the account state the link is meant to change. Nothing is stored: the token is
time-limited by its signature, and it stops working once it has done its work, because the fingerprint no
longer matches (a reset or invitation changes the password hash; a confirmation is tied to the address it
confirmed). Every process and machine checks a link the same way, with the same key.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app, has_request_context, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..models import User

RESET, VERIFY, INVITE = "reset", "verify", "invite"
ENDPOINTS = {RESET: "auth.reset_password", VERIFY: "auth.verify_email", INVITE: "auth.accept_invitation"}


def lifetime(purpose: str) -> timedelta:
    cfg = current_app.config
    if purpose == RESET:
        return timedelta(minutes=cfg["PASSWORD_RESET_MINUTES"])
    if purpose == VERIFY:
        return timedelta(days=cfg["EMAIL_VERIFY_DAYS"])
    return timedelta(days=cfg["INVITATION_DAYS"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="mimi-account-link")


def _fingerprint(user: User, purpose: str) -> str:
    state = user.email if purpose == VERIFY else user.password_hash
    return hashlib.blake2b(f"{purpose}\0{user.id}\0{state}".encode(), digest_size=12).hexdigest()


def token_for(user: User, purpose: str) -> str:
    return _serializer().dumps({"u": user.id, "p": purpose, "f": _fingerprint(user, purpose)})


def user_for(token: str, purpose: str) -> User | None:
    """The active account ``token`` was made for, while it is fresh and still matches the account; else None."""
    if not token or len(token) > 500:
        return None
    try:
        data = _serializer().loads(token, max_age=int(lifetime(purpose).total_seconds()))
    except (BadSignature, UnicodeError, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("p") != purpose or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"]) if 0 < data["u"] < 2**31 else None
    if user is None or not user.active or data.get("f") != _fingerprint(user, purpose):
        return None
    return user


def absolute(path: str) -> str:
    """``path`` on the installation's public address (PUBLIC_URL). Production refuses to start without it, so a
    link in an e-mail never follows a request's Host header, which anyone can set; on a developer's machine
    the address the page was asked on is used."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        base = request.host_url if has_request_context() else "http://localhost/"
    return base.rstrip("/") + path


def link(user: User, purpose: str) -> str:
    return absolute(url_for(ENDPOINTS[purpose], token=token_for(user, purpose)))
