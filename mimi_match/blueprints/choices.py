"""Select options and display helpers that depend on the database, configuration or language."""
from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import get_locale

from ..forms.choices import options
from ..services.fields import active_fields


def field_options(empty: str | None = None, empty_value=0):
    locale = str(get_locale())
    pairs = [(f.id, f.name(locale)) for f in active_fields()]
    return options(([(empty_value, empty)] if empty else []) + pairs)


def region_options(empty: str | None = None):
    pairs = [(r, r) for r in current_app.config["REGIONS"]]
    return options(([("", empty)] if empty else []) + pairs)


# codes Babel does not name, and the locale whose name fits
_LANGUAGE_ALIASES = {"prs": "fa_AF"}


def language_name(code: str) -> str:
    """A language code's name in the interface language ("nb" -> "Norwegian Bokmål")."""
    code = _LANGUAGE_ALIASES.get(code, code)
    try:
        return get_locale().languages.get(code) or Locale.parse(code).get_display_name(get_locale()) or code
    except (ValueError, LookupError, UnknownLocaleError):
        return code


def language_options():
    return options(sorted(((c, language_name(c)) for c in current_app.config["USEFUL_LANGUAGES"]),
                          key=lambda pair: pair[1]))


def skill_label(skill) -> str:
    """A skill in the reader's language: the concept's label when it is one, else the words typed."""
    from ..services import skill_names

    return skill_names.of(skill, str(get_locale()))
