"""A placement's shared page: the plan, its status, the three-voice evaluation and the history."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import labels
from ..access import allow
from ..forms.auth import ActionForm
from ..forms.choices import options
from ..forms.placements import AbandonForm, EvaluationForm, PlacementPlanForm, SignForm
from ..models import EvaluationVoice, Role
from ..services import agreements, follow_ups, journey, placements, skill_names
from ..services.errors import Conflict, NeedsConfirmation, NotFound, PermissionDenied, ValidationFailed

bp = Blueprint("placements", __name__, url_prefix="/placements")
PARTIES = (Role.PARTICIPANT, Role.COACH, Role.HR)


def _version() -> int | None:
    value = request.form.get("version", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.get("/")
@allow(*PARTIES)
def index():
    """The placements I am a party to, with what each waits for."""
    return render_template("placements/list.html", placements=placements.for_user(current_user), due=placements.due,
                           person_name=placements.person_name)


@bp.get("/<int:placement_id>")
@allow(*PARTIES)
def detail(placement_id: int):
    try:
        placement, voice = placements.get(current_user, placement_id)
    except NotFound:
        abort(404)
    given = {e.voice: e for e in placement.evaluations}
    plan_form = PlacementPlanForm(obj=placement, version=placement.version_id)
    language = str(get_locale())
    evaluation_form = EvaluationForm()
    evaluation_form.skills.choices = options((c.key, c.name)
                                             for c in placements.skill_choices(placement, current_user, language))
    step = request.args.get("confirm", "")
    question = placements.confirmation_needed(placement, step) if step in placements.STAFF_STEPS else None
    return render_template(
        "placements/detail.html", placement=placement, voice=voice, given=given, question=question,
        unsigned=agreements.missing(placement), follow_ups=follow_ups.for_placement(current_user, placement),
        summary=placements.joint_summary(placement), drafter=placements.summary_drafter(placement),
        outcomes=placements.OUTCOMES,
        summary_answers=placements.summary_answers(placements.joint_summary(placement)),
        today=date.today(),
        confirm_step=step,
        voices=[v for v in EvaluationVoice if v in placements.required_voices(placement)],
        history=journey.history(current_user, placement.match), plan_form=plan_form,
        abandon_form=AbandonForm(version=placement.version_id), evaluation_form=evaluation_form,
        action_form=ActionForm(), due=placements.due(placement), coach=placements.coach_of(placement),
        person_name=placements.person_name, required=placements.required_voices(placement),
        evaluation_skills=skill_names.evaluations_for(placement, language),
        goals=placements.learning_goals(placement), rating_labels=labels.RATING,
        skill_names_by_key={c.key: c.name for c in placements.skill_choices(placement, current_user, language)})


@bp.post("/<int:placement_id>/plan")
@allow(Role.COACH, Role.HR)
def plan(placement_id: int):
    form = PlacementPlanForm()
    if not form.validate_on_submit():
        flash(_("Please check the dates: %(errors)s", errors=" ".join(
            str(e) for errors in form.errors.values() for e in errors)), "danger")
        return redirect(url_for("placements.detail", placement_id=placement_id))
    try:
        placements.update_plan(current_user, placement_id, start_date=form.start_date.data,
                               end_date=form.end_date.data, objectives=form.objectives.data or "",
                               company_contact=form.company_contact.data or "", version=_version())
    except (NotFound, PermissionDenied):
        abort(404)
    except (Conflict, ValidationFailed) as error:
        flash(error.message, "danger")
    else:
        flash(_("The plan is saved."), "success")
    return redirect(url_for("placements.detail", placement_id=placement_id))


@bp.post("/<int:placement_id>/status")
@allow(*PARTIES)
def status(placement_id: int):
    """Start or complete (coach, employer), or end early with a reason (any of the three)."""
    step = request.form.get("step", "")
    form = AbandonForm() if step == "abandon" else ActionForm()
    if not form.validate_on_submit():
        if step == "abandon" and "csrf_token" not in form.errors:
            flash(_("Say briefly why the placement ends early."), "danger")
            return redirect(url_for("placements.detail", placement_id=placement_id))
        abort(400)
    reason = form.reason.data if step == "abandon" else ""
    try:
        placements.change_status(current_user, placement_id, step, reason or "", version=_version(),
                                 confirmed=request.form.get("confirmed") == "1")
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except NeedsConfirmation:  # the page asks the question, with the button that confirms
        return redirect(url_for("placements.detail", placement_id=placement_id, confirm=step, _anchor="status-h"))
    except (Conflict, ValidationFailed) as error:
        flash(error.message, "warning")
    else:
        flash({"start": _("The placement has started."),
               "complete": _("The placement is completed. Now each of you gives an evaluation."),
               "abandon": _("The placement has ended early.")}[step], "success")
    return redirect(url_for("placements.detail", placement_id=placement_id))


@bp.post("/<int:placement_id>/evaluation")
@allow(*PARTIES)
def evaluation(placement_id: int):
    """My voice in the joint evaluation."""
    try:
        placement, _voice = placements.get(current_user, placement_id)
    except NotFound:
        abort(404)
    form = EvaluationForm()
    form.skills.choices = options((c.key, c.name) for c in placements.skill_choices(placement, current_user,
                                                                                    str(get_locale())))
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("placements.detail", placement_id=placement_id, _anchor="evaluation"))
    try:
        placements.evaluate(current_user, placement_id, tasks_done=form.tasks_done.data or "",
                            skills=list(form.skills.data or []), other_skills=form.other_skills.data or "",
                            language_at_work=form.language_at_work.data or "", what_next=form.what_next.data or "",
                            outcome=form.outcome.data or "", locale=str(get_locale()),
                            ratings={k.removeprefix("rate-"): v for k, v in request.form.items()
                                     if k.startswith("rate-") and len(k) < 20})
    except NotFound:
        abort(404)
    except (Conflict, ValidationFailed) as error:
        flash(error.message, "danger")
    else:
        flash(_("Thank you. Your evaluation is saved."), "success")
    return redirect(url_for("placements.detail", placement_id=placement_id))


def _reading_language() -> str:
    """The language asked for (?in=ar: someone reads the agreement in theirs), else the page's."""
    asked = request.args.get("in", "")
    return asked if asked in current_app.config["LANGUAGES"] else str(get_locale())


