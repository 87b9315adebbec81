"""Onboarding guides: HR's checklist for a position or placement; the placement's coach may read it.

HR gives points to a buddy or team member (a name, usually no account) with a due date; they open their own
points by a signed link and tick them there. A placement's guide also holds the new colleague's welcome page:
the facts of the first day, which HR fills in and shares, shown in the new colleague's own language.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from ..access import allow, public
from ..config import LANGUAGES
from ..forms.auth import ActionForm
from ..forms.guides import AssignForm, HelperForm, WelcomeForm
from ..models import Role
from ..services import onboarding
from ..services.errors import NotFound, PermissionDenied, ValidationFailed

bp = Blueprint("guides", __name__, url_prefix="/guides")


@bp.app_context_processor
def welcome_links():
    """``welcome_guide_for(placement)``: the shared welcome page a participant may open from their placement."""
    def welcome_guide_for(placement):
        if not current_user.is_authenticated:
            return None
        return onboarding.shared_welcome_for(current_user, placement)

    return {"welcome_guide_for": welcome_guide_for}


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
    editable = onboarding.may_edit(current_user, guide)
    shown = onboarding.show(guide, language)
    links = {h.id: url_for("guides.helper_list", token=onboarding.helper_token(h), _external=True)
             for h in guide.helpers} if editable else {}
    return render_template("guides/show.html", guide=guide, shown=shown, language=language, languages=LANGUAGES,
                           editable=editable, position=onboarding.guide_position(guide), action_form=ActionForm(),
                           helper_form=HelperForm(language=language), helper_rows=onboarding.helper_rows(guide, shown),
                           links=links)


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
    with force_locale(language):  # the file is all in the guide's language, dates and headings too
        html = render_template("guides/standalone.html", shown=onboarding.show(guide, language), language=language,
                               css=css, position=onboarding.guide_position(guide))
    response = make_response(html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="onboarding-guide-{guide.id}-{language}.html"'
    return response


def _back_to_guide(guide_id: int, anchor: str | None = None):
    language = request.form.get("lang", "")
    return redirect(url_for("guides.show", guide_id=guide_id, lang=language if language in LANGUAGES else None,
                            _anchor=anchor))


def _form_errors(form: FlaskForm) -> str:
    return " ".join(str(e) for name, errors in form.errors.items() if name != "csrf_token" for e in errors)


# --- people helping: points given to a buddy or team member -----------------------------------------------

@bp.post("/<int:guide_id>/people")
@allow(Role.HR)
def add_helper(guide_id: int):
    form = HelperForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_form_errors(form), "danger")
        return _back_to_guide(guide_id, "people")
    try:
        helper = onboarding.add_helper(current_user, guide_id, form.name.data or "", form.email.data or "",
                                       form.language.data or "en", bool(form.is_buddy.data))
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return _back_to_guide(guide_id, "people")
    flash(_("%(name)s is added. Give them their link, then give them points of the guide.", name=helper.name),
          "success")
    return _back_to_guide(guide_id, f"helper-{helper.id}")


@bp.post("/<int:guide_id>/people/<int:helper_id>")
@allow(Role.HR)
def change_helper(guide_id: int, helper_id: int):
    """Remove a person, give them a new link (the old one stops working), or make them the buddy."""
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    try:
        helper = onboarding.change_helper(current_user, guide_id, helper_id, action)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return _back_to_guide(guide_id, "people")
    flash({"remove": _("%(name)s is removed; their points are yours again.", name=helper.name),
           "renew": _("%(name)s has a new link; the old one no longer works.", name=helper.name),
           "buddy": _("%(name)s is now the buddy.", name=helper.name)}[action], "success")
    return _back_to_guide(guide_id, "people")


@bp.post("/<int:guide_id>/items/<int:item_id>/assign")
@allow(Role.HR)
def assign(guide_id: int, item_id: int):
    form = AssignForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Please check: %(errors)s", errors=_form_errors(form) or _("Give a valid date.")), "danger")
        return _back_to_guide(guide_id, f"item-{item_id}")
    helper_id = int(form.helper.data) if form.helper.data else None
    try:
        onboarding.assign(current_user, guide_id, item_id, helper_id, form.due_on.data)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(_("Saved."), "success")
    return _back_to_guide(guide_id, f"item-{item_id}")


def _helper_or_404(token: str):
    helper = onboarding.helper_for(token)
    if helper is None:
        abort(404)
    return helper


@bp.get("/team/<token>")
@public
def helper_list(token: str):
    """A buddy's or team member's own points, by their signed link (no account needed), in their language."""
    helper = _helper_or_404(token)
    guide = onboarding._load(helper.guide_id)
    asked = request.args.get("lang", "")
    language = asked if asked in LANGUAGES else helper.language
    with force_locale(language):
        shown = onboarding.show(guide, language, helper=helper)
        return render_template("guides/helper.html", helper=helper, guide=guide, shown=shown, language=language,
                               token=token, position=onboarding.guide_position(guide), action_form=ActionForm())


@bp.post("/team/<token>/items/<int:item_id>")
@public
def helper_tick(token: str, item_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    helper = _helper_or_404(token)
    try:
        onboarding.helper_tick(helper, item_id, request.form.get("done") == "1")
    except NotFound:
        abort(404)
    language = request.form.get("lang", "")
    with force_locale(language if language in LANGUAGES else helper.language):
        flash(_("Saved."), "success")
    return redirect(url_for("guides.helper_list", token=token, lang=language if language in LANGUAGES else None,
                            _anchor=f"item-{item_id}"))


# --- the new colleague's welcome page ------------------------------------------------------------------------

@bp.get("/<int:guide_id>/welcome")
@allow(Role.PARTICIPANT, Role.HR, Role.COACH)
def welcome(guide_id: int):
    """The first day, in the new colleague's own language: for them once shared; HR and the coach preview it."""
    try:
        guide = onboarding.welcome_guide(current_user, guide_id)
    except NotFound:
        abort(404)
    facts = onboarding.welcome(guide)
    with force_locale(facts.language):
        # a rendered template: every value in it was escaped by Jinja
        content = Markup(render_template("guides/_welcome.html", w=facts))  # nosec B704
    context = dict(guide=guide, w=facts, content=content, editable=onboarding.may_edit(current_user, guide),
                   language_name=LANGUAGES.get(facts.language, facts.language))
    if current_user.role == Role.PARTICIPANT:  # the whole page in their language
        with force_locale(facts.language):
            return render_template("guides/welcome.html", **context)
    return render_template("guides/welcome.html", **context)


