"""Per-call KPI values and the incremental roll-ups ``kpi_daily``, ``score_daily`` and ``criterion_daily``.

Every writer of ``calls``, ``call_metrics``, ``utterance_labels``, ``call_scores``, ``criterion_results``
or ``overrides`` runs inside :func:`keep_rollups`: it subtracts the affected calls' contribution before the
change and adds it back afterwards (one grouped ``INSERT … ON CONFLICT DO UPDATE`` per table), and refreshes
first-contact resolution (``calls.next_contact_s``) for the customers involved — a later call changes an
earlier call's FCR, so the earlier call is one of the affected calls.  Nested uses on one connection are one
delta (the outermost).  :func:`rebuild` recomputes everything (``qa-pipeline kpi --rebuild``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

import duckdb

from qa_pipeline.store.overrides import latest_overrides_sql

DEFAULT_FCR_WINDOW_S = 7 * 86400.0
_ACTIVE: set[int] = set()  # id() of connections inside keep_rollups

KPI_SUMS = (
    "calls",
    "aht_sum",
    "aht_n",
    "first_response_sum",
    "first_response_n",
    "hold_sum",
    "holds",
    "hold_n",
    "dead_air_sum",
    "dead_air_n",
    "escalated",
    "escalation_n",
    "fcr_resolved",
    "fcr_n",
    "csat_sum",
    "csat_n",
    "nps_promoters",
    "nps_detractors",
    "nps_n",
)
SCORE_SUMS = ("scored", "score_sum", "final_score_sum", "passed", "auto_failed")
CRITERION_SUMS = ("n", "csat_sum", "csat_sq_sum", "csat_n", "fcr_resolved", "fcr_n")
KEYS = ("day", "agent_id", "team", "queue")


def call_kpi_sql(where: str = "TRUE", fcr_window: str = "(SELECT fcr_window_s FROM kpi_settings)") -> str:
    """One row per complete call with its KPI values; ``where`` filters on ``call_id`` (no table alias), and is
    applied to every table read, so a few calls cost a few index/zone-map lookups, not a join of whole tables.

    AHT = talk + hold + wrap, where talk is the recording's length without the hold heard in it and hold is
    the phone system's ``hold_s`` when given (else the hold detected in the recording).  Escalated = the
    customer asked for an escalation (label ``escalation_request``) or the call was transferred.  FCR is NULL
    without a ``customer_ref`` or a start time, else whether no repeat contact came within the window.
    """
    return f"""
SELECT c.call_id,
       CAST(coalesce(c.started_at, c.created_at) AS DATE) AS day,
       coalesce(c.agent_id, '') AS agent_id, coalesce(c.team, '') AS team, coalesce(c.queue, '') AS queue,
       CASE WHEN m.handle_time_s IS NULL THEN NULL
            ELSE m.handle_time_s - coalesce(m.hold_s, 0) + coalesce(c.hold_s, m.hold_s, 0) + coalesce(c.wrap_s, 0)
       END AS aht_s,
       m.first_agent_response_s AS first_response_s,
       coalesce(c.hold_s, m.hold_s) AS hold_s,
       CAST(json_extract(m.metrics, '$.hold_count') AS BIGINT) AS holds,
       greatest(m.non_talk_s - coalesce(m.hold_s, 0), 0) AS dead_air_s,
       (coalesce(c.transferred, FALSE) OR coalesce(l.escalation, FALSE)) AS escalated,
       CASE WHEN c.customer_ref IS NULL OR c.started_at IS NULL THEN NULL
            ELSE (c.next_contact_s IS NULL OR c.next_contact_s > {fcr_window}) END AS fcr,
       c.csat, c.nps
FROM (SELECT * FROM calls WHERE {where}) c
LEFT JOIN (SELECT * FROM call_metrics WHERE {where}) m ON m.call_id = c.call_id
LEFT JOIN (SELECT call_id, bool_or(list_contains(detected, 'escalation_request')) AS escalation
           FROM utterance_labels WHERE {where} GROUP BY call_id) l ON l.call_id = c.call_id
WHERE c.status = 'complete'
"""


def _kpi_select(where: str, sign: int) -> str:
    s = sign
    return f"""
