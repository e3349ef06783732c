"""Reads and writes of calls, utterances, runs and failures."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict

import duckdb

from qa_pipeline.conversation import Conversation, Utterance, Word
from qa_pipeline.ingest import CallMetadata, Problem
from qa_pipeline.kpi.fields import KPI_FIELDS
from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.records import CallRecord, RunSummary
from qa_pipeline.store.db import utcnow


def completed_call_ids(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str] | None = None) -> set[str]:
    """Calls whose every stage is stored (status ``complete``)."""
    if call_ids is not None and not call_ids:
        return set()
    if call_ids is None:
        rows = con.execute("SELECT call_id FROM calls WHERE status = 'complete'").fetchall()
    else:
        rows = con.execute(
            "SELECT call_id FROM calls WHERE status = 'complete' AND call_id IN (SELECT unnest(?))", [list(call_ids)]
        ).fetchall()
    return {r[0] for r in rows}


def write_call(
    con: duckdb.DuckDBPyConnection, record: CallRecord, conversation: Conversation, *, run_id: str | None, status: str
) -> None:
    """Insert or replace the call and its utterances (caller holds the transaction)."""
    meta = record.recording.metadata
    with keep_rollups(con, [conversation.call_id], [meta.customer_ref]):
        _write_call(con, record, conversation, run_id=run_id, status=status)
    if record.format == "transcript":  # a transcript file's own bad KPI values (a manifest's: at discovery)
        for reason in meta.kpi_problems:
            record_failure(
                con, run_id, Problem(str(record.recording.path), "manifest", "InputError", reason), conversation.call_id
            )


def _write_call(
    con: duckdb.DuckDBPyConnection, record: CallRecord, conversation: Conversation, *, run_id: str | None, status: str
) -> None:
    now = utcnow()
    meta = record.recording.metadata
    created = con.execute("SELECT created_at FROM calls WHERE call_id = ?", [conversation.call_id]).fetchone()
    con.execute("DELETE FROM utterances WHERE call_id = ?", [conversation.call_id])
    con.execute("DELETE FROM calls WHERE call_id = ?", [conversation.call_id])
    con.execute(
        """INSERT INTO calls (call_id, source_path, file_sha256, format, source_rate, channels, duration_s,
               agent_id, agent_name, queue, started_at, direction, customer_ref, attribution, agent_channel,
               asr_backend, asr_model, language, asr_confidence, status, run_id, created_at, updated_at, channel, external_id,
               manifest_extra)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            conversation.call_id,
            os.path.abspath(record.recording.path),
            record.recording.file_sha256,
            record.format,
            record.source_rate,
            record.channels,
            record.duration_s,
            meta.agent_id,
            meta.agent_name,
            meta.queue,
            meta.started_at,
            meta.direction,
            meta.customer_ref,
            record.attribution,
            record.agent_channel,
            record.asr_backend,
            record.asr_model,
            record.language,
            record.asr_confidence,
            status,
            run_id,
            created[0] if created else now,
            now,
            record.channel,
            meta.external_id,
            json.dumps(meta.extra, ensure_ascii=False, sort_keys=True) if getattr(meta, "extra", None) else None,
        ],
    )
    con.execute(
        "UPDATE calls SET agent_channel_method = ?, agent_channel_confidence = ? WHERE call_id = ?",
        [record.agent_channel_method, record.agent_channel_confidence, conversation.call_id],
    )
    kpi = [meta.kpi.get(f) for f in KPI_FIELDS]
    con.execute(
        f"UPDATE calls SET {', '.join(f'{f} = ?' for f in KPI_FIELDS)} WHERE call_id = ?", [*kpi, conversation.call_id]
    )
    write_utterances(con, conversation.call_id, conversation.utterances)


