"""Oversupplied and shortage fields: seekers per opening, per field (and per region where given).

demand(field) = participants wishing for the field, weighted by the rank of the wish (a first wish counts
fully, later wishes less); supply(field) = openings in open positions. Seekers per opening
R = (demand + 1) / (supply + 1), the inverse of labour-market tightness. A field is "oversupplied" when R
is at least ``oversupply_ratio`` and at least ``oversupply_factor`` times the platform-wide ratio, with at
least the minimum demand (``min_demand`` in a large installation; in a small one ``min_demand_share`` of all
the demand, at least ``min_demand_small``); it is a "shortage" when R is at most ``shortage_ratio``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .config import MatchingConfig
from .records import ParticipantRecord, PositionRecord

OVERSUPPLIED, SHORTAGE, BALANCED = "oversupplied", "shortage", "balanced"


@dataclass(frozen=True)
class FieldBalance:
    field_id: int
    region: str | None
    demand: float
    supply: int
    ratio: float  # seekers per opening, (demand + 1) / (supply + 1)
    status: str


@dataclass(frozen=True)
class Balance:
    fields: dict[int, FieldBalance]
    platform_ratio: float

    def status(self, field_id: int) -> str:
        entry = self.fields.get(field_id)
        return entry.status if entry else BALANCED

    def oversupplied(self) -> list[FieldBalance]:
        return sorted((f for f in self.fields.values() if f.status == OVERSUPPLIED), key=lambda f: -f.ratio)


def field_balance(participants: Sequence[ParticipantRecord], positions: Sequence[PositionRecord],
                  config: MatchingConfig | None = None, region: str | None = None) -> Balance:
    """Demand, supply, ratio and status per field (only the given region's records when ``region`` is set)."""
    config = config or MatchingConfig()
    demand: dict[int, float] = defaultdict(float)
    supply: dict[int, int] = defaultdict(int)
    for p in participants:
        if region is not None and p.region != region:
            continue
        for rank, field_id in enumerate(p.desired_fields[: len(config.rank_demand)]):
            demand[field_id] += config.rank_demand[rank]
    for q in positions:
        if q.is_open and (region is None or q.region == region or q.remote):
            supply[q.field_id] += max(0, q.openings)
    return classify(demand, supply, config, region)


def classify(demand: Mapping[int, float], supply: Mapping[int, int], config: MatchingConfig | None = None,
             region: str | None = None) -> Balance:
    """The balance from demand and supply per field (as ``field_balance`` counts them, or a database's
    aggregate of the same)."""
    config = config or MatchingConfig()
    platform = (sum(demand.values()) + 1) / (sum(supply.values()) + 1)
    least = minimum_demand(sum(demand.values()), config)
    fields = {}
    for field_id in sorted(set(demand) | set(supply)):
        d, s = demand.get(field_id, 0.0), supply.get(field_id, 0)
        ratio = (d + 1) / (s + 1)
        if ratio >= config.oversupply_ratio and ratio >= config.oversupply_factor * platform \
                and d >= least:
            status = OVERSUPPLIED
        elif ratio <= config.shortage_ratio:
            status = SHORTAGE
        else:
            status = BALANCED
        fields[field_id] = FieldBalance(field_id, region, round(d, 3), s, round(ratio, 3), status)
    return Balance(fields, round(platform, 3))


def minimum_demand(total_demand: float, config: MatchingConfig) -> float:
    """The demand a field needs before it can be called oversupplied, for an installation of this size."""
    return min(config.min_demand, max(config.min_demand_small, config.min_demand_share * total_demand))


def alternative_fields(skill_scores: np.ndarray, position_fields: np.ndarray, balance: Balance,
                       exclude: Sequence[int] = (), n: int = 3, per_field: int = 3) -> list[tuple[int, float]]:
    """Fields that are not oversupplied, ranked by how well the participant's skills fit their positions.

    ``skill_scores`` holds the participant's skill component for each position and ``position_fields``
    each position's field; a field's fit is the mean of its ``per_field`` best positions.
    """
    fits = []
    for field_id in np.unique(position_fields):
        field_id = int(field_id)
        if field_id in exclude or balance.status(field_id) == OVERSUPPLIED:
            continue
        values = np.sort(skill_scores[position_fields == field_id])[::-1][:per_field]
        if len(values) and values[0] > 0:
            fits.append((field_id, float(values.mean())))
    fits.sort(key=lambda item: (-item[1], item[0]))
    return fits[:n]
