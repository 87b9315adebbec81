"""The navigation shown to each role, and the page each role lands on after login."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import Role

HOME_ENDPOINT = {
    Role.PARTICIPANT: "participant.home",
    Role.COACH: "coach.caseload",
    Role.HR: "hr.dashboard",
    Role.ADMIN: "admin.overview",
}

OPPORTUNITIES = ("opportunities.browse", _l("Opportunities"))
MESSAGES = ("conversations.inbox", _l("Messages"))
_MENUS = {
    None: [("main.index", _l("Home")), OPPORTUNITIES],
    Role.PARTICIPANT: [("participant.home", _l("My page")), ("participant.suggestions", _l("My suggestions")),
                       OPPORTUNITIES, ("participant.applications", _l("My applications")), MESSAGES,
                       ("opportunities.saved", _l("Saved for later")), ("participant.plan", _l("My action plan"))],
    Role.COACH: [("coach.caseload", _l("My caseload")), ("coach.review", _l("Review suggestions")), MESSAGES,
                 ("placements.index", _l("Placements")), ("coach.unassigned", _l("Without a coach")),
                 ("coach.fields", _l("Fields")), ("outcomes.index", _l("Outcomes")), OPPORTUNITIES],
    Role.HR: [("hr.dashboard", _l("My positions")), ("hr.new_position", _l("New position")),
              ("hr.talent", _l("Find talent")), MESSAGES, ("placements.index", _l("Placements")),
              ("guides.index", _l("Onboarding guides")),
              ("hr.organisation", _l("Our organisation"))],
    Role.ADMIN: [("admin.overview", _l("Overview")), ("admin.users_list", _l("Users")),
                 ("admin.assignments", _l("Coach assignments")),
                 ("admin.audit_log", _l("Audit log")), ("admin.matching_status", _l("Matching")),
                 ("coach.fields", _l("Fields")), ("outcomes.index", _l("Outcomes")), OPPORTUNITIES],
}


def navigation_for(user) -> list[tuple[str, str]]:
    """(endpoint, label) pairs for the main menu of ``user`` (anonymous users get the public menu)."""
    role = user.role if user is not None and user.is_authenticated else None
    return _MENUS[role]


def home_endpoint(user) -> str:
    return HOME_ENDPOINT[user.role]
