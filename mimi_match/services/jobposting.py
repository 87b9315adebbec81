"""Positions as schema.org ``JobPosting`` (JSON-LD): written on every public position page, read back when
an employer imports a position from its own system.

schema.org has no property for a micro-internship's length or for a language requirement on a
JobPosting, so both are written twice: readable text (``qualifications``, and the duration in
``description``'s closing line) and machine-readable ``additionalProperty`` values (PropertyValue with
``propertyID`` ``duration_weeks`` / ``host_language_level``, ``unitCode`` WEE for weeks, UN/CEFACT) —
JobPosting accepts neither ``duration`` nor ``knowsLanguage``, and ``additionalProperty`` is how
schema.org lets a type carry values it does not name.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any

from flask_babel import gettext as _

from ..models import ContractType, Position, PositionKind, User
from . import audit, positions
from .errors import ValidationFailed
from .fields import active_fields

MAX_DOCUMENT = 200_000
MAX_SKILLS = 20
REQUIRED = ("title", "description", "datePosted", "hiringOrganization", "jobLocation|jobLocationType")


def _employment_type(position: Position) -> list[str]:
    if position.kind == PositionKind.MICRO_INTERNSHIP:
        return ["INTERN"]
    kinds = []
    if position.contract_type in (ContractType.TEMPORARY, ContractType.SEASONAL):
        kinds.append("TEMPORARY")
    if position.hours_per_week and position.hours_per_week < 30:
        kinds.append("PART_TIME")
    elif position.hours_per_week or not kinds:
        kinds.append("FULL_TIME")
    return kinds


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs (escaped), as JobPosting's description expects."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text or "") if b.strip()]
    return "".join("<p>" + "<br>".join(html.escape(line) for line in b.splitlines()) + "</p>" for b in blocks)


def json_ld(position: Position, url: str, locale: str) -> dict[str, Any]:
    """The position as a schema.org JobPosting (for an open position's public page)."""
    from flask import current_app

    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": position.title,
        "description": _paragraphs(position.description) or html.escape(position.title),
        "identifier": {"@type": "PropertyValue", "name": "MiMi Match", "value": str(position.id)},
        "url": url,
        "datePosted": (position.published_at or position.created_at).date().isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": position.organisation.name},
        "employmentType": _employment_type(position),
        "directApply": False,
        "occupationalCategory": list(position.field.isco_codes or []) or position.field.name(locale),
        "industry": position.field.name(locale),
    }
    deadline = position.application_deadline or (position.listed_until if position.listed_until != date.max
                                                  else None)
    if deadline:
        doc["validThrough"] = deadline.isoformat() + "T23:59:59"
    if position.start_date:
        doc["jobStartDate"] = position.start_date.isoformat()
    if position.hours_per_week:
        doc["workHours"] = f"{position.hours_per_week} hours per week"
    if position.openings and position.openings > 1:
        doc["totalJobOpenings"] = position.openings
    address: dict[str, Any] = {"@type": "PostalAddress"}
    if position.location:
        address["addressLocality"] = position.location
    if position.region:
        address["addressRegion"] = position.region
    country = current_app.config.get("COUNTRY")
    if country:
        address["addressCountry"] = country
    if position.location or position.region or not position.remote:
        doc["jobLocation"] = {"@type": "Place", "address": address}
    if position.remote:
        doc["jobLocationType"] = "TELECOMMUTE"
        doc["applicantLocationRequirements"] = {"@type": "Country", "name": country or position.region or "—"}
    from . import skill_names

    skills = []
    for skill in position.skills:  # in the page's language, as the page names them
        if skill.concept_uri:
            skills.append({"@type": "DefinedTerm", "@id": skill.concept_uri, "name": skill_names.of(skill, locale),
                           "inDefinedTermSet": "https://esco.ec.europa.eu/"})
        else:
            skills.append(skill.label)
    if skills:
        doc["skills"] = skills
    extra = []
    if position.host_language_level:
        level = position.host_language_level.value
        doc["qualifications"] = f"{position.host_language} at CEFR level {level} or better"
        extra.append({"@type": "PropertyValue", "propertyID": "host_language_level", "name": "Language level",
                      "value": level, "description": position.host_language})
    if position.kind == PositionKind.MICRO_INTERNSHIP and position.duration_weeks:
        extra.append({"@type": "PropertyValue", "propertyID": "duration_weeks", "name": "Duration",
                      "value": position.duration_weeks, "unitCode": "WEE", "unitText": "weeks"})
        doc["description"] += f"<p>Micro-internship of {position.duration_weeks} weeks.</p>"
    if extra:
        doc["additionalProperty"] = extra
    return doc


