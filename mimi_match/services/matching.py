"""Matching as web processes see it: they read the current snapshot (never write one), score one person at a
time with it, show the field balance, and ask the matching worker for work. Everything that refits, ranks
or writes suggestions lives in ``matching_worker`` and runs in the worker process."""
from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..matching.config import MatchingConfig
from ..matching.model import MatchModel
from ..matching.oversupply import Balance
from ..matching.records import ParticipantRecord
from ..models import MatchingState, ModelSnapshot, ParticipantProfile, Role, User
from ..models.base import utcnow
from ..models.matching import STATE_ID
from . import audit, field_balance, snapshots
from .errors import PermissionDenied
from .matching_records import participant_records, record_of
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
    served = _served()
    return served[1] if served is not None else None


def _served() -> tuple[str, MatchModel] | None:
    """The served snapshot's version and model."""
    version = current_version()
    cached = current_app.extensions.get(SERVED)
    if cached is not None and cached[0] == version:
        return cached
    if version is None:
        return None
    with _load_lock:
        cached = current_app.extensions.get(SERVED)
        if cached is not None and cached[0] == version:
            return cached
        data = db.session.scalar(select(ModelSnapshot.data).where(ModelSnapshot.version == version))
        if data is None:  # replaced a moment ago: the next request reads the newer one
            return cached
        model = snapshots.load(data, current_app.config["SECRET_KEY"])
        current_app.extensions[SERVED] = (version, model)
        return version, model


def _record(profile_id: int) -> ParticipantRecord | None:
    record = participant_records([profile_id]).get(profile_id)
    return record if record is not None and record.consent_matching else None


@dataclass(frozen=True)
class RecordScores:
    """One participant's scores against every position of the served model, in ``position_ids`` order."""

    position_ids: np.ndarray
    full: np.ndarray  # the ranking score (-inf where excluded or too weak)
    skills: np.ndarray  # the skills component, 0..1
    fields: np.ndarray  # each position's occupational field

    def ranked(self, ids) -> list[int]:
        """``ids`` best score first (positions the model does not know last), ties newest (highest id) first."""
        wanted = np.asarray(list(ids), dtype=np.int64)
        if not len(wanted):
            return []
        at = np.searchsorted(self.position_ids, wanted)
        found = at < len(self.position_ids)
        found[found] = self.position_ids[at[found]] == wanted[found]
        score = np.full(len(wanted), -np.inf)
        score[found] = self.full[at[found]]
        return [int(i) for i in wanted[np.lexsort((-wanted, -score))]]