@bp.route("/<int:guide_id>/welcome/edit", methods=["GET", "POST"])
@allow(Role.HR)
def edit_welcome(guide_id: int):
    """HR fills in the facts of the first day and decides when the new colleague sees them."""
    guide = _guide_or_404(guide_id)
    if guide.placement is None or not onboarding.may_edit(current_user, guide):
        abort(404)
    form = WelcomeForm(data={
        "start_time": guide.first_day_time, "place": guide.first_day_place,
        "contact_name": guide.contact_name or guide.placement.company_contact, "contact_phone": guide.contact_phone,
        "what_to_bring": guide.what_to_bring, "share": guide.welcome_shared_at is not None,
    } if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            onboarding.save_welcome(current_user, guide_id, start_time=form.start_time.data,
                                    place=form.place.data or "", contact_name=form.contact_name.data or "",
                                    contact_phone=form.contact_phone.data or "",
                                    what_to_bring=form.what_to_bring.data or "", share=bool(form.share.data))
        except NotFound:
            abort(404)
        except ValidationFailed as error:
            flash(error.message, "danger")
        else:
            flash(_("The welcome page is saved and shown to the new colleague.") if form.share.data
                  else _("The welcome page is saved. The new colleague does not see it yet."), "success")
            return redirect(url_for("guides.welcome", guide_id=guide_id))
    elif request.method == "POST" and "csrf_token" in form.errors:
        abort(400)
    facts = onboarding.welcome(guide)
    return render_template("guides/welcome_edit.html", guide=guide, form=form, w=facts,
                           position=onboarding.guide_position(guide),
                           language_name=LANGUAGES.get(facts.language, facts.language))
