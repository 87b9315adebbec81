"""Matching as web processes see it: they read the current snapshot (never write one), score one person at a
time with it, show the field balance, and ask the matching worker for work. Everything that refits, ranks
or writes suggestions lives in ``matching_worker`` and runs in the worker process."""
from __future__ import annotations

import logging
import threading
from datetime import date

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..matching.config import MatchingConfig
from ..matching.model import MatchModel
from ..matching.oversupply import Balance, classify
from ..matching.records import ParticipantRecord
from ..models import MatchingState, ModelSnapshot, ParticipantProfile, Position, PositionStatus, Role, User
from ..models.base import utcnow
from ..models.matching import STATE_ID
from . import audit, snapshots
from .errors import PermissionDenied
from .matching_records import participant_records
from .matching_worker import LeaseHeld, state, worker_for

log = logging.getLogger(__name__)
SERVED = "mimi_served_model"
_load_lock = threading.Lock()


def config() -> MatchingConfig:
    return current_app.config.get("MATCHING") or MatchingConfig()


# --- the served snapshot ------------------------------------------------------------------------------

def current_version() -> str | None:
    return db.session.scalar(select(MatchingState.current_version).where(MatchingState.id == STATE_ID))


def served_model() -> MatchModel | None:
    """The current snapshot (positions and fitted spaces, no participant), loaded once per process and
    again when the worker stored a newer one: every process and machine follows the same version."""
    version = current_version()
    cached = current_app.extensions.get(SERVED)
    if cached is not None and cached[0] == version:
        return cached[1]
    if version is None:
        return None
    with _load_lock:
        cached = current_app.extensions.get(SERVED)
        if cached is not None and cached[0] == version:
            return cached[1]
        data = db.session.scalar(select(ModelSnapshot.data).where(ModelSnapshot.version == version))
        if data is None:  # replaced a moment ago: the next request reads the newer one
            return cached[1] if cached is not None else None
        model = snapshots.load(data, current_app.config["SECRET_KEY"])
        current_app.extensions[SERVED] = (version, model)
        return model


def _record(profile_id: int) -> ParticipantRecord | None:
    record = participant_records([profile_id]).get(profile_id)
    return record if record is not None and record.consent_matching else None


def fit_scores(profile_id: int) -> dict[int, float]:
    """Every open position's score for one participant ("fits me best"); empty without a model or consent."""
    model = served_model()
    record = _record(profile_id) if model is not None else None
    if record is None:
        return {}
    scores = model.score_record(record)
    return {int(q): float(s) for q, s in zip(model.position_ids, scores, strict=True)}


# --- asking the worker ----------------------------------------------------------------------------------

def rebuild(progress=None) -> dict:
    """Refit and renew every suggestion now, in this process as the writer (the CLI when no worker runs,
    the demo seed, tests). Raises ``LeaseHeld`` while a matching worker runs: ask it instead."""
    return worker_for(current_app).rebuild(progress)


