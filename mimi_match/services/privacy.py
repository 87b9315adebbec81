"""The participant's data rights: export everything held about them, erase it, and retention.

Export is one JSON document of every row about the person. Erasure deletes every row about them
(profile, matches and their history, placements, evaluations, plan, notes, checks, notifications that
name them, audit entries about them, their sessions) and removes them from every stored copy of the
matching model; employers keep only an anonymous count per position. Retention reminds participants
who have been away for a long time and erases them if they do not come back.
"""
from __future__ import annotations

import enum
import hashlib
import logging
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, inspect, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import (
    ActionPlanItem,
    AuditEntry,
    CoachNote,
    CompetenceCheck,
    ConsentEvent,
    Evaluation,
    Match,
    MatchStatus,
    Meeting,
    Message,
    Notification,
    Organisation,
    ParticipantProfile,
    Placement,
    Position,
    Role,
    SavedPosition,
    User,
    UserSession,
)
from ..models.base import utcnow
from . import audit
from .errors import NotFound, PermissionDenied, ValidationFailed
from .notifications import notify
from .passwords import verify_password

log = logging.getLogger(__name__)
SECRET_COLUMNS = {"password_hash", "token_hash", "totp_secret", "recovery_codes", "totp_last_step", "email_skeleton"}
ERASURE_WORD = "DELETE"
# the employer knew of the person in these statuses: an anonymous count of them stays with the position
SEEN_BY_EMPLOYER = (MatchStatus.INTERESTED, MatchStatus.WITHDRAWN, MatchStatus.INVITED, MatchStatus.OFFERED,
                    MatchStatus.HR_DECLINED, MatchStatus.PLACED, MatchStatus.COMPLETED)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _row(obj) -> dict[str, Any]:
    """Every column of a row (never a password or session hash)."""
    return {c.key: _plain(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs
            if c.key not in SECRET_COLUMNS}


def _rows(model, *where) -> list[dict[str, Any]]:
    order = inspect(model).primary_key
    return [_row(r) for r in db.session.scalars(select(model).where(*where).order_by(*order))]


def _positions_named(ids: set[int]) -> list[dict[str, Any]]:
    """What each position a match, placement or saved position refers to is: title, kind, employer."""
    rows = db.session.execute(
        select(Position.id, Position.title, Position.kind, Position.status, Organisation.id, Organisation.name)
        .join(Organisation, Organisation.id == Position.organisation_id)
        .where(Position.id.in_(sorted(ids))).order_by(Position.id)).all() if ids else []
    return [{"id": pid, "title": title, "kind": _plain(kind), "status": _plain(status),
             "organisation": {"id": oid, "name": name}} for pid, title, kind, status, oid, name in rows]


def export(actor: User, user_id: int | None = None) -> dict[str, Any]:
    """Everything held about a participant, for themselves (or for an admin acting on a request)."""
    user = subject(actor, user_id)
    profile = user.profile
    data: dict[str, Any] = {"exported_at": utcnow().isoformat() + "Z", "account": _row(user),
                            "sessions": _rows(UserSession, UserSession.user_id == user.id)}
    if profile is not None:
        match_ids = list(db.session.scalars(select(Match.id).where(Match.profile_id == profile.id)))
        placement_ids = list(db.session.scalars(select(Placement.id).where(Placement.match_id.in_(match_ids))))
        data["profile"] = _row(profile)
        for name in ("skills", "languages", "desired_fields", "experiences", "educations"):
            data["profile"][name] = [_row(r) for r in getattr(profile, name)]
        data.update({
            "consent_history": _rows(ConsentEvent, ConsentEvent.profile_id == profile.id),
            "matches": [{**_row(m), "history": [_row(e) for e in m.events]}
                        for m in db.session.scalars(select(Match).where(Match.id.in_(match_ids)).order_by(Match.id))],
            "placements": _rows(Placement, Placement.id.in_(placement_ids)),
            "evaluations": _rows(Evaluation, Evaluation.placement_id.in_(placement_ids)),
            "action_plan": _rows(ActionPlanItem, ActionPlanItem.profile_id == profile.id),
            "coach_notes": _rows(CoachNote, CoachNote.profile_id == profile.id),
            "competence_checks": _rows(CompetenceCheck, CompetenceCheck.profile_id == profile.id),
            "saved_positions": _rows(SavedPosition, SavedPosition.profile_id == profile.id),
            # the conversations of the person's candidacies (who wrote, when, what) and their meetings
            "messages": _rows(Message, Message.match_id.in_(match_ids)),
            "meetings": [{**_row(m), "times_offered": [s.starts_at.isoformat() for s in m.slots]}
                         for m in db.session.scalars(select(Meeting).where(Meeting.match_id.in_(match_ids))
                                                     .order_by(Meeting.id))],
            "welcome_pages": _welcome_pages(placement_ids),
        })
        data["positions_referred_to"] = _positions_named(
            {m["position_id"] for m in data["matches"]} | {s["position_id"] for s in data["saved_positions"]})
    data["notifications"] = _rows(Notification, Notification.user_id == user.id)
    data["audit_entries"] = _rows(AuditEntry, or_(AuditEntry.subject_user_id == user.id,
                                                  AuditEntry.actor_id == user.id))
    audit.record("data_exported", actor=actor, subject=user, commit=True)
    return data


def _welcome_pages(placement_ids: list[int]) -> list[dict[str, Any]]:
    """What the employer prepared for the person's first day (the welcome page of each placement's guide)."""
    from ..models.guide import OnboardingGuide

    pages = []
    for guide in db.session.scalars(select(OnboardingGuide).where(OnboardingGuide.placement_id.in_(placement_ids))
                                    .order_by(OnboardingGuide.id)):
        pages.append({
            "placement_id": guide.placement_id, "start_date": _plain(guide.start_date),
            "first_day_time": guide.first_day_time.isoformat() if guide.first_day_time else None,
            "place": guide.first_day_place, "contact_name": guide.contact_name, "contact_phone": guide.contact_phone,
            "what_to_bring": guide.what_to_bring, "buddy": next((h.name for h in guide.helpers if h.is_buddy), ""),
            "shared_at": _plain(guide.welcome_shared_at)})
    return pages


def subject(actor: User, user_id: int | None) -> User:
    """Whose data: the participant themselves, or (for an admin) the participant asked for."""
    if user_id is None or (user_id == actor.id and actor.role != Role.ADMIN):
        if actor.role != Role.PARTICIPANT:
            raise PermissionDenied()
        return actor
    if actor.role != Role.ADMIN:
        raise PermissionDenied()
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.PARTICIPANT:
        raise NotFound(_("No such participant."))
    return user


def erase_own_account(actor: User, password: str, confirmation: str) -> None:
    """A participant deletes their account: password and the typed word, then everything goes."""
    if actor.role != Role.PARTICIPANT:
        raise PermissionDenied()
    if confirmation.strip().upper() != ERASURE_WORD:
        raise ValidationFailed(_("Type %(word)s to confirm.", word=ERASURE_WORD))
    if not verify_password(actor.password_hash, password):
        raise ValidationFailed(_("The password is not correct."))
    erase(actor, actor.id)


def erased_pseudonym(user_id: int) -> str:
    """How the audit log names a participant after erasure: the same for every entry about them, and
    meaningless without the secret key (it cannot be turned back into the account)."""
    key = hashlib.sha256(current_app.config["SECRET_KEY"].encode()).digest()
    return "erased participant " + hashlib.blake2s(f"erased\0{user_id}".encode(), key=key, digest_size=4).hexdigest()


def erase(actor: User | None, user_id: int) -> None:
    """Delete a participant and every row about them (the admin on request, themselves, or retention)."""
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.PARTICIPANT:
        raise NotFound(_("No such participant."))
    if actor is not None and actor.id != user.id and actor.role != Role.ADMIN:
        raise PermissionDenied()
    profile = user.profile
    if profile is not None:
        matches = list(db.session.scalars(select(Match).where(Match.profile_id == profile.id)))
        # the employer keeps only an anonymous count of candidates who have gone
        for match in matches:
            if match.status in SEEN_BY_EMPLOYER:
                db.session.execute(update(Position).where(Position.id == match.position_id)
                                   .values(erased_candidates=Position.erased_candidates + 1))
        placement_ids = list(db.session.scalars(select(Placement.id).where(
            Placement.match_id.in_([m.id for m in matches]))))
        links = [f"/coach/participants/{profile.id}"] + [f"/placements/{pid}" for pid in placement_ids]
        db.session.execute(delete(Notification).where(Notification.link.in_(links)))
    # accountability outlives the person: who on the staff saw or changed their data stays on record, about a
    # pseudonym; what they did themselves (their logins, their own changes) goes with them
    pseudonym = erased_pseudonym(user.id)
    db.session.execute(delete(AuditEntry).where(AuditEntry.actor_id == user.id))
    db.session.execute(update(AuditEntry).where(AuditEntry.subject_user_id == user.id)
                       .values(subject_user_id=None, subject_label=pseudonym))
    db.session.delete(user)  # cascades: sessions, profile and everything below it, own notifications
    audit.record("participant_erased", actor=actor if actor is not None and actor.id != user_id else None,
                 subject_label=pseudonym,
                 detail={"by": "self" if actor is not None and actor.id == user_id else
                         ("admin" if actor is not None else "retention")})
    try:
        db.session.commit()  # the same commit tells the matching worker, which drops them from its model and refits
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("erasure failed; nothing was deleted")
        raise ValidationFailed(_("The account could not be deleted just now, and nothing was deleted. "
                                 "Please try again in a moment.")) from None


# --- retention -------------------------------------------------------------------------------------------

def purge(today: datetime | None = None) -> dict[str, int]:
    """Remind participants inactive for ``RETENTION_DAYS``; erase those who did not come back within
    ``RETENTION_GRACE_DAYS`` of the reminder. Running it again the same day does nothing more."""
    now = today or utcnow()
    cfg = current_app.config
    inactive_since = now - timedelta(days=cfg["RETENTION_DAYS"])
    grace_until = now - timedelta(days=cfg["RETENTION_GRACE_DAYS"])
    stale = select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id).where(
        ParticipantProfile.last_active_at < inactive_since,
        or_(User.last_login_at.is_(None), User.last_login_at < inactive_since))
    reminded = erased = 0
    for profile in db.session.scalars(stale.where(ParticipantProfile.retention_reminded_at.is_(None))):
        profile.retention_reminded_at = now
        notify(profile.user_id, "retention_reminder", {"days": cfg["RETENTION_GRACE_DAYS"]}, "/me/")
        reminded += 1
    db.session.commit()
    for user_id in list(db.session.scalars(
            select(ParticipantProfile.user_id).where(ParticipantProfile.id.in_(
                stale.with_only_columns(ParticipantProfile.id).where(
                    ParticipantProfile.retention_reminded_at.is_not(None),
                    ParticipantProfile.retention_reminded_at <= grace_until))))):
        erase(None, user_id)
        erased += 1
    return {"reminded": reminded, "erased": erased}
