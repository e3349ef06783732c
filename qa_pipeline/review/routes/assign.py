"""Review assignment (the weekly sample, claims, assignments, workload) and blind calibration sessions."""

from __future__ import annotations

import urllib.parse

import duckdb
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qa_pipeline.errors import InputError
from qa_pipeline.review import assignment, blind_calibration
from qa_pipeline.review.auth import User
from qa_pipeline.review.workspace import BadRequest, client_of, workspace


async def assignments_page(request: Request) -> Response:
    ws = workspace(request)
    mine = request.query_params.get("mine") == "1"

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        rows = assignment.assignments(con, reviewer=user.username if mine else None)
        return rows, assignment.workload(con)

    session, user, (rows, load) = await ws.authed(request, "assign.view", work)
    return ws.render(
        request,
        "assignments.html",
        {
            "rows": rows,
            "workload": load,
            "mine": mine,
            "sample_quota": ws.config.sample_quota,
            "sample_seed": ws.config.sample_seed,
        },
        user=user,
        session=session,
    )


def _int(value: str | None, what: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        raise BadRequest(f"{what} {value!r} is not a whole number") from None


async def _post(request: Request, permission: str, act, ok: str, target: str) -> Response:
    ws = workspace(request)
    session, data = await ws.signed_in_form(request)
    client = client_of(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> object:
        return act(con, user, data, client)

    try:
        _, _user, result = await ws.authed(request, permission, work, write=True)
    except InputError as e:
        ws.flash(session, "error", str(e))
        return RedirectResponse(target.replace("/{result}", ""), status_code=303)
    ws.flash(session, "ok", ok.format(result=result))
    return RedirectResponse(target if not isinstance(result, str) else target.format(result=result), status_code=303)


async def claim(request: Request) -> Response:
    def act(con, user, data, client):
        assignment.claim(con, call_id=data.get("call_id", ""), username=user.username, client=client)

    return await _post(request, "call.review", act, "Call claimed.", "/assignments")


async def assign(request: Request) -> Response:
    def act(con, user, data, client):
        assignment.assign(
            con,
            call_id=data.get("call_id", ""),
            reviewer=data.get("reviewer", "").strip(),
            username=user.username,
            client=client,
        )

    return await _post(request, "assign.manage", act, "Call assigned.", "/assignments")


async def sample(request: Request) -> Response:
    def act(con, user, data, client):
        s = assignment.draw_sample(
            con,
            week=data.get("week", ""),
            quota=_int(data.get("quota"), "quota"),
            seed=_int(data.get("seed") or "0", "seed"),
            username=user.username,
        )
        return s.total

    return await _post(request, "assign.manage", act, "{result} calls sampled.", "/assignments")


async def sessions_page(request: Request) -> Response:
    ws = workspace(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> list:
        return blind_calibration.list_sessions(con)

    session, user, rows = await ws.authed(request, "sessions.view", work)
    return ws.render(request, "sessions.html", {"rows": rows}, user=user, session=session)


async def session_open(request: Request) -> Response:
    def act(con, user, data, client):
        return blind_calibration.open_session(
            con,
            call_id=data.get("call_id", "").strip(),
            scorecard_id=data.get("scorecard_id", "").strip(),
            username=user.username,
            client=client,
        )

    return await _post(request, "sessions.manage", act, "Calibration session {result} opened.", "/sessions/{result}")


async def session_page(request: Request) -> Response:
    ws = workspace(request)
    sid = request.path_params["session_id"]

    def work(con: duckdb.DuckDBPyConnection, user: User) -> dict:
        return blind_calibration.session_view(con, sid, user.username)

    session, user, view = await ws.authed(request, "sessions.view", work)
    return ws.render(request, "session.html", {"s": view}, user=user, session=session)


async def session_score(request: Request) -> Response:
    sid = request.path_params["session_id"]

    def act(con, user, data, client):
        verdicts = {k[2:]: v for k, v in data.items() if k.startswith("v_") and v}
        return blind_calibration.submit(con, session_id=sid, username=user.username, verdicts=verdicts, client=client)

    target = f"/sessions/{urllib.parse.quote(sid)}"
    return await _post(request, "sessions.view", act, "{result} verdicts saved.", target)


async def session_close(request: Request) -> Response:
    sid = request.path_params["session_id"]

    def act(con, user, data, client):
        blind_calibration.close_session(con, session_id=sid, username=user.username, client=client)

    target = f"/sessions/{urllib.parse.quote(sid)}"
    return await _post(request, "sessions.manage", act, "Session closed: verdicts revealed.", target)


routes = [
    Route("/assignments", assignments_page),
    Route("/assignments/claim", claim, methods=["POST"]),
    Route("/assignments/assign", assign, methods=["POST"]),
    Route("/assignments/sample", sample, methods=["POST"]),
    Route("/sessions", sessions_page),
    Route("/sessions", session_open, methods=["POST"]),
    Route("/sessions/{session_id}", session_page),
    Route("/sessions/{session_id}/score", session_score, methods=["POST"]),
    Route("/sessions/{session_id}/close", session_close, methods=["POST"]),
]