def missing_properties(doc: dict[str, Any]) -> list[str]:
    """The required properties (Google's rich-result list) a JobPosting lacks."""
    missing = []
    for name in REQUIRED:
        if not any(doc.get(option) for option in name.split("|")):
            missing.append(name)
    return missing


def script_json(doc: dict[str, Any]) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' that could end it early."""
    text = json.dumps(doc, ensure_ascii=False, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- reading a JobPosting ------------------------------------------------------------------------------

class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "p", "li", "div", "h1", "h2", "h3", "h4", "ul", "ol"):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(value: str) -> str:
    parser = _Text()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out, blank = [], False
    for line in lines:
        if line:
            out.append(line)
            blank = False
        elif not blank and out:
            out.append("")
            blank = True
    return "\n".join(out).strip()


@dataclass
class SkillPreview:
    label: str
    required: bool
    concept_uri: str | None
    concept_label: str | None


@dataclass
class ImportPreview:
    input: positions.PositionInput
    skills: list[SkillPreview] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _text(value: Any, limit: int) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("value") or ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value if isinstance(v, str | int | float))
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())[:limit]


def _posting(document: Any) -> dict[str, Any]:
    if isinstance(document, str):
        if len(document.encode("utf-8", "replace")) > MAX_DOCUMENT:
            raise ValidationFailed(_("The document is larger than 200 kB."))
        try:
            document = json.loads(document)
        except ValueError as error:
            raise ValidationFailed(_("This is not JSON (%(error)s).", error=str(error)[:100])) from error
    elif len(json.dumps(document, default=str)) > MAX_DOCUMENT:
        raise ValidationFailed(_("The document is larger than 200 kB."))
    candidates = document if isinstance(document, list) else [document]
    found = []
    for item in candidates[:50]:
        if isinstance(item, dict) and isinstance(item.get("@graph"), list):
            found += [g for g in item["@graph"][:50] if isinstance(g, dict)]
        elif isinstance(item, dict):
            found.append(item)
    for item in found:
        kind = item.get("@type")
        if kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind):
            return item
    raise ValidationFailed(_("No schema.org JobPosting found: the document needs \"@type\": \"JobPosting\"."))


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _skill_items(value: Any) -> list[tuple[str, str | None]]:
    items = value if isinstance(value, list) else [value]
    out: list[tuple[str, str | None]] = []
    for item in items[:MAX_SKILLS * 2]:
        if isinstance(item, str):
            out += [(part, None) for part in re.split(r"[,;\n]", item)]
        elif isinstance(item, dict):
            uri = item.get("@id") or item.get("url")
            out.append((_text(item.get("name"), 200), uri if isinstance(uri, str) else None))
    seen: dict[str, tuple[str, str | None]] = {}
    for label, uri in out:
        label = " ".join(label.split())[:200]
        if label and label.casefold() not in seen:
            seen[label.casefold()] = (label, uri)
    return list(seen.values())[:MAX_SKILLS]


