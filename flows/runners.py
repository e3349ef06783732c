"""Task runners for the nightly flow: a Dask cluster, local or remote (threads are Prefect's own)."""

from __future__ import annotations

from typing import Any

from qa_pipeline.errors import ConfigError

DASK_ADDRESS_ENV = "QA_DASK_ADDRESS"
DASK_WORKERS_ENV = "QA_DASK_WORKERS"


def dask_task_runner(address: str = "local", *, n_workers: int = 2, threads_per_worker: int = 1) -> Any:
    """A ``DaskTaskRunner``: ``"local"`` starts a LocalCluster of ``n_workers`` processes, else connects to ``address``."""
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:  # pragma: no cover - prefect-dask is a pinned dependency
        raise ConfigError("the Dask task runner needs prefect-dask; run: pip install prefect-dask==0.3.7") from exc
    if address == "local":
        if n_workers < 1:
            raise ConfigError(f"dask workers {n_workers}: start at least 1")
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": n_workers,
                "threads_per_worker": threads_per_worker,
                "processes": True,
                "dashboard_address": None,
            },
        )
    if "://" not in address:
        raise ConfigError(f"dask address {address!r} is neither 'local' nor a scheduler address like tcp://host:8786")
    return DaskTaskRunner(address=address)
