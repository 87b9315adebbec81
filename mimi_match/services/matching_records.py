"""Participants and positions as the matching model's plain records, read with a few set-based queries
(tuples, not ORM objects), so that a hundred thousand profiles load in seconds and little memory.

What the model may know and nothing more: never a name, contact details, nationality, age, gender,
religion or health.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..matching.records import ParticipantRecord, PositionRecord, Skill
from ..models import (
    DesiredField,
    Education,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    Position,
    PositionSkill,
    PositionStatus,
    SkillConfirmation,
    User,
    WorkExperience,
)

CHUNK = 1000  # ids per IN list: far below every database's parameter limit
STREAM = {"yield_per": 5000}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _rows(statement, column, ids: list[int] | None):
    """Rows of ``statement``, all of them (streamed) or those whose ``column`` is one of ``ids``."""
    if ids is None:
        yield from db.session.execute(statement, execution_options=STREAM)
        return
    for chunk in _chunks(ids):
        yield from db.session.execute(statement.where(column.in_(chunk)))


def participant_records(ids: Iterable[int] | None = None) -> dict[int, ParticipantRecord]:
    """Every participant who may be matched now (consented, active account), or exactly the profiles
    ``ids`` whatever their consent (``consent_matching`` is then False for those who may not be matched);
    a profile that no longer exists is missing from the result."""
    wanted = None if ids is None else sorted(set(ids))
    base = select(ParticipantProfile.id, ParticipantProfile.consent_matching, User.active, ParticipantProfile.region,
                  ParticipantProfile.remote_ok, ParticipantProfile.available_from, ParticipantProfile.hours_per_week,
                  ParticipantProfile.desired_kinds, ParticipantProfile.wish_text) \
        .join(User, User.id == ParticipantProfile.user_id)
    if wanted is None:
        base = base.where(ParticipantProfile.consent_matching.is_(True), User.active.is_(True))
    records: dict[int, ParticipantRecord] = {}
    for pid, consent, active, region, remote, available, hours, kinds, wish in _rows(base, ParticipantProfile.id,
                                                                                     wanted):
        records[pid] = ParticipantRecord(
            id=pid, region=region or "", remote_ok=bool(remote), available_from=available, hours_per_week=hours,
            desired_kinds=kinds.value if kinds is not None else "both", wish_text=wish or "",
            consent_matching=bool(consent and active))
    if not records:
        return records
    keys = wanted if wanted is not None else None

    def keep(rows):
        return (row for row in rows if row[0] in records)

    for pid, label, concept, confirmation in keep(_rows(
            select(ParticipantSkill.profile_id, ParticipantSkill.label, ParticipantSkill.concept_uri,
                   ParticipantSkill.confirmation).order_by(ParticipantSkill.id), ParticipantSkill.profile_id, keys)):
        records[pid].skills.append(Skill(label, concept, confirmation != SkillConfirmation.SELF_STATED))
    for pid, language, level in keep(_rows(
            select(ParticipantLanguage.profile_id, ParticipantLanguage.language, ParticipantLanguage.level)
            .order_by(ParticipantLanguage.id), ParticipantLanguage.profile_id, keys)):
        records[pid].languages[language] = level.value
    for pid, field_id in keep(_rows(
            select(DesiredField.profile_id, DesiredField.field_id).order_by(DesiredField.profile_id, DesiredField.rank),
            DesiredField.profile_id, keys)):
        records[pid].desired_fields.append(field_id)
    texts: dict[int, list[str]] = defaultdict(list)
    for pid, title, description in keep(_rows(
            select(WorkExperience.profile_id, WorkExperience.title, WorkExperience.description)
            .order_by(WorkExperience.id), WorkExperience.profile_id, keys)):
        texts[pid].append(f"{title} {description}")
    for pid, title in keep(_rows(select(Education.profile_id, Education.title).order_by(Education.id),
                                 Education.profile_id, keys)):
        texts[pid].append(title)
    for pid, parts in texts.items():
        records[pid].experience = " ".join(parts)
    return records


def record_of(profile: ParticipantProfile) -> ParticipantRecord:
    """What ``participant_records([profile.id])`` gives, from a profile whose parts and user are loaded already
    (a page that shows the profile): no query."""
    return ParticipantRecord(
        id=profile.id, region=profile.region or "", remote_ok=bool(profile.remote_ok),
        available_from=profile.available_from, hours_per_week=profile.hours_per_week,
        desired_kinds=profile.desired_kinds.value if profile.desired_kinds is not None else "both",
        wish_text=profile.wish_text or "", consent_matching=bool(profile.consent_matching and profile.user.active),
        skills=[Skill(s.label, s.concept_uri, s.confirmation != SkillConfirmation.SELF_STATED) for s in profile.skills],
        languages={lang.language: lang.level.value for lang in profile.languages},
        desired_fields=[d.field_id for d in profile.desired_fields],
        experience=" ".join([*(f"{e.title} {e.description}" for e in profile.experiences),
                             *(e.title for e in profile.educations)]))


def position_records(ids: Iterable[int] | None = None, today: date | None = None) -> dict[int, PositionRecord]:
    """Every position open now, or exactly the positions ``ids`` (``is_open`` False for those not open)."""
    today = today or date.today()
    wanted = None if ids is None else sorted(set(ids))
    base = select(Position.id, Position.field_id, Position.kind, Position.title, Position.description,
                  Position.host_language, Position.host_language_level, Position.region, Position.remote,
                  Position.hours_per_week, Position.start_date, Position.openings, Position.status,
                  Position.listed_until)
    if wanted is None:
        base = base.where(Position.status == PositionStatus.OPEN, Position.listed_until >= today)
    records: dict[int, PositionRecord] = {}
    for (qid, field_id, kind, title, description, host_language, level, region, remote, hours, start, openings,
         status, listed_until) in _rows(base, Position.id, wanted):
        records[qid] = PositionRecord(
            id=qid, field_id=field_id, kind=kind.value, title=title, description=description or "",
            host_language=host_language, level_needed=level.value if level else None, region=region or "",
            remote=bool(remote), hours_per_week=hours, start_date=start, openings=openings,
            is_open=status == PositionStatus.OPEN and listed_until >= today)
    if records:
        for qid, label, concept, required in _rows(
                select(PositionSkill.position_id, PositionSkill.label, PositionSkill.concept_uri,
                       PositionSkill.required).order_by(PositionSkill.id), PositionSkill.position_id, wanted):
            record = records.get(qid)
            if record is not None:
                (record.required if required else record.nice).append(Skill(label, concept))
    return records
