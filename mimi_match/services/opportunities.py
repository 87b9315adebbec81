"""Browsing open positions, and a participant's own steps: save for later, "I am interested", withdraw."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal_column, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..matching import cefr
from ..models import (
    CEFRLevel,
    Match,
    MatchEvent,
    MatchOrigin,
    MatchStatus,
    ParticipantLanguage,
    ParticipantSkill,
    Position,
    PositionKind,
    PositionSkill,
    PositionStatus,
    PositionTerm,
    Role,
    SavedPosition,
    User,
)
from ..models.base import utcnow
from . import audit, matching
from .errors import NotFound, PermissionDenied
from .notifications import notify
from .search_index import search_terms

# a participant can (re)state interest from these; later steps belong to the employer's answer
INTEREST_FROM = {None, MatchStatus.SUGGESTED, MatchStatus.APPROVED, MatchStatus.REJECTED, MatchStatus.DECLINED,
                 MatchStatus.WITHDRAWN, MatchStatus.EMPLOYER_INVITED}
# what only the coach sees: a suggestion not reviewed yet, or one the coach rejected
HIDDEN_FROM_PARTICIPANT = (MatchStatus.SUGGESTED, MatchStatus.REJECTED)
WITHDRAW_FROM = (MatchStatus.INTERESTED, MatchStatus.INVITED, MatchStatus.OFFERED)


@dataclass
class BrowseQuery:
    q: str = ""
    field_id: int | None = None
    kind: str = ""
    region: str = ""
    remote: bool = False
    level: str = ""  # local language level needed at most
    hours: int | None = None  # hours per week at most
    start_by: date | None = None
    sort: str = "newest"  # newest, deadline, relevance (with a search), fit (participants)
    page: int = 1


@dataclass
class BrowsePage:
    positions: list[Position]
    total: int
    page: int
    per_page: int
    saved_ids: set[int] = field(default_factory=set)
    interest: dict[int, MatchStatus] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _open(by_deadline: bool) -> list:
    """Conditions for "open for applications". The deadline test is written so that the database
    walks the index of the chosen sort order (published or deadline) and stops after one page."""
    today = date.today()
    until = Position.listed_until if by_deadline else func.coalesce(Position.listed_until, today)
    return [Position.status == PositionStatus.OPEN, until >= today]


def _term_range(term: str):
    """Search words starting with ``term``: one contiguous range of the (term, position, weight) index."""
    return and_(PositionTerm.term >= term, PositionTerm.term < term + "\U0010ffff")


def _matches(terms: list[str]):
    """(position_id, score) of the positions with a word starting with each of ``terms``, in one pass
    over the term index. A word scores twice the weight of where it stands (title > skills > description),
    one more when it is the whole word; each search word counts with its best word; the scores add up.

    One grouped pass rather than a join per search word: the planner's row estimates for prefix ranges
    are poor (PostgreSQL guesses one row), and this shape does not depend on them."""
    # "position_id + 0": SQLite would otherwise walk the whole primary key (position, term) to save a
    # sort instead of reading the one range of the term index
    position_id = (PositionTerm.position_id + 0).label("position_id")
    hits = [select(position_id, literal_column(str(i)).label("word"),
                   (PositionTerm.weight * 2 + case((PositionTerm.term == term, 1), else_=0)).label("score"))
            .where(_term_range(term)) for i, term in enumerate(terms)]
    if len(hits) == 1:  # one word: its best score per position (and an estimate the planner can use)
        one = hits[0].subquery()
        return select(one.c.position_id, func.max(one.c.score).label("score")).group_by(one.c.position_id).subquery()
    every = union_all(*hits).subquery()
    best = (select(every.c.position_id, func.max(every.c.score).label("score"))
            .group_by(every.c.position_id, every.c.word).subquery())
    return (select(best.c.position_id, func.sum(best.c.score).label("score"))
            .group_by(best.c.position_id).having(func.count() == len(terms)).subquery())


MAX_PAGE = 100_000


def _conditions(query: BrowseQuery, by_deadline: bool):
    """The filters of ``query`` as SQL conditions, and the search words' matches (None without words)."""
    terms = search_terms(query.q)
    conditions = _open(by_deadline)
    if query.field_id:
        conditions.append(Position.field_id == query.field_id)
    if query.kind in {k.value for k in PositionKind}:
        conditions.append(Position.kind == PositionKind(query.kind))
    if query.region and query.remote:
        conditions.append(or_(Position.region == query.region, Position.remote.is_(True)))
    elif query.region:
        conditions.append(Position.region == query.region)
    elif query.remote:
        conditions.append(Position.remote.is_(True))
    if query.level in {level.value for level in CEFRLevel}:
        # CEFR codes sort in level order (A1 < A2 < B1 ...), so a string comparison is a level comparison
        conditions.append(or_(Position.host_language_level.is_(None), Position.host_language_level <= query.level))
    if query.hours:
        conditions.append(or_(Position.hours_per_week.is_(None), Position.hours_per_week <= query.hours))
    if query.start_by:
        conditions.append(or_(Position.start_date.is_(None), Position.start_date <= query.start_by))
    matches = _matches(terms) if terms else None
    found = [Position.id.in_(select(matches.c.position_id))] if matches is not None else []
    return conditions, found, matches


