"""Enumerations of the domain; values are stored in the database, labels are translated in views."""
from __future__ import annotations

import enum

from ..matching.cefr import LEVELS

CEFRLevel = enum.StrEnum("CEFRLevel", {level: level for level in LEVELS})


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    COACH = "coach"
    HR = "hr"
    ADMIN = "admin"


class PositionKind(enum.StrEnum):
    VACANCY = "vacancy"
    MICRO_INTERNSHIP = "micro_internship"


class PositionStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class InternshipPurpose(enum.StrEnum):
    DISCOVER_TRADE = "discover_trade"
    CONFIRM_PLAN = "confirm_plan"
    START_RECRUITMENT = "start_recruitment"


class ContractType(enum.StrEnum):
    PERMANENT = "permanent"
    TEMPORARY = "temporary"
    APPRENTICESHIP = "apprenticeship"
    SEASONAL = "seasonal"
    INTERNSHIP = "internship"


class DesiredKinds(enum.StrEnum):
    VACANCY = "vacancy"
    MICRO_INTERNSHIP = "micro_internship"
    BOTH = "both"


class SkillConfirmation(enum.StrEnum):
    SELF_STATED = "self_stated"
    COMPETENCE_CHECK = "competence_check"
    PLACEMENT = "placement"


class RecognitionStatus(enum.StrEnum):
    RECOGNISED = "recognised"
    IN_PROCESS = "in_process"
    NOT_STARTED = "not_started"
    NOT_NEEDED = "not_needed"


class ConsentKind(enum.StrEnum):
    MATCHING = "matching"
    FINDABLE = "findable"
    SHARE_ON_INTEREST = "share_on_interest"


class CheckMethod(enum.StrEnum):
    INTERVIEW = "interview"
    PRACTICAL = "practical"
    BOTH = "both"


class CheckResult(enum.StrEnum):
    CONFIRMED = "confirmed"
    PARTLY = "partly"
    NOT_CONFIRMED = "not_confirmed"


class MatchStatus(enum.StrEnum):
    SUGGESTED = "suggested"
    # an employer invited an anonymous card to look at a position: the participant decides, the employer
    # learns nothing of the person until they say "I am interested"
    EMPLOYER_INVITED = "employer_invited"
    APPROVED = "approved"
    REJECTED = "rejected"
    INTERESTED = "interested"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    INVITED = "invited"
    OFFERED = "offered"
    HR_DECLINED = "hr_declined"
    PLACED = "placed"
    COMPLETED = "completed"


class MatchOrigin(enum.StrEnum):
    MODEL = "model"
    PARTICIPANT = "participant"
    HR_INVITE = "hr_invite"


class RejectReason(enum.StrEnum):
    SKILLS = "skills"
    LANGUAGE = "language"
    LOCATION = "location"
    AVAILABILITY = "availability"
    NOT_READY = "not_ready"
    OTHER = "other"


class PlacementStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class PlacementOutcome(enum.StrEnum):
    JOB_OFFER = "job_offer"
    FURTHER_TRAINING = "further_training"
    NOT_SUITABLE = "not_suitable"
    DID_NOT_SHOW = "did_not_show"
    ABANDONED = "abandoned"


class EvaluationVoice(enum.StrEnum):
    PARTICIPANT = "participant"
    COACH = "coach"
    COMPANY = "company"


class ActionSource(enum.StrEnum):
    OWN = "own"
    COACH = "coach"
    SKILL_GAP = "skill_gap"
    LANGUAGE_GAP = "language_gap"
    EVALUATION = "evaluation"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class MeetingStatus(enum.StrEnum):
    PROPOSED = "proposed"  # one to three times offered, waiting for the participant
    ACCEPTED = "accepted"  # the participant chose one
    DECLINED = "declined"  # the participant does not want to meet
    OTHER_TIME = "other_time"  # the participant asked for another time
    CANCELLED = "cancelled"  # replaced by a new proposal, or called off
