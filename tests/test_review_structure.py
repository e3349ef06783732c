"""The review workspace's code shape (issue #11): routes by area, no god function, handlers registered once."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

import qa_pipeline.review as review_pkg

REVIEW_DIR = Path(review_pkg.__file__).parent


def test_routes_are_module_level_and_errors_are_handled_by_registered_handlers(tmp_path):
    from qa_pipeline.errors import DatabaseBusyError, NotFoundError
    from qa_pipeline.review.app import ServerConfig, create_app
    from qa_pipeline.review.workspace import BadRequest, CsrfError, Forbidden, Redirect

    app = create_app(ServerConfig(tmp_path / "qa.duckdb"))
    assert isinstance(app, Starlette)  # the app itself, middleware registered through Starlette
    handlers = app.exception_handlers
    for exc in (Redirect, Forbidden, CsrfError, BadRequest, NotFoundError, DatabaseBusyError, 404, 500):
        assert exc in handlers, exc
    # Every endpoint is a module-level function of a routes module (no closures inside create_app).
    for route in app.routes:
        endpoint = getattr(route, "endpoint", None)
        if endpoint is None or not callable(endpoint) or not hasattr(endpoint, "__qualname__"):
            continue
        assert "<locals>" not in endpoint.__qualname__, endpoint.__qualname__
        assert endpoint.__module__.startswith("qa_pipeline.review.routes."), endpoint.__module__
    # One error wrapper, not one per route: no try/except for the shared errors inside routes.
    for path in (REVIEW_DIR / "routes").glob("*.py"):
        src = path.read_text()
        assert "except _Redirect" not in src and "except Redirect" not in src, path
