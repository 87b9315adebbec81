"""Forms of the API keys page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..services.api_keys import SCOPES
from .choices import options


class NewKeyForm(FlaskForm):
    name = StringField(_l("Name of the key"), validators=[
        DataRequired(message=_l("Give the key a name, e.g. the system that uses it.")), Length(max=80)],
        description=_l("Which system uses it, e.g. \"Our HR system\"."))
    scope = RadioField(_l("What the key may do"), choices=options(SCOPES.items()), default="read")
    submit = SubmitField(_l("Create the key"))


class KeyActionForm(FlaskForm):
    """Revoke or rotate one key (the CSRF token is all it carries)."""
