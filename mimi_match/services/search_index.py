"""Keeps a position's search data current whenever it or its skills change.

``search_text`` holds title, description and skills (each concept's labels in all six languages),
normalised; ``terms`` holds its distinct words for indexed word-prefix search; ``listed_until`` is
the application deadline or far in the future. A participant searching in Arabic finds a position
written in Norwegian when they share a skill concept.
"""
from __future__ import annotations

from datetime import date
from itertools import chain

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import Position, PositionSkill, PositionTerm
from ..vocabulary import normalise, vocabulary

MAX_TERM = 80


def build_search_text(position: Position) -> str:
    parts = [position.title or "", position.description or "", position.learning_content or ""]
    vocab = vocabulary()
    for skill in position.skills:
        parts.append(skill.label)
        concept = vocab.get(skill.concept_uri)
        if concept is not None:
            parts.extend(labels[0] for labels in concept.labels.values())
    return normalise(" ".join(parts))


def terms_of(text: str) -> set[str]:
    return {word[:MAX_TERM] for word in text.split(" ") if len(word) >= 2}


def search_terms(query: str) -> list[str]:
    """The normalised words of a search query (at most 8, each at least 2 characters)."""
    return [w[:MAX_TERM] for w in normalise(query).split(" ") if len(w) >= 2][:8]


def refresh(position: Position) -> None:
    """Recompute the search data of one position (in memory; saved with the next flush)."""
    position.listed_until = position.application_deadline or date.max
    text = build_search_text(position)
    if position.search_text != text:
        position.search_text = text
    wanted = terms_of(text)
    current = {t.term: t for t in position.terms}
    if set(current) != wanted:
        position.terms = [current.get(term) or PositionTerm(term=term) for term in sorted(wanted)]


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