def parse(document: Any, actor: User | None, locale: str | None) -> ImportPreview:
    """What a JobPosting document would become; nothing is saved. Refuses unreadable documents."""
    from ..vocabulary import vocabulary

    posting = _posting(document)
    warnings: list[str] = []
    title = _text(posting.get("title"), 200)
    if not title:
        raise ValidationFailed(_("The JobPosting has no title."))
    description = html_text(posting["description"]) if isinstance(posting.get("description"), str) else ""
    if not description:
        raise ValidationFailed(_("The JobPosting has no description."))
    employment = posting.get("employmentType")
    employment = [employment] if isinstance(employment, str) else [e for e in employment or [] if isinstance(e, str)] \
        if isinstance(employment, list) else []
    extra = {p.get("propertyID"): p.get("value") for p in posting.get("additionalProperty") or []
             if isinstance(p, dict)} if isinstance(posting.get("additionalProperty"), list) else {}
    micro = "INTERN" in employment or "duration_weeks" in extra
    kind = PositionKind.MICRO_INTERNSHIP.value if micro else PositionKind.VACANCY.value
    location = posting.get("jobLocation")
    if isinstance(location, list):
        location = location[0] if location else None
    address = location.get("address") if isinstance(location, dict) else None
    address = address if isinstance(address, dict) else {}
    codes = posting.get("occupationalCategory")
    codes = [codes] if isinstance(codes, str) else [c for c in codes if isinstance(c, str)] \
        if isinstance(codes, list) else []
    field_id = 0
    for candidate in active_fields():
        if any(code.strip().startswith(isco) or isco.startswith(code.strip()[:4])
               for code in codes for isco in candidate.isco_codes or [] if code.strip()):
            field_id = candidate.id
            break
    if not field_id:
        warnings.append(_("No occupational field matches the document's occupational category: choose one."))
    deadline = _date(posting.get("validThrough"))
    if deadline and deadline < date.today():
        warnings.append(_("The deadline (validThrough) has passed: change it before publishing."))
        deadline = None
    hours = None
    match = re.search(r"\d{1,2}", _text(posting.get("workHours"), 100))
    if match and 1 <= int(match.group()) <= 60:
        hours = int(match.group())
    level = extra.get("host_language_level")
    level = level if isinstance(level, str) and level in ("A1", "A2", "B1", "B2", "C1", "C2") else None
    weeks = extra.get("duration_weeks")
    weeks = weeks if isinstance(weeks, int) and not isinstance(weeks, bool) and 1 <= weeks <= 12 else None
    vocab = vocabulary()
    skills, chosen = [], {}
    for label, uri in _skill_items(posting.get("skills")):
        if uri and vocab.get(uri) is not None:
            concept = uri
            chosen[" ".join(label.split()).casefold()] = uri if vocab.has_label(uri, label) else None
            if chosen[" ".join(label.split()).casefold()] is None:
                del chosen[" ".join(label.split()).casefold()]
                concept = vocab.resolve(label, locale)
        else:
            concept = vocab.resolve(label, locale)
        found = vocab.get(concept)
        skills.append(SkillPreview(label, True, concept, found.label(locale or "en") if found else None))
    if not skills:
        warnings.append(_("The document names no skills: add at least one required skill before publishing."))
    elif any(s.concept_uri is None for s in skills):
        warnings.append(_("Some skills are not in the vocabulary: they are kept as written."))
    contract = None
    if not micro:
        contract = ContractType.TEMPORARY.value if "TEMPORARY" in employment else ContractType.PERMANENT.value
        if "TEMPORARY" not in employment and "FULL_TIME" not in employment and "PART_TIME" not in employment:
            warnings.append(_("Check the contract type: the document does not say it."))
    data = positions.PositionInput(
        kind=kind, title=title, field_id=field_id, description=description[:5000],
        required_skills=[s.label for s in skills], nice_skills=[], host_language_level=level,
        location=_text(address.get("addressLocality"), 120), region="",
        remote=posting.get("jobLocationType") == "TELECOMMUTE", hours_per_week=hours, contract_type=contract,
        start_date=_date(posting.get("jobStartDate")), application_deadline=deadline,
        duration_weeks=weeks if micro else None, chosen_concepts=chosen)
    region = _text(address.get("addressRegion"), 80)
    from flask import current_app

    if region in current_app.config["REGIONS"]:
        data.region = region
    elif region:
        warnings.append(_("The region “%(region)s” is not one of ours: choose one.", region=region))
    if micro:
        warnings.append(_("A micro-internship also needs its purpose, contact person, learning content and how "
                          "many take part at once: fill them in before publishing."))
    return ImportPreview(data, skills, warnings)


def import_position(actor: User, document: Any, locale: str | None, host_language: str,
                    field_id: int | None = None) -> Position:
    """A draft position of the actor's organisation from a JobPosting document."""
    preview = parse(document, actor, locale)
    data = preview.input
    if field_id:
        data.field_id = field_id
    if not data.field_id:
        raise ValidationFailed(_("Choose an occupational field: none matches the document."))
    if data.kind == PositionKind.MICRO_INTERNSHIP.value:
        data.purpose = data.purpose or None
    position = positions.create_position(actor, data, locale, host_language)
    audit.record("position_imported", actor=actor, target=f"position:{position.id}", commit=True)
    return position


def page_json_ld(position: Position, locale: str) -> str | None:
    """The JSON-LD block for the position's public page: only while it is open (drafts and closed
    positions are no job offer for a search engine)."""
    from flask import url_for

    from ..models import PositionStatus

    if position.status != PositionStatus.OPEN or position.listed_until < date.today():
        return None
    return script_json(json_ld(position, url_for("opportunities.detail", position_id=position.id, _external=True),
                               locale))
