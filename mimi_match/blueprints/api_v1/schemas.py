"""The shapes of ``/api/v1``: marshmallow schemas, from which the OpenAPI document is generated.

Text fields refuse what the pages refuse (control characters, bidi overrides, blank text) by a validator
whose pattern is published in the schema too, so a client can check before sending.
"""
from __future__ import annotations

import copy
import re
from datetime import UTC

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate

from ...models import CEFRLevel, ContractType, InternshipPurpose, PositionKind, PositionStatus

# not a C0 control (other than tab and line breaks), DEL or a bidi embedding/override/isolate control
_CONTROL_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\u202a-\\u202e\\u2066-\\u2069"
TEXT_PATTERN = f"^[^{_CONTROL_CLASS}]*$"
LINE_PATTERN = f"^[^{_CONTROL_CLASS}\\r\\n]*[^{_CONTROL_CLASS}\\s][^{_CONTROL_CLASS}\\r\\n]*$"
FILLED_PATTERN = f"^[^{_CONTROL_CLASS}]*[^{_CONTROL_CLASS}\\s][^{_CONTROL_CLASS}]*$"
_TEXT = re.compile(TEXT_PATTERN.replace("$", "\\Z"))
_LINE = re.compile(LINE_PATTERN.replace("$", "\\Z"))
_FILLED = re.compile(FILLED_PATTERN.replace("$", "\\Z"))


def _matcher(pattern: re.Pattern, message):
    def check(value: str) -> None:
        if not pattern.match(value):
            raise ValidationError(str(message))
    return check


def Text(max_length: int, **kwargs) -> fields.String:  # noqa: N802  (a field factory, read like a type)
    """Free text, may be empty."""
    return fields.String(validate=[validate.Length(max=max_length),
                                   _matcher(_TEXT, _l("Remove the invisible control characters."))],
                         metadata={"pattern": TEXT_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)


def Line(max_length: int, **kwargs) -> fields.String:  # noqa: N802
    """One line of text that is not blank (a title, a skill)."""
    return fields.String(validate=[validate.Length(min=1, max=max_length),
                                   _matcher(_LINE, _l("Write one line with at least one letter or digit."))],
                         metadata={"pattern": LINE_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)


def Filled(max_length: int, **kwargs) -> fields.String:  # noqa: N802
    """Text that is not blank (a description, a message); line breaks allowed."""
    return fields.String(validate=[validate.Length(min=1, max=max_length),
                                   _matcher(_FILLED, _l("Write some text (not only spaces)."))],
                         metadata={"pattern": FILLED_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)


class Stamp(fields.DateTime):
    """A time in UTC (stored without zone), written with its offset as RFC 3339 asks."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Flag(fields.Boolean):
    """A JSON boolean: true or false, not 0/1 or "yes"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


CODE_PATTERN = "^[a-z0-9_-]{1,40}$"


def Code(**kwargs) -> fields.String:  # noqa: N802
    """A code from one of our lists (an occupational field, a language)."""
    return fields.String(validate=validate.Regexp(CODE_PATTERN.replace("$", "\\Z")),
                         metadata={"pattern": CODE_PATTERN, **kwargs.pop("metadata", {})}, **kwargs)


def values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class Problem(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


# --- positions ----------------------------------------------------------------------------------------

SKILLS_MAX = 20


class PositionWrite(Strict):
    """A position as the HR form takes it. On PATCH every field is optional: the rest stays as it is."""

    kind = fields.String(required=True, validate=validate.OneOf(values(PositionKind)))
    title = Line(200, required=True)
    field = fields.String(required=True, metadata={"description": "An occupational field's code (GET /fields)."})
    description = Filled(5000, required=True)
    required_skills = fields.List(Line(200), required=True, validate=validate.Length(min=1, max=SKILLS_MAX),
                                  metadata={"description": "One skill per item, in any of our languages."})
    nice_skills = fields.List(Line(200), load_default=list, validate=validate.Length(max=SKILLS_MAX))
    skill_concepts = fields.Dict(
        keys=Line(200), values=fields.String(validate=validate.Length(min=1, max=255)),
        load_default=dict, validate=validate.Length(max=2 * SKILLS_MAX),
        metadata={"description": "Optional: a skill (as written above) -> the ESCO concept URI it means "
                                 "(from GET /skills)."})
    host_language_level = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(
        values(CEFRLevel)), metadata={"description": "CEFR level of the local language needed (null: none)."})
    other_languages = fields.List(fields.String(), load_default=list, validate=validate.Length(max=20))
    location = Text(120, load_default="")
    region = fields.String(load_default="")
    remote = Flag(load_default=False)
    hours_per_week = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(1, 60))
    contract_type = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(values(ContractType)),
                                  metadata={"description": "Needed for a vacancy."})
    start_date = fields.Date(allow_none=True, load_default=None)
    openings = fields.Integer(load_default=1, validate=validate.Range(1, 500))
    application_deadline = fields.Date(allow_none=True, load_default=None,
                                       metadata={"description": "Not in the past; on or before the start date."})
    duration_weeks = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(1, 12),
                                    metadata={"description": "Micro-internships: needed."})
    purpose = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(values(InternshipPurpose)),
                            metadata={"description": "Micro-internships: needed."})
    contact_person = Text(200, load_default="", metadata={"description": "Micro-internships: needed."})
    learning_content = Text(3000, load_default="", metadata={"description": "Micro-internships: needed."})
    participants_at_once = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(1, 20),
                                          metadata={"description": "Micro-internships: needed."})


