"""Writing one analysed call — every table — in a single transaction.

A call's rows land together or not at all: the call, its (redacted)
utterances, redaction spans, labels, metrics, scores and flags.
"""

from __future__ import annotations

from typing import Sequence

import duckdb

from qa_pipeline.analysis import CallAnalysis
from qa_pipeline.errors import NotFoundError
from qa_pipeline.ingest import Problem
from qa_pipeline.store.calls import (
    finish_run,
    read_conversation,
    record_failure,
    set_call_status,
    start_run,
    write_call,
)
from qa_pipeline.store.db import transaction

__all__ = ["call_statuses", "finish_run", "load_analysis", "record_failures", "start_run", "write_analysis"]


def call_statuses(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> dict[str, str]:
    if not call_ids:
        return {}
    rows = con.execute("SELECT call_id, status FROM calls WHERE call_id IN (SELECT unnest(?))", [list(call_ids)]).fetchall()
    return dict(rows)


def load_analysis(con: duckdb.DuckDBPyConnection, call_id: str) -> CallAnalysis:
    """A stored (already redacted) transcript, ready for classification."""
    conversation = read_conversation(con, call_id)
    if conversation is None:
        raise NotFoundError(f"call {call_id} is not in the database")
    return CallAnalysis(record=None, conversation=conversation, redacted=True)


def write_analysis(con: duckdb.DuckDBPyConnection, analysis: CallAnalysis, *, run_id: str | None, status: str = "complete") -> None:
    with transaction(con):
        if analysis.record is not None:
            write_call(con, analysis.record, analysis.conversation, run_id=run_id, status=status)
            if analysis.redacted:
                from qa_pipeline.store.redactions import write_redactions

                write_redactions(con, analysis.call_id, analysis.redaction_spans)
        else:
            set_call_status(con, analysis.call_id, status)
        if analysis.labels:
            from qa_pipeline.store.labels import write_labels

            write_labels(con, analysis.call_id, analysis.labels, analysis.classifier_version or "unknown")
        if analysis.metrics is not None:
            from qa_pipeline.store.scores import write_flags, write_metrics, write_score

            write_metrics(con, analysis.call_id, analysis.metrics)
            for score in analysis.scores:
                write_score(con, analysis.call_id, score)
            write_flags(con, analysis.call_id, analysis.flags)


def record_failures(con: duckdb.DuckDBPyConnection, run_id: str, failures: Sequence[tuple[Problem, str | None]]) -> None:
    with transaction(con):
        for problem, call_id in failures:
            record_failure(con, run_id, problem, call_id)
