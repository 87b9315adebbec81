"""Browsing opportunities (open to everyone) and a participant's own steps on a position."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import allow, public
from ..cefr_text import meaning
from ..forms.auth import ActionForm
from ..forms.choices import options
from ..forms.positions import SORTS, BrowseForm
from ..matching.cefr import LEVELS
from ..models import Role
from ..services import jobposting, opportunities
from ..services.errors import NotFound
from .choices import field_options, region_options
from .helpers import int_arg

bp = Blueprint("opportunities", __name__, url_prefix="/opportunities")


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.get("/")
@public
def browse():
    """Open vacancies and micro-internships: search, filters, sort, pages."""
    form = BrowseForm(request.args)
    form.field.choices = field_options(empty=_("All fields"))
    form.region.choices = region_options(empty=_("All regions"))
    form.level.choices = options([("", _("Any level")), *[(level, level) for level in LEVELS]])
    my_level = opportunities.participant_level(_viewer(), current_app.config["HOST_LANGUAGE"])
    if current_user.is_authenticated and current_user.role == Role.PARTICIPANT:
        form.sort.choices = options([("fit", _("Fits me best")), *SORTS])
        if "sort" not in request.args:
            form.sort.data = "fit"
    if "sort" not in request.args and (request.args.get("q") or "").strip():
        form.sort.data = "relevance"  # a search shows the best matches first, unless another order is chosen
    if "level" not in request.args and my_level:
        form.level.data = my_level  # participants see what fits their language level first; they can widen it
    valid = form.validate()
    query = opportunities.BrowseQuery(
        q=(form.q.data or "") if valid else "",
        field_id=form.field.data if valid and form.field.data else None,
        kind=form.kind.data if valid else "",
        region=form.region.data if valid else "",
        remote=bool(form.remote.data) if valid else False,
        level=form.level.data or "" if valid else "",
        hours=form.hours.data if valid else None,
        start_by=form.start_by.data if valid else None,
        sort=form.sort.data if valid else "newest",
        page=int_arg("page", 1),
    )
    page = opportunities.browse(query, _viewer(), per_page=current_app.config["PAGE_SIZE"])
    args = {k: v for k, v in request.args.items() if k in form._fields}  # never "_method", "_external"...
    return render_template("opportunities/list.html", form=form, result=page, args=args, my_level=my_level,
                           action_form=ActionForm())


@bp.get("/<int:position_id>")
@public
def detail(position_id: int):
    """One position in plain language."""
    try:
        position = opportunities.position_for(_viewer(), position_id)
    except NotFound:
        abort(404)
    state = None
    if current_user.is_authenticated and current_user.role == Role.PARTICIPANT:
        state = opportunities.participant_state(current_user, position, current_app.config["HOST_LANGUAGE"])
    return render_template("opportunities/detail.html", position=position, state=state,
                           level_meaning=meaning(position.host_language_level), action_form=ActionForm(),
                           job_posting=jobposting.page_json_ld(position, str(get_locale())))


def _participant_step(position_id: int, step, message: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        changed = step(current_user, position_id)
    except NotFound:
        abort(404)
    if changed is False:
        flash(_("Nothing changed: this step is not possible now."), "info")
    else:
        flash(message, "success")
    if request.form.get("back") == "applications":
        return redirect(url_for("participant.applications"))
    return redirect(url_for("opportunities.detail", position_id=position_id))


@bp.post("/<int:position_id>/save")
@allow(Role.PARTICIPANT)
def save(position_id: int):
    """Keep a position in my list for later."""
    return _participant_step(position_id, lambda u, pid: opportunities.set_saved(u, pid, True),
                             _("Saved. You find it under \"Saved for later\"."))


@bp.post("/<int:position_id>/unsave")
@allow(Role.PARTICIPANT)
def unsave(position_id: int):
    """Remove a position from my saved list."""
    return _participant_step(position_id, lambda u, pid: opportunities.set_saved(u, pid, False),
                             _("Removed from your saved positions."))


@bp.post("/<int:position_id>/interest")
@allow(Role.PARTICIPANT)
def interest(position_id: int):
    """My own step: "I am interested"."""
    return _participant_step(position_id, opportunities.express_interest,
                             _("You said you are interested. The employer can now see you as a candidate, "
                               "as far as you allowed it. Your coach is informed."))


@bp.post("/<int:position_id>/withdraw")
@allow(Role.PARTICIPANT)
def withdraw(position_id: int):
    """Take my interest back."""
    return _participant_step(position_id, opportunities.withdraw_interest,
                             _("You are no longer a candidate for this position."))


@bp.get("/saved")
@allow(Role.PARTICIPANT)
def saved():
    """Positions I saved for later."""
    return render_template("opportunities/saved.html", positions=opportunities.saved_positions(current_user),
                           action_form=ActionForm())
