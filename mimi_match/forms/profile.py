"""Forms of the participant's profile steps, the action plan, and the coach's records."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .. import labels
from .choices import options
from .positions import check_concept_choices


class SkillsForm(FlaskForm):
    skills = TextAreaField(
        _l("Add skills"), validators=[DataRequired(message=_l("Write at least one skill.")), Length(max=4000)],
        description=_l("One skill per line. For example: cooking, cleaning, driving a forklift."),
        # the help text of the chip input that replaces the text area when JavaScript runs (skills.js)
        render_kw={"rows": 3, "data-skills": "1", "data-help-chips": _l(
            "Type a skill, then choose it from the list or press Enter to add your own words. "
            "For example: cooking, cleaning, driving a forklift.")})
    skill_concepts = HiddenField(validators=[Optional(), Length(max=40_000)])  # see positions.concept_choices
    submit = SubmitField(_l("Add"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return check_concept_choices(self, self.skills) and ok


class ExperienceForm(FlaskForm):
    title = StringField(_l("What did you do?"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example: cook, shop assistant, farm worker."))
    place = StringField(_l("Where?"), validators=[Optional(), Length(max=200)],
                        description=_l("Company, city or country. You can leave it empty."))
    months = IntegerField(_l("How many months?"), validators=[Optional(), NumberRange(0, 600)])
    description = TextAreaField(_l("What were your tasks? (optional)"), validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 2})
    submit = SubmitField(_l("Add this work"))


class EducationForm(FlaskForm):
    title = StringField(_l("School, course or diploma"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example: nursing school, electrician certificate."))
    institution = StringField(_l("Where?"), validators=[Optional(), Length(max=200)])
    recognition = RadioField(_l("Is it recognised in this country?"), default="not_started",
                             choices=options(labels.RECOGNITION.items()), validators=[InputRequired()])
    submit = SubmitField(_l("Add this education"))


class ProfileLanguageForm(FlaskForm):
    language = SelectField(_l("Language"), validators=[DataRequired()])
    level = RadioField(_l("How well?"), choices=[], validators=[InputRequired(message=_l("Choose a level."))])
    submit = SubmitField(_l("Save language"))


class WishesForm(FlaskForm):
    first = SelectField(_l("First choice"), coerce=int, validators=[Optional()])
    second = SelectField(_l("Second choice"), coerce=int, validators=[Optional()])
    third = SelectField(_l("Third choice"), coerce=int, validators=[Optional()])
    wish_text = TextAreaField(_l("In your own words: what work do you want?"),
                              validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    kinds = RadioField(_l("What are you looking for?"), default="both",
                       choices=options(labels.DESIRED_KINDS.items()), validators=[InputRequired()])
    submit = SubmitField(_l("Save"))


class AvailabilityForm(FlaskForm):
    region = SelectField(_l("Where do you live?"), validators=[Optional()])
    travel_km = IntegerField(_l("How far can you travel to work (km)?"), validators=[Optional(), NumberRange(0, 500)])
    remote_ok = BooleanField(_l("I can also work from home"))
    available_from = DateField(_l("From when can you start?"), validators=[Optional()])
    hours_per_week = IntegerField(_l("How many hours a week can you work?"),
                                  validators=[Optional(), NumberRange(1, 60)])
    submit = SubmitField(_l("Save"))


class ConsentForm(FlaskForm):
    consent_matching = BooleanField(
        _l("Yes, suggest jobs and micro-internships for me"),
        description=_l("MiMi Match compares your skills and wishes with open positions. Your coach checks every "
                       "suggestion first. Nothing is sent to an employer."))
    consent_findable = BooleanField(
        _l("Yes, employers may find me without my name"),
        description=_l("Employers see your skills, languages and region, but not your name or contact. "
                       "They can invite you to apply. You decide."))
    consent_share_on_interest = BooleanField(
        _l("Yes, when I say \"I am interested\", the employer may see my profile"),
        description=_l("Only that employer, only for that position. Your coach's notes are never shared."))
    submit = SubmitField(_l("Save my choices"))


class ActionItemForm(FlaskForm):
    title = StringField(_l("New step"), validators=[DataRequired(), Length(max=200)],
                        description=_l("For example: visit the job centre, finish the B1 course."))
    detail = TextAreaField(_l("Details (optional)"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    due_date = DateField(_l("By when? (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Add step"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("New note"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 3},
                         description=_l("Private: HR managers never see notes. The participant sees them in their "
                                        "data export."))
    submit = SubmitField(_l("Save note"))


class CompetenceCheckForm(FlaskForm):
    skill_id = SelectField(_l("Skill that was checked"), coerce=int, validators=[Optional()])
    new_skill = StringField(_l("…or a skill that is not in the profile yet"), validators=[Optional(), Length(max=200)],
                            render_kw={"data-skill-single": "1"})
    expert_name = StringField(_l("Professional expert"), validators=[DataRequired(), Length(max=200)])
    method = RadioField(_l("How was it checked?"), choices=options(labels.CHECK_METHOD.items()),
                        validators=[InputRequired()])
    result = RadioField(_l("Result"), choices=options(labels.CHECK_RESULT.items()), validators=[InputRequired()])
    joint_assessment = TextAreaField(_l("Joint assessment with the participant"),
                                     validators=[DataRequired(), Length(max=3000)], render_kw={"rows": 3})
    checked_on = DateField(_l("Date of the check"), validators=[DataRequired()])
    submit = SubmitField(_l("Record the check"))


class CaseloadFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search by name"), validators=[Optional(), Length(max=100)])
    sort = SelectField(_l("Sort"), default="name", validators=[Optional()], choices=options([
        ("name", _l("Name")), ("completeness", _l("Least complete profile first")),
        ("review", _l("Most suggestions to review")), ("interested", _l("Most interest expressed")),
        ("overdue", _l("Most overdue steps"))]))
