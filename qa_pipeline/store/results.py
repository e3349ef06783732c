"""Writing one analysed call — every table — in a single transaction.

A call's rows land together or not at all: the call, its (redacted)
utterances, redaction spans, labels, metrics, scores and flags.  The
transaction and the overrides' ``final_score`` are the caller's
(:func:`qa_pipeline.scorecard.overrides.store_analysis`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import duckdb

from qa_pipeline.errors import NotFoundError
from qa_pipeline.ingest import CallMetadata, Problem
from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.records import CallAnalysis
from qa_pipeline.redact.types import RedactedConversation
from qa_pipeline.store.calls import (
    finish_run,
    read_conversation,
    record_failure,
    set_call_status,
    start_run,
    write_call,
)
from qa_pipeline.store.db import transaction
from qa_pipeline.store.embeddings import write_embeddings
from qa_pipeline.store.flags import write_flags
from qa_pipeline.store.labels import write_labels
from qa_pipeline.store.metrics import write_metrics
from qa_pipeline.store.redactions import write_raw_utterances, write_redactions
from qa_pipeline.store.scores import write_scores

__all__ = ["call_statuses", "finish_run", "load_analysis", "record_failures", "start_run", "write_analysis_rows"]


def call_statuses(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> dict[str, str]:
    if not call_ids:
        return {}
    rows = con.execute(
        "SELECT call_id, status FROM calls WHERE call_id IN (SELECT unnest(?))", [list(call_ids)]
    ).fetchall()
    return dict(rows)


def load_analysis(con: duckdb.DuckDBPyConnection, call_id: str) -> CallAnalysis:
    """A stored (already redacted) transcript, ready for classification."""
    conversation = read_conversation(con, call_id)
    if conversation is None:
        raise NotFoundError(f"call {call_id} is not in the database")
    row = con.execute("SELECT queue, direction, manifest_extra FROM calls WHERE call_id = ?", [call_id]).fetchone()
    extra = json.loads(row[2]) if row and row[2] else {}
    meta = CallMetadata(queue=row[0], direction=row[1], extra=extra) if row else None
    return CallAnalysis(record=None, conversation=conversation, redacted=True, stored_metadata=meta)


def write_analysis_rows(
    con: duckdb.DuckDBPyConnection,
    analysis: CallAnalysis,
    *,
    run_id: str | None,
    status: str = "complete",
    final_scores: Mapping[tuple[str, str], float] | None = None,
) -> None:
    """Every row of one analysed call; the caller holds the transaction.

    ``final_scores`` are the scores with reviewers' overrides applied
    (:func:`qa_pipeline.scorecard.overrides.store_analysis` computes them);
    missing pairs get the automatic score.  The KPI roll-ups are updated once for the whole call.
    """
    ref = analysis.record.recording.metadata.customer_ref if analysis.record is not None else None
    with keep_rollups(con, [analysis.call_id], [ref]):
        _write_rows(con, analysis, run_id=run_id, status=status, final_scores=final_scores)


def _write_rows(
    con: duckdb.DuckDBPyConnection,
    analysis: CallAnalysis,
    *,
    run_id: str | None,
    status: str,
    final_scores: Mapping[tuple[str, str], float] | None,
) -> None:
    if analysis.record is not None:
        write_call(con, analysis.record, analysis.conversation, run_id=run_id, status=status)
        if analysis.redacted:
            write_redactions(con, analysis.call_id, analysis.redaction_spans)
        if analysis.raw_conversation is not None:  # keep_raw asked for it
            write_raw_utterances(
                con, RedactedConversation(analysis.conversation, analysis.redaction_spans, analysis.raw_conversation)
            )
    else:
        set_call_status(con, analysis.call_id, status)
        if run_id is not None:  # the run that finished it (an interrupted run's counters are rebuilt from this)
            con.execute("UPDATE calls SET run_id = ? WHERE call_id = ?", [run_id, analysis.call_id])
    if analysis.labels:
        write_labels(con, analysis.call_id, analysis.labels, analysis.classifier_version or "unknown")
        if analysis.embeddings is not None:
            write_embeddings(
                con,
                analysis.call_id,
                [u.idx for u in analysis.conversation.utterances],
                analysis.embeddings,
                analysis.classifier_version or "unknown",
            )
    if analysis.metrics is not None:
        write_metrics(con, analysis.call_id, analysis.metrics)
        write_scores(con, analysis.scores, final_scores)
        write_flags(con, analysis.call_id, analysis.flags)


def record_failures(
    con: duckdb.DuckDBPyConnection, run_id: str, failures: Sequence[tuple[Problem, str | None]]
) -> None:
    with transaction(con):
        for problem, call_id in failures:
            record_failure(con, run_id, problem, call_id)