class _ScoreCache:
    """The scores of the last participants scored in this process, keyed by the served model's version and the
    participant's record itself: any change to what matching reads of a profile is a new key, so an entry is
    never stale, and nothing has to be told to forget one. Scores are derived data of one person, served only
    to requests about that person; a process that never saw the record scores it again."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, RecordScores] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> RecordScores | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple, value: RecordScores) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


SCORE_CACHE = "mimi_record_scores"
SCORE_CACHE_SIZE = 256  # at 10,000 positions about 120 KB per participant


def _record_key(record: ParticipantRecord) -> bytes:
    return hashlib.blake2b(repr(record).encode(), digest_size=20).digest()


def record_scores(profile_id: int, loaded: ParticipantProfile | None = None) -> RecordScores | None:
    """One participant's scores with the served model; None without a model, positions or consent. ``loaded``:
    the profile with its parts, when the page has it (its record is then read without a query)."""
    served = _served()
    if served is None or not len(served[1].positions):
        return None
    version, model = served
    record = record_of(loaded) if loaded is not None and loaded.id == profile_id else _record(profile_id)
    if record is None or not record.consent_matching:
        return None
    cache = current_app.extensions.setdefault(SCORE_CACHE, _ScoreCache(SCORE_CACHE_SIZE))
    key = (version, _record_key(record))
    found = cache.get(key)
    if found is None:
        full, skills = model.record_scores(record)
        found = RecordScores(model.position_ids, full, skills, model.position_fields())
        cache.put(key, found)
    return found


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


__all__ = ["ChartRow", "LeaseHeld", "RecordScores", "balance", "balance_chart", "field_overview",
           "oversupply_advice", "rebuild", "record_scores", "request_rebuild", "served_model", "worker_running"]


# --- oversupply ---------------------------------------------------------------------------------------

def balance(region: str | None = None) -> Balance:
    """Seekers per opening per field (every participant who states wishes counts), from the counts the matching
    worker keeps current; computed once per request."""
    from flask import g, has_app_context

    cache = g.setdefault("_field_balance", {}) if has_app_context() else {}
    if region not in cache:
        counts = db.session.scalar(select(MatchingState.field_balance).where(MatchingState.id == STATE_ID))
        if not field_balance.usable(counts):  # the worker has not counted yet (a new installation)
            counts = field_balance.count()
        cache[region] = field_balance.balance_of(counts, config(), region)
    return cache[region]


def field_trend(region: str | None = None, months: int = 12):
    """Seekers per opening per field, month by month, from the days the matching worker kept."""
    return field_balance.trend(config(), region, months)


def _compute_balance(region: str | None) -> Balance:
    """The balance counted now in the database (two grouped queries; nothing is loaded per participant or
    position)."""
    return field_balance.balance_of(field_balance.count(), config(), region)


def desired_first_field(profile: ParticipantProfile) -> int | None:
    wishes = sorted(profile.desired_fields, key=lambda d: d.rank)
    return wishes[0].field_id if wishes else None


def field_overview(region: str | None = None) -> tuple[Balance, dict[int, object]]:
    """The balance and the fields it talks about (for the coach's table and chart)."""
    from ..models import OccupationalField

    result = balance(region)
    fields = {f.id: f for f in db.session.scalars(select(OccupationalField))}
    return result, fields


@dataclass(frozen=True)
class ChartRow:
    field: object  # OccupationalField
    ratio: float  # seekers per opening
    status: str
    wish: int | None  # 1, 2, 3: the participant's own wish of that rank
    width: int  # the bar, in steps of 5 % of the longest


def balance_chart(profile: ParticipantProfile) -> list[ChartRow]:
    """Rumour and reality, for a participant: seekers per opening in every field that has openings or wishes,
    most crowded first, with the participant's own wishes marked."""
    from ..models import OccupationalField

    result = balance()
    fields = {f.id: f for f in db.session.scalars(select(OccupationalField))}
    wishes = {d.field_id: d.rank for d in profile.desired_fields}
    entries = [e for e in result.fields.values() if e.field_id in fields and (e.supply or e.demand)]
    top = max([1.0] + [e.ratio for e in entries])
    return [ChartRow(fields[e.field_id], e.ratio, e.status, wishes.get(e.field_id),
                     max(5, int(round(e.ratio / top * 20)) * 5))
            for e in sorted(entries, key=lambda e: (-e.ratio, e.field_id))]


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
    scores = record_scores(profile.id, profile)
    own_wishes = [d.field_id for d in profile.desired_fields]
    if scores is not None:
        ranked = alternative_fields(scores.skills, scores.fields, result, exclude=[first], n=n)
    else:  # no model yet, or no consent to matching: fields with the most openings per seeker
        ranked = [(f.field_id, 0.0) for f in sorted(result.fields.values(), key=lambda f: f.ratio)
                  if f.status != OVERSUPPLIED and f.supply > 0 and f.field_id != first][:n]
    fields = {f.id: f for f in db.session.scalars(select(OccupationalField).where(
        OccupationalField.id.in_([first, *[f for f, _ in ranked]])))}
    return {"field": fields.get(first), "entry": entry, "platform_ratio": result.platform_ratio,
            "alternatives": [(fields[f], fit, f in own_wishes) for f, fit in ranked if f in fields]}
