"""Feature builders: records -> a sparse concept matrix and one dense matrix per side whose product is
every other score component. Only the fields of ``records`` are read (protected characteristics do
not exist there)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from .cefr import LEVELS, gap
from .config import MatchingConfig
from .function_words import FUNCTION_WORDS
from .records import ParticipantRecord, PositionRecord, Skill
from .text import normalise

EXCLUDED = -1000.0  # added to a pair's score when a hard rule excludes it
TEXT_CONCEPT = "text:"  # a skill without a vocabulary concept stands for its own (normalised) words
HOURS_BUCKETS = (0, 10, 16, 20, 25, 30, 37, 45, 61)  # bucket i holds hours in [b_i, b_{i+1})
MONTHS = 13  # start dates are compared by month, up to a year ahead (later counts as a year)
KINDS = ("vacancy", "micro_internship", "both")


def skill_key(skill: Skill) -> str | None:
    """What a position's skill stands for: its vocabulary concept, or its own words when it has none, so that
    the same free-text skill typed by an employer and by a participant meets like a shared concept."""
    if skill.concept:
        return skill.concept
    words = normalise(skill.label)
    return TEXT_CONCEPT + words if words else None


def text_key(label: str) -> str | None:
    words = normalise(label)
    return TEXT_CONCEPT + words if words else None


def participant_skill_text(p: ParticipantRecord) -> str:
    return normalise(" ".join([s.label for s in p.skills] + [p.experience]))


def position_skill_text(q: PositionRecord) -> str:
    return normalise(" ".join([s.label for s in (*q.required, *q.nice)] + [q.title, q.description]))


class TextSpace:
    """Character n-gram TF-IDF reduced by SVD: inflection and typos land close together."""

    def __init__(self, dimensions: int, seed: int = 0):
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True,
                                          min_df=2, max_features=60000, dtype=np.float32)
        self.svd = TruncatedSVD(n_components=dimensions, random_state=seed, algorithm="randomized", n_iter=4)
        self.dimensions = dimensions

    def fit(self, documents: Sequence[str], sample: int = 20000, seed: int = 0) -> TextSpace:
        rng = np.random.default_rng(seed)
        docs = [d for d in documents if d] or ["empty"]
        if len(docs) > sample:
            docs = [docs[i] for i in rng.choice(len(docs), sample, replace=False)]
        try:
            matrix = self.vectorizer.fit_transform(docs)
        except ValueError:  # a tiny installation: no n-gram occurs twice, keep them all
            self.vectorizer.set_params(min_df=1)
            matrix = self.vectorizer.fit_transform(docs)
        if min(matrix.shape) < 3:  # too little text to reduce: use the n-grams themselves
            self.svd = None
            self.dimensions = matrix.shape[1]
            return self
        components = min(self.dimensions, matrix.shape[1] - 1, matrix.shape[0] - 1)
        self.svd.set_params(n_components=components)
        with np.errstate(divide="ignore", invalid="ignore"):  # explained variance of identical rows
            self.svd.fit(matrix)
        self.dimensions = components
        return self

    def embed(self, documents: Sequence[str]) -> np.ndarray:
        if not documents:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        counts = self.vectorizer.transform(documents)
        reduced = counts.toarray() if self.svd is None else self.svd.transform(counts)
        return normalize(reduced.astype(np.float32)).astype(np.float32)


def words_of(text: str, stem: int = 6) -> list[str]:
    """Normalised words, each also cut to its first ``stem`` letters: "cleaning", "cleaned" and "cleaner" meet
    at "cleane"/"clean..." without a stemmer for each of our languages."""
    out = []
    for word in normalise(text).split(" "):
        if len(word) >= 2 and word not in FUNCTION_WORDS:
            out.append(word)
            if len(word) > stem:
                out.append(word[:stem] + "~")
    return out


class WordSpace:
    """Word-level TF-IDF, not reduced: what a participant wrote (skills, experience) against what a position
    says (skills, title, description). It carries free-text skills that are no vocabulary label. Words
    that occur almost everywhere are left out (they say nothing and would make every pair a product)."""

    def __init__(self, common: float = 0.1, keep_below: int = 500):
        self.common, self.keep_below = common, keep_below
        self.vectorizer = TfidfVectorizer(analyzer=words_of, sublinear_tf=True, dtype=np.float32)

    def fit(self, documents: Sequence[str]) -> WordSpace:
        docs = [d for d in documents if d] or ["empty"]
        # a word in more than a tenth of all texts (and in more than 500) is left out: it tells little apart, and
        # in a national installation it would make nearly every pair a sparse product to compute
        self.vectorizer.set_params(max_df=max(self.keep_below, int(self.common * len(docs))))
        self.vectorizer.fit(docs)
        return self

    def embed(self, documents: Sequence[str]) -> sparse.csr_matrix:
        if not documents:
            return sparse.csr_matrix((0, len(self.vectorizer.vocabulary_)), dtype=np.float32)
        return normalize(self.vectorizer.transform(documents)).astype(np.float32).tocsr()


class ConceptResolver:
    """Maps a free-text skill to the concept it most likely means, when similar enough: by its letters
    (typos, inflection: character n-grams against every label) or by its words (the skill described in other
    words: word TF-IDF against every label of the concept at once). The similarity is how surely."""

    CHUNK = 2000  # free texts compared with every label at once

    def __init__(self, concept_labels: Mapping[str, Sequence[str]], threshold: float, word_threshold: float = 1.0):
        self.threshold, self.word_threshold = threshold, word_threshold
        pairs = [(concept, normalise(label)) for concept, labels in concept_labels.items() for label in labels]
        pairs = [(c, text) for c, text in pairs if text]
        self.concepts = [c for c, _ in pairs]
        self.exact = {text: c for c, text in pairs}
        self.lengths = np.array([len(text) for _, text in pairs], dtype=np.int32)
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32)
        self.matrix = self.vectorizer.fit_transform([text for _, text in pairs]) if pairs else None
        grouped: dict[str, list[str]] = {}
        for concept, text in pairs:
            grouped.setdefault(concept, []).append(text)
        self.word_concepts = sorted(grouped)
        self.word_vectorizer = TfidfVectorizer(analyzer=words_of, sublinear_tf=True, dtype=np.float32)
        self.word_matrix = normalize(self.word_vectorizer.fit_transform(
            [" ".join(grouped[c]) for c in self.word_concepts])) if pairs and word_threshold < 1.0 else None

    def resolve(self, labels: Sequence[str]) -> list[tuple[str | None, float]]:
        """(concept, similarity) for each label; (None, 0) below the thresholds."""
        if self.matrix is None or not labels:
            return [(None, 0.0)] * len(labels)
        texts = [normalise(label) for label in labels]
        out: list[tuple[str | None, float] | None] = [(self.exact[t], 1.0) if t in self.exact else None
                                                      for t in texts]
        todo = [i for i, r in enumerate(out) if r is None]
        if todo:
            letters = []
            for start in range(0, len(todo), self.CHUNK):  # texts x every label is large: a chunk at a time
                chunk = [texts[i] for i in todo[start:start + self.CHUNK]]
                letters += self._best(self._comparable(self.vectorizer.transform(chunk) @ self.matrix.T,
                                                       [len(t) for t in chunk]), self.concepts)
            words = self._best(normalize(self.word_vectorizer.transform([texts[i] for i in todo])) @ self.word_matrix.T,
                               self.word_concepts) if self.word_matrix is not None else [(None, 0.0)] * len(todo)
            for row, i in enumerate(todo):
                (by_letters, a), (by_words, b) = letters[row], words[row]
                if a >= self.threshold and a >= b:
                    out[i] = (by_letters, a)
                elif b >= self.word_threshold:
                    out[i] = (by_words, b)
                else:
                    out[i] = (None, 0.0)
        return out  # type: ignore[return-value]

    def _comparable(self, similarities, lengths: Sequence[int]) -> sparse.csr_matrix:
        """Only labels of about the typed length: a typo or an inflection changes a few letters, not the size;
        a sentence describing work shares many letter groups with short labels without meaning them."""
        similarities = similarities.tocsr()
        typed = np.repeat(np.asarray(lengths, dtype=np.int32), np.diff(similarities.indptr))
        label = self.lengths[similarities.indices]
        similarities.data[np.abs(typed - label) > np.maximum(3, 0.3 * label)] = 0.0
        similarities.eliminate_zeros()
        return similarities

    @staticmethod
    def _best(similarities, concepts: list[str]) -> list[tuple[str | None, float]]:
        similarities = similarities.tocsr()
        out = []
        for row in range(similarities.shape[0]):
            start, end = similarities.indptr[row], similarities.indptr[row + 1]
            if start == end:
                out.append((None, 0.0))
                continue
            best = start + int(np.argmax(similarities.data[start:end]))
            out.append((concepts[similarities.indices[best]], float(similarities.data[best])))
        return out


@dataclass
class Layout:
    """Where each component sits in the dense matrices (column slices)."""

    skills_text: slice
    wish_rank: slice
    wish_text: slice
    language: slice
    location: slice
    availability: slice
    kind: slice
    width: int

    def parts(self) -> dict[str, list[slice]]:
        return {"skills": [self.skills_text], "wish": [self.wish_rank, self.wish_text],
                "language": [self.language], "location": [self.location],
                "availability": [self.availability], "kind": [self.kind]}


def hours_bucket(hours: int | None) -> int:
    """0 = unknown, 1.. = buckets of HOURS_BUCKETS."""
    if hours is None:
        return 0
    return 1 + max(i for i, low in enumerate(HOURS_BUCKETS[:-1]) if hours >= low)


def month_index(day: date | None, reference: date) -> int:
    """0 = unknown or now, 1..MONTHS-1 = months after the reference month."""
    if day is None:
        return 0
    months = (day.year - reference.year) * 12 + day.month - reference.month
    return int(min(max(months, 0), MONTHS - 1))


def level_index(level: str | None) -> int:
    """0 = none given, 1..6 = A1..C2."""
    return 0 if level is None else LEVELS.index(level) + 1


class FeatureBuilder:
    """Fitted once; turns records into the model's matrices (and single rows for updates)."""

    def __init__(self, config: MatchingConfig, fields: Sequence[int], regions: Sequence[str], host_language: str,
                 text: TextSpace, reference: date):
        self.config = config
        self.field_col = {f: i for i, f in enumerate(fields)}
        self.region_col = {r: i for i, r in enumerate(regions)}
        self.host_language = host_language
        self.text = text
        self.reference = reference
        d, n_fields, n_regions = text.dimensions, len(fields), len(regions)
        self.wish_dimensions = min(d, config.wish_text_dimensions)
        widths = [("skills_text", d), ("wish_rank", n_fields + 1), ("wish_text", self.wish_dimensions), ("language", 7),
                  ("location", 2 * n_regions + 2), ("availability", len(HOURS_BUCKETS) + MONTHS), ("kind", 3)]
        slices, start = {}, 0
        for name, width in widths:
            slices[name] = slice(start, start + width)
            start += width
        self.layout = Layout(**slices, width=start)

    # --- participants ------------------------------------------------------------------------
    def participants(self, records: Sequence[ParticipantRecord]) -> np.ndarray:
        cfg, lay, w = self.config, self.layout, self.config.weights
        x = np.zeros((len(records), lay.width), dtype=np.float32)
        x[:, lay.skills_text] = w.skills * (1 - cfg.concept_share - cfg.word_share) * self.text.embed(
            [participant_skill_text(p) for p in records])
        x[:, lay.wish_text] = w.wish * cfg.wish_text_share * self._short(
            self.text.embed([normalise(p.wish_text) for p in records]))
        n_regions = len(self.region_col)
        loc = lay.location.start
        for row, p in enumerate(records):
            for rank, field in enumerate(p.desired_fields[: len(cfg.rank_scores)]):
                col = self.field_col.get(field)
                if col is not None:
                    x[row, lay.wish_rank.start + col] = w.wish * (1 - cfg.wish_text_share) * cfg.rank_scores[rank]
            x[row, lay.language.start + level_index(p.languages.get(self.host_language))] = 1.0
            region = self.region_col.get(p.region)
            if region is not None:
                x[row, loc + region] = 1.0  # same region
                if p.remote_ok:
                    x[row, loc + n_regions + region] = 1.0  # same region and both remote (subtracted once)
            x[row, loc + 2 * n_regions] = 1.0 if p.remote_ok else 0.0
            x[row, loc + 2 * n_regions + 1] = 1.0  # constant: the base location score
            x[row, lay.availability.start + hours_bucket(p.hours_per_week)] = 1.0
            x[row, lay.availability.start + len(HOURS_BUCKETS) + month_index(p.available_from, self.reference)] = 1.0
            x[row, lay.kind.start + KINDS.index(p.desired_kinds if p.desired_kinds in KINDS else "both")] = 1.0
        return x

    # --- positions ---------------------------------------------------------------------------
    def positions(self, records: Sequence[PositionRecord]) -> np.ndarray:
        cfg, lay, w = self.config, self.layout, self.config.weights
        y = np.zeros((len(records), lay.width), dtype=np.float32)
        y[:, lay.skills_text] = self.text.embed([position_skill_text(q) for q in records])
        y[:, lay.wish_text] = self._short(self.text.embed([normalise(q.title) for q in records]))
        n_regions = len(self.region_col)
        loc = lay.location.start
        base, rest = cfg.other_region_score, 1 - cfg.other_region_score
        for row, q in enumerate(records):
            col = self.field_col.get(q.field_id)
            if col is not None:
                y[row, lay.wish_rank.start + col] = 1.0
            micro = q.kind == "micro_internship"
            for have in range(7):
                y[row, lay.language.start + have] = w.language * self._language_score(have, q.level_needed, micro)
            region = self.region_col.get(q.region)
            # location = base + rest * (same + both_remote - same * both_remote)
            if region is not None:
                y[row, loc + region] = w.location * rest
                if q.remote:
                    y[row, loc + n_regions + region] = -w.location * rest
            y[row, loc + 2 * n_regions] = w.location * rest if q.remote else 0.0
            y[row, loc + 2 * n_regions + 1] = w.location * base
            for bucket in range(len(HOURS_BUCKETS)):
                y[row, lay.availability.start + bucket] = w.availability * 0.5 * self._hours_score(bucket, q)
            start = month_index(q.start_date, self.reference)
            for month in range(MONTHS):
                fits = month == 0 or q.start_date is None or month <= start
                y[row, lay.availability.start + len(HOURS_BUCKETS) + month] = w.availability * 0.5 * (
                    1.0 if fits else cfg.late_start_score)
            for i, wanted in enumerate(KINDS):
                y[row, lay.kind.start + i] = w.kind * (1.0 if wanted in ("both", q.kind) else 0.0)
        return y

    def _short(self, embedding: np.ndarray) -> np.ndarray:
        """Wish texts and titles are a few words: their leading text dimensions, re-normalised, suffice."""
        short = embedding[:, : self.wish_dimensions]
        return normalize(short).astype(np.float32) if len(short) else short.astype(np.float32)

    def _language_score(self, have: int, needed: str | None, micro: bool) -> float:
        steps = gap(needed, LEVELS[have - 1] if have else None)
        if steps == 0:
            return 1.0
        if steps == 1 and micro:
            return self.config.bridgeable_score
        return EXCLUDED / max(self.config.weights.language, 1e-6)

    @staticmethod
    def _hours_score(bucket: int, q: PositionRecord) -> float:
        if bucket == 0 or q.hours_per_week is None:
            return 1.0
        available = HOURS_BUCKETS[bucket] if bucket < len(HOURS_BUCKETS) else HOURS_BUCKETS[-1]
        upper = HOURS_BUCKETS[min(bucket, len(HOURS_BUCKETS) - 1)]
        return 1.0 if q.hours_per_week <= max(available, upper) else max(0.0, upper / q.hours_per_week)


