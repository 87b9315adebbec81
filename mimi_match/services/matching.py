"""The matching model inside the service: records from the database, a fitted and persisted model,
suggestions stored as Match rows (status "suggested") and kept current as positions and profiles change."""
from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import joblib
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..matching.config import MatchingConfig
from ..matching.model import MatchModel
from ..matching.oversupply import Balance, field_balance
from ..matching.records import ParticipantRecord, PositionRecord, Skill
from ..models import (
    Match,
    MatchEvent,
    MatchOrigin,
    MatchStatus,
    ParticipantProfile,
    Position,
    PositionStatus,
    SkillConfirmation,
    User,
)
from ..models.base import utcnow
from ..vocabulary import vocabulary
from .notifications import notify

log = logging.getLogger(__name__)
_lock = threading.Lock()
# One in-process change of the model at a time: a thread ranking a participant never meets another
# thread halfway through replacing the same participant (gunicorn --threads).
_refresh_lock = threading.RLock()
CACHE_KEY = "mimi_match.matching_model"  # the loaded model lives on the app (one per app and process)


# --- records ------------------------------------------------------------------------------------

def participant_record(profile: ParticipantProfile) -> ParticipantRecord:
    """What the model may know about a participant (never name, contact, nationality, age...)."""
    experience = " ".join([f"{e.title} {e.description}" for e in profile.experiences]
                          + [e.title for e in profile.educations])
    return ParticipantRecord(
        id=profile.id,
        skills=[Skill(s.label, s.concept_uri, s.confirmation != SkillConfirmation.SELF_STATED)
                for s in profile.skills],
        experience=experience,
        languages={lang.language: lang.level.value for lang in profile.languages},
        desired_fields=[d.field_id for d in sorted(profile.desired_fields, key=lambda d: d.rank)],
        wish_text=profile.wish_text or "",
        region=profile.region or "",
        remote_ok=profile.remote_ok,
        available_from=profile.available_from,
        hours_per_week=profile.hours_per_week,
        desired_kinds=profile.desired_kinds.value,
        consent_matching=profile.consent_matching and profile.user.active,
    )


def position_record(position: Position) -> PositionRecord:
    open_now = position.status == PositionStatus.OPEN and position.listed_until >= date.today()
    return PositionRecord(
        id=position.id, field_id=position.field_id, kind=position.kind.value, title=position.title,
        description=position.description or "",
        required=[Skill(s.label, s.concept_uri) for s in position.skills if s.required],
        nice=[Skill(s.label, s.concept_uri) for s in position.skills if not s.required],
        host_language=position.host_language,
        level_needed=position.host_language_level.value if position.host_language_level else None,
        region=position.region or "", remote=position.remote, hours_per_week=position.hours_per_week,
        start_date=position.start_date, openings=position.openings, is_open=open_now,
    )


def _profiles_query():
    return select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id).options(
        selectinload(ParticipantProfile.user), selectinload(ParticipantProfile.skills),
        selectinload(ParticipantProfile.languages), selectinload(ParticipantProfile.desired_fields),
        selectinload(ParticipantProfile.experiences), selectinload(ParticipantProfile.educations))


def load_records() -> tuple[list[ParticipantRecord], list[PositionRecord]]:
    profiles = db.session.scalars(_profiles_query().where(ParticipantProfile.consent_matching.is_(True),
                                                          User.active.is_(True))).all()
    positions = db.session.scalars(select(Position).where(Position.status == PositionStatus.OPEN,
                                                          Position.listed_until >= date.today())
                                   .options(selectinload(Position.skills))).all()
    return [participant_record(p) for p in profiles], [position_record(q) for q in positions]


def concept_labels(positions: list[PositionRecord]) -> dict[str, list[str]]:
    """Every label, in every language, of the concepts positions ask for (for typo-tolerant matching)."""
    vocab = vocabulary()
    wanted = {s.concept for q in positions for s in (*q.required, *q.nice) if s.concept}
    labels = {}
    for uri in wanted:
        concept = vocab.get(uri)
        if concept is not None:
            labels[uri] = [label for values in concept.labels.values() for label in values]
    return labels


