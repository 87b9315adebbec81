"""The shared skill vocabulary: ESCO concepts with English labels and our labels in five more languages.

Pure Python (no Flask, no database), loaded once per process. ``search`` answers autocomplete
requests in well under a millisecond on the full vocabulary, the skills of our occupational fields
(data/skill_selection.json) first, and gives each suggestion a hint when its label repeats in the list;
``resolve`` turns what a user typed into a concept when it is one of the labels, so a skill typed in
Arabic and one typed in German meet as the same concept; ``has_label`` checks that a concept chosen
from the suggestions really carries the label it was chosen by.
"""
from __future__ import annotations

import bisect
import gzip
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from .matching.text import normalise

SOURCE_LANGUAGE = "en"
ESCO_PREFIX = "http://data.europa.eu/esco/skill/"  # as in data/esco_skills.json.gz


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
    text: str = ""  # what to show and save: the matched label in my language, else my preferred label
    hint: str = ""  # set when ``text`` repeats in the list: what tells this concept apart from the others
    fields: tuple[str, ...] = ()  # names of our occupational fields that ask this concept, in my language


class _PrefixIndex:
    """A sorted list of (normalised label or label tail, rank, language, position, "uri\tlabel")."""

    def __init__(self, entries: list[tuple[str, int, str, int, str]]):
        entries.sort()
        self.keys = [e[0] for e in entries]
        self.entries = entries

    def starting_with(self, key: str, limit: int):
        start = bisect.bisect_left(self.keys, key)
        for i in range(start, min(len(self.keys), start + limit)):
            if not self.keys[i].startswith(key):
                break
            yield self.entries[i]


