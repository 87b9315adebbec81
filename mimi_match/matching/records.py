"""Plain records the model takes in: what it may know about participants and positions.

There are deliberately no fields for nationality, ethnicity, religion, health, gender or age: the
feature builders cannot see what these records cannot hold (a test checks the field lists).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill as a vocabulary concept (``concept``) and/or the words typed (``label``)."""

    label: str
    concept: str | None = None
    confirmed: bool = False  # participants: checked in a competence check or shown in a placement


@dataclass(slots=True)
class ParticipantRecord:
    id: int
    skills: list[Skill] = field(default_factory=list)
    experience: str = ""  # titles and descriptions of past work and education, as text
    languages: dict[str, str] = field(default_factory=dict)  # language code -> CEFR level
    desired_fields: list[int] = field(default_factory=list)  # field ids, most wanted first (max 3)
    wish_text: str = ""
    region: str = ""
    remote_ok: bool = False
    available_from: date | None = None
    hours_per_week: int | None = None
    desired_kinds: str = "both"  # "vacancy", "micro_internship" or "both"
    consent_matching: bool = True


@dataclass(slots=True)
class PositionRecord:
    id: int
    field_id: int
    kind: str  # "vacancy" or "micro_internship"
    title: str = ""
    description: str = ""
    required: list[Skill] = field(default_factory=list)
    nice: list[Skill] = field(default_factory=list)
    host_language: str = "nb"
    level_needed: str | None = None  # CEFR level of the host language, None = no requirement
    region: str = ""
    remote: bool = False
    hours_per_week: int | None = None
    start_date: date | None = None
    openings: int = 1
    is_open: bool = True