def config() -> MatchingConfig:
    return current_app.config.get("MATCHING") or MatchingConfig()


# --- the persisted model --------------------------------------------------------------------------

def _folder() -> Path:
    folder = Path(current_app.config.get("MATCHING_DIR") or Path(current_app.instance_path) / "matching")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def current_model() -> MatchModel | None:
    """The fitted model of this installation, or None before the first build.

    Loaded once per process and loaded again when another process stored a newer one (the pointer
    file names the current model), so every gunicorn worker follows a rebuild or an erasure."""
    pointer = _folder() / "current"
    name = pointer.read_text().strip() if pointer.exists() else ""
    cached = current_app.extensions.get(CACHE_KEY)
    if cached is not None and cached[0] == name:
        return cached[1]
    path = _folder() / name if name else None
    if path is None or not path.exists():
        return None
    with _lock:
        model = joblib.load(path)
        current_app.extensions[CACHE_KEY] = (name, model)
    return model


def _store(model: MatchModel, keep_previous: bool = True) -> None:
    folder = _folder()
    name = f"model-{model.version}-{utcnow().strftime('%H%M%S%f')}.joblib"
    joblib.dump(model, folder / name, compress=3)
    (folder / "current").write_text(name)
    old = sorted((p for p in folder.glob("model-*.joblib") if p.name != name), key=lambda p: p.stat().st_mtime)
    for path in old[:-1] if keep_previous else old:
        path.unlink(missing_ok=True)  # keep the current model and (normally) the one before
    current_app.extensions[CACHE_KEY] = (name, model)


def erase_participant(profile_id: int) -> None:
    """After an erasure: refit without the person (their words leave the text model too) and keep no
    stored copy that still holds them."""
    if current_model() is None:
        return
    result = rebuild(keep_previous=False)
    if result["version"] is None:  # nobody or nothing left to match: no model at all
        for path in _folder().glob("model-*.joblib"):
            path.unlink(missing_ok=True)
        (_folder() / "current").unlink(missing_ok=True)
        forget_model()


def forget_model() -> None:
    """Drop the cached model of this database (tests, erasure of personal data)."""
    current_app.extensions.pop(CACHE_KEY, None)


# --- suggestions ----------------------------------------------------------------------------------

def _excluded_pairs() -> set[tuple[int, int]]:
    """Pairs someone already acted on (any status but "suggested"): never suggested again."""
    return set(db.session.execute(select(Match.profile_id, Match.position_id)
                                  .where(Match.status != MatchStatus.SUGGESTED)).all())


def _upsert(model: MatchModel, pairs: list[tuple[int, int, float]], scope: str, scope_id: int | None) -> int:
    """Write suggestions for ``pairs`` and drop stale suggestions in the same scope (one participant,
    one position, or everything). Returns the number of suggestions created."""
    existing = select(Match).where(Match.status == MatchStatus.SUGGESTED)
    if scope == "participant":
        existing = existing.where(Match.profile_id == scope_id)
    elif scope == "position":
        existing = existing.where(Match.position_id == scope_id)
    current = {(m.profile_id, m.position_id): m for m in db.session.scalars(existing)}
    taken = _excluded_pairs()
    created = 0
    new_for: list[int] = []
    wanted = set()
    for profile_id, position_id, score in pairs:
        key = (profile_id, position_id)
        if key in taken:
            continue
        wanted.add(key)
        explanation = model.explain(profile_id, position_id)
        match = current.get(key)
        if match is None:
            match = Match(profile_id=profile_id, position_id=position_id, origin=MatchOrigin.MODEL,
                          status=MatchStatus.SUGGESTED)
            match.events.append(MatchEvent(from_status=None, to_status=MatchStatus.SUGGESTED, actor_id=None,
                                           note="model " + model.version, at=utcnow()))
            db.session.add(match)
            created += 1
            new_for.append(profile_id)
        match.score = round(float(score), 4)
        match.components = {k: round(v, 4) for k, v in explanation.components.items()}
        match.explanation = explanation.as_dict()
        match.model_version = model.version
    for key, match in current.items():
        if key not in wanted:
            db.session.delete(match)
    _tell_coaches(new_for)
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        # another worker renewed the same suggestions at the same moment: its result stands
        db.session.rollback()
        log.info("suggestions renewed by another process", extra={"scope": scope, "scope_id": scope_id})
        return 0
    return created


