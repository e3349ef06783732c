"""Exception handlers and the security-headers middleware, registered once on the Starlette app.

Routes raise; these turn the exception into the page the user sees.  Each
handler reaches the workspace through ``request.app.state``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from qa_pipeline.errors import DatabaseBusyError, NotFoundError
from qa_pipeline.review.workspace import BadRequest, CsrfError, Forbidden, Redirect, workspace

logger = logging.getLogger("qa_pipeline.review.app")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000"


async def on_redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.url, status_code=303)


async def on_forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Forbidden)
    ws = workspace(request)
    return ws.error(
        request,
        403,
        "Not for your role",
        f"Your role ({exc.user.role}) cannot open this page.",
        user=exc.user,
        session=ws.session_of(request),
    )


async def on_csrf(request: Request, exc: Exception) -> Response:
    logger.warning("refused POST %s: %s", request.url.path, exc)
    ws = workspace(request)
    return ws.error(
        request,
        403,
        "Form expired",
        "This form could not be verified (it may be from an old page or another site). Go back, reload the page and try again.",
        session=ws.session_of(request),
    )


async def on_bad_request(request: Request, exc: Exception) -> Response:
    return workspace(request).error(request, 400, "Bad request", str(exc))


async def on_not_found(request: Request, exc: Exception) -> Response:
    ws = workspace(request)
    return ws.error(request, 404, "Not found", str(exc), session=ws.session_of(request))


async def on_busy(request: Request, exc: Exception) -> Response:
    logger.warning("database busy: %s", exc)
    return workspace(request).error(
        request, 503, "Database busy", "The nightly run is writing to the database right now. Try again in a moment."
    )


async def on_no_route(request: Request, exc: Exception) -> Response:
    ws = workspace(request)
    return ws.error(request, 404, "Not found", "There is no page at this address.", session=ws.session_of(request))


async def on_server_error(request: Request, exc: Exception) -> Response:
    logger.exception("error on %s", request.url.path, exc_info=exc)
    resp = workspace(request).error(
        request,
        500,
        "Something went wrong",
        "The server hit an error; it is logged. Try again, or tell your administrator.",
    )
    # Starlette answers 500s outside the user middleware, so the headers are added here.
    for k, v in security_headers(is_static=False, https=request.url.scheme == "https").items():
        resp.headers.setdefault(k.decode(), v.decode())
    return resp


Handler = Callable[[Request, Exception], Awaitable[Response]]

EXCEPTION_HANDLERS: dict[int | type[Exception], Handler] = {
    Redirect: on_redirect,
    Forbidden: on_forbidden,
    CsrfError: on_csrf,
    BadRequest: on_bad_request,
    NotFoundError: on_not_found,
    DatabaseBusyError: on_busy,
    404: on_no_route,
    500: on_server_error,
}


def security_headers(*, is_static: bool, https: bool) -> dict[bytes, bytes]:
    extra = {
        b"content-security-policy": CSP.encode(),
        b"x-content-type-options": b"nosniff",
        b"x-frame-options": b"DENY",
        b"referrer-policy": b"same-origin",
    }
    if not is_static:
        extra[b"cache-control"] = b"no-store"
    if https:
        extra[b"strict-transport-security"] = HSTS.encode()
    return extra


class SecurityHeaders:
    """Headers on every response: CSP, no sniffing, no framing, no caching of personal data; HSTS over HTTPS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(
            is_static=scope.get("path", "").startswith("/static/"), https=scope.get("scheme") == "https"
        )

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


class TrustedProxy:
    """Behind a trusted reverse proxy, the request's scheme, client and host are the ones the proxy forwards.

    uvicorn's :class:`ProxyHeadersMiddleware` (the ``--forwarded-allow-ips`` convention) takes the
    scheme from ``X-Forwarded-Proto`` and the client from ``X-Forwarded-For`` when the peer is one of
    ``trusted``; this adds ``X-Forwarded-Host`` (the host the browser asked for) for the same peers, so
    the Origin check, Secure cookies and HSTS follow what the browser sees.  Untrusted peers' headers
    are ignored.
    """

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.proxy = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # type: ignore[arg-type]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and client[0] in self.proxy.trusted_hosts:
            fwd = [v for k, v in scope["headers"] if k == b"x-forwarded-host"]
            if fwd:
                host = fwd[0].split(b",")[0].strip()
                scope = dict(scope)
                scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"host"] + [(b"host", host)]
        await self.proxy(scope, receive, send)  # type: ignore[arg-type]
