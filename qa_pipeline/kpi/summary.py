"""KPI summaries read from the roll-ups (never a scan of every call), and the impact of criteria on CSAT/FCR.

:func:`kpi_summary` gives one row per agent, team, queue, day or week; :func:`score_summary` the per-group
QA score; :func:`criterion_impact` each scorecard criterion's CSAT and FCR when it passed vs failed, with
counts and 95 % confidence intervals (CSAT: normal approximation of the mean; FCR: Wilson score interval).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import duckdb

from qa_pipeline.errors import InputError
from qa_pipeline.kpi.rollup import call_kpi_sql

GROUPS = {
    "agent": ("agent_id", "agent_id"),
    "team": ("team", "team"),
    "queue": ("queue", "queue"),
    "day": ("day", "day"),
    "week": ("week", "CAST(date_trunc('week', day) AS DATE)"),
    "all": ("scope", "'all'"),
}
KPI_COLUMNS = (
    "calls",
    "aht_s",
    "first_response_s",
    "hold_s",
    "holds_per_call",
    "dead_air_s",
    "escalation_rate",
    "fcr_rate",
    "csat",
    "csat_responses",
    "nps",
    "nps_responses",
    "qa_score",
    "qa_pass_rate",
)
Z95 = 1.96


def _group(by: str) -> tuple[str, str]:
    if by not in GROUPS:
        raise InputError(f"--by {by!r} is not one of {', '.join(GROUPS)}", stage="kpi")
    return GROUPS[by]


def _where(since: date | None, until: date | None, scorecard_id: str | None = None) -> tuple[str, list[Any]]:
    parts: list[str] = ["TRUE"]
    params: list[Any] = []
    if since is not None:
        parts.append("day >= ?")
        params.append(since)
    if until is not None:
        parts.append("day <= ?")
        params.append(until)
    if scorecard_id is not None:
        parts.append("scorecard_id = ?")
        params.append(scorecard_id)
    return " AND ".join(parts), params


def _ratio(a: str, b: str, scale: str = "1.0") -> str:
    return f"CASE WHEN sum({b}) > 0 THEN {scale} * sum({a}) / sum({b}) END"


def kpi_summary(
    con: duckdb.DuckDBPyConnection,
    by: str = "agent",
    *,
    since: date | None = None,
    until: date | None = None,
    scorecard_id: str | None = None,
) -> list[dict[str, Any]]:
    """One dict per group: the group key (``agent_id``, ``team``, ``queue``, ``day`` or ``week``) and
    :data:`KPI_COLUMNS` (rates 0..1, times in seconds, NPS -100..100, QA score 0..100; None when unknown)."""
    name, expr = _group(by)
    where, params = _where(since, until)
    s_where, s_params = _where(since, until, scorecard_id)
    sql = f"""
WITH k AS (
  SELECT {expr} AS grp, sum(calls) AS calls,
         {_ratio("aht_sum", "aht_n")} AS aht_s,
         {_ratio("first_response_sum", "first_response_n")} AS first_response_s,
         {_ratio("hold_sum", "hold_n")} AS hold_s,
         {_ratio("holds", "hold_n")} AS holds_per_call,
         {_ratio("dead_air_sum", "dead_air_n")} AS dead_air_s,
         {_ratio("escalated", "escalation_n")} AS escalation_rate,
         {_ratio("fcr_resolved", "fcr_n")} AS fcr_rate,
         {_ratio("csat_sum", "csat_n")} AS csat, sum(csat_n) AS csat_responses,
         CASE WHEN sum(nps_n) > 0 THEN 100.0 * (sum(nps_promoters) - sum(nps_detractors)) / sum(nps_n) END AS nps,
         sum(nps_n) AS nps_responses
  FROM kpi_daily WHERE {where} GROUP BY 1),
s AS (
  SELECT {expr} AS grp, {_ratio("final_score_sum", "scored")} AS qa_score, {_ratio("passed", "scored")} AS qa_pass_rate
  FROM score_daily WHERE {s_where} GROUP BY 1)
