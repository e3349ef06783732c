"""Blind calibration sessions: several reviewers score the same call, unseen by each other until it closes.

A session (``calibration_sessions``, migration 018) names one call and scorecard.  While it is open each
reviewer sees only their own verdicts — not the others', nor the automatic ones — and how many have
submitted.  When it is closed everyone sees every verdict and the report: Fleiss' kappa among the
reviewers over the criteria (:func:`qa_pipeline.scorecard.agreement.fleiss_kappa`), each reviewer's and
the majority's agreement with the automatic verdicts
(:func:`qa_pipeline.scorecard.agreement.criterion_agreement`).  Opening, scoring and closing are audited.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import duckdb

from qa_pipeline.errors import InputError, NotFoundError
from qa_pipeline.review import audit
from qa_pipeline.review.verdicts import VERDICTS
from qa_pipeline.scorecard.agreement import CriterionAgreement, criterion_agreement, fleiss_kappa
from qa_pipeline.store.db import transaction, utcnow


@dataclass(frozen=True)
class SessionReport:
    kappa: float | None  # Fleiss' kappa among reviewers, criteria as items
    reviewers: list[str]
    rows: list[dict[str, Any]]  # {criterion_id, automatic, majority, by_reviewer: {user: verdict}}
    vs_automatic: dict[str, CriterionAgreement] = field(default_factory=dict)  # reviewer (and "majority")


def _session(con: duckdb.DuckDBPyConnection, session_id: str) -> dict[str, Any]:
    cur = con.execute(
        "SELECT session_id, call_id, scorecard_id, created_by, created_at, closed_at FROM calibration_sessions"
        " WHERE session_id = ?",
        [session_id],
    )
    row = cur.fetchone()
    if row is None:
        raise NotFoundError(f"no calibration session {session_id!r}")
    return dict(zip([d[0] for d in cur.description], row))


def _automatic(con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str) -> dict[str, str]:
    return dict(
        con.execute(
            "SELECT criterion_id, verdict FROM criterion_results WHERE call_id = ? AND scorecard_id = ?"
            " ORDER BY section_id, criterion_id",
            [call_id, scorecard_id],
        ).fetchall()
    )


def open_session(
    con: duckdb.DuckDBPyConnection, *, call_id: str, scorecard_id: str, username: str, client: str | None = None
) -> str:
    with transaction(con):
        if not _automatic(con, call_id, scorecard_id):
            raise NotFoundError(f"call {call_id!r} has no verdicts for scorecard {scorecard_id!r} to calibrate on")
        session_id = uuid.uuid4().hex[:12]
        con.execute(
            "INSERT INTO calibration_sessions (session_id, call_id, scorecard_id, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [session_id, call_id, scorecard_id, username, utcnow()],
        )
        audit.record(con, "calibration_opened", username=username, client=client, call_id=call_id, detail=session_id)
    return session_id


def submit(
    con: duckdb.DuckDBPyConnection,
    *,
    session_id: str,
    username: str,
    verdicts: dict[str, str],
    client: str | None = None,
) -> int:
    """Record (or change) ``username``'s verdicts while the session is open; returns how many were saved."""
    with transaction(con):
        s = _session(con, session_id)
        if s["closed_at"] is not None:
            raise InputError(
                f"calibration session {session_id} is closed; verdicts can no longer change", stage="review"
            )
        known = _automatic(con, s["call_id"], s["scorecard_id"])
        for cid, v in verdicts.items():
            if cid not in known:
                raise InputError(
                    f"criterion {cid!r} is not on scorecard {s['scorecard_id']!r} for this call", stage="review"
                )
            if v not in VERDICTS:
                raise InputError(f"verdict {v!r} for {cid} is not one of {', '.join(VERDICTS)}", stage="review")
        now = utcnow()
        for cid, v in verdicts.items():
            con.execute(
                "INSERT OR REPLACE INTO calibration_verdicts VALUES (?, ?, ?, ?, ?)",
                [session_id, username, cid, v, now],
            )
        audit.record(
            con,
            "calibration_scored",
            username=username,
            client=client,
            call_id=s["call_id"],
            detail=f"{session_id}: {len(verdicts)} verdicts",
        )
    return len(verdicts)


def close_session(con: duckdb.DuckDBPyConnection, *, session_id: str, username: str, client: str | None = None) -> None:
    with transaction(con):
        s = _session(con, session_id)
        if s["closed_at"] is not None:
            return
        con.execute("UPDATE calibration_sessions SET closed_at = ? WHERE session_id = ?", [utcnow(), session_id])
        audit.record(
            con, "calibration_closed", username=username, client=client, call_id=s["call_id"], detail=session_id
        )


def _verdicts(con: duckdb.DuckDBPyConnection, session_id: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for user, cid, v in con.execute(
        "SELECT username, criterion_id, verdict FROM calibration_verdicts WHERE session_id = ?", [session_id]
    ).fetchall():
        out.setdefault(user, {})[cid] = v
    return out


def report(con: duckdb.DuckDBPyConnection, session_id: str) -> SessionReport:
    """Every reviewer's verdicts beside the automatic ones, and the agreement figures."""
    s = _session(con, session_id)
    auto = _automatic(con, s["call_id"], s["scorecard_id"])
    by_user = _verdicts(con, session_id)
    reviewers = sorted(by_user)
    rows: list[dict[str, Any]] = []
    for cid, a in auto.items():
        given = {u: by_user[u][cid] for u in reviewers if cid in by_user[u]}
        top = Counter(given.values()).most_common()
        majority = top[0][0] if top and (len(top) == 1 or top[0][1] > top[1][1]) else None
        rows.append({"criterion_id": cid, "automatic": a, "majority": majority, "by_reviewer": given})
    kappa = fleiss_kappa([list(r["by_reviewer"].values()) for r in rows])
    vs = {u: criterion_agreement(u, [(auto[c], v) for c, v in by_user[u].items()]) for u in reviewers}
    majority_pairs = [(str(r["automatic"]), str(r["majority"])) for r in rows if r["majority"]]
    if majority_pairs:
        vs["majority"] = criterion_agreement("majority", majority_pairs)
    return SessionReport(kappa, reviewers, rows, vs)


def session_view(con: duckdb.DuckDBPyConnection, session_id: str, username: str) -> dict[str, Any]:
    """What ``username`` may see: while open, only their own verdicts and how many reviewers submitted."""
    s = _session(con, session_id)
    criteria = list(_automatic(con, s["call_id"], s["scorecard_id"]))
    by_user = _verdicts(con, session_id)
    view: dict[str, Any] = {
        "session": s,
        "criteria": criteria,
        "mine": by_user.get(username, {}),
        "submitted": len(by_user),
        "report": None,
    }
    if s["closed_at"] is not None:
        view["report"] = report(con, session_id)
    return view


def list_sessions(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    cur = con.execute(
        """
        SELECT s.session_id, s.call_id, s.scorecard_id, s.created_by, s.created_at, s.closed_at,
               count(DISTINCT v.username) AS reviewers
        FROM calibration_sessions s LEFT JOIN calibration_verdicts v USING (session_id)
        GROUP BY s.session_id, s.call_id, s.scorecard_id, s.created_by, s.created_at, s.closed_at
        ORDER BY s.closed_at IS NOT NULL, s.created_at DESC LIMIT ?
        """,
        [limit],
    )
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]
