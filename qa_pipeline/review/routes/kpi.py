"""The KPI page (supervisors): KPIs per agent, team or queue from the roll-ups, charts, and criterion impact."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qa_pipeline.kpi.summary import criterion_impact, kpi_summary
from qa_pipeline.review import charts
from qa_pipeline.review.auth import User
from qa_pipeline.review.workspace import workspace

BY = ("agent", "team", "queue")
KEY = {"agent": "agent_id", "team": "team", "queue": "queue"}


def _day(value: str | None) -> tuple[date | None, str | None]:
    if not value:
        return None, None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return None, f"{value!r} is not a date; use YYYY-MM-DD — the filter was ignored"


def kpi_view(con: duckdb.DuckDBPyConnection, by: str, since: date | None, until: date | None) -> dict[str, Any]:
    """What the page shows: the KPI rows, weekly rows, impact rows and the charts."""
    rows = kpi_summary(con, by, since=since, until=until)
    weeks = kpi_summary(con, "week", since=since, until=until)
    impact = criterion_impact(con, since=since, until=until)
    key = KEY[by]
    named = [(str(r[key] or ""), r) for r in rows]
    with_csat = [r for r in impact if r["csat_pass"] is not None or r["csat_fail"] is not None][:15]
    return {
        "rows": rows,
        "key": key,
        "weeks": weeks,
        "impact": impact,
        "charts": {
            "aht": charts.hbar_chart([(n, r["aht_s"]) for n, r in named], label=f"AHT (s) per {by}"),
            "fcr": charts.hbar_chart(
                [(n, None if r["fcr_rate"] is None else 100 * r["fcr_rate"]) for n, r in named],
                label=f"FCR (%) per {by}",
                fmt="{:.0f} %",
                max_value=100,
            ),
            "csat": charts.hbar_chart(
                [(n, r["csat"]) for n, r in named], label=f"CSAT per {by}", fmt="{:.2f}", max_value=5
            ),
            "weekly_calls": charts.hbar_chart(
                [(w["week"].strftime("wk %d %b"), w["calls"]) for w in weeks], label="Calls per week"
            ),
            "impact": charts.interval_chart(
                [
                    (
                        f"{r['criterion_id']}",
                        (r["csat_pass"], r["csat_pass_lo"], r["csat_pass_hi"]),
                        (r["csat_fail"], r["csat_fail_lo"], r["csat_fail_hi"]),
                    )
                    for r in with_csat
                ],
                label="CSAT when each criterion passed vs failed, 95 % confidence interval",
                lo=1,
                hi=5,
            ),
        },
    }


async def kpi_page(request: Request) -> Response:
    ws = workspace(request)
    q = request.query_params
    by = str(q.get("by")) if q.get("by") in BY else "agent"
    since, e1 = _day(q.get("since"))
    until, e2 = _day(q.get("until"))

    def work(con: duckdb.DuckDBPyConnection, user: User) -> dict[str, Any]:
        return kpi_view(con, by, since, until)

    session, user, view = await ws.authed(request, "kpi.view", work)
    for e in (e1, e2):
        if e:
            ws.flash(session, "error", e)
    return ws.render(
        request,
        "kpi.html",
        {**view, "by": by, "by_options": BY, "since": since, "until": until},
        user=user,
        session=session,
    )


routes = [Route("/kpi", kpi_page)]
