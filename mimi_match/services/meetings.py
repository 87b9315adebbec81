"""Meetings in a candidacy: the employer (or the coach) offers one to three times, the participant chooses
one, declines, or asks for another time; everyone gets a calendar file (RFC 5545, written by ``icalendar``)
and a reminder the day before from the job worker. Times are typed and shown in the installation's time
zone (``TIME_ZONE``) and stored in UTC. Each step is part of the match's history.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from flask import current_app
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import Match, MatchEvent, MatchStatus, Meeting, MeetingSlot, MeetingStatus, Role, User
from ..models.base import utcnow
from . import account_links, audit, conversations
from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from .notifications import notify

OPEN = (MeetingStatus.PROPOSED, MeetingStatus.OTHER_TIME, MeetingStatus.ACCEPTED)
MAX_SLOTS = 3


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIME_ZONE") or "UTC")


def to_utc(local: datetime) -> datetime:
    """A time typed in the installation's zone, as stored (UTC, without tzinfo)."""
    return local.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def when(value: datetime) -> str:
    """A meeting time as people say it, in the installation's zone: "Thursday 10 December 2026, 10:00"."""
    return f"{format_date(value, 'full')}, {format_time(value, 'short')}"


def for_match(match: Match) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.match_id == match.id)
                                   .options(selectinload(Meeting.slots)).order_by(Meeting.id)))


def _event(match: Match, actor: User, code: str, note: str = "") -> None:
    """A step of the meeting in the match's history (the status itself does not change)."""
    match.events.append(MatchEvent(from_status=match.status, to_status=match.status, actor_id=actor.id,
                                   reason_code=code, note=note[:2000], at=utcnow()))


def _valid_link(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in url):
        raise ValidationFailed(_("A video link must start with https:// (for example https://meet.example.org/abc)."))
    return url


def propose(actor: User, match_id: int, slots: list[datetime], duration_minutes: int, place: str = "",
            video_link: str = "", attendees: str = "") -> Meeting:
    """Offer one to three times (typed in the installation's zone); any earlier open proposal of this
    candidacy is called off. From "interested", an employer's proposal is the invitation to meet."""
    if actor.role not in (Role.HR, Role.COACH):
        raise PermissionDenied()
    match = conversations.conversation(actor, match_id)
    if match.status not in (MatchStatus.INTERESTED, MatchStatus.INVITED, MatchStatus.OFFERED):
        raise Conflict(_("A meeting can be proposed while the candidacy is open (interested, invited or offered)."))
    times = sorted({to_utc(s) for s in slots if s is not None})
    if not 1 <= len(times) <= MAX_SLOTS:
        raise ValidationFailed(_("Offer one, two or three different times."))
    if times[0] <= utcnow():
        raise ValidationFailed(_("Every time offered must be in the future."))
    if times[-1] > utcnow() + timedelta(days=366):
        raise ValidationFailed(_("Offer times within the next year."))
    if not 15 <= (duration_minutes or 0) <= 480:
        raise ValidationFailed(_("A meeting lasts between 15 minutes and 8 hours."))
    place, attendees = place.strip()[:300], attendees.strip()[:300]
    video_link = _valid_link(video_link)
    if not place and not video_link:
        raise ValidationFailed(_("Give a place or a video link."))
    replaced = _close_open(match, actor)
    meeting = Meeting(match_id=match.id, proposed_by_id=actor.id, duration_minutes=duration_minutes, place=place,
                      video_link=video_link, attendees=attendees, slots=[MeetingSlot(starts_at=t) for t in times])
    db.session.add(meeting)
    if actor.role == Role.HR and match.status == MatchStatus.INTERESTED:
        match.events.append(MatchEvent(from_status=match.status, to_status=MatchStatus.INVITED, actor_id=actor.id,
                                       note="", at=utcnow()))
        match.status = MatchStatus.INVITED
    _event(match, actor, "meeting_proposed")
    _tell(match, actor, "meeting_proposed")
    for old in replaced:
        _tell(match, actor, "meeting_cancelled", meeting=old)
    audit.record("meeting_proposed", actor=actor, subject_user_id=match.profile.user_id, target=f"match:{match.id}")
    _commit()
    return meeting


def _close_open(match: Match, actor: User) -> list[Meeting]:
    """Call off the candidacy's open proposals; returns the agreed ones among them (their calendars cancel)."""
    agreed = []
    for old in for_match(match):
        if old.status in OPEN:
            if old.status == MeetingStatus.ACCEPTED:
                agreed.append(old)
            old.status = MeetingStatus.CANCELLED
            old.sequence += 1
    return agreed


def _load(actor: User, meeting_id: int) -> tuple[Meeting, Match]:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_("No such meeting."))
    match = conversations.conversation(actor, meeting.match_id)
    return meeting, match


