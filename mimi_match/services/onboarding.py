"""Onboarding guides: a checklist for HR and the team, assembled by rules from our content library.

The library is data, not code: ``mimi_match/data/onboarding/rules.yaml`` says which item applies when
and when it is due; one file per language holds the texts. A guide belongs to a position (prepare before
anyone is chosen) or to a placement (a person is coming: their host-language level and their coach are
known, as far as their consent allows). Its items follow the rules every time it is opened: new rules
add items, items that no longer apply and were not ticked go, ticks stay.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..config import LANGUAGES
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
from .errors import NotFound, PermissionDenied

CONTENT_DIR = Path(__file__).resolve().parent.parent / "data" / "onboarding"
DUE_ORDER = ("before", "day_one", "week_one", "mid", "week_four", "end")
BANDS = {None: "basic", "A1": "basic", "A2": "basic", "B1": "independent", "B2": "independent",
         "C1": "proficient", "C2": "proficient"}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


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
    if done and item.done_at is None:
        item.done_at, item.done_by_id = utcnow(), actor.id
    elif not done:
        item.done_at, item.done_by_id = None, None
    db.session.commit()
    return item


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


@dataclass(frozen=True)
class ShownGuide:
    title: str
    intro: Markup
    no_date: str
    sections: list[tuple[str, list[ShownItem]]]
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def values_for(guide: OnboardingGuide, language: str) -> dict[str, str]:
    """What the placeholders say; the person's name only if they share their profile."""
    meta = texts(language)["meta"]
    position = guide_position(guide)
    values = {"position": position.title, "colleague": meta["colleague"], "level": meta["level_none"],
              "coach": "", "coach_email": "", "contact": position.contact_person or ""}
    if position.host_language_level:
        values["level"] = position.host_language_level.value
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


def show(guide: OnboardingGuide, language: str, today: date | None = None) -> ShownGuide:
    today = today or date.today()
    content = texts(language)
    meta, items = content["meta"], content["items"]
    values = values_for(guide, language)
    sections: dict[str, list[ShownItem]] = {}
    for item in sorted(guide.items, key=lambda i: i.sort_order):
        text = items.get(item.content_key) or texts("en")["items"].get(item.content_key)
        if text is None:  # an item whose content was removed from the library
            continue
        due = guide.start_date + timedelta(days=item.due_offset_days) if guide.start_date else None
        sections.setdefault(due_point(item.content_key), []).append(ShownItem(
            item.id, item.content_key, PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text["title"]),
            render(text["body"], values), due, item.done_at is not None,
            bool(due and due < today and item.done_at is None)))
    ordered = [(meta["due"][point], sections[point]) for point in DUE_ORDER if point in sections]
    shown = [i for _, group in ordered for i in group]
    return ShownGuide(PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), meta["title"]),
                      render(meta["intro"], values), meta["no_date"], ordered,
                      sum(i.done for i in shown), len(shown))


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
        dates = sorted(guide.start_date + timedelta(days=i.due_offset_days) for i in open_items) \
            if guide.start_date else []
        profile = guide.placement.match.profile if guide.placement is not None else None
        person = (profile.user.display_name if profile.consent_share_on_interest else _("a new colleague")) \
            if profile is not None else ""
        rows.append(GuideRow(guide, guide.position.title, person, len(guide.items) - len(open_items),
                             len(guide.items), dates[0] if dates else None, sum(d < today for d in dates)))
    rows.sort(key=lambda r: (r.done == r.total, r.next_due or date.max))
    return rows
