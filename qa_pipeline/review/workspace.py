"""What every route shares: the server's configuration, the database unit of work, templates, sign-in checks.

Concurrency design (see docs/review.md): every request opens its own short
DuckDB connection through :func:`qa_pipeline.store.db.connect` (which retries
while the nightly run holds the file), does one unit of work and closes it, so
the file is free for the run between clicks.  Inside this process the units
are serialised by one lock: DuckDB refuses a second connection to the same
file with a different ``read_only`` setting, and the work per unit is a few
milliseconds.  Audio decoding and password hashing happen outside the lock.

Routes reach the :class:`Workspace` through ``request.app.state.workspace``
(:func:`workspace`); failures are raised as the exceptions below and turned
into pages by the handlers registered once in :mod:`qa_pipeline.review.handlers`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio
import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from qa_pipeline.review import audit
from qa_pipeline.review.auth import Session, SessionStore, User, can, csrf_ok
from qa_pipeline.review.formatting import install_filters
from qa_pipeline.review.playback import PlaybackCache
from qa_pipeline.review.throttle import LoginThrottle
from qa_pipeline.store.db import connect

logger = logging.getLogger("qa_pipeline.review.app")

T = TypeVar("T")

SESSION_COOKIE = "qa_session"
LOGIN_COOKIE = "qa_login_csrf"
MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 50


@dataclass(frozen=True)
class ServerConfig:
    db_path: Path
    recordings: Path | None = None
    busy_timeout_s: float = 15.0
    secure_cookies: bool = False
    # Peers whose X-Forwarded-Proto/-For/-Host are believed (uvicorn's --forwarded-allow-ips form:
    # comma-separated addresses or networks, "*" for any); None trusts no proxy.
    forwarded_allow_ips: str | None = None
    # Folder of rendered (redacted) playback WAVs; None: a private temporary folder removed at exit.
    playback_cache: Path | None = None
    # what the weekly-sample form on /assignments offers (settings: [review] sample_quota / sample_seed)
    sample_quota: int = 5
    sample_seed: int = 0


class Redirect(Exception):
    """Answer with a 303 to ``url`` (not signed in, session ended)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class Forbidden(Exception):
    """The signed-in user's role may not do this."""

    def __init__(self, user: User) -> None:
        super().__init__(user.role)
        self.user = user


class BadRequest(Exception):
    """A malformed request: answered 400 with the message."""


class CsrfError(Exception):
    """A POST that fails the CSRF token or Origin check: answered 403."""


