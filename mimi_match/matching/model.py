"""The matching model: fit on current positions and participants, rank in both directions, explain a pair.

Public API (plain records in, arrays and dataclasses out):

    model = MatchModel(config).fit(participants, positions, concept_labels)
    model.rank_positions(participant_id, k)      -> list[Ranked]
    model.rank_participants(position_id, k)      -> list[Ranked]
    model.top_k_all(k)                           -> TopK (both directions, one pass)
    model.explain(participant_id, position_id)   -> Explanation (the same numbers that scored the pair)
    model.explain_many(pairs)                    -> the same as dictionaries, vectorised (for writing in bulk)
    model.with_changes(participants=..., positions=..., removed_...) -> a new model; this one is unchanged
    model.refreshed(participants, positions)     -> a new model on these records with the same fitted spaces
    model.served()                               -> a copy without any participant (what web processes load)
    model.score_record(record)                   -> one participant's scores against every position

A fitted model is never changed in place (scikit-learn's contract): every change makes a new model, so a
thread ranking with one model never sees it half replaced, and a stored snapshot is exactly what it was.

A score is the weighted sum of six components in [0, 1]: skills (concepts held vs. needed, plus text
similarity of skills and experience to the position), wish (rank of the position's field among the
participant's wishes, plus the wish text vs. the title), language (CEFR gap), location, availability
and kind. Hard rules exclude a pair: a language gap of more than one level (one level is bridgeable for
micro-internships only), closed positions, participants without consent, and pairs given as excluded.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from .cefr import gap
from .config import MatchingConfig
from .features import (
    EXCLUDED,
    TEXT_CONCEPT,
    ConceptResolver,
    ConceptSpace,
    FeatureBuilder,
    TextSpace,
    WordSpace,
    participant_skill_text,
    position_skill_text,
    skill_key,
    text_key,
)
from .records import ParticipantRecord, PositionRecord
from .text import normalise
from .topk import block_top_k, merge_top_k

COMPONENTS = ("skills", "wish", "language", "location", "availability", "kind")


@dataclass(frozen=True)
class Ranked:
    id: int
    score: float


@dataclass
class TopK:
    """For every participant its best positions, and for every position its best participants."""

    participant_ids: np.ndarray  # (P,)
    positions: np.ndarray  # (P, k) position ids, -1 where fewer than k
    position_scores: np.ndarray  # (P, k)
    position_ids: np.ndarray  # (N,)
    participants: np.ndarray  # (N, k) participant ids, -1 where fewer than k
    participant_scores: np.ndarray  # (N, k)


@dataclass
class MatchedSkill:
    label: str  # as the position names it
    participant_label: str  # as the participant typed it
    required: bool
    confirmed: bool
    via: str  # "concept" or "similar words"


@dataclass
class Explanation:
    participant_id: int
    position_id: int
    score: float
    excluded: bool
    reason: str | None  # "language", "closed", "consent", "excluded" when excluded
    components: dict[str, float]  # each in [0, 1] (text similarity may dip slightly below 0)
    contributions: dict[str, float]  # weight * component; they add up to ``score``
    matched_skills: list[MatchedSkill] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    missing_nice: list[str] = field(default_factory=list)
    language_needed: str | None = None
    language_held: str | None = None
    language_gap: int = 0
    wish_rank: int | None = None  # 1..3 when the position's field is among the wishes
    model_version: str = ""
    text_similarity: float = 0.0  # of the words written on both sides (0..1)

    def as_dict(self) -> dict:
        return {
            "score": round(self.score, 4), "excluded": self.excluded, "reason": self.reason,
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
            "matched_skills": [vars(m) for m in self.matched_skills],
            "missing_required": self.missing_required, "missing_nice": self.missing_nice,
            "language": {"needed": self.language_needed, "held": self.language_held, "gap": self.language_gap},
            "wish_rank": self.wish_rank, "text_similarity": round(self.text_similarity, 4),
            "model_version": self.model_version,
        }


class MatchModel:
    def __init__(self, config: MatchingConfig | None = None, *, host_language: str = "nb",
                 reference: date | None = None, version: str = ""):
        self.config = config or MatchingConfig()
        self.host_language = host_language
        self.reference = reference or date.today()
        self.version = version

    DERIVED = ("_Qc_scaled", "_Qw_scaled", "_Yt64", "_Pc_csr", "_Pf", "_Qf_t", "participant_row", "position_row",
               "participant_ids", "position_ids")

    def __getstate__(self) -> dict:
        # what can be derived is not stored: a snapshot holds the records, the fitted spaces and the matrices
        return {k: v for k, v in self.__dict__.items() if k not in self.DERIVED}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if hasattr(self, "X"):
            self._index()

    # --- fitting ---------------------------------------------------------------------------------
    def fit(self, participants: Sequence[ParticipantRecord], positions: Sequence[PositionRecord],
            concept_labels: Mapping[str, Sequence[str]] | None = None) -> MatchModel:
        """Learn the text space and concept index from these records, and build every matrix."""
        positions = sorted((q for q in positions if q.is_open), key=lambda q: q.id)
        participants = sorted((p for p in participants if p.consent_matching), key=lambda p: p.id)
        documents = [position_skill_text(q) for q in positions] + [participant_skill_text(p) for p in participants]
        self.text = TextSpace(self.config.text_dimensions).fit(documents)
        self.concept_labels = {c: list(v) for c, v in (concept_labels or {}).items()}
        self.words = WordSpace().fit([self._position_document(q) for q in positions]
                                     + [participant_skill_text(p) for p in participants])
        fields = sorted({q.field_id for q in positions} | {f for p in participants for f in p.desired_fields})
        regions = sorted({q.region for q in positions if q.region} | {p.region for p in participants if p.region})
        self.builder = FeatureBuilder(self.config, fields, regions, self.host_language, self.text, self.reference)
        self.concepts = ConceptSpace(positions, self.config)
        labels = {c: list((concept_labels or {}).get(c, ())) or ([c[len(TEXT_CONCEPT):]] if c.startswith(TEXT_CONCEPT)
                                                                 else []) for c in self.concepts.col}
        self.resolver = ConceptResolver(labels, self.config.typo_similarity, self.config.word_similarity)
        self.participants = list(participants)
        self.positions = list(positions)
        self._rebuild()
        return self

    def _resolve(self, records: Sequence[ParticipantRecord]) -> dict[str, tuple[str | None, float]]:
        col = self.concepts.col
        free = sorted({s.label for p in records for s in p.skills
                       if not (s.concept and s.concept in col) and text_key(s.label) not in col})
        return dict(zip(free, self.resolver.resolve(free), strict=True))

    def _rebuild(self) -> None:
        self.resolved = self._resolve(self.participants)
        self.X = self.builder.participants(self.participants)
        self.Y = self.builder.positions(self.positions)
        self.Pc = self.concepts.participant_matrix(self.participants, self.resolved)
        self.Qc = self._position_concepts(self.positions)
        self.Pw = self._participant_words(self.participants)
        self.Qw = self._position_words(self.positions)
        self._index()

    def _participant_words(self, records: Sequence[ParticipantRecord]) -> sparse.csr_matrix:
        return self.words.embed([participant_skill_text(p) for p in records])

    def _position_words(self, records: Sequence[PositionRecord]) -> sparse.csr_matrix:
        return self.words.embed([self._position_document(q) for q in records])

    def _position_document(self, record: PositionRecord) -> str:
        """What a position says, with every label (all languages) of the concepts it asks: someone who
        describes a skill in other words or another language still shares words with it."""
        extra = [label for s in (*record.required, *record.nice) if s.concept
                 for label in self.concept_labels.get(s.concept, ())]
        return " ".join([position_skill_text(record), *extra])

    def _position_concepts(self, records: Sequence[PositionRecord]) -> sparse.csr_matrix:
        """Both concept terms side by side: [coverage weights | relevance weights] (scaled by their share)."""
        share = self.config.coverage_share
        return sparse.hstack([self.concepts.position_matrix(records) * share,
                              self.concepts.position_relevance(records) * (1 - share)]).tocsr()

    @staticmethod
    def _participant_concepts(held: sparse.csr_matrix) -> sparse.csr_matrix:
        """[how well each concept is held | the same as a share of all the participant's skills]."""
        share = normalize(held, norm="l1") if min(held.shape) else held  # no concepts or nobody: nothing to share
        return sparse.hstack([held, share]).tocsr()

    def _index(self) -> None:
        self.participant_row = {p.id: i for i, p in enumerate(self.participants)}
        self.position_row = {q.id: i for i, q in enumerate(self.positions)}
        self.participant_ids = np.array([p.id for p in self.participants], dtype=np.int64)
        self.position_ids = np.array([q.id for q in self.positions], dtype=np.int64)
        w = self.config.weights
        self._Qc_scaled = (self.Qc * (w.skills * self.config.concept_share)).T.tocsr().astype(np.float32)
        self._Qw_scaled = (self.Qw * (w.skills * self.config.word_share)).T.tocsr().astype(np.float32)
        self._Yt64 = np.ascontiguousarray(self.Y.T, dtype=np.float64)
        self._Pf = self._wished_fields(self.participants)
        fields = [self.builder.field_col.get(q.field_id) for q in self.positions]
        known = [(col, i) for i, col in enumerate(fields) if col is not None]
        self._Qf_t = sparse.csr_matrix((np.ones(len(known), dtype=np.float32),
                                        ([c for c, _ in known], [i for _, i in known])),
                                       shape=(len(self.builder.field_col), len(self.positions)))
        self._Pc_csr = self._participant_concepts(self.Pc.tocsr())

    # --- scoring ---------------------------------------------------------------------------------
    def _scores(self, rows: slice | np.ndarray, cols: slice | np.ndarray | None = None) -> np.ndarray:
        """Full scores for participant rows x position columns (excluded pairs hold large negatives)."""
        return self._pair_scores(self.X[rows], self._Pc_csr[rows], self._Pf[rows], self.Pw[rows], cols)

    def _pair_scores(self, x: np.ndarray, pc: sparse.csr_matrix, pf: sparse.csr_matrix, pw: sparse.csr_matrix,
                     cols: slice | np.ndarray | None = None) -> np.ndarray:
        # float32 products summed in float64: a pair scores the same to the last bit whichever way it is
        # reached (a row, a column, a block), so ties are broken by id alone and incremental lists equal new ones
        y = self._Yt64 if cols is None else self._Yt64[:, cols]
        dense = x.astype(np.float64) @ y
        qc = self._Qc_scaled if cols is None else self._Qc_scaled[:, cols]
        coverage = (pc @ qc).tocoo()
        if coverage.nnz:
            dense[coverage.row, coverage.col] += coverage.data
        words = (pw @ (self._Qw_scaled if cols is None else self._Qw_scaled[:, cols])).tocoo()
        if words.nnz:
            dense[words.row, words.col] += words.data
        if self.config.evidence_floor:  # no suggestion without a skill in common, close words or a wished field
            evidence = np.zeros(dense.shape, dtype=bool)
            evidence[coverage.row, coverage.col] = True
            close = words.data >= self.config.evidence_word_similarity * self.config.weights.skills * \
                self.config.word_share
            evidence[words.row[close], words.col[close]] = True
            wished = (pf @ (self._Qf_t if cols is None else self._Qf_t[:, cols])).tocoo()
            evidence[wished.row, wished.col] = True
            dense[~evidence] = -np.inf
        return dense.astype(np.float32)

    def _wished_fields(self, records: Sequence[ParticipantRecord]) -> sparse.csr_matrix:
        """Participants x fields: 1 for each of the (at most three) fields a participant wishes."""
        rows, cols = [], []
        for row, p in enumerate(records):
            for wished in p.desired_fields[: len(self.config.rank_scores)]:
                col = self.builder.field_col.get(wished)
                if col is not None:
                    rows.append(row), cols.append(col)
        return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                 shape=(len(records), len(self.builder.field_col)))

    def _exclusions(self, exclude: Iterable[tuple[int, int]] | None) -> dict[int, np.ndarray]:
        by_row: dict[int, list[int]] = {}
        for participant_id, position_id in exclude or ():
            row, col = self.participant_row.get(participant_id), self.position_row.get(position_id)
            if row is not None and col is not None:
                by_row.setdefault(row, []).append(col)
        return {row: np.array(cols, dtype=np.int64) for row, cols in by_row.items()}

    def _finish(self, scores: np.ndarray) -> np.ndarray:
        """Excluded or too weak pairs become -inf."""
        scores[scores < self.config.min_score] = -np.inf
        return scores

    def rank_positions(self, participant_id: int, k: int = 10, exclude: Iterable[int] = ()) -> list[Ranked]:
        """The best open positions for one participant, best first."""
        row = self.participant_row.get(participant_id)
        if row is None or not len(self.positions):
            return []
        scores = self._finish(self._scores(slice(row, row + 1))[0])
        for position_id in exclude:
            col = self.position_row.get(position_id)
            if col is not None:
                scores[col] = -np.inf
        return self._ranked(scores, self.position_ids, k)

    def rank_participants(self, position_id: int, k: int = 10, exclude: Iterable[int] = ()) -> list[Ranked]:
        """The best participants (who consented to matching) for one position, best first."""
        col = self.position_row.get(position_id)
        if col is None or not len(self.participants):
            return []
        dense = self._scores(slice(None), np.array([col]))[:, 0]
        scores = self._finish(dense)
        for participant_id in exclude:
            row = self.participant_row.get(participant_id)
            if row is not None:
                scores[row] = -np.inf
        return self._ranked(scores, self.participant_ids, k)

    @staticmethod
    def _ranked(scores: np.ndarray, ids: np.ndarray, k: int) -> list[Ranked]:
        k = min(k, len(scores))
        if k == 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((ids[top], -scores[top]))]
        return [Ranked(int(ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]

    def top_k_all(self, k: int = 10, exclude: Iterable[tuple[int, int]] | None = None, block: int = 512,
                  workers: int = 2, progress: Callable[[int], None] | None = None) -> TopK:
        """Top-k in both directions from one pass over all pairs, in blocks of participants (``progress`` is
        told how many participants are done after each block). Blocks are small: each holds dense scores and
        the sparse word products of block x all positions, and at 100k x 10k blocks of 2048 doubled the
        peak memory of a rebuild for no gain in time."""
        n_p, n_q = len(self.participants), len(self.positions)
        excluded = self._exclusions(exclude)
        best_q = np.full((n_p, k), -1, dtype=np.int64)
        best_q_scores = np.full((n_p, k), -np.inf, dtype=np.float32)
        col_rows = np.full((n_q, k), -1, dtype=np.int64)
        col_scores = np.full((n_q, k), -np.inf, dtype=np.float32)
        starts = list(range(0, n_p, block))

        floor = self.config.min_score

        def work(start: int):
            end = min(start + block, n_p)
            scores = self._scores(slice(start, end))
            for row in range(start, end):
                cols = excluded.get(row)
                if cols is not None:
                    scores[row - start, cols] = -np.inf
            (rows_idx, rows_val), (cand_idx, cand_val) = block_top_k(scores, k, floor)
            return start, end, rows_idx, rows_val, np.where(cand_idx >= 0, cand_idx + start, -1), cand_val

        if n_q and n_p:
            # two workers on two blocks at once; BLAS single-threaded inside each (no oversubscription)
            with threadpool_limits(1, "blas"), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
                for start, end, rows_idx, rows_val, cand_idx, cand_val in pool.map(work, starts):
                    best_q[start:end] = np.where(rows_idx >= 0, self.position_ids[np.maximum(rows_idx, 0)], -1)
                    best_q_scores[start:end] = rows_val
                    col_rows, col_scores = merge_top_k(col_rows, col_scores, cand_idx, cand_val, k)
                    if progress is not None:
                        progress(end)
        best_p = np.where(col_rows >= 0, self.participant_ids[np.maximum(col_rows, 0)], -1) if n_p else col_rows
        best_p[~np.isfinite(col_scores)] = -1
        return TopK(self.participant_ids, best_q, best_q_scores, self.position_ids, best_p, col_scores)

    # --- explanations ------------------------------------------------------------------------------
    def explain(self, participant_id: int, position_id: int) -> Explanation:
        """Why this pair scores what it scores: components, contributions, skills, language, wish."""
        participant = self._participant(participant_id)
        position = self._position(position_id)
        cfg, w = self.config, self.config.weights
        row, col = self.participant_row.get(participant_id), self.position_row.get(position_id)
        x = self.X[row] if row is not None else self.builder.participants([participant])[0]
        y = self.Y[col] if col is not None else self.builder.positions([position])[0]
        pc = self._Pc_csr[row] if row is not None else self._participant_concepts(
            self.concepts.participant_matrix([participant], self._resolve([participant])))
        qc = self.Qc[col] if col is not None else self._position_concepts([position])
        coverage = float((pc @ qc.T).toarray()[0, 0])
        pw = self.Pw[row] if row is not None else self._participant_words([participant])
        qw = self.Qw[col] if col is not None else self._position_words([position])
        similarity = float((pw @ qw.T).toarray()[0, 0])
        lay = self.builder.layout
        x = x.astype(np.float64)
        contributions = {name: float(sum(x[s] @ y[s] for s in slices)) for name, slices in lay.parts().items()}
        contributions["skills"] += w.skills * (cfg.concept_share * coverage + cfg.word_share * similarity)
        held = participant.languages.get(self.host_language)
        language_gap = gap(position.level_needed, held)
        reason = None
        if not position.is_open:
            reason = "closed"
        elif not participant.consent_matching:
            reason = "consent"
        elif contributions["language"] <= EXCLUDED / 2:
            reason = "language"
        if reason == "language":
            contributions["language"] = 0.0
        components = {name: (contributions[name] / getattr(w, name) if getattr(w, name) else 0.0)
                      for name in COMPONENTS}
        score = float(sum(contributions.values()))
        matched, missing_required, missing_nice = self._skills_detail(participant, position)
        rank = next((i + 1 for i, f in enumerate(participant.desired_fields[:3]) if f == position.field_id), None)
        if reason is None and not self._evidence(bool(matched), rank, position.field_id, similarity):
            reason = "evidence"
        return Explanation(participant_id, position_id, score, reason is not None, reason, components,
                           contributions, matched, missing_required, missing_nice, position.level_needed, held,
                           language_gap, rank, self.version, similarity)

    def explain_many(self, pairs: Sequence[tuple[int, int]]) -> list[dict]:
        """``explain(p, q).as_dict()`` for many pairs of the model at once: the components from one
        vectorised product per component, the skills of each participant resolved once."""
        if not pairs:
            return []
        cfg, w, lay = self.config, self.config.weights, self.builder.layout
        rows = np.fromiter((self.participant_row[p] for p, _ in pairs), dtype=np.int64, count=len(pairs))
        cols = np.fromiter((self.position_row[q] for _, q in pairs), dtype=np.int64, count=len(pairs))
        x, y = self.X[rows], self.Y[cols]
        x = x.astype(np.float64)
        parts = {name: sum((x[:, s] * y[:, s]).sum(axis=1) for s in slices) for name, slices in lay.parts().items()}
        coverage = np.asarray(self._Pc_csr[rows].multiply(self.Qc[cols]).sum(axis=1)).ravel()
        similarity = np.asarray(self.Pw[rows].multiply(self.Qw[cols]).sum(axis=1)).ravel().astype(np.float64)
        parts["skills"] = parts["skills"] + w.skills * (cfg.concept_share * coverage + cfg.word_share * similarity)
        similarity_rows = similarity.tolist()
        weights = np.array([getattr(w, name) for name in COMPONENTS], dtype=np.float64)
        table = np.stack([parts[name] for name in COMPONENTS], axis=1)
        language = COMPONENTS.index("language")
        excluded = table[:, language] <= EXCLUDED / 2
        table[excluded, language] = 0.0
        components = np.divide(table, weights, out=np.zeros_like(table), where=weights != 0)
        table_rows, component_rows, excluded_rows = table.tolist(), components.tolist(), excluded.tolist()
        held_cache: dict[int, dict[str, tuple[str, bool, str]]] = {}
        static: dict[int, tuple] = {}
        out = []
        for i, (participant_id, position_id) in enumerate(pairs):
            participant, position = self.participants[rows[i]], self.positions[cols[i]]
            held = held_cache.get(participant_id)
            if held is None:
                held = held_cache[participant_id] = self._held(participant, self.resolved)
            fixed = static.get(position_id)
            if fixed is None:
                fixed = static[position_id] = (position.level_needed, position.field_id,
                                               [(s.label, skill_key(s), True) for s in position.required]
                                               + [(s.label, skill_key(s), False) for s in position.nice])
            needed, field_id, wanted = fixed
            matched, missing_required, missing_nice = [], [], []
            for label, concept, required in wanted:
                if concept and concept in held:
                    own, confirmed, via = held[concept]
                    matched.append({"label": label, "participant_label": own, "required": required,
                                    "confirmed": confirmed, "via": via})
                elif required:
                    missing_required.append(label)
                else:
                    missing_nice.append(label)
            spoken = participant.languages.get(self.host_language)
            rank = next((r + 1 for r, f in enumerate(participant.desired_fields[:3]) if f == field_id), None)
            contributions = table_rows[i]
            reason = "language" if excluded_rows[i] else (
                None if self._evidence(bool(matched), rank, field_id, similarity_rows[i]) else "evidence")
            out.append({
                "score": round(sum(contributions), 4), "excluded": reason is not None, "reason": reason,
                "components": {k: round(v, 4) for k, v in zip(COMPONENTS, component_rows[i], strict=True)},
                "contributions": {k: round(v, 4) for k, v in zip(COMPONENTS, contributions, strict=True)},
                "matched_skills": matched, "missing_required": missing_required, "missing_nice": missing_nice,
                "language": {"needed": needed, "held": spoken, "gap": gap(needed, spoken)},
                "wish_rank": rank, "text_similarity": round(similarity_rows[i], 4),
                "model_version": self.version,
            })
        return out

    def _evidence(self, matched: bool, wish_rank: int | None, field_id: int, similarity: float) -> bool:
        """A skill in common, close words, or a wished field the model knows: what the evidence floor asks."""
        cfg = self.config
        return not cfg.evidence_floor or matched or similarity >= cfg.evidence_word_similarity or (
            wish_rank is not None and field_id in self.builder.field_col)

    def _skills_detail(self, participant: ParticipantRecord, position: PositionRecord):
        resolved = self.resolved
        if any(s.label not in resolved for s in participant.skills):
            resolved = {**resolved, **self._resolve([participant])}
        return self._compare(self._held(participant, resolved), position)

    def _held(self, participant: ParticipantRecord, resolved) -> dict[str, tuple[str, bool, str]]:
        """concept -> (the participant's words, confirmed, how it was recognised)"""
        held: dict[str, tuple[str, bool, str]] = {}
        for skill in participant.skills:
            concept, similarity = self.concepts.concept_of(skill, resolved)
            if concept:
                via = "concept" if similarity >= 1.0 else "similar words"
                if concept not in held or (skill.confirmed and not held[concept][1]):
                    held[concept] = (skill.label, skill.confirmed, via)
        return held

    @staticmethod
    def _compare(held: Mapping[str, tuple[str, bool, str]], position: PositionRecord):
        matched, missing_required, missing_nice = [], [], []
        for skills, required in ((position.required, True), (position.nice, False)):
            for skill in skills:
                key = skill_key(skill)
                if key and key in held:
                    label, confirmed, via = held[key]
                    matched.append(MatchedSkill(skill.label, label, required, confirmed, via))
                elif required:
                    missing_required.append(skill.label)
                else:
                    missing_nice.append(skill.label)
        return matched, missing_required, missing_nice

    def _participant(self, participant_id: int) -> ParticipantRecord:
        row = self.participant_row.get(participant_id)
        if row is None:
            raise KeyError(f"participant {participant_id} is not in the model")
        return self.participants[row]

    def _position(self, position_id: int) -> PositionRecord:
        col = self.position_row.get(position_id)
        if col is None:
            raise KeyError(f"position {position_id} is not in the model")
        return self.positions[col]

    # --- new models from changes (never in place) ------------------------------------------------------
    def with_changes(self, participants: Sequence[ParticipantRecord] = (), positions: Sequence[PositionRecord] = (),
                     removed_participants: Iterable[int] = (), removed_positions: Iterable[int] = ()) -> MatchModel:
        """A new model with these records added or replaced and these ids removed (a participant without
        consent and a closed position are removed too). Concepts, fields and regions the fitted spaces do not
        know wait for the next fit (``knows``)."""
        new = copy.copy(self)
        gone_p = set(removed_participants) | {p.id for p in participants}
        gone_q = set(removed_positions) | {q.id for q in positions}
        add_p = [p for p in {p.id: p for p in participants}.values() if p.consent_matching]  # the last one counts
        add_q = [q for q in {q.id: q for q in positions}.values() if q.is_open]
        if gone_p:
            keep = np.array([p.id not in gone_p for p in self.participants], dtype=bool)
            new.participants = [p for p, k in zip(self.participants, keep, strict=True) if k] + add_p
            new.resolved = {**self.resolved, **self._resolve(add_p)}
            new.X = np.vstack([self.X[keep], self.builder.participants(add_p)])
            new.Pc = sparse.vstack([self.Pc.tocsr()[keep],
                                    self.concepts.participant_matrix(add_p, new.resolved)]).tocsr()
            new.Pw = sparse.vstack([self.Pw[keep], self._participant_words(add_p)]).tocsr()
        if gone_q:
            keep = np.array([q.id not in gone_q for q in self.positions], dtype=bool)
            new.positions = [q for q, k in zip(self.positions, keep, strict=True) if k] + add_q
            new.Y = np.vstack([self.Y[keep], self.builder.positions(add_q)])
            new.Qc = sparse.vstack([self.Qc.tocsr()[keep], self._position_concepts(add_q)]).tocsr()
            new.Qw = sparse.vstack([self.Qw[keep], self._position_words(add_q)]).tocsr()
        if gone_p or gone_q:
            new._in_id_order()
            new._index()
        return new

    def _in_id_order(self) -> None:
        """Rows and columns stay sorted by id, so that ties are broken by id however the model was reached."""
        order = np.argsort([p.id for p in self.participants], kind="stable")
        if np.any(order != np.arange(len(order))):
            self.participants = [self.participants[i] for i in order]
            self.X, self.Pc, self.Pw = self.X[order], self.Pc.tocsr()[order], self.Pw[order]
        order = np.argsort([q.id for q in self.positions], kind="stable")
        if np.any(order != np.arange(len(order))):
            self.positions = [self.positions[i] for i in order]
            self.Y, self.Qc, self.Qw = self.Y[order], self.Qc.tocsr()[order], self.Qw[order]

    def refreshed(self, participants: Sequence[ParticipantRecord], positions: Sequence[PositionRecord]) -> MatchModel:
        """A new model on exactly these records, with this model's fitted text space, concepts and layout."""
        new = copy.copy(self)
        new.participants = sorted((p for p in participants if p.consent_matching), key=lambda p: p.id)
        new.positions = sorted((q for q in positions if q.is_open), key=lambda q: q.id)
        new._rebuild()
        return new

    def served(self) -> MatchModel:
        """A copy holding no participant at all: what every web process loads to score one person at a time."""
        if not self.participants:
            return self
        new = copy.copy(self)
        new.participants, new.resolved = [], {}
        new.X, new.Pc, new.Pw = self.X[:0], self.Pc.tocsr()[:0], self.Pw[:0]
        new._index()
        return new

    def knows(self, record: PositionRecord) -> bool:
        """Whether the fitted spaces know every concept, the field and the region of a position: if not, it
        still ranks, but only a new fit lets the unknown parts count."""
        concepts = all(skill_key(s) in self.concepts.col for s in (*record.required, *record.nice) if skill_key(s))
        return concepts and record.field_id in self.builder.field_col and \
            (not record.region or record.region in self.builder.region_col)

    def _record_rows(self, records: Sequence[ParticipantRecord]):
        x = self.builder.participants(records)
        held = self.concepts.participant_matrix(records, {**self.resolved, **self._resolve(records)})
        return x, self._participant_concepts(held), self._participant_words(records)

    def score_record(self, record: ParticipantRecord) -> np.ndarray:
        """One participant's full score against every position of the model (the participant need not be
        in it; excluded or too weak pairs are -inf), in the order of ``position_ids``."""
        return self.record_scores(record)[0]

    def skill_scores_record(self, record: ParticipantRecord) -> np.ndarray:
        """The skills component (0..1) of one participant against every position of the model."""
        return self.record_scores(record)[1]

    def record_scores(self, record: ParticipantRecord) -> tuple[np.ndarray, np.ndarray]:
        """``score_record`` and ``skill_scores_record`` of one participant from one embedding of the record."""
        if not len(self.positions):
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.float32)
        x, pc, pw = self._record_rows([record])
        full = self._finish(self._pair_scores(x, pc, self._wished_fields([record]), pw)[0])
        cfg, lay = self.config, self.builder.layout
        text = x[0, lay.skills_text] @ self.Y[:, lay.skills_text].T / max(cfg.weights.skills, 1e-9)
        coverage = (pc @ self.Qc.T).toarray().ravel() * cfg.concept_share
        similarity = (pw @ self.Qw.T).toarray().ravel() * cfg.word_share
        return full, (text + coverage + similarity).astype(np.float32)

    def skill_scores(self, participant_id: int) -> np.ndarray:
        """The skills component (0..1) of a participant of the model against every position."""
        return self.skill_scores_record(self._participant(participant_id))

    def position_fields(self) -> np.ndarray:
        return np.array([q.field_id for q in self.positions], dtype=np.int64)

    def text_similarity(self, a: str, b: str) -> float:
        """Similarity of two short texts in the model's text space (used for explanations and tests)."""
        ea, eb = self.text.embed([normalise(a), normalise(b)])
        return float(ea @ eb)

