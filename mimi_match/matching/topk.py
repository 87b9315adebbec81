"""Exact top-k of a score block in both directions without sorting whole rows or columns.

The k best entries of a row are all at least the k-th largest of its chunk maxima (k chunks each hold
an entry that large), so one comparison pass picks a handful of candidates per row; the same holds
down the columns. Entries below ``floor`` are never results, which also bounds the candidates.
"""
from __future__ import annotations

import numpy as np

CHUNK = 64


def _kth_chunk_max(scores: np.ndarray, k: int, axis: int, floor: float) -> np.ndarray:
    length = scores.shape[axis]
    full = length // CHUNK
    parts = []
    if full:
        if axis == 1:
            parts.append(scores[:, : full * CHUNK].reshape(scores.shape[0], full, CHUNK).max(axis=2))
        else:
            parts.append(scores[: full * CHUNK].reshape(full, CHUNK, scores.shape[1]).max(axis=1).T)
    if length % CHUNK:
        rest = scores[:, full * CHUNK:] if axis == 1 else scores[full * CHUNK:].T
        parts.append(rest.max(axis=1)[:, None])
    maxima = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
    n = maxima.shape[1]
    if n < k:  # fewer chunks than k: no bound from the maxima, every entry above the floor counts
        kth = np.full(maxima.shape[0], -np.inf, dtype=np.float32)
    else:
        kth = np.partition(maxima, n - k, axis=1)[:, n - k]
    return np.maximum(kth, floor)


def _group_top_k(groups: np.ndarray, members: np.ndarray, values: np.ndarray, n_groups: int, k: int):
    """From (group, member, value) candidates, the k best members per group (ties: lower member first)."""
    out_members = np.full((n_groups, k), -1, dtype=np.int64)
    out_values = np.full((n_groups, k), -np.inf, dtype=np.float32)
    if len(groups) == 0:
        return out_members, out_values
    order = np.lexsort((members, -values, groups))
    groups, members, values = groups[order], members[order], values[order]
    starts = np.searchsorted(groups, np.arange(n_groups))
    rank = np.arange(len(groups)) - starts[groups]
    keep = rank < k
    out_members[groups[keep], rank[keep]] = members[keep]
    out_values[groups[keep], rank[keep]] = values[keep]
    return out_members, out_values


def block_top_k(scores: np.ndarray, k: int, floor: float):
    """((row_members, row_values), (col_members, col_values)) — the best k per row and per column,
    best first, only entries >= floor (the rest are -1 / -inf)."""
    rows, cols = scores.shape
    row_kth = _kth_chunk_max(scores, k, axis=1, floor=floor)
    col_kth = _kth_chunk_max(scores, k, axis=0, floor=floor)
    # one pass for both directions: an entry is a candidate for its row, its column, or both
    mask = scores >= row_kth[:, None]
    mask |= scores >= col_kth[None, :]
    r, c = np.nonzero(mask)
    values = scores[r, c]
    for_row = values >= row_kth[r]
    for_col = values >= col_kth[c]
    by_row = _group_top_k(r[for_row], c[for_row], values[for_row], rows, k)
    by_col = _group_top_k(c[for_col], r[for_col], values[for_col], cols, k)
    return by_row, by_col


def merge_top_k(best_members: np.ndarray, best_values: np.ndarray, new_members: np.ndarray,
                new_values: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge two (N, k) top-k tables into one (ties: lower member first)."""
    members = np.concatenate([best_members, new_members], axis=1)
    values = np.concatenate([best_values, new_values], axis=1)
    order = np.lexsort((np.where(members < 0, np.iinfo(np.int64).max, members), -values), axis=1)[:, :k]
    return np.take_along_axis(members, order, axis=1), np.take_along_axis(values, order, axis=1)
