"""The participant's own pages."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..access import allow
from ..models import Role
from ..services import dashboards

bp = Blueprint("participant", __name__, url_prefix="/me")


@bp.get("/")
@allow(Role.PARTICIPANT)
def home():
    """My page: my profile in brief and my next steps."""
    summary = dashboards.participant_summary(current_user)
    return render_template("participant/home.html", summary=summary)
