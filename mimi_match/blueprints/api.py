"""Small JSON endpoints used by the pages' scripts."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import get_locale

from ..access import allow
from ..vocabulary import vocabulary

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/skills")
@allow()
def skills():
    """Autocomplete: skills whose label in my language or English starts with ``q`` (max 10), the skills
    of our occupational fields first; ``hint`` tells apart suggestions whose labels repeat."""
    query = (request.args.get("q") or "")[:100]
    language = str(get_locale())
    suggestions = vocabulary().search(query, language, limit=10)
    return jsonify(
        query=query,
        results=[{"uri": s.uri, "label": s.text, "matched": s.label, "language": s.language, "hint": s.hint,
                  "fields": list(s.fields)} for s in suggestions],
    )
