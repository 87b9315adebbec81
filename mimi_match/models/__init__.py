"""All models, importable from one place (Alembic autogenerate sees them through this import)."""
from .action_plan import ActionPlanItem
from .audit import AuditEntry, Notification
from .conversation import ConversationRead, Meeting, MeetingSlot, Message
from .enums import (
    ActionSource,
    ActionStatus,
    CEFRLevel,
    CheckMethod,
    CheckResult,
    ConsentKind,
    ContractType,
    DesiredKinds,
    EvaluationVoice,
    InternshipPurpose,
    MatchOrigin,
    MatchStatus,
    MeetingStatus,
    PlacementOutcome,
    PlacementStatus,
    PositionKind,
    PositionStatus,
    RecognitionStatus,
    RejectReason,
    Role,
    SkillConfirmation,
)
from .guide import GuideItem, OnboardingGuide
from .match import Match, MatchEvent
from .matching import FailedJob, FieldBalanceDay, MatchingChange, MatchingState, ModelSnapshot
from .organisation import OccupationalField, Organisation
from .participant import (
    CoachNote,
    CompetenceCheck,
    ConsentEvent,
    DesiredField,
    Education,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    WorkExperience,
)
from .partner import ApiKey, Webhook, WebhookDelivery
from .placement import AgreementSignature, Evaluation, FollowUp, JointSummary, Placement, SummaryAnswer
from .position import Position, PositionSkill, PositionTerm, SavedPosition
from .user import User, UserSession

__all__ = [
    "ActionPlanItem", "ApiKey", "Webhook", "WebhookDelivery",
    "ActionSource", "AgreementSignature", "ActionStatus", "AuditEntry", "CEFRLevel",
    "CheckMethod",
    "CheckResult", "CoachNote", "ConversationRead", "Meeting", "MeetingSlot", "MeetingStatus", "Message",
    "CompetenceCheck", "ConsentEvent", "ConsentKind", "ContractType",
    "DesiredField", "DesiredKinds", "Education", "Evaluation", "EvaluationVoice", "FailedJob", "FieldBalanceDay",
    "FollowUp",
    "GuideItem", "JointSummary", "SummaryAnswer",
    "InternshipPurpose", "Match", "MatchEvent", "MatchOrigin", "MatchStatus", "MatchingChange", "MatchingState",
    "ModelSnapshot", "Notification",
    "OccupationalField", "OnboardingGuide", "Organisation", "ParticipantLanguage", "ParticipantProfile",
    "ParticipantSkill", "Placement", "PlacementOutcome", "PlacementStatus", "Position", "PositionKind",
    "PositionSkill", "PositionStatus", "PositionTerm", "RecognitionStatus", "RejectReason", "Role", "SavedPosition",
    "SkillConfirmation", "User", "UserSession", "WorkExperience",
]
