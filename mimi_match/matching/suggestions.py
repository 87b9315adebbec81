"""Which pairs are suggested: every participant's k best positions and every position's k best participants.

``SuggestionTables`` holds both lists for a model and keeps them exact when records change, without
scoring every pair again: a changed participant's row and a changed position's column are scored anew;
a list that held a changed or removed record is recomputed; elsewhere a changed record only enters the
lists whose k-th score it reaches. The result equals ``MatchModel.top_k_all`` on the same model (ties
broken by id), which a test checks after random changes.

A pair is suggested when it is in either list. Pairs somebody acted on are excluded: ``excluded`` gives
them for the participants and positions whose lists are recomputed.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .model import MatchModel
from .topk import block_top_k, merge_top_k

Excluded = Callable[[set[int], set[int]], Iterable[tuple[int, int]]]
ROW_BLOCK = 1024
COL_BLOCK = 64


def _nothing_excluded(_participants: set[int], _positions: set[int]) -> Iterable[tuple[int, int]]:
    return ()


@dataclass
class Touched:
    """What changed in the lists: participants and positions whose suggestions must be written again."""

    participants: set[int]
    positions: set[int]
    removed_participants: set[int]
    removed_positions: set[int]


class SuggestionTables:
    def __init__(self, k: int, participant_ids: np.ndarray, rows: np.ndarray, row_scores: np.ndarray,
                 position_ids: np.ndarray, cols: np.ndarray, col_scores: np.ndarray):
        self.k = k
        self.participant_ids, self.rows, self.row_scores = participant_ids, rows, row_scores
        self.position_ids, self.cols, self.col_scores = position_ids, cols, col_scores
        self._reindex()

    @classmethod
    def build(cls, model: MatchModel, k: int, exclude: Iterable[tuple[int, int]] = (),
              progress: Callable[[int], None] | None = None) -> SuggestionTables:
        top = model.top_k_all(k, exclude=exclude, progress=progress)
        cols = top.participants.copy()
        col_scores = np.where(cols >= 0, top.participant_scores, -np.inf).astype(np.float32)
        return cls(k, top.participant_ids.copy(), top.positions.copy(), top.position_scores.copy(),
                   top.position_ids.copy(), cols, col_scores)

    def copy(self) -> SuggestionTables:
        """An independent copy (changes are made on a copy and kept once they are written)."""
        return SuggestionTables(self.k, self.participant_ids.copy(), self.rows.copy(), self.row_scores.copy(),
                                self.position_ids.copy(), self.cols.copy(), self.col_scores.copy())

    def _reindex(self) -> None:
        self._p_index = {int(p): i for i, p in enumerate(self.participant_ids)}
        self._q_index = {int(q): i for i, q in enumerate(self.position_ids)}

    # --- questions ---------------------------------------------------------------------------------
    def is_suggested(self, participant_id: int, position_id: int) -> bool:
        row, col = self._p_index.get(participant_id), self._q_index.get(position_id)
        return bool((row is not None and (self.rows[row] == position_id).any())
                    or (col is not None and (self.cols[col] == participant_id).any()))

    def pairs(self, participants: Iterable[int] = (), positions: Iterable[int] = ()) -> dict[tuple[int, int], float]:
        """Every suggested pair (with its score) that involves one of these participants or positions."""
        out: dict[tuple[int, int], float] = {}
        p_set, q_set = set(participants), set(positions)
        for p in p_set:
            row = self._p_index.get(p)
            if row is not None:
                for q, s in zip(self.rows[row], self.row_scores[row], strict=True):
                    if q >= 0:
                        out[(p, int(q))] = float(s)
        for q in q_set:
            col = self._q_index.get(q)
            if col is not None:
                for p, s in zip(self.cols[col], self.col_scores[col], strict=True):
                    if p >= 0:
                        out[(int(p), q)] = float(s)
        if p_set:  # positions whose list holds one of the participants
            cols, slots = np.nonzero(np.isin(self.cols, np.fromiter(p_set, dtype=np.int64)))
            for c, j in zip(cols, slots, strict=True):
                out[(int(self.cols[c, j]), int(self.position_ids[c]))] = float(self.col_scores[c, j])
        if q_set:  # participants whose list holds one of the positions
            rows, slots = np.nonzero(np.isin(self.rows, np.fromiter(q_set, dtype=np.int64)))
            for r, j in zip(rows, slots, strict=True):
                out[(int(self.participant_ids[r]), int(self.rows[r, j]))] = float(self.row_scores[r, j])
        return out

    def by_participant(self, batch: int = 1000) -> Iterator[tuple[list[int], dict[tuple[int, int], float]]]:
        """All suggested pairs, participant by participant in batches (for writing everything)."""
        member, slot = np.nonzero(self.cols >= 0)
        owners = self.cols[member, slot]
        order = np.argsort(owners, kind="stable")
        owners, member, slot = owners[order], member[order], slot[order]
        ids = [int(p) for p in self.participant_ids]
        extra = sorted(set(int(p) for p in np.unique(owners)) - set(ids))  # not expected; kept exact anyway
        everyone = sorted(ids + extra)
        for start in range(0, len(everyone), batch):
            chunk = everyone[start:start + batch]
            out: dict[tuple[int, int], float] = {}
            for p in chunk:
                row = self._p_index.get(p)
                if row is not None:
                    for q, s in zip(self.rows[row], self.row_scores[row], strict=True):
                        if q >= 0:
                            out[(p, int(q))] = float(s)
            lo = int(np.searchsorted(owners, chunk[0], side="left"))
            hi = int(np.searchsorted(owners, chunk[-1], side="right"))
            for i in range(lo, hi):
                out[(int(owners[i]), int(self.position_ids[member[i]]))] = float(self.col_scores[member[i], slot[i]])
            yield chunk, out

    def count(self) -> int:
        """How many distinct pairs are suggested."""
        r, j = np.nonzero(self.rows >= 0)
        pairs = set(zip(self.participant_ids[r].tolist(), self.rows[r, j].tolist(), strict=True))
        c, j = np.nonzero(self.cols >= 0)
        pairs.update(zip(self.cols[c, j].tolist(), self.position_ids[c].tolist(), strict=True))
        return len(pairs)

    # --- keeping the lists exact ---------------------------------------------------------------------
    def update(self, model: MatchModel, participants: Iterable[int] = (), positions: Iterable[int] = (),
               pairs: Iterable[tuple[int, int]] = (), excluded: Excluded = _nothing_excluded) -> Touched:
        """Bring the lists to ``model`` after these participants and positions changed (or went) and these
        pairs were acted on; ``excluded(participants, positions)`` names the pairs acted on so far."""
        pairs = list(pairs)
        changed_p = {int(p) for p in participants} | {p for p, _ in pairs}
        changed_q = {int(q) for q in positions} | {q for _, q in pairs}
        self._align(model)
        k = self.k
        in_model_p = changed_p & set(model.participant_row)
        in_model_q = changed_q & set(model.position_row)
        # lists that held a changed or vanished record are computed again
        stale_q = np.fromiter(changed_q, dtype=np.int64) if changed_q else np.zeros(0, dtype=np.int64)
        stale_p = np.fromiter(changed_p, dtype=np.int64) if changed_p else np.zeros(0, dtype=np.int64)
        row_redo = np.isin(self.rows, stale_q).any(axis=1) | \
            ((self.rows >= 0) & ~np.isin(self.rows, model.position_ids)).any(axis=1)
        col_redo = np.isin(self.cols, stale_p).any(axis=1) | \
            ((self.cols >= 0) & ~np.isin(self.cols, model.participant_ids)).any(axis=1)
        for p in in_model_p:
            row_redo[model.participant_row[p]] = True
        for q in in_model_q:
            col_redo[model.position_row[q]] = True
        redo_p = {int(p) for p in self.participant_ids[row_redo]}
        redo_q = {int(q) for q in self.position_ids[col_redo]}
        by_row: dict[int, list[int]] = {}
        by_col: dict[int, list[int]] = {}
        for p, q in excluded(redo_p, redo_q) if (redo_p or redo_q) else ():
            row, col = model.participant_row.get(p), model.position_row.get(q)
            if row is not None and col is not None:
                if row_redo[row]:
                    by_row.setdefault(row, []).append(col)
                if col_redo[col]:
                    by_col.setdefault(col, []).append(row)

        col_kth = self.col_scores[:, k - 1].copy() if k else np.zeros(len(self.position_ids))
        row_kth = self.row_scores[:, k - 1].copy() if k else np.zeros(len(self.participant_ids))
        into_cols: dict[int, list[tuple[int, float]]] = {}  # col -> [(participant id, score)]
        into_rows: dict[int, list[tuple[int, float]]] = {}  # row -> [(position id, score)]
        floor = model.config.min_score

        if not len(model.position_ids) or not len(model.participant_ids):  # one side is empty: no list holds anything
            self.rows[:], self.row_scores[:] = -1, -np.inf
            self.cols[:], self.col_scores[:] = -1, -np.inf
            row_redo[:], col_redo[:] = False, False
        rows = np.nonzero(row_redo)[0]
        for start in range(0, len(rows), ROW_BLOCK):
            block = rows[start:start + ROW_BLOCK]
            scores = model._scores(block)
            for i, row in enumerate(block):
                cols = by_row.get(int(row))
                if cols:
                    scores[i, cols] = -np.inf
            (idx, val), _ = block_top_k(scores, k, floor)
            self.rows[block] = np.where(idx >= 0, model.position_ids[np.maximum(idx, 0)], -1)
            self.row_scores[block] = val
            for i, row in enumerate(block):  # a changed participant may enter other positions' lists
                p = int(model.participant_ids[row])
                if p in in_model_p:
                    s = scores[i]
                    for col in np.nonzero((s >= np.maximum(col_kth, floor)) & ~col_redo)[0]:
                        into_cols.setdefault(int(col), []).append((p, float(s[col])))

        cols = np.nonzero(col_redo)[0]
        for start in range(0, len(cols), COL_BLOCK):
            block = cols[start:start + COL_BLOCK]
            scores = np.ascontiguousarray(model._scores(slice(None), block).T)
            for i, col in enumerate(block):
                members = by_col.get(int(col))
                if members:
                    scores[i, members] = -np.inf
            (idx, val), _ = block_top_k(scores, k, floor)
            self.cols[block] = np.where(idx >= 0, model.participant_ids[np.maximum(idx, 0)], -1)
            self.col_scores[block] = val
            for i, col in enumerate(block):  # a changed position may enter other participants' lists
                q = int(model.position_ids[col])
                if q in in_model_q:
                    s = scores[i]
                    for row in np.nonzero((s >= np.maximum(row_kth, floor)) & ~row_redo)[0]:
                        into_rows.setdefault(int(row), []).append((q, float(s[row])))

        for col, entries in into_cols.items():
            self.cols[col], self.col_scores[col] = self._merge(self.cols[col], self.col_scores[col], entries)
        for row, entries in into_rows.items():
            self.rows[row], self.row_scores[row] = self._merge(self.rows[row], self.row_scores[row], entries)
        touched_p = redo_p | {int(model.participant_ids[r]) for r in into_rows}
        touched_q = redo_q | {int(model.position_ids[c]) for c in into_cols}
        return Touched(touched_p, touched_q, changed_p - set(model.participant_row),
                       changed_q - set(model.position_row))

    def _merge(self, members: np.ndarray, values: np.ndarray, entries: list[tuple[int, float]]):
        new_members = np.array([[m for m, _ in entries]], dtype=np.int64)
        new_values = np.array([[v for _, v in entries]], dtype=np.float32)
        merged, scores = merge_top_k(members[None, :], values[None, :], new_members, new_values, self.k)
        return merged[0], scores[0]

    def _align(self, model: MatchModel) -> None:
        """Rows and columns in the model's order: new records get empty lists, vanished ones lose theirs."""
        k = self.k
        if not np.array_equal(self.participant_ids, model.participant_ids):
            rows = np.full((len(model.participant_ids), k), -1, dtype=np.int64)
            scores = np.full((len(model.participant_ids), k), -np.inf, dtype=np.float32)
            for new, p in enumerate(model.participant_ids):
                old = self._p_index.get(int(p))
                if old is not None:
                    rows[new], scores[new] = self.rows[old], self.row_scores[old]
            self.participant_ids, self.rows, self.row_scores = model.participant_ids.copy(), rows, scores
        if not np.array_equal(self.position_ids, model.position_ids):
            cols = np.full((len(model.position_ids), k), -1, dtype=np.int64)
            scores = np.full((len(model.position_ids), k), -np.inf, dtype=np.float32)
            for new, q in enumerate(model.position_ids):
                old = self._q_index.get(int(q))
                if old is not None:
                    cols[new], scores[new] = self.cols[old], self.col_scores[old]
            self.position_ids, self.cols, self.col_scores = model.position_ids.copy(), cols, scores
        self._reindex()
