"""The conversation of one candidacy: the participant, the position's HR managers and the participant's coach.

Who may read it follows the relationship, not the role alone:
- the participant, from "I am interested" on (also after withdrawing: their own words stay theirs);
- the HR managers of the position's organisation, only while the participant is a candidate who allows
  sharing the profile (a withdrawal closes it to them; an erasure deletes it with the match);
- the participant's own coach. The coach's private notes are elsewhere and never part of it.
Anyone else gets "not found", as for a match that does not exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    ConversationRead,
    Match,
    MatchStatus,
    Message,
    Notification,
    ParticipantProfile,
    Position,
    Role,
    User,
)
from ..models.base import utcnow
from .errors import NotFound, PermissionDenied, ValidationFailed
from .notifications import notify

# a participant who reached one of these has said "I am interested": the conversation exists from then on
CANDIDATE = (MatchStatus.INTERESTED, MatchStatus.INVITED, MatchStatus.OFFERED, MatchStatus.PLACED,
             MatchStatus.COMPLETED, MatchStatus.HR_DECLINED)
# the participant and the coach keep reading (not writing) once the participant has withdrawn
READ_ONLY = (MatchStatus.WITHDRAWN,)


def link(match_id: int) -> str:
    return f"/conversations/{match_id}"


def _load(match_id: int) -> Match | None:
    return db.session.scalar(select(Match).where(Match.id == match_id).options(
        selectinload(Match.position).selectinload(Position.organisation),
        selectinload(Match.profile).selectinload(ParticipantProfile.user)))


def may_read(actor: User, match: Match) -> bool:
    if actor.role == Role.PARTICIPANT:
        return actor.profile is not None and match.profile_id == actor.profile.id and \
            match.status in (*CANDIDATE, *READ_ONLY)
    if actor.role == Role.HR:
        return (actor.organisation_id is not None and match.position.organisation_id == actor.organisation_id
                and match.status in CANDIDATE and bool(match.profile.consent_share_on_interest))
    if actor.role == Role.COACH:
        return match.profile.coach_id == actor.id and match.status in (*CANDIDATE, *READ_ONLY)
    return False


def may_write(actor: User, match: Match) -> bool:
    return may_read(actor, match) and match.status in CANDIDATE


def conversation(actor: User, match_id: int) -> Match:
    """The candidacy whose conversation ``actor`` may read; anything else is not found."""
    if actor.role == Role.ADMIN:
        raise PermissionDenied()
    match = _load(match_id)
    if match is None or not may_read(actor, match):
        raise NotFound(_("No such conversation."))
    return match


def participants_of(match: Match) -> list[User]:
    """Everyone who reads this conversation now: the participant, the coach, the HR managers (if they may)."""
    people = [match.profile.user]
    if match.profile.coach_id:
        coach = db.session.get(User, match.profile.coach_id)
        if coach is not None and coach.active:
            people.append(coach)
    if match.status in CANDIDATE and match.profile.consent_share_on_interest:
        people += [u for u in match.position.organisation.hr_users if u.active]
    return people


def author_name(reader: User, author: User | None, match: Match) -> str:
    """How an author is named to one reader: the employer by name and organisation, the coach as the coach."""
    if author is None:
        return _("a former user")
    if author.id == reader.id:
        return _("you")
    if author.role == Role.HR:
        return _("%(name)s (%(organisation)s)", name=author.display_name, organisation=match.position.organisation.name)
    if author.role == Role.COACH:
        return _("%(name)s (coach)", name=author.display_name) if reader.role != Role.PARTICIPANT \
            else _("%(name)s (your coach)", name=author.display_name)
    return author.display_name


@dataclass(frozen=True)
class Shown:
    message: Message
    author: str
    mine: bool
    new: bool


def messages(actor: User, match: Match) -> list[Shown]:
    """The conversation in order, each message with its author as ``actor`` sees them; marks it read."""
    rows = list(db.session.scalars(select(Message).where(Message.match_id == match.id)
                                   .options(selectinload(Message.author)).order_by(Message.id)))
    read = db.session.get(ConversationRead, (match.id, actor.id))
    last_read = read.last_read_id if read else 0
    shown = [Shown(m, author_name(actor, m.author, match), m.author_id == actor.id,
                   m.id > last_read and m.author_id != actor.id) for m in rows]
    if rows and rows[-1].id > last_read:
        if read is None:
            db.session.add(ConversationRead(match_id=match.id, user_id=actor.id, last_read_id=rows[-1].id))
        else:
            read.last_read_id = rows[-1].id
    db.session.execute(update(Notification).where(
        Notification.user_id == actor.id, Notification.link == link(match.id), Notification.read_at.is_(None))
        .values(read_at=utcnow()))
    db.session.commit()
    return shown


def post(actor: User, match_id: int, body: str) -> Message:
    """Write a message; everyone else in the conversation gets a notification (and an e-mail holding the
    message, in their own language, as their settings say)."""
    match = conversation(actor, match_id)
    if not may_write(actor, match):
        raise ValidationFailed(_("This conversation is closed: the candidacy was withdrawn."))
    text = "\n".join(line.rstrip() for line in (body or "").strip().splitlines())
    limit = current_app.config["MESSAGE_MAX_LENGTH"]
    if not text:
        raise ValidationFailed(_("Write a message first."))
    if len(text) > limit:
        raise ValidationFailed(_("A message can be at most %(num)d characters long.", num=limit))
    message = Message(match_id=match.id, author_id=actor.id, body=text, created_at=utcnow())
    db.session.add(message)
    db.session.flush()
    read = db.session.get(ConversationRead, (match.id, actor.id))
    if read is None:
        db.session.add(ConversationRead(match_id=match.id, user_id=actor.id, last_read_id=message.id))
    else:
        read.last_read_id = message.id
    for person in participants_of(match):
        if person.id != actor.id:
            notify(person.id, "message_received", {"author": author_name(person, actor, match),
                                                   "position": match.position.title}, link(match.id),
                   details=lambda _language, text=text: text)
    db.session.commit()
    return message


@dataclass(frozen=True)
class Thread:
    match: Match
    last_at: datetime | None
    messages: int
    unread: int


def inbox(actor: User, limit: int = 100) -> list[Thread]:
    """Every conversation ``actor`` may read, the latest first, with the number of unread messages."""
    stmt = select(Match).join(ParticipantProfile, ParticipantProfile.id == Match.profile_id)
    if actor.role == Role.PARTICIPANT:
        if actor.profile is None:
            return []
        stmt = stmt.where(Match.profile_id == actor.profile.id, Match.status.in_((*CANDIDATE, *READ_ONLY)))
    elif actor.role == Role.HR:
        stmt = stmt.join(Position, Position.id == Match.position_id).where(
            Position.organisation_id == actor.organisation_id, Match.status.in_(CANDIDATE),
            ParticipantProfile.consent_share_on_interest.is_(True))
    elif actor.role == Role.COACH:
        stmt = stmt.where(ParticipantProfile.coach_id == actor.id, Match.status.in_((*CANDIDATE, *READ_ONLY)))
    else:
        raise PermissionDenied()
    read = (select(ConversationRead.last_read_id).where(ConversationRead.match_id == Match.id,
                                                         ConversationRead.user_id == actor.id)
            .correlate(Match).scalar_subquery())
    counts = (select(Message.match_id, func.max(Message.created_at).label("last_at"),
                     func.count(Message.id).label("total"))
              .group_by(Message.match_id).subquery())
    unread = (select(func.count(Message.id)).where(
        Message.match_id == Match.id, or_(Message.author_id.is_(None), Message.author_id != actor.id),
        Message.id > func.coalesce(read, 0)).correlate(Match).scalar_subquery())
    rows = db.session.execute(
        stmt.outerjoin(counts, counts.c.match_id == Match.id)
        .add_columns(counts.c.last_at, func.coalesce(counts.c.total, 0), unread)
        .options(selectinload(Match.position).selectinload(Position.organisation),
                 selectinload(Match.profile).selectinload(ParticipantProfile.user))
        .order_by(counts.c.last_at.desc().nulls_last(), Match.updated_at.desc()).limit(limit)).all()
    return [Thread(match, last_at, total, unread) for match, last_at, total, unread in rows]


def unread_total(actor: User) -> int:
    return sum(t.unread for t in inbox(actor)) if actor.role != Role.ADMIN else 0
