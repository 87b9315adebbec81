"""Logging in and out, registering as a participant, and changing one's password."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..access import allow, public
from ..extensions import limiter
from ..forms.auth import (
    ActionForm,
    DeleteAccountForm,
    EmailChangeForm,
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
)
from ..models import Role
from ..navigation import home_endpoint
from ..services import accounts, privacy
from ..services.errors import ValidationFailed
from .helpers import client_ip, json_download, safe_next

bp = Blueprint("auth", __name__)


def _begin_session(user) -> None:
    """Start a fresh session: nothing from before the login survives in the cookie."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    accounts.start_session(user, client_ip())
    login_user(user)


def _account_key() -> str:
    return "login-account:" + " ".join((request.form.get("email") or "").split()).casefold()[:254]


def _failed(response) -> bool:
    """Only failed attempts count: a successful login redirects."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_account_key, methods=["POST"],
               deduct_when=_failed, scope="login-account")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_failed,
               scope="login-address")
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data, client_ip())
        if user is None:
            flash(_("The e-mail address or the password is not correct."), "danger")
        else:
            _begin_session(user)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data) or url_for(home_endpoint(user)))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@allow()
def logout():
    """End this session for real: the old cookie stops working."""
    if ActionForm().validate_on_submit():
        accounts.end_session(current_user.login_token)
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    """Self-registration for participants."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_participant(
                form.email.data, form.password.data, form.display_name.data, str(get_locale())
            )
        except ValidationFailed as error:
            form.email.errors.append(error.message)
        else:
            _begin_session(user)
            flash(_("Your account is ready. Let us start with your profile."), "success")
            return redirect(url_for(home_endpoint(user)))
    return render_template("auth/register.html", form=form)


@bp.get("/account")
@allow()
def account():
    """The user's own account settings."""
    return render_template("auth/account.html")


def _user_key() -> str:
    return f"password-check:{current_user.get_id() and current_user.id}"


# the password asked again before a sensitive change: guesses are throttled like logins
password_check_limit = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_user_key,
                                     methods=["POST"], deduct_when=lambda response: response.status_code == 200,
                                     scope="password-check")


@bp.route("/account/email", methods=["GET", "POST"])
@allow()
@password_check_limit
def change_email():
    """Change the e-mail address; the current password is asked again."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_email(current_user, form.current_password.data, form.email.data, client_ip())
        except ValidationFailed as error:
            form.current_password.errors.append(error.message)
        else:
            flash(_("Your e-mail address is changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/email.html", form=form)


@bp.get("/account/export")
@allow(Role.PARTICIPANT)
def export():
    """Everything MiMi Match holds about me, as one JSON file."""
    return json_download(privacy.export(current_user), f"mimi-match-my-data-{date.today().isoformat()}.json")



@bp.route("/account/delete", methods=["GET", "POST"])
@allow(Role.PARTICIPANT)
@password_check_limit
def delete_account():
    """Delete my account and every piece of data about me."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.erase_own_account(current_user, form.password.data, form.confirmation.data)
        except ValidationFailed as error:
            form.confirmation.errors.append(error.message)
        else:
            logout_user()
            session.clear()
            flash(_("Your account and all your data are deleted. Good luck!"), "info")
            return redirect(url_for("main.index"))
    return render_template("auth/delete.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@allow()
@password_check_limit
def change_password():
    """Change the password; every other session of the account ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.password.data, client_ip()
            )
        except ValidationFailed as error:
            form.current_password.errors.append(error.message)
        else:
            user = current_user._get_current_object()
            session.clear()
            login_user(user)
            flash(_("Your password is changed. You were logged out everywhere else."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form)
