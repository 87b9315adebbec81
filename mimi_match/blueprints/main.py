"""The front page, the language switcher and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from ..access import allow, public
from ..extensions import db
from ..forms.auth import LanguageForm
from ..navigation import home_endpoint
from ..services import accounts, opportunities
from ..services import notifications as notices
from .choices import field_options, region_options
from .helpers import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def index():
    """Front page for visitors; logged-in users go to the page made for their role."""
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    newest = opportunities.browse(opportunities.BrowseQuery(sort="newest"), None, per_page=3)
    return render_template("main/index.html", newest=newest, regions=region_options(empty=_("All regions")),
                           fields=field_options(empty=_("All fields")))


@bp.post("/language")
@public
def set_language():
    """Switch the interface language (stored on the account when logged in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            accounts.set_locale(current_user, form.locale.data)
    return redirect(safe_next(form.next.data) or safe_next(request.referrer and urlpath(request.referrer))
                    or url_for("main.index"))


def urlpath(url: str) -> str:
    """The path and query of a same-site URL (used for the Referer fallback)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.get("/health")
@public
def health():
    """Liveness and database check for load balancers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.get("/notifications")
@allow()
def notifications():
    """My notifications, newest first; opening the page marks them as read."""
    items = notices.latest(current_user)
    unread = {n.id for n in items if n.read_at is None}
    notices.mark_read(current_user, unread)
    return render_template("main/notifications.html", items=items, unread=unread)


@bp.get("/privacy")
@public
def privacy():
    """The data we keep and why, in plain words."""
    return render_template("main/privacy.html", retention_days=current_app.config["RETENTION_DAYS"],
                           grace_days=current_app.config["RETENTION_GRACE_DAYS"])
