"""What a signed-in user may see of calls: the one place ownership is checked.

Roles other than ``agent`` see every call their permissions allow.  An agent (``users.agent_id`` set)
sees only calls whose ``calls.agent_id`` is theirs; any other call answers 404 as if it did not exist,
so an agent cannot learn which call ids exist.  Every call, recording, evaluation, dispute and comment
route calls :func:`check_call` (or :func:`check_dispute`) inside its database unit.
"""

from __future__ import annotations

from typing import Any

import duckdb

from qa_pipeline.errors import NotFoundError
from qa_pipeline.review.auth import User

AGENT_ROLE = "agent"


def is_agent(user: User) -> bool:
    return user.role == AGENT_ROLE


def check_call(con: duckdb.DuckDBPyConnection, user: User, call_id: str) -> None:
    """Raise :class:`NotFoundError` when ``user`` may not see ``call_id`` (or there is no such call)."""
    row = con.execute("SELECT agent_id FROM calls WHERE call_id = ?", [call_id]).fetchone()
    if row is None or (is_agent(user) and (not user.agent_id or row[0] != user.agent_id)):
        raise NotFoundError(f"no call {call_id!r}")


def check_dispute(con: duckdb.DuckDBPyConnection, user: User, dispute_id: str) -> str:
    """The dispute's call id, after :func:`check_call` on it; 404 for an unknown dispute."""
    row = con.execute("SELECT call_id FROM disputes WHERE dispute_id = ?", [dispute_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no dispute {dispute_id!r}")
    check_call(con, user, row[0])
    return str(row[0])


def own_calls(con: duckdb.DuckDBPyConnection, user: User, limit: int = 500) -> list[dict[str, Any]]:
    """The agent's calls, newest first, with each scorecard's final score and acknowledgement/dispute state."""
    if not is_agent(user) or not user.agent_id:
        return []
    cur = con.execute(
        """
        SELECT c.call_id, c.started_at, c.queue, s.scorecard_id, s.final_score, s.passed,
               a.acknowledged_at,
               (SELECT count(*) FROM disputes d WHERE d.call_id = c.call_id AND d.status = 'open') AS open_disputes,
               (SELECT count(*) FROM disputes d WHERE d.call_id = c.call_id) AS disputes
        FROM calls c
        LEFT JOIN call_scores s ON s.call_id = c.call_id
        LEFT JOIN acknowledgements a
               ON a.call_id = c.call_id AND a.scorecard_id = s.scorecard_id AND a.username = ?
        WHERE c.agent_id = ?
        ORDER BY c.started_at DESC NULLS LAST, c.call_id, s.scorecard_id
        LIMIT ?
        """,
        [user.username, user.agent_id, limit],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
