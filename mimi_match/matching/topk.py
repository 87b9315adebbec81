"""Exact top-k per row without sorting whole rows: block maxima first, then only the winning blocks."""
from __future__ import annotations

import numpy as np

CHUNK = 64


def row_top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the k largest entries of each row, best first (ties by lower index).

    The k best entries of a row lie in the k chunks with the largest maxima, so only k * CHUNK
    candidates per row are partitioned instead of the whole row.
    """
    scores = np.ascontiguousarray(scores, dtype=np.float32)
    rows, cols = scores.shape
    k = min(k, cols)
    if k == 0:
        return np.zeros((rows, 0), dtype=np.int64), np.zeros((rows, 0), dtype=np.float32)
    n_chunks = -(-cols // CHUNK)
    if n_chunks <= k + 1:
        return _exact(scores, np.broadcast_to(np.arange(cols), scores.shape), k)
    padded = scores
    if cols % CHUNK:
        padded = np.full((rows, n_chunks * CHUNK), -np.inf, dtype=np.float32)
        padded[:, :cols] = scores
    chunked = padded.reshape(rows, n_chunks, CHUNK)
    maxima = chunked.max(axis=2)
    best_chunks = np.argpartition(-maxima, k - 1, axis=1)[:, :k]
    candidates = np.take_along_axis(chunked, best_chunks[:, :, None], axis=1).reshape(rows, k * CHUNK)
    columns = (best_chunks[:, :, None] * CHUNK + np.arange(CHUNK)).reshape(rows, k * CHUNK)
    return _exact(candidates, columns, k)


def column_top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Like ``row_top_k`` down the columns, without transposing the block: (columns, k) results."""
    rows, cols = scores.shape
    k = min(k, rows)
    if k == 0:
        return np.zeros((cols, 0), dtype=np.int64), np.zeros((cols, 0), dtype=np.float32)
    n_chunks = -(-rows // CHUNK)
    if n_chunks <= k + 1:
        return _exact(np.ascontiguousarray(scores.T), np.broadcast_to(np.arange(rows), (cols, rows)), k)
    padded = scores
    if rows % CHUNK:
        padded = np.full((n_chunks * CHUNK, cols), -np.inf, dtype=np.float32)
        padded[:rows] = scores
    chunked = padded.reshape(n_chunks, CHUNK, cols)
    maxima = chunked.max(axis=1)  # (n_chunks, cols)
    best_chunks = np.argpartition(-maxima, k - 1, axis=0)[:k]  # (k, cols)
    gathered = chunked[best_chunks, :, np.arange(cols)[None, :]]  # (k, cols, CHUNK)
    candidates = gathered.transpose(1, 0, 2).reshape(cols, k * CHUNK)
    positions = (best_chunks.T[:, :, None] * CHUNK + np.arange(CHUNK)).reshape(cols, k * CHUNK)
    return _exact(candidates, positions, k)


def _exact(values: np.ndarray, columns: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    part = np.argpartition(-values, k - 1, axis=1)[:, :k]
    top_values = np.take_along_axis(values, part, axis=1)
    top_columns = np.take_along_axis(columns, part, axis=1)
    order = np.lexsort((top_columns, -top_values), axis=1)
    ordered_columns = np.take_along_axis(top_columns, order, axis=1).astype(np.int64)
    return ordered_columns, np.take_along_axis(top_values, order, axis=1)


def merge_column_top_k(best_rows: np.ndarray, best_scores: np.ndarray, new_rows: np.ndarray,
                       new_scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge running per-column top-k with a block's candidates (both (N, k))."""
    rows = np.concatenate([best_rows, new_rows], axis=1)
    scores = np.concatenate([best_scores, new_scores], axis=1)
    return _exact(scores, rows, k)
