"""The ``redactions`` table (migration 005): where PII was removed, never the PII itself.

``raw_utterances`` (migration 007) holds unredacted text and is written only when a run
explicitly sets ``keep_raw`` (:class:`qa_pipeline.redact.RedactionOptions`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict

import duckdb

from qa_pipeline.conversation import Conversation
from qa_pipeline.errors import StoreError
from qa_pipeline.redact.types import PII_TYPES, RedactedConversation, RedactionSpan
from qa_pipeline.store.db import utcnow

logger = logging.getLogger("qa_pipeline.store.redactions")


def write_redactions(con: duckdb.DuckDBPyConnection, call_id: str, spans: Iterable[RedactionSpan]) -> int:
    """Replace the call's redaction spans with ``spans``; returns how many were written.

    Runs inside the caller's transaction (it does not begin one), so the spans are
    written together with the redacted utterances they point into.
    """
    rows = []
    for s in spans:
        if s.pii_type not in PII_TYPES:
            raise StoreError(f"call {call_id}: redaction type {s.pii_type!r} is not one of {list(PII_TYPES)}")
        rows.append([call_id, s.idx, s.span_no, s.pii_type, s.char_start, s.char_end, s.start_s, s.end_s])
    try:
        con.execute("DELETE FROM redactions WHERE call_id = ?", [call_id])
        if rows:
            con.executemany("INSERT INTO redactions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    except duckdb.Error as exc:
        raise StoreError(f"cannot write redactions of call {call_id}: {exc}") from exc
    logger.debug("call %s: %d redaction spans written", call_id, len(rows))
    return len(rows)


def read_redactions(con: duckdb.DuckDBPyConnection, call_id: str) -> tuple[RedactionSpan, ...]:
    """The call's spans ordered by utterance and span number (empty when none)."""
    rows = con.execute(
        "SELECT idx, span_no, pii_type, char_start, char_end, start_s, end_s FROM redactions WHERE call_id = ? ORDER BY idx, span_no",
        [call_id],
    ).fetchall()
    return tuple(RedactionSpan(*row) for row in rows)


def write_raw_utterances(con: duckdb.DuckDBPyConnection, redacted: RedactedConversation) -> int:
    """Store the unredacted transcript kept by ``keep_raw`` (inside the caller's transaction).

    Does nothing and returns 0 when ``redacted.raw`` is ``None`` (the default: keep_raw off).
    """
    raw: Conversation | None = redacted.raw
    if raw is None:
        return 0
    now = utcnow()
    rows = [[raw.call_id, u.idx, u.text, [asdict(w) for w in u.words], now] for u in raw.utterances]
    try:
        con.execute("DELETE FROM raw_utterances WHERE call_id = ?", [raw.call_id])
        if rows:
            con.executemany("INSERT INTO raw_utterances VALUES (?, ?, ?, ?, ?)", rows)
    except duckdb.Error as exc:
        raise StoreError(f"cannot write raw utterances of call {raw.call_id}: {exc}") from exc
    logger.warning("call %s: unredacted transcript stored (keep_raw is set)", raw.call_id)
    return len(rows)


def purge_raw_utterances(con: duckdb.DuckDBPyConnection, call_id: str | None = None) -> int:
    """Delete stored unredacted text of one call, or of every call; returns rows deleted."""
    if call_id is None:
        n = con.execute("SELECT count(*) FROM raw_utterances").fetchall()[0][0]
        con.execute("DELETE FROM raw_utterances")
    else:
        n = con.execute("SELECT count(*) FROM raw_utterances WHERE call_id = ?", [call_id]).fetchall()[0][0]
        con.execute("DELETE FROM raw_utterances WHERE call_id = ?", [call_id])
    return int(n)
