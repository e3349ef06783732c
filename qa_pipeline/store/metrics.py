"""The ``call_metrics`` table: one row per call, written in bulk (one DELETE and one INSERT per batch)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.metrics import CallMetrics
from qa_pipeline.store.codec import dumps
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
        _write_metrics(con, ids, metrics)
    return len(ids)


def _write_metrics(con: duckdb.DuckDBPyConnection, ids: list[str], metrics: Sequence[CallMetrics]) -> None:
    con.execute("DELETE FROM call_metrics WHERE call_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    now = utcnow()
    cols = [
        ids,
        [m.handle_time_s for m in metrics],
        [m.agent_talk_s for m in metrics],
        [m.customer_talk_s for m in metrics],
        [m.agent_talk_ratio for m in metrics],
        [m.non_talk_s for m in metrics],
        [m.longest_silence_s for m in metrics],
        [m.overtalk_s for m in metrics],
        [m.agent_interruptions for m in metrics],
        [m.customer_interruptions for m in metrics],
        [m.agent_wpm for m in metrics],
        [m.first_agent_response_s for m in metrics],
        [m.hold_s for m in metrics],
        [m.customer_sentiment_start for m in metrics],
        [m.customer_sentiment_end for m in metrics],
        [dumps(m.to_dict()) for m in metrics],
    ]
    con.execute(
        """INSERT INTO call_metrics (call_id, handle_time_s, agent_talk_s, customer_talk_s, agent_talk_ratio,
               non_talk_s, longest_silence_s, overtalk_s, agent_interruptions, customer_interruptions, agent_wpm,
               first_agent_response_s, hold_s, customer_sentiment_start, customer_sentiment_end, metrics, computed_at)
           SELECT unnest(?::VARCHAR[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::INTEGER[]), unnest(?::INTEGER[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::VARCHAR[])::JSON, ?""",
        cols + [now],
    )
