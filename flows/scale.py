"""Scale-out: the nightly flow with its transcription and classification on a Dask cluster.

The flow is the same (``flows.nightly``); only the task runner changes.  Every
submitted stage — transcribe, redact, classify, score — runs on the Dask
workers; reading stored transcripts and every database write stay in the
flow's own process, so the DuckDB file is written by one process.

    run_nightly(input_dir, db, dask="local", dask_workers=2)        # a LocalCluster here
    run_nightly(input_dir, db, dask="tcp://scheduler:8786")          # an existing cluster

Workers on other machines need the project installed and the recordings at
the same path (shared storage); see docs/operations.md.
"""

# No "from __future__ import annotations": the flow's parameter types must be real objects, because
# a served run may rebuild the flow function without this module's globals to resolve strings.

import os

from prefect import flow
from prefect.states import State

from flows.nightly import _nightly_on_dask, nightly_flow
from flows.runners import DASK_ADDRESS_ENV, DASK_WORKERS_ENV, dask_task_runner
from qa_pipeline.pipeline import PipelineOptions
from qa_pipeline.runtime import AsrRuntime, fit_runtime


@flow(name="qa-nightly-dask", log_prints=False)
def nightly_dask_flow(
    input_dir: str,
    db: str,
    manifest: str | None = None,
    options: PipelineOptions | None = None,
    settle_s: float = 1.0,
    runtime: AsrRuntime | None = None,
    dask: str | None = None,
    dask_workers: int | None = None,
) -> State:
    """The nightly flow on a Dask cluster, for deployments.

    The cluster comes from the ``dask`` / ``dask_workers`` parameters (the deployment's), read when the
    run starts; only when they are unset does the run fall back to ``$QA_DASK_ADDRESS`` /
    ``$QA_DASK_WORKERS`` of the process executing it, then to a local cluster of 2 workers.
    """
    address = dask or os.environ.get(DASK_ADDRESS_ENV) or "local"
    n_workers = dask_workers if dask_workers is not None else int(os.environ.get(DASK_WORKERS_ENV, "2"))
    return _nightly_on_dask(
        str(input_dir),
        str(db),
        manifest,
        options or PipelineOptions(),
        settle_s,
        runtime or fit_runtime(workers=1, cores=1),
        address,
        n_workers,
    )


__all__ = ["DASK_ADDRESS_ENV", "DASK_WORKERS_ENV", "dask_task_runner", "nightly_dask_flow", "nightly_flow"]
