"""Outcomes and fairness, for coaches and administrators: figures withheld below k people, and a CSV."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import labels
from ..access import allow
from ..config import LANGUAGES
from ..models import Role
from ..services import outcomes
from .choices import field_options
from .helpers import int_arg

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


def _filters() -> outcomes.Filters:
    region = request.args.get("region", "")
    year = int_arg("year")
    return outcomes.Filters(field_id=int_arg("field"),
                            region=region if region in current_app.config["REGIONS"] else "",
                            year=year if year and 2000 <= year <= 2100 else None)


@bp.get("/")
@allow(Role.COACH, Role.ADMIN)
def index():
    filters = _filters()
    result, bands, languages = outcomes.overview(current_user, filters)
    status_items = [(str(labels.PLACEMENT_STATUS[k]), f) for k, f in result.by_status.items()]
    outcome_items = [(str(labels.OUTCOME[k]), f) for k, f in result.by_outcome.items()]
    return render_template("outcomes/index.html", result=result, bands=bands, language_rows=languages,
                           status_items=status_items, outcome_items=outcome_items,
                           filters=filters, funnel=outcomes.FUNNEL, labels=labels,
                           fields=field_options(empty=_("All fields")), regions=current_app.config["REGIONS"],
                           language_names=LANGUAGES, locale=str(get_locale()))


@bp.get("/outcomes.csv")
@allow(Role.COACH, Role.ADMIN)
def export():
    return Response(outcomes.as_csv(current_user, _filters()), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="mimi-match-outcomes.csv"', "Cache-Control": "private, no-store"})
