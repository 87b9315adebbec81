"""Interface languages: locale selection, text direction, and compiling the message catalogs."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_translations
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
    """The request's translations, looked up once per request (Flask-Babel's lookup costs ~20 µs)."""
    translations = g.get("_translations")
    if translations is None:
        translations = g._translations = get_translations()
    return translations


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
        if name not in cache:
            cache[name] = {key: str(value) for key, value in getattr(self._module, name).items()}
        return cache[name]