def write_utterances(con: duckdb.DuckDBPyConnection, call_id: str, utterances: Iterable[Utterance]) -> None:
    rows = [
        [
            call_id,
            u.idx,
            u.speaker,
            u.start_s,
            u.end_s,
            u.text,
            [asdict(w) for w in u.words],
            u.asr_confidence,
            u.channel,
            *u.speech_timing(),  # timed_words, speech_s: what rescoring reads for words per minute
        ]
        for u in utterances
    ]
    if rows:
        con.executemany(
            "INSERT INTO utterances (call_id, idx, speaker, start_s, end_s, text, words, asr_confidence, channel,"
            " timed_words, speech_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def read_conversation(con: duckdb.DuckDBPyConnection, call_id: str) -> Conversation | None:
    call = con.execute(
        "SELECT duration_s, language, channel, queue, agent_channel_confidence FROM calls WHERE call_id = ?", [call_id]
    ).fetchone()
    if call is None:
        return None
    rows = con.execute(
        "SELECT idx, speaker, start_s, end_s, text, words, asr_confidence, channel FROM utterances WHERE call_id = ? ORDER BY idx",
        [call_id],
    ).fetchall()
    return Conversation(
        call_id=call_id,
        utterances=tuple(_utterance(r) for r in rows),
        duration_s=call[0] or 0.0,
        language=call[1] or "en",
        timed=call[2] != "chat",
        queue=call[3],
        role_confidence=call[4],
    )


def _utterance(r: tuple) -> Utterance:
    idx, speaker, start_s, end_s, text, words, conf, channel = r
    return Utterance(
        idx=idx,
        speaker=speaker,
        start_s=start_s,
        end_s=end_s,
        text=text,
        words=tuple(
            Word(start=w["start"], end=w["end"], text=w["text"], probability=w["probability"]) for w in (words or [])
        ),
        asr_confidence=conf if conf is not None else 1.0,
        channel=channel,
    )


def set_call_status(con: duckdb.DuckDBPyConnection, call_id: str, status: str) -> None:
    with keep_rollups(con, [call_id]):
        con.execute("UPDATE calls SET status = ?, updated_at = ? WHERE call_id = ?", [status, utcnow(), call_id])


def record_failure(
    con: duckdb.DuckDBPyConnection, run_id: str | None, problem: Problem, call_id: str | None = None
) -> None:
    con.execute(
        "INSERT INTO failures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [uuid.uuid4().hex, run_id, problem.path, call_id, problem.stage, problem.error_type, problem.reason, utcnow()],
    )


def start_run(
    con: duckdb.DuckDBPyConnection, input_dir: str, *, asr_backend: str, asr_model: str, flow_run_id: str | None = None
) -> str:
    run_id = uuid.uuid4().hex[:12]
    con.execute(
        "INSERT INTO runs (run_id, started_at, input_dir, status, asr_backend, asr_model, flow_run_id) VALUES (?, ?, ?, 'running', ?, ?, ?)",
        [run_id, utcnow(), os.path.abspath(input_dir), asr_backend, asr_model, flow_run_id],
    )
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    con.execute(
        """UPDATE runs SET finished_at = ?, status = ?, calls_found = ?, calls_done = ?, calls_skipped = ?,
               calls_failed = ?, audio_s = ?, wall_s = ? WHERE run_id = ?""",
        [
            utcnow(),
            summary.status,
            summary.calls_found,
            summary.calls_done,
            summary.calls_skipped,
            summary.calls_failed,
            summary.audio_s,
            summary.wall_s,
            summary.run_id,
        ],
    )


def list_runs(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict]:
    cur = con.execute("SELECT * FROM runs ORDER BY started_at DESC LIMIT ?", [limit])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


METADATA_COLUMNS = ("agent_id", "agent_name", "queue", "started_at", "direction", "customer_ref", "external_id")


def update_call_metadata(con: duckdb.DuckDBPyConnection, call_id: str, meta: CallMetadata) -> bool:
    """Set the manifest fields ``meta`` knows on a stored call (no re-transcription); True when something changed."""
    given = {c: getattr(meta, c) for c in METADATA_COLUMNS if getattr(meta, c) is not None}
    given.update({f: v for f, v in meta.kpi.items() if f in KPI_FIELDS})
    if not given:
        return False
    row = con.execute(f"SELECT {', '.join(given)} FROM calls WHERE call_id = ?", [call_id]).fetchone()
    if row is None or tuple(row) == tuple(given.values()):
        return False
    with keep_rollups(con, [call_id], [meta.customer_ref]):
        con.execute(
            f"UPDATE calls SET {', '.join(f'{c} = ?' for c in given)}, updated_at = ? WHERE call_id = ?",
            [*given.values(), utcnow(), call_id],
        )
    return True


def calls_by_external_id(con: duckdb.DuckDBPyConnection, external_ids: list[str]) -> dict[str, str]:
    """``{external_id: call_id}`` of stored calls with one of ``external_ids``."""
    if not external_ids:
        return {}
    rows = con.execute(
        "SELECT external_id, min(call_id) FROM calls WHERE external_id IN (SELECT unnest(?)) GROUP BY external_id",
        [external_ids],
    ).fetchall()
    return dict(rows)
