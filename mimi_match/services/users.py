"""Finding accounts and organisations for the administrator's pages."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Organisation, Role, User
from .errors import PermissionDenied


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied()


def search_users(actor: User, query: str = "", role: str = "", page: int = 1, per_page: int = 50):
    """Accounts matching a name/e-mail fragment and role; returns (users, total)."""
    _require_admin(actor)
    stmt = select(User)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.display_name).like(like)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    users = db.session.scalars(
        stmt.options(selectinload(User.organisation))
        .order_by(User.role, User.display_name, User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(users), total


def organisation_choices() -> list[tuple[int, str]]:
    return [(o.id, o.name) for o in db.session.scalars(select(Organisation).order_by(Organisation.name))]
