"""The contact-drivers page (supervisors): what customers call about, groups of calls with weekly trend."""

from __future__ import annotations

from typing import Any

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qa_pipeline.classify.encoder import sentence_embeddings
from qa_pipeline.drivers_report import DriverSummary, Statement, problem_statements, statement_vectors, summarise
from qa_pipeline.review import charts
from qa_pipeline.review.auth import User
from qa_pipeline.review.routes.kpi import _day
from qa_pipeline.review.workspace import workspace

MAX_K = 30


def _groups(statements: list[Statement], k: int | None) -> list[DriverSummary]:
    """Clustering (and embedding the statements with no stored vectors), outside the database connection."""
    if not statements:
        return []
    k = min(k, len(statements)) if k else None
    return summarise(statements, statement_vectors(statements, sentence_embeddings), k=k)


async def drivers_page(request: Request) -> Response:
    ws = workspace(request)
    q = request.query_params
    since, e1 = _day(q.get("since"))
    until, e2 = _day(q.get("until"))
    raw_k = q.get("k") or ""
    k = int(raw_k) if raw_k.isdigit() and 1 <= int(raw_k) <= MAX_K else None
    e3 = f"{raw_k!r} is not a number of groups (1..{MAX_K}); chosen automatically" if raw_k and k is None else None

    def work(con: duckdb.DuckDBPyConnection, user: User) -> list[Statement]:
        return problem_statements(con, since, until)

    session, user, statements = await ws.authed(request, "drivers.view", work)
    for e in (e1, e2, e3):
        if e:
            ws.flash(session, "error", e)
    groups = await run_in_threadpool(_groups, statements, k)
    rows: list[dict[str, Any]] = [
        {
            "group": g,
            "chart": charts.week_columns(g.weekly, label=f"Calls per week: {g.name}", highlight_last=g.new),
        }
        for g in groups
    ]
    weeks = groups[0].weekly if groups else []
    return ws.render(
        request,
        "drivers.html",
        {"rows": rows, "calls": len(statements), "weeks": weeks, "since": since, "until": until, "k": k},
        user=user,
        session=session,
    )


routes = [Route("/drivers", drivers_page)]
