"""What the CEFR levels mean, in plain words for participants and employers (translatable)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

LEVEL_MEANING = {
    "A1": _l("A1: you understand and use simple words and phrases, for example greetings and numbers."),
    "A2": _l("A2: you can handle short, simple conversations about familiar tasks at work."),
    "B1": _l("B1: you can handle everyday work conversations and simple written instructions."),
    "B2": _l("B2: you can talk with colleagues and customers easily and read most work documents."),
    "C1": _l("C1: you use the language fluently at work, also in meetings and for written reports."),
    "C2": _l("C2: you understand almost everything and express yourself precisely, like a native speaker."),
}

NO_LEVEL_NEEDED = _l("No particular level of the local language is needed.")


def meaning(level: str | None):
    return LEVEL_MEANING.get(level or "", NO_LEVEL_NEEDED)
