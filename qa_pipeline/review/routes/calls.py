"""The call page, its recording, verdict overrides and the reviewed mark."""

from __future__ import annotations

import logging
import urllib.parse

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from qa_pipeline.errors import InputError, NotFoundError, QAPipelineError
from qa_pipeline.review import actions, audit, disputes, queries, scope
from qa_pipeline.review.auth import HOME_BY_ROLE, User
from qa_pipeline.review.playback import RecordingRefused, resolve_recording
from qa_pipeline.review.workspace import SESSION_COOKIE, client_of, safe_next, workspace

logger = logging.getLogger("qa_pipeline.review.app")


def _call_url(call_id: str, back: str) -> str:
    return f"/calls/{urllib.parse.quote(call_id)}" + (f"?{urllib.parse.urlencode({'back': back})}" if back else "")


async def call_page(request: Request) -> Response:
    ws = workspace(request)
    call_id = request.path_params["call_id"]
    client = client_of(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        scope.check_call(con, user, call_id)
        view = queries.call_view(con, call_id)
        people = {
            "disputes": disputes.list_disputes(con, call_id=call_id),
            "comments": disputes.comments(con, call_id),
            "acks": disputes.acknowledged(con, call_id),
        }
        audit.record(con, "call_opened", username=user.username, client=client, call_id=call_id)
        return view, people

    session, user, (view, people) = await ws.authed(request, "call.view", work, write=True)
    back = safe_next(request.query_params.get("back"), "")
    if not back.startswith(("/queue", "/coach", "/calibration", "/me", "/disputes", "/assignments")):
        back = HOME_BY_ROLE.get(user.role, "/queue")
    return ws.render(request, "call.html", {"v": view, "back": back, **people}, user=user, session=session)


async def call_audio(request: Request) -> Response:
    ws = workspace(request)
    call_id = request.path_params["call_id"]

    client = client_of(request)
    first = ws.first_play(request.cookies.get(SESSION_COOKIE, ""), call_id)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
        scope.check_call(con, user, call_id)
        found = queries.recording_of(con, call_id), queries.redaction_spans(con, call_id)
        if first:
            audit.record(con, "call_played", username=user.username, client=client, call_id=call_id)
        return found

    _, _user, ((source, input_dir), spans) = await ws.authed(request, "call.view", work, write=first)
    try:
        path = resolve_recording(source, input_dir, ws.config.recordings)
        rendered = await run_in_threadpool(ws.playback.get_or_render, path, spans)
    except RecordingRefused:
        return PlainTextResponse("recording not available", status_code=404)
    except NotFoundError as e:
        return PlainTextResponse(str(e).split(" under ")[0] + " not found", status_code=404)
    except QAPipelineError as e:
        logger.warning("cannot play %s: %s", call_id, e)
        return PlainTextResponse("recording cannot be decoded", status_code=422)
    return FileResponse(rendered, media_type="audio/wav")  # answers Range requests from the file


async def call_override(request: Request) -> Response:
    ws = workspace(request)
    call_id = request.path_params["call_id"]
    session, data = await ws.signed_in_form(request)
    back = safe_next(data.get("back"), "")

    def work(con: duckdb.DuckDBPyConnection, user: User) -> actions.OverrideResult:
        scope.check_call(con, user, call_id)
        return actions.override_verdict(
            con,
            call_id=call_id,
            scorecard_id=data.get("scorecard_id", ""),
            criterion_id=data.get("criterion_id", ""),
            new_verdict=data.get("verdict", ""),
            reason=data.get("reason", ""),
            username=user.username,
        )

    target = _call_url(call_id, back)
    try:
        _, _user, res = await ws.authed(request, "call.override", work, write=True)
    except InputError as e:
        ws.flash(session, "error", str(e))
        return RedirectResponse(target, status_code=303)
    ws.flash(
        session,
        "ok",
        f"{res.criterion_id}: {res.original_verdict} → {res.new_verdict}. Final score {res.score_before:.1f} → {res.score_after:.1f}.",
    )
    return RedirectResponse(target + f"#crit-{res.scorecard_id}-{res.criterion_id}", status_code=303)


async def call_review(request: Request) -> Response:
    ws = workspace(request)
    call_id = request.path_params["call_id"]
    session, data = await ws.signed_in_form(request)
    back = safe_next(data.get("back"), "")
    undo = data.get("action") == "unmark"
    client = client_of(request)

    def work(con: duckdb.DuckDBPyConnection, user: User) -> None:
        scope.check_call(con, user, call_id)
        if undo:
            actions.unmark_reviewed(con, call_id=call_id, username=user.username, client=client)
        else:
            actions.mark_reviewed(con, call_id=call_id, username=user.username, note=data.get("note"), client=client)

    try:
        await ws.authed(request, "call.review", work, write=True)
    except InputError as e:
        ws.flash(session, "error", str(e))
    else:
        ws.flash(session, "ok", "Marked as not reviewed." if undo else "Call marked as reviewed.")
    if not undo and data.get("next_in_queue") and back.startswith("/queue"):
        return RedirectResponse(back, status_code=303)
    return RedirectResponse(_call_url(call_id, back), status_code=303)


routes = [
    Route("/calls/{call_id}", call_page),
    Route("/calls/{call_id}/audio", call_audio),
    Route("/calls/{call_id}/override", call_override, methods=["POST"]),
    Route("/calls/{call_id}/review", call_review, methods=["POST"]),
]