SELECT day, agent_id, team, queue, {s} * count(*),
       {s} * coalesce(sum(aht_s), 0), {s} * count(aht_s),
       {s} * coalesce(sum(first_response_s), 0), {s} * count(first_response_s),
       {s} * coalesce(sum(hold_s), 0), {s} * coalesce(sum(holds), 0), {s} * count(hold_s),
       {s} * coalesce(sum(dead_air_s), 0), {s} * count(dead_air_s),
       {s} * count(*) FILTER (WHERE escalated), {s} * count(*),
       {s} * count(*) FILTER (WHERE fcr), {s} * count(fcr),
       {s} * coalesce(sum(csat), 0), {s} * count(csat),
       {s} * count(*) FILTER (WHERE nps >= 9), {s} * count(*) FILTER (WHERE nps <= 6), {s} * count(nps)
FROM _kpi_calls GROUP BY ALL
"""


def _score_select(where: str, sign: int) -> str:
    s = sign
    return f"""
SELECT k.day, k.agent_id, k.team, k.queue, sc.scorecard_id, {s} * count(*), {s} * sum(sc.score),
       {s} * sum(sc.final_score), {s} * count(*) FILTER (WHERE sc.passed), {s} * count(*) FILTER (WHERE sc.auto_failed)
FROM (SELECT * FROM call_scores WHERE {where}) sc JOIN _kpi_calls k ON k.call_id = sc.call_id
GROUP BY ALL
"""


def _criterion_select(where: str, sign: int) -> str:
    s = sign
    return f"""
SELECT k.day, k.agent_id, k.team, k.queue, r.scorecard_id, r.criterion_id, coalesce(o.new_verdict, r.verdict),
       {s} * count(*), {s} * coalesce(sum(k.csat), 0), {s} * coalesce(sum(k.csat * k.csat), 0), {s} * count(k.csat),
       {s} * count(*) FILTER (WHERE k.fcr), {s} * count(k.fcr)
FROM (SELECT * FROM criterion_results WHERE {where}) r JOIN _kpi_calls k ON k.call_id = r.call_id
LEFT JOIN ({latest_overrides_sql(where)}) o
       ON o.call_id = r.call_id AND o.scorecard_id = r.scorecard_id AND o.criterion_id = r.criterion_id
GROUP BY ALL
"""


def _upsert(table: str, keys: tuple[str, ...], sums: tuple[str, ...], select: str) -> str:
    cols = ", ".join((*keys, *sums))
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in sums)
    return f"INSERT INTO {table} ({cols}) {select} ON CONFLICT DO UPDATE SET {sets}"


_TABLES = (
    ("kpi_daily", KEYS, KPI_SUMS, _kpi_select, "calls"),
    ("score_daily", (*KEYS, "scorecard_id"), SCORE_SUMS, _score_select, "scored"),
    ("criterion_daily", (*KEYS, "scorecard_id", "criterion_id", "verdict"), CRITERION_SUMS, _criterion_select, "n"),
)


def ids_filter(call_ids: list[str]) -> str:
    """``call_id IN ('…', …)`` as literals: DuckDB prunes with the primary-key index and zone maps on a
    constant list, but scans whole tables for ``IN (SELECT unnest(?))``.  Quotes are doubled."""
    return "call_id IN (" + ", ".join("'" + i.replace("'", "''") + "'" for i in call_ids) + ")"


def _apply(con: duckdb.DuckDBPyConnection, call_ids: list[str], sign: int) -> set[date]:
    """Add (``sign`` 1) or subtract (-1) these calls' contribution; returns the days touched."""
    if not call_ids:
        return set()
    where = ids_filter(call_ids)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kpi_calls AS {call_kpi_sql(where)}")
    days = {r[0] for r in con.execute("SELECT DISTINCT day FROM _kpi_calls").fetchall()}
    if days:  # none: new or incomplete calls, which contribute nothing
        for table, keys, sums, select, _ in _TABLES:
            con.execute(_upsert(table, keys, sums, select(where, sign)))
    con.execute("DROP TABLE _kpi_calls")
    return days


