"""Coaching: the agent list, an agent's summary and its exports."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from datetime import date

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from qa_pipeline.review import charts, export, summary
from qa_pipeline.review.auth import User
from qa_pipeline.review.report import render_report, report_kpis
from qa_pipeline.review.workspace import BadRequest, download_name, workspace


def _period(request: Request, con: duckdb.DuckDBPyConnection) -> tuple[date, date | None, list[str]]:
    errors = []
    since = until = None
    for name in ("since", "until"):
        raw = (request.query_params.get(name) or "").strip()
        if raw:
            try:
                val = date.fromisoformat(raw)
            except ValueError:
                errors.append(f"'{raw[:40]}' is not a date (use YYYY-MM-DD); {name} was ignored")
                continue
            if name == "since":
                since = val
            else:
                until = val
    return since or summary.default_since(con), until, errors


def _summary_work(request: Request) -> Callable[[duckdb.DuckDBPyConnection, User], tuple]:
    agent_id = request.path_params["agent_id"]

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        since, until, errors = _period(request, con)
        s = summary.agent_summary(con, agent_id, since, until, request.query_params.get("scorecard") or None)
        return s, errors

    return work


async def coach_page(request: Request) -> Response:
    ws = workspace(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        since, _until, errors = _period(request, con)
        return since, errors, summary.agents(con, since)

    session, user, (since, errors, agents) = await ws.authed(request, "coach.view", work)
    for e in errors:
        ws.flash(session, "error", e)
    return ws.render(request, "coach.html", {"agents": agents, "since": since}, user=user, session=session)


async def agent_page(request: Request) -> Response:
    ws = workspace(request)
    session, user, (s, errors) = await ws.authed(request, "coach.view", _summary_work(request))
    for e in errors:
        ws.flash(session, "error", e)
    q = {"since": s.since.isoformat()}
    if s.until:
        q["until"] = s.until.isoformat()
    if s.scorecard_id:
        q["scorecard"] = s.scorecard_id
    return ws.render(
        request,
        "agent.html",
        {
            "s": s,
            "chart": charts.trend_chart(s.trend, s.bucket),
            "bar": charts.rate_bar,
            "query": urllib.parse.urlencode(q),
            "back_here": request.url.path + "?" + urllib.parse.urlencode(q),
        },
        user=user,
        session=session,
    )


async def agent_export(request: Request) -> Response:
    ws = workspace(request)
    fmt = request.query_params.get("format", "csv")
    table = request.query_params.get("table", "rates")
    if fmt not in export.FORMATS or table not in export.TABLES:
        raise BadRequest(f"format must be one of {export.FORMATS} and table one of {export.TABLES}")
    _, _user, (s, _) = await ws.authed(request, "coach.view", _summary_work(request))
    data = await run_in_threadpool(export.export_bytes, s, table, fmt)
    name = download_name(f"agent-{s.agent_id}-{table}-{s.since.isoformat()}.{fmt}")
    ctype = "text/csv; charset=utf-8" if fmt == "csv" else "application/vnd.apache.parquet"
    return Response(data, media_type=ctype, headers={"content-disposition": f'attachment; filename="{name}"'})


async def agent_report(request: Request) -> Response:
    ws = workspace(request)
    summary_work = _summary_work(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        s, _ = summary_work(con, user)
        return s, report_kpis(con, s)

    _, _user, (s, kpis) = await ws.authed(request, "coach.view", work)
    html = render_report(s, kpis)
    name = download_name(f"agent-{s.agent_id}-{s.since.isoformat()}.html")
    return HTMLResponse(html, headers={"content-disposition": f'attachment; filename="{name}"'})


# Agent ids may contain "/" (``{agent_id:path}``); the export and report routes come first so an id
# ending in "/export" or "/report" is read as that page of the agent.
routes = [
    Route("/coach", coach_page),
    Route("/coach/agents/{agent_id:path}/export", agent_export),
    Route("/coach/agents/{agent_id:path}/report", agent_report),
    Route("/coach/agents/{agent_id:path}", agent_page),
]
