"""What every call of ``/api/v1`` shares: the bearer key, the throttle, problem details, ETags, the audit.

Problem details (RFC 9457) are the one shape of every error: ``type``, ``title``, ``status``, ``detail``,
``instance``, and for bad input ``errors`` ({field: [messages]}).
"""
from __future__ import annotations

import time
from typing import Any

from flask import current_app, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ...extensions import db
from ...services import api_keys, audit

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"
PROBLEM_TYPES = "https://mimi-match.example/problems/"  # stable identifiers, not addresses to fetch


class ApiError(HTTPException):
    """An error with its problem details (raised by the API's own code)."""

    def __init__(self, status: int, detail: str = "", *, title: str | None = None, errors: dict | None = None,
                 headers: dict[str, str] | None = None, kind: str | None = None):
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.errors = errors
        self.extra_headers = headers or {}
        self.kind = kind


TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
    406: "Not acceptable", 409: "Conflict", 412: "Precondition failed", 413: "Content too large",
    415: "Unsupported media type", 422: "Unprocessable content", 428: "Precondition required",
    429: "Too many requests", 500: "Internal server error",
}


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def problem(status: int, detail: str = "", *, title: str | None = None, errors: dict | None = None,
            headers: dict[str, str] | None = None, kind: str | None = None):
    """A problem-details response (a tuple Flask turns into one)."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES + (kind or str(status)),
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or title or TITLES.get(status, "Error"),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    out_headers = {"Content-Type": PROBLEM, "Cache-Control": "no-store", **(headers or {})}
    return current_app.response_class(
        current_app.json.dumps(body), status=status, headers=out_headers)


def problem_from(error: Exception):
    """Any exception raised while answering an API call, as problem details."""
    from ...services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

    if isinstance(error, ApiError):
        return problem(error.code or 400, str(error.description or ""), title=error.title, errors=error.errors,
                       headers=error.extra_headers, kind=error.kind)
    if isinstance(error, ValidationFailed):
        return problem(422, error.message, kind="validation")
    if isinstance(error, Conflict):
        return problem(409, error.message, kind="conflict")
    if isinstance(error, NotFound):
        return problem(404, error.message or _("Not found."))
    if isinstance(error, PermissionDenied):
        return problem(403, error.message or _("This key may not do this."))
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(error, StaleDataError):
        return problem(412, _("This was changed at the same moment by someone else. Read it again (GET)."))
    if isinstance(error, IntegrityError):
        return problem(409, _("This conflicts with a change made at the same moment. Please try again."),
                       kind="conflict")
    if isinstance(error, HTTPException):
        code = error.code or 500
        headers = {}
        if code == 405:
            headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") if isinstance(data, dict) else None
        if code == 422 and messages:
            return problem(422, _("Some values are missing or not valid."), errors=_flatten(messages),
                           kind="validation")
        detail = str(error.description or "") if code != 404 else _("No such address in the API.")
        return problem(code, detail, headers=headers)
    return problem(500, _("An error happened on our side. It has been logged."))


def _flatten(messages: Any) -> dict[str, list[str]]:
    """webargs' {location: {field: [..] | {index: [..]}}} as {"field" or "field.0": [messages]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[prefix or "body"] = [str(v) for v in value]
        else:
            out[prefix or "body"] = [str(value)]

    if isinstance(messages, dict) and set(messages) <= {"json", "query", "headers", "path", "form", "files"}:
        for location, inner in messages.items():
            walk("" if location == "json" else location, inner)
    else:
        walk("", messages)
    return out


# --- who is calling -------------------------------------------------------------------------------------

def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _throttle(bucket: str, limit: str) -> None:
    """Count one call in ``bucket`` (shared by every process through the limiter's storage)."""
    from limits import parse

    from ...extensions import limiter

    item = parse(limit)
    strategy = limiter.limiter
    if not strategy.hit(item, "api", bucket):
        reset = strategy.get_window_stats(item, "api", bucket).reset_time
        wait = max(1, int(reset - time.time()) + 1)
        raise ApiError(429, _("Too many calls with this key. Try again in %(n)d seconds.", n=wait),
                       headers={"Retry-After": str(wait)})


def authenticate_request(scope: str) -> None:
    """``enforce_access`` for API routes: ``public`` (anyone, throttled per address), ``read`` or ``write``
    (a bearer key with that scope; write includes read)."""
    g.api_caller = None
    if scope == "public":
        _throttle("addr:" + (request.remote_addr or ""), current_app.config["API_PUBLIC_RATE_LIMIT"])
        return
    token = _bearer()
    if token is None:
        raise ApiError(401, _("Send an API key as a bearer token: Authorization: Bearer <key>."),
                       headers={"WWW-Authenticate": 'Bearer realm="mimi-match"'})
    caller = api_keys.authenticate(token)
    if caller is None:
        audit.record("api_refused", target=request.path[:200], ip=request.remote_addr or "",
                     detail={"method": request.method, "key": token[:12]}, commit=True)
        raise ApiError(401, _("This API key is not valid: it is unknown, revoked, or its owner no longer has "
                              "access."), headers={"WWW-Authenticate": 'Bearer realm="mimi-match", '
                                                                       'error="invalid_token"'})
    g.api_caller = caller
    _throttle(f"key:{caller.key.id}", current_app.config["API_RATE_LIMIT"])
    if scope == "write" and not caller.key.can_write:
        raise ApiError(403, _("This key may only read. Use a key with the write scope."),
                       headers={"WWW-Authenticate": 'Bearer realm="mimi-match", error="insufficient_scope", '
                                                    'scope="write"'})


def actor():
    """The HR manager the calling key acts for."""
    return g.api_caller.user


def audit_call(response):
    """``after_request``: every call with a key is in the audit log (key, method, path, status)."""
    caller = getattr(g, "api_caller", None)
    if caller is not None:
        try:
            audit.record("api_call", actor=caller.user, target=f"{request.method} {request.path}"[:200],
                         ip=request.remote_addr or "",
                         detail={"key": caller.key.id, "status": response.status_code}, commit=True)
        except Exception:  # noqa: BLE001  (the audit must not turn a done change into an error)
            db.session.rollback()
            current_app.logger.exception("could not audit an API call")
    return response


# --- optimistic concurrency ---------------------------------------------------------------------------

def etag_of(kind: str, ident: int, version: int) -> str:
    return f'"{kind}{ident}-v{version}"'


def check_if_match(current: str) -> None:
    """An update must name the version it changes: 428 without If-Match, 412 when it is not the current."""
    header = request.headers.get("If-Match")
    if header is None:
        raise ApiError(428, _("Send the ETag of the version you change in If-Match (read it with GET first)."))
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in wanted and current not in wanted:
        raise ApiError(412, _("This was changed since you read it. Read it again (GET) and send the new ETag."),
                       headers={"ETag": current})
