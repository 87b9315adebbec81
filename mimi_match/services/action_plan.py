"""The participant's action plan: their own goals and steps, which their coach may add to."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..matching.cefr import LEVELS
from ..models import ActionPlanItem, ActionSource, ActionStatus, ParticipantProfile, Role, User
from ..models.base import utcnow
from ..vocabulary import vocabulary
from . import skill_names
from .errors import NotFound, PermissionDenied, ValidationFailed

MAX_OPEN_ITEMS = 50


def _profile_for(actor: User, profile_id: int | None) -> ParticipantProfile:
    """The profile whose plan ``actor`` may work on: their own, or one in a coach's caseload."""
    if actor.role == Role.PARTICIPANT and actor.profile is not None and profile_id in (None, actor.profile.id):
        return actor.profile
    if actor.role == Role.COACH and profile_id is not None:
        profile = db.session.get(ParticipantProfile, profile_id)
        if profile is not None and profile.coach_id == actor.id:
            return profile
    raise NotFound(_("No such participant."))


def items(actor: User, profile_id: int | None = None) -> list[ActionPlanItem]:
    profile = _profile_for(actor, profile_id)
    return list(db.session.scalars(
        select(ActionPlanItem).where(ActionPlanItem.profile_id == profile.id)
        .order_by(ActionPlanItem.status == ActionStatus.DONE, ActionPlanItem.due_date.is_(None),
                  ActionPlanItem.due_date, ActionPlanItem.id)))


def add_item(actor: User, title: str, detail: str = "", due_date: date | None = None,
             profile_id: int | None = None, source: ActionSource | None = None, *,
             skill_label: str | None = None, skill_concept_uri: str | None = None) -> ActionPlanItem:
    profile = _profile_for(actor, profile_id)
    open_count = db.session.scalar(select(db.func.count()).select_from(ActionPlanItem).where(
        ActionPlanItem.profile_id == profile.id, ActionPlanItem.status != ActionStatus.DONE)) or 0
    if open_count >= MAX_OPEN_ITEMS:
        raise ValidationFailed(_("The plan already has %(n)d open steps. Finish some first.", n=MAX_OPEN_ITEMS))
    title = " ".join(title.split())[:200]
    if not title:
        raise ValidationFailed(_("Write what the step is."))
    if source is None:
        source = ActionSource.COACH if actor.role == Role.COACH else ActionSource.OWN
    item = ActionPlanItem(profile_id=profile.id, title=title, detail=detail.strip(), due_date=due_date,
                          source=source, created_by_id=actor.id, skill_label=skill_label,
                          skill_concept_uri=skill_concept_uri)
    db.session.add(item)
    profile.last_active_at = utcnow() if actor.role == Role.PARTICIPANT else profile.last_active_at
    db.session.commit()
    return item


def _skill_step(skill: str) -> tuple[str, str]:
    """The title and detail of a step for a missing skill, in the current language."""
    return (_("Learn: %(skill)s", skill=skill),
            _("Ask your coach how you can learn or show this skill, for example in a "
              "micro-internship or a course."))


def add_from_gap(actor: User, kind: str, value: str, language: str | None = None,
                 concept_uri: str | None = None) -> ActionPlanItem:
    """A step from a gap: a missing skill (as the position names it, with its concept when the page
    knows it), or a language level to reach."""
    if kind == "skill":
        label = " ".join(value.split())[:150]
        if not label:
            raise ValidationFailed(_("Which skill?"))
        language = language or actor.locale
        vocab = vocabulary()
        concept = concept_uri if vocab.get(concept_uri) is not None else vocab.resolve(label, language)
        title, detail = _skill_step(skill_names.name(label, concept, language))
        return add_item(actor, title, detail, source=ActionSource.SKILL_GAP, skill_label=label,
                        skill_concept_uri=concept)
    if kind == "language" and value in LEVELS:
        return add_item(actor, _("Reach level %(level)s in the local language", level=value),
                        _("Ask your coach about language courses and language practice at work."),
                        source=ActionSource.LANGUAGE_GAP)
    raise ValidationFailed(_("This step cannot be added."))


@dataclass(frozen=True)
class StepText:
    title: str
    detail: str


def texts(items: list[ActionPlanItem], language: str | None) -> dict[int, StepText]:
    """What each step says for a reader in ``language`` (the current language): a step for a missing
    skill names the skill in that language; any other step keeps the words it was written with."""
    shown = {}
    for item in items:
        if item.source == ActionSource.SKILL_GAP and item.skill_label:
            shown[item.id] = StepText(*_skill_step(skill_names.name(item.skill_label, item.skill_concept_uri,
                                                                    language)))
        else:
            shown[item.id] = StepText(item.title, item.detail)
    return shown


def set_status(actor: User, item_id: int, status: str, profile_id: int | None = None) -> ActionPlanItem:
    """Mark progress: open, in progress, done (the participant or their coach)."""
    item = db.session.get(ActionPlanItem, item_id)
    if item is None or (profile_id is not None and item.profile_id != profile_id):
        raise NotFound(_("No such step."))
    _profile_for(actor, item.profile_id)
    try:
        new_status = ActionStatus(status)
    except ValueError:
        raise ValidationFailed(_("Unknown status.")) from None
    item.status = new_status
    item.completed_at = utcnow() if new_status == ActionStatus.DONE else None
    db.session.commit()
    return item


def remove_item(actor: User, item_id: int) -> None:
    item = db.session.get(ActionPlanItem, item_id)
    if item is None:
        raise NotFound(_("No such step."))
    _profile_for(actor, item.profile_id)
    if actor.role == Role.COACH and item.created_by_id != actor.id:
        raise PermissionDenied(_("A coach can only remove steps they added."))
    db.session.delete(item)
    db.session.commit()