class SkillVocabulary:
    """Concepts and sorted indexes of (normalised label, concept) for prefix search.

    ``fields`` maps a concept to the codes of the occupational fields that ask it, ``field_names`` a code
    to its name per language; those concepts are offered before the rest of ESCO.
    """

    def __init__(self, concepts: list[Concept], fields: dict[str, tuple[str, ...]] | None = None,
                 field_names: dict[str, dict[str, str]] | None = None):
        self.concepts = {c.uri: c for c in concepts}
        self.fields = {uri: codes for uri, codes in (fields or {}).items() if uri in self.concepts}
        self.field_names = field_names or {}
        entries: list[tuple[str, int, str, int, str]] = []  # (key, rank, language, position, uri + label)
        priority: list[tuple[str, int, str, int, str]] = []  # the same for the concepts of our fields
        exact: dict[tuple[str, str], tuple[tuple[bool, bool, int], str]] = {}
        for order, concept in enumerate(concepts):
            ours = concept.uri in self.fields
            index = priority if ours else entries
            for language, labels in concept.labels.items():
                for position, label in enumerate(labels):
                    key = normalise(label)
                    if not key:
                        continue
                    # a label resolves to the concept it is the preferred label of, then to one of ours
                    rank = (position > 0, not ours, order)
                    for scope in (language, "*"):
                        if (scope, key) not in exact or rank < exact[(scope, key)][0]:
                            exact[(scope, key)] = (rank, concept.uri)
                    words = key.split(" ")
                    index.append((key, 0, language, position, concept.uri + "\t" + label))
                    # every later word start is searchable too ("vital" finds "measure vital signs")
                    for i in range(1, len(words)):
                        index.append((" ".join(words[i:]), 1, language, position, concept.uri + "\t" + label))
        self._exact = {scope_key: uri for scope_key, (_rank, uri) in exact.items()}
        self._index = _PrefixIndex(entries)
        self._priority = _PrefixIndex(priority)

    def __len__(self) -> int:
        return len(self.concepts)

    def get(self, uri: str | None) -> Concept | None:
        return self.concepts.get(uri) if uri else None

    def search(self, query: str, language: str, limit: int = 10) -> list[Suggestion]:
        """Concepts whose label in ``language`` or English starts with (a word starting) ``query``.

        Order: the exact label, then the skills of our occupational fields, then the rest of ESCO; within
        each, labels starting with the query before a later word, my language before English, preferred
        labels before alternatives, short before long. A label that repeats in the list gets a hint.
        """
        key = normalise(query)
        if len(key) < 2:
            return []
        languages = {language, SOURCE_LANGUAGE}
        candidates = []
        for ours, index in ((True, self._priority), (False, self._index)):
            found = 0
            for entry_key, word_rank, entry_language, position, payload in index.starting_with(key, 20_000):
                if entry_language not in languages:
                    continue
                uri, label = payload.split("\t", 1)
                order = (
                    word_rank > 0 or entry_key != key,  # the whole label typed exactly first
                    not ours,  # then the skills of our occupational fields
                    word_rank,  # then labels that start with the query, then a later word
                    entry_language != language,  # the user's own language before English
                    position > 0,  # preferred labels before alternatives
                    len(label),
                )
                candidates.append((order, uri, label, entry_language))
                found += 1
                if found > 400:
                    break
        candidates.sort()
        seen: set[str] = set()
        results = []
        for _order, uri, label, entry_language in candidates:
            if uri in seen:
                continue
            seen.add(uri)
            results.append(self._suggestion(uri, label, entry_language, language))
            if len(results) == limit:
                break
        return self._with_hints(results, language)

    def _suggestion(self, uri: str, label: str, matched_in: str, language: str) -> Suggestion:
        concept = self.concepts[uri]
        preferred = concept.label(language)
        fields = tuple(self.field_name(code, language) for code in self.fields.get(uri, ()))
        return Suggestion(uri, label, matched_in, preferred, text=label if matched_in == language else preferred,
                          fields=fields)

    def field_name(self, code: str, language: str) -> str:
        names = self.field_names.get(code, {})
        return names.get(language) or names.get(SOURCE_LANGUAGE) or code

    def _with_hints(self, results: list[Suggestion], language: str) -> list[Suggestion]:
        """Suggestions whose text repeats get a hint each: my preferred label of the concept, its fields,
        the English preferred label, or another of its labels, whichever first tells them apart."""
        groups: dict[str, list[int]] = {}
        for i, suggestion in enumerate(results):
            groups.setdefault(normalise(suggestion.text), []).append(i)
        for key, members in groups.items():
            if len(members) < 2:
                continue
            taken: set[str] = {key}
            for i in members:
                suggestion = results[i]
                concept = self.concepts[suggestion.uri]
                options = [suggestion.preferred, ", ".join(suggestion.fields), concept.label(SOURCE_LANGUAGE),
                           *(concept.labels.get(language) or ()), *concept.labels[SOURCE_LANGUAGE]]
                hint = next((o for o in options if o and normalise(o) not in taken), "")
                taken.add(normalise(hint))
                results[i] = replace(suggestion, hint=hint)
        return results

    def has_label(self, uri: str, text: str) -> bool:
        """Whether ``text`` is one of the labels (any language, any case/accents) of the concept ``uri``."""
        concept = self.get(uri)
        key = normalise(text)
        return concept is not None and bool(key) and any(
            normalise(label) == key for labels in concept.labels.values() for label in labels)

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


def load_fields() -> tuple[dict[str, tuple[str, ...]], dict[str, dict[str, str]]]:
    """Which occupational fields ask each concept (data/skill_selection.json), and the fields' names."""
    fields: dict[str, tuple[str, ...]] = {}
    for code, concepts in _read_json("skill_selection.json").items():
        for concept in concepts:
            uri = concept["id"] if concept["id"].startswith("http") else ESCO_PREFIX + concept["id"]
            fields[uri] = (*fields.get(uri, ()), code)
    names = {f["code"]: f["names"] for f in _read_json("occupational_fields.json")}
    return fields, names


@lru_cache(maxsize=1)
def vocabulary() -> SkillVocabulary:
    """The process-wide vocabulary (built on first use, about a second)."""
    fields, names = load_fields()
    return SkillVocabulary(load_concepts(), fields, names)
