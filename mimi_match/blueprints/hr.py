"""The HR manager's pages."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..access import allow
from ..models import Role
from ..services import dashboards

bp = Blueprint("hr", __name__, url_prefix="/hr")


@bp.get("/")
@allow(Role.HR)
def dashboard():
    """My organisation's positions by status, with interested candidates."""
    grouped = dashboards.organisation_positions(current_user)
    return render_template("hr/dashboard.html", grouped=grouped, organisation=current_user.organisation)
