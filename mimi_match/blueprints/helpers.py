"""Small helpers shared by the views."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target


def client_ip() -> str:
    return request.remote_addr or ""


# Several forms on one page carry prefixes, which would also prefix their CSRF field ("note-csrf_token").
# They skip their own token and carry the page's one standard ``csrf_token`` instead; CSRFProtect checks
# it on every POST before any view runs, so nothing goes unprotected.
ONE_TOKEN = {"csrf": False}


def json_download(data: dict, filename: str):
    """``data`` as a JSON file the browser saves (the data exports)."""
    import json

    from flask import current_app

    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


MAX_ID = 2**31 - 1  # every id and page number fits a 32-bit integer column; anything larger is not found


def int_arg(name: str, default: int | None = None, source=None) -> int | None:
    """A small positive integer from the query string (or ``source``); ``default`` when missing, malformed,
    or outside 1..MAX_ID (a page 10^25 or a field id 10^25 is no page or field at all)."""
    raw = ((source if source is not None else request.args).get(name) or "").strip()
    if not (raw.isdecimal() and raw.isascii()) or len(raw) > 10:
        return default
    value = int(raw)
    return value if 1 <= value <= MAX_ID else default


def id_or_none(raw: str | None) -> int | None:
    """An id typed into a form value ("12", "12:3"): None unless it is 1..MAX_ID (or when missing)."""
    raw = (raw or "").strip()
    if not (raw.isdecimal() and raw.isascii()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None
