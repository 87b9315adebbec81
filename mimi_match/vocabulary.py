"""The shared skill vocabulary: ESCO concepts with English labels and our labels in five more languages.

Pure Python (no Flask, no database), loaded once per process. ``search`` answers autocomplete
requests in well under a millisecond on the full vocabulary; ``resolve`` turns what a user typed
into a concept when it is one of the labels, so a skill typed in Arabic and one typed in German
meet as the same concept.
"""
from __future__ import annotations

import bisect
import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .matching.text import normalise

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True, slots=True)
class Concept:
    uri: str
    labels: dict[str, tuple[str, ...]]  # language -> labels, the preferred one first

    def label(self, language: str) -> str:
        """The preferred label in ``language``, else in English."""
        return (self.labels.get(language) or self.labels[SOURCE_LANGUAGE])[0]


@dataclass(frozen=True, slots=True)
class Suggestion:
    uri: str
    label: str  # the label that matched, in the language it matched in
    language: str
    preferred: str  # the concept's preferred label in the asking user's language


class SkillVocabulary:
    """Concepts and a sorted index of (normalised label, concept) for prefix search."""

    def __init__(self, concepts: list[Concept]):
        self.concepts = {c.uri: c for c in concepts}
        entries: list[tuple[str, int, str, int, str]] = []  # (key, rank, language, position, uri)
        self._exact: dict[tuple[str, str], str] = {}
        for concept in concepts:
            for language, labels in concept.labels.items():
                for position, label in enumerate(labels):
                    key = normalise(label)
                    if not key:
                        continue
                    self._exact.setdefault((language, key), concept.uri)
                    self._exact.setdefault(("*", key), concept.uri)
                    words = key.split(" ")
                    entries.append((key, 0, language, position, concept.uri + "\t" + label))
                    # every later word start is searchable too ("vital" finds "measure vital signs")
                    for i in range(1, len(words)):
                        entries.append((" ".join(words[i:]), 1, language, position, concept.uri + "\t" + label))
        entries.sort()
        self._keys = [e[0] for e in entries]
        self._entries = entries

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, uri: str | None) -> Concept | None:
        return self.concepts.get(uri) if uri else None

    def search(self, query: str, language: str, limit: int = 10) -> list[Suggestion]:
        """Concepts whose label in ``language`` or English starts with (a word starting) ``query``."""
        key = normalise(query)
        if len(key) < 2:
            return []
        languages = {language, SOURCE_LANGUAGE}
        start = bisect.bisect_left(self._keys, key)
        candidates = []
        for i in range(start, len(self._keys)):
            if not self._keys[i].startswith(key):
                break
            entry_key, word_rank, entry_language, position, payload = self._entries[i]
            if entry_language not in languages:
                continue
            uri, label = payload.split("\t", 1)
            order = (
                entry_key != key,  # exact label first
                word_rank,  # then labels that start with the query, then a later word
                entry_language != language,  # the user's own language before English
                position > 0,  # preferred labels before alternatives
                len(label),
            )
            candidates.append((order, uri, label, entry_language))
            if len(candidates) > 400:
                break
        candidates.sort()
        seen: set[str] = set()
        results = []
        for _order, uri, label, entry_language in candidates:
            if uri in seen:
                continue
            seen.add(uri)
            results.append(Suggestion(uri, label, entry_language, self.concepts[uri].label(language)))
            if len(results) == limit:
                break
        return results

    def resolve(self, text: str, language: str | None = None) -> str | None:
        """The concept whose label is exactly ``text`` (any case/accents), preferring ``language``."""
        key = normalise(text)
        if not key:
            return None
        if language and (language, key) in self._exact:
            return self._exact[(language, key)]
        return self._exact.get((SOURCE_LANGUAGE, key)) or self._exact.get(("*", key))


def _read_json(name: str):
    path = resources.files("mimi_match.data").joinpath(name)
    if name.endswith(".gz"):
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    return json.loads(path.read_text(encoding="utf-8"))


def load_concepts() -> list[Concept]:
    """ESCO English labels, plus our translations from data/skill_labels/<language>.json."""
    esco = _read_json("esco_skills.json.gz")
    prefix = esco["uri_prefix"]
    labels: dict[str, dict[str, tuple[str, ...]]] = {
        prefix + cid: {SOURCE_LANGUAGE: (preferred, *alts)} for cid, preferred, alts in esco["concepts"]
    }
    folder = resources.files("mimi_match.data").joinpath("skill_labels")
    if folder.is_dir():
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if not entry.name.endswith(".json"):
                continue
            language = entry.name.removesuffix(".json")
            for cid, translated in json.loads(entry.read_text(encoding="utf-8")).items():
                uri = cid if cid.startswith("http") else prefix + cid
                if uri in labels and translated:
                    labels[uri][language] = tuple(translated)
    return [Concept(uri, langs) for uri, langs in labels.items()]


@lru_cache(maxsize=1)
def vocabulary() -> SkillVocabulary:
    """The process-wide vocabulary (built on first use, about a second)."""
    return SkillVocabulary(load_concepts())
