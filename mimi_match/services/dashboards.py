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
from .candidates import DECLINED, IN_PROGRESS, PLACED
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
    in_progress: int = 0  # candidates waiting for our answer, invited to a meeting, or offered the position
    waiting: int = 0  # of those, the ones who said "I am interested" and wait for our first answer
    placed: int = 0  # placed or completed
    declined: int = 0  # declined by us


def organisation_positions(actor: User) -> dict[PositionStatus, list[PositionRow]]:
    """An HR manager's positions by status, each with its candidates counted by stage (two queries)."""
    if actor.role != Role.HR or actor.organisation_id is None:
        raise PermissionDenied()
    positions = db.session.scalars(
        select(Position)
        .where(Position.organisation_id == actor.organisation_id)
        .options(selectinload(Position.field))
        .order_by(Position.updated_at.desc(), Position.id.desc())
    ).all()
    rows = {position.id: PositionRow(position) for position in positions}
    counts = db.session.execute(
        select(Match.position_id, Match.status, func.count())
        .join(Position, Position.id == Match.position_id)
        .where(Position.organisation_id == actor.organisation_id,
               Match.status.in_(IN_PROGRESS + PLACED + DECLINED))
        .group_by(Match.position_id, Match.status)
    )
    for position_id, status, n in counts:
        row = rows.get(position_id)
        if row is None:
            continue
        if status in IN_PROGRESS:
            row.in_progress += n
            if status == MatchStatus.INTERESTED:
                row.waiting += n
        elif status in PLACED:
            row.placed += n
        else:
            row.declined += n
    grouped: dict[PositionStatus, list[PositionRow]] = {status: [] for status in PositionStatus}
    for row in rows.values():
        grouped[row.position.status].append(row)
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
