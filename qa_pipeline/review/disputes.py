"""Agents' acknowledgements and disputes of verdicts, their decision by QA, and comments on a call.

An agent acknowledges an evaluation (one call's scorecard) or disputes one criterion's final verdict
with a comment and the verdict they ask for.  A QA specialist accepts the dispute — the verdict is
overridden through :func:`qa_pipeline.review.actions.apply_override` (the automatic verdict kept, the
final score recomputed), in the same transaction that closes the dispute — or rejects it with a
reason.  Anyone who may open the call adds comments, optionally pinned to a moment of the recording.
Every step is one transaction that also writes its ``audit_events`` row.  Ownership (an agent only
their own calls) is checked by the routes with :mod:`qa_pipeline.review.scope`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from qa_pipeline.errors import InputError, NotFoundError
from qa_pipeline.review import audit
from qa_pipeline.review.actions import MAX_REASON_LEN, apply_override, check_text
from qa_pipeline.review.verdicts import VERDICTS
from qa_pipeline.store.db import transaction, utcnow
from qa_pipeline.store.overrides import latest_overrides

STATUSES = ("open", "accepted", "rejected")


@dataclass(frozen=True)
class Dispute:
    dispute_id: str
    call_id: str
    scorecard_id: str
    criterion_id: str
    disputed_verdict: str
    wanted_verdict: str
    comment: str
    username: str
    opened_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    override_id: str | None
    agent_id: str | None = None


_COLS = (
    "d.dispute_id, d.call_id, d.scorecard_id, d.criterion_id, d.disputed_verdict, d.wanted_verdict, d.comment,"
    " d.username, d.opened_at, d.status, d.decided_by, d.decided_at, d.decision_reason, d.override_id, c.agent_id"
)


def _text(text: str | None, what: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise InputError(f"the {what} is empty: say why", stage="review")
    if len(text) > MAX_REASON_LEN:
        raise InputError(f"the {what} is {len(text)} characters; keep it under {MAX_REASON_LEN}", stage="review")
    check_text(text, what)
    return text


def final_verdict(con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str, criterion_id: str) -> str:
    """The criterion's verdict with the newest override applied."""
    row = con.execute(
        "SELECT verdict FROM criterion_results WHERE call_id = ? AND scorecard_id = ? AND criterion_id = ?",
        [call_id, scorecard_id, criterion_id],
    ).fetchone()
    if row is None:
        raise NotFoundError(f"call {call_id!r} has no verdict for {criterion_id!r} of scorecard {scorecard_id!r}")
    ovr = latest_overrides(con, [scorecard_id], [call_id]).get((call_id, scorecard_id), {})
    return ovr.get(criterion_id, row[0])


def acknowledge(
    con: duckdb.DuckDBPyConnection, *, call_id: str, scorecard_id: str, username: str, client: str | None = None
) -> bool:
    """Record that the agent has read the evaluation; False when already acknowledged."""
    with transaction(con):
        if not con.execute(
            "SELECT 1 FROM call_scores WHERE call_id = ? AND scorecard_id = ?", [call_id, scorecard_id]
        ).fetchone():
            raise NotFoundError(f"call {call_id!r} has no evaluation for scorecard {scorecard_id!r}")
        if con.execute(
            "SELECT 1 FROM acknowledgements WHERE call_id = ? AND scorecard_id = ? AND username = ?",
            [call_id, scorecard_id, username],
        ).fetchone():
            return False
        con.execute("INSERT INTO acknowledgements VALUES (?, ?, ?, ?)", [call_id, scorecard_id, username, utcnow()])
        audit.record(
            con, "evaluation_acknowledged", username=username, client=client, call_id=call_id, detail=scorecard_id
        )
    return True


def open_dispute(
    con: duckdb.DuckDBPyConnection,
    *,
    call_id: str,
    scorecard_id: str,
    criterion_id: str,
    wanted_verdict: str,
    comment: str,
    username: str,
    client: str | None = None,
) -> str:
    """Open a dispute of one criterion's final verdict; returns its id."""
    if wanted_verdict not in VERDICTS:
        raise InputError(f"verdict {wanted_verdict!r} is not one of {', '.join(VERDICTS)}", stage="review")
    comment = _text(comment, "dispute comment", required=True)
    with transaction(con):
        current = final_verdict(con, call_id, scorecard_id, criterion_id)
        if current == wanted_verdict:
            raise InputError(f"{criterion_id} is already {current}; dispute asks for the same verdict", stage="review")
        if con.execute(
            "SELECT 1 FROM disputes WHERE call_id = ? AND scorecard_id = ? AND criterion_id = ? AND status = 'open'",
            [call_id, scorecard_id, criterion_id],
        ).fetchone():
            raise InputError(f"{criterion_id} already has an open dispute; wait for its decision", stage="review")
        dispute_id = uuid.uuid4().hex
        con.execute(
            "INSERT INTO disputes (dispute_id, call_id, scorecard_id, criterion_id, disputed_verdict, wanted_verdict,"
            " comment, username, opened_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
            [dispute_id, call_id, scorecard_id, criterion_id, current, wanted_verdict, comment, username, utcnow()],
        )
        audit.record(
            con,
            "dispute_opened",
            username=username,
            client=client,
            call_id=call_id,
            detail=f"{scorecard_id}/{criterion_id}: {current} -> {wanted_verdict} ({dispute_id})",
        )
    return dispute_id


