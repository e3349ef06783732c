"""Sign-in, sign-out and the home redirect."""

from __future__ import annotations

import logging
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from qa_pipeline.review import auth
from qa_pipeline.review.auth import HOME_BY_ROLE, User, csrf_ok
from qa_pipeline.review.workspace import LOGIN_COOKIE, SESSION_COOKIE, CsrfError, safe_next, workspace

logger = logging.getLogger("qa_pipeline.review.app")


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
    resp = ws.render(request, "login.html", {
        "login_csrf": token, "next": safe_next(request.query_params.get("next"), ""), "error": None,
    })
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

    def fail(msg: str) -> Response:
        return ws.render(request, "login.html", {"login_csrf": cookie_token, "next": nxt, "error": msg,
                                                 "username": username}, status=401)

    if ws.throttle.blocked(username.lower()):
        return fail("Too many failed attempts for this user. Wait a minute and try again.")

    def unit() -> User | None:
        with ws.db() as con:
            return auth.authenticate(con, username, password)

    user = await run_in_threadpool(unit)
    if user is None:
        ws.throttle.failed(username.lower())
        logger.info("failed sign-in for %r from %s", username, request.client.host if request.client else "?")
        return fail("Wrong user name or password, or the account is disabled.")
    ws.throttle.succeeded(username.lower())
    ws.sessions.drop(request.cookies.get(SESSION_COOKIE))
    session = ws.sessions.create(user.username)
    resp = RedirectResponse(nxt or HOME_BY_ROLE.get(user.role, "/queue"), status_code=303)
    ws.set_cookie(resp, request, SESSION_COOKIE, session.token, None)
    resp.delete_cookie(LOGIN_COOKIE, path="/")
    logger.info("%s signed in", user.username)
    return resp


async def logout(request: Request) -> Response:
    ws = workspace(request)
    session = ws.session_of(request)
    await ws.form(request, session)
    if session:
        ws.sessions.drop(session.token)
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