def browse(query: BrowseQuery, viewer: User | None, per_page: int = 20) -> BrowsePage:
    """One page of open positions matching ``query``; a fixed number of queries whatever the page size.

    Every search word must start a word of the position (its title, description, a skill as typed or any
    label of a skill's concept in any language). Sorted by relevance, newest, deadline, or fit.
    """
    by_deadline = query.sort == "deadline"
    conditions, found, matches = _conditions(query, by_deadline)
    if query.sort == "fit" and viewer is not None and viewer.role == Role.PARTICIPANT and viewer.profile:
        return _browse_by_fit(conditions + found, viewer, query.page, per_page)
    options = (joinedload(Position.field), joinedload(Position.organisation), selectinload(Position.skills))
    if matches is not None and query.sort == "relevance":
        positions, total, page = _page_by_relevance(matches, conditions, query.page, per_page, options)
    else:
        total = db.session.scalar(select(func.count(Position.id)).where(*conditions, *found)) or 0
        page = min(max(1, query.page), max(1, math.ceil(total / per_page)))
        order = ((Position.listed_until, Position.id) if by_deadline
                 else (Position.published_at.desc(), Position.id.desc()))
        positions = list(db.session.scalars(
            select(Position).where(*conditions, *found).order_by(*order)
            .limit(per_page).offset((page - 1) * per_page).options(*options)
        ).unique())
    result = BrowsePage(positions, total, page, per_page)
    if viewer is not None and viewer.role == Role.PARTICIPANT and viewer.profile is not None and positions:
        _add_participant_state(result, viewer.profile.id)
    return result


def after_cursor(query: BrowseQuery, after: tuple[datetime, int] | None, limit: int) -> list[Position]:
    """Open positions matching ``query``, newest published first, from just after ``after`` (the
    published time and id of the last one seen): stable pages (keyset), however many are added meanwhile."""
    conditions, found, _matches_ = _conditions(query, False)
    if after is not None:
        published, last_id = after
        conditions.append(or_(Position.published_at < published,
                              and_(Position.published_at == published, Position.id < last_id)))
    options = (joinedload(Position.field), joinedload(Position.organisation), selectinload(Position.skills))
    return list(db.session.scalars(
        select(Position).where(*conditions, *found, Position.published_at.is_not(None))
        .order_by(Position.published_at.desc(), Position.id.desc()).limit(limit).options(*options)).unique())


