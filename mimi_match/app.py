"""The application factory."""
from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter

from . import __version__, labels
from .access import enforce_access
from .config import INSTANCE_DIR, LANGUAGES, load_config
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .i18n import TranslatedLabels, install_template_gettext, select_locale, text_direction
from .logging_setup import configure_logging

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
log = logging.getLogger(__name__)


def resource_dir(name: str) -> Path:
    """``templates`` or ``migrations``: inside the installed package, or at the top of a checkout."""
    installed = PACKAGE / name
    return installed if installed.is_dir() else ROOT / name

# Everything comes from this site; no inline script or style anywhere (data: for Bootstrap's SVG icons).
# pages reached from a link with a secret token in its path: never kept by a browser or proxy
PRIVATE_LINK_PAGES = {"auth.reset_password", "auth.accept_invitation", "auth.verify_email", "guides.helper_list"}
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"))

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("We could not understand what was sent. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist, or it is not available to you.")),
    405: (_l("Not allowed"), _l("This action cannot be done this way.")),
    409: (_l("Changed at the same moment"),
          _l("Someone else changed this at the same moment. Please reload the page and try again.")),
    413: (_l("Too large"), _l("What you sent is too large. Please send less at once.")),
    429: (_l("Too many attempts"), _l("Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("An error happened on our side. It has been logged. Please try again later.")),
}


class BoundedIntConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


# C0 control characters other than tab and line breaks, DEL, and the bidi embedding, override and
# isolate controls: no form field or search means them, PostgreSQL cannot store a NUL in text, and a
# right-to-left override in a name would turn around the rest of every heading it appears in. Refused
# for every route, before any view reads the request.
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127,
                          *range(0x202A, 0x202F), *range(0x2066, 0x206A)])  # and bidi embeddings/overrides


class ControlCharacters(BadRequest):
    """A 400 whose description is shown to the person (it says what to change)."""


def _has_control(text: str) -> bool:
    return len(text.translate(_CONTROL)) != len(text)