def answer(actor: User, meeting_id: int, choice: str, note: str = "", version: int | None = None) -> Meeting:
    """The participant's answer: a slot id (that time suits me), ``decline``, or ``other`` (with a note)."""
    if actor.role != Role.PARTICIPANT:
        raise PermissionDenied()
    meeting, match = _load(actor, meeting_id)
    if not conversations.may_write(actor, match):
        raise Conflict(_("This conversation is closed: the candidacy was withdrawn."))
    if meeting.status not in (MeetingStatus.PROPOSED, MeetingStatus.ACCEPTED) or \
            (version is not None and version != meeting.version_id):
        raise Conflict(_("This meeting changed in the meantime. Please look again."))
    note = note.strip()[:1000]
    if choice == "decline":
        meeting.status, kind = MeetingStatus.DECLINED, "meeting_declined"
        meeting.sequence += 1
    elif choice == "other":
        if not note:
            raise ValidationFailed(_("Write which days and times would suit you."))
        meeting.status, kind = MeetingStatus.OTHER_TIME, "meeting_other_time"
        meeting.sequence += 1
    else:
        slot = next((s for s in meeting.slots if str(s.id) == choice), None)
        if slot is None:
            raise ValidationFailed(_("Choose one of the times offered."))
        if slot.starts_at <= utcnow():
            raise ValidationFailed(_("This time has passed. Please ask for another time."))
        meeting.status, meeting.starts_at, kind = MeetingStatus.ACCEPTED, slot.starts_at, "meeting_accepted"
        meeting.sequence += 1
        meeting.reminded_at = None
    meeting.note = note
    _event(match, actor, kind, note)
    _tell(match, actor, kind, meeting=meeting)
    audit.record(kind, actor=actor, subject=actor, target=f"match:{match.id}")
    _commit()
    return meeting


def cancel(actor: User, meeting_id: int) -> Meeting:
    """The employer or the coach calls a meeting off."""
    if actor.role not in (Role.HR, Role.COACH):
        raise PermissionDenied()
    meeting, match = _load(actor, meeting_id)
    if meeting.status not in OPEN:
        raise Conflict(_("This meeting is not open any more."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    _event(match, actor, "meeting_cancelled")
    _tell(match, actor, "meeting_cancelled", meeting=meeting)
    audit.record("meeting_cancelled", actor=actor, subject_user_id=match.profile.user_id, target=f"match:{match.id}")
    _commit()
    return meeting


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("This meeting changed in the meantime. Please look again.")) from None


def _tell(match: Match, actor: User | None, kind: str, meeting: Meeting | None = None) -> None:
    """Everyone else in the candidacy hears of the step; once a time was agreed, the e-mail carries the
    calendar file (a cancellation when the agreed time no longer holds)."""
    def calendar(language: str) -> list[tuple[str, str, str]]:
        return [(f"meeting-{meeting.id}.ics", "text/calendar", ics(meeting, match, language))]

    with_file = meeting is not None and meeting.starts_at is not None
    for person in conversations.participants_of(match):
        if actor is not None and person.id == actor.id and kind != "meeting_accepted":
            continue  # who chose the time gets the calendar file too
        notify(person.id, kind, {"position": match.position.title}, conversations.link(match.id),
               details=_details(meeting, match) if meeting is not None else None,
               attachments=calendar if with_file else None)


def _details(meeting: Meeting, match: Match):
    def write(language: str) -> str:
        with force_locale(language):
            lines = []
            if meeting.starts_at:
                lines.append(_("When: %(time)s", time=when(meeting.starts_at)))
            if meeting.place:
                lines.append(_("Where: %(place)s", place=meeting.place))
            if meeting.video_link:
                lines.append(_("Video link: %(link)s", link=meeting.video_link))
            return "\n".join(lines)
    return write


def ics(meeting: Meeting, match: Match, language: str) -> str:
    """The meeting as an iCalendar file (one VEVENT; cancelled ones say so), in ``language``."""
    with force_locale(language):
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//MiMi Match//meetings//EN")
        calendar.add("version", "2.0")
        calendar.add("method", "CANCEL" if meeting.status != MeetingStatus.ACCEPTED else "PUBLISH")
        event = icalendar.Event()
        host = urlsplit(current_app.config.get("PUBLIC_URL") or "http://mimi-match.local").hostname or "mimi-match"
        event.add("uid", f"meeting-{meeting.id}@{host}")
        start = (meeting.starts_at or (meeting.slots[0].starts_at if meeting.slots else utcnow())).replace(tzinfo=UTC)
        event.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
        event.add("sequence", meeting.sequence)
        event.add("summary", _("Meeting: %(position)s (%(organisation)s)", position=match.position.title,
                               organisation=match.position.organisation.name))
        event.add("location", meeting.place or meeting.video_link)
        lines = [_("About the position %(position)s.", position=match.position.title)]
        if meeting.attendees:
            lines.append(_("Who attends: %(people)s", people=meeting.attendees))
        if meeting.video_link:
            lines.append(_("Video link: %(link)s", link=meeting.video_link))
        lines.append(account_links.absolute(conversations.link(match.id)))
        event.add("description", "\n".join(lines))
        if meeting.video_link:
            event.add("url", meeting.video_link)
        event.add("status", "CONFIRMED" if meeting.status == MeetingStatus.ACCEPTED else "CANCELLED")
        calendar.add_component(event)
        return calendar.to_ical().decode()


def calendar_file(actor: User, meeting_id: int, language: str) -> tuple[str, str]:
    """The calendar file of an agreed (or cancelled) meeting for someone in the candidacy."""
    meeting, match = _load(actor, meeting_id)
    if meeting.starts_at is None:
        raise NotFound(_("No time has been agreed for this meeting yet."))
    return f"meeting-{meeting.id}.ics", ics(meeting, match, language)


def remind(now: datetime | None = None) -> int:
    """The day before: remind everyone in the candidacy of an agreed meeting (once; the job worker runs this)."""
    now = now or utcnow()
    due = list(db.session.scalars(select(Meeting).where(
        Meeting.status == MeetingStatus.ACCEPTED, Meeting.reminded_at.is_(None),
        Meeting.starts_at > now, Meeting.starts_at <= now + timedelta(hours=24))))
    for meeting in due:
        match = db.session.get(Match, meeting.match_id)
        if match is None:
            continue
        meeting.reminded_at = now
        _tell(match, None, "meeting_reminder", meeting=meeting)
    db.session.commit()
    return len(due)
