"""The operations of ``/api/v1``. Thin: read the request, call the same service as the pages, shape the answer.

Each declares who may call it: ``@key("read")`` / ``@key("write")`` (an organisation's API key acting for
the HR manager who made it) or ``@key("public")`` (anyone; throttled per address).
"""
from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from flask import current_app, request, url_for
from flask_babel import force_locale
from flask_smorest import Blueprint

from ...access import api_key as key
from ...extensions import db
from ...models import OccupationalField, PositionStatus
from ...models import Position as PositionModel
from ...services import candidates as candidate_service
from ...services import journey, opportunities, placements, positions
from ...services.fields import active_fields
from ...vocabulary import vocabulary
from . import core, schemas
from .core import ApiError, actor, check_if_match, etag_of

organisation_bp = Blueprint("api_v1_org", __name__, url_prefix="/api/v1",
                            description="An organisation's own positions, candidates and placements (API key).")
public_bp = Blueprint("api_v1_public", __name__, url_prefix="/api/v1",
                      description="Open positions, occupational fields and the skill vocabulary (no key needed).")

organisation_bp.after_request(core.audit_call)
public_bp.after_request(core.audit_call)


# --- shaping ----------------------------------------------------------------------------------------

def _field_code(field_id: int) -> str:
    field = db.session.get(OccupationalField, field_id)
    return field.code if field is not None else ""


def _field_id(code: str | None) -> int | None:
    if code is None:
        return None
    field = next((f for f in active_fields() if f.code == code), None)
    if field is None:
        raise ApiError(422, "", errors={"field": ["Not an occupational field (see GET /api/v1/fields)."]},
                       kind="validation")
    return field.id


def _public_url(position_id: int) -> str:
    return url_for("opportunities.detail", position_id=position_id, _external=True)


def _skills(position) -> list[dict[str, Any]]:
    return [{"label": s.label, "required": s.required, "concept_uri": s.concept_uri} for s in position.skills]


def _position(position) -> dict[str, Any]:
    return {
        "id": position.id, "status": position.status.value, "kind": position.kind.value, "title": position.title,
        "field": position.field.code, "description": position.description, "skills": _skills(position),
        "host_language": position.host_language,
        "host_language_level": position.host_language_level.value if position.host_language_level else None,
        "other_languages": list(position.other_languages or []), "location": position.location,
        "region": position.region, "remote": position.remote, "hours_per_week": position.hours_per_week,
        "contract_type": position.contract_type.value if position.contract_type else None,
        "start_date": position.start_date, "openings": position.openings,
        "application_deadline": position.application_deadline, "duration_weeks": position.duration_weeks,
        "purpose": position.purpose.value if position.purpose else None,
        "contact_person": position.contact_person, "learning_content": position.learning_content,
        "participants_at_once": position.participants_at_once, "published_at": position.published_at,
        "closed_at": position.closed_at, "updated_at": position.updated_at, "version": position.version_id,
        "url": _public_url(position.id),
    }


def _position_headers(position) -> dict[str, str]:
    return {"ETag": etag_of("p", position.id, position.version_id), "Cache-Control": "no-store"}


def _current_values(position) -> dict[str, Any]:
    """A position's editable values, in the shape PositionWrite loads."""
    return {
        "kind": position.kind.value, "title": position.title, "field": position.field.code,
        "description": position.description,
        "required_skills": [s.label for s in position.skills if s.required],
        "nice_skills": [s.label for s in position.skills if not s.required], "skill_concepts": {},
        "host_language_level": position.host_language_level.value if position.host_language_level else None,
        "other_languages": list(position.other_languages or []), "location": position.location,
        "region": position.region, "remote": position.remote, "hours_per_week": position.hours_per_week,
        "contract_type": position.contract_type.value if position.contract_type else None,
        "start_date": position.start_date, "openings": position.openings,
        "application_deadline": position.application_deadline, "duration_weeks": position.duration_weeks,
        "purpose": position.purpose.value if position.purpose else None,
        "contact_person": position.contact_person, "learning_content": position.learning_content,
        "participants_at_once": position.participants_at_once,
    }


