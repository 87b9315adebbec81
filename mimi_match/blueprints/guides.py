"""Onboarding guides: HR's checklist for a position or placement; the placement's coach may read it."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import allow
from ..config import LANGUAGES
from ..forms.auth import ActionForm
from ..models import Role
from ..services import onboarding
from ..services.errors import NotFound, PermissionDenied

bp = Blueprint("guides", __name__, url_prefix="/guides")


def _host() -> str:
    return current_app.config["HOST_LANGUAGE"]


def _language() -> str:
    """The guide's language: asked for in the address, else the reader's own."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return str(get_locale()) if str(get_locale()) in LANGUAGES else "en"


@bp.get("/")
@allow(Role.HR)
def index():
    """My organisation's guides with progress and what is due."""
    return render_template("guides/index.html", rows=onboarding.overview(current_user))


@bp.get("/positions/<int:position_id>")
@allow(Role.HR)
def for_position(position_id: int):
    try:
        guide = onboarding.for_position(current_user, position_id, _host())
    except NotFound:
        abort(404)
    return redirect(url_for("guides.show", guide_id=guide.id))


@bp.get("/placements/<int:placement_id>")
@allow(Role.HR, Role.COACH)
def for_placement(placement_id: int):
    try:
        guide = onboarding.for_placement(current_user, placement_id, _host())
    except NotFound:
        abort(404)
    return redirect(url_for("guides.show", guide_id=guide.id))


def _guide_or_404(guide_id: int):
    try:
        return onboarding.get(current_user, guide_id, _host())
    except NotFound:
        abort(404)


@bp.get("/<int:guide_id>")
@allow(Role.HR, Role.COACH)
def show(guide_id: int):
    guide = _guide_or_404(guide_id)
    language = _language()
    return render_template("guides/show.html", guide=guide, shown=onboarding.show(guide, language),
                           language=language, languages=LANGUAGES, editable=onboarding.may_edit(current_user, guide),
                           position=onboarding.guide_position(guide), action_form=ActionForm())


@bp.post("/<int:guide_id>/items/<int:item_id>")
@allow(Role.HR)
def tick(guide_id: int, item_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        onboarding.tick(current_user, guide_id, item_id, request.form.get("done") == "1")
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    language = request.form.get("lang", "")
    flash(_("Saved."), "success")
    return redirect(url_for("guides.show", guide_id=guide_id, lang=language if language in LANGUAGES else None,
                            _anchor=f"item-{item_id}"))


@bp.get("/<int:guide_id>/download")
@allow(Role.HR, Role.COACH)
def download(guide_id: int):
    """The guide as one self-contained HTML file (styles inside), to keep, print or pass on."""
    guide = _guide_or_404(guide_id)
    language = _language()
    css = (Path(current_app.static_folder or "") / "css" / "guide.css").read_text(encoding="utf-8")
    html = render_template("guides/standalone.html", shown=onboarding.show(guide, language), language=language,
                           css=css, position=onboarding.guide_position(guide))
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="onboarding-guide-{guide.id}-{language}.html"'
    return response
