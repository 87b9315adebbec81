"""Interface languages: locale selection, text direction, and compiling the message catalogs."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user

from .catalogs import DOMAIN, TRANSLATIONS_DIR, compile_catalogs  # noqa: F401  (one place for both)
from .config import LANGUAGES, RTL_LANGUAGES


def select_locale() -> str:
    """The user's own setting, then the browser's Accept-Language, then English."""
    if not has_request_context():  # command line: English
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(list(LANGUAGES))
    if best:
        return best
    # "no" and "nn" browsers understand Bokmål better than English
    if request.accept_languages.best_match(["no", "nn"]):
        return "nb"
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def text_direction(locale: str) -> str:
    return "rtl" if locale in RTL_LANGUAGES else "ltr"


def _request_translations():
    """The request's translations, looked up once per request and locale (Flask-Babel's lookup costs ~20 µs);
    keyed by the locale so that a part rendered under ``force_locale`` (a welcome page in the new colleague's
    language) does not leave its language to the rest of the page."""
    locale = str(get_locale())
    cached = g.get("_translations")
    if cached is None or cached[0] != locale:
        cached = g._translations = (locale, get_translations())
    return cached[1]


def install_template_gettext(app) -> None:
    """Templates call gettext hundreds of times per page: give them the per-request cached catalog."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
    )


class TranslatedLabels:
    """``labels.KIND['vacancy']`` in templates: each table translated once per request, as plain text."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name: str) -> dict[str, str]:
        cache = g.setdefault("_labels", {})
        key = (str(get_locale()), name)
        if key not in cache:
            cache[key] = {k: str(value) for k, value in getattr(self._module, name).items()}
        return cache[key]
