"""Sign-in, sign-out and the home redirect."""

from __future__ import annotations

import logging
import math
import secrets

import anyio
import anyio.to_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from qa_pipeline.review import audit, auth
from qa_pipeline.review.auth import HOME_BY_ROLE, User, csrf_ok
from qa_pipeline.review.workspace import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfError,
    Workspace,
    client_of,
    safe_next,
    workspace,
)

audit_log = logging.getLogger("qa_pipeline.review.audit")


async def home(request: Request) -> Response:
    ws = workspace(request)
    session = ws.session_of(request)
    if session is None:
        return RedirectResponse("/login", status_code=303)

    def unit() -> User | None:
        with ws.db() as con:
            return ws.sessions.user_of(con, session)

    u = await run_in_threadpool(unit)
    if u is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(HOME_BY_ROLE.get(u.role, "/queue"), status_code=303)


async def login_form(request: Request) -> Response:
    ws = workspace(request)
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    resp = ws.render(
        request,
        "login.html",
        {
            "login_csrf": token,
            "next": safe_next(request.query_params.get("next"), ""),
            "error": None,
        },
    )
    ws.set_cookie(resp, request, LOGIN_COOKIE, token, 3600)
    return resp


async def login_submit(request: Request) -> Response:
    ws = workspace(request)
    data = await ws.form(request, None)
    cookie_token = request.cookies.get(LOGIN_COOKIE)
    if not csrf_ok(cookie_token, data.get("csrf")):
        raise CsrfError("login form token does not match its cookie")
    username = data.get("username", "").strip()
    password = data.get("password", "")
    nxt = safe_next(data.get("next"), "")
    client = client_of(request)

    def fail(msg: str) -> Response:
        return ws.render(
            request,
            "login.html",
            {"login_csrf": cookie_token, "next": nxt, "error": msg, "username": username},
            status=401,
        )

    wait = await run_in_threadpool(ws.throttle.blocked, username, client)
    if wait > 0:
        audit_log.warning("throttled sign-in for %r from %s (%.0f s left)", username, client, wait)
        return fail(f"Too many failed attempts for this user. Wait {math.ceil(wait)} s and try again.")

    def read() -> auth.Credentials:
        with ws.db() as con:
            return auth.credentials(con, username)

    creds = await run_in_threadpool(read)
    # Argon2id outside the database lock, at most ws.hash_limiter verifications at a time.
    user = await anyio.to_thread.run_sync(auth.check_password, creds, password, limiter=ws.hash_limiter)
    if user is None:
        throttled = await run_in_threadpool(ws.throttle.failed, username, client)
        audit_log.warning("failed sign-in for %r from %s", username, client)
        await run_in_threadpool(ws.record, "signin_failed", username=username, client=client)
        if throttled:
            audit_log.warning("sign-in for %r from %s throttled after repeated failures", username, client)
            await run_in_threadpool(ws.record, "signin_throttled", username=username, client=client)
        return fail("Wrong user name or password, or the account is disabled.")
    await run_in_threadpool(ws.throttle.succeeded, username, client)
    await anyio.to_thread.run_sync(_signed_in, ws, creds, password, client, limiter=ws.hash_limiter)
    ws.sessions.drop(request.cookies.get(SESSION_COOKIE))
    session = ws.sessions.create(user.username)
    resp = RedirectResponse(nxt or HOME_BY_ROLE.get(user.role, "/queue"), status_code=303)
    ws.set_cookie(resp, request, SESSION_COOKIE, session.token, None)
    resp.delete_cookie(LOGIN_COOKIE, path="/")
    return resp


def _signed_in(ws: Workspace, creds: auth.Credentials, password: str, client: str) -> None:
    """Record the sign-in, upgrading an old-scheme password hash (hashed before the database unit)."""
    assert creds.user is not None
    new_hash = auth.hash_password(password) if auth.needs_rehash(creds.password_hash) else None
    with ws.db(write=True) as con:
        if new_hash is not None:
            auth.upgrade_hash(con, creds.user.username, creds.password_hash, new_hash)
        audit.record(con, "signin_ok", username=creds.user.username, client=client)
    audit_log.info("%s signed in from %s", creds.user.username, client)


async def logout(request: Request) -> Response:
    ws = workspace(request)
    session = ws.session_of(request)
    await ws.form(request, session)
    if session:
        ws.sessions.drop(session.token)
        await run_in_threadpool(ws.record, "signout", username=session.username, client=client_of(request))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


routes = [
    Route("/", home),
    Route("/healthz", healthz),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login_submit, methods=["POST"]),
    Route("/logout", logout, methods=["POST"]),
]