def _check_rules(values: dict[str, Any]) -> None:
    """The position form's rules that span fields (PositionForm.validate), with the same messages."""
    from datetime import date

    errors: dict[str, list[str]] = {}
    if values["kind"] == "micro_internship":
        for name in ("duration_weeks", "purpose", "contact_person", "learning_content", "participants_at_once"):
            if values.get(name) in (None, ""):
                errors[name] = ["Needed for a micro-internship."]
    elif not values.get("contract_type"):
        errors["contract_type"] = ["Choose the kind of contract."]
    start, deadline = values.get("start_date"), values.get("application_deadline")
    if start and deadline and deadline > start:
        errors["application_deadline"] = ["The deadline must be on or before the start date."]
    elif deadline and deadline < date.today():
        errors["application_deadline"] = ["The deadline cannot be in the past."]
    if values.get("region") and values["region"] not in current_app.config["REGIONS"]:
        errors["region"] = ["Not one of the regions (see the schema's list)."]
    wrong = [code for code in values.get("other_languages") or [] if code not in current_app.config["USEFUL_LANGUAGES"]]
    if wrong:
        errors["other_languages"] = ["Not a language code of the list: " + ", ".join(sorted(set(wrong)))[:200]]
    if errors:
        raise ApiError(422, "Some values are missing or not valid.", errors=errors, kind="validation")


def _input(values: dict[str, Any]) -> positions.PositionInput:
    _check_rules(values)
    field_id = _field_id(values["field"])
    concepts = {" ".join(k.split()).casefold(): v for k, v in (values.get("skill_concepts") or {}).items()}
    lines = {" ".join(s.split()).casefold() for s in values["required_skills"] + values.get("nice_skills", [])}
    if set(concepts) - lines:
        raise ApiError(422, "", errors={"skill_concepts": ["Name only skills listed in required_skills or "
                                                           "nice_skills."]}, kind="validation")
    return positions.PositionInput(
        kind=values["kind"], title=values["title"], field_id=field_id or 0, description=values["description"],
        required_skills=_unique(values["required_skills"]), nice_skills=_unique(values.get("nice_skills") or []),
        host_language_level=values.get("host_language_level"), other_languages=values.get("other_languages") or [],
        location=values.get("location") or "", region=values.get("region") or "", remote=bool(values.get("remote")),
        hours_per_week=values.get("hours_per_week"), contract_type=values.get("contract_type"),
        start_date=values.get("start_date"), openings=values.get("openings") or 1,
        application_deadline=values.get("application_deadline"), duration_weeks=values.get("duration_weeks"),
        purpose=values.get("purpose"), contact_person=values.get("contact_person") or "",
        learning_content=values.get("learning_content") or "",
        participants_at_once=values.get("participants_at_once"), chosen_concepts=concepts)


def _require_json_body() -> None:
    if not request.is_json or not isinstance(request.get_json(silent=True), dict):
        raise ApiError(415 if not request.is_json else 422, "Send the changes as a JSON object.",
                       kind="body")


