"""Forms for logging in, registering and managing one's account."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..config import LANGUAGES
from ..services.passwords import MAX_LENGTH, password_problem
from .choices import options


def strong_password(form, field) -> None:
    """The ASVS password rules (length, common passwords); no composition rules."""
    context = tuple(getattr(form, name).data or "" for name in ("email", "display_name") if hasattr(form, name))
    problem = password_problem(field.data or "", context=context)
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class RegisterForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        description=_l("The name your coach and employers will see. A first name is enough."),
        validators=[DataRequired(), Length(max=120)],
    )
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(
        _l("Password"),
        description=_l("At least 8 characters. A short sentence is easy to remember and hard to guess."),
        validators=[DataRequired(), strong_password],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    submit = SubmitField(_l("Create my account"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l("At least 8 characters. A short sentence is easy to remember and hard to guess."),
        validators=[DataRequired(), strong_password],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )
    submit = SubmitField(_l("Save my password"))


class PasswordChangeForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)],
                       description=_l("The address you log in with. We send a link to choose a new password."))
    submit = SubmitField(_l("Send me a link"))


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)], render_kw={"autofocus": True},
                       description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."))
    submit = SubmitField(_l("Continue"))


class EnrolForm(FlaskForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=10)],
                       render_kw={"inputmode": "numeric"},
                       description=_l("After adding the account, type the 6 digits the app shows."))
    submit = SubmitField(_l("Switch on"))


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField(_l("Confirm"))


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("New e-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     description=_l("To protect your account, confirm it is you."))
    submit = SubmitField(_l("Change e-mail"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    confirmation = StringField(_l("Type DELETE to confirm"), validators=[DataRequired(), Length(max=20)])
    submit = SubmitField(_l("Delete my account and all my data"))


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=options(LANGUAGES.items()), validators=[DataRequired()])
    next = HiddenField()
    submit = SubmitField(_l("Change language"))


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something (logout...)."""


class MailSettingsForm(FlaskForm):
    """Which notifications come by e-mail (one box per group), and whether as one e-mail a day."""
    groups = SelectMultipleField(_l("Send me an e-mail about"), choices=[], validate_choice=True,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    digest = RadioField(_l("How often"), default="now", choices=options([
        ("now", _l("At once, one e-mail for each")), ("digest", _l("One e-mail a day with everything new"))]))
    submit = SubmitField(_l("Save my e-mail settings"))
