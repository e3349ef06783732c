"""The workspace's routes, one module per area; :data:`ROUTES` is what the app mounts."""

from __future__ import annotations

from qa_pipeline.review.routes import assign, calls, coach, drivers, explore, kpi, people, signin, supervise

ROUTES = [
    *signin.routes,
    *calls.routes,
    *supervise.routes,
    *coach.routes,
    *kpi.routes,
    *drivers.routes,
    *people.routes,
    *assign.routes,
    *explore.routes,
]
