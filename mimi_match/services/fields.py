"""The curated list of occupational fields: loaded from ``data/occupational_fields.json``, listed in order."""
from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import select

from ..extensions import db
from ..models import OccupationalField

FIELDS_FILE = "occupational_fields.json"


def read_field_list() -> list[dict]:
    """The fields as shipped with the package, in display order."""
    text = resources.files("mimi_match.data").joinpath(FIELDS_FILE).read_text("utf-8")
    return json.loads(text)


def load_fields() -> int:
    """Create or update the fields by ``code`` (ids stay stable, nothing is duplicated); commit.

    ISCO codes, names and display order come from the file; whether a field is active is left to the
    admin. Fields no longer in the file are kept. Returns the number of fields in the file.
    """
    items = read_field_list()
    existing = {f.code: f for f in db.session.scalars(select(OccupationalField))}
    for index, item in enumerate(items):
        field = existing.get(item["code"])
        if field is None:
            field = OccupationalField(code=item["code"])
            db.session.add(field)
            existing[field.code] = field
        field.isco_codes = list(item.get("isco_codes", []))
        field.names = dict(item["names"])
        field.sort_order = index
    db.session.commit()
    return len(items)


def active_fields() -> list[OccupationalField]:
    """Active fields in display order."""
    query = (
        select(OccupationalField)
        .where(OccupationalField.active.is_(True))
        .order_by(OccupationalField.sort_order, OccupationalField.id)
    )
    return list(db.session.scalars(query))
