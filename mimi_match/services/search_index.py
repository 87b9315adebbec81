"""Keeps a position's search data current whenever it or its skills change.

``terms`` holds the distinct normalised words of the title, description and skills (each skill as
typed and every label, preferred and alternative, of its concept in every language the vocabulary
has), each with the weight of the most prominent place it stands in (title, skills, description), for
indexed word-prefix search ranked by relevance; ``listed_until`` is the application deadline or far
in the future. A participant searching with an Arabic synonym finds a position written in Norwegian
when it asks that skill concept.
"""
from __future__ import annotations

from datetime import date
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import Position, PositionSkill, PositionTerm
from ..vocabulary import normalise, vocabulary

MAX_TERM = 80
MAX_QUERY_TERMS = 8

# where a word stands; a search word scores twice the weight (plus one when it is the whole word)
WEIGHT_TEXT = 1  # description, learning content
WEIGHT_SKILL = 2  # a skill as typed, or any label of its concept
WEIGHT_TITLE = 4


def _skill_texts(position: Position) -> list[str]:
    vocab = vocabulary()
    texts = []
    for skill in position.skills:
        texts.append(skill.label)
        concept = vocab.get(skill.concept_uri)
        if concept is not None:
            texts.extend(label for labels in concept.labels.values() for label in labels)
    return texts


def terms_of(text: str) -> set[str]:
    return {word[:MAX_TERM] for word in text.split(" ") if len(word) >= 2}


def weighted_terms(position: Position) -> dict[str, int]:
    """Each distinct search word of ``position`` with the weight of its most prominent place."""
    weights: dict[str, int] = {}
    for weight, texts in ((WEIGHT_TEXT, [position.description or "", position.learning_content or ""]),
                          (WEIGHT_SKILL, _skill_texts(position)),
                          (WEIGHT_TITLE, [position.title or ""])):
        for term in terms_of(normalise(" ".join(texts))):
            weights[term] = weight  # later (more prominent) places overwrite earlier ones
    return weights


def search_terms(query: str) -> list[str]:
    """The distinct normalised words of a search query (at most 8, each at least 2 characters)."""
    words = [w[:MAX_TERM] for w in normalise(query).split(" ") if len(w) >= 2]
    return list(dict.fromkeys(words))[:MAX_QUERY_TERMS]


def refresh(position: Position) -> None:
    """Recompute the search data of one position (in memory; saved with the next flush)."""
    position.listed_until = position.application_deadline or date.max
    wanted = weighted_terms(position)
    current = {t.term: t for t in position.terms}
    if {term: t.weight for term, t in current.items()} == wanted:
        return
    terms = []
    for term in sorted(wanted):
        row = current.get(term) or PositionTerm(term=term)
        if row.weight != wanted[term]:
            row.weight = wanted[term]
        terms.append(row)
    position.terms = terms


@event.listens_for(Session, "before_flush")
def _refresh_changed_positions(session: Session, _context, _instances) -> None:
    touched: set[Position] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Position):
            touched.add(obj)
        elif isinstance(obj, PositionSkill) and obj.position is not None:
            touched.add(obj.position)
    for position in touched:
        if position not in session.deleted:
            refresh(position)
