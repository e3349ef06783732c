"""Reads and writes of ``utterance_labels`` (migration 002), and which calls need (re-)classifying.

Each function takes an open connection; callers follow the store's
discipline (open → one short transaction → close), e.g.::

    with connect(db) as con, transaction(con):
        write_labels(con, call_id, results, classifier.version)
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb

from qa_pipeline.classify.result import LABELS, SENTIMENTS, UtteranceLabels
from qa_pipeline.errors import StoreError
from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.store.db import utcnow


def write_labels(
    con: duckdb.DuckDBPyConnection,
    call_id: str,
    labels: Sequence[UtteranceLabels],
    model_version: str,
) -> int:
    """Replace the call's stored labels with ``labels``; returns the rows written.

    Every ``idx`` must be an utterance of the call (so labels never outlive
    their utterance); run inside the caller's transaction.
    """
    if not model_version:
        raise StoreError(f"call {call_id}: model_version is empty; pass Classifier.version")
    known = {row[0] for row in con.execute("SELECT idx FROM utterances WHERE call_id = ?", [call_id]).fetchall()}
    wrong = sorted({lab.idx for lab in labels} - known)
    if wrong:
        raise StoreError(
            f"call {call_id}: labels for utterance idx {wrong[:5]} but the call has {len(known)} stored utterances; "
            "store the utterances first and classify the stored conversation"
        )
    now = utcnow()
    rows = []
    for lab in labels:
        if lab.sentiment not in SENTIMENTS:
            raise StoreError(f"call {call_id} idx {lab.idx}: sentiment {lab.sentiment!r} is not one of {SENTIMENTS}")
        rows.append(
            [
                call_id,
                lab.idx,
                model_version,
                lab.sentiment,
                float(lab.sentiment_score),
                json.dumps({k: float(v) for k, v in lab.labels.items()}, sort_keys=True),
                list(lab.detected),
                now,
            ]
        )
    with keep_rollups(con, [call_id]):  # escalation requests are a KPI
        con.execute("DELETE FROM utterance_labels WHERE call_id = ?", [call_id])
        if rows:
            con.executemany("INSERT INTO utterance_labels VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def read_labels(con: duckdb.DuckDBPyConnection, call_id: str) -> tuple[UtteranceLabels, ...]:
    """The call's stored labels in utterance order (empty when not classified yet)."""
    rows = con.execute(
        "SELECT idx, sentiment, sentiment_score, label_scores, detected FROM utterance_labels WHERE call_id = ? ORDER BY idx",
        [call_id],
    ).fetchall()
    out = []
    for idx, sentiment, score, scores_json, detected in rows:
        scores = json.loads(scores_json) if isinstance(scores_json, str) else dict(scores_json)
        ordered = {name: float(scores[name]) for name in LABELS if name in scores}
        ordered.update({k: float(v) for k, v in scores.items() if k not in ordered})
        out.append(
            UtteranceLabels(
                idx=int(idx),
                sentiment=sentiment,
                sentiment_score=float(score),
                labels=ordered,
                detected=tuple(detected or ()),
            )
        )
    return tuple(out)


def read_model_versions(con: duckdb.DuckDBPyConnection, call_id: str) -> set[str]:
    rows = con.execute("SELECT DISTINCT model_version FROM utterance_labels WHERE call_id = ?", [call_id]).fetchall()
    return {r[0] for r in rows}


def calls_to_classify(con: duckdb.DuckDBPyConnection, model_version: str | None) -> list[str]:
    """Calls with utterances whose labels are missing or (``model_version`` given) from another version.

    ``model_version=None`` lists every call that has utterances.
    """
    if model_version is None:
        rows = con.execute("SELECT DISTINCT call_id FROM utterances ORDER BY call_id").fetchall()
        return [r[0] for r in rows]
    rows = con.execute(
        """
        SELECT DISTINCT u.call_id
        FROM utterances u
        LEFT JOIN utterance_labels l ON l.call_id = u.call_id AND l.idx = u.idx
        WHERE l.call_id IS NULL OR l.model_version <> ?
        ORDER BY u.call_id
        """,
        [model_version],
    ).fetchall()
    return [r[0] for r in rows]
