"""``/api/v1``: the REST API for partner systems, its OpenAPI 3.1 document and its documentation page.

flask-smorest generates the document from the code (marshmallow schemas, decorators). Our own parts:
the bearer keys and the throttle (``core``), problem details for every error, and the docs page with
Swagger UI served from the package (no CDN; its start script is a file, so the CSP stays strict).
"""
from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from flask_smorest import Api as SmorestApi

from ...access import api_key
from . import core, routes

docs_bp = Blueprint("api_v1_docs", __name__, url_prefix=core.PREFIX)

ERROR_CODES = {
    "public": ("400", "404", "405", "422", "429"),
    "read": ("400", "401", "403", "404", "405", "422", "429"),
    "write": ("400", "401", "403", "404", "405", "409", "412", "415", "422", "428", "429"),
}
DESCRIPTIONS = {"400": "Bad request", "401": "No key, or the key is not valid",
                "403": "The key may not do this",
                "404": "Not found (or not yours)", "405": "Not this method here",
                "409": "Conflicts with the current state",
                "412": "If-Match names an older version", "415": "The body is not JSON",
                "422": "Values missing or not valid", "428": "If-Match is needed", "429": "Too many calls"}


class Api(SmorestApi):
    """flask-smorest without its app-wide error handler: the pages keep their HTML error pages, and
    ``register_errorhandlers`` answers API paths with problem details."""

    def _register_error_handlers(self):
        return None


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "MiMi Match API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": _DESCRIPTION},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                                      "description": "An organisation's API key (HR → API keys)."}}},
    })
    api = Api()
    api.init_app(app)
    app.extensions["mimi_api"] = api
    api.spec.components.schema("Problem", schema=routes.schemas.Problem)
    api.register_blueprint(routes.organisation_bp)
    api.register_blueprint(routes.public_bp)
    app.register_blueprint(docs_bp)
    from ...extensions import csrf

    for name in ("api_v1_org", "api_v1_public"):  # bearer keys, never cookies: nothing to forge
        csrf.exempt(app.blueprints[name])


def document() -> dict[str, Any]:
    """The OpenAPI document: what flask-smorest generated, with the security of each operation, the
    problem responses it can give, and the lists of values that live in the database (field codes)."""
    api = current_app.extensions["mimi_api"]
    spec = getattr(api, "completed_spec", None)
    if spec is None:
        spec = _completed(copy.deepcopy(api.spec.to_dict()))
        api.completed_spec = spec
    spec = copy.deepcopy(spec)
    from ...services.fields import active_fields

    codes = [f.code for f in active_fields()]
    schemas = spec["components"]["schemas"]
    for name in ("PositionWrite", "PositionPatch"):
        schemas[name]["properties"]["field"]["enum"] = codes
        schemas[name]["properties"]["region"]["enum"] = ["", *current_app.config["REGIONS"]]
        schemas[name]["properties"]["other_languages"]["items"]["enum"] = list(current_app.config["USEFUL_LANGUAGES"])
    return spec


def _completed(spec: dict[str, Any]) -> dict[str, Any]:
    rules = {(rule.rule, method.lower()): rule.endpoint for rule in current_app.url_map.iter_rules()
             for method in rule.methods or ()}
    for path, operations in spec.get("paths", {}).items():
        flask_path = path.replace("{", "<int:").replace("}", ">")
        for method, operation in operations.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            endpoint = rules.get((flask_path, method)) or rules.get((path, method))
            view = current_app.view_functions.get(endpoint or "")
            scope = str(getattr(view, "access_rule", "public"))
            if scope != "public":
                operation["security"] = [{"apiKey": []}]
            codes = ERROR_CODES[scope]
            if scope == "read" and method != "get":
                codes = ERROR_CODES["write"]
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses[code] = {"description": DESCRIPTIONS[code], "content": {
                    core.PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
                if code == "429":
                    responses[code]["headers"] = {"Retry-After": {"schema": {"type": "string"},
                                                                  "description": "Seconds to wait."}}
            responses.pop("default", None)
    return spec


_DESCRIPTION = """\
Positions, candidates and placements of an organisation, for its own HR system, and open positions,
occupational fields and the skill vocabulary for anyone.

* **Keys**: an HR manager creates them on *API keys* (scope *read* or *write*) and sends them as
  `Authorization: Bearer <key>`. A key acts for the HR manager who made it, with the same rules as the pages.
* **Errors** are problem details (RFC 9457, `application/problem+json`).
* **Changes** need `If-Match` with the ETag from GET; a stale one is answered 412.
* **Paging** with `next_cursor` (stable while positions are added).
* **Throttling**: 429 with `Retry-After`.
"""


@docs_bp.get("/openapi.json")
@api_key("public")
def openapi_json():
    """The OpenAPI 3.1 document of this API."""
    return current_app.response_class(current_app.json.dumps(document()), mimetype="application/json")


@docs_bp.get("/docs")
@api_key("public")
def docs():
    """The API's documentation page (Swagger UI from the package)."""
    return render_template("api/docs.html")
