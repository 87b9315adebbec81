"""Onboarding guides: a checklist for HR and the team, assembled by rules from our content library.

The library is data, not code: ``mimi_match/data/onboarding/rules.yaml`` says which item applies when
and when it is due; one file per language holds the texts. A guide belongs to a position (prepare before
anyone is chosen) or to a placement (a person is coming: their host-language level and their coach are
known, as far as their consent allows). Its items follow the rules every time it is opened: new rules
add items, items that no longer apply and were not ticked go, ticks stay.
"""
from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..cefr_text import colleague_meaning
from ..config import LANGUAGES, RTL_LANGUAGES
from ..extensions import db
from ..models import (
    GuideItem,
    Match,
    OnboardingGuide,
    ParticipantProfile,
    Placement,
    PlacementStatus,
    Position,
    PositionKind,
    Role,
    User,
)
from ..models.base import utcnow
from ..models.guide import GuideHelper
from .errors import NotFound, PermissionDenied, ValidationFailed

CONTENT_DIR = Path(__file__).resolve().parent.parent / "data" / "onboarding"
DUE_ORDER = ("before", "day_one", "week_one", "mid", "week_four", "end")
BANDS = {None: "basic", "A1": "basic", "A2": "basic", "B1": "independent", "B2": "independent",
         "C1": "proficient", "C2": "proficient"}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# the guide's points are grouped by phase; each phase holds one or more due points of the content library
PHASES = ("before", "first_day", "first_weeks", "end")
PHASE_OF = {"before": "before", "day_one": "first_day", "week_one": "first_weeks", "mid": "first_weeks",
            "week_four": "first_weeks", "end": "end"}
PHASE_TITLES = {"before": _l("Before the start"), "first_day": _l("The first day"),
                "first_weeks": _l("The first weeks"), "end": _l("At the end of the placement")}
LANGUAGE_ITEMS = frozenset({"language_basic", "language_independent", "language_proficient"})
MAX_HELPERS = 30
PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")