def _tell_coaches(profile_ids: list[int]) -> None:
    """One notification per coach for the new suggestions waiting in their review queue."""
    if not profile_ids:
        return
    coach_of = dict(db.session.execute(select(ParticipantProfile.id, ParticipantProfile.coach_id)
                                       .where(ParticipantProfile.id.in_(set(profile_ids)))).all())
    per_coach = Counter(coach_of[p] for p in profile_ids if coach_of.get(p))
    for coach_id, count in per_coach.items():
        notify(coach_id, "suggestions_to_review", {"count": count}, "/coach/review")


def rebuild(progress: Callable[[str], None] | None = None, keep_previous: bool = True) -> dict:
    """Refit the model on the current data, persist it, and renew every suggestion."""
    say = progress or (lambda _stage: None)
    cfg = config()
    say("records")
    participants, positions = load_records()
    if not participants or not positions:  # nothing to match yet (a new installation)
        db.session.execute(delete(Match).where(Match.status == MatchStatus.SUGGESTED))
        db.session.commit()
        return {"version": None, "participants": len(participants), "positions": len(positions),
                "suggestions": 0, "created": 0}
    say("fit")
    version = utcnow().strftime("%Y%m%d%H%M%S")
    model = MatchModel(cfg, host_language=current_app.config["HOST_LANGUAGE"], version=version)
    model.fit(participants, positions, concept_labels(positions))
    say("suggest")
    top_k = current_app.config.get("MATCH_TOP_K", 10)
    top = model.top_k_all(k=top_k, exclude=_excluded_pairs())
    pairs = [(int(pid), int(qid), float(score))
             for pid, row, scores in zip(top.participant_ids, top.positions, top.position_scores, strict=True)
             for qid, score in zip(row, scores, strict=True) if qid >= 0]
    created = _upsert(model, pairs, "all", None)
    say("save")
    _store(model, keep_previous)
    log.info("matching model rebuilt", extra={"model_version": version, "participants": len(participants),
                                               "positions": len(positions), "suggestions": len(pairs)})
    return {"version": version, "participants": len(participants), "positions": len(positions),
            "suggestions": len(pairs), "created": created}


def refresh_participant(profile_id: int) -> None:
    """After a profile or consent change: re-rank this participant only (no refit)."""
    model = current_model()
    if model is None:  # the first model of a new installation
        rebuild()
        return
    profile = db.session.scalar(_profiles_query().where(ParticipantProfile.id == profile_id))
    if profile is None:
        model.remove_participant(profile_id)
        return
    record = participant_record(profile)
    model.update_participant(record)
    if not record.consent_matching:
        db.session.execute(delete(Match).where(Match.profile_id == profile_id,
                                               Match.status == MatchStatus.SUGGESTED))
        db.session.commit()
        return
    taken = {q for p, q in _excluded_pairs() if p == profile_id}
    ranked = model.rank_positions(profile_id, current_app.config.get("MATCH_TOP_K", 10), exclude=taken)
    _upsert(model, [(profile_id, r.id, r.score) for r in ranked], "participant", profile_id)


