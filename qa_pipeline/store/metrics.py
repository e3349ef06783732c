"""The ``call_metrics`` table: one row per call, written in bulk (one DELETE and one INSERT per batch).

``inputs_digest`` (migration 024) is a digest of what a row was computed from — the call's stored utterances,
labels, duration and channel, and :data:`~qa_pipeline.metrics.METRICS_VERSION` — and of the row itself.  A
rescore sets it after it writes (or finds unchanged) the metrics it computed (:func:`set_inputs_digests`; the
nightly run leaves it NULL: per call it would cost a scan of the utterances), and reuses the stored metrics
of a call whose digest, computed again from what is stored now, still matches (:func:`current_metrics`): a
new label, a changed transcript, a row edited by hand or a new metrics version all make it differ, and the
metrics are computed again.  DuckDB computes the digests (``hash``), without Python in the loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.metrics import METRICS_VERSION, CallMetrics
from qa_pipeline.store.codec import dumps, loads
from qa_pipeline.store.db import utcnow


def write_metrics(con: duckdb.DuckDBPyConnection, call_id: str, metrics: CallMetrics) -> None:
    """Insert or replace the ``call_metrics`` row of one call."""
    if metrics.call_id != call_id:
        raise ValueError(f"metrics of call {metrics.call_id!r} passed for call {call_id!r}")
    write_metrics_many(con, [metrics])


def write_metrics_many(con: duckdb.DuckDBPyConnection, metrics: Sequence[CallMetrics]) -> int:
    """Insert or replace the ``call_metrics`` rows of these calls (one statement per table)."""
    if not metrics:
        return 0
    ids = [m.call_id for m in metrics]
    with keep_rollups(con, ids):
        write_metrics_rows(con, [metrics_row(m) for m in metrics])
    return len(ids)


_COLUMNS = (
    "handle_time_s",
    "agent_talk_s",
    "customer_talk_s",
    "agent_talk_ratio",
    "non_talk_s",
    "longest_silence_s",
    "overtalk_s",
    "agent_interruptions",
    "customer_interruptions",
    "agent_wpm",
    "first_agent_response_s",
    "hold_s",
    "customer_sentiment_start",
    "customer_sentiment_end",
)


def metrics_row(m: CallMetrics) -> tuple[Any, ...]:
    """The ``call_metrics`` values of one call, ``call_id`` first and the JSON text last (without ``computed_at``)."""
    return (m.call_id, *(getattr(m, c) for c in _COLUMNS), dumps(m.to_dict()))


def stored_metrics_rows(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
    """``call_id -> row`` as :func:`metrics_row` gives it, of the rows stored now."""
    if not call_ids:
        return {}
    rows = con.execute(
        f"SELECT call_id, {', '.join(_COLUMNS)}, metrics FROM call_metrics"
        " WHERE call_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(call_ids)],
    ).fetchall()
    return {r[0]: tuple(r) for r in rows}


def touch_metrics(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> None:
    """Rows a rescore computed again and found unchanged: set ``computed_at``."""
    if call_ids:
        con.execute(
            "UPDATE call_metrics SET computed_at = ? WHERE call_id IN (SELECT unnest(?::VARCHAR[]))",
            [utcnow(), list(call_ids)],
        )


def write_metrics_rows(con: duckdb.DuckDBPyConnection, rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert or replace ``call_metrics`` rows made by :func:`metrics_row` (the caller keeps the roll-ups)."""
    if not rows:
        return 0
    ids = [r[0] for r in rows]
    con.execute("DELETE FROM call_metrics WHERE call_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    cols = [list(c) for c in zip(*rows)]
    con.execute(
        """INSERT INTO call_metrics (call_id, handle_time_s, agent_talk_s, customer_talk_s, agent_talk_ratio,
               non_talk_s, longest_silence_s, overtalk_s, agent_interruptions, customer_interruptions, agent_wpm,
               first_agent_response_s, hold_s, customer_sentiment_start, customer_sentiment_end, metrics, computed_at)
           SELECT unnest(?::VARCHAR[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::INTEGER[]), unnest(?::INTEGER[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::VARCHAR[])::JSON, ?""",
        cols + [utcnow()],
    )
    return len(rows)


# Per call of $ids with a call_metrics row: the digest of its stored inputs and row (each utterance and label row
# hashed on its own, with its idx, and combined with XOR: no list is built), the digest stored, the metrics JSON
_DIGESTS = f"""
SELECT c.call_id,
       hash($version, c.duration_s, c.channel, u.h, l.h, {", ".join(f"m.{c}" for c in _COLUMNS)}, m.metrics::VARCHAR)
           AS digest,
       m.inputs_digest AS stored,
       m.metrics AS metrics
FROM (SELECT call_id, duration_s, channel FROM calls WHERE call_id IN (SELECT unnest($ids::VARCHAR[]))) c
JOIN call_metrics m ON m.call_id = c.call_id
LEFT JOIN (SELECT call_id,
                  bit_xor(hash(idx, speaker, start_s, end_s, text, asr_confidence, channel, timed_words, speech_s)) AS h
           FROM utterances WHERE call_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY call_id) u
       ON u.call_id = c.call_id
LEFT JOIN (SELECT call_id, bit_xor(hash(idx, sentiment, sentiment_score, detected)) AS h
           FROM utterance_labels WHERE call_id IN (SELECT unnest($ids::VARCHAR[])) GROUP BY call_id) l
       ON l.call_id = c.call_id
"""


def set_inputs_digests(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> None:
    """Record, for these calls' ``call_metrics`` rows, the digest of what they were computed from: call after
    writing the rows, with the calls' utterances and labels as the metrics saw them."""
    if call_ids:
        con.execute(
            f"UPDATE call_metrics SET inputs_digest = d.digest FROM ({_DIGESTS}) d WHERE call_metrics.call_id = d.call_id",
            {"version": METRICS_VERSION, "ids": list(call_ids)},
        )


def current_metrics(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> dict[str, CallMetrics]:
    """The stored metrics of those of these calls whose utterances, labels, row and metrics version are what
    they were computed from (``call_id -> metrics``); the others' metrics have to be computed again."""
    if not call_ids:
        return {}
    rows = con.execute(
        f"SELECT call_id, metrics FROM ({_DIGESTS}) WHERE stored = digest",
        {"version": METRICS_VERSION, "ids": list(call_ids)},
    ).fetchall()
    return {call_id: CallMetrics.from_dict(loads(text)) for call_id, text in rows}
