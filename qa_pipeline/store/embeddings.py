"""Stored utterance embeddings (``utterance_embeddings``, migration 020): int8-quantised, written with the labels.

A vector ``v`` (L2-normalised, 384 floats) is stored as ``q = round(v / s)`` in int8 with
``s = max|v| / 127``: 384 bytes plus one float, 1/4 of float32, and the cosine of two stored
vectors is kept to about 1e-3.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np

from qa_pipeline.store.db import utcnow

DIM = 384


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(int8 codes (n, 384), scales (n,))`` of float vectors (zero rows get scale 0)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, dtype=np.float32)
    scale = (peak / 127.0).astype(np.float32)
    safe = np.where(scale > 0, scale, 1.0)
    codes = np.clip(np.rint(vectors / safe[:, None]), -127, 127).astype(np.int8)
    return codes, scale


def dequantise(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    return codes.astype(np.float32) * scales[:, None]


def stored_vector(scale: float | None, vec: bytes | None) -> np.ndarray | None:
    """One stored row back as a float vector; None for a missing row (a LEFT JOIN's NULLs) or a foreign blob."""
    if scale is None or vec is None or len(vec) != DIM:
        return None
    return dequantise(np.frombuffer(vec, dtype=np.int8)[None, :], np.asarray([scale], dtype=np.float32))[0]


def write_embeddings(
    con: duckdb.DuckDBPyConnection, call_id: str, idxs: Sequence[int], vectors: np.ndarray, encoder: str
) -> int:
    """Replace the call's stored embeddings (run inside the caller's transaction); returns the rows written."""
    con.execute("DELETE FROM utterance_embeddings WHERE call_id = ?", [call_id])
    if len(idxs) == 0:
        return 0
    codes, scales = quantise(vectors)
    now = utcnow()
    rows = [
        [call_id, int(i), encoder, float(s), codes[k].tobytes(), now]
        for k, (i, s) in enumerate(zip(idxs, scales))
        if s > 0
    ]
    if rows:
        con.executemany("INSERT INTO utterance_embeddings VALUES (?, ?, ?, ?, ?, ?)", rows)
    return len(rows)