def _unique(lines: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for raw in lines:
        label = " ".join(raw.split())[:200]
        seen.setdefault(label.casefold(), label)
    return list(seen.values())


def _encode_cursor(*parts: Any) -> str:
    text = "|".join(str(p) for p in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str | None, kinds: tuple[type, ...]) -> tuple | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = text.split("|")
        if len(parts) != len(kinds):
            raise ValueError
        return tuple(datetime.fromisoformat(p) if k is datetime else k(p) for p, k in zip(parts, kinds, strict=True))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise ApiError(422, "This cursor cannot be read.", kind="validation",
                       errors={"cursor": ["Use next_cursor of the previous page as it is."]}) from error


# --- the organisation's positions -------------------------------------------------------------------

@organisation_bp.get("/positions")
@key("read")
@organisation_bp.arguments(schemas.ListQuery, location="query")
@organisation_bp.response(200, schemas.PositionList)
def list_positions(query):
    """The organisation's positions, newest first (paged with ``cursor``)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    after = _decode_cursor(query.get("cursor"), (int,))
    stmt = select(PositionModel).where(PositionModel.organisation_id == actor().organisation_id)
    if query.get("status"):
        stmt = stmt.where(PositionModel.status == PositionStatus(query["status"]))
    if after:
        stmt = stmt.where(PositionModel.id < after[0])
    rows = list(db.session.scalars(stmt.order_by(PositionModel.id.desc()).limit(query["limit"] + 1).options(
        selectinload(PositionModel.skills), selectinload(PositionModel.field))))
    more = len(rows) > query["limit"]
    rows = rows[:query["limit"]]
    return {"items": [_position(p) for p in rows],
            "next_cursor": _encode_cursor(rows[-1].id) if more and rows else None}


@organisation_bp.post("/positions")
@key("write")
@organisation_bp.arguments(schemas.PositionWrite)
@organisation_bp.response(201, schemas.Position, headers={"ETag": {"schema": {"type": "string"}},
                                                           "Location": {"schema": {"type": "string"}}})
def create_position(values):
    """A new draft, with the same rules as the HR form (publish it with ``/publish``)."""
    position = positions.create_position(actor(), _input(values), None, current_app.config["HOST_LANGUAGE"])
    headers = _position_headers(position)
    headers["Location"] = url_for("api_v1_org.get_position", position_id=position.id, _external=True)
    return _position(position), 201, headers


@organisation_bp.get("/positions/<int:position_id>")
@key("read")
@organisation_bp.response(200, schemas.Position, headers={"ETag": {"schema": {"type": "string"}}})
def get_position(position_id: int):
    """One of the organisation's positions, with its ETag (send it in If-Match to change it)."""
    position = positions.own_position(actor(), position_id)
    return _position(position), 200, _position_headers(position)


@organisation_bp.patch("/positions/<int:position_id>")
@key("write")
@organisation_bp.arguments(schemas.PositionPatch)
@organisation_bp.response(200, schemas.Position, headers={"ETag": {"schema": {"type": "string"}}})
@organisation_bp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
                                  "description": "The ETag read with GET: refused with 412 when it changed since."}])
def update_position(changes, position_id: int):
    """Change some fields; the others stay. Needs If-Match (optimistic concurrency)."""
    _require_json_body()
    position = positions.own_position(actor(), position_id)
    data = _input({**_current_values(position), **changes})  # bad input is answered first (422), then 412
    check_if_match(etag_of("p", position.id, position.version_id))
    position = positions.update_position(actor(), position_id, data, position.version_id, None,
                                         current_app.config["HOST_LANGUAGE"])
    return _position(position), 200, _position_headers(position)


@organisation_bp.post("/positions/<int:position_id>/publish")
@key("write")
@organisation_bp.response(200, schemas.Position, headers={"ETag": {"schema": {"type": "string"}}})
def publish_position(position_id: int):
    """Open the position for applications (a position that is open already stays as it is)."""
    position = positions.publish(actor(), position_id)
    return _position(positions.own_position(actor(), position.id)), 200, _position_headers(position)


@organisation_bp.post("/positions/<int:position_id>/close")
@key("write")
@organisation_bp.arguments(schemas.CloseBody, required=False)
@organisation_bp.response(200, schemas.Position, headers={"ETag": {"schema": {"type": "string"}}})
def close_position(body, position_id: int):
    """Close the position (``filled: true``: it was filled)."""
    position = positions.close(actor(), position_id, filled=bool(body.get("filled")))
    return _position(positions.own_position(actor(), position.id)), 200, _position_headers(position)


@organisation_bp.post("/positions/import")
@key("write")
@organisation_bp.arguments(schemas.ImportQuery, location="query")
@organisation_bp.response(201, schemas.Position)
@organisation_bp.alt_response(200, schema=schemas.ImportPreview, description="The preview (preview=true).")
@organisation_bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
    "type": "object", "description": "A schema.org JobPosting (JSON-LD)."}}}})
def import_position(query):
    """A draft from a schema.org ``JobPosting`` document; ``preview=true`` shows what would be saved."""
    from ...services import jobposting

    document = request.get_json(silent=True)
    if not isinstance(document, dict | list):
        raise ApiError(400, "Send a JobPosting JSON document as the body (Content-Type: application/json).")
    field_id = _field_id(query["field"]) if query.get("field") else None
    if query.get("preview"):
        preview = jobposting.parse(document, actor(), None)
        if field_id:
            preview.input.field_id = field_id
        body = current_app.json.dumps(schemas.ImportPreview().dump(_preview(preview)))
        return current_app.response_class(body, status=200, mimetype="application/json")
    position = jobposting.import_position(actor(), document, None, current_app.config["HOST_LANGUAGE"],
                                          field_id=field_id)
    headers = _position_headers(position)
    headers["Location"] = url_for("api_v1_org.get_position", position_id=position.id, _external=True)
    return _position(positions.own_position(actor(), position.id)), 201, headers


