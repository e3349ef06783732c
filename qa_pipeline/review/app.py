"""The review workspace: a Starlette app rendering server-side HTML.

The pieces: :mod:`~qa_pipeline.review.workspace` (configuration, the database
unit of work, templates, sign-in checks), :mod:`~qa_pipeline.review.handlers`
(exception handlers and security headers, registered once here) and
:mod:`~qa_pipeline.review.routes` (one module per area).
"""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from qa_pipeline.review.handlers import EXCEPTION_HANDLERS, SecurityHeaders, TrustedProxy
from qa_pipeline.review.routes import ROUTES
from qa_pipeline.review.workspace import ServerConfig, Workspace

__all__ = ["ServerConfig", "create_app", "serve"]

logger = logging.getLogger("qa_pipeline.review.app")

STATIC_DIR = Path(__file__).parent / "static"


def create_app(config: ServerConfig) -> Starlette:
    ws = Workspace(config)
    ws.prepare()
    middleware = [Middleware(SecurityHeaders)]
    if config.forwarded_allow_ips:
        middleware.insert(0, Middleware(TrustedProxy, trusted=config.forwarded_allow_ips))
    app = Starlette(
        routes=[*ROUTES, Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")],
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    app.state.workspace = ws
    return app


def serve(config: ServerConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the workspace with uvicorn until interrupted."""
    import uvicorn

    if host not in ("127.0.0.1", "localhost", "::1") and not config.forwarded_allow_ips:
        logger.warning(
            "serving on %s: the workspace speaks plain HTTP; put it behind a TLS reverse proxy and pass "
            "--forwarded-allow-ips with the proxy's address (see docs/operations.md)",
            host,
        )
    # Sign-ins and failures are printed (the CLI's root logger shows warnings only).
    logging.getLogger("qa_pipeline.review.audit").setLevel(logging.INFO)
    app = create_app(config)
    # Forwarded headers are handled inside the app (TrustedProxy), from config.forwarded_allow_ips only.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        date_header=True,
        timeout_graceful_shutdown=5,
    )