def _all_optional(schema_cls: type[Schema], name: str) -> type[Schema]:
    """The same fields, none required and none defaulted: what is not sent stays as it is."""
    declared = {}
    for key, field in schema_cls._declared_fields.items():
        field = copy.deepcopy(field)
        field.required = False
        field.load_default = missing
        declared[key] = field
    return type(name, (Strict,), {"__doc__": "A change: only the fields sent change.", **declared})


PositionPatch = _all_optional(PositionWrite, "PositionPatch")


class Skill(Schema):
    label = fields.String(required=True)
    required = fields.Boolean(required=True)
    concept_uri = fields.String(allow_none=True, required=True)


class Position(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(values(PositionStatus)))
    kind = fields.String(required=True, validate=validate.OneOf(values(PositionKind)))
    title = fields.String(required=True)
    field = fields.String(required=True)
    description = fields.String(required=True)
    skills = fields.List(fields.Nested(Skill), required=True)
    host_language = fields.String(required=True)
    host_language_level = fields.String(allow_none=True, required=True)
    other_languages = fields.List(fields.String(), required=True)
    location = fields.String(required=True)
    region = fields.String(required=True)
    remote = fields.Boolean(required=True)
    hours_per_week = fields.Integer(allow_none=True, required=True)
    contract_type = fields.String(allow_none=True, required=True)
    start_date = fields.Date(allow_none=True, required=True)
    openings = fields.Integer(required=True)
    application_deadline = fields.Date(allow_none=True, required=True)
    duration_weeks = fields.Integer(allow_none=True, required=True)
    purpose = fields.String(allow_none=True, required=True)
    contact_person = fields.String(required=True)
    learning_content = fields.String(required=True)
    participants_at_once = fields.Integer(allow_none=True, required=True)
    published_at = Stamp(allow_none=True, required=True)
    closed_at = Stamp(allow_none=True, required=True)
    updated_at = Stamp(required=True)
    version = fields.Integer(required=True, metadata={"description": "Changes with every save (see ETag)."})
    url = fields.String(required=True, metadata={"description": "The public page (once published)."})


class PositionList(Schema):
    items = fields.List(fields.Nested(Position), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class ListQuery(Strict):
    status = fields.String(validate=validate.OneOf(values(PositionStatus)))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 100))
    cursor = fields.String(validate=validate.Length(max=200), metadata={"pattern": "^[A-Za-z0-9_-]*$"})


class CloseBody(Strict):
    filled = Flag(load_default=False, metadata={"description": "true: filled (not only closed)."})


class ImportQuery(Strict):
    preview = fields.Boolean(load_default=False, metadata={
        "description": "true: say what would be saved, save nothing."})
    field = Code(metadata={"description": "The field's code, when the document's ISCO codes name none."})


class ImportSkill(Schema):
    label = fields.String(required=True)
    required = fields.Boolean(required=True)
    concept_uri = fields.String(allow_none=True, required=True)
    concept_label = fields.String(allow_none=True, required=True)


class ImportPreview(Schema):
    title = fields.String(required=True)
    kind = fields.String(required=True)
    field = fields.String(allow_none=True, required=True)
    skills = fields.List(fields.Nested(ImportSkill), required=True)
    warnings = fields.List(fields.String(), required=True)


# --- public positions ---------------------------------------------------------------------------------

