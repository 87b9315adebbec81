"""Forms of a placement: its plan, ending it early, and one voice of the joint evaluation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .. import labels
from ..models import PlacementOutcome
from .choices import options


class PlacementPlanForm(FlaskForm):
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    objectives = TextAreaField(_l("Learning goals and tasks to try"), validators=[Optional(), Length(max=2000)],
                               render_kw={"rows": 3})
    company_contact = StringField(_l("Contact person at the company"), validators=[Optional(), Length(max=200)])
    version = HiddenField()
    submit = SubmitField(_l("Save the plan"))


class AbandonForm(FlaskForm):
    reason = TextAreaField(_l("Why does the placement end early?"),
                           validators=[DataRequired(message=_l("Say briefly why the placement ends early.")),
                                       Length(max=2000)], render_kw={"rows": 2})
    version = HiddenField()
    submit = SubmitField(_l("End the placement early"))


class EvaluationForm(FlaskForm):
    tasks_done = TextAreaField(_l("Which tasks were done?"),
                               validators=[DataRequired(message=_l("Say which tasks were done.")), Length(max=2000)],
                               render_kw={"rows": 3})
    skills = SelectMultipleField(_l("Which skills were shown?"), choices=[], validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    other_skills = TextAreaField(_l("Other skills that were shown (one per line)"),
                                 validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    language_at_work = TextAreaField(_l("How did the language at work go?"),
                                     validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    what_next = TextAreaField(_l("What next?"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2},
                              description=_l("Each line you write here becomes a step in the participant's "
                                             "action plan."))
    outcome = RadioField(_l("Outcome"), validators=[InputRequired(message=_l("Choose the outcome."))],
                         choices=options((o.value, labels.OUTCOME[o.value]) for o in PlacementOutcome
                                         if o != PlacementOutcome.ABANDONED))
    submit = SubmitField(_l("Save my evaluation"))


class SignForm(FlaskForm):
    typed_name = StringField(_l("Type your name to sign"), validators=[
        DataRequired(message=_l("Type your name to sign.")), Length(max=200)])
    submit = SubmitField(_l("Sign the agreement"))