def _preview(preview) -> dict[str, Any]:
    data = preview.input
    return {"title": data.title, "kind": data.kind, "field": _field_code(data.field_id) or None if data.field_id
            else None,
            "skills": [{"label": s.label, "required": s.required, "concept_uri": s.concept_uri,
                        "concept_label": s.concept_label} for s in preview.skills],
            "warnings": [str(w) for w in preview.warnings]}


# --- candidates and placements ------------------------------------------------------------------------

def _candidate(match) -> dict[str, Any]:
    profile = match.profile
    shared = bool(profile.consent_share_on_interest)
    return {
        "id": match.id, "position_id": match.position_id, "status": match.status.value, "shared": shared,
        "name": profile.user.display_name if shared else None,
        "skills": [s.label for s in profile.skills] if shared else [],
        "languages": [{"language": lang.language, "level": lang.level.value} for lang in profile.languages]
        if shared else [],
        "placement": {"id": match.placement.id, "status": match.placement.status.value} if match.placement else None,
        "updated_at": match.updated_at, "version": match.version_id,
    }


@organisation_bp.get("/positions/<int:position_id>/candidates")
@key("read")
@organisation_bp.response(200, schemas.CandidateList)
def list_candidates(position_id: int):
    """Who said "I am interested", with only what each allows the employer to see."""
    _position_, matches = journey.candidates(actor(), position_id)
    return {"items": [_candidate(m) for m in matches]}


@organisation_bp.get("/candidates/<int:candidate_id>")
@key("read")
@organisation_bp.response(200, schemas.Candidate, headers={"ETag": {"schema": {"type": "string"}}})
def get_candidate(candidate_id: int):
    """One candidacy, with its ETag (send it in If-Match to answer)."""
    match = candidate_service.candidate_match(actor(), candidate_id)
    return _candidate(match), 200, {"ETag": etag_of("c", match.id, match.version_id), "Cache-Control": "no-store"}


@organisation_bp.post("/candidates/<int:candidate_id>/answer")
@key("write")
@organisation_bp.arguments(schemas.AnswerBody)
@organisation_bp.response(200, schemas.Candidate, headers={"ETag": {"schema": {"type": "string"}}})
@organisation_bp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
                                  "description": "The candidacy's ETag: refused with 412 when it changed since."}])
def answer_candidate(body, candidate_id: int):
    """Invite to a meeting, offer the position, or decline (with a message), as on the candidates page."""
    match = candidate_service.candidate_match(actor(), candidate_id)
    if body["action"] != "offer" and not (body.get("message") or "").strip():
        raise ApiError(422, "", errors={"message": ["Write a short message to the candidate."]}, kind="validation")
    check_if_match(etag_of("c", match.id, match.version_id))
    journey.hr_answer(actor(), candidate_id, body["action"], body.get("message") or "", match.version_id)
    match = candidate_service.candidate_match(actor(), candidate_id)
    return _candidate(match), 200, {"ETag": etag_of("c", match.id, match.version_id)}


def _placement(placement) -> dict[str, Any]:
    return {"id": placement.id, "candidate_id": placement.match_id, "position_id": placement.match.position_id,
            "status": placement.status.value, "start_date": placement.start_date, "end_date": placement.end_date,
            "outcome": placement.outcome.value if placement.outcome else None}


@organisation_bp.get("/placements")
@key("read")
@organisation_bp.response(200, schemas.PlacementList)
def list_placements():
    """The organisation's placements, running ones first."""
    return {"items": [_placement(p) for p in placements.for_user(actor())]}


@organisation_bp.get("/placements/<int:placement_id>")
@key("read")
@organisation_bp.response(200, schemas.Placement)
def get_placement(placement_id: int):
    """One placement and its status."""
    placement, _voice = placements.get(actor(), placement_id)
    return _placement(placement)


# --- public: open positions, fields, skills -----------------------------------------------------------

