"""Translated names of the domain's enumerations, for forms and templates (one place for each word)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND = {"vacancy": _l("Vacancy"), "micro_internship": _l("Micro-internship")}
CONTRACT = {
    "permanent": _l("Permanent"),
    "temporary": _l("Temporary"),
    "apprenticeship": _l("Apprenticeship"),
    "seasonal": _l("Seasonal"),
    "internship": _l("Internship"),
}
PURPOSE = {
    "discover_trade": _l("Discover a trade"),
    "confirm_plan": _l("Confirm a career plan"),
    "start_recruitment": _l("Start a recruitment"),
}
POSITION_STATUS = {"draft": _l("Draft"), "open": _l("Open"), "filled": _l("Filled"), "closed": _l("Closed")}
POSITION_STATUS_PLURAL = {"draft": _l("Drafts"), "open": _l("Open"), "filled": _l("Filled"), "closed": _l("Closed")}
MATCH_STATUS_FOR_PARTICIPANT = {
    "suggested": _l("Suggested"),
    "approved": _l("Suggested for you"),
    "rejected": _l("Not suggested"),
    "interested": _l("You are interested"),
    "declined": _l("Not for you"),
    "withdrawn": _l("You withdrew"),
    "invited": _l("Invited to a meeting"),
    "offered": _l("Offer received"),
    "hr_declined": _l("The employer said no"),
    "placed": _l("Placed"),
    "completed": _l("Completed"),
}


def value(enum_or_str) -> str:
    return getattr(enum_or_str, "value", enum_or_str) or ""
