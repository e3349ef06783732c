"""The ``flags`` table: replaced per call (and optionally per scorecard) in bulk."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from qa_pipeline.records import Flag
from qa_pipeline.store.db import utcnow


def write_flags(con: duckdb.DuckDBPyConnection, call_id: str, flags: Sequence[Flag]) -> int:
    """Replace every flag of one call with ``flags``."""
    wrong = [f for f in flags if f.call_id != call_id]
    if wrong:
        raise ValueError(f"flag of call {wrong[0].call_id!r} passed for call {call_id!r}")
    return replace_flags(con, flags, [call_id])


def replace_flags(
    con: duckdb.DuckDBPyConnection,
    flags: Sequence[Flag],
    call_ids: Sequence[str],
    scorecard_ids: Sequence[str] | None = None,
) -> int:
    """Replace the flags of these calls in bulk.

    ``scorecard_ids=None`` replaces every flag of the calls; otherwise only
    flags whose ``scorecard_id`` is in the list (``''`` = call-level rules).
    """
    if call_ids:
        if scorecard_ids is None:
            con.execute("DELETE FROM flags WHERE call_id IN (SELECT unnest(?::VARCHAR[]))", [list(call_ids)])
        else:
            con.execute(
                "DELETE FROM flags WHERE call_id IN (SELECT unnest(?::VARCHAR[])) AND scorecard_id IN (SELECT unnest(?::VARCHAR[]))",
                [list(call_ids), list(scorecard_ids)],
            )
    if not flags:
        return 0
    con.execute(
        """INSERT INTO flags (call_id, rule_id, scorecard_id, reason, severity, created_at)
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]),
                  unnest(?::VARCHAR[]), ?""",
        [
            [f.call_id for f in flags],
            [f.rule_id for f in flags],
            [f.scorecard_id for f in flags],
            [f.reason for f in flags],
            [f.severity for f in flags],
            utcnow(),
        ],
    )
    return len(flags)
