"""The coach's pages."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..access import allow
from ..models import Role
from ..services import dashboards

bp = Blueprint("coach", __name__, url_prefix="/coach")


@bp.get("/")
@allow(Role.COACH)
def caseload():
    """The participants assigned to me."""
    return render_template("coach/caseload.html", profiles=dashboards.caseload(current_user))
