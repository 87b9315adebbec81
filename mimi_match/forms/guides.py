"""Forms of the onboarding guide: the people helping, a point given to one of them, the welcome page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from ..config import LANGUAGES
from ..services.onboarding import PHONE
from .choices import options


class HelperForm(FlaskForm):
    """Someone of the team who takes on points: a buddy or a colleague (they need no account)."""

    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Give the person's name.")), Length(max=200)])
    email = EmailField(_l("E-mail (optional, to send them their link)"),
                       validators=[Optional(), Email(message=_l("The e-mail address does not look right.")),
                                   Length(max=254)])
    language = SelectField(_l("Language of their list"), choices=options(LANGUAGES.items()))
    is_buddy = BooleanField(_l("This is the buddy (named on the new colleague's welcome page)"))
    submit = SubmitField(_l("Add the person"))


class AssignForm(FlaskForm):
    """Give one point to a helper (or back to HR: no helper), due on a date."""

    helper = StringField(validators=[Optional(), Regexp(r"^\d{1,9}$", message=_l("Choose a person from the list."))])
    due_on = DateField(validators=[Optional()])


class WelcomeForm(FlaskForm):
    start_time = TimeField(_l("Time to arrive on the first day"), validators=[Optional()])
    place = TextAreaField(_l("Where to come"), validators=[Optional(), Length(max=300)], render_kw={"rows": 2},
                          description=_l("The address, the entrance and the floor or room."))
    contact_name = StringField(_l("Who meets the new colleague"), validators=[Optional(), Length(max=200)])
    contact_phone = StringField(_l("That person's phone number"), validators=[
        Optional(), Length(max=40),
        Regexp(PHONE.pattern, message=_l("The phone number may hold only digits, spaces and + ( ) - . /"))])
    what_to_bring = TextAreaField(_l("What to bring"), validators=[Optional(), Length(max=2000)],
                                  render_kw={"rows": 4}, description=_l("One thing per line."))
    share = BooleanField(_l("Show this page to the new colleague now"))
    submit = SubmitField(_l("Save the welcome page"))
