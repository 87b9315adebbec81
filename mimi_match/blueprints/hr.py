"""The HR manager's pages: my positions, creating and managing them, the organisation profile."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import allow
from ..cefr_text import colleague_meaning, meaning
from ..forms.auth import ActionForm
from ..forms.positions import OrganisationForm, PositionForm, concept_choices, skill_lines
from ..models import Role
from ..services import candidates as consented_profiles
from ..services import dashboards, journey, onboarding, positions, skill_names
from ..services.errors import Conflict, NotFound, ValidationFailed
from .choices import field_options, language_options, region_options
from .helpers import id_or_none, int_arg

bp = Blueprint("hr", __name__, url_prefix="/hr")


def level_text(level: str | None) -> str:
    """A CEFR level as HR pages show it: the code with its plain meaning, said about the person
    ("B1 — can handle everyday work conversations ..."), never a bare code."""
    if not level:
        return _("level not given")
    return _("%(level)s — %(meaning)s", level=level, meaning=colleague_meaning(level))


@bp.context_processor
def _level_meaning():
    return {"level_meaning_of": level_text}


@bp.get("/")
@allow(Role.HR)
def dashboard():
    """My organisation's positions by status, with their candidates counted by stage."""
    grouped = dashboards.organisation_positions(current_user)
    guides = [row for row in onboarding.overview(current_user) if row.done < row.total]
    return render_template("hr/dashboard.html", grouped=grouped, organisation=current_user.organisation,
                           action_form=ActionForm(), guides=guides[:5], more_guides=max(0, len(guides) - 5))


def _position_form(**kwargs) -> PositionForm:
    form = PositionForm(**kwargs)
    form.field_id.choices = field_options(empty=_("— choose a field —"))
    form.region.choices = region_options(empty=_("— choose —"))
    form.other_languages.choices = language_options()
    return form


def _input(form: PositionForm) -> positions.PositionInput:
    return positions.PositionInput(
        kind=form.kind.data, title=form.title.data, field_id=form.field_id.data,
        description=form.description.data, required_skills=skill_lines(form.required_skills.data),
        nice_skills=skill_lines(form.nice_skills.data), host_language_level=form.host_language_level.data or None,
        other_languages=form.other_languages.data, location=form.location.data or "",
        region=form.region.data or "", remote=form.remote.data, hours_per_week=form.hours_per_week.data,
        contract_type=form.contract_type.data or None, start_date=form.start_date.data,
        openings=form.openings.data, application_deadline=form.application_deadline.data,
        duration_weeks=form.duration_weeks.data, purpose=form.purpose.data or None,
        contact_person=form.contact_person.data or "", learning_content=form.learning_content.data or "",
        participants_at_once=form.participants_at_once.data,
        chosen_concepts=concept_choices(form.skill_concepts.data) or {},
    )


def _form_values(position) -> dict:
    """The position as form data (enums as their values, skills one per line)."""
    values = {name: getattr(position, name) for name in PositionForm.EDITABLE}
    for name in ("kind", "host_language_level", "contract_type", "purpose"):
        values[name] = getattr(values[name], "value", values[name]) or ""
    values["required_skills"] = "\n".join(s.label for s in position.required_skills)
    values["nice_skills"] = "\n".join(s.label for s in position.nice_skills)
    values["version_id"] = position.version_id
    return values


def _host_language() -> str:
    return current_app.config["HOST_LANGUAGE"]


@bp.route("/positions/new", methods=["GET", "POST"])
@allow(Role.HR)
def new_position():
    """Write a new vacancy or micro-internship (saved as a draft)."""
    form = _position_form(kind=request.args.get("kind", "vacancy"))
    if form.validate_on_submit():
        try:
            position = positions.create_position(current_user, _input(form), str(get_locale()), _host_language())
        except ValidationFailed as error:
            flash(error.message, "danger")
        else:
            flash(_("Saved as a draft. Check the preview, then publish."), "success")
            return redirect(url_for("hr.preview", position_id=position.id))
    return render_template("hr/position_form.html", form=form, position=None)


@bp.route("/positions/<int:position_id>/edit", methods=["GET", "POST"])
@allow(Role.HR)
def edit_position(position_id: int):
    """Change a position of my organisation."""
    try:
        position = positions.own_position(current_user, position_id)
    except NotFound:
        abort(404)
    if request.method == "GET":
        form = _position_form(data=_form_values(position))
    else:
        form = _position_form()
    if form.validate_on_submit():
        raw = form.version_id.data or ""
        version = int(raw) if raw.isdecimal() and raw.isascii() else None
        try:
            positions.update_position(current_user, position_id, _input(form), version, str(get_locale()),
                                      _host_language())
        except (ValidationFailed, Conflict) as error:
            flash(error.message, "danger")
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("hr.preview", position_id=position_id))
    return render_template("hr/position_form.html", form=form, position=position)


@bp.get("/positions/<int:position_id>")
@allow(Role.HR)
def preview(position_id: int):
    """The position as participants will see it, with the actions for its status."""
    try:
        position = positions.own_position(current_user, position_id)
    except NotFound:
        abort(404)
    return render_template("hr/preview.html", position=position, action_form=ActionForm(),
                           level_meaning=meaning(position.host_language_level))


