"""Logging in and out, registering as a participant, confirming the address, changing or resetting one's
password, and accepting a staff invitation."""
from __future__ import annotations

import time
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import labels
from ..access import allow, public
from ..extensions import db, limiter
from ..forms.auth import (
    ActionForm,
    DeleteAccountForm,
    EmailChangeForm,
    EnrolForm,
    ForgotPasswordForm,
    LoginForm,
    MailSettingsForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    RegisterForm,
    SecondFactorForm,
)
from ..forms.choices import options
from ..models import Role, User
from ..navigation import home_endpoint
from ..services import account_links, accounts, notifications, privacy, second_factor
from ..services.errors import ValidationFailed
from .helpers import client_ip, json_download, safe_next

bp = Blueprint("auth", __name__)


def _clear_session() -> None:
    """Nothing from before survives in the cookie but the chosen language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def _begin_session(user) -> None:
    """Start a fresh session for ``user``."""
    _clear_session()
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
        elif second_factor.enabled(user):  # the password was right: now the code, before any session
            _clear_session()
            session[PENDING] = {"user": user.id, "at": int(time.time()), "next": safe_next(form.next.data) or ""}
            return redirect(url_for("auth.login_code"))
        else:
            _begin_session(user)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data) or url_for(home_endpoint(user)))
    return render_template("auth/login.html", form=form)


PENDING = "second_factor_pending"
PENDING_SECONDS = 300  # the code must follow the password within five minutes


def _pending_user():
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        return None, ""
    user = db.session.get(User, int(pending.get("user", 0)))
    return (user, pending.get("next") or "") if user is not None and user.active else (None, "")


def _pending_key() -> str:
    pending = session.get(PENDING)
    return f"second-factor:{pending.get('user') if isinstance(pending, dict) else ''}"


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SECOND_FACTOR_LIMIT"], key_func=_pending_key, methods=["POST"],
               deduct_when=_failed, scope="second-factor")
def login_code():
    """The second step of a login with a second factor: the code from the app, or a recovery code."""
    user, target = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if second_factor.check(user, form.code.data, client_ip()):
            session.pop(PENDING, None)
            _begin_session(user)
            left = len(user.recovery_codes or [])
            if left <= 3:
                flash(ngettext("You have %(num)d recovery code left. Make new ones under My account.",
                               "You have %(num)d recovery codes left. Make new ones under My account.", left),
                      "warning")
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(target) or url_for(home_endpoint(user)))
        form.code.errors.append(_("This code is not right, or it was used already. Try the next one."))
    return render_template("auth/login_code.html", form=form)




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


def _email_key() -> str:
    return "account-mail:" + " ".join((request.form.get("email") or "").split()).casefold()[:254]


def _sent(response) -> bool:
    return response.status_code == 302


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_sent,
               scope="register-address")
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
            flash(_("Your account is ready. Let us start with your profile. We sent you an e-mail: open its link "
                    "to confirm your address."), "success")
            return redirect(url_for(home_endpoint(user)))
    return render_template("auth/register.html", form=form)


@bp.get("/account")
@allow()
def account():
    """The user's own account settings."""
    return render_template("auth/account.html")


@bp.route("/account/notifications", methods=["GET", "POST"])
@allow()
def mail_settings():
    """Which notifications come by e-mail, at once or as one e-mail a day (everything stays on the page)."""
    form = MailSettingsForm()
    form.groups.choices = options((key, str(label)) for key, label in labels.MAIL_GROUPS.items())
    settings = current_user.mail_settings or {}
    if request.method == "GET":
        form.groups.data = [k for k in labels.MAIL_GROUPS if k not in (settings.get("off") or ())]
        form.digest.data = "digest" if settings.get("digest") else "now"
    if form.validate_on_submit():
        notifications.save_mail_settings(current_user, set(labels.MAIL_GROUPS) - set(form.groups.data or ()),
                                         form.digest.data == "digest")
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for("auth.mail_settings"))
    return render_template("auth/mail_settings.html", form=form)


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


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["ACCOUNT_MAIL_LIMIT"], key_func=_email_key, methods=["POST"],
               deduct_when=_sent, scope="reset-account")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], methods=["POST"], deduct_when=_sent,
               scope="reset-address")
