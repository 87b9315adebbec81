"""A candidacy's conversation and its meetings: the participant, the employer's HR managers, the coach."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import labels
from ..access import allow
from ..extensions import limiter
from ..forms.auth import ActionForm
from ..forms.conversations import MeetingAnswerForm, MeetingForm, MessageForm
from ..models import Role
from ..services import conversations, journey, meetings
from ..services.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from .helpers import id_or_none

bp = Blueprint("conversations", __name__)
PARTIES = (Role.PARTICIPANT, Role.HR, Role.COACH)


def _user_key() -> str:
    return f"message:{current_user.get_id()}" if current_user.is_authenticated else request.remote_addr or ""


def _errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors if "csrf" not in str(e).lower())


def _readable(match_id: int) -> None:
    """404 before anything else for a conversation this person may not read (bad input or not)."""
    try:
        conversations.conversation(current_user, match_id)
    except NotFound:
        abort(404)


@bp.get("/conversations")
@allow(*PARTIES)
def inbox():
    """Every conversation I take part in, the latest first, with what I have not read yet."""
    return render_template("conversations/inbox.html", threads=conversations.inbox(current_user))


@bp.get("/conversations/<int:match_id>")
@allow(*PARTIES)
def thread(match_id: int):
    try:
        match = conversations.conversation(current_user, match_id)
    except NotFound:
        abort(404)
    shown = conversations.messages(current_user, match)
    return render_template(
        "conversations/thread.html", match=match, shown=shown, meetings=meetings.for_match(match),
        can_write=conversations.may_write(current_user, match), message_form=MessageForm(),
        meeting_form=MeetingForm(), answer_form=MeetingAnswerForm(), action_form=ActionForm(),
        history=journey.history(current_user, match), steps=journey.steps(match),
        time_zone=current_app.config.get("TIME_ZONE"), meeting_status=labels.MEETING_STATUS)


@bp.post("/conversations/<int:match_id>")
@allow(*PARTIES)
@limiter.limit(lambda: current_app.config["MESSAGE_LIMIT"], key_func=_user_key)
def post(match_id: int):
    _readable(match_id)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("The message was not sent: %(errors)s", errors=_errors(form)), "danger")
        return redirect(url_for("conversations.thread", match_id=match_id))
    try:
        conversations.post(current_user, match_id, form.body.data)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "danger")
    else:
        flash(_("Your message was sent."), "success")
    return redirect(url_for("conversations.thread", match_id=match_id, _anchor="latest"))


@bp.post("/conversations/<int:match_id>/meetings")
@allow(Role.HR, Role.COACH)
def propose(match_id: int):
    _readable(match_id)
    form = MeetingForm()
    if not form.validate_on_submit():
        flash(_("The meeting was not proposed: %(errors)s", errors=_errors(form)), "danger")
        return redirect(url_for("conversations.thread", match_id=match_id, _anchor="meetings"))
    try:
        meetings.propose(current_user, match_id, [form.slot1.data, form.slot2.data, form.slot3.data],
                         form.duration.data, place=form.place.data or "", video_link=form.video_link.data or "",
                         attendees=form.attendees.data or "")
    except NotFound:
        abort(404)
    except (ValidationFailed, Conflict) as error:
        flash(error.message, "danger")
    else:
        flash(_("The meeting is proposed. The participant chooses a time."), "success")
    return redirect(url_for("conversations.thread", match_id=match_id, _anchor="meetings"))


def _meeting_match(meeting_id: int) -> int:
    """The conversation a meeting belongs to, for the way back (only if the person may read it)."""
    from ..extensions import db
    from ..models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    _readable(meeting.match_id)
    return meeting.match_id


@bp.post("/meetings/<int:meeting_id>/answer")
@allow(Role.PARTICIPANT)
def answer(meeting_id: int):
    match_id = _meeting_match(meeting_id)
    form = MeetingAnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        meetings.answer(current_user, meeting_id, request.form.get("choice", ""), form.note.data or "",
                        version=id_or_none(form.version.data))
    except (NotFound, PermissionDenied):
        abort(404)
    except (ValidationFailed, Conflict) as error:
        flash(error.message, "danger")
    else:
        flash(_("Your answer was sent."), "success")
    return redirect(url_for("conversations.thread", match_id=match_id, _anchor="meetings"))


@bp.post("/meetings/<int:meeting_id>/cancel")
@allow(Role.HR, Role.COACH)
def cancel(meeting_id: int):
    match_id = _meeting_match(meeting_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        meetings.cancel(current_user, meeting_id)
    except (NotFound, PermissionDenied):
        abort(404)
    except Conflict as error:
        flash(error.message, "danger")
    else:
        flash(_("The meeting is called off. Everyone was told."), "success")
    return redirect(url_for("conversations.thread", match_id=match_id, _anchor="meetings"))


@bp.get("/meetings/<int:meeting_id>/calendar.ics")
@allow(*PARTIES)
def calendar(meeting_id: int):
    """The agreed meeting as a calendar file (for any calendar app)."""
    try:
        name, text = meetings.calendar_file(current_user, meeting_id, str(get_locale()))
    except NotFound:
        abort(404)
    return Response(text, mimetype="text/calendar", headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                             "Cache-Control": "private, no-store"})