def _page_by_relevance(matches, conditions: list, page: int, per_page: int,
                       options) -> tuple[list[Position], int, int]:
    """One page ranked by the search words' summed scores (equal scores: newest first), the number of
    matches, and the page number (the last page when ``page`` is beyond it). Ranking and counting are one
    pass over the term index and the positions' own columns; the page is loaded by id afterwards."""
    ranked = (select(Position.id, func.count().over().label("total"))
              .join(matches, matches.c.position_id == Position.id).where(*conditions)
              .order_by(matches.c.score.desc(), Position.published_at.desc(), Position.id.desc()))
    page = min(max(1, page), MAX_PAGE)  # an absurd page number must not overflow the database's OFFSET
    rows = db.session.execute(ranked.limit(per_page).offset((page - 1) * per_page)).all()
    if not rows and page > 1:  # beyond the last page: show the last one
        total = db.session.scalar(select(func.count()).select_from(ranked.subquery())) or 0
        page = max(1, math.ceil(total / per_page))
        rows = db.session.execute(ranked.limit(per_page).offset((page - 1) * per_page)).all()
    if not rows:
        return [], 0, 1
    ids = [row.id for row in rows]
    loaded = {p.id: p for p in db.session.scalars(
        select(Position).where(Position.id.in_(ids)).options(*options)).unique()}
    return [loaded[i] for i in ids if i in loaded], rows[0].total, page


def _browse_by_fit(conditions: list, viewer: User, page: int, per_page: int) -> BrowsePage:
    """Sorted by the matching model's score for this participant ("fits me best")."""
    ids = list(db.session.scalars(select(Position.id).where(*conditions)))
    scores = matching.record_scores(viewer.profile.id)
    ids = scores.ranked(ids) if scores is not None else sorted(ids, reverse=True)
    pages = max(1, math.ceil(len(ids) / per_page))
    page = min(max(1, page), pages)
    chosen = ids[(page - 1) * per_page: page * per_page]
    loaded = {p.id: p for p in db.session.scalars(
        select(Position).where(Position.id.in_(chosen))
        .options(joinedload(Position.field), joinedload(Position.organisation), selectinload(Position.skills))
    ).unique()}
    result = BrowsePage([loaded[i] for i in chosen if i in loaded], len(ids), page, per_page)
    if result.positions:
        _add_participant_state(result, viewer.profile.id)
    return result


def _add_participant_state(result: BrowsePage, profile_id: int) -> None:
    ids = [p.id for p in result.positions]
    result.saved_ids = set(db.session.scalars(
        select(SavedPosition.position_id).where(SavedPosition.profile_id == profile_id,
                                                SavedPosition.position_id.in_(ids))))
    result.interest = dict(db.session.execute(
        select(Match.position_id, Match.status).where(Match.profile_id == profile_id, Match.position_id.in_(ids),
                                                      Match.status.not_in(HIDDEN_FROM_PARTICIPANT))
    ).all())


def participant_level(viewer: User | None, language: str) -> str | None:
    """The viewer's CEFR level in the local language, when the viewer is a participant who gave it."""
    if viewer is None or viewer.role != Role.PARTICIPANT or viewer.profile is None:
        return None
    level = db.session.scalar(select(ParticipantLanguage.level).where(
        ParticipantLanguage.profile_id == viewer.profile.id, ParticipantLanguage.language == language))
    return level.value if level else None


def position_for(viewer: User | None, position_id: int) -> Position:
    """An open position for anyone; a draft or closed one only for HR of its own organisation (preview)."""
    position = db.session.scalar(
        select(Position).where(Position.id == position_id)
        .options(joinedload(Position.field), joinedload(Position.organisation), selectinload(Position.skills)))
    if position is None:
        raise NotFound(_("No such position."))
    visible = position.status == PositionStatus.OPEN and position.listed_until >= date.today()
    own = viewer is not None and viewer.role == Role.HR and viewer.organisation_id == position.organisation_id
    if not (visible or own):
        raise NotFound(_("No such position."))
    return position


@dataclass
class ParticipantPositionState:
    saved: bool
    match: Match | None
    missing_skills: list[PositionSkill] = field(default_factory=list)
    language_gap: str | None = None  # the level the position needs, when above the participant's


