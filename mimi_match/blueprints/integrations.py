"""API keys of an organisation: its HR managers create, rotate and revoke them; an administrator can
rotate and revoke the keys of any organisation."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..access import allow
from ..extensions import db
from ..forms.api_keys import KeyActionForm, NewKeyForm
from ..models import ApiKey, Organisation, Role, User
from ..services import api_keys
from ..services.errors import NotFound, PermissionDenied, ValidationFailed
from .helpers import int_arg

bp = Blueprint("integrations", __name__, url_prefix="/hr/api-keys")


def _organisation_id() -> int | None:
    return current_user.organisation_id if current_user.role == Role.HR else int_arg("organisation")


def _back(organisation_id: int | None):
    if current_user.role == Role.ADMIN and organisation_id:
        return redirect(url_for("integrations.keys", organisation=organisation_id))
    return redirect(url_for("integrations.keys"))


@bp.get("")
@allow(Role.HR, Role.ADMIN)
def keys():
    """The organisation's keys (an administrator first chooses the organisation)."""
    organisation_id = _organisation_id()
    if current_user.role == Role.ADMIN and organisation_id is None:
        counts = dict(db.session.execute(select(ApiKey.organisation_id, func.count()).where(
            ApiKey.revoked_at.is_(None)).group_by(ApiKey.organisation_id)).all())
        organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
        return render_template("hr/api_keys_admin.html", organisations=organisations, counts=counts)
    try:
        rows = api_keys.keys_of(current_user, organisation_id)
    except (NotFound, PermissionDenied):
        abort(404)
    owners = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({k.created_by_id for k in rows if k.created_by_id})))}
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    return render_template("hr/api_keys.html", rows=rows, owners=owners, organisation=organisation,
                           form=NewKeyForm() if current_user.role == Role.HR else None,
                           action_form=KeyActionForm(), new_token=None, new_key=None)


def _show_token(new: api_keys.NewKey, message: str):
    """The one page that shows a token: right after it was made (never kept, never shown again)."""
    flash(message, "success")
    rows = api_keys.keys_of(current_user, new.key.organisation_id)
    owners = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({k.created_by_id for k in rows if k.created_by_id})))}
    response = render_template("hr/api_keys.html", rows=rows, owners=owners,
                               organisation=db.session.get(Organisation, new.key.organisation_id),
                               form=NewKeyForm(formdata=None) if current_user.role == Role.HR else None,
                               action_form=KeyActionForm(), new_token=new.token, new_key=new.key)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("")
@allow(Role.HR)
def create():
    form = NewKeyForm()
    if form.validate_on_submit():
        try:
            new = api_keys.create(current_user, form.name.data, form.scope.data)
        except ValidationFailed as error:
            flash(error.message, "danger")
        else:
            return _show_token(new, _("The key was created. Copy it now: it is shown only this once."))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
    return redirect(url_for("integrations.keys"))


@bp.post("/<int:key_id>/rotate")
@allow(Role.HR, Role.ADMIN)
def rotate(key_id: int):
    if not KeyActionForm().validate_on_submit():
        abort(400)
    try:
        new = api_keys.rotate(current_user, key_id)
    except NotFound:
        abort(404)
    except ValidationFailed as error:
        flash(error.message, "warning")
        return _back(int_arg("organisation", source=request.form))
    return _show_token(new, _("The key has a new token; the old one no longer works. Copy the new one now: "
                              "it is shown only this once."))


@bp.post("/<int:key_id>/revoke")
@allow(Role.HR, Role.ADMIN)
def revoke(key_id: int):
    if not KeyActionForm().validate_on_submit():
        abort(400)
    try:
        key = api_keys.revoke(current_user, key_id)
    except NotFound:
        abort(404)
    flash(_("The key “%(name)s” was revoked: calls with it are refused from now on.", name=key.name), "success")
    return _back(key.organisation_id)