@bp.get("/<int:placement_id>/agreement")
@allow(*PARTIES)
def agreement(placement_id: int):
    """The agreement, as the plan stands, in the reader's language (or another one chosen), with signatures."""
    try:
        placement, voice = placements.get(current_user, placement_id)
    except NotFound:
        abort(404)
    language = _reading_language()
    title, sections = agreements.sections(placement, language)
    return render_template("placements/agreement.html", placement=placement, voice=voice, title=title,
                           sections=sections, language=language, signed=agreements.signatures(placement),
                           required=[v for v in agreements.VOICES if v in placements.required_voices(placement)],
                           form=SignForm(), ended=placement.status in placements.ENDED)


@bp.get("/<int:placement_id>/agreement.pdf")
@allow(*PARTIES)
def agreement_pdf(placement_id: int):
    try:
        placement, _voice = placements.get(current_user, placement_id)
    except NotFound:
        abort(404)
    language = _reading_language()
    return Response(agreements.pdf(placement, language), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="agreement-{placement.id}-{language}.pdf"',
        "Cache-Control": "private, no-store"})


@bp.post("/<int:placement_id>/agreement/sign")
@allow(*PARTIES)
def sign(placement_id: int):
    form = SignForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("placements.agreement", placement_id=placement_id))
    try:
        agreements.sign(current_user, placement_id, form.typed_name.data or "")
    except NotFound:
        abort(404)
    except (Conflict, ValidationFailed) as error:
        flash(error.message, "danger")
    else:
        flash(_("Thank you. Your signature is recorded."), "success")
    return redirect(url_for("placements.agreement", placement_id=placement_id))


@bp.post("/<int:placement_id>/follow-ups/<int:follow_up_id>")
@allow(Role.PARTICIPANT, Role.COACH)
def follow_up(placement_id: int, follow_up_id: int):
    """Record how the person is doing, some months after the placement."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        follow_ups.record(current_user, follow_up_id, request.form.get("situation", ""),
                          request.form.getlist("barriers"), (request.form.get("note") or "")[:2000])
    except NotFound:
        abort(404)
    except (Conflict, ValidationFailed) as error:
        flash(error.message, "danger")
    else:
        flash(_("Thank you. The follow-up is recorded."), "success")
    return redirect(url_for("placements.detail", placement_id=placement_id, _anchor="follow-up"))


@bp.post("/<int:placement_id>/summary")
@allow(*PARTIES)
def summary(placement_id: int):
    """The joint summary: the drafter writes or revises it; the others confirm or comment."""
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    try:
        if action == "draft":
            placements.draft_summary(current_user, placement_id, (request.form.get("text") or "")[:4000],
                                     request.form.get("outcome", ""))
            flash(_("The joint summary is saved. The others are asked to confirm it."), "success")
        elif action in ("agree", "comment"):
            placements.answer_summary(current_user, placement_id, action == "agree",
                                      (request.form.get("comment") or "")[:4000])
            flash(_("Thank you. Your answer is recorded."), "success")
        else:
            flash(_("Choose what to do."), "danger")
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except (Conflict, ValidationFailed) as error:
        flash(error.message, "danger")
    return redirect(url_for("placements.detail", placement_id=placement_id, _anchor="summary"))
