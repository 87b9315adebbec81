"""The matching model: fit on current positions and participants, rank in both directions, explain a pair.

Public API (plain records in, arrays and dataclasses out):

    model = MatchModel(config).fit(participants, positions, concept_labels)
    model.rank_positions(participant_id, k)      -> list[Ranked]
    model.rank_participants(position_id, k)      -> list[Ranked]
    model.top_k_all(k)                           -> TopK (both directions, one pass)
    model.explain(participant_id, position_id)   -> Explanation (the same numbers that scored the pair)
    model.update_participant(record) / remove_participant(id) / update_position(record) / remove_position(id)

A score is the weighted sum of six components in [0, 1]: skills (concepts held vs. needed, plus text
similarity of skills and experience to the position), wish (rank of the position's field among the
participant's wishes, plus the wish text vs. the title), language (CEFR gap), location, availability
and kind. Hard rules exclude a pair: a language gap of more than one level (one level is bridgeable for
micro-internships only), closed positions, participants without consent, and pairs given as excluded.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
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
    ConceptResolver,
    ConceptSpace,
    FeatureBuilder,
    TextSpace,
    participant_skill_text,
    position_skill_text,
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

    def as_dict(self) -> dict:
        return {
            "score": round(self.score, 4), "excluded": self.excluded, "reason": self.reason,
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "contributions": {k: round(v, 4) for k, v in self.contributions.items()},
            "matched_skills": [vars(m) for m in self.matched_skills],
            "missing_required": self.missing_required, "missing_nice": self.missing_nice,
            "language": {"needed": self.language_needed, "held": self.language_held, "gap": self.language_gap},
            "wish_rank": self.wish_rank, "model_version": self.model_version,
        }


class MatchModel:
    def __init__(self, config: MatchingConfig | None = None, *, host_language: str = "nb",
                 reference: date | None = None, version: str = ""):
        self.config = config or MatchingConfig()
        self.host_language = host_language
        self.reference = reference or date.today()
        self.version = version
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_lock", None)  # locks do not pickle; a loaded model gets a new one
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # --- fitting ---------------------------------------------------------------------------------
    def fit(self, participants: Sequence[ParticipantRecord], positions: Sequence[PositionRecord],
            concept_labels: Mapping[str, Sequence[str]] | None = None) -> MatchModel:
        """Learn the text space and concept index from these records, and build every matrix."""
        positions = [q for q in positions if q.is_open]
        participants = [p for p in participants if p.consent_matching]
        self.text = TextSpace(self.config.text_dimensions).fit(
            [position_skill_text(q) for q in positions] + [participant_skill_text(p) for p in participants])
        fields = sorted({q.field_id for q in positions} | {f for p in participants for f in p.desired_fields})
        regions = sorted({q.region for q in positions if q.region} | {p.region for p in participants if p.region})
        self.builder = FeatureBuilder(self.config, fields, regions, self.host_language, self.text, self.reference)
        self.concepts = ConceptSpace(positions, self.config)
        labels = {c: list(concept_labels.get(c, ())) for c in self.concepts.col} if concept_labels else {}
        self.resolver = ConceptResolver(labels, self.config.typo_similarity)
        self.participants = list(participants)
        self.positions = list(positions)
        self._rebuild()
        return self

    def _resolve(self, records: Sequence[ParticipantRecord]) -> dict[str, tuple[str | None, float]]:
        free = sorted({s.label for p in records for s in p.skills
                       if not (s.concept and s.concept in self.concepts.col)})
        return dict(zip(free, self.resolver.resolve(free), strict=True))

    def _rebuild(self) -> None:
        self.resolved = self._resolve(self.participants)
        self.X = self.builder.participants(self.participants)
        self.Y = self.builder.positions(self.positions)
        self.Pc = self.concepts.participant_matrix(self.participants, self.resolved)
        self.Qc = self._position_concepts(self.positions)
        self._index()

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
        self._Qc_by_position = self._Qc_scaled.tocsc()  # one position's column without scanning all
        self._Pc_csr = self._participant_concepts(self.Pc.tocsr())

    # --- scoring ---------------------------------------------------------------------------------
    def _scores(self, rows: slice | np.ndarray, cols: slice | np.ndarray | None = None) -> np.ndarray:
        """Full scores for participant rows x position columns (excluded pairs hold large negatives)."""
        x = self.X[rows]
        y = self.Y if cols is None else self.Y[cols]
        dense = x @ y.T
        pc = self._Pc_csr[rows]
        qc = self._Qc_scaled if cols is None else self._Qc_scaled[:, cols]
        coverage = pc @ qc
        if coverage.nnz:
            coverage = coverage.tocoo()
            dense[coverage.row, coverage.col] += coverage.data
        return dense

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
        dense = self.X @ self.Y[col]
        dense += self._Pc_csr @ self._Qc_by_position[:, col].toarray().ravel()
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

    def top_k_all(self, k: int = 10, exclude: Iterable[tuple[int, int]] | None = None, block: int = 2048,
                  workers: int = 2) -> TopK:
        """Top-k in both directions from one pass over all pairs, in blocks of participants."""
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
        best_p = np.where(col_rows >= 0, self.participant_ids[np.maximum(col_rows, 0)], -1)
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
        lay = self.builder.layout
        contributions = {name: float(sum(x[s] @ y[s] for s in slices)) for name, slices in lay.parts().items()}
        contributions["skills"] += w.skills * cfg.concept_share * coverage
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
        return Explanation(participant_id, position_id, score, reason is not None, reason, components,
                           contributions, matched, missing_required, missing_nice, position.level_needed, held,
                           language_gap, rank, self.version)

    def _skills_detail(self, participant: ParticipantRecord, position: PositionRecord):
        resolved = self.resolved
        if any(s.label not in resolved for s in participant.skills):
            resolved = {**resolved, **self._resolve([participant])}
        held: dict[str, tuple[str, bool, str]] = {}
        for skill in participant.skills:
            concept, similarity = self.concepts.concept_of(skill, resolved)
            if concept:
                via = "concept" if similarity >= 1.0 else "similar words"
                if concept not in held or (skill.confirmed and not held[concept][1]):
                    held[concept] = (skill.label, skill.confirmed, via)
        matched, missing_required, missing_nice = [], [], []
        for skills, required in ((position.required, True), (position.nice, False)):
            for skill in skills:
                if skill.concept and skill.concept in held:
                    label, confirmed, via = held[skill.concept]
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

    # --- keeping current without refitting ---------------------------------------------------------
    def update_participant(self, record: ParticipantRecord) -> None:
        """Add or replace one participant (a participant without consent is removed)."""
        with self._lock:
            self._drop(self.participant_row, self.participants, record.id, "participant")
            if not record.consent_matching:
                return
            self.participants.append(record)
            self.resolved.update(self._resolve([record]))
            self.X = np.vstack([self.X, self.builder.participants([record])])
            self.Pc = sparse.vstack([self.Pc, self.concepts.participant_matrix([record], self.resolved)]).tocsr()
            self._index()

    def remove_participant(self, participant_id: int) -> None:
        with self._lock:
            self._drop(self.participant_row, self.participants, participant_id, "participant")

    def knows_concepts_of(self, record: PositionRecord) -> bool:
        """Whether every skill concept the position asks for is in the fitted concept space."""
        return all(s.concept in self.concepts.col for s in (*record.required, *record.nice) if s.concept)

    def update_position(self, record: PositionRecord) -> None:
        """Add or replace one position (a closed position is removed). New concepts wait for a rebuild."""
        with self._lock:
            self._drop(self.position_row, self.positions, record.id, "position")
            if not record.is_open:
                return
            self.positions.append(record)
            self.Y = np.vstack([self.Y, self.builder.positions([record])])
            self.Qc = sparse.vstack([self.Qc, self._position_concepts([record])]).tocsr()
            self._index()

    def remove_position(self, position_id: int) -> None:
        with self._lock:
            self._drop(self.position_row, self.positions, position_id, "position")

    def _drop(self, index: dict[int, int], records: list, record_id: int, kind: str) -> None:
        row = index.get(record_id)
        if row is None:
            return
        del records[row]
        keep = np.ones(len(index), dtype=bool)
        keep[row] = False
        if kind == "participant":
            self.X = self.X[keep]
            self.Pc = self.Pc.tocsr()[keep]
        else:
            self.Y = self.Y[keep]
            self.Qc = self.Qc.tocsr()[keep]
        self._index()

    def skill_scores(self, participant_id: int) -> np.ndarray:
        """The skills component (0..1) of one participant against every position in the model."""
        row = self.participant_row[participant_id]
        cfg, lay = self.config, self.builder.layout
        text = self.X[row, lay.skills_text] @ self.Y[:, lay.skills_text].T / max(cfg.weights.skills, 1e-9)
        coverage = (self._Pc_csr[row] @ self.Qc.T).toarray().ravel() * cfg.concept_share
        return (text + coverage).astype(np.float32)

    def position_fields(self) -> np.ndarray:
        return np.array([q.field_id for q in self.positions], dtype=np.int64)

    def text_similarity(self, a: str, b: str) -> float:
        """Similarity of two short texts in the model's text space (used for explanations and tests)."""
        ea, eb = self.text.embed([normalise(a), normalise(b)])
        return float(ea @ eb)