def _prune(con: duckdb.DuckDBPyConnection, days: set[date]) -> None:
    """Drop the groups of these days left with no calls (a call moved to another agent or day)."""
    if not days:
        return
    for table, _, _, _, count in _TABLES:
        con.execute(f"DELETE FROM {table} WHERE {count} = 0 AND day IN (SELECT unnest(?::DATE[]))", [sorted(days)])


def _customer_refs(con: duckdb.DuckDBPyConnection, call_ids: list[str]) -> set[str]:
    if not call_ids:
        return set()
    rows = con.execute(
        f"SELECT DISTINCT customer_ref FROM calls WHERE customer_ref IS NOT NULL AND {ids_filter(call_ids)}"
    ).fetchall()
    return {r[0] for r in rows}


def _calls_of(con: duckdb.DuckDBPyConnection, refs: set[str]) -> list[str]:
    if not refs:
        return []
    rows = con.execute(
        "SELECT call_id FROM calls WHERE customer_ref IN (SELECT unnest(?::VARCHAR[]))", [sorted(refs)]
    ).fetchall()
    return [r[0] for r in rows]


def refresh_next_contact(con: duckdb.DuckDBPyConnection, refs: Iterable[str] | None = None) -> None:
    """Set ``calls.next_contact_s`` (seconds to the same customer's next call) for these customers (all: None)."""
    where = "TRUE" if refs is None else "customer_ref IN (SELECT unnest($refs::VARCHAR[]))"
    params = {} if refs is None else {"refs": sorted(set(refs))}
    if refs is not None and not params["refs"]:
        return
    con.execute(
        f"""UPDATE calls SET next_contact_s = x.nxt FROM (
              SELECT call_id, CASE WHEN started_at IS NULL THEN NULL ELSE
                     date_diff('millisecond', started_at,
                               lead(started_at) OVER (PARTITION BY customer_ref ORDER BY started_at, call_id)) / 1000.0
                     END AS nxt
              FROM calls WHERE customer_ref IS NOT NULL AND {where}) x
            WHERE calls.call_id = x.call_id AND calls.next_contact_s IS DISTINCT FROM x.nxt""",
        params,
    )


@contextmanager
def keep_rollups(
    con: duckdb.DuckDBPyConnection, call_ids: Iterable[str], customer_refs: Iterable[str | None] = ()
) -> Iterator[None]:
    """Wrap a change to these calls (and to calls of ``customer_refs``, e.g. a new call's customer) so the
    roll-ups and FCR stay current.  Runs in the caller's transaction; a no-op inside another one."""
    key = id(con)
    if key in _ACTIVE:
        yield
        return
    _ACTIVE.add(key)
    try:
        ids = sorted(set(call_ids))
        refs = _customer_refs(con, ids) | {r for r in customer_refs if r}
        affected = sorted(set(ids) | set(_calls_of(con, refs)))
        days = _apply(con, affected, -1)
        yield
        refs |= _customer_refs(con, ids)
        refresh_next_contact(con, refs)
        affected = sorted(set(affected) | set(_calls_of(con, refs)))
        days |= _apply(con, affected, +1)
        _prune(con, days)
    finally:
        _ACTIVE.discard(key)


def fcr_window_s(con: duckdb.DuckDBPyConnection) -> float:
    row = con.execute("SELECT fcr_window_s FROM kpi_settings").fetchone()
    return float(row[0]) if row else DEFAULT_FCR_WINDOW_S


def rebuild(con: duckdb.DuckDBPyConnection, fcr_window_s: float | None = None) -> dict[str, int]:
    """Recompute FCR and every roll-up from the stored calls (caller holds the transaction); row counts."""
    if fcr_window_s is not None:
        if fcr_window_s <= 0:
            raise ValueError(f"the FCR window must be positive, got {fcr_window_s} s")
        con.execute("DELETE FROM kpi_settings")
        con.execute("INSERT INTO kpi_settings VALUES (?)", [fcr_window_s])
    refresh_next_contact(con)
    out = {}
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kpi_calls AS {call_kpi_sql()}")
    for table, keys, sums, select, _ in _TABLES:
        con.execute(f"DELETE FROM {table}")
        con.execute(f"INSERT INTO {table} ({', '.join((*keys, *sums))}) {select('TRUE', 1)}")
        out[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    con.execute("DROP TABLE _kpi_calls")
    return out
