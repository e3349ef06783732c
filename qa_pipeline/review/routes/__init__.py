"""The workspace's routes, one module per area; :data:`ROUTES` is what the app mounts."""

from __future__ import annotations

from qa_pipeline.review.routes import calls, coach, explore, signin, supervise

ROUTES = [*signin.routes, *calls.routes, *supervise.routes, *coach.routes, *explore.routes]