def refresh_position(position_id: int) -> None:
    """After a position is published, changed or closed: re-rank it only (no refit)."""
    model = current_model()
    if model is None:  # the first model of a new installation
        rebuild()
        return
    position = db.session.scalar(select(Position).where(Position.id == position_id)
                                 .options(selectinload(Position.skills)))
    record = position_record(position) if position is not None else None
    if record is None or not record.is_open:
        model.remove_position(position_id)
        db.session.execute(delete(Match).where(Match.position_id == position_id,
                                               Match.status == MatchStatus.SUGGESTED))
        db.session.commit()
        return
    if not model.knows_concepts_of(record) and \
            len(model.participants) <= current_app.config.get("REFIT_INLINE_PARTICIPANTS", 5000):
        rebuild()  # a skill no position asked for before: refit so that it counts (well under a second here)
        return
    model.update_position(record)
    taken = {p for p, q in _excluded_pairs() if q == position_id}
    ranked = model.rank_participants(position_id, current_app.config.get("MATCH_TOP_K", 10), exclude=taken)
    _upsert(model, [(r.id, position_id, r.score) for r in ranked], "position", position_id)


def fit_scores(profile_id: int) -> dict[int, float]:
    """Every open position's score for one participant ("fits me best"); empty without a model."""
    model = current_model()
    with _refresh_lock:
        if model is None or profile_id not in model.participant_row:
            return {}
        row = model.participant_row[profile_id]
        scores = model._scores(slice(row, row + 1))[0]
        return {int(q): float(s) for q, s in zip(model.position_ids, scores, strict=True)}


# --- oversupply ---------------------------------------------------------------------------------

def balance(region: str | None = None) -> Balance:
    """Seekers per opening per field, from the database (every participant who states wishes counts);
    computed once per request."""
    from flask import g, has_app_context

    cache = g.setdefault("_field_balance", {}) if has_app_context() else {}
    if region not in cache:
        cache[region] = _compute_balance(region)
    return cache[region]


def _compute_balance(region: str | None) -> Balance:
    profiles = db.session.scalars(
        select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id)
        .where(User.active.is_(True)).options(selectinload(ParticipantProfile.desired_fields))).all()
    participants = [ParticipantRecord(id=p.id, region=p.region or "",
                                      desired_fields=[d.field_id for d in sorted(p.desired_fields,
                                                                                 key=lambda d: d.rank)])
                    for p in profiles]
    positions = db.session.scalars(select(Position).where(Position.status == PositionStatus.OPEN,
                                                          Position.listed_until >= date.today())).all()
    records = [PositionRecord(id=q.id, field_id=q.field_id, kind=q.kind.value, region=q.region or "",
                              remote=q.remote, openings=q.openings) for q in positions]
    return field_balance(participants, records, config(), region)


def desired_first_field(profile: ParticipantProfile) -> int | None:
    wishes = sorted(profile.desired_fields, key=lambda d: d.rank)
    return wishes[0].field_id if wishes else None


def keep_current(kind: str, record_id: int) -> None:
    """Called after a change is committed; matching trouble must never undo or block the user's change."""
    try:
        with _refresh_lock:
            (refresh_position if kind == "position" else refresh_participant)(record_id)
    except Exception:  # noqa: BLE001  (logged with traceback; the change itself is already saved)
        db.session.rollback()
        log.exception("could not refresh suggestions", extra={"kind": kind, "record_id": record_id})


# --- views of the balance -------------------------------------------------------------------------

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
    model = current_model()
    own_wishes = [d.field_id for d in profile.desired_fields]
    if model is not None and profile.id in model.participant_row and len(model.positions):
        ranked = alternative_fields(model.skill_scores(profile.id), model.position_fields(), result,
                                    exclude=[first], n=n)
    else:  # no model yet: fields with the most openings per seeker
        ranked = [(f.field_id, 0.0) for f in sorted(result.fields.values(), key=lambda f: f.ratio)
                  if f.status != OVERSUPPLIED and f.supply > 0 and f.field_id != first][:n]
    fields = {f.id: f for f in db.session.scalars(select(OccupationalField).where(
        OccupationalField.id.in_([first, *[f for f, _ in ranked]])))}
    return {"field": fields.get(first), "entry": entry, "platform_ratio": result.platform_ratio,
            "alternatives": [(fields[f], fit, f in own_wishes) for f, fit in ranked if f in fields]}