def decide(
    con: duckdb.DuckDBPyConnection,
    *,
    dispute_id: str,
    accept: bool,
    reason: str,
    username: str,
    client: str | None = None,
) -> Dispute:
    """Accept (override the verdict to the one asked for) or reject (``reason`` required) an open dispute."""
    reason = _text(reason, "decision reason", required=True)
    with transaction(con):
        d = get(con, dispute_id)
        if d.status != "open":
            raise InputError(f"dispute {dispute_id} was already {d.status} by {d.decided_by}", stage="review")
        override_id = None
        if accept:
            res = apply_override(
                con,
                call_id=d.call_id,
                scorecard_id=d.scorecard_id,
                criterion_id=d.criterion_id,
                new_verdict=d.wanted_verdict,
                reason=f"Dispute by {d.username} accepted: {reason}",
                username=username,
            )
            override_id = res.override_id
        status = "accepted" if accept else "rejected"
        con.execute(
            "UPDATE disputes SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ?, override_id = ?"
            " WHERE dispute_id = ?",
            [status, username, utcnow(), reason, override_id, dispute_id],
        )
        audit.record(
            con,
            f"dispute_{status}",
            username=username,
            client=client,
            call_id=d.call_id,
            detail=f"{d.scorecard_id}/{d.criterion_id} ({dispute_id}): {reason}",
        )
        return get(con, dispute_id)


def get(con: duckdb.DuckDBPyConnection, dispute_id: str) -> Dispute:
    row = con.execute(
        f"SELECT {_COLS} FROM disputes d LEFT JOIN calls c USING (call_id) WHERE d.dispute_id = ?", [dispute_id]
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no dispute {dispute_id!r}")
    return Dispute(*row)


def list_disputes(
    con: duckdb.DuckDBPyConnection, *, status: str | None = None, call_id: str | None = None, limit: int = 500
) -> list[Dispute]:
    """Disputes, open ones first then newest first, optionally of one status or call."""
    if status is not None and status not in STATUSES:
        raise InputError(f"status {status!r} is not one of {', '.join(STATUSES)}", stage="review")
    where, params = [], []
    for col, val in (("d.status", status), ("d.call_id", call_id)):
        if val:
            where.append(f"{col} = ?")
            params.append(val)
    sql = f"SELECT {_COLS} FROM disputes d LEFT JOIN calls c USING (call_id)"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY d.status <> 'open', d.opened_at DESC LIMIT ?"
    return [Dispute(*r) for r in con.execute(sql, [*params, limit]).fetchall()]


def add_comment(
    con: duckdb.DuckDBPyConnection,
    *,
    call_id: str,
    body: str,
    username: str,
    at_s: float | None = None,
    client: str | None = None,
) -> str:
    """A comment on the call, optionally at ``at_s`` seconds into the recording; returns its id."""
    body = _text(body, "comment", required=True)
    if at_s is not None and at_s < 0:
        raise InputError(f"comment time {at_s} s is negative; give seconds from the start of the call", stage="review")
    with transaction(con):
        if not con.execute("SELECT 1 FROM calls WHERE call_id = ?", [call_id]).fetchone():
            raise NotFoundError(f"no call {call_id!r}")
        comment_id = uuid.uuid4().hex
        con.execute(
            "INSERT INTO call_comments VALUES (?, ?, ?, ?, ?, ?)", [comment_id, call_id, username, at_s, body, utcnow()]
        )
        audit.record(con, "comment_added", username=username, client=client, call_id=call_id, detail=comment_id)
    return comment_id


def comments(con: duckdb.DuckDBPyConnection, call_id: str) -> list[dict[str, Any]]:
    cur = con.execute(
        "SELECT comment_id, username, at_s, body, created_at FROM call_comments WHERE call_id = ?"
        " ORDER BY at_s NULLS FIRST, created_at",
        [call_id],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def acknowledged(con: duckdb.DuckDBPyConnection, call_id: str) -> dict[str, list[tuple[str, datetime]]]:
    """``scorecard_id -> [(username, acknowledged_at)]`` for the call."""
    out: dict[str, list[tuple[str, datetime]]] = {}
    for sc, user, at in con.execute(
        "SELECT scorecard_id, username, acknowledged_at FROM acknowledgements WHERE call_id = ? ORDER BY 3",
        [call_id],
    ).fetchall():
        out.setdefault(sc, []).append((user, at))
    return out
