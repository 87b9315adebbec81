"""Following a person after a placement: 3, 6 and 12 months after it ended (``FOLLOW_UP_MONTHS``) the job
worker reminds the coach to record the situation (employed, in training, looking, other) and the everyday
barriers that remain; the participant can answer it themselves. The employer never sees it.
"""
from __future__ import annotations

import calendar
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import FollowUp, Placement, Role, User
from ..models.base import utcnow
from . import audit
from .errors import Conflict, NotFound, ValidationFailed
from .notifications import notify

SITUATIONS = ("employed", "training", "looking", "other")
BARRIERS = ("housing", "money", "childcare", "transport", "health", "papers", "language", "discrimination")


def months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan(placement: Placement) -> None:
    """When a placement ends: its follow-ups, due the configured months after the end."""
    months = [int(m) for m in str(current_app.config.get("FOLLOW_UP_MONTHS", "3,6,12")).split(",") if m.strip()]
    known = {f.months for f in db.session.scalars(select(FollowUp).where(FollowUp.placement_id == placement.id))}
    end = placement.end_date or date.today()
    for n in months:
        if n not in known and 0 < n <= 60:
            db.session.add(FollowUp(placement_id=placement.id, months=n, due_on=months_after(end, n)))


def for_placement(actor: User, placement: Placement) -> list[FollowUp]:
    """The follow-ups the participant or their coach may see (never the employer)."""
    if actor.role not in (Role.PARTICIPANT, Role.COACH):
        return []
    return list(db.session.scalars(select(FollowUp).where(FollowUp.placement_id == placement.id)
                                   .order_by(FollowUp.months)))


def record(actor: User, follow_up_id: int, situation: str, barriers: list[str], note: str = "") -> FollowUp:
    from .placements import get

    follow_up = db.session.get(FollowUp, follow_up_id)
    if follow_up is None or actor.role not in (Role.PARTICIPANT, Role.COACH):
        raise NotFound(_("No such follow-up."))
    placement, _voice = get(actor, follow_up.placement_id)  # NotFound for anyone not a party
    if follow_up.due_on > date.today():
        raise Conflict(_("This follow-up is not due yet."))
    if situation not in SITUATIONS:
        raise ValidationFailed(_("Choose the situation."))
    follow_up.situation = situation
    follow_up.barriers = [b for b in dict.fromkeys(barriers) if b in BARRIERS]
    follow_up.note = (note or "").strip()[:2000]
    follow_up.recorded_by_id, follow_up.recorded_at = actor.id, utcnow()
    audit.record("follow_up_recorded", actor=actor, subject_user_id=placement.match.profile.user_id,
                 detail={"placement": placement.id, "months": follow_up.months})
    db.session.commit()
    return follow_up


def remind(today: date | None = None) -> int:
    """Due follow-ups not recorded yet: the coach is reminded, and the participant asked (once each)."""
    from .placements import coach_id_of

    today = today or date.today()
    due = list(db.session.scalars(select(FollowUp).where(
        FollowUp.due_on <= today, FollowUp.recorded_at.is_(None), FollowUp.reminded_at.is_(None))))
    for follow_up in due:
        placement = db.session.get(Placement, follow_up.placement_id)
        link = f"/placements/{placement.id}#follow-up"
        payload = {"position": placement.match.position.title, "months": follow_up.months}
        coach = coach_id_of(placement)
        if coach:
            notify(coach, "follow_up_due", payload, link)
        notify(placement.match.profile.user_id, "follow_up_asked", payload, link)
        follow_up.reminded_at = utcnow()
    db.session.commit()
    return len(due)