def refuse_control_characters():
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in ("application/x-www-form-urlencoded",
                                                                           "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            values += (key, value)
    if any(_has_control(value) for value in values):
        raise ControlCharacters(_("The text contains invisible control characters (such as a NUL byte) that cannot be "
                           "stored. Please remove them and try again."))
    return None


def create_app(config: Mapping[str, Any] | str | None = None) -> Flask:
    """Build the app. ``config`` is a config name ("testing") or a mapping of overrides."""
    app = Flask(
        __name__.split(".")[0],
        template_folder=str(resource_dir("templates")),
        instance_path=str(INSTANCE_DIR),
    )
    # ids in addresses are database integers: a longer number is simply not found (never an overflow)
    app.url_map.converters["int"] = BoundedIntConverter
    config_name = config if isinstance(config, str) else None
    app.config.from_object(load_config(config_name))
    if isinstance(config, Mapping):
        app.config.update(config)
    _check_config(app)
    if app.config.get("PROXY_HOPS"):  # behind a reverse proxy: the client's address is in X-Forwarded-For
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_context(app)
    register_commands(app)
    if app.config.get("PRELOAD_VOCABULARY"):
        _preload_vocabulary()
    return app


def _preload_vocabulary() -> None:
    """Build the skill vocabulary index (about 1.5 s) in the background, before the first keystroke."""
    import threading

    from .vocabulary import vocabulary

    threading.Thread(target=vocabulary, name="preload-vocabulary", daemon=True).start()


def _check_config(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in the environment outside development")
    if app.config.get("ENV_NAME") == "production":
        public = urlsplit(app.config.get("PUBLIC_URL") or "")
        if public.scheme not in ("http", "https") or not public.hostname:
            raise RuntimeError("PUBLIC_URL must be set in production (e.g. https://match.example.org): "
                               "links in e-mails use it, and only its host name is served")
        if app.config.get("TRUSTED_HOSTS") is None:  # a request for another Host is answered 400
            extra = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
            app.config["TRUSTED_HOSTS"] = [public.hostname, *extra]
        if not app.config.get("SESSION_COOKIE_SECURE"):  # plain HTTP (a benchmark): browsers refuse __Host-
            app.config["SESSION_COOKIE_NAME"] = app.config["SESSION_COOKIE_NAME"].removeprefix("__Host-")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgres://")
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from . import jobs, models  # noqa: F401  (the mappers must exist before the first query)
    from .services import matching_changes, search_index  # noqa: F401  (register their flush listeners)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")), render_as_batch=True, compare_type=True)
    jobs.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    from .services.accounts import load_session_user

    @login_manager.user_loader
    def load_user(token: str):
        return load_session_user(token)

    app.before_request(refuse_control_characters)
    app.before_request(enforce_access)


def register_blueprints(app: Flask) -> None:
    from .blueprints import (
        admin,
        api,
        auth,
        coach,
        conversations,
        guides,
        hr,
        main,
        opportunities,
        outcomes,
        participant,
        placements,
    )

    for module in (main, auth, opportunities, participant, coach, hr, placements, guides, admin, api, conversations,
                   outcomes):
        app.register_blueprint(module.bp)
    from .blueprints import api_v1, integrations

    api_v1.init_app(app)
    app.register_blueprint(integrations.bp)


def register_errorhandlers(app: Flask) -> None:
    def render_error(code: int, detail: str | None = None):
        title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
        return render_template("errors/error.html", code=code, title=title, text=detail or text), code

    from .blueprints.api_v1.core import is_api_request, problem_from

    def api_problem(view):
        """On ``/api/v1`` every error is problem details (JSON), never an HTML page."""
        def handler(error):
            if not (is_api_request() and request_ctx.url_adapter is not None):
                return view(error)
            response = problem_from(error)
            if response.status_code >= 500 or not isinstance(error, HTTPException):
                db.session.rollback()
            if response.status_code >= 500:
                log.exception("unhandled error in the API")
            return response
        handler.__name__ = view.__name__
        return handler

    @app.errorhandler(CSRFError)
    @api_problem
    def csrf_error(error: CSRFError):
        message = _("The form was open too long or was sent twice. Please reload the page and try again.")
        return render_error(400, message)

    from .services.errors import NotFound as DomainNotFound
    from .services.errors import PermissionDenied as DomainPermissionDenied

    @app.errorhandler(DomainPermissionDenied)
    @api_problem
    def domain_denied(error):
        return render_error(403)

    @app.errorhandler(DomainNotFound)
    @api_problem
    def domain_not_found(error):
        return render_error(404)

    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    @api_problem
    def concurrent_change(error: Exception):
        """Two people (or two tabs) changed the same thing at once: the first wins, nothing is lost,
        the second is told and sees the current state."""
        db.session.rollback()
        log.warning("concurrent change refused", extra={"error": type(error).__name__})
        if request.method == "GET":
            return render_error(409)
        flash(_("Someone else changed this at the same moment, so your change was not saved. "
                "Here is the current state; please try again."), "warning")

        from .blueprints.helpers import safe_next

        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc in ("", request.host)
        target = safe_next(referrer.path if same_site and referrer.path else request.path) or "/"
        return redirect(target, code=303)

    from flask_limiter import RateLimitExceeded

    @app.errorhandler(RateLimitExceeded)
    @api_problem
    def too_many(error: RateLimitExceeded):
        """Throttled: say so, and when to try again (the moving window's oldest counted attempt expires)."""
        body, code = render_error(429)
        current = limiter.current_limit
        wait = int(current.reset_at - time.time()) + 1 if current is not None else 60
        return body, code, {"Retry-After": str(max(1, wait))}

    @app.errorhandler(HTTPException)
    @api_problem
    def http_error(error: HTTPException):
        code = error.code or 500
        if request_ctx.url_adapter is None:  # a Host that is not ours: no page (its links would name that host)
            return _("This address is not served here."), 400, {"Content-Type": "text/plain; charset=utf-8"}
        if code not in ERROR_TEXTS:
            return error
        if isinstance(error, ControlCharacters):
            if request.path.startswith("/api/"):  # the autocomplete reads JSON, errors included
                return {"error": str(error.description), "results": []}, code
            return render_error(code, error.description)
        return render_error(code)

    @app.errorhandler(Exception)
    @api_problem
    def unexpected_error(error: Exception):
        log.exception("unhandled error")
        db.session.rollback()
        return render_error(500)


def isolate(value) -> Markup:
    """Text someone typed, isolated for direction (``<bdi>``): an Arabic name in an English heading, or a
    Latin one in an Arabic heading, neither turns the rest of the line around."""
    return Markup("<bdi>%s</bdi>") % ("" if value is None else value)


LINK = re.compile(r"https?://[^\s<>\"']+")


def message_text(value: str | None) -> Markup:
    """A message someone typed: escaped, its web addresses made clickable (opened without passing on who
    sent the reader), direction isolated per paragraph by the template (``dir="auto"``)."""
    text = "" if value is None else str(value)
    out, last = [], 0
    for found in LINK.finditer(text):
        url = found.group(0).rstrip(".,;:!?)")
        end = found.start() + len(url)
        out.append(escape(text[last:found.start()]))
        out.append(Markup('<a href="%s" rel="noopener noreferrer nofollow" target="_blank">%s</a>') % (url, url))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def icon(name: str, label: str | None = None, classes: str = "") -> Markup:
    """An icon from the package's sprite (static/icons/icons.svg); decorative unless given a label."""
    from flask import url_for

    href = url_for("static", filename="icons/icons.svg") + "#" + name
    if label:
        return Markup('<svg class="icon %s" role="img" aria-label="%s" focusable="false"><use href="%s"></use></svg>'
                      ) % (classes, label, href)
    return Markup('<svg class="icon %s" aria-hidden="true" focusable="false"><use href="%s"></use></svg>'
                  ) % (classes, href)


def cefr_level(level) -> Markup:
    """A CEFR level with its plain name, and the full meaning as a tooltip: "B1 · independent"."""
    from . import cefr_text

    code = getattr(level, "value", level) or ""
    name = cefr_text.short(code)
    if not name:
        return Markup("—")
    return Markup('<span class="cefr" title="%s">%s <span class="text-body-secondary">· %s</span></span>') % (
        cefr_text.meaning(code), code, name)


def register_template_context(app: Flask) -> None:
    from flask_babel import get_locale

    from .blueprints.choices import language_name, skill_label
    from .navigation import navigation_for

    @app.context_processor
    def inject_layout():
        locale = str(get_locale() or "en")
        return {
            "current_locale": locale,
            "text_direction": text_direction(locale),
            "languages": LANGUAGES,
            "navigation": navigation_for,
            "app_version": __version__,
            "labels": TranslatedLabels(labels),
            "today": date.today(),
        }

    @app.context_processor
    def inject_unread():
        from flask_login import current_user

        from .services.notifications import unread_count

        if request.endpoint == "static" or not current_user.is_authenticated:
            return {"unread_notifications": 0}
        return {"unread_notifications": unread_count(current_user)}

    @app.template_filter("notification_text")
    def notification_text(note) -> str:
        from .services.notifications import text

        return text(note.kind, note.payload, html=True)

    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(skill_label, "skill_label")
    app.jinja_env.globals["icon"] = icon  # a global, so imported macros see it too
    app.add_template_filter(isolate, "bdi")
    app.add_template_filter(cefr_level, "cefr")
    app.add_template_filter(message_text, "message_text")
    app.add_template_filter(lambda value: labels.VOICE.get(value, value), "voice_name")
    app.add_template_filter(lambda value: labels.BARRIER.get(value, value), "barrier_name")
    from .services.meetings import when

    app.add_template_filter(when, "meeting_time")

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("ENV_NAME") != "development":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint == "static":
            # a fingerprinted URL (?v=<hash of the file>) never changes its content: cache it for a year;
            # without one, browsers revalidate (ETag / Last-Modified from send_file)
            if request.args.get("v") == static_fingerprint(app, request.view_args.get("filename", "")):
                headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
        from flask_login import current_user

        # Anything a logged-in person is shown may hold personal data: keep it out of every cache.
        if current_user.is_authenticated or request.endpoint in PRIVATE_LINK_PAGES:
            headers["Cache-Control"] = "no-store"
        elif (request.method == "GET" and response.status_code == 200 and response.mimetype == "text/html"
              and not response.direct_passthrough and not response.is_streamed):
            # a public page: the browser may keep it and ask again with If-None-Match (a 304 sends no body);
            # "private" keeps it out of shared caches (the page holds this visitor's CSRF token and messages)
            headers["Cache-Control"] = "private, no-cache"
            response.set_etag(_page_etag(app, response.get_data()))
            response.make_conditional(request)
        return response

    @app.url_defaults
    def fingerprint_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_fingerprint(app, values["filename"])
            if version:
                values["v"] = version


_FINGERPRINTS: dict[tuple[str, str], str] = {}


def static_fingerprint(app: Flask, filename: str) -> str:
    """The first 12 hex digits of the file's SHA-256 (once per process and file; "" for no such file)."""
    key = (app.static_folder or "", filename)
    if key not in _FINGERPRINTS:
        import hashlib

        from werkzeug.security import safe_join

        path = safe_join(app.static_folder or "", filename)
        try:
            with open(path or "", "rb") as fh:
                _FINGERPRINTS[key] = hashlib.sha256(fh.read()).hexdigest()[:12]
        except OSError:
            _FINGERPRINTS[key] = ""
    return _FINGERPRINTS[key]


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)


def _page_etag(app: Flask, body: bytes) -> str:
    """A public page's ETag: its content without this request's CSRF token, which is signed with the time
    and so differs from one second to the next although the page does not (the token the browser keeps
    with its copy stays valid for WTF_CSRF_TIME_LIMIT)."""
    from flask import g

    token = g.get(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if isinstance(token, str) and token:
        body = body.replace(token.encode(), b"")
    return hashlib.sha1(body, usedforsecurity=False).hexdigest()
