"""The review workspace: a Starlette app rendering server-side HTML.

Concurrency design (see docs/review.md): every request opens its own short
DuckDB connection through :func:`qa_pipeline.store.db.connect` (which retries
while the nightly run holds the file), does one unit of work and closes it, so
the file is free for the run between clicks.  Inside this process the units
are serialised by one lock: DuckDB refuses a second connection to the same
file with a different ``read_only`` setting, and the work per unit is a few
milliseconds.  Audio decoding happens outside the lock.
"""

from __future__ import annotations

import logging
import secrets
import threading
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_pipeline.errors import DatabaseBusyError, InputError, NotFoundError, QAPipelineError
from qa_pipeline.review import actions, auth, charts, export, queries, summary
from qa_pipeline.review.auth import HOME_BY_ROLE, LoginThrottle, Session, SessionStore, User, can, csrf_ok
from qa_pipeline.review.playback import PlaybackCache, RecordingRefused, parse_range, resolve_recording
from qa_pipeline.review.formatting import install_filters
from qa_pipeline.store.db import connect

logger = logging.getLogger("qa_pipeline.review.app")

T = TypeVar("T")

SESSION_COOKIE = "qa_session"
LOGIN_COOKIE = "qa_login_csrf"
MAX_FORM_BYTES = 64 * 1024
STATIC_DIR = Path(__file__).parent / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


@dataclass(frozen=True)
class ServerConfig:
    db_path: Path
    recordings: Path | None = None
    busy_timeout_s: float = 15.0
    secure_cookies: bool = False


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


class _Forbidden(Exception):
    def __init__(self, user: User) -> None:
        self.user = user


