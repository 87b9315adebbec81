"""What the service achieves, for coaches, coordinators and funders: placements by status and outcome, job
offers after micro-internships, time from registration to a first placement, by field, region and year;
and a fairness view of the funnel (suggested → approved → interested → invited → offer → placed) by level
in the host language and by first-language group.

No figure describes fewer than ``OUTCOMES_MIN_GROUP`` (k, default 10) people: such a figure is withheld
("fewer than k"), zero is shown as zero. The first-language group is the participant's strongest language
other than the host language (protected attributes are never collected; this is the only group known).
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Match,
    MatchStatus,
    ParticipantProfile,
    Placement,
    PlacementOutcome,
    PlacementStatus,
    Position,
    PositionKind,
    Role,
    User,
)
from .errors import PermissionDenied

FUNNEL = ("suggested", "approved", "interested", "invited", "offer", "placed")
STEP_OF = {MatchStatus.SUGGESTED: "suggested", MatchStatus.APPROVED: "approved", MatchStatus.INTERESTED: "interested",
           MatchStatus.INVITED: "invited", MatchStatus.OFFERED: "offer", MatchStatus.PLACED: "placed",
           MatchStatus.COMPLETED: "placed"}
BANDS = {"A1": "A", "A2": "A", "B1": "B", "B2": "B", "C1": "C", "C2": "C"}


@dataclass(frozen=True)
class Filters:
    field_id: int | None = None
    region: str = ""
    year: int | None = None


@dataclass(frozen=True)
class PlacementRecord:
    profile_id: int
    field_id: int
    region: str
    kind: PositionKind
    status: PlacementStatus
    outcome: PlacementOutcome | None
    start: date
    registered: date


@dataclass(frozen=True)
class FunnelRecord:
    profile_id: int
    field_id: int
    region: str
    year: int
    steps: frozenset[str]
    band: str  # "A", "B", "C" or "" (no level given)
    first_language: str  # "" when none besides the host language


@dataclass
class Figure:
    """A number with the people it describes; withheld when they are 1..k-1."""
    value: float | int | None
    people: int
    k: int

    @property
    def shown(self) -> bool:
        return self.people == 0 or self.people >= self.k


@dataclass
class Outcomes:
    k: int
    participants: Figure
    by_status: dict[str, Figure] = field(default_factory=dict)
    by_outcome: dict[str, Figure] = field(default_factory=dict)
    micro_ended: Figure | None = None
    micro_offers: Figure | None = None
    median_days_to_first: Figure | None = None
    # (months after the placement, situation) -> people recorded so
    follow_up: dict[tuple[int, str], Figure] = field(default_factory=dict)


def _people(records) -> int:
    return len({r.profile_id for r in records})


@dataclass(frozen=True)
class FollowUpRecord:
    profile_id: int
    months: int
    situation: str


def compute_outcomes(records: list[PlacementRecord], k: int,
                     follow_ups: list[FollowUpRecord] | None = None) -> Outcomes:
    """The outcome figures over placement records (already filtered) and their recorded follow-ups."""
    result = Outcomes(k=k, participants=Figure(_people(records), _people(records), k))
    for status in PlacementStatus:
        group = [r for r in records if r.status == status]
        result.by_status[status.value] = Figure(len(group), _people(group), k)
    for outcome in PlacementOutcome:
        group = [r for r in records if r.outcome == outcome]
        result.by_outcome[outcome.value] = Figure(len(group), _people(group), k)
    micro = [r for r in records if r.kind == PositionKind.MICRO_INTERNSHIP
             and r.status in (PlacementStatus.COMPLETED, PlacementStatus.ABANDONED)]
    offers = [r for r in micro if r.outcome == PlacementOutcome.JOB_OFFER]
    result.micro_ended = Figure(len(micro), _people(micro), k)
    result.micro_offers = Figure(len(offers), _people(offers), k)
    first: dict[int, PlacementRecord] = {}
    for r in sorted(records, key=lambda r: r.start):
        first.setdefault(r.profile_id, r)
    days = [max(0, (r.start - r.registered).days) for r in first.values()]
    result.median_days_to_first = Figure(statistics.median(days) if days else None, len(days), k)
    from .follow_ups import SITUATIONS

    for months in (6, 12):
        for situation in SITUATIONS:
            group = [f for f in follow_ups or () if f.months == months and f.situation == situation]
            result.follow_up[(months, situation)] = Figure(len(group), _people(group), k)
    return result


@dataclass
class FunnelRow:
    group: str
    people: int
    shown: bool
    counts: dict[str, Figure]
    rates: dict[str, float | None]  # share of the previous step that reached this one (None: withheld)


def compute_funnel(records: list[FunnelRecord], key, k: int) -> list[FunnelRow]:
    """The funnel per group (``key(record)`` names the group): matches reaching each step, and the share of
    the step before that went on; a group of fewer than k people is withheld whole."""
    groups: dict[str, list[FunnelRecord]] = defaultdict(list)
    for r in records:
        groups[key(r)].append(r)
    rows = []
    for name in sorted(groups):
        members = groups[name]
        people = _people(members)
        counts = {}
        for step in FUNNEL:
            reached = [r for r in members if step in r.steps]
            counts[step] = Figure(len(reached), _people(reached), k)
        rates: dict[str, float | None] = {}
        for before, step in zip(FUNNEL, FUNNEL[1:], strict=False):
            a, b = counts[before], counts[step]
            rates[step] = (b.value / a.value) if a.value and a.shown and b.shown and people >= k else None
        rows.append(FunnelRow(name, people, people >= k, counts, rates))
    return rows


# --- loading the records ---------------------------------------------------------------------------------

def _require(actor: User) -> None:
    if actor.role not in (Role.COACH, Role.ADMIN):
        raise PermissionDenied()


def placement_records(filters: Filters) -> list[PlacementRecord]:
    stmt = (select(Placement).join(Match, Match.id == Placement.match_id)
            .join(Position, Position.id == Match.position_id)
            .options(selectinload(Placement.match).selectinload(Match.position),
                     selectinload(Placement.match).selectinload(Match.profile)))
    if filters.field_id:
        stmt = stmt.where(Position.field_id == filters.field_id)
    records = []
    for p in db.session.scalars(stmt):
        profile, position = p.match.profile, p.match.position
        if filters.region and profile.region != filters.region:
            continue
        if filters.year and p.start_date.year != filters.year:
            continue
        records.append(PlacementRecord(profile.id, position.field_id, profile.region, position.kind, p.status,
                                       p.outcome, p.start_date, profile.created_at.date()))
    return records


def follow_up_records(filters: Filters) -> list[FollowUpRecord]:
    from ..models import FollowUp

    stmt = (select(FollowUp, Placement).join(Placement, Placement.id == FollowUp.placement_id)
            .where(FollowUp.recorded_at.is_not(None))
            .options(selectinload(Placement.match).selectinload(Match.position),
                     selectinload(Placement.match).selectinload(Match.profile)))
    out = []
    for follow_up, placement in db.session.execute(stmt):
        profile, position = placement.match.profile, placement.match.position
        if (filters.field_id and position.field_id != filters.field_id) or \
                (filters.region and profile.region != filters.region) or \
                (filters.year and placement.start_date.year != filters.year):
            continue
        out.append(FollowUpRecord(profile.id, follow_up.months, follow_up.situation or "other"))
    return out


def _groups_of(profile: ParticipantProfile, host: str) -> tuple[str, str]:
    level = next((lang.level.value for lang in profile.languages if lang.language == host), "")
    others = sorted((lang for lang in profile.languages if lang.language != host),
                    key=lambda lang: (-"A1A2B1B2C1C2".find(lang.level.value), lang.language))
    return BANDS.get(level, ""), (others[0].language if others else "")


def funnel_records(filters: Filters) -> list[FunnelRecord]:
    host = current_app.config.get("HOST_LANGUAGE", "nb")
    stmt = (select(Match).join(Position, Position.id == Match.position_id)
            .options(selectinload(Match.events), selectinload(Match.position),
                     selectinload(Match.profile).selectinload(ParticipantProfile.languages)))
    if filters.field_id:
        stmt = stmt.where(Position.field_id == filters.field_id)
    records = []
    for m in db.session.scalars(stmt):
        if filters.region and m.profile.region != filters.region:
            continue
        if filters.year and m.created_at.year != filters.year:
            continue
        steps = passed(STEP_OF[e.to_status] for e in m.events if e.to_status in STEP_OF)
        band, first = _groups_of(m.profile, host)
        records.append(FunnelRecord(m.profile_id, m.position.field_id, m.profile.region, m.created_at.year,
                                    steps, band, first))
    return records


def passed(steps) -> frozenset[str]:
    """The funnel steps a match went through: from its first (a direct application starts at "interested")
    to its furthest, the ones in between included (an offer without an invitation passed "invited")."""
    indexes = [FUNNEL.index(step) for step in steps]
    return frozenset(FUNNEL[i] for i in range(min(indexes), max(indexes) + 1)) if indexes else frozenset()


def min_group() -> int:
    return max(1, int(current_app.config.get("OUTCOMES_MIN_GROUP", 10)))


def overview(actor: User, filters: Filters) -> tuple[Outcomes, list[FunnelRow], list[FunnelRow]]:
    _require(actor)
    k = min_group()
    funnel = funnel_records(filters)
    return (compute_outcomes(placement_records(filters), k, follow_up_records(filters)),
            compute_funnel(funnel, lambda r: r.band, k), compute_funnel(funnel, lambda r: r.first_language, k))


def as_csv(actor: User, filters: Filters) -> str:
    """The same figures as CSV rows: table, group, measure, value (empty where withheld)."""
    result, bands, languages = overview(actor, filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "group", "measure", "value", "people"])

    def put(table: str, group: str, measure: str, figure: Figure | None) -> None:
        if figure is not None:
            writer.writerow([table, group, measure, figure.value if figure.shown else "", figure.people
                             if figure.shown else f"<{figure.k}"])

    put("placements", "all", "participants", result.participants)
    for status, figure in result.by_status.items():
        put("placements", "status", status, figure)
    for outcome, figure in result.by_outcome.items():
        put("placements", "outcome", outcome, figure)
    put("micro_internships", "ended", "count", result.micro_ended)
    put("micro_internships", "job_offer", "count", result.micro_offers)
    put("time_to_first_placement", "all", "median_days", result.median_days_to_first)
    for (months, situation), figure in result.follow_up.items():
        put(f"follow_up_{months}_months", "situation", situation, figure)
    for table, rows in (("funnel_by_level", bands), ("funnel_by_first_language", languages)):
        for row in rows:
            for step in FUNNEL:
                figure = row.counts[step] if row.shown else Figure(None, row.people, result.k)
                put(table, row.group or "-", step, figure)
    return out.getvalue()