def request_rebuild(actor: User | None) -> None:
    """Ask the matching worker for a new fit (the admin's button, the CLI while a worker runs)."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied()
    row = state()
    row.rebuild_requested_at = utcnow()
    row.rebuild_requested_by_id = actor.id if actor is not None else None
    if actor is not None:
        audit.record("model_rebuild_requested", actor=actor)
    db.session.commit()
    from .. import jobs

    jobs.jobs_of().enqueue("matching.wake")


def worker_running() -> bool:
    """Whether a matching worker holds a live lease."""
    row = state()
    return bool(row.lease_holder and row.lease_until and row.lease_until > utcnow())


__all__ = ["LeaseHeld", "balance", "field_overview", "fit_scores", "oversupply_advice", "rebuild",
           "request_rebuild", "served_model", "worker_running"]


# --- oversupply ---------------------------------------------------------------------------------------

def balance(region: str | None = None) -> Balance:
    """Seekers per opening per field, from the database (every participant who states wishes counts);
    computed once per request."""
    from flask import g, has_app_context

    cache = g.setdefault("_field_balance", {}) if has_app_context() else {}
    if region not in cache:
        cache[region] = _compute_balance(region)
    return cache[region]


def _compute_balance(region: str | None) -> Balance:
    """Two aggregates in the database: wishes per field and rank (the rank among the participant's own wishes,
    as the model counts it), openings per field; nothing is loaded per participant or position."""
    from sqlalchemy import case, func

    from ..models import DesiredField

    cfg = config()
    ranks = len(cfg.rank_demand)
    order = func.row_number().over(partition_by=DesiredField.profile_id, order_by=DesiredField.rank).label("nth")
    wishes = (select(DesiredField.field_id, order)
              .join(ParticipantProfile, ParticipantProfile.id == DesiredField.profile_id)
              .join(User, User.id == ParticipantProfile.user_id).where(User.active.is_(True)))
    if region is not None:
        wishes = wishes.where(func.coalesce(ParticipantProfile.region, "") == region)
    wishes = wishes.subquery()
    demand: dict[int, float] = {}
    for field_id, nth, count in db.session.execute(
            select(wishes.c.field_id, wishes.c.nth, func.count()).where(wishes.c.nth <= ranks)
            .group_by(wishes.c.field_id, wishes.c.nth)):
        demand[field_id] = demand.get(field_id, 0.0) + cfg.rank_demand[nth - 1] * count
    openings = func.sum(case((Position.openings > 0, Position.openings), else_=0))
    supply_query = (select(Position.field_id, openings).where(Position.status == PositionStatus.OPEN,
                                                              Position.listed_until >= date.today())
                    .group_by(Position.field_id))
    if region is not None:
        supply_query = supply_query.where((Position.region == region) | Position.remote.is_(True))
    supply = {field_id: int(total or 0) for field_id, total in db.session.execute(supply_query)}
    return classify(demand, supply, cfg, region)


def desired_first_field(profile: ParticipantProfile) -> int | None:
    wishes = sorted(profile.desired_fields, key=lambda d: d.rank)
    return wishes[0].field_id if wishes else None


def field_overview(region: str | None = None) -> tuple[Balance, dict[int, object]]:
    """The balance and the fields it talks about (for the coach's table and chart)."""
    from ..models import OccupationalField

    result = balance(region)
    fields = {f.id: f for f in db.session.scalars(select(OccupationalField))}
    return result, fields


def oversupply_advice(profile: ParticipantProfile, n: int = 3):
    """For a participant whose first wish is oversupplied: the numbers, and alternative fields that are not,
    ranked by how well the participant's skills fit their positions. None when the first wish is fine."""
    from ..matching.oversupply import OVERSUPPLIED, alternative_fields
    from ..models import OccupationalField

    first = desired_first_field(profile)
    if first is None:
        return None
    result = balance()
    entry = result.fields.get(first)
    if entry is None or entry.status != OVERSUPPLIED:
        return None
    model = served_model()
    record = _record(profile.id) if model is not None and len(model.positions) else None
    own_wishes = [d.field_id for d in profile.desired_fields]
    if record is not None:
        ranked = alternative_fields(model.skill_scores_record(record), model.position_fields(), result,
                                    exclude=[first], n=n)
    else:  # no model yet, or no consent to matching: fields with the most openings per seeker
        ranked = [(f.field_id, 0.0) for f in sorted(result.fields.values(), key=lambda f: f.ratio)
                  if f.status != OVERSUPPLIED and f.supply > 0 and f.field_id != first][:n]
    fields = {f.id: f for f in db.session.scalars(select(OccupationalField).where(
        OccupationalField.id.in_([first, *[f for f, _ in ranked]])))}
    return {"field": fields.get(first), "entry": entry, "platform_ratio": result.platform_ratio,
            "alternatives": [(fields[f], fit, f in own_wishes) for f, fit in ranked if f in fields]}