class OpenQuery(Strict):
    q = fields.String(validate=[validate.Length(max=100), _matcher(_TEXT, _l("Remove the control characters."))],
                      metadata={"pattern": TEXT_PATTERN, "description": "Words the position must contain."})
    field = Code(metadata={"description": "An occupational field's code."})
    kind = fields.String(validate=validate.OneOf(values(PositionKind)))
    region = fields.String(validate=validate.Length(max=80), metadata={"pattern": TEXT_PATTERN})
    remote = fields.Boolean(metadata={"description": "true: only positions that can be done remotely "
                                                     "(with region: in the region or remote)."})
    level = fields.String(validate=validate.OneOf(values(CEFRLevel)),
                          metadata={"description": "Local language needed at most this level."})
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    cursor = fields.String(validate=validate.Length(max=200), metadata={"pattern": "^[A-Za-z0-9_-]*$"})


class OpenPosition(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    organisation = fields.String(required=True)
    field = fields.String(required=True)
    description = fields.String(required=True)
    skills = fields.List(fields.Nested(Skill), required=True)
    host_language = fields.String(required=True)
    host_language_level = fields.String(allow_none=True, required=True)
    location = fields.String(required=True)
    region = fields.String(required=True)
    remote = fields.Boolean(required=True)
    hours_per_week = fields.Integer(allow_none=True, required=True)
    duration_weeks = fields.Integer(allow_none=True, required=True)
    start_date = fields.Date(allow_none=True, required=True)
    application_deadline = fields.Date(allow_none=True, required=True)
    published_at = Stamp(required=True)
    url = fields.String(required=True)


class OpenPositionList(Schema):
    items = fields.List(fields.Nested(OpenPosition), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


# --- candidates and placements ------------------------------------------------------------------------

class Language(Schema):
    language = fields.String(required=True)
    level = fields.String(required=True)


class PlacementRef(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)


class Candidate(Schema):
    id = fields.Integer(required=True, metadata={"description": "The candidacy (person and position)."})
    position_id = fields.Integer(required=True)
    status = fields.String(required=True)
    shared = fields.Boolean(required=True, metadata={
        "description": "false: the person has not allowed sharing their profile; only the status is given."})
    name = fields.String(allow_none=True, required=True)
    skills = fields.List(fields.String(), required=True)
    languages = fields.List(fields.Nested(Language), required=True)
    placement = fields.Nested(PlacementRef, allow_none=True, required=True)
    updated_at = Stamp(required=True)
    version = fields.Integer(required=True)


class CandidateList(Schema):
    items = fields.List(fields.Nested(Candidate), required=True)


class AnswerBody(Strict):
    action = fields.String(required=True, validate=validate.OneOf(["invite", "offer", "decline"]))
    message = Text(2000, load_default="", metadata={"description": "Needed to invite or decline."})


class Placement(Schema):
    id = fields.Integer(required=True)
    candidate_id = fields.Integer(required=True)
    position_id = fields.Integer(required=True)
    status = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True, required=True)
    outcome = fields.String(allow_none=True, required=True)


class PlacementList(Schema):
    items = fields.List(fields.Nested(Placement), required=True)


# --- fields and skills --------------------------------------------------------------------------------

class Field(Schema):
    code = fields.String(required=True)
    names = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    isco_codes = fields.List(fields.String(), required=True)


class FieldList(Schema):
    items = fields.List(fields.Nested(Field), required=True)


class SkillQuery(Strict):
    q = fields.String(required=True, validate=[validate.Length(min=2, max=100),
                                               _matcher(_TEXT, _l("Remove the control characters."))],
                      metadata={"pattern": TEXT_PATTERN})
    language = Code(load_default="en", metadata={"description": "en, nb, de, el, uk or ar (others: en)."})
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 50))


class SkillHit(Schema):
    uri = fields.String(required=True)
    label = fields.String(required=True)
    language = fields.String(required=True)
    preferred = fields.String(required=True)
    fields_ = fields.List(fields.String(), required=True, data_key="fields")


class SkillHits(Schema):
    items = fields.List(fields.Nested(SkillHit), required=True)


class ConceptQuery(Strict):
    uri = fields.String(required=True, validate=validate.Length(min=1, max=255),
                        metadata={"pattern": TEXT_PATTERN})


class Concept(Schema):
    uri = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "Per language, the preferred label first."})
    fields_ = fields.List(fields.String(), required=True, data_key="fields")