SELECT k.*, s.qa_score, s.qa_pass_rate FROM k LEFT JOIN s ON s.grp = k.grp ORDER BY k.grp
"""
    rows = con.execute(sql, params + s_params).fetchall()
    out = []
    for r in rows:
        d = dict(zip(("grp", *KPI_COLUMNS), r))
        key = d.pop("grp")
        out.append({name: key, **{c: _plain(d[c]) for c in KPI_COLUMNS}})
    return out


def score_summary(
    con: duckdb.DuckDBPyConnection,
    by: str = "agent",
    *,
    since: date | None = None,
    until: date | None = None,
    scorecard_id: str | None = None,
) -> list[dict[str, Any]]:
    """Per group and scorecard: calls scored, mean automatic and final score, pass and auto-fail rates."""
    name, expr = _group(by)
    where, params = _where(since, until, scorecard_id)
    rows = con.execute(
        f"""SELECT {expr} AS grp, scorecard_id, sum(scored), sum(score_sum) / sum(scored),
                   sum(final_score_sum) / sum(scored), sum(passed) / sum(scored), sum(auto_failed) / sum(scored)
            FROM score_daily WHERE {where} GROUP BY 1, 2 HAVING sum(scored) > 0 ORDER BY 1, 2""",
        params,
    ).fetchall()
    cols = (name, "scorecard_id", "calls", "score", "final_score", "pass_rate", "auto_fail_rate")
    return [dict(zip(cols, (_plain(v) for v in r))) for r in rows]


def _plain(v: Any) -> Any:
    if isinstance(v, float):
        return round(v, 4)
    return int(v) if hasattr(v, "__int__") and type(v).__name__ == "Decimal" else v


def mean_ci(total: float, sq_total: float, n: int) -> tuple[float | None, float | None, float | None]:
    """Mean and its 95 % interval (normal approximation) from a sum, a sum of squares and a count."""
    if n <= 0:
        return None, None, None
    mean = total / n
    if n < 2:
        return mean, None, None
    var = max(0.0, (sq_total - n * mean * mean) / (n - 1))
    half = Z95 * math.sqrt(var / n)
    return mean, mean - half, mean + half


def wilson_ci(k: int, n: int) -> tuple[float | None, float | None, float | None]:
    """A proportion and its 95 % Wilson score interval."""
    if n <= 0:
        return None, None, None
    p = k / n
    denom = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denom
    return p, centre - half, centre + half


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def criterion_impact(
    con: duckdb.DuckDBPyConnection,
    *,
    since: date | None = None,
    until: date | None = None,
    scorecard_id: str | None = None,
    by: str | None = None,
    group: str | None = None,
) -> list[dict[str, Any]]:
    """Per (scorecard, criterion): calls passed / failed, and CSAT and FCR when it passed vs failed (95 % CI).

    ``by``/``group`` restrict to one agent, team or queue.  Sorted by the CSAT gap (passed − failed), largest first.
    """
    where, params = _where(since, until, scorecard_id)
    if by is not None and group is not None:
        expr = _group(by)[1]
        where += f" AND {expr} = ?"
        params.append(group)
    rows = con.execute(
        f"""SELECT scorecard_id, criterion_id, verdict, sum(n), sum(csat_sum), sum(csat_sq_sum), sum(csat_n),
                   sum(fcr_resolved), sum(fcr_n)
            FROM criterion_daily WHERE {where} AND verdict IN ('pass', 'fail') GROUP BY ALL ORDER BY 1, 2, 3""",
        params,
    ).fetchall()
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for card, crit, verdict, n, cs, csq, cn, fr, fn in rows:
        d = acc.setdefault((card, crit), {"scorecard_id": card, "criterion_id": crit})
        csat, lo, hi = mean_ci(float(cs), float(csq), int(cn))
        lo, hi = (None if lo is None else max(1.0, lo)), (None if hi is None else min(5.0, hi))  # the 1..5 scale
        fcr, flo, fhi = wilson_ci(int(fr), int(fn))
        d.update(
            {
                f"{verdict}_calls": int(n),
                f"csat_{verdict}": _r(csat),
                f"csat_{verdict}_lo": _r(lo),
                f"csat_{verdict}_hi": _r(hi),
                f"csat_{verdict}_n": int(cn),
                f"fcr_{verdict}": _r(fcr),
                f"fcr_{verdict}_lo": _r(flo),
                f"fcr_{verdict}_hi": _r(fhi),
                f"fcr_{verdict}_n": int(fn),
            }
        )
    out = []
    for d in acc.values():
        for v in ("pass", "fail"):
            d.setdefault(f"{v}_calls", 0)
            for m in ("csat", "fcr"):
                for suffix in ("", "_lo", "_hi"):
                    d.setdefault(f"{m}_{v}{suffix}", None)
                d.setdefault(f"{m}_{v}_n", 0)
        cp, cf = d["csat_pass"], d["csat_fail"]
        d["csat_gap"] = _r(cp - cf) if cp is not None and cf is not None else None
        fp, ff = d["fcr_pass"], d["fcr_fail"]
        d["fcr_gap"] = _r(fp - ff) if fp is not None and ff is not None else None
        out.append(d)
    out.sort(key=lambda d: (d["csat_gap"] is None, -(d["csat_gap"] or 0), d["scorecard_id"], d["criterion_id"]))
    return out


IMPACT_COLUMNS = (
    "scorecard_id",
    "criterion_id",
    "pass_calls",
    "fail_calls",
    "csat_pass",
    "csat_pass_lo",
    "csat_pass_hi",
    "csat_pass_n",
    "csat_fail",
    "csat_fail_lo",
    "csat_fail_hi",
    "csat_fail_n",
    "csat_gap",
    "fcr_pass",
    "fcr_pass_lo",
    "fcr_pass_hi",
    "fcr_pass_n",
    "fcr_fail",
    "fcr_fail_lo",
    "fcr_fail_hi",
    "fcr_fail_n",
    "fcr_gap",
)


CALL_COLUMNS = (
    "call_id",
    "day",
    "agent_id",
    "team",
    "queue",
    "aht_s",
    "first_response_s",
    "hold_s",
    "holds",
    "dead_air_s",
    "escalated",
    "fcr",
    "csat",
    "nps",
    "qa_score",
)


def call_kpis(
    con: duckdb.DuckDBPyConnection, *, since: date | None = None, until: date | None = None, limit: int = 100_000
) -> list[dict[str, Any]]:
    """Per complete call: its KPI values (the ones the roll-ups sum) and its mean final QA score, newest first."""
    where, params = _where(since, until)
    rows = con.execute(
        f"""SELECT k.call_id, k.day, k.agent_id, k.team, k.queue, k.aht_s, k.first_response_s, k.hold_s, k.holds,
                   k.dead_air_s, k.escalated, k.fcr, k.csat, k.nps,
                   (SELECT avg(final_score) FROM call_scores s WHERE s.call_id = k.call_id)
            FROM ({call_kpi_sql()}) k WHERE {where} ORDER BY k.day DESC, k.call_id LIMIT {int(limit)}""",
        params,
    ).fetchall()
    return [dict(zip(CALL_COLUMNS, (_plain(v) for v in r))) for r in rows]