def forgot_password():
    """Ask for a link to choose a new password; the answer is the same for every address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data, client_ip())
        flash(_("If an account uses this address, we have sent it a link to choose a new password. "
                "Look in your inbox (and the spam folder) in a few minutes."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _password_from_link(purpose: str, template: str):
    token = request.view_args["token"]
    try:
        user = accounts.reset_target(token, purpose)
    except ValidationFailed as error:
        return render_template(template, form=None, problem=error.message), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            token = accounts.set_password_from_link(token, purpose, form.password.data, client_ip())
        except ValidationFailed as error:
            form.password.errors.append(error.message)
        else:
            _clear_session()
            if token is None:
                flash(_("Your password is saved and every session of your account is logged out. Log in with "
                        "the new password and a code from your app."), "success")
                return redirect(url_for("auth.login"))
            login_user(accounts.load_session_user(token))
            flash(_("Your password is saved. Every other session of your account is logged out.")
                  if purpose == account_links.RESET else
                  _("Welcome, %(name)s. Your password is saved.", name=user.display_name), "success")
            return redirect(url_for(home_endpoint(user)))
    return render_template(template, form=form, problem=None, user=user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password from the link in the reset e-mail (it works once, for a limited time)."""
    return _password_from_link(account_links.RESET, "auth/reset.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """A staff member invited by an administrator chooses their own password."""
    return _password_from_link(account_links.INVITE, "auth/invitation.html")


@bp.get("/account/confirm/<token>")
@public
def verify_email(token: str):
    """Confirm the e-mail address from the link in the confirmation e-mail."""
    try:
        user = accounts.verify_email(token, client_ip())
    except ValidationFailed as error:
        flash(error.message, "danger")
        return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))
    flash(_("Thank you: your e-mail address %(email)s is confirmed.", email=user.email), "success")
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    return redirect(url_for("auth.login"))


def _resend_key() -> str:
    return f"verify-resend:{current_user.get_id() and current_user.id}"


@bp.post("/account/confirm")
@allow()
@limiter.limit(lambda: current_app.config["ACCOUNT_MAIL_LIMIT"], key_func=_resend_key, deduct_when=_sent,
               scope="verify-resend")
def resend_verification():
    """Send the confirmation link again."""
    if ActionForm().validate_on_submit():
        if accounts.send_verification(current_user, client_ip()):
            flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "info")
        else:
            flash(_("Your e-mail address is confirmed already."), "info")
    return redirect(safe_next(request.form.get("next")) or url_for("auth.account"))


SETUP = "second_factor_setup"
ALWAYS_REACHABLE = {"auth.two_factor", "auth.logout", "main.set_language", "main.health", "static",
                    "auth.verify_email"}


@bp.before_app_request
def require_second_factor():
    """Staff whose role requires a second factor set it up before anything else."""
    if (current_user.is_authenticated and request.endpoint not in ALWAYS_REACHABLE
            and second_factor.required_for(current_user) and not second_factor.enabled(current_user)):
        flash(_("Your role needs a second factor for logging in. Please set it up now; it takes a minute."),
              "info")
        return redirect(url_for("auth.two_factor"))
    return None


@bp.route("/account/two-factor", methods=["GET", "POST"])
@allow()
@password_check_limit
def two_factor():
    """Set up the second factor (scan a QR code, confirm a code), renew recovery codes, or switch it off."""
    user = current_user._get_current_object()
    if second_factor.enabled(user):
        form = PasswordConfirmForm()
        codes = None
        if form.validate_on_submit():
            action = request.form.get("action")
            try:
                if action == "disable":
                    second_factor.disable(user, form.password.data, client_ip())
                    flash(_("The second factor is switched off."), "info")
                    return redirect(url_for("auth.account"))
                codes = second_factor.new_recovery_codes(user, form.password.data, client_ip())
            except ValidationFailed as error:
                form.password.errors.append(error.message)
        return render_template("auth/two_factor.html", enabled=True, form=form, codes=codes,
                               required=second_factor.required_for(user), left=len(user.recovery_codes or []))
    secret = session.get(SETUP)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[SETUP] = second_factor.new_secret()
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(user, secret, form.code.data, client_ip())
        except ValidationFailed as error:
            form.code.errors.append(error.message)
        else:
            session.pop(SETUP, None)
            flash(_("The second factor is on. From now on you log in with your password and a code."), "success")
            return render_template("auth/two_factor.html", enabled=True, form=PasswordConfirmForm(), codes=codes,
                                   required=second_factor.required_for(user), left=len(codes), just_enabled=True)
    uri, qr = second_factor.provisioning(user, secret)
    return render_template("auth/two_factor.html", enabled=False, form=form, secret=secret, qr=qr,
                           required=second_factor.required_for(user))
