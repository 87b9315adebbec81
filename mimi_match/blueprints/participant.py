"""The participant's own pages: my page, the profile steps, consent, the action plan."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import allow
from ..cefr_text import LEVEL_MEANING
from ..forms.auth import ActionForm
from ..forms.choices import options
from ..forms.positions import concept_choices, skill_lines
from ..forms.profile import (
    ActionItemForm,
    AvailabilityForm,
    ConsentForm,
    EducationForm,
    ExperienceForm,
    ProfileLanguageForm,
    SkillsForm,
    WishesForm,
)
from ..models import Role
from ..services import action_plan, conversations, journey, matching, profiles, skill_names
from ..services.errors import Conflict, NotFound, ValidationFailed
from .choices import field_options, language_name, region_options
from .helpers import ONE_TOKEN, safe_next

bp = Blueprint("participant", __name__, url_prefix="/me")
STEP_KEYS = [step.key for step in profiles.STEPS]


def _host() -> str:
    return current_app.config["HOST_LANGUAGE"]


def _render_step(key: str, **context):
    profile = context.pop("profile", None) or profiles.own_profile(current_user)
    index = STEP_KEYS.index(key)
    return render_template(
        f"participant/step_{key}.html", profile=profile, step=profiles.STEPS[index], steps=profiles.STEPS,
        index=index, completeness=profiles.completeness(profile, _host()),
        next_key=STEP_KEYS[index + 1] if index + 1 < len(STEP_KEYS) else None,
        previous_key=STEP_KEYS[index - 1] if index else None, action_form=ActionForm(), **context)


def _after_save(key: str):
    """Back to the same step ("save") or on to the next one ("save and continue")."""
    if request.form.get("continue") and STEP_KEYS.index(key) + 1 < len(STEP_KEYS):
        return redirect(url_for(f"participant.step_{STEP_KEYS[STEP_KEYS.index(key) + 1]}"))
    return redirect(url_for(f"participant.step_{key}"))


@bp.get("/")
@allow(Role.PARTICIPANT)
def home():
    """My page: how complete my profile is, the next useful step, my plan."""
    profile = profiles.own_profile(current_user)
    actions = [i for i in action_plan.items(current_user) if i.status.value != "done"][:5]
    return render_template("participant/home.html", profile=profile, steps=profiles.STEPS,
                           completeness=profiles.completeness(profile, _host()),
                           advice=matching.oversupply_advice(profile), actions=actions,
                           chart=matching.balance_chart(profile),
                           plan_text=action_plan.texts(actions, str(get_locale())))


@bp.route("/profile/skills", methods=["GET", "POST"])
@allow(Role.PARTICIPANT)
def step_skills():
    """Step: what I can do."""
    form = SkillsForm()
    if form.validate_on_submit():
        try:
            added = profiles.add_skills(current_user, skill_lines(form.skills.data), str(get_locale()),
                                        concept_choices(form.skill_concepts.data))
        except ValidationFailed as error:
            form.skills.errors.append(error.message)
        else:
            flash(_("Saved: %(n)d new skills.", n=added), "success")
            return _after_save("skills")
    return _render_step("skills", form=form)


@bp.post("/profile/skills/<int:skill_id>/remove")
@allow(Role.PARTICIPANT)
def remove_skill(skill_id: int):
    """Remove one of my skills."""
    _checked_action()
    try:
        profiles.remove_skill(current_user, skill_id)
    except NotFound:
        abort(404)
    flash(_("The skill is removed."), "info")
    return redirect(url_for("participant.step_skills"))


@bp.route("/profile/experience", methods=["GET", "POST"])
@allow(Role.PARTICIPANT)
def step_experience():
    """Step: my work experience and education."""
    work, school = ExperienceForm(prefix="work", meta=ONE_TOKEN), EducationForm(prefix="school", meta=ONE_TOKEN)
    if request.method == "POST":
        try:
            if "work-submit" in request.form and work.validate_on_submit():
                profiles.add_experience(current_user, work.title.data, work.place.data or "", work.months.data,
                                        work.description.data or "")
                flash(_("Saved."), "success")
                return _after_save("experience")
            if "school-submit" in request.form and school.validate_on_submit():
                profiles.add_education(current_user, school.title.data, school.institution.data or "",
                                       school.recognition.data)
                flash(_("Saved."), "success")
                return _after_save("experience")
        except ValidationFailed as error:
            flash(error.message, "danger")
    return _render_step("experience", work=work, school=school)


@bp.post("/profile/<any(experience, education):kind>/<int:item_id>/remove")
@allow(Role.PARTICIPANT)
def remove_item(kind: str, item_id: int):
    """Remove a job or an education from my profile."""
    _checked_action()
    try:
        profiles.remove_item(current_user, kind, item_id)
    except NotFound:
        abort(404)
    flash(_("Removed."), "info")
    return redirect(url_for("participant.step_experience"))


def _language_form(**kwargs) -> ProfileLanguageForm:
    form = ProfileLanguageForm(**kwargs)
    host = _host()
    codes = [host, *[c for c in current_app.config["USEFUL_LANGUAGES"] if c != host],
             *[c for c in current_app.config["LANGUAGES"] if c not in current_app.config["USEFUL_LANGUAGES"]
               and c != host]]
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    form.language.choices = options([(seen[0], language_name(seen[0]))]
                                    + sorted(((c, language_name(c)) for c in seen[1:]), key=lambda p: p[1]))
    form.level.choices = options(LEVEL_MEANING.items())
    return form


@bp.route("/profile/languages", methods=["GET", "POST"])
@allow(Role.PARTICIPANT)
def step_languages():
    """Step: my languages and how well I speak them (CEFR A1-C2), the local language first."""
    profile = profiles.own_profile(current_user)
    has_host = any(lang.language == _host() for lang in profile.languages)
    form = _language_form(language=request.args.get("language") or (None if has_host else _host()))
    if form.validate_on_submit():
        try:
            profiles.set_language(current_user, form.language.data, form.level.data)
        except ValidationFailed as error:
            form.level.errors.append(error.message)
        else:
            flash(_("Saved: %(language)s %(level)s.", language=language_name(form.language.data),
                    level=form.level.data), "success")
            return _after_save("languages")
    return _render_step("languages", profile=profile, form=form, host=_host(), has_host=has_host)


@bp.post("/profile/languages/<code>/remove")
@allow(Role.PARTICIPANT)
def remove_language(code: str):
    """Remove a language from my profile."""
    _checked_action()
    try:
        profiles.remove_language(current_user, code[:8])
    except NotFound:
        abort(404)
    flash(_("Removed."), "info")
    return redirect(url_for("participant.step_languages"))


@bp.route("/profile/wishes", methods=["GET", "POST"])
@allow(Role.PARTICIPANT)
def step_wishes():
    """Step: what I want — up to three fields in my order, in my words, job or micro-internship."""
    profile = profiles.own_profile(current_user)
    ranked = [d.field_id for d in profile.desired_fields] + [0, 0, 0]
    form = WishesForm(first=ranked[0], second=ranked[1], third=ranked[2], wish_text=profile.wish_text,
                      kinds=profile.desired_kinds.value)
    for select in (form.first, form.second, form.third):
        select.choices = field_options(empty=_("— none —"))
    if form.validate_on_submit():
        try:
            profiles.set_wishes(current_user, [form.first.data, form.second.data, form.third.data],
                                form.wish_text.data or "", form.kinds.data)
        except ValidationFailed as error:
            form.first.errors.append(error.message)
        else:
            flash(_("Saved."), "success")
            return _after_save("wishes")
    return _render_step("wishes", profile=profile, form=form, advice=matching.oversupply_advice(profile))


@bp.route("/profile/availability", methods=["GET", "POST"])
@allow(Role.PARTICIPANT)
def step_availability():
    """Step: where I live, how far I can travel, from when and how many hours."""
    profile = profiles.own_profile(current_user)
    form = AvailabilityForm(obj=profile)
    form.region.choices = region_options(empty=_("— choose —"))
    if form.validate_on_submit():
        profiles.set_availability(current_user, form.region.data or "", form.travel_km.data, form.remote_ok.data,
                                  form.available_from.data, form.hours_per_week.data)
        flash(_("Saved."), "success")
        return _after_save("availability")
    return _render_step("availability", profile=profile, form=form)


@bp.route("/profile/consent", methods=["GET", "POST"])
@allow(Role.PARTICIPANT)
def step_consent():
    """Step: what I allow — changeable at any time, with immediate effect."""
    profile = profiles.own_profile(current_user)
    form = ConsentForm(obj=profile)
    if form.validate_on_submit():
        changed = profiles.set_consent(current_user, form.consent_matching.data, form.consent_findable.data,
                                       form.consent_share_on_interest.data)
        flash(_("Your choices are saved and apply now.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("participant.home") if request.form.get("continue")
                        else url_for("participant.step_consent"))
    return _render_step("consent", profile=profile, form=form)


# --- the action plan ---------------------------------------------------------------------------

@bp.route("/plan", methods=["GET", "POST"])
@allow(Role.PARTICIPANT)
def plan():
    """My action plan: my goals and steps, also those my coach added."""
    form = ActionItemForm()
    if form.validate_on_submit():
        try:
            action_plan.add_item(current_user, form.title.data, form.detail.data or "", form.due_date.data)
        except ValidationFailed as error:
            form.title.errors.append(error.message)
        else:
            flash(_("The step is in your plan."), "success")
            return redirect(url_for("participant.plan"))
    items = action_plan.items(current_user)
    return render_template("participant/plan.html", items=items, form=form, action_form=ActionForm(),
                           plan_text=action_plan.texts(items, str(get_locale())))


@bp.post("/plan/<int:item_id>/status")
@allow(Role.PARTICIPANT)
def plan_status(item_id: int):
    """Mark a step as to do, doing, or done."""
    _checked_action()
    try:
        action_plan.set_status(current_user, item_id, request.form.get("status", ""))
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
    return redirect(url_for("participant.plan"))


@bp.post("/plan/<int:item_id>/remove")
@allow(Role.PARTICIPANT)
def plan_remove(item_id: int):
    """Remove a step from my plan."""
    _checked_action()
    try:
        action_plan.remove_item(current_user, item_id)
    except NotFound:
        abort(404)
    flash(_("Removed."), "info")
    return redirect(url_for("participant.plan"))


@bp.post("/plan/from-gap")
@allow(Role.PARTICIPANT)
def plan_from_gap():
    """Add a step for a gap (a missing skill or a language level) seen on a position."""
    _checked_action()
    try:
        action_plan.add_from_gap(current_user, request.form.get("kind", ""), request.form.get("value", ""),
                                 str(get_locale()), (request.form.get("concept") or "")[:255] or None)
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(_("Added to your action plan."), "success")
    return redirect(safe_next(request.form.get("back")) or url_for("participant.plan"))


def _checked_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


# --- suggestions and applications ------------------------------------------------------------------

@bp.get("/suggestions")
@allow(Role.PARTICIPANT)
def suggestions():
    """Suggestions my coach approved, with their reasons in plain words."""
    matches = journey.my_suggestions(current_user)
    return render_template("participant/suggestions.html", matches=matches, action_form=ActionForm(),
                           reasons=skill_names.reasons_for(matches, str(get_locale())))


@bp.post("/suggestions/<int:match_id>/answer")
@allow(Role.PARTICIPANT)
def answer_suggestion(match_id: int):
    """My step: "I am interested" or "not for me" (with an optional reason)."""
    _checked_action()
    interested = request.form.get("answer") == "interested"
    try:
        journey.respond(current_user, match_id, interested, (request.form.get("reason") or "")[:500])
    except NotFound:
        abort(404)
    except (Conflict, ValidationFailed) as error:
        flash(error.message, "warning")
    else:
        flash(_("You said you are interested. The employer can now see you as a candidate.") if interested
              else _("Noted: not for you. Thank you for telling us."), "success")
    return redirect(url_for("participant.suggestions"))


@bp.get("/applications")
@allow(Role.PARTICIPANT)
def applications():
    """Every position I acted on and where it stands, with its history."""
    unread = {t.match.id: t.unread for t in conversations.inbox(current_user)}
    return render_template("participant/applications.html", matches=journey.my_applications(current_user),
                           action_form=ActionForm(), history=lambda match: journey.history(current_user, match),
                           employer_message=journey.employer_message, steps=journey.steps, unread=unread)


@bp.post("/applications/<int:match_id>/offer")
@allow(Role.PARTICIPANT)
def answer_offer(match_id: int):
    """Accept or turn down an offer."""
    _checked_action()
    accept = request.form.get("answer") == "accept"
    try:
        journey.answer_offer(current_user, match_id, accept)
    except NotFound:
        abort(404)
    except Conflict as error:
        flash(error.message, "warning")
    else:
        flash(_("Congratulations! Your placement is planned. Your coach will contact you.") if accept
              else _("You turned the offer down."), "success")
    return redirect(url_for("participant.applications"))
