"""Who may use which route: declared next to each route, enforced for every request.

    @bp.get("/caseload")
    @allow(Role.COACH)
    def caseload(): ...

A route without a declaration is refused (default deny), so a forgotten rule cannot leak data.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from .extensions import login_manager
from .models import Role

F = TypeVar("F", bound=Callable)

PUBLIC = "public"
ACCESS_ATTR = "access_rule"


def allow(*roles: Role) -> Callable[[F], F]:
    """Only logged-in users with one of ``roles`` (all roles if none are given)."""
    rule = frozenset(roles or Role)

    def mark(view: F) -> F:
        setattr(view, ACCESS_ATTR, rule)
        return view

    return mark


def public(view: F) -> F:
    """Anyone, logged in or not."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


class ApiRule(str):
    """An ``/api/v1`` operation's rule: "public", "read" or "write" (a bearer API key, not the session)."""


def api_key(scope: str) -> Callable[[F], F]:
    """An API operation: anyone (``public``, throttled) or an organisation's key with ``read``/``write``."""
    if scope not in ("public", "read", "write"):
        raise ValueError(scope)

    def mark(view: F) -> F:
        setattr(view, ACCESS_ATTR, ApiRule(scope))
        return view

    return mark


def rule_for(endpoint: str | None) -> frozenset[Role] | ApiRule | str | None:
    """The declared rule of an endpoint (``static`` is public)."""
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None)


def enforce_access():
    """``before_request`` hook: apply the rule of the matched route."""
    if request.endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    rule = rule_for(request.endpoint)
    if isinstance(rule, ApiRule):  # the API's own bearer keys; the session cookie counts for nothing there
        from .blueprints.api_v1.core import authenticate_request

        return authenticate_request(str(rule))
    if rule == PUBLIC:
        return None
    if rule is None:
        current_app.logger.error("route %s declares no access rule; refused", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in rule:
        from .extensions import db
        from .services import audit

        audit.record(
            "access_denied", actor=current_user, target=request.path[:200], ip=request.remote_addr or ""
        )
        db.session.commit()
        abort(403)
    return None
