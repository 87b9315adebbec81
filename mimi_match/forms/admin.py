"""Forms an administrator uses."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SearchField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from .choices import options

STAFF_ROLES = [("coach", _l("Coach")), ("hr", _l("HR manager")), ("admin", _l("Administrator"))]



class StaffUserForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=options(STAFF_ROLES), validators=[DataRequired()])
    organisation_id = SelectField(
        _l("Organisation (HR managers only)"), coerce=int, choices=[], validators=[Optional()]
    )
    submit = SubmitField(_l("Create the account and send the invitation"))


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(_l("Search by name or e-mail"), validators=[Optional(), Length(max=100)])
    role = SelectField(
        _l("Role"),
        choices=options([("", _l("All roles")), ("participant", _l("Participant")), *STAFF_ROLES]),
        validators=[Optional()],
    )


class EraseForm(FlaskForm):
    confirmation = StringField(_l("Type DELETE to confirm"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Erase this participant and all their data"))


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    action = StringField(_l("Action"), validators=[Optional(), Length(max=60)],
                         description=_l("For example: login_failed, profile_viewed, consent_changed."))
    person = StringField(_l("Person (e-mail)"), validators=[Optional(), Length(max=254)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
