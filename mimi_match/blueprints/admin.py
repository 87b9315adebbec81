"""The administrator's pages: overview and accounts."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import allow
from ..forms.admin import AuditSearchForm, EraseForm, StaffUserForm, UserSearchForm
from ..forms.auth import ActionForm
from ..forms.choices import options
from ..models import Role
from ..services import (
    accounts,
    audit,
    coaching,
    dashboards,
    matching,
    matching_admin,
    privacy,
    second_factor,
    users,
)
from ..services.errors import NotFound, ValidationFailed
from .helpers import client_ip, int_arg, json_download, safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@allow(Role.ADMIN)
def overview():
    """Headline numbers of the installation."""
    return render_template("admin/overview.html", counts=dashboards.installation_counts(current_user))


@bp.get("/matching")
@allow(Role.ADMIN)
def matching_status():
    """The matching model: version, age, size, the worker, waiting and failed jobs; "Rebuild now"."""
    return render_template("admin/matching.html", info=matching_admin.overview(current_user), form=ActionForm())


@bp.post("/matching/rebuild")
@allow(Role.ADMIN)
def matching_rebuild():
    """Ask the matching worker for a new fit; its progress shows on the matching page."""
    if not ActionForm().validate_on_submit():
        abort(400)
    matching.request_rebuild(current_user)
    flash(_("The matching worker rebuilds the model now. This page shows its progress."), "success")
    return redirect(url_for("admin.matching_status"))


@bp.get("/users")
@allow(Role.ADMIN)
def users_list():
    """Search accounts."""
    form = UserSearchForm(request.args)
    page = int_arg("page", 1)
    query = (form.q.data or "") if form.validate() else ""
    found, total = users.search_users(current_user, query, form.role.data or "", page)
    return render_template(
        "admin/users.html", form=form, users=found, total=total, page=page, action_form=ActionForm()
    )


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_user():
    """Create a coach, HR manager or administrator account."""
    form = StaffUserForm()
    form.organisation_id.choices = options([(0, _("— none —")), *users.organisation_choices()])
    if form.validate_on_submit():
        try:
            user = accounts.create_staff_user(
                current_user,
                email=form.email.data,
                display_name=form.display_name.data,
                role=Role(form.role.data),
                organisation_id=form.organisation_id.data or None,
            )
        except ValidationFailed as error:
            flash(error.message, "danger")
        else:
            flash(_("The account for %(email)s is created. We sent an invitation to choose a password.",
                    email=user.email), "success")
            return redirect(url_for("admin.users_list"))
    return render_template("admin/new_user.html", form=form)


@bp.post("/users/<int:user_id>/invitation")
@allow(Role.ADMIN)
def resend_invitation(user_id: int):
    """A new invitation link for a staff member who has not chosen a password yet."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        user = accounts.resend_invitation(current_user, user_id)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(_("We sent a new invitation to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.users_list"))


@bp.post("/users/<int:user_id>/second-factor")
@allow(Role.ADMIN)
def reset_second_factor(user_id: int):
    """Remove someone's second factor (a lost phone): they set it up again at the next login."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        user = second_factor.reset_for(current_user, user_id)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(_("The second factor of %(email)s is removed; they are logged out and set it up again at the next "
                "login.", email=user.email), "success")
    return redirect(url_for("admin.users_list"))


@bp.post("/users/<int:user_id>/reset")
@allow(Role.ADMIN)
def send_reset(user_id: int):
    """Send someone a link to choose a new password (the administrator never sets or sees it)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        user = accounts.send_reset_link(current_user, user_id, client_ip())
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(_("We sent %(email)s a link to choose a new password.", email=user.email), "success")
    return redirect(url_for("admin.users_list"))


@bp.post("/users/<int:user_id>/active")
@allow(Role.ADMIN)
def set_active(user_id: int):
    """Activate or deactivate an account (deactivation ends its sessions)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        user = accounts.set_active(current_user, user_id, active)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(
            _("%(email)s can log in again.", email=user.email) if active
            else _("%(email)s is deactivated and logged out everywhere.", email=user.email),
            "success",
        )
    return redirect(url_for("admin.users_list"))


@bp.get("/assignments")
@allow(Role.ADMIN)
def assignments():
    """Which coach each participant has; assign or change (the profile content stays private)."""
    query = (request.args.get("q") or "")[:100]
    only_unassigned = request.args.get("unassigned") == "1"
    page = int_arg("page", 1)
    rows, total = coaching.assignments(current_user, query, only_unassigned, page)
    coach_choices = [(0, _("— no coach —")), *[(c.id, c.display_name) for c in coaching.coaches()]]
    return render_template("admin/assignments.html", rows=rows, total=total, page=page, query=query,
                           only_unassigned=only_unassigned, coach_choices=coach_choices, action_form=ActionForm())


@bp.post("/assignments/<int:profile_id>")
@allow(Role.ADMIN)
def assign(profile_id: int):
    """Assign a participant to a coach."""
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = (request.form.get("coach_id") or "0").strip()
    if not raw.isdigit() or len(raw) > 9:  # ids are small positive numbers; anything else is refused
        abort(400)
    coach_id = int(raw)
    try:
        coaching.assign(current_user, profile_id, coach_id or None)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(_("The assignment is saved."), "success")
    return redirect(safe_next(request.form.get("back")) or url_for("admin.assignments"))


@bp.get("/audit")
@allow(Role.ADMIN)
def audit_log():
    """Search the audit log: who did or saw what, when."""
    form = AuditSearchForm(request.args)
    valid = form.validate()
    page = int_arg("page", 1)
    rows, total = audit.search(current_user, (form.action.data or "") if valid else "",
                               (form.person.data or "") if valid else "", form.since.data if valid else None,
                               form.until.data if valid else None, page)
    return render_template("admin/audit.html", form=form, rows=rows, total=total, page=page)


@bp.get("/users/<int:user_id>/data")
@allow(Role.ADMIN)
def user_data(user_id: int):
    """A participant's data request: export on their behalf, or erase on request."""
    try:
        user = privacy.subject(current_user, user_id)
    except NotFound:
        abort(404)
    return render_template("admin/user_data.html", user=user, form=EraseForm())


@bp.get("/users/<int:user_id>/export")
@allow(Role.ADMIN)
def user_export(user_id: int):
    try:
        data = privacy.export(current_user, user_id)
    except NotFound:
        abort(404)
    return json_download(data, f"mimi-match-user-{user_id}.json")


@bp.post("/users/<int:user_id>/erase")
@allow(Role.ADMIN)
def user_erase(user_id: int):
    """Erase a participant on their request: every row about them goes."""
    form = EraseForm()
    if not form.validate_on_submit() or form.confirmation.data.strip().upper() != privacy.ERASURE_WORD:
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Type %(word)s to confirm.", word=privacy.ERASURE_WORD), "danger")
        return redirect(url_for("admin.user_data", user_id=user_id))
    try:
        privacy.erase(current_user, user_id)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return redirect(url_for("admin.user_data", user_id=user_id))
    flash(_("The participant and all their data are erased."), "success")
    return redirect(url_for("admin.users_list"))
