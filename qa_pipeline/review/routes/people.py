"""Agents and their evaluations: the agent's own page, acknowledgements, disputes and their decision,
comments on a call.  Ownership is checked by :mod:`qa_pipeline.review.scope` in every unit."""

from __future__ import annotations

import urllib.parse

import duckdb
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qa_pipeline.errors import InputError
from qa_pipeline.review import disputes, scope
from qa_pipeline.review.auth import User
from qa_pipeline.review.workspace import BadRequest, client_of, safe_next, workspace


def _call_url(call_id: str, anchor: str = "") -> str:
    return f"/calls/{urllib.parse.quote(call_id)}?back=%2Fme" + (f"#{anchor}" if anchor else "")


async def me_page(request: Request) -> Response:
    ws = workspace(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        mine = scope.own_calls(con, user)
        ids = {r["call_id"] for r in mine}
        theirs = [d for d in disputes.list_disputes(con) if d.call_id in ids]
        return mine, theirs

    session, user, (calls, my_disputes) = await ws.authed(request, "me.view", work)
    return ws.render(request, "me.html", {"calls": calls, "disputes": my_disputes}, user=user, session=session)


async def _call_action(request: Request, permission: str, act, ok: str, anchor: str = "") -> Response:
    """A POST about one call: check the form and the caller's right to the call, run ``act``, flash."""
    ws = workspace(request)
    call_id = request.path_params["call_id"]
    session, data = await ws.signed_in_form(request)
    client = client_of(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> object:
        scope.check_call(con, user, call_id)
        return act(con, user, data, client)

    back = safe_next(data.get("back"), "")
    target = f"/calls/{urllib.parse.quote(call_id)}" + (f"?{urllib.parse.urlencode({'back': back})}" if back else "")
    try:
        await ws.authed(request, permission, work, write=True)
    except InputError as e:
        ws.flash(session, "error", str(e))
        return RedirectResponse(target, status_code=303)
    ws.flash(session, "ok", ok)
    return RedirectResponse(target + (f"#{anchor}" if anchor else ""), status_code=303)


async def acknowledge(request: Request) -> Response:
    def act(con, user, data, client):
        return disputes.acknowledge(
            con,
            call_id=request.path_params["call_id"],
            scorecard_id=data.get("scorecard_id", ""),
            username=user.username,
            client=client,
        )

    return await _call_action(request, "call.acknowledge", act, "Evaluation acknowledged.")


async def dispute(request: Request) -> Response:
    def act(con, user, data, client):
        return disputes.open_dispute(
            con,
            call_id=request.path_params["call_id"],
            scorecard_id=data.get("scorecard_id", ""),
            criterion_id=data.get("criterion_id", ""),
            wanted_verdict=data.get("verdict", ""),
            comment=data.get("comment", ""),
            username=user.username,
            client=client,
        )

    return await _call_action(request, "call.dispute", act, "Dispute sent to QA.", "disputes")


def _seconds(text: str | None) -> float | None:
    """``75``, ``1:15`` or empty -> seconds into the call."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        parts = [float(p) for p in text.split(":")]
    except ValueError:
        raise InputError(f"time {text!r} is not seconds or m:ss (e.g. 1:15)", stage="review") from None
    secs = 0.0
    for p in parts:
        secs = secs * 60 + p
    return secs


async def comment(request: Request) -> Response:
    def act(con, user, data, client):
        return disputes.add_comment(
            con,
            call_id=request.path_params["call_id"],
            body=data.get("body", ""),
            at_s=_seconds(data.get("at")),
            username=user.username,
            client=client,
        )

    return await _call_action(request, "call.comment", act, "Comment added.", "comments")


async def disputes_page(request: Request) -> Response:
    ws = workspace(request)
    status = request.query_params.get("status") or "open"
    if status not in (*disputes.STATUSES, "all"):
        raise BadRequest(f"status {status!r} is not one of open, accepted, rejected, all")

    def work(con: duckdb.DuckDBPyConnection, user: User) -> list[disputes.Dispute]:
        return disputes.list_disputes(con, status=None if status == "all" else status)

    session, user, rows = await ws.authed(request, "disputes.view", work)
    return ws.render(request, "disputes.html", {"rows": rows, "status": status}, user=user, session=session)


async def decide(request: Request) -> Response:
    ws = workspace(request)
    dispute_id = request.path_params["dispute_id"]
    session, data = await ws.signed_in_form(request)
    accept = data.get("decision") == "accept"
    client = client_of(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> disputes.Dispute:
        scope.check_dispute(con, user, dispute_id)
        return disputes.decide(
            con,
            dispute_id=dispute_id,
            accept=accept,
            reason=data.get("reason", ""),
            username=user.username,
            client=client,
        )

    back = safe_next(data.get("back"), "/disputes")
    try:
        _, _user, d = await ws.authed(request, "disputes.decide", work, write=True)
    except InputError as e:
        ws.flash(session, "error", str(e))
    else:
        ws.flash(session, "ok", f"Dispute of {d.criterion_id} {d.status}.")
    return RedirectResponse(back, status_code=303)


routes = [
    Route("/me", me_page),
    Route("/calls/{call_id}/acknowledge", acknowledge, methods=["POST"]),
    Route("/calls/{call_id}/disputes", dispute, methods=["POST"]),
    Route("/calls/{call_id}/comments", comment, methods=["POST"]),
    Route("/disputes", disputes_page),
    Route("/disputes/{dispute_id}/decide", decide, methods=["POST"]),
]
