"""The coach's pages: caseload, a participant's page (profile, plan, notes, competence checks, history),
and participants without a coach."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ..access import allow
from ..forms.auth import ActionForm
from ..forms.choices import options
from ..forms.profile import ActionItemForm, CaseloadFilterForm, CompetenceCheckForm, NoteForm
from ..models import Role
from ..services import action_plan, coaching, journey, matching, profiles, skill_names
from ..services.errors import NotFound, PermissionDenied, ValidationFailed
from .choices import field_options, skill_label
from .helpers import ONE_TOKEN, id_or_none, int_arg

bp = Blueprint("coach", __name__, url_prefix="/coach")
MAX_BULK_REVIEW = 500  # decisions in one request: a page of the queue is far fewer


def _host() -> str:
    return current_app.config["HOST_LANGUAGE"]


@bp.get("/")
@allow(Role.COACH)
def caseload():
    """The participants assigned to me, with signals; searchable and sortable."""
    form = CaseloadFilterForm(request.args)
    valid = form.validate()
    rows = coaching.caseload(current_user, _host(), (form.q.data or "") if valid else "",
                             (form.sort.data or "name") if valid else "name")
    # the panel of what needs me today heads the whole caseload; a search shows only what it found
    needs = None if valid and (form.q.data or "").strip() else coaching.today(current_user, rows)
    return render_template("coach/caseload.html", rows=rows, form=form, today_panel=needs)


def _participant_or_404(profile_id: int):
    try:
        return coaching.my_participant(current_user, profile_id)
    except (NotFound, PermissionDenied):
        abort(404)


def _check_form(profile) -> CompetenceCheckForm:
    form = CompetenceCheckForm(prefix="check", meta=ONE_TOKEN)
    form.skill_id.choices = options([(0, _("— choose —")), *[(s.id, skill_label(s)) for s in profile.skills]])
    return form


@bp.get("/participants/<int:profile_id>")
@allow(Role.COACH)
def participant(profile_id: int):
    """A participant of my caseload: profile, action plan, history, notes, competence checks."""
    profile = _participant_or_404(profile_id)
    return _participant_page(profile)


def _participant_page(profile, note_form=None, check_form=None, item_form=None):
    items = action_plan.items(current_user, profile.id)
    return render_template(
        "coach/participant.html", profile=profile, history=coaching.history(profile),
        completeness=profiles.completeness(profile, _host()), steps=profiles.STEPS,
        items=items, plan_text=action_plan.texts(items, str(get_locale())), action_form=ActionForm(),
        note_form=note_form or NoteForm(prefix="note", meta=ONE_TOKEN), check_form=check_form or _check_form(profile),
        item_form=item_form or ActionItemForm(prefix="item", meta=ONE_TOKEN),
        match_history=lambda match: journey.history(current_user, match))


@bp.post("/participants/<int:profile_id>/notes")
@allow(Role.COACH)
def add_note(profile_id: int):
    """Write a private note about a participant of my caseload."""
    profile = _participant_or_404(profile_id)
    form = NoteForm(prefix="note", meta=ONE_TOKEN)
    if form.validate_on_submit():
        try:
            coaching.add_note(current_user, profile_id, form.body.data)
        except ValidationFailed as error:
            form.body.errors.append(error.message)
        else:
            flash(_("The note is saved."), "success")
            return redirect(url_for("coach.participant", profile_id=profile_id) + "#notes")
    return _participant_page(profile, note_form=form)


@bp.post("/participants/<int:profile_id>/checks")
@allow(Role.COACH)
def add_check(profile_id: int):
    """Record a competence check (the starter package's check by a professional expert)."""
    profile = _participant_or_404(profile_id)
    form = _check_form(profile)
    if form.validate_on_submit():
        try:
            coaching.record_competence_check(
                current_user, profile_id, skill_id=form.skill_id.data or None, new_skill=form.new_skill.data or "",
                expert_name=form.expert_name.data, method=form.method.data, result=form.result.data,
                joint_assessment=form.joint_assessment.data, checked_on=form.checked_on.data,
                locale=str(get_locale()))
        except ValidationFailed as error:
            form.skill_id.errors.append(error.message)
        else:
            flash(_("The competence check is recorded."), "success")
            return redirect(url_for("coach.participant", profile_id=profile_id) + "#checks")
    return _participant_page(profile, check_form=form)


@bp.post("/participants/<int:profile_id>/plan")
@allow(Role.COACH)
def add_plan_item(profile_id: int):
    """Add a step to a participant's action plan."""
    profile = _participant_or_404(profile_id)
    form = ActionItemForm(prefix="item", meta=ONE_TOKEN)
    if form.validate_on_submit():
        try:
            action_plan.add_item(current_user, form.title.data, form.detail.data or "", form.due_date.data,
                                 profile_id=profile_id)
        except ValidationFailed as error:
            form.title.errors.append(error.message)
        else:
            flash(_("The step is in the plan."), "success")
            return redirect(url_for("coach.participant", profile_id=profile_id) + "#plan")
    return _participant_page(profile, item_form=form)


@bp.post("/participants/<int:profile_id>/plan/<int:item_id>/status")
@allow(Role.COACH)
def plan_status(profile_id: int, item_id: int):
    """Mark progress on a step of a participant's plan."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action_plan.set_status(current_user, item_id, request.form.get("status", ""), profile_id=profile_id)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
    return redirect(url_for("coach.participant", profile_id=profile_id) + "#plan")


@bp.post("/participants/<int:profile_id>/plan/<int:item_id>/remove")
@allow(Role.COACH)
def plan_remove(profile_id: int, item_id: int):
    """Remove a step I added to a participant's plan."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action_plan.remove_item(current_user, item_id)
    except NotFound:
        abort(404)
    except PermissionDenied as error:
        flash(error.message, "danger")
    return redirect(url_for("coach.participant", profile_id=profile_id) + "#plan")


@bp.get("/fields")
@allow(Role.COACH, Role.ADMIN)
def fields():
    """Wishes and openings per occupational field; oversupplied fields are marked (table and chart)."""
    region = request.args.get("region") or None
    if region and region not in current_app.config["REGIONS"]:
        region = None
    result, names = matching.field_overview(region)
    rows = sorted(result.fields.values(), key=lambda e: (-e.ratio, e.field_id))
    scale = max([1.0] + [max(e.demand, e.supply) for e in rows])
    months = matching.field_trend(region)
    return render_template("coach/fields.html", rows=rows, names=names, result=result, scale=scale,
                           region=region, regions=current_app.config["REGIONS"], months=months)


@bp.get("/unassigned")
@allow(Role.COACH)
def unassigned():
    """Participants who have no coach yet; I can take one."""
    return render_template("coach/unassigned.html", profiles=coaching.unassigned(current_user),
                           action_form=ActionForm())


@bp.post("/unassigned/<int:profile_id>/take")
@allow(Role.COACH)
def take(profile_id: int):
    """Take a participant into my caseload."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        coaching.take(current_user, profile_id)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
        return redirect(url_for("coach.unassigned"))
    flash(_("The participant is now in your caseload."), "success")
    return redirect(url_for("coach.participant", profile_id=profile_id))


REVIEW_FILTERS = ("q", "field", "sort", "page", "min_score", "supply")


def _review_filters(source) -> dict:
    """The queue's filters from the query string, cleaned (anything unknown is ignored, never an error)."""
    min_score = source.get("min_score", "")
    return {"q": (source.get("q") or "")[:100], "field": int_arg("field", source=source),
            "sort": source.get("sort") if source.get("sort") in ("score", "newest", "participant") else "score",
            "min_score": min_score if min_score in {str(v) for v in journey.MIN_SCORES} else "",
            "supply": source.get("supply") if source.get("supply") in journey.SUPPLY_FILTERS else ""}


@bp.route("/review", methods=["GET", "POST"])
@allow(Role.COACH)
def review():
    """New suggestions for my caseload: filter, page, approve (with an optional note), or reject with a reason
    and an optional note; several at once."""
    back = {k: v for k, v in request.args.items() if k in REVIEW_FILTERS}
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        ticked = request.form.getlist("match")
        if len(ticked) > MAX_BULK_REVIEW:
            flash(_("At most %(num)d suggestions can be decided at once. Nothing was changed; please tick fewer.",
                    num=MAX_BULK_REVIEW), "warning")
            return redirect(url_for("coach.review", **back))
        decisions = []
        for raw in ticked:
            match_id, _sep, version = raw.partition(":")
            if (found := id_or_none(match_id)) is not None:
                decisions.append((found, id_or_none(version)))
        if not decisions:
            flash(_("Tick at least one suggestion."), "warning")
            return redirect(url_for("coach.review", **back))
        approve = request.form.get("decision") == "approve"
        # each decision has its own note field, so a note written for a rejection never goes with an approval
        note = request.form.get("approve_note" if approve else "reject_note")
        if note is None:
            note = request.form.get("note")
        try:
            result = journey.review(current_user, decisions, approve, request.form.get("reason"),
                                    (note or "")[:2000])
        except NotFound:
            abort(404)
        except ValidationFailed as error:
            flash(error.message, "danger")
            return redirect(url_for("coach.review", **back))
        if result.done:
            flash(ngettext("%(num)d suggestion approved.", "%(num)d suggestions approved.", result.done) if approve
                  else ngettext("%(num)d suggestion rejected.", "%(num)d suggestions rejected.", result.done),
                  "success")
        for message in result.conflicts:
            flash(message, "warning")
        return redirect(url_for("coach.review", **back))
    filters = _review_filters(request.args)
    queue = journey.review_queue(current_user, filters["q"], filters["field"], filters["sort"], int_arg("page", 1),
                                 min_score=float(filters["min_score"]) if filters["min_score"] else None,
                                 supply=filters["supply"])
    balance = matching.balance()
    kept = {k: v for k, v in filters.items() if v and not (k == "sort" and v == "score")}
    return render_template("coach/review.html", matches=queue.matches, queue=queue, balance=balance,
                           action_form=ActionForm(), reasons=skill_names.reasons_for(queue.matches, str(get_locale())),
                           fields=field_options(empty=_("All fields")), field_id=filters["field"] or 0,
                           filters=filters, kept=kept, min_scores=journey.MIN_SCORES,
                           pager_args={k: v for k, v in kept.items() if k != "page"},
                           q=filters["q"], sort=filters["sort"])
