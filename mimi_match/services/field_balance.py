"""The inputs of the field balance (wishes per field and rank, openings per field) as a few numbers per region.

The matching worker counts them with two grouped queries whenever it has handled a change that can move them
(a wish, a profile's region, an account's status, a position's field, openings, region or listing: all of
them are matching changes) and keeps them in the matching state row. Pages read that one row: what they pay
for the balance does not grow with the number of participants or positions. Before the worker has counted
once (a new installation), the same two queries run in the request.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import case, func, select

from ..extensions import db
from ..matching.config import MatchingConfig
from ..matching.oversupply import Balance, classify
from ..models import DesiredField, ParticipantProfile, Position, PositionStatus, User

FORMAT = 1


def count() -> dict:
    """Wishes per region, field and rank; openings of open positions per region and field (remote ones apart).

    ``{"format": 1, "wishes": {region: {field: [first, second, ...]}}, "local": {region: {field: openings}},
    "remote": {field: openings}}``, JSON-ready (a participant or position without a region is region "")."""
    region = func.coalesce(ParticipantProfile.region, "").label("region")
    nth = func.row_number().over(partition_by=DesiredField.profile_id, order_by=DesiredField.rank).label("nth")
    wishes = (select(region, DesiredField.field_id, nth)
              .join(ParticipantProfile, ParticipantProfile.id == DesiredField.profile_id)
              .join(User, User.id == ParticipantProfile.user_id).where(User.active.is_(True))).subquery()
    counted: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for place, field_id, rank, n in db.session.execute(
            select(wishes.c.region, wishes.c.field_id, wishes.c.nth, func.count())
            .group_by(wishes.c.region, wishes.c.field_id, wishes.c.nth)):
        ranks = counted[place].setdefault(str(field_id), [])
        ranks.extend([0] * (rank - len(ranks)))
        ranks[rank - 1] += n
    openings = func.sum(case((Position.openings > 0, Position.openings), else_=0))
    local: dict[str, dict[str, int]] = defaultdict(dict)
    remote: dict[str, int] = {}
    for place, is_remote, field_id, total in db.session.execute(
            select(Position.region, Position.remote, Position.field_id, openings)
            .where(Position.status == PositionStatus.OPEN, Position.listed_until >= date.today())
            .group_by(Position.region, Position.remote, Position.field_id)):
        bucket = remote if is_remote else local[place or ""]
        bucket[str(field_id)] = bucket.get(str(field_id), 0) + int(total or 0)
    return {"format": FORMAT, "wishes": dict(counted), "local": dict(local), "remote": remote}


def balance_of(counts: dict, config: MatchingConfig, region: str | None = None) -> Balance:
    """The balance of all regions (``None``) or one: its participants' wishes against the openings of its
    positions and of every remote one."""
    demand: dict[int, float] = defaultdict(float)
    supply: dict[int, int] = defaultdict(int)
    weights = config.rank_demand
    places = counts["wishes"].items() if region is None else [(region, counts["wishes"].get(region, {}))]
    for _place, fields in places:
        for field_id, ranks in fields.items():
            demand[int(field_id)] += sum(w * n for w, n in zip(weights, ranks, strict=False))
    locals_ = counts["local"].values() if region is None else [counts["local"].get(region, {})]
    for bucket in (*locals_, counts["remote"]):
        for field_id, n in bucket.items():
            supply[int(field_id)] += n
    return classify({f: d for f, d in demand.items() if d}, supply, config, region)


def usable(counts) -> bool:
    return isinstance(counts, dict) and counts.get("format") == FORMAT


def keep_day(counts: dict, day: date | None = None) -> None:
    """Keep ``counts`` as the day's (the matching worker calls this after counting; the last count of a day
    stands for it)."""
    from ..models import FieldBalanceDay

    db.session.merge(FieldBalanceDay(day=day or date.today(), counts=counts))


def trend(config: MatchingConfig, region: str | None = None, months: int = 12) -> list[tuple[date, Balance]]:
    """The balance month by month (the last day counted in each month), the oldest first, at most ``months``."""
    from ..models import FieldBalanceDay

    last_of_month: dict[tuple[int, int], FieldBalanceDay] = {}
    for row in db.session.scalars(select(FieldBalanceDay).order_by(FieldBalanceDay.day)):
        if usable(row.counts):
            last_of_month[(row.day.year, row.day.month)] = row
    rows = [last_of_month[key] for key in sorted(last_of_month)][-months:]
    return [(row.day, balance_of(row.counts, config, region)) for row in rows]