# --- the content library ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def rules() -> dict:
    with open(CONTENT_DIR / "rules.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@lru_cache(maxsize=len(LANGUAGES))
def texts(language: str) -> dict:
    """The texts of one language (English where a language file is missing: a test forbids that)."""
    path = CONTENT_DIR / f"{language}.yaml"
    if language not in LANGUAGES or not path.exists():
        path = CONTENT_DIR / "en.yaml"
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def render(text: str, values: dict[str, str]) -> Markup:
    """Our small text format as safe HTML: paragraphs, "- " lists, **bold**; {placeholders} filled in.

    Every piece of text is escaped; the only markup is the fixed tags written here."""
    filled = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    html = []
    for block in re.split(r"\n\s*\n", filled.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        items = [line[2:] for line in lines if line.startswith("- ")]
        if items and len(items) == len(lines):
            html.append(Markup("<ul>{}</ul>").format(
                Markup("").join(Markup("<li>{}</li>").format(_inline(i)) for i in items)))
        else:
            html.append(Markup("<p>{}</p>").format(_inline(" ".join(lines))))
    return Markup("").join(html)


def _inline(text: str) -> Markup:
    """Escaped text with **bold** parts."""
    parts = re.split(r"\*\*(.+?)\*\*", text)
    return Markup("").join(Markup("<strong>{}</strong>").format(part) if n % 2 else escape(part)
                           for n, part in enumerate(parts))


# --- assembly ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What the rules may look at; nothing sensitive, and the person only as far as consent allows."""

    kind: str
    scope: str  # "position" or "placement"
    level: str | None  # the host-language level (A1 ... C2) or None
    weeks: int | None  # length of a micro-internship

    @property
    def band(self) -> str:
        return BANDS.get(self.level, "basic")


def applies(when: dict | None, facts: Facts) -> bool:
    when = when or {}
    if "kind" in when and when["kind"] != facts.kind:
        return False
    if "for" in when and when["for"] != facts.scope:
        return False
    if "level" in when and facts.band not in when["level"]:
        return False
    if "min_weeks" in when and facts.kind == PositionKind.MICRO_INTERNSHIP.value \
            and (facts.weeks or 0) < when["min_weeks"]:
        return False
    return True


def due_offset(due: str, facts: Facts) -> int:
    """Days from the start date to when an item is due."""
    weeks = facts.weeks or 4
    if due == "mid":
        return max(1, weeks * 7 // 2)
    if due == "end":
        return max(1, weeks * 7 - 3)  # the last working day of the last week
    return int(rules()["due_points"][due])


def assemble(facts: Facts) -> list[tuple[str, str, int]]:
    """(content key, due point, days from the start) for every item that applies, in reading order."""
    chosen = [(item["key"], item["due"], due_offset(item["due"], facts))
              for item in rules()["items"] if applies(item.get("when"), facts)]
    order = {key: n for n, key in enumerate(DUE_ORDER)}
    return sorted(chosen, key=lambda c: (order[c[1]], c[2]))  # stable: the rules' own order within a point


def due_point(key: str) -> str:
    return next(item["due"] for item in rules()["items"] if item["key"] == key)


# --- guides and who may see them ------------------------------------------------------------------

def _host_level(profile: ParticipantProfile, host: str) -> str | None:
    return next((lang.level.value for lang in profile.languages if lang.language == host), None)


def own_level(guide: OnboardingGuide, host: str) -> str | None:
    """The new colleague's own level in the host language, when they share their profile (else None)."""
    if guide.placement is None:
        return None
    profile = guide.placement.match.profile
    return _host_level(profile, host) if profile.consent_share_on_interest else None


def facts_for(guide: OnboardingGuide, host: str) -> Facts:
    position = guide_position(guide)
    level = position.host_language_level.value if position.host_language_level else None
    weeks = position.duration_weeks
    if guide.placement is not None:
        placement = guide.placement
        profile = placement.match.profile
        if profile.consent_share_on_interest:
            level = _host_level(profile, host) or level
        if placement.end_date:
            weeks = max(1, -(-(placement.end_date - placement.start_date).days // 7))
    return Facts(position.kind.value, "placement" if guide.placement_id else "position", level, weeks)


def guide_position(guide: OnboardingGuide) -> Position:
    return guide.placement.match.position if guide.placement is not None else guide.position


def _load(guide_id: int) -> OnboardingGuide | None:
    return db.session.scalar(select(OnboardingGuide).where(OnboardingGuide.id == guide_id).options(
        selectinload(OnboardingGuide.items), selectinload(OnboardingGuide.position),
        selectinload(OnboardingGuide.helpers),
        selectinload(OnboardingGuide.placement).selectinload(Placement.match).selectinload(Match.position),
        selectinload(OnboardingGuide.placement).selectinload(Placement.match).selectinload(Match.profile)
        .selectinload(ParticipantProfile.languages)))


def may_edit(actor: User, guide: OnboardingGuide) -> bool:
    return actor.role == Role.HR and actor.organisation_id == guide_position(guide).organisation_id


def may_read(actor: User, guide: OnboardingGuide) -> bool:
    """HR of the organisation; for a placement also the participant's coach (read-only)."""
    if may_edit(actor, guide):
        return True
    if actor.role == Role.COACH and guide.placement is not None:
        placement = guide.placement
        return actor.id == placement.match.profile.coach_id  # the participant's current coach
    return False


def get(actor: User, guide_id: int, host: str) -> OnboardingGuide:
    guide = _load(guide_id)
    if guide is None or not may_read(actor, guide):
        raise NotFound(_("No such guide."))
    if may_edit(actor, guide):
        _sync(guide, host)
    return guide


def for_position(actor: User, position_id: int, host: str) -> OnboardingGuide:
    """The guide of one of my organisation's positions (made on first request)."""
    position = db.session.get(Position, position_id)
    if actor.role != Role.HR or position is None or position.organisation_id != actor.organisation_id:
        raise NotFound(_("No such position."))
    guide = db.session.scalar(select(OnboardingGuide).where(OnboardingGuide.position_id == position_id,
                                                            OnboardingGuide.placement_id.is_(None)))
    if guide is None:
        guide = OnboardingGuide(position_id=position_id, start_date=position.start_date)
        db.session.add(guide)
        db.session.flush()
        _sync(guide, host)
    return guide


def for_placement(actor: User, placement_id: int, host: str) -> OnboardingGuide:
    """The guide of a placement (made when first asked for, or when the offer is accepted)."""
    placement = db.session.get(Placement, placement_id)
    if placement is None:
        raise NotFound(_("No such placement."))
    guide = db.session.scalar(select(OnboardingGuide).where(OnboardingGuide.placement_id == placement_id))
    if guide is None:
        if not (actor.role == Role.HR and actor.organisation_id == placement.match.position.organisation_id):
            raise NotFound(_("No such guide."))
        guide = create_for_placement(placement, host)
    elif not may_read(actor, guide):
        raise NotFound(_("No such guide."))
    return guide


def create_for_placement(placement: Placement, host: str, commit: bool = True) -> OnboardingGuide:
    """A placement's guide; with ``commit=False`` it is saved with the caller's change (an accepted offer)."""
    guide = OnboardingGuide(placement_id=placement.id, position_id=placement.match.position_id,
                            start_date=placement.start_date, placement=placement)
    db.session.add(guide)
    db.session.flush()
    _sync(guide, host, commit)
    return guide


def _sync(guide: OnboardingGuide, host: str, commit: bool = True) -> None:
    """Make the items follow the rules; ticks stay; committed."""
    facts = facts_for(guide, host)
    wanted = assemble(facts)
    have = {item.content_key: item for item in guide.items}
    keys = {key for key, _due, _offset in wanted}
    changed = False
    for n, (key, _due, offset) in enumerate(wanted):
        item = have.get(key)
        if item is None:
            guide.items.append(GuideItem(content_key=key, due_offset_days=offset, sort_order=n))
            changed = True
        elif (item.sort_order, item.due_offset_days) != (n, offset):
            item.sort_order, item.due_offset_days = n, offset
            changed = True
    for key, item in have.items():
        if key not in keys and item.done_at is None:
            guide.items.remove(item)
            changed = True
    if guide.placement is not None and guide.start_date != guide.placement.start_date:
        guide.start_date = guide.placement.start_date
        changed = True
    if changed and commit:
        db.session.commit()


def tick(actor: User, guide_id: int, item_id: int, done: bool) -> GuideItem:
    guide = _load(guide_id)
    if guide is None or not may_read(actor, guide):
        raise NotFound(_("No such guide."))
    if not may_edit(actor, guide):
        raise PermissionDenied()
    item = next((i for i in guide.items if i.id == item_id), None)
    if item is None:
        raise NotFound(_("No such item."))
    return _set_done(item, done, user_id=actor.id)


# --- reading a guide ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShownItem:
    id: int
    key: str
    title: str
    body: Markup
    due_date: date | None
    done: bool
    overdue: bool
    due_label: str = ""  # the content library's due point ("At the end of the first week")
    helper_id: int | None = None
    helper: str = ""  # the name of the buddy or team member it is given to
    done_by_helper: str = ""  # who ticked it, when it was the helper


@dataclass(frozen=True)
class ShownPhase:
    key: str
    title: str
    items: list[ShownItem]

    @property
    def done(self) -> int:
        return sum(i.done for i in self.items)

    @property
    def total(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class ShownGuide:
    title: str
    intro: Markup
    no_date: str
    sections: list[ShownPhase]
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def items(self) -> list[ShownItem]:
        return [i for phase in self.sections for i in phase.items]


def _host_default() -> str:
    return current_app.config["HOST_LANGUAGE"]


def language_name(code: str, language: str) -> str:
    """A language's name in another language ("nb" in English: "Norwegian Bokmål"), from the locale data."""
    try:
        return Locale.parse(language).languages.get(code) or code
    except (ValueError, LookupError):
        return code


def values_for(guide: OnboardingGuide, language: str, host: str | None = None) -> dict[str, str]:
    """What the placeholders say; the person's name only if they share their profile.

    ``{level}`` is the level the advice is for: the new colleague's own when they share it, else the
    position's (the same level that chose which advice the guide holds)."""
    meta = texts(language)["meta"]
    position = guide_position(guide)
    facts = facts_for(guide, host or _host_default())
    values = {"position": position.title, "colleague": meta["colleague"], "level": facts.level or meta["level_none"],
              "coach": "", "coach_email": "", "contact": position.contact_person or ""}
    if guide.placement is not None:
        placement = guide.placement
        profile = placement.match.profile
        values["contact"] = placement.company_contact or values["contact"]
        coach_id = profile.coach_id
        coach = db.session.get(User, coach_id) if coach_id else None
        if coach is not None:
            values["coach"], values["coach_email"] = coach.display_name, coach.email
        if profile.consent_share_on_interest:
            values["colleague"] = profile.user.display_name
    return {k: v or "—" for k, v in values.items()}


def level_note(guide: OnboardingGuide, language: str, host: str | None = None) -> Markup:
    """The levels behind the language advice, in the guide's language: the new colleague's own level with
    what it means, and beside it the level the position asks for."""
    host = host or _host_default()
    own = own_level(guide, host)
    position = guide_position(guide)
    required = position.host_language_level.value if position.host_language_level else None
    with force_locale(language):
        name = language_name(host, language)
        lines = []
        if own:
            lines.append(_("Your new colleague's %(language)s: %(level)s — %(meaning)s", language=name, level=own,
                           meaning=str(colleague_meaning(own))))
        elif guide.placement is not None:
            lines.append(_("Your new colleague's level in %(language)s is not known to you: the advice below "
                           "follows the level the position asks for.", language=name))
        if required:
            lines.append(_("The position asks for %(level)s — %(meaning)s", level=required,
                           meaning=str(colleague_meaning(required))))
        else:
            lines.append(_("The position asks for no particular level of %(language)s.", language=name))
    return Markup("").join(Markup('<p class="guide-level">{}</p>').format(line) for line in lines)


def _due_date(guide: OnboardingGuide, item: GuideItem) -> date | None:
    if item.due_on is not None:
        return item.due_on
    return guide.start_date + timedelta(days=item.due_offset_days) if guide.start_date else None


def show(guide: OnboardingGuide, language: str, today: date | None = None,
         helper: GuideHelper | None = None) -> ShownGuide:
    """The guide in ``language``, grouped by phase; with ``helper`` only the points given to them."""
    today = today or date.today()
    content = texts(language)
    meta, items = content["meta"], content["items"]
    values = values_for(guide, language)
    helpers = {h.id: h for h in guide.helpers}
    phases: dict[str, list[ShownItem]] = {}
    for item in sorted(guide.items, key=lambda i: i.sort_order):
        if helper is not None and item.helper_id != helper.id:
            continue
        text = items.get(item.content_key) or texts("en")["items"].get(item.content_key)
        if text is None:  # an item whose content was removed from the library
            continue
        due = _due_date(guide, item)
        point = due_point(item.content_key)
        body = render(text["body"], values)
        if item.content_key in LANGUAGE_ITEMS:
            body = level_note(guide, language) + body
        given = helpers.get(item.helper_id) if item.helper_id else None
        ticked_by = helpers.get(item.done_by_helper_id) if item.done_by_helper_id else None
        phases.setdefault(PHASE_OF[point], []).append(ShownItem(
            item.id, item.content_key, PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text["title"]),
            body, due, item.done_at is not None, bool(due and due < today and item.done_at is None),
            meta["due"][point], item.helper_id, given.name if given else "",
            ticked_by.name if ticked_by and item.done_at else ""))
    with force_locale(language):
        ordered = [ShownPhase(key, str(PHASE_TITLES[key]), phases[key]) for key in PHASES if key in phases]
    shown = [i for phase in ordered for i in phase.items]
    return ShownGuide(PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), meta["title"]),
                      render(meta["intro"], values), meta["no_date"], ordered,
                      sum(i.done for i in shown), len(shown))


# --- points given to a buddy or team member ---------------------------------------------------------

def _editable(actor: User, guide_id: int) -> OnboardingGuide:
    guide = _load(guide_id)
    if guide is None or not may_read(actor, guide):
        raise NotFound(_("No such guide."))
    if not may_edit(actor, guide):
        raise PermissionDenied()
    return guide


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="mimi-guide-helper")


def helper_token(helper: GuideHelper) -> str:
    """The signed part of a helper's link: which helper, and their current key (a new key ends old links)."""
    return _serializer().dumps({"h": helper.id, "k": helper.link_key})


def helper_for(token: str) -> GuideHelper | None:
    """The helper a link is for, while it is their current link and the placement has not been abandoned."""
    if not token or len(token) > 300:
        return None
    try:
        data = _serializer().loads(token)
    except (BadSignature, UnicodeError, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("h"), int) or not isinstance(data.get("k"), str):
        return None
    helper = db.session.get(GuideHelper, data["h"]) if 0 < data["h"] < 2**31 else None
    if helper is None or not hmac.compare_digest(helper.link_key.encode(), data["k"].encode()):
        return None
    guide = _load(helper.guide_id)
    if guide is None or (guide.placement is not None and guide.placement.status == PlacementStatus.ABANDONED):
        return None
    return helper


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def add_helper(actor: User, guide_id: int, name: str, email: str = "", language: str = "en",
               is_buddy: bool = False) -> GuideHelper:
    """Someone of the team who takes on points of the guide; they get their own link."""
    guide = _editable(actor, guide_id)
    name, email = _clean(name, 200), (email or "").strip().lower()
    if not name:
        raise ValidationFailed(_("Give the person's name."))
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        raise ValidationFailed(_("The e-mail address does not look right."))
    if len(guide.helpers) >= MAX_HELPERS:
        raise ValidationFailed(_("This guide already has %(num)d people helping.", num=MAX_HELPERS))
    if any(h.name.casefold() == name.casefold() for h in guide.helpers):
        raise ValidationFailed(_("%(name)s already helps with this guide.", name=name))
    if is_buddy:
        for other in guide.helpers:
            other.is_buddy = False
    helper = GuideHelper(guide_id=guide.id, name=name, email=email, is_buddy=is_buddy,
                         language=language if language in LANGUAGES else "en", link_key=secrets.token_urlsafe(24))
    guide.helpers.append(helper)
    db.session.commit()
    return helper


def _helper_of(guide: OnboardingGuide, helper_id: int) -> GuideHelper:
    helper = next((h for h in guide.helpers if h.id == helper_id), None)
    if helper is None:
        raise NotFound(_("No such person on this guide."))
    return helper


def change_helper(actor: User, guide_id: int, helper_id: int, action: str) -> GuideHelper:
    """``remove`` (their points go back to HR), ``renew`` (a new link; the old one stops working), ``buddy``
    (they become the buddy named on the welcome page)."""
    guide = _editable(actor, guide_id)
    helper = _helper_of(guide, helper_id)
    if action == "remove":
        for item in guide.items:
            if item.helper_id == helper.id:
                item.helper_id, item.due_on = None, None
            if item.done_by_helper_id == helper.id:
                item.done_by_helper_id = None
        guide.helpers.remove(helper)
    elif action == "renew":
        helper.link_key = secrets.token_urlsafe(24)
    elif action == "buddy":
        for other in guide.helpers:
            other.is_buddy = other.id == helper.id
    else:
        raise ValidationFailed(_("Choose what to do."))
    db.session.commit()
    return helper


def assign(actor: User, guide_id: int, item_id: int, helper_id: int | None, due_on: date | None,
           today: date | None = None) -> GuideItem:
    """Give a point to a helper, due on a date (the point's own date when none is given); or take it back."""
    today = today or date.today()
    guide = _editable(actor, guide_id)
    item = next((i for i in guide.items if i.id == item_id), None)
    if item is None:
        raise NotFound(_("No such item."))
    if helper_id is None:
        item.helper_id, item.due_on = None, None
        db.session.commit()
        return item
    helper = _helper_of(guide, helper_id)
    due_on = due_on or _due_date(guide, item)
    if due_on is None:
        raise ValidationFailed(_("Give the date by which it should be done."))
    if not (today - timedelta(days=366) <= due_on <= today + timedelta(days=2 * 366)):
        raise ValidationFailed(_("Give a date within the next two years."))
    item.helper_id, item.due_on = helper.id, due_on
    db.session.commit()
    return item


def helper_tick(helper: GuideHelper, item_id: int, done: bool) -> GuideItem:
    """The helper ticks one of their own points; any other point does not exist for them."""
    item = db.session.get(GuideItem, item_id) if 0 < item_id < 2**31 else None
    if item is None or item.guide_id != helper.guide_id or item.helper_id != helper.id:
        raise NotFound(_("No such item."))
    return _set_done(item, done, helper_id=helper.id)


def _set_done(item: GuideItem, done: bool, user_id: int | None = None, helper_id: int | None = None) -> GuideItem:
    """Tick a point (by HR, ``user_id``, or by a helper, ``helper_id``) or clear it; a tick stays as it was."""
    if done and item.done_at is None:
        item.done_at, item.done_by_id, item.done_by_helper_id = utcnow(), user_id, helper_id
    elif not done:
        item.done_at, item.done_by_id, item.done_by_helper_id = None, None, None
    db.session.commit()
    return item


@dataclass(frozen=True)
class HelperRow:
    """A helper with their points, for HR's list of who does what."""

    helper: GuideHelper
    items: list[ShownItem]

    @property
    def open(self) -> int:
        return sum(not i.done for i in self.items)

    @property
    def overdue(self) -> int:
        return sum(i.overdue for i in self.items)


def helper_rows(guide: OnboardingGuide, shown: ShownGuide) -> list[HelperRow]:
    by_helper: dict[int, list[ShownItem]] = {}
    for item in shown.items:
        if item.helper_id:
            by_helper.setdefault(item.helper_id, []).append(item)
    return [HelperRow(h, sorted(by_helper.get(h.id, []), key=lambda i: i.due_date or date.max))
            for h in guide.helpers]


# --- the welcome page for the new colleague ---------------------------------------------------------

@dataclass(frozen=True)
class Welcome:
    """What the new colleague reads before the first day, in their own language."""

    language: str
    organisation: str
    position: str
    kind: str
    start_date: date | None
    start_time: time | None
    place: str
    contact_name: str
    contact_phone: str
    buddy: str
    what_to_bring: list[str] = field(default_factory=list)
    coach_name: str = ""
    coach_email: str = ""
    shared: bool = False

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RTL_LANGUAGES else "ltr"


def welcome_language(guide: OnboardingGuide) -> str:
    """The new colleague's own language: the one they chose for MiMi Match."""
    locale = guide.placement.match.profile.user.locale if guide.placement is not None else None
    return locale if locale in LANGUAGES else current_app.config["BABEL_DEFAULT_LOCALE"]


def may_see_welcome(actor: User, guide: OnboardingGuide) -> bool:
    """The new colleague once HR shares it; HR of the organisation (to fill in and preview) and the coach."""
    if guide.placement is None or guide.placement.status == PlacementStatus.ABANDONED:
        return False
    if actor.role == Role.PARTICIPANT:
        return guide.placement.match.profile.user_id == actor.id and guide.welcome_shared_at is not None
    return may_read(actor, guide)


def welcome_guide(actor: User, guide_id: int) -> OnboardingGuide:
    guide = _load(guide_id)
    if guide is None or not may_see_welcome(actor, guide):
        raise NotFound(_("No such page."))
    return guide


def shared_welcome_for(actor: User, placement: Placement) -> OnboardingGuide | None:
    """The welcome page of a placement the new colleague may open (for a link on their placement page)."""
    if actor.role != Role.PARTICIPANT:
        return None
    guide = db.session.scalar(select(OnboardingGuide).where(OnboardingGuide.placement_id == placement.id,
                                                            OnboardingGuide.welcome_shared_at.is_not(None)))
    return guide if guide is not None and may_see_welcome(actor, guide) else None


def welcome(guide: OnboardingGuide) -> Welcome:
    placement = guide.placement
    position = guide_position(guide)
    coach = db.session.get(User, placement.match.profile.coach_id) if placement.match.profile.coach_id else None
    buddy = next((h.name for h in guide.helpers if h.is_buddy), "")
    return Welcome(
        welcome_language(guide), position.organisation.name, position.title, position.kind.value, guide.start_date,
        guide.first_day_time, guide.first_day_place, guide.contact_name or placement.company_contact or "",
        guide.contact_phone, buddy, [line.strip(" -•\t") for line in guide.what_to_bring.splitlines()
                                     if line.strip(" -•\t")],
        coach.display_name if coach else "", coach.email if coach else "", guide.welcome_shared_at is not None)


def save_welcome(actor: User, guide_id: int, *, start_time: time | None, place: str, contact_name: str,
                 contact_phone: str, what_to_bring: str, share: bool) -> OnboardingGuide:
    """HR fills in the facts of the first day; ``share`` lets the new colleague see the page."""
    guide = _editable(actor, guide_id)
    if guide.placement is None:
        raise NotFound(_("No such page."))
    contact_phone = _clean(contact_phone, 40)
    if contact_phone and not PHONE.fullmatch(contact_phone):
        raise ValidationFailed(_("The phone number may hold only digits, spaces and + ( ) - . /"))
    lines = [_clean(line, 200) for line in (what_to_bring or "").splitlines()]
    guide.first_day_time = start_time
    guide.first_day_place = (place or "").strip()[:300]
    guide.contact_name = _clean(contact_name, 200)
    guide.contact_phone = contact_phone
    guide.what_to_bring = "\n".join(line for line in lines if line)[:2000]
    if share and guide.welcome_shared_at is None:
        guide.welcome_shared_at = utcnow()
    elif not share:
        guide.welcome_shared_at = None
    db.session.commit()
    return guide


# --- the HR dashboard --------------------------------------------------------------------------------

@dataclass(frozen=True)
class GuideRow:
    guide: OnboardingGuide
    title: str
    person: str
    done: int
    total: int
    next_due: date | None
    overdue: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def overview(actor: User, today: date | None = None) -> list[GuideRow]:
    """My organisation's guides with progress and what is due, those with something due first."""
    if actor.role != Role.HR:
        raise PermissionDenied()
    today = today or date.today()
    guides = db.session.scalars(
        select(OnboardingGuide).join(Position, Position.id == OnboardingGuide.position_id)
        .where(Position.organisation_id == actor.organisation_id)
        .options(selectinload(OnboardingGuide.items), selectinload(OnboardingGuide.position),
                 selectinload(OnboardingGuide.placement).selectinload(Placement.match)
                 .selectinload(Match.profile).selectinload(ParticipantProfile.user))).all()
    rows = []
    for guide in guides:
        if guide.placement is not None and guide.placement.status == PlacementStatus.ABANDONED:
            continue
        open_items = [i for i in guide.items if i.done_at is None]
        dates = sorted(d for d in (_due_date(guide, i) for i in open_items) if d is not None)
        profile = guide.placement.match.profile if guide.placement is not None else None
        person = (profile.user.display_name if profile.consent_share_on_interest else _("a new colleague")) \
            if profile is not None else ""
        rows.append(GuideRow(guide, guide.position.title, person, len(guide.items) - len(open_items),
                             len(guide.items), dates[0] if dates else None, sum(d < today for d in dates)))
    rows.sort(key=lambda r: (r.done == r.total, r.next_due or date.max))
    return rows
