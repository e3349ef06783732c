"""Serve the nightly flow on a cron schedule against a Prefect server.

    prefect server start                                   # once, on the scheduling machine
    export PREFECT_API_URL=http://127.0.0.1:4200/api
    qa-pipeline schedule --cron "0 2 * * *" --input /recordings/today --db /data/qa.duckdb

``serve`` registers a deployment (``qa-nightly/<name>``) with the schedule and
then polls the server: at 02:00 the server creates a flow run and this process
executes it in a subprocess.  Stop it with Ctrl-C (the schedule is paused
while nothing serves it).  The work-pool alternative, where a separate
``prefect worker`` executes the runs, is in docs/operations.md.
"""

from __future__ import annotations

import dataclasses
import logging
import zoneinfo
from typing import Any

from flows.ephemeral import api_url
from qa_pipeline.errors import ConfigError
from qa_pipeline.pipeline import PipelineOptions
from qa_pipeline.runtime import AsrRuntime

logger = logging.getLogger("flows.schedule")

DEFAULT_DEPLOYMENT = "nightly"


def check_server(url: str | None = None, timeout_s: float = 5.0) -> str:
    """Return the API URL after checking that a Prefect server answers there; ConfigError with the fix otherwise."""
    import httpx

    url = url or api_url()
    if not url:
        raise ConfigError(
            "PREFECT_API_URL is not set, so there is no Prefect server to hold the schedule; start one with "
            "'prefect server start' and run: export PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    try:
        response = httpx.get(url.rstrip("/") + "/health", timeout=timeout_s)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ConfigError(
            f"no Prefect server answers at PREFECT_API_URL={url} ({exc}); start it with 'prefect server start' or correct PREFECT_API_URL"
        ) from exc
    return url


def _jsonable(value: Any) -> Any:
    """Dataclass fields as JSON values: sets become sorted lists, tuples lists (the flow validates them back)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def deployment_parameters(
    input_dir: str,
    db: str,
    *,
    manifest: str | None = None,
    options: PipelineOptions | None = None,
    settle_s: float = 1.0,
    runtime: AsrRuntime | None = None,
    dask: str | None = None,
) -> dict[str, Any]:
    """The flow's parameters as JSON-able values (the server stores them; the run validates them back)."""
    params: dict[str, Any] = {"input_dir": str(input_dir), "db": str(db), "settle_s": settle_s}
    if manifest:
        params["manifest"] = str(manifest)
    if options is not None:
        params["options"] = _jsonable(dataclasses.asdict(options))
    if runtime is not None:
        params["runtime"] = _jsonable(dataclasses.asdict(runtime))
    if dask:
        params["dask"] = dask  # the Dask cluster is a deployment parameter, read when each run starts
    return params


def serve_nightly(
    input_dir: str,
    db: str,
    cron: str,
    *,
    name: str = DEFAULT_DEPLOYMENT,
    timezone: str = "UTC",
    manifest: str | None = None,
    options: PipelineOptions | None = None,
    runtime: AsrRuntime | None = None,
    settle_s: float = 1.0,
    dask: str | None = None,
) -> None:
    """Register the deployment with its cron schedule and execute its runs until interrupted."""
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone {timezone!r} is not an IANA time zone; use e.g. UTC, Europe/London, America/New_York"
        ) from None
    try:
        schedule = Cron(cron, timezone=timezone)
    except Exception as exc:
        raise ConfigError(
            f"cron {cron!r} with timezone {timezone!r} is not valid ({exc}); e.g. --cron '0 2 * * *' --timezone Europe/London"
        ) from exc
    check_server()
    from flows.nightly import nightly_flow as target

    params = deployment_parameters(
        input_dir, db, manifest=manifest, options=options, settle_s=settle_s, runtime=runtime, dask=dask
    )
    logger.info("serving %s/%s on %r (%s) with %s", target.name, name, cron, timezone, params)
    target.serve(
        name=name,
        schedule=schedule,
        parameters=params,
        limit=1,  # a run still going when the next is due waits; the run lock forbids two anyway
        tags=["qa-pipeline", "nightly"],
        description=f"qa-pipeline nightly scoring of {input_dir} into {db}",
        entrypoint_type=EntrypointType.MODULE_PATH,
        print_starting_message=True,
    )
