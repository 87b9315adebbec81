"""Forms for positions (vacancies and micro-internships), the organisation profile and browsing."""
from __future__ import annotations

import json
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from .. import labels
from ..matching.cefr import LEVELS
from .choices import options

KINDS = list(labels.KIND.items())
CONTRACT_TYPES = [("", _l("— choose —")), *labels.CONTRACT.items()]
PURPOSES = [("", _l("— choose —")), *labels.PURPOSE.items()]
LEVEL_CHOICES = [("", _l("No level needed")), *[(level, level) for level in LEVELS]]
MAX_SKILLS = 20


def skill_lines(text: str | None) -> list[str]:
    """One skill per line (commas and semicolons also separate), trimmed, without duplicates."""
    seen: dict[str, str] = {}
    for raw in (text or "").replace(";", "\n").replace(",", "\n").splitlines():
        label = " ".join(raw.split())[:200]
        if label and label.casefold() not in seen:
            seen[label.casefold()] = label
    return list(seen.values())


def concept_choices(text: str | None) -> dict[str, str] | None:
    """The concepts chosen from the autocomplete suggestions, as skills.js writes them into the hidden
    ``skill_concepts`` field: JSON ``{"skill as shown": "concept URI"}``. Returns {skill (casefolded,
    spaces collapsed): URI}, or None when the field cannot be read (whether each URI is a concept with
    that label is the services' check)."""
    if not (text or "").strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or len(data) > 4 * MAX_SKILLS:
        return None
    choices = {}
    for label, uri in data.items():
        if not isinstance(uri, str) or not label.strip() or not uri.strip() or len(uri) > 255:
            return None
        choices[" ".join(label.split())[:200].casefold()] = uri.strip()
    return choices


def check_concept_choices(form, *skill_fields) -> bool:
    """Form-level check of ``form.skill_concepts``; an unreadable value is shown at the skill fields."""
    if concept_choices(form.skill_concepts.data) is not None:
        return True
    for field in skill_fields:
        field.errors = [*field.errors, _l("The skills chosen from the suggestions could not be read. "
                                          "Please choose them again.")]
    return False


def _skills_validator(required: bool):
    def check(form, field):
        lines = skill_lines(field.data)
        if required and not lines:
            raise ValidationError(_l("Add at least one required skill."))
        if len(lines) > MAX_SKILLS:
            raise ValidationError(_l("Add at most %(n)d skills.", n=MAX_SKILLS))

    return check


class PositionForm(FlaskForm):
    # fields that map one-to-one to Position columns
    EDITABLE = ("kind", "title", "field_id", "description", "host_language_level", "other_languages", "location",
                "region", "remote", "hours_per_week", "contract_type", "start_date", "openings",
                "application_deadline", "duration_weeks", "purpose", "contact_person", "learning_content",
                "participants_at_once")

    kind = RadioField(_l("Kind of position"), choices=options(KINDS), default="vacancy",
                      validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("Short and concrete, e.g. \"Kitchen assistant, lunch shifts\"."))
    field_id = SelectField(_l("Occupational field"), coerce=int, validators=[InputRequired()])
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(), Length(max=5000)],
        description=_l("Plain language helps: short sentences, what a normal day looks like."))
    required_skills = TextAreaField(
        _l("Required skills"), validators=[_skills_validator(True)],
        description=_l("One skill per line. Start typing to get suggestions."),
        render_kw={"rows": 4, "data-skills": "1"})
    nice_skills = TextAreaField(
        _l("Nice-to-have skills"), validators=[_skills_validator(False)],
        description=_l("One skill per line. Missing ones can be learned on the job."),
        render_kw={"rows": 3, "data-skills": "1"})
    host_language_level = SelectField(
        _l("Level of the local language needed"), choices=options(LEVEL_CHOICES), validators=[Optional()],
        description=_l("CEFR level. B1 means: can handle everyday work conversations."))
    other_languages = SelectMultipleField(_l("Other useful languages"), choices=[], validators=[Optional()])
    location = StringField(_l("Place of work"), validators=[Optional(), Length(max=120)])
    region = SelectField(_l("Region"), choices=[], validators=[Optional()])
    remote = BooleanField(_l("Can be done remotely"))
    hours_per_week = IntegerField(_l("Hours per week"), validators=[Optional(), NumberRange(1, 60)])
    contract_type = SelectField(_l("Contract type"), choices=options(CONTRACT_TYPES), validators=[Optional()])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    openings = IntegerField(_l("Number of openings"), default=1,
                            validators=[InputRequired(), NumberRange(1, 500)])
    application_deadline = DateField(_l("Application deadline"), validators=[Optional()])
    # micro-internships
    duration_weeks = IntegerField(_l("Duration in weeks"), validators=[Optional(), NumberRange(1, 12)],
                                  description=_l("Between 1 and 12 weeks."))
    purpose = SelectField(_l("Purpose"), choices=options(PURPOSES), validators=[Optional()])
    contact_person = StringField(_l("Contact person at the company"), validators=[Optional(), Length(max=200)])
    learning_content = TextAreaField(_l("What the participant will do and learn"),
                                     validators=[Optional(), Length(max=3000)])
    participants_at_once = IntegerField(_l("Participants at the same time"),
                                        validators=[Optional(), NumberRange(1, 20)])
    skill_concepts = HiddenField(validators=[Optional(), Length(max=40_000)])  # see concept_choices
    version_id = HiddenField()
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        ok = check_concept_choices(self, self.required_skills, self.nice_skills) and ok
        if self.kind.data == "micro_internship":
            for field in (self.duration_weeks, self.purpose, self.contact_person, self.learning_content,
                          self.participants_at_once):
                if field.data in (None, ""):
                    field.errors.append(_l("Needed for a micro-internship."))
                    ok = False
        elif not self.contract_type.data:
            self.contract_type.errors.append(_l("Choose the kind of contract."))
            ok = False
        start, deadline = self.start_date.data, self.application_deadline.data
        if start and deadline and deadline > start:
            self.application_deadline.errors.append(_l("The deadline must be on or before the start date."))
            ok = False
        if deadline and deadline < date.today() and not self.errors.get("application_deadline"):
            self.application_deadline.errors.append(_l("The deadline cannot be in the past."))
            ok = False
        return ok


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=120)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=120)])
    region = SelectField(_l("Region"), choices=[], validators=[Optional()])
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=2000)])
    contact_email = EmailField(_l("Contact e-mail"), validators=[Optional(), Email(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Save"))


SORTS = [("relevance", _l("Best match for the search")), ("newest", _l("Newest first")),
         ("deadline", _l("Deadline soonest"))]


class BrowseForm(FlaskForm):
    """Search and filters of the opportunities list (GET, nothing changes: no CSRF)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=100)])
    field = SelectField(_l("Field"), coerce=int, choices=[], validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=options([("", _l("All kinds")), *KINDS]), validators=[Optional()])
    region = SelectField(_l("Region"), choices=[], validators=[Optional()])
    remote = BooleanField(_l("Remote possible"))
    level = SelectField(_l("Local language needed at most"), choices=[], validators=[Optional()])
    hours = IntegerField(_l("Hours per week at most"), validators=[Optional(), NumberRange(1, 60)])
    start_by = DateField(_l("Starting by"), validators=[Optional()])
    sort = SelectField(_l("Sort"), choices=options(SORTS), default="newest", validators=[Optional()])
