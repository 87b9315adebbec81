"""Read-only summaries for the page each role lands on."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    ActionPlanItem,
    ActionStatus,
    DesiredField,
    Match,
    MatchStatus,
    ParticipantProfile,
    Position,
    PositionStatus,
    Role,
    User,
)
from .errors import PermissionDenied


@dataclass
class ParticipantSummary:
    profile: ParticipantProfile
    open_actions: list[ActionPlanItem]


def participant_summary(actor: User) -> ParticipantSummary:
    """What a participant sees first: their profile in brief and their open action-plan steps."""
    if actor.role != Role.PARTICIPANT or actor.profile is None:
        raise PermissionDenied()
    profile = db.session.scalar(
        select(ParticipantProfile)
        .where(ParticipantProfile.id == actor.profile.id)
        .options(
            selectinload(ParticipantProfile.skills),
            selectinload(ParticipantProfile.languages),
            selectinload(ParticipantProfile.desired_fields).selectinload(DesiredField.field),
        )
    )
    actions = db.session.scalars(
        select(ActionPlanItem)
        .where(ActionPlanItem.profile_id == profile.id, ActionPlanItem.status != ActionStatus.DONE)
        .order_by(ActionPlanItem.due_date.is_(None), ActionPlanItem.due_date, ActionPlanItem.id)
    ).all()
    return ParticipantSummary(profile=profile, open_actions=list(actions))


def caseload(actor: User) -> list[ParticipantProfile]:
    """The participants assigned to a coach, with what the list shows loaded in few queries."""
    if actor.role != Role.COACH:
        raise PermissionDenied()
    return list(
        db.session.scalars(
            select(ParticipantProfile)
            .join(User, User.id == ParticipantProfile.user_id)
            .where(ParticipantProfile.coach_id == actor.id, User.active.is_(True))
            .options(
                selectinload(ParticipantProfile.user),
                selectinload(ParticipantProfile.skills),
                selectinload(ParticipantProfile.languages),
                selectinload(ParticipantProfile.desired_fields).selectinload(DesiredField.field),
            )
            .order_by(User.display_name)
        )
    )


@dataclass
class PositionRow:
    position: Position
    interested: int


def organisation_positions(actor: User) -> dict[PositionStatus, list[PositionRow]]:
    """An HR manager's positions by status, each with the number of interested candidates."""
    if actor.role != Role.HR or actor.organisation_id is None:
        raise PermissionDenied()
    interested = (
        select(Match.position_id, func.count().label("n"))
        .where(Match.status == MatchStatus.INTERESTED)
        .group_by(Match.position_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Position, func.coalesce(interested.c.n, 0))
        .outerjoin(interested, interested.c.position_id == Position.id)
        .where(Position.organisation_id == actor.organisation_id)
        .options(selectinload(Position.field))
        .order_by(Position.updated_at.desc())
    ).all()
    grouped: dict[PositionStatus, list[PositionRow]] = {status: [] for status in PositionStatus}
    for position, count in rows:
        grouped[position.status].append(PositionRow(position, count))
    return grouped


def installation_counts(actor: User) -> dict[str, int]:
    """Headline numbers for the administrator."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied()
    counts = {f"users_{role.value}": 0 for role in Role}
    for role, n in db.session.execute(select(User.role, func.count()).group_by(User.role)):
        counts[f"users_{role.value}"] = n
    for status, n in db.session.execute(select(Position.status, func.count()).group_by(Position.status)):
        counts[f"positions_{status.value}"] = n
    counts["unassigned"] = db.session.scalar(
        select(func.count()).select_from(ParticipantProfile).where(ParticipantProfile.coach_id.is_(None))
    ) or 0
    return counts