def _open_position(position) -> dict[str, Any]:
    return {
        "id": position.id, "kind": position.kind.value, "title": position.title,
        "organisation": position.organisation.name, "field": position.field.code,
        "description": position.description, "skills": _skills(position), "host_language": position.host_language,
        "host_language_level": position.host_language_level.value if position.host_language_level else None,
        "location": position.location, "region": position.region, "remote": position.remote,
        "hours_per_week": position.hours_per_week, "duration_weeks": position.duration_weeks,
        "start_date": position.start_date, "application_deadline": position.application_deadline,
        "published_at": position.published_at, "url": _public_url(position.id),
    }


@public_bp.get("/open-positions")
@key("public")
@public_bp.arguments(schemas.OpenQuery, location="query")
@public_bp.response(200, schemas.OpenPositionList)
def open_positions(query):
    """Open positions, newest first; ``next_cursor`` gives the next page (stable while positions are added)."""
    field_id = None
    if query.get("field"):
        field_id = next((f.id for f in active_fields() if f.code == query["field"]), -1)
    after = _decode_cursor(query.get("cursor"), (datetime, int))
    browse = opportunities.BrowseQuery(q=query.get("q", ""), field_id=field_id, kind=query.get("kind", ""),
                                       region=query.get("region", ""), remote=bool(query.get("remote")),
                                       level=query.get("level", ""))
    rows = opportunities.after_cursor(browse, after, query["limit"] + 1)
    more = len(rows) > query["limit"]
    rows = rows[:query["limit"]]
    last = rows[-1] if rows else None
    return {"items": [_open_position(p) for p in rows],
            "next_cursor": _encode_cursor(last.published_at.isoformat(), last.id) if more and last else None}


def _open_one(position_id: int):
    position = opportunities.position_for(None, position_id)
    if position.status != PositionStatus.OPEN:
        raise ApiError(404, "No such open position.")
    return position


@public_bp.get("/open-positions/<int:position_id>")
@key("public")
@public_bp.response(200, schemas.OpenPosition)
def open_position(position_id: int):
    """One open position."""
    return _open_position(_open_one(position_id))


@public_bp.get("/open-positions/<int:position_id>/jobposting")
@key("public")
@public_bp.response(200, content_type="application/ld+json", description="A schema.org JobPosting (JSON-LD).")
def open_position_jobposting(position_id: int):
    """The open position as a schema.org ``JobPosting`` (JSON-LD), as embedded in its public page."""
    from ...services import jobposting

    position = _open_one(position_id)
    body = current_app.json.dumps(jobposting.json_ld(position, _public_url(position.id), "en"))
    return current_app.response_class(body, mimetype="application/ld+json")


@public_bp.get("/fields")
@key("public")
@public_bp.response(200, schemas.FieldList)
def list_fields():
    """The occupational fields, with their names in our six languages and their ISCO-08 groups."""
    languages = current_app.config["LANGUAGES"]
    return {"items": [{"code": f.code, "names": {lang: f.name(lang) for lang in languages},
                       "isco_codes": list(f.isco_codes or [])} for f in active_fields()]}


@public_bp.get("/skills")
@key("public")
@public_bp.arguments(schemas.SkillQuery, location="query")
@public_bp.response(200, schemas.SkillHits)
def search_skills(query):
    """Skills whose label in ``language`` (or English) starts with ``q``; our fields' skills first."""
    language = query["language"] if query["language"] in current_app.config["LANGUAGES"] else "en"
    with force_locale(language):
        found = vocabulary().search(query["q"], language, limit=query["limit"])
    return {"items": [{"uri": s.uri, "label": s.label, "language": s.language, "preferred": s.preferred,
                       "fields_": list(s.fields)} for s in found]}


@public_bp.get("/skills/concept")
@key("public")
@public_bp.arguments(schemas.ConceptQuery, location="query")
@public_bp.response(200, schemas.Concept)
def skill_concept(query):
    """One concept of the vocabulary by its URI, with its labels in our six languages."""
    vocab = vocabulary()
    concept = vocab.get(query["uri"])
    if concept is None:
        raise ApiError(404, "No concept with this URI in the vocabulary.")
    languages = current_app.config["LANGUAGES"]
    return {"uri": concept.uri, "labels": {lang: list(concept.labels.get(lang, ())) for lang in languages},
            "fields_": list(vocab.fields.get(concept.uri, ()))}
