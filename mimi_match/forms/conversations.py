"""Forms of a candidacy's conversation: a message, a meeting proposal, the participant's answer to it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[
        DataRequired(message=_l("Write a message first.")),
        Length(max=2000, message=_l("A message can be at most %(max)d characters long."))],
        render_kw={"rows": 3, "dir": "auto"},
        description=_l("Everyone in this conversation reads it. At most 2,000 characters."))
    submit = SubmitField(_l("Send"))


LOCAL_TIME = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


class MeetingForm(FlaskForm):
    slot1 = DateTimeLocalField(_l("First time"), format=LOCAL_TIME,
                               validators=[DataRequired(message=_l("Give at least one date and time."))])
    slot2 = DateTimeLocalField(_l("Second time (optional)"), format=LOCAL_TIME, validators=[Optional()])
    slot3 = DateTimeLocalField(_l("Third time (optional)"), format=LOCAL_TIME, validators=[Optional()])
    duration = IntegerField(_l("Duration in minutes"), default=45,
                            validators=[DataRequired(message=_l("Say how long the meeting lasts.")),
                                        NumberRange(min=15, max=480)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=300)],
                        description=_l("An address, a room, or where to ask at the entrance."))
    video_link = StringField(_l("Video link (instead of, or besides, a place)"),
                             validators=[Optional(), Length(max=500)])
    attendees = StringField(_l("Who attends"), validators=[Optional(), Length(max=300)],
                            description=_l("For example: Kari, team lead; Ola, HR."))
    submit = SubmitField(_l("Propose the meeting"))


class MeetingAnswerForm(FlaskForm):
    choice = HiddenField()
    note = TextAreaField(_l("Which days and times would suit you? (or a word to the others)"),
                         validators=[Optional(), Length(max=1000)], render_kw={"rows": 2, "dir": "auto"})
    version = HiddenField()
