"""The ``overrides`` table: reviewers' verdicts, never deleted; the newest per criterion counts.

:data:`LATEST_OVERRIDES_SQL` is the one statement of "newest override per
(call, scorecard, criterion)": :func:`latest_overrides` (rescoring, the nightly
run, ``final_score``) and the review workspace's final verdicts both read it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import duckdb


def latest_overrides_sql(where: str = "TRUE") -> str:
    """The newest override of each (call, scorecard, criterion) among the overrides matching ``where``."""
    return f"""
SELECT call_id, scorecard_id, criterion_id, new_verdict, original_verdict, reason, username, created_at
FROM (
    SELECT o.*, row_number() OVER (
        PARTITION BY call_id, scorecard_id, criterion_id ORDER BY created_at DESC, override_id DESC) AS rn
    FROM overrides o WHERE {where}
) WHERE rn = 1
"""


LATEST_OVERRIDES_SQL = latest_overrides_sql()


def latest_overrides(
    con: duckdb.DuckDBPyConnection, scorecard_ids: Sequence[str], call_ids: Sequence[str]
) -> dict[tuple[str, str], dict[str, str]]:
    """``(call_id, scorecard_id) -> {criterion_id: newest override verdict}`` for these calls."""
    if not call_ids or not scorecard_ids:
        return {}
    out: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    sql = (
        "SELECT call_id, scorecard_id, criterion_id, new_verdict FROM ("
        + latest_overrides_sql(
            "scorecard_id IN (SELECT unnest(?::VARCHAR[])) AND call_id IN (SELECT unnest(?::VARCHAR[]))"
        )
        + ")"
    )
    for call_id, scorecard_id, criterion_id, verdict in con.execute(
        sql, [list(scorecard_ids), list(call_ids)]
    ).fetchall():
        out[(call_id, scorecard_id)][criterion_id] = verdict
    return dict(out)
