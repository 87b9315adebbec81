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

# the same meanings said about someone else: for the employer's onboarding guide ("your new colleague ... can")
COLLEAGUE_CAN = {
    "A1": _l("understands and uses simple words and phrases, for example greetings and numbers."),
    "A2": _l("can handle short, simple conversations about familiar tasks at work."),
    "B1": _l("can handle everyday work conversations and simple written instructions."),
    "B2": _l("can talk with colleagues and customers easily and read most work documents."),
    "C1": _l("uses the language fluently at work, also in meetings and for written reports."),
    "C2": _l("understands almost everything and expresses themselves precisely, like a native speaker."),
}


def colleague_meaning(level: str | None):
    """What a level means, said about a colleague (None: no particular level is needed)."""
    return COLLEAGUE_CAN.get(level or "", NO_LEVEL_NEEDED)

# one or two words for a level, shown beside the code wherever a level appears in a list ("B1 · independent")
SHORT = {
    "A1": _l("beginner"),
    "A2": _l("basic"),
    "B1": _l("independent"),
    "B2": _l("good"),
    "C1": _l("advanced"),
    "C2": _l("near-native"),
}


def short(level: str | None):
    """The level's plain name ("basic" for A2), or None for no level."""
    return SHORT.get(level or "")