def _lifecycle(position_id: int, operation, done_message: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        result = operation(current_user, position_id)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return redirect(url_for("hr.preview", position_id=position_id))
    flash(done_message, "success")
    return redirect(url_for("hr.preview", position_id=result.id))


@bp.post("/positions/<int:position_id>/publish")
@allow(Role.HR)
def publish(position_id: int):
    """Publish: participants can now find the position."""
    return _lifecycle(position_id, positions.publish, _("The position is published."))


@bp.post("/positions/<int:position_id>/close")
@allow(Role.HR)
def close(position_id: int):
    """Close the position (filled, or no longer available)."""
    filled = request.form.get("filled") == "1"
    return _lifecycle(position_id, lambda actor, pid: positions.close(actor, pid, filled=filled),
                      _("The position is closed."))


@bp.post("/positions/<int:position_id>/reopen")
@allow(Role.HR)
def reopen(position_id: int):
    """Open a closed position again."""
    return _lifecycle(position_id, positions.reopen, _("The position is open again."))


@bp.post("/positions/<int:position_id>/duplicate")
@allow(Role.HR)
def duplicate(position_id: int):
    """Start a new draft from a copy of this position."""
    return _lifecycle(position_id, positions.duplicate, _("A copy was saved as a draft. Check the dates."))


@bp.route("/organisation", methods=["GET", "POST"])
@allow(Role.HR)
def organisation():
    """Our organisation's profile, shown to participants on every position."""
    organisation = positions.own_organisation(current_user)
    form = OrganisationForm(obj=organisation)
    form.region.choices = region_options(empty=_("— choose —"))
    if form.validate_on_submit():
        try:
            positions.update_organisation(current_user, {name: f.data for name, f in form._fields.items()})
        except ValidationFailed as error:
            form.name.errors.append(error.message)
        else:
            flash(_("The organisation profile is saved."), "success")
            return redirect(url_for("hr.organisation"))
    return render_template("hr/organisation.html", form=form, organisation=organisation)


@bp.get("/talent")
@allow(Role.HR)
def talent():
    """Participants who allow being found: anonymous cards (skills, languages, region; no names)."""
    field_id = int_arg("field")
    skill = (request.args.get("skill") or "")[:100]
    result = consented_profiles.findable_page(current_user, field_id, skill, int_arg("page", 1))
    filters = {k: v for k, v in (("field", field_id), ("skill", skill.strip())) if v}
    return render_template("hr/talent.html", result=result, cards=result.cards, filters=filters,
                           open_positions=positions.open_positions_of(current_user),
                           fields=field_options(empty=_("All fields")), field_id=field_id or 0, skill=skill,
                           host_language=current_app.config.get("HOST_LANGUAGE", "nb"), action_form=ActionForm())


@bp.post("/talent/invite")
@allow(Role.HR)
def invite_talent():
    """Invite the person behind an anonymous card to look at one of our open positions; they decide."""
    if not ActionForm().validate_on_submit():
        abort(400)
    position_id = id_or_none(request.form.get("position"))
    try:
        consented_profiles.invite(current_user, request.form.get("reference", "")[:20], position_id or 0)
    except NotFound as error:
        flash(error.message or _("No such card."), "danger")
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(_("Your invitation is on its way. The person decides; you see them among your candidates only if "
                "they say they are interested."), "success")
    page = id_or_none(request.form.get("page"))
    back = {"field": id_or_none(request.form.get("field")), "skill": (request.form.get("skill") or "").strip()[:100],
            "page": page if page and page > 1 else None}
    return redirect(url_for("hr.talent", **{k: v for k, v in back.items() if v}))


@bp.post("/talent/references")
@allow(Role.HR)
def rotate_cards():
    """Give every anonymous card our organisation sees a new reference."""
    if not ActionForm().validate_on_submit():
        abort(400)
    consented_profiles.rotate_card_references(current_user)
    flash(_("Every card has a new reference now. References noted before mean nothing any more."), "success")
    return redirect(url_for("hr.talent"))


@bp.get("/candidates/<int:profile_id>")
@allow(Role.HR)
def candidate(profile_id: int):
    """A candidate who said "I am interested" in one of our positions, as far as they allow."""
    try:
        profile, matches = consented_profiles.candidate_profile(current_user, profile_id)
    except NotFound:
        abort(404)
    back = consented_profiles.back_match(matches, int_arg("position"))
    return render_template("hr/candidate.html", profile=profile, matches=matches, back=back)


@bp.get("/positions/<int:position_id>/candidates")
@allow(Role.HR)
def candidates(position_id: int):
    """Candidates who said they are interested, as far as their consent allows; answer each one."""
    try:
        position, matches = journey.candidates(current_user, position_id)
    except NotFound:
        abort(404)
    return render_template("hr/candidates.html", position=position, matches=matches, action_form=ActionForm(),
                           groups=consented_profiles.grouped(matches),
                           reasons=skill_names.reasons_for(matches, str(get_locale())),
                           waiting_days=journey.waiting_days,
                           history=lambda match: journey.history(current_user, match),
                           reminder_days=current_app.config.get("ANSWER_REMINDER_DAYS", 7))


@bp.post("/matches/<int:match_id>/answer")
@allow(Role.HR)
def answer(match_id: int):
    """Invite to a meeting, offer, or decline with a reason."""
    if not ActionForm().validate_on_submit():
        abort(400)
    version = request.form.get("version", "")
    try:
        match = journey.hr_answer(current_user, match_id, request.form.get("action", ""),
                                  (request.form.get("message") or "")[:2000],
                                  int(version) if version.isdecimal() and version.isascii() else None)
    except NotFound:
        abort(404)
    except (Conflict, ValidationFailed) as error:
        flash(error.message, "warning")
        back = request.form.get("position", "")
        return redirect(url_for("hr.candidates", position_id=int(back)) if back.isdecimal() and back.isascii()
                        else url_for("hr.dashboard"))
    flash(_("Your answer was sent to the candidate."), "success")
    return redirect(url_for("hr.candidates", position_id=match.position_id))
