"""Who reviews which call: the weekly random sample, claims, assignments and each reviewer's workload.

Flagged calls reach the review queue by their flags; the calls nothing flagged would never be looked at,
so each week a random sample of **unflagged** calls per agent (``quota`` per agent, ``seed`` fixing the
draw: the same week, quota and seed draw the same calls) is put in ``review_assignments`` (migration 018)
without a reviewer.  A QA specialist claims a call, or a supervisor assigns it; the workload view counts
per reviewer what is assigned, reviewed (``reviews``) and still to do.  Every step is audited.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from qa_pipeline.errors import InputError, NotFoundError
from qa_pipeline.review import audit
from qa_pipeline.review.auth import can, get_user
from qa_pipeline.store.db import transaction, utcnow

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def week_start(value: str | date) -> date:
    """Monday of the week of a date (``2025-03-19``) or ISO week (``2025-W12``)."""
    if isinstance(value, date):
        return value - timedelta(days=value.weekday())
    m = _ISO_WEEK.match(value.strip())
    try:
        day = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1) if m else date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            f"week {value!r} is neither a date (YYYY-MM-DD) nor an ISO week (YYYY-Www, e.g. 2025-W12)", stage="review"
        ) from None
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Sample:
    week_start: date
    quota: int
    seed: int
    picked: dict[str, list[str]]  # agent_id -> call ids added this time
    eligible: dict[str, int]  # agent_id -> unflagged, unassigned calls of the week

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.picked.values())


def _eligible(con: duckdb.DuckDBPyConnection, start: date) -> dict[str, list[str]]:
    rows = con.execute(
        """
        SELECT c.agent_id, c.call_id FROM calls c
        WHERE c.started_at >= ? AND c.started_at < ? AND c.agent_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.call_id = c.call_id)
          AND NOT EXISTS (SELECT 1 FROM review_assignments a WHERE a.call_id = c.call_id)
        ORDER BY c.agent_id, c.call_id
        """,
        [
            datetime.combine(start, datetime.min.time()),
            datetime.combine(start + timedelta(days=7), datetime.min.time()),
        ],
    ).fetchall()
    out: dict[str, list[str]] = {}
    for agent_id, call_id in rows:
        out.setdefault(agent_id, []).append(call_id)
    return out


def draw_sample(
    con: duckdb.DuckDBPyConnection, *, week: str | date, quota: int, seed: int, username: str | None = None
) -> Sample:
    """Add up to ``quota`` unflagged calls per agent of ``week`` to the unassigned review pool."""
    if quota < 1:
        raise InputError(f"sample quota {quota} must be at least 1 call per agent", stage="review")
    start = week_start(week)
    picked: dict[str, list[str]] = {}
    with transaction(con):
        eligible = _eligible(con, start)
        now = utcnow()
        for agent_id, ids in eligible.items():
            rng = random.Random(f"{seed}:{start.isoformat()}:{agent_id}")
            chosen = sorted(rng.sample(ids, min(quota, len(ids))))
            picked[agent_id] = chosen
            for call_id in chosen:
                con.execute(
                    "INSERT INTO review_assignments (call_id, week_start, source, created_at) VALUES (?, ?, 'sample', ?)",
                    [call_id, start, now],
                )
        detail = f"week {start}, quota {quota}, seed {seed}: {sum(len(v) for v in picked.values())} calls"
        audit.record(con, "sample_drawn", username=username, client=None, detail=detail)
    return Sample(start, quota, seed, picked, {a: len(v) for a, v in eligible.items()})


def _set_reviewer(con: duckdb.DuckDBPyConnection, call_id: str, reviewer: str, by: str) -> None:
    now = utcnow()
    if con.execute("SELECT 1 FROM review_assignments WHERE call_id = ?", [call_id]).fetchone():
        con.execute(
            "UPDATE review_assignments SET reviewer = ?, assigned_by = ?, assigned_at = ? WHERE call_id = ?",
            [reviewer, by, now, call_id],
        )
    else:
        con.execute(
            "INSERT INTO review_assignments (call_id, source, reviewer, assigned_by, created_at, assigned_at)"
            " VALUES (?, 'manual', ?, ?, ?, ?)",
            [call_id, reviewer, by, now, now],
        )


def _check_call(con: duckdb.DuckDBPyConnection, call_id: str) -> None:
    if not con.execute("SELECT 1 FROM calls WHERE call_id = ?", [call_id]).fetchone():
        raise NotFoundError(f"no call {call_id!r}")


def claim(con: duckdb.DuckDBPyConnection, *, call_id: str, username: str, client: str | None = None) -> None:
    """Take a call for review; refused when another reviewer has it."""
    with transaction(con):
        _check_call(con, call_id)
        row = con.execute("SELECT reviewer FROM review_assignments WHERE call_id = ?", [call_id]).fetchone()
        if row is not None and row[0] and row[0] != username:
            raise InputError(
                f"call {call_id} is already with {row[0]}; ask a supervisor to reassign it", stage="review"
            )
        _set_reviewer(con, call_id, username, username)
        audit.record(con, "call_claimed", username=username, client=client, call_id=call_id)


def assign(
    con: duckdb.DuckDBPyConnection, *, call_id: str, reviewer: str, username: str, client: str | None = None
) -> None:
    """Give a call to ``reviewer`` (a user who may review calls)."""
    with transaction(con):
        _check_call(con, call_id)
        user = get_user(con, reviewer)
        if user is None or user.disabled or not can(user.role, "call.review"):
            raise InputError(
                f"{reviewer!r} is not an enabled user who may review calls (qa_specialist or admin)", stage="review"
            )
        _set_reviewer(con, call_id, reviewer, username)
        audit.record(con, "call_assigned", username=username, client=client, call_id=call_id, detail=reviewer)


def assignments(
    con: duckdb.DuckDBPyConnection, *, reviewer: str | None = None, unassigned: bool = False, limit: int = 500
) -> list[dict[str, Any]]:
    """Assigned (or pooled) calls with their agent, week and whether they are reviewed."""
    where = ["TRUE"]
    params: list[Any] = []
    if reviewer:
        where.append("a.reviewer = ?")
        params.append(reviewer)
    if unassigned:
        where.append("a.reviewer IS NULL")
    cur = con.execute(
        f"""
        SELECT a.call_id, a.week_start, a.source, a.reviewer, a.assigned_by, a.assigned_at,
               c.agent_id, c.agent_name, c.queue, c.started_at, r.reviewed_at
        FROM review_assignments a JOIN calls c USING (call_id) LEFT JOIN reviews r USING (call_id)
        WHERE {" AND ".join(where)}
        ORDER BY r.reviewed_at IS NOT NULL, a.week_start DESC NULLS LAST, c.agent_id, a.call_id
        LIMIT ?
        """,
        [*params, limit],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def workload(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per reviewer (``None``: the unassigned pool): calls assigned, reviewed, still to do."""
    cur = con.execute(
        """
        SELECT a.reviewer, count(*) AS assigned, count(r.call_id) AS reviewed,
               count(*) - count(r.call_id) AS to_do, min(a.assigned_at) AS oldest
        FROM review_assignments a LEFT JOIN reviews r USING (call_id)
        GROUP BY a.reviewer ORDER BY a.reviewer NULLS FIRST
        """
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