class ConceptSpace:
    """Participants x concepts (how well they hold it) and positions x concepts (how much it counts)."""

    def __init__(self, positions: Sequence[PositionRecord], config: MatchingConfig):
        self.config = config
        counts: dict[str, int] = {}
        for q in positions:
            for concept in {skill_key(s) for s in (*q.required, *q.nice)} - {None}:
                counts[concept] = counts.get(concept, 0) + 1
        concepts = sorted(counts)
        self.col = {c: i for i, c in enumerate(concepts)}
        # a skill few positions ask for says more about a fit than one that every position asks for
        n = len(positions)
        self.idf = np.array([np.log((n + 1) / (counts[c] + 1)) + 1.0 for c in concepts], dtype=np.float32)

    def _position_weights(self, q: PositionRecord) -> dict[int, float]:
        weights: dict[int, float] = {}
        for skill, value in [(s, 1.0) for s in q.required] + [(s, self.config.nice_to_have_weight) for s in q.nice]:
            key = skill_key(skill)
            col = self.col.get(key) if key else None
            if col is not None:
                weights[col] = max(weights.get(col, 0.0), value)
        return weights

    def position_matrix(self, records: Sequence[PositionRecord]) -> sparse.csr_matrix:
        """Coverage weights: what share of the position's (rarity-weighted) needs a concept is."""
        rows, cols, vals = [], [], []
        for row, q in enumerate(records):
            weights = {col: value * float(self.idf[col]) for col, value in self._position_weights(q).items()}
            total = sum(weights.values())
            for col, value in weights.items():
                rows.append(row), cols.append(col), vals.append(value / total)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(records), len(self.col)), dtype=np.float32)

    def position_relevance(self, records: Sequence[PositionRecord]) -> sparse.csr_matrix:
        """How much the position uses a concept (1 required, less for nice-to-have), not normalised."""
        rows, cols, vals = [], [], []
        for row, q in enumerate(records):
            for col, value in self._position_weights(q).items():
                rows.append(row), cols.append(col), vals.append(value)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(records), len(self.col)), dtype=np.float32)

    def participant_matrix(self, records: Sequence[ParticipantRecord],
                           resolved: Mapping[str, tuple[str | None, float]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for row, p in enumerate(records):
            weights: dict[int, float] = {}
            for skill in p.skills:
                concept, similarity = self.concept_of(skill, resolved)
                col = self.col.get(concept) if concept else None
                if col is None:
                    continue
                held = self.config.confirmed_weight if skill.confirmed else self.config.self_stated_weight
                weights[col] = max(weights.get(col, 0.0), held * similarity)
            for col, value in weights.items():
                rows.append(row), cols.append(col), vals.append(value)
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(records), len(self.col)), dtype=np.float32)

    def concept_of(self, skill: Skill, resolved: Mapping[str, tuple[str | None, float]]) -> tuple[str | None, float]:
        """The concept of the space a participant's skill holds, and how surely (1.0: exactly)."""
        if skill.concept and skill.concept in self.col:
            return skill.concept, 1.0
        key = text_key(skill.label)
        if key in self.col:  # the very words a position uses for a skill of its own
            return key, 1.0
        return resolved.get(skill.label, (None, 0.0))