def participant_state(viewer: User, position: Position, host_language: str) -> ParticipantPositionState:
    """Saved? Where does my step stand? Which required skills and language level do I not have yet?"""
    profile = _profile(viewer)
    saved = db.session.get(SavedPosition, (profile.id, position.id)) is not None
    match = db.session.scalar(select(Match).where(Match.profile_id == profile.id, Match.position_id == position.id,
                                                  Match.status.not_in(HIDDEN_FROM_PARTICIPANT)))
    mine = db.session.execute(select(ParticipantSkill.concept_uri, ParticipantSkill.label)
                              .where(ParticipantSkill.profile_id == profile.id)).all()
    concepts = {uri for uri, _label in mine if uri}
    labels = {label.casefold() for _uri, label in mine}
    missing = [s for s in position.required_skills
               if not (s.concept_uri and s.concept_uri in concepts) and s.label.casefold() not in labels]
    gap = None
    if position.host_language_level is not None:
        level = participant_level(viewer, host_language)
        if cefr.gap(position.host_language_level.value, level) > 0:
            gap = position.host_language_level.value
    return ParticipantPositionState(saved, match, missing, gap)


def _profile(actor: User):
    if actor.role != Role.PARTICIPANT or actor.profile is None:
        raise PermissionDenied(_("Only participants can do this."))
    return actor.profile


def set_saved(actor: User, position_id: int, saved: bool) -> None:
    """Save a position for later, or forget it again."""
    profile = _profile(actor)
    if saved:
        position_for(actor, position_id)  # only positions the participant may see
    row = db.session.get(SavedPosition, (profile.id, position_id))
    if saved and row is None:
        db.session.add(SavedPosition(profile_id=profile.id, position_id=position_id))
    elif not saved and row is not None:
        db.session.delete(row)
    db.session.commit()


def saved_positions(actor: User) -> list[Position]:
    profile = _profile(actor)
    return list(db.session.scalars(
        select(Position).join(SavedPosition, and_(SavedPosition.position_id == Position.id,
                                                  SavedPosition.profile_id == profile.id))
        .options(joinedload(Position.field), joinedload(Position.organisation))
        .order_by(SavedPosition.created_at.desc())
    ).unique())


def _transition(match: Match, to_status: MatchStatus, actor: User, note: str = "") -> None:
    match.events.append(MatchEvent(from_status=match.status, to_status=to_status, actor_id=actor.id,
                                   note=note, at=utcnow()))
    match.status = to_status


def express_interest(actor: User, position_id: int) -> bool:
    """The participant's own step: "I am interested" (no coach approval needed; the coach is informed).
    Returns whether anything changed (a second click, or a later step already taken, changes nothing)."""
    profile = _profile(actor)
    position_for(actor, position_id)
    match = db.session.scalar(select(Match).where(Match.profile_id == profile.id, Match.position_id == position_id))
    if match is None:
        match = Match(profile_id=profile.id, position_id=position_id, origin=MatchOrigin.PARTICIPANT,
                      status=MatchStatus.INTERESTED)
        match.events.append(MatchEvent(from_status=None, to_status=MatchStatus.INTERESTED, actor_id=actor.id))
        db.session.add(match)
    elif match.status in INTEREST_FROM:
        _transition(match, MatchStatus.INTERESTED, actor)
    else:
        return False
    profile.last_active_at = utcnow()
    db.session.flush()
    from .journey import tell_employer

    tell_employer(match)
    if profile.coach_id:
        position = db.session.get(Position, position_id)
        notify(profile.coach_id, "interest_expressed",
               {"position": position.title, "participant": actor.display_name},
               f"/coach/participants/{profile.id}")
    audit.record("interest_expressed", actor=actor, subject=actor, target=f"position:{position_id}")
    db.session.commit()
    return True


def withdraw_interest(actor: User, position_id: int) -> bool:
    """Take "I am interested" back (also after an invitation or offer); returns whether it changed."""
    profile = _profile(actor)
    match = db.session.scalar(select(Match).where(Match.profile_id == profile.id, Match.position_id == position_id))
    if match is None or match.status not in WITHDRAW_FROM:
        return False
    _transition(match, MatchStatus.WITHDRAWN, actor)
    audit.record("interest_withdrawn", actor=actor, subject=actor, target=f"position:{position_id}")
    db.session.commit()
    return True
