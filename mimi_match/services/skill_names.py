"""Skill names in the reader's language: the one place that turns a stored skill into words.

A skill is stored as the words someone typed, with the vocabulary concept next to them when the words are
one of its labels. Wherever a skill reaches a reader (reasons and gaps of a suggestion, plan steps, the
evaluation form, candidate and talent pages, e-mails) it is shown by ``name``: the concept's label in the
reader's language, and the words typed for a skill without a concept. The model's explanations keep the
labels as the position names them; ``reasons`` finds their concepts on the position's own skill rows.

Views call these once per page with the reader's language and hand the result to the template.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from flask_babel import gettext as _

from ..matching.text import normalise
from ..vocabulary import SOURCE_LANGUAGE, vocabulary


def _language(language: str | None) -> str:
    return (language or SOURCE_LANGUAGE).replace("-", "_").split("_")[0]


def name(label: str, concept_uri: str | None, language: str | None) -> str:
    """A skill in ``language``: the words typed when they already are one of the concept's names in that
    language, else the concept's preferred label there (English when it has none), else the words typed."""
    if not concept_uri:
        return label
    return _name(label, concept_uri, _language(language))


@lru_cache(maxsize=65536)
def _name(label: str, concept_uri: str, language: str) -> str:
    # pages name the same few hundred skills over and over: each (words, concept, language) is worked out once
    # per process (the vocabulary is fixed while a process runs)
    concept = vocabulary().get(concept_uri)
    if concept is None:
        return label
    own = concept.labels.get(language)
    if own and label and normalise(label) in {normalise(x) for x in own}:
        return label
    return concept.label(language)


def of(skill, language: str | None) -> str:
    """``name`` of anything with ``label`` and ``concept_uri`` (a profile's or a position's skill row)."""
    return name(skill.label, getattr(skill, "concept_uri", None), language)


def names(skills: Iterable, language: str | None) -> list[str]:
    return [of(s, language) for s in skills]


def concepts_of(skills: Iterable) -> dict[str, str | None]:
    """label as typed -> concept, from skill rows (the first row wins for a label typed twice)."""
    found: dict[str, str | None] = {}
    for skill in skills:
        if skill.label not in found or (found[skill.label] is None and skill.concept_uri):
            found[skill.label] = skill.concept_uri
    return found


def _concept(label: str, known: Mapping[str, str | None]) -> str | None:
    """The concept behind a stored label: from the rows it came from, else the label is a vocabulary label."""
    if label in known:
        return known[label]
    return vocabulary().resolve(label)


# --- a suggestion's reasons and gaps --------------------------------------------------------------------

@dataclass(frozen=True)
class Gap:
    """A skill the position asks for and the participant does not show yet."""

    name: str  # in the reader's language
    label: str  # as the position names it
    concept_uri: str | None


@dataclass(frozen=True)
class Reasons:
    fits: list[str] = field(default_factory=list)  # the position's skills the participant has
    missing: list[Gap] = field(default_factory=list)  # required skills not shown yet
    missing_nice: list[Gap] = field(default_factory=list)


def reasons(explanation: Mapping | None, position_skills: Iterable, language: str | None) -> Reasons:
    """The skills of a stored explanation (labels as the position names them) in ``language``."""
    explanation = explanation or {}
    known = concepts_of(position_skills)

    def gaps(labels) -> list[Gap]:
        out = []
        for label in labels or ():
            concept = _concept(label, known)
            out.append(Gap(name(label, concept, language), label, concept))
        return out

    fits = [name(m["label"], _concept(m["label"], known), language)
            for m in explanation.get("matched_skills") or () if m.get("label")]
    return Reasons(fits, gaps(explanation.get("missing_required")), gaps(explanation.get("missing_nice")))


def reasons_for(matches: Iterable, language: str | None) -> dict[int, Reasons]:
    """``reasons`` of each match (its position's skills loaded), by match id: one call per page."""
    return {m.id: reasons(m.explanation, m.position.skills, language) for m in matches}


def reasons_sentences(shown: Reasons) -> list[str]:
    """A suggestion's skills in plain sentences (the current language), as on the participant's page."""
    lines = []
    if shown.fits:
        lines.append(_("What you can do fits: %(skills)s.", skills=", ".join(shown.fits)))
    if shown.missing:
        lines.append(_("You could still learn:") + " " + ", ".join(g.name for g in shown.missing))
    return lines


# --- placements -----------------------------------------------------------------------------------------

def evaluation_skills(skills_shown: str, placement, language: str | None) -> list[str]:
    """The skills an evaluation says were shown (stored as the words of the profile, the position or the
    evaluator, one a line) in ``language``."""
    match = placement.match
    known = {**concepts_of(match.position.skills), **concepts_of(match.profile.skills)}
    return [name(line, _concept(line, known), language) for line in skills_shown.splitlines() if line.strip()]


def evaluations_for(placement, language: str | None) -> dict[int, list[str]]:
    """``evaluation_skills`` of each evaluation of a placement, by evaluation id."""
    return {e.id: evaluation_skills(e.skills_shown or "", placement, language) for e in placement.evaluations}
