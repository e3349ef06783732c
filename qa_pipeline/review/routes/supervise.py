"""The review queue, calibration and the run history."""

from __future__ import annotations

import urllib.parse

import duckdb
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qa_pipeline.errors import NotFoundError
from qa_pipeline.review import audit, queries
from qa_pipeline.review.auth import User
from qa_pipeline.review.workspace import workspace

AUDIT_LIMIT = 500


async def queue_page(request: Request) -> Response:
    ws = workspace(request)
    filters, errors = queries.QueueFilters.parse(request.query_params)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        return queries.review_queue(con, filters), queries.filter_options(con)

    session, user, (page, options) = await ws.authed(request, "queue.view", work)
    for e in errors:
        ws.flash(session, "error", e)
    back = "/queue" + (f"?{request.url.query}" if request.url.query else "")
    return ws.render(
        request,
        "queue.html",
        {
            "page": page,
            "options": options,
            "f": filters,
            "back": back,
            "page_url": lambda n: "/queue?" + urllib.parse.urlencode(filters.as_params(page=n)),
        },
        user=user,
        session=session,
    )


async def calibration_page(request: Request) -> Response:
    ws = workspace(request)
    sc = request.query_params.get("scorecard") or None

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        return queries.calibration(con, sc), queries.filter_options(con)

    session, user, (rows, options) = await ws.authed(request, "calibration.view", work)
    return ws.render(
        request, "calibration.html", {"rows": rows, "options": options, "scorecard": sc}, user=user, session=session
    )


async def calibration_detail(request: Request) -> Response:
    ws = workspace(request)
    sc, crit = request.path_params["scorecard_id"], request.path_params["criterion_id"]

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        summary_row = [r for r in queries.calibration(con, sc) if r["criterion_id"] == crit]
        if not summary_row:
            raise NotFoundError(f"no results for criterion {crit!r} of scorecard {sc!r}")
        return summary_row[0], queries.calibration_cases(con, sc, crit)

    session, user, (row, cases) = await ws.authed(request, "calibration.view", work)
    return ws.render(request, "calibration_detail.html", {"row": row, "cases": cases}, user=user, session=session)


async def runs_page(request: Request) -> Response:
    ws = workspace(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        return queries.run_history(con), queries.orphan_failures(con)

    session, user, (runs, orphans) = await ws.authed(request, "runs.view", work)
    return ws.render(request, "runs.html", {"runs": runs, "orphans": orphans}, user=user, session=session)


async def audit_page(request: Request) -> Response:
    ws = workspace(request)
    q = request.query_params
    kind = q.get("kind") if q.get("kind") in audit.KINDS else None
    username = (q.get("user") or "").strip()[:64] or None
    call_id = (q.get("call") or "").strip()[:200] or None

    def work(con: duckdb.DuckDBPyConnection, user: User) -> list[audit.AuditEvent]:
        return audit.recent(con, kind=kind, username=username, call_id=call_id, limit=AUDIT_LIMIT)

    session, user, events = await ws.authed(request, "audit.view", work)
    return ws.render(
        request,
        "audit.html",
        {
            "events": events,
            "kinds": audit.KINDS,
            "kind": kind,
            "username": username,
            "call_id": call_id,
            "limit": AUDIT_LIMIT,
        },
        user=user,
        session=session,
    )


routes = [
    Route("/queue", queue_page),
    Route("/calibration", calibration_page),
    Route("/calibration/{scorecard_id}/{criterion_id}", calibration_detail),
    Route("/runs", runs_page),
    Route("/audit", audit_page),
]