@dataclass
class Workspace:
    config: ServerConfig
    sessions: SessionStore = field(default_factory=SessionStore)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    playback: PlaybackCache = field(default_factory=PlaybackCache)

    def __post_init__(self) -> None:
        self._db_lock = threading.Lock()
        if self.sessions.opener is None:
            self.sessions.opener = lambda: self.db(write=True)
        self.env = Environment(
            loader=PackageLoader("qa_pipeline.review", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        install_filters(self.env)
        self.env.globals["can"] = can

    # ----------------------------------------------------------------- database

    @contextmanager
    def db(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._db_lock:
            with connect(self.config.db_path, read_only=not write, busy_timeout_s=self.config.busy_timeout_s) as con:
                yield con

    def prepare(self) -> None:
        """Create/migrate the database once at start, read-write, so read-only opens find every table."""
        with self.db(write=True) as con:
            n = con.execute("SELECT count(*) FROM users WHERE NOT disabled").fetchone()[0]
        if n == 0:
            logger.warning("no enabled users in %s; add one with: qa-pipeline users add NAME --role qa_specialist --db %s",
                           self.config.db_path, self.config.db_path)

    # ----------------------------------------------------------------- rendering

    def render(self, request: Request, template: str, ctx: dict[str, Any], *, status: int = 200,
               user: User | None = None, session: Session | None = None) -> HTMLResponse:
        flashes: list[tuple[str, str]] = []
        if session is not None:
            flashes, session.flash = session.flash, []
        html = self.env.get_template(template).render(
            request=request, user=user, csrf=session.csrf if session else None, flashes=flashes,
            path=request.url.path, **ctx,
        )
        return HTMLResponse(html, status_code=status)

    def error(self, request: Request, status: int, title: str, message: str, user: User | None = None,
              session: Session | None = None) -> HTMLResponse:
        return self.render(request, "error.html", {"title": title, "message": message}, status=status, user=user,
                           session=session)

    # ----------------------------------------------------------------- auth plumbing

    def session_of(self, request: Request) -> Session | None:
        return self.sessions.get(request.cookies.get(SESSION_COOKIE))

    async def authed(
        self,
        request: Request,
        permission: str,
        work: Callable[[duckdb.DuckDBPyConnection, User], T],
        *,
        write: bool = False,
    ) -> tuple[Session, User, T]:
        """Run ``work`` for the signed-in user holding ``permission``, in one short connection."""
        session = self.session_of(request)
        if session is None:
            raise _Redirect(_login_url(request))

        def unit() -> tuple[User, T] | None:
            with self.db(write=write) as con:
                user = self.sessions.user_of(con, session)
                if user is None:
                    return None
                if not can(user.role, permission):
                    raise _Forbidden(user)
                return user, work(con, user)

        done = await run_in_threadpool(unit)
        if done is None:  # user deleted or disabled, or signed out on another server, since signing in
            self.sessions.drop(session.token)
            raise _Redirect(_login_url(request))
        user, result = done
        return session, user, result

    async def signed_in_form(self, request: Request) -> tuple[Session, dict[str, str]]:
        """The signed-in session and its checked form; not signed in -> redirect to the sign-in page."""
        session = self.session_of(request)
        if session is None:
            raise _Redirect(_login_url(request))
        return session, await self.form(request, session)

    async def form(self, request: Request, session: Session | None) -> dict[str, str]:
        """The url-encoded form of a POST, after the CSRF and Origin checks."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise _BadRequest("forms must be sent url-encoded")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise _BadRequest("form too large")
        parsed = urllib.parse.parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=50)
        data = {k: v[0] for k, v in parsed.items()}
        origin = request.headers.get("origin")
        if origin and origin != "null":
            expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
            if origin != expected:
                raise _CsrfError(f"cross-origin form from {origin}")
        if session is not None and not csrf_ok(session.csrf, data.get("csrf")):
            raise _CsrfError("missing or wrong CSRF token")
        return data

    def flash(self, session: Session, kind: str, text: str) -> None:
        session.flash.append((kind, text))


class _BadRequest(Exception):
    pass


class _CsrfError(Exception):
    pass


def _login_url(request: Request) -> str:
    if request.method not in ("GET", "HEAD"):
        return "/login"  # a form posted after the session ended: start over from the home page
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?" + urllib.parse.urlencode({"next": nxt})


def _safe_next(value: str | None, default: str) -> str:
    """Only same-site relative paths (no scheme, no host, no backslash tricks)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        return default
    return value


def _set_cookie(resp: Response, request: Request, ws: Workspace, name: str, value: str, max_age: int | None) -> None:
    resp.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", path="/",
        secure=ws.config.secure_cookies or request.url.scheme == "https",
    )


class SecurityHeaders:
    """Headers on every response: CSP, no sniffing, no framing, no caching of personal data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith("/static/")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                }
                if not is_static and b"cache-control" not in names:
                    extra[b"cache-control"] = b"no-store"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


# =========================================================================== routes


def create_app(config: ServerConfig) -> Starlette:
    ws = Workspace(config)
    ws.prepare()

    async def guarded(request: Request, handler: Callable[[], Any]) -> Response:
        try:
            return await handler()
        except _Redirect as r:
            return RedirectResponse(r.url, status_code=303)
        except _Forbidden as f:
            return ws.error(request, 403, "Not for your role",
                            f"Your role ({f.user.role}) cannot open this page.", user=f.user, session=ws.session_of(request))
        except _CsrfError as e:
            logger.warning("refused POST %s: %s", request.url.path, e)
            return ws.error(request, 403, "Form expired",
                            "This form could not be verified (it may be from an old page or another site). "
                            "Go back, reload the page and try again.", session=ws.session_of(request))
        except _BadRequest as e:
            return ws.error(request, 400, "Bad request", str(e))
        except NotFoundError as e:
            return ws.error(request, 404, "Not found", str(e), session=ws.session_of(request))
        except DatabaseBusyError as e:
            logger.warning("database busy: %s", e)
            return ws.error(request, 503, "Database busy",
                            "The nightly run is writing to the database right now. Try again in a moment.")

    # ------------------------------------------------------------- sign-in

    async def home(request: Request) -> Response:
        async def h() -> Response:
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

        return await guarded(request, h)

    async def login_form(request: Request) -> Response:
        token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
        resp = ws.render(request, "login.html", {
            "login_csrf": token, "next": _safe_next(request.query_params.get("next"), ""), "error": None,
        })
        _set_cookie(resp, request, ws, LOGIN_COOKIE, token, 3600)
        return resp

    async def login_submit(request: Request) -> Response:
        async def h() -> Response:
            data = await ws.form(request, None)
            cookie_token = request.cookies.get(LOGIN_COOKIE)
            if not csrf_ok(cookie_token, data.get("csrf")):
                raise _CsrfError("login form token does not match its cookie")
            username = data.get("username", "").strip()
            password = data.get("password", "")
            nxt = _safe_next(data.get("next"), "")

            def fail(msg: str) -> Response:
                resp = ws.render(request, "login.html", {"login_csrf": cookie_token, "next": nxt, "error": msg,
                                                         "username": username}, status=401)
                return resp

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
            old = request.cookies.get(SESSION_COOKIE)
            ws.sessions.drop(old)
            session = ws.sessions.create(user.username)
            resp = RedirectResponse(nxt or HOME_BY_ROLE.get(user.role, "/queue"), status_code=303)
            _set_cookie(resp, request, ws, SESSION_COOKIE, session.token, None)
            resp.delete_cookie(LOGIN_COOKIE, path="/")
            logger.info("%s signed in", user.username)
            return resp

        return await guarded(request, h)

    async def logout(request: Request) -> Response:
        async def h() -> Response:
            session = ws.session_of(request)
            await ws.form(request, session)
            if session:
                ws.sessions.drop(session.token)
            resp = RedirectResponse("/login", status_code=303)
            resp.delete_cookie(SESSION_COOKIE, path="/")
            return resp

        return await guarded(request, h)

    # ------------------------------------------------------------- queue

    async def queue_page(request: Request) -> Response:
        async def h() -> Response:
            filters, errors = queries.QueueFilters.parse(request.query_params)

            def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
                return queries.review_queue(con, filters), queries.filter_options(con)

            session, user, (page, options) = await ws.authed(request, "queue.view", work)
            for e in errors:
                ws.flash(session, "error", e)
            back = "/queue" + (f"?{request.url.query}" if request.url.query else "")
            return ws.render(request, "queue.html", {
                "page": page, "options": options, "f": filters, "back": back,
                "page_url": lambda n: "/queue?" + urllib.parse.urlencode(filters.as_params(page=n)),
            }, user=user, session=session)

        return await guarded(request, h)

    # ------------------------------------------------------------- call page

    async def call_page(request: Request) -> Response:
        call_id = request.path_params["call_id"]

        async def h() -> Response:
            session, user, view = await ws.authed(request, "call.view", lambda con, u: queries.call_view(con, call_id))
            back = _safe_next(request.query_params.get("back"), "")
            if not back.startswith(("/queue", "/coach", "/calibration")):
                back = HOME_BY_ROLE.get(user.role, "/queue")
            return ws.render(request, "call.html", {"v": view, "back": back}, user=user, session=session)

        return await guarded(request, h)

    async def call_audio(request: Request) -> Response:
        call_id = request.path_params["call_id"]

        async def h() -> Response:
            def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
                return queries.recording_of(con, call_id), queries.redaction_spans(con, call_id)

            _, user, ((source, input_dir), spans) = await ws.authed(request, "call.view", work)
            try:
                path = resolve_recording(source, input_dir, config.recordings)
                data = await run_in_threadpool(ws.playback.get_or_render, path, spans)
            except RecordingRefused:
                return PlainTextResponse("recording not available", status_code=404)
            except NotFoundError as e:
                return PlainTextResponse(str(e).split(" under ")[0] + " not found", status_code=404)
            except QAPipelineError as e:
                logger.warning("cannot play %s: %s", call_id, e)
                return PlainTextResponse("recording cannot be decoded", status_code=422)
            size = len(data)
            headers = {"accept-ranges": "bytes", "content-type": "audio/wav"}
            try:
                rng = parse_range(request.headers.get("range"), size)
            except ValueError:
                return Response(status_code=416, headers={"content-range": f"bytes */{size}"})
            if rng is None:
                return Response(data, headers=headers)
            start, end = rng
            headers["content-range"] = f"bytes {start}-{end}/{size}"
            return Response(data[start:end + 1], status_code=206, headers=headers)

        return await guarded(request, h)

    async def call_override(request: Request) -> Response:
        call_id = request.path_params["call_id"]

        async def h() -> Response:
            session, data = await ws.signed_in_form(request)
            back = _safe_next(data.get("back"), "")

            def work(con: duckdb.DuckDBPyConnection, user: User) -> actions.OverrideResult:
                return actions.override_verdict(
                    con, call_id=call_id, scorecard_id=data.get("scorecard_id", ""),
                    criterion_id=data.get("criterion_id", ""), new_verdict=data.get("verdict", ""),
                    reason=data.get("reason", ""), username=user.username,
                )

            target = f"/calls/{urllib.parse.quote(call_id)}" + (f"?{urllib.parse.urlencode({'back': back})}" if back else "")
            try:
                _, user, res = await ws.authed(request, "call.override", work, write=True)
            except InputError as e:
                ws.flash(session, "error", str(e))
                return RedirectResponse(target, status_code=303)
            ws.flash(session, "ok",
                     f"{res.criterion_id}: {res.original_verdict} → {res.new_verdict}. "
                     f"Final score {res.score_before:.1f} → {res.score_after:.1f}.")
            return RedirectResponse(target + f"#crit-{res.scorecard_id}-{res.criterion_id}", status_code=303)

        return await guarded(request, h)

    async def call_review(request: Request) -> Response:
        call_id = request.path_params["call_id"]

        async def h() -> Response:
            session, data = await ws.signed_in_form(request)
            back = _safe_next(data.get("back"), "")
            undo = data.get("action") == "unmark"

            def work(con: duckdb.DuckDBPyConnection, user: User) -> None:
                if undo:
                    actions.unmark_reviewed(con, call_id=call_id)
                else:
                    actions.mark_reviewed(con, call_id=call_id, username=user.username, note=data.get("note"))

            try:
                await ws.authed(request, "call.review", work, write=True)
            except InputError as e:
                ws.flash(session, "error", str(e))
            else:
                ws.flash(session, "ok", "Marked as not reviewed." if undo else "Call marked as reviewed.")
            if not undo and data.get("next_in_queue") and back.startswith("/queue"):
                return RedirectResponse(back, status_code=303)
            target = f"/calls/{urllib.parse.quote(call_id)}" + (f"?{urllib.parse.urlencode({'back': back})}" if back else "")
            return RedirectResponse(target, status_code=303)

        return await guarded(request, h)

    # ------------------------------------------------------------- calibration

    async def calibration_page(request: Request) -> Response:
        async def h() -> Response:
            sc = request.query_params.get("scorecard") or None

            def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
                return queries.calibration(con, sc), queries.filter_options(con)

            session, user, (rows, options) = await ws.authed(request, "calibration.view", work)
            return ws.render(request, "calibration.html", {"rows": rows, "options": options, "scorecard": sc},
                             user=user, session=session)

        return await guarded(request, h)

    async def calibration_detail(request: Request) -> Response:
        sc, crit = request.path_params["scorecard_id"], request.path_params["criterion_id"]

        async def h() -> Response:
            def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
                summary_row = [r for r in queries.calibration(con, sc) if r["criterion_id"] == crit]
                if not summary_row:
                    raise NotFoundError(f"no results for criterion {crit!r} of scorecard {sc!r}")
                return summary_row[0], queries.calibration_cases(con, sc, crit)

            session, user, (row, cases) = await ws.authed(request, "calibration.view", work)
            return ws.render(request, "calibration_detail.html", {"row": row, "cases": cases},
                             user=user, session=session)

        return await guarded(request, h)

    # ------------------------------------------------------------- coach

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

    async def coach_page(request: Request) -> Response:
        async def h() -> Response:
            def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
                since, until, errors = _period(request, con)
                return since, errors, summary.agents(con, since)

            session, user, (since, errors, agents) = await ws.authed(request, "coach.view", work)
            for e in errors:
                ws.flash(session, "error", e)
            return ws.render(request, "coach.html", {"agents": agents, "since": since}, user=user, session=session)

        return await guarded(request, h)

    def _summary_work(request: Request) -> Callable[[duckdb.DuckDBPyConnection, User], tuple]:
        agent_id = request.path_params["agent_id"]

        def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
            since, until, errors = _period(request, con)
            s = summary.agent_summary(con, agent_id, since, until, request.query_params.get("scorecard") or None)
            return s, errors

        return work

    async def agent_page(request: Request) -> Response:
        async def h() -> Response:
            session, user, (s, errors) = await ws.authed(request, "coach.view", _summary_work(request))
            for e in errors:
                ws.flash(session, "error", e)
            q = {"since": s.since.isoformat()}
            if s.until:
                q["until"] = s.until.isoformat()
            if s.scorecard_id:
                q["scorecard"] = s.scorecard_id
            return ws.render(request, "agent.html", {
                "s": s, "chart": charts.trend_chart(s.trend, s.bucket), "bar": charts.rate_bar,
                "query": urllib.parse.urlencode(q), "back_here": request.url.path + "?" + urllib.parse.urlencode(q),
            }, user=user, session=session)

        return await guarded(request, h)

    async def agent_export(request: Request) -> Response:
        async def h() -> Response:
            fmt = request.query_params.get("format", "csv")
            table = request.query_params.get("table", "rates")
            if fmt not in export.FORMATS or table not in export.TABLES:
                raise _BadRequest(f"format must be one of {export.FORMATS} and table one of {export.TABLES}")
            _, user, (s, _) = await ws.authed(request, "coach.view", _summary_work(request))
            data = await run_in_threadpool(export.export_bytes, s, table, fmt)
            name = _download_name(f"agent-{s.agent_id}-{table}-{s.since.isoformat()}.{fmt}")
            ctype = "text/csv; charset=utf-8" if fmt == "csv" else "application/vnd.apache.parquet"
            return Response(data, media_type=ctype, headers={"content-disposition": f'attachment; filename="{name}"'})

        return await guarded(request, h)

    async def agent_report(request: Request) -> Response:
        async def h() -> Response:
            from qa_pipeline.review.report import render_report

            _, user, (s, _) = await ws.authed(request, "coach.view", _summary_work(request))
            html = render_report(s)
            name = _download_name(f"agent-{s.agent_id}-{s.since.isoformat()}.html")
            return HTMLResponse(html, headers={"content-disposition": f'attachment; filename="{name}"'})

        return await guarded(request, h)

    # ------------------------------------------------------------- runs

    async def runs_page(request: Request) -> Response:
        async def h() -> Response:
            def work(con: duckdb.DuckDBPyConnection, user: User) -> tuple:
                return queries.run_history(con), queries.orphan_failures(con)

            session, user, (runs, orphans) = await ws.authed(request, "runs.view", work)
            return ws.render(request, "runs.html", {"runs": runs, "orphans": orphans}, user=user, session=session)

        return await guarded(request, h)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def not_found(request: Request, exc: Exception) -> Response:
        return ws.error(request, 404, "Not found", "There is no page at this address.", session=ws.session_of(request))

    async def server_error(request: Request, exc: Exception) -> Response:
        logger.exception("error on %s", request.url.path, exc_info=exc)
        return ws.error(request, 500, "Something went wrong",
                        "The server hit an error; it is logged. Try again, or tell your administrator.")

    routes = [
        Route("/", home),
        Route("/healthz", healthz),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/queue", queue_page),
        Route("/calls/{call_id}", call_page),
        Route("/calls/{call_id}/audio", call_audio),
        Route("/calls/{call_id}/override", call_override, methods=["POST"]),
        Route("/calls/{call_id}/review", call_review, methods=["POST"]),
        Route("/calibration", calibration_page),
        Route("/calibration/{scorecard_id}/{criterion_id}", calibration_detail),
        Route("/coach", coach_page),
        Route("/coach/agents/{agent_id}", agent_page),
        Route("/coach/agents/{agent_id}/export", agent_export),
        Route("/coach/agents/{agent_id}/report", agent_report),
        Route("/runs", runs_page),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 500: server_error})
    app.state.workspace = ws
    return SecurityHeaders(app)  # type: ignore[return-value]


def _download_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:120]


def serve(config: ServerConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the workspace with uvicorn until interrupted."""
    import uvicorn

    if host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning(
            "serving on %s: the workspace speaks plain HTTP; put it behind a TLS reverse proxy and pass "
            "--secure-cookies", host,
        )
    app = create_app(config)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False,
                server_header=False, date_header=True, timeout_graceful_shutdown=5)