@dataclass
class Workspace:
    config: ServerConfig
    sessions: SessionStore = field(default_factory=SessionStore)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    playback: PlaybackCache = field(init=False)

    def __post_init__(self) -> None:
        self.playback = PlaybackCache(self.config.playback_cache)
        self._db_lock = threading.Lock()
        self._played_lock = threading.Lock()
        # Password verifications run on at most half the cores at once, queued first come first served.
        self.hash_limiter = anyio.CapacityLimiter(max(1, (os.cpu_count() or 2) // 2))
        if self.sessions.opener is None:
            self.sessions.opener = lambda: self.db(write=True)
        if self.throttle.opener is None:  # the counters survive a restart (login_throttle table)
            self.throttle.opener = lambda: self.db(write=True)
        self.env = Environment(
            loader=PackageLoader("qa_pipeline.review", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        install_filters(self.env)
        self.env.globals["can"] = can
        self._played: dict[tuple[str, str], float] = {}

    # ----------------------------------------------------------------- database

    @contextmanager
    def db(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with (
            self._db_lock,
            connect(self.config.db_path, read_only=not write, busy_timeout_s=self.config.busy_timeout_s) as con,
        ):
            yield con

    def record(
        self,
        kind: str,
        *,
        username: str | None,
        client: str | None,
        call_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        """One audit event in its own short write unit (call from a worker thread)."""
        with self.db(write=True) as con:
            audit.record(con, kind, username=username, client=client, call_id=call_id, detail=detail)

    def first_play(self, token: str, call_id: str, every_s: float = 1800.0) -> bool:
        """True the first time a session fetches a call's audio in ``every_s`` (the browser's many range
        requests count as one play in the audit trail)."""
        now = time.monotonic()
        with self._played_lock:
            last = self._played.get((token, call_id))
            if last is not None and now - last < every_s:
                return False
            if len(self._played) > 10_000:
                self._played.clear()
            self._played[(token, call_id)] = now
            return True

    def prepare(self) -> None:
        """Create/migrate the database once at start, read-write, so read-only opens find every table."""
        with self.db(write=True) as con:
            n = con.execute("SELECT count(*) FROM users WHERE NOT disabled").fetchall()[0][0]
        if n == 0:
            logger.warning(
                "no enabled users in %s; add one with: qa-pipeline users add NAME --role qa_specialist --db %s",
                self.config.db_path,
                self.config.db_path,
            )

    # ----------------------------------------------------------------- rendering

    def render(
        self,
        request: Request,
        template: str,
        ctx: dict[str, Any],
        *,
        status: int = 200,
        user: User | None = None,
        session: Session | None = None,
    ) -> HTMLResponse:
        flashes: list[tuple[str, str]] = []
        if session is not None:
            flashes, session.flash = session.flash, []
        html = self.env.get_template(template).render(
            request=request,
            user=user,
            csrf=session.csrf if session else None,
            flashes=flashes,
            path=request.url.path,
            **ctx,
        )
        return HTMLResponse(html, status_code=status)

    def error(
        self,
        request: Request,
        status: int,
        title: str,
        message: str,
        user: User | None = None,
        session: Session | None = None,
    ) -> HTMLResponse:
        return self.render(
            request, "error.html", {"title": title, "message": message}, status=status, user=user, session=session
        )

    # ----------------------------------------------------------------- sign-in checks

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
        """Run ``work`` for the signed-in user holding ``permission``, in one short connection.

        The session's row, the user's role and the work share that connection, so a sign-out or role
        change on any server applies to the very next request.
        """
        session = self.session_of(request)
        if session is None:
            raise Redirect(login_url(request))

        def unit() -> tuple[User, T] | None:
            with self.db(write=write) as con:
                user = self.sessions.user_of(con, session)
                if user is None:
                    return None
                if not can(user.role, permission):
                    raise Forbidden(user)
                return user, work(con, user)

        done = await run_in_threadpool(unit)
        if done is None:  # user deleted or disabled, or signed out on another server, since signing in
            self.sessions.drop(session.token)
            raise Redirect(login_url(request))
        user, result = done
        return session, user, result

    async def signed_in_form(self, request: Request) -> tuple[Session, dict[str, str]]:
        """The signed-in session and its checked form; not signed in -> redirect to the sign-in page."""
        session = self.session_of(request)
        if session is None:
            raise Redirect(login_url(request))
        return session, await self.form(request, session)

    async def form(self, request: Request, session: Session | None) -> dict[str, str]:
        """The url-encoded form of a POST, after the CSRF and Origin checks."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise BadRequest("forms must be sent url-encoded")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise BadRequest("form too large")
        try:
            parsed = urllib.parse.parse_qs(
                body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS
            )
        except ValueError:
            raise BadRequest(f"form has more than {MAX_FORM_FIELDS} fields") from None
        data = {k: v[0] for k, v in parsed.items()}
        origin = request.headers.get("origin")
        if origin and origin != "null":
            expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
            if origin != expected:
                raise CsrfError(f"cross-origin form from {origin} (this server is {expected})")
        if session is not None and not csrf_ok(session.csrf, data.get("csrf")):
            raise CsrfError("missing or wrong CSRF token")
        return data

    def flash(self, session: Session, kind: str, text: str) -> None:
        session.flash.append((kind, text))

    def set_cookie(self, resp: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
        resp.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            samesite="lax",
            path="/",
            secure=self.config.secure_cookies or request.url.scheme == "https",
        )


def workspace(request: Request) -> Workspace:
    """The workspace the app was created with (``app.state.workspace``)."""
    return request.app.state.workspace


def client_of(request: Request) -> str:
    """The client's address (the one a trusted proxy forwarded, see ``--forwarded-allow-ips``)."""
    return request.client.host if request.client else "?"


def login_url(request: Request) -> str:
    if request.method not in ("GET", "HEAD"):
        return "/login"  # a form posted after the session ended: start over from the home page
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?" + urllib.parse.urlencode({"next": nxt})


def safe_next(value: str | None, default: str) -> str:
    """Only same-site relative paths (no scheme, no host, no backslash tricks)."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 for c in value)
    ):
        return default
    return value


def download_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)[:120]
