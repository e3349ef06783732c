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
from typing import Any

from prefect import flow

from flows.nightly import _nightly, nightly_flow
from flows.runners import DASK_ADDRESS_ENV, DASK_WORKERS_ENV, dask_task_runner
from qa_pipeline.pipeline import PipelineOptions
from qa_pipeline.records import RunSummary
from qa_pipeline.runtime import AsrRuntime, fit_runtime

def _runner_from_env() -> Any:
    return dask_task_runner(os.environ.get(DASK_ADDRESS_ENV, "local"), n_workers=int(os.environ.get(DASK_WORKERS_ENV, "2")))


@flow(name="qa-nightly-dask", log_prints=False, task_runner=_runner_from_env())
def nightly_dask_flow(
    input_dir: str,
    db: str,
    manifest: str | None = None,
    options: PipelineOptions | None = None,
    settle_s: float = 1.0,
    runtime: AsrRuntime | None = None,
) -> RunSummary:
    """The nightly flow on the Dask cluster named by ``$QA_DASK_ADDRESS`` (default: a local one), for deployments."""
    return _nightly(str(input_dir), str(db), manifest, options or PipelineOptions(), settle_s,
                    runtime or fit_runtime(workers=1, cores=1))


__all__ = ["DASK_ADDRESS_ENV", "DASK_WORKERS_ENV", "dask_task_runner", "nightly_dask_flow", "nightly_flow"]
