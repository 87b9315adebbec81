"""The navigation shown to each role, and the page each role lands on after login.

Each role has a few primary items (always in the menu bar from 992 px, the width of a small laptop) and
secondary ones in a "More" menu, so the bar fits in every one of the six languages. The notifications and
the account menu sit outside the collapsing part, reachable on a phone without opening the menu.
"""
from __future__ import annotations

from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from .models import Role

HOME_ENDPOINT = {
    Role.PARTICIPANT: "participant.home",
    Role.COACH: "coach.caseload",
    Role.HR: "hr.dashboard",
    Role.ADMIN: "admin.overview",
}


class Item(NamedTuple):
    endpoint: str
    label: str
    icon: str


class Menu(NamedTuple):
    primary: list[Item]
    more: list[Item]

    def __iter__(self):  # the flat list, for callers that only want every item
        return iter(self.primary + self.more)

    def is_in_more(self, endpoint: str | None) -> bool:
        return any(item.endpoint == endpoint for item in self.more)


OPPORTUNITIES = Item("opportunities.browse", _l("Opportunities"), "search")
MESSAGES = Item("conversations.inbox", _l("Messages"), "chat-dots")
FIELDS = Item("coach.fields", _l("Fields"), "bar-chart")
OUTCOMES = Item("outcomes.index", _l("Outcomes"), "award")
PLACEMENTS = Item("placements.index", _l("Placements"), "briefcase")
_MENUS = {
    None: Menu([Item("main.index", _l("Home"), "house"), OPPORTUNITIES], []),
    Role.PARTICIPANT: Menu(
        [Item("participant.home", _l("My page"), "house"),
         Item("participant.suggestions", _l("My suggestions"), "stars"),
         OPPORTUNITIES,
         Item("participant.applications", _l("My applications"), "clipboard-check"),
         MESSAGES],
        [Item("opportunities.saved", _l("Saved for later"), "bookmark"),
         Item("participant.plan", _l("My action plan"), "list-check")]),
    Role.COACH: Menu(
        [Item("coach.caseload", _l("My caseload"), "people"),
         Item("coach.review", _l("Review suggestions"), "check-circle"),
         MESSAGES, PLACEMENTS],
        [Item("coach.unassigned", _l("Without a coach"), "person-plus"), FIELDS, OUTCOMES, OPPORTUNITIES]),
    Role.HR: Menu(
        [Item("hr.dashboard", _l("My positions"), "briefcase"),
         Item("hr.talent", _l("Find talent"), "search"),
         MESSAGES, PLACEMENTS],
        [Item("hr.new_position", _l("New position"), "pencil"),
         Item("guides.index", _l("Onboarding guides"), "flag"),
         Item("hr.organisation", _l("Our organisation"), "person-badge"),
         Item("integrations.keys", _l("API keys"), "shield-check")]),
    Role.ADMIN: Menu(
        [Item("admin.overview", _l("Overview"), "house"),
         Item("admin.users_list", _l("Users"), "people"),
         Item("admin.matching_status", _l("Matching"), "stars"),
         Item("admin.audit_log", _l("Audit log"), "list-check")],
        [Item("admin.assignments", _l("Coach assignments"), "person-plus"), FIELDS, OUTCOMES, OPPORTUNITIES,
         Item("integrations.keys", _l("API keys"), "shield-check")]),
}


def navigation_for(user) -> Menu:
    """The main menu of ``user`` (anonymous users get the public menu)."""
    role = user.role if user is not None and user.is_authenticated else None
    return _MENUS[role]


def home_endpoint(user) -> str:
    return HOME_ENDPOINT[user.role]
