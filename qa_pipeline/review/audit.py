"""The audit trail (table ``audit_events``, migration 011): sign-ins, call access, review marks,
acknowledgements, disputes and their decisions, comments, review assignment and calibration sessions.

Rows are only ever inserted.  Sign-in events are also logged on ``qa_pipeline.review.audit``, which
``qa-pipeline serve`` prints at INFO (failures and throttling at WARNING).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

import duckdb

from qa_pipeline.store.db import utcnow

logger = logging.getLogger("qa_pipeline.review.audit")

KINDS = (
    "signin_ok",
    "signin_failed",
    "signin_throttled",
    "signout",
    "call_opened",
    "call_played",
    "review_marked",
    "review_reopened",
    "evaluation_acknowledged",
    "dispute_opened",
    "dispute_accepted",
    "dispute_rejected",
    "comment_added",
    "sample_drawn",
    "call_claimed",
    "call_assigned",
    "calibration_opened",
    "calibration_scored",
    "calibration_closed",
)
MAX_NAME = 64


@dataclass(frozen=True)
class AuditEvent:
    at: datetime
    kind: str
    username: str | None
    client: str | None
    call_id: str | None
    detail: str | None


def record(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    *,
    username: str | None,
    client: str | None,
    call_id: str | None = None,
    detail: str | None = None,
) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    con.execute(
        "INSERT INTO audit_events (event_id, occurred_at, kind, username, client, call_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            uuid.uuid4().hex,
            utcnow(),
            kind,
            (username or "")[:MAX_NAME] or None,
            (client or "")[:100] or None,
            call_id,
            detail,
        ],
    )


def recent(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str | None = None,
    username: str | None = None,
    call_id: str | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """Newest events first, optionally for one kind, user or call."""
    where, params = [], []
    for col, val in (("kind", kind), ("username", username), ("call_id", call_id)):
        if val:
            where.append(f"{col} = ?")
            params.append(val)
    sql = "SELECT occurred_at, kind, username, client, call_id, detail FROM audit_events"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = con.execute(sql + " ORDER BY occurred_at DESC, event_id LIMIT ?", [*params, limit]).fetchall()
    return [AuditEvent(*r) for r in rows]
