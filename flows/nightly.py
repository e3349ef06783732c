"""The nightly scoring flow: :func:`qa_pipeline.run.run` with one Prefect task per stage.

    discover ─► transcribe ─► redact ─► classify ─► score ─► store
                (decode, VAD, ASR, who spoke)

The run policy — skip complete calls, resume stored transcripts, one writer,
at most ``runtime.workers`` calls in ASR, failures recorded, ok / partial /
failed, the run lock — is the library's (``qa_pipeline/run.py``), and the
stage order is the spine's (``qa_pipeline/stages.py``).  This module only
adds Prefect: each stage is a task the task runner executes (threads, or a
Dask cluster via ``flows/scale.py``), each database step a task called in the
flow's own thread, with retries for transient errors — bad input is not
retried (it fails the same way every time), a busy database or a lost worker
is — and a markdown artifact summing up the run.  Prefect's temporary API
server that a ``kill -9``'d run leaves behind is stopped by the next run
(``flows/ephemeral.py``).
"""

# No "from __future__ import annotations": the flow's parameter types must be real objects, because
# a served run may rebuild the flow function without this module's globals to resolve strings.

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.states import Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque

from flows.ephemeral import api_url, reap_orphaned_servers, temporary_server_settings
from flows.runners import dask_task_runner
from qa_pipeline import run as runner
from qa_pipeline.errors import DatabaseBusyError, QAPipelineError
from qa_pipeline.ingest import Discovery, Problem
from qa_pipeline.pipeline import PipelineOptions
from qa_pipeline.records import CallAnalysis, RunSummary
from qa_pipeline.redact.types import RedactionOptions
from qa_pipeline.runtime import AsrRuntime, available_cores, fit_runtime
from qa_pipeline.stages import CallSource, classify_stage, redact_stage, score_stage, transcribe_source

T = TypeVar("T")

_progress_listeners: list[Callable[[str, str], None]] = []


def add_progress_listener(fn: Callable[[str, str], None]) -> None:
    """``fn(event, detail)`` is called for ``found``, ``done``, ``skipped``, ``failed`` and ``problem`` events."""
    _progress_listeners.append(fn)


def remove_progress_listener(fn: Callable[[str, str], None]) -> None:
    if fn in _progress_listeners:
        _progress_listeners.remove(fn)


def _notify(event: str, detail: str) -> None:
    for fn in list(_progress_listeners):
        fn(event, detail)


def default_workers() -> int:
    return available_cores()


# Errors worth another try: the database was busy, a file system or network
# hiccup, a worker that ran out of memory or was lost.  Everything else — bad
# input, a missing model, a bug — fails the same way the second time.
_TRANSIENT_NAMES = {"CommClosedError", "KilledWorker", "IOException", "TransactionException"}


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DatabaseBusyError):
        return True
    if isinstance(exc, QAPipelineError):
        return False
    if isinstance(exc, (ConnectionError, TimeoutError, MemoryError)):
        return True
    if isinstance(exc, OSError) and not isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError)):
        return True
    return type(exc).__name__ in _TRANSIENT_NAMES


def _retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    try:
        state.result()
    except BaseException as exc:  # noqa: BLE001 - we only classify it
        return is_transient(exc)
    return False


# --- database steps: called in the flow's thread (the one writer) ---------------------------


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(
    input_dir: str, manifest: str | None, settle_s: float, columns: tuple[tuple[str, str], ...] = ()
) -> Discovery:
    found = runner.discover_calls(input_dir, manifest, settle_s, columns)
    get_run_logger().info(
        "found %d recordings, %d problems, %d duplicates",
        len(found.recordings),
        len(found.problems),
        len(found.duplicates),
    )
    return found


@task(name="check-done", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def stored_state_task(db: str, call_ids: list[str]) -> dict[str, str]:
    return runner.call_statuses(db, call_ids)


@task(
    name="reconcile-metadata",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=2,
    retry_condition_fn=_retry_transient,
)
def reconcile_metadata_task(db: str, recordings: list) -> tuple[dict[str, str], int]:
    return runner.reconcile_metadata(db, recordings)


@task(
    name="load-transcript", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2, retry_condition_fn=_retry_transient
)
def load_transcript_task(db: str, call_id: str) -> CallAnalysis:
    return runner.load_transcript(db, call_id)


@task(
    name="store", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[1, 5, 15], retry_condition_fn=_retry_transient
)
def store_task(db: str, run_id: str, analysis: CallAnalysis, status: str = "complete") -> str:
    return runner.store_call(db, run_id, analysis, status)


@task(
    name="record-failures", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2, retry_condition_fn=_retry_transient
)
def record_failures_task(db: str, run_id: str, failures: list[tuple[Problem, str | None]]) -> None:
    runner.record_failures(db, run_id, failures)


# --- stages: submitted to the task runner ---------------------------------------------------


@task(
    name="transcribe",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=_retry_transient,
)
def transcribe_task(source: CallSource) -> CallAnalysis:
    result = transcribe_source(source)
    assert result.record is not None
    get_run_logger().info(
        "%s: transcribed %.1f s of audio in %.1f s (call %s)",
        source.recording.path.name,
        result.record.duration_s,
        sum(result.timings.values()),
        source.recording.call_id,
    )
    return result


@task(name="redact", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def redact_task(analysis: CallAnalysis, options: RedactionOptions | None = None) -> CallAnalysis:
    return redact_stage(analysis, options)


@task(name="classify", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def classify_task(analysis: CallAnalysis, threads: int | None = None) -> CallAnalysis:
    return classify_stage(analysis, threads=threads)


@task(name="score", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def score_task(analysis: CallAnalysis, scorecards_directory: str | None = None) -> CallAnalysis:
    return score_stage(analysis, scorecards_directory=scorecards_directory)


_CALLED: dict[Callable[..., Any], Any] = {
    runner.discover_calls: discover_task,
    runner.call_statuses: stored_state_task,
    runner.reconcile_metadata: reconcile_metadata_task,
    runner.load_transcript: load_transcript_task,
    runner.store_call: store_task,
    runner.record_failures: record_failures_task,
}
_SUBMITTED: dict[Callable[..., Any], Any] = {
    transcribe_source: transcribe_task,
    redact_stage: redact_task,
    classify_stage: classify_task,
    score_stage: score_task,
}


def _opaque(args: tuple[Any, ...]) -> list[Any]:
    """Arguments Prefect passes on without walking into them: no argument holds a future, and walking a
    call's analysis (utterances, words, labels) cost 5-15 ms per task, twice (submit and run).  Only on the
    thread-pool runner: on a Dask cluster the annotation arrives at the worker as a bare tuple."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    if not isinstance(getattr(ctx, "task_runner", None), ThreadPoolTaskRunner):
        return list(args)
    return [opaque(a) for a in args]


def _call_task(fn: Callable[..., T], /, *args: Any) -> T:
    """A database step as its Prefect task, run in this thread (with the task's retries)."""
    result: T = _CALLED[fn](*_opaque(args))
    return result


class _StageFuture:
    """A submitted stage task, seen as a future whose ``result()`` raises the task's error."""

    def __init__(self, future: PrefectFuture) -> None:
        self._future = future

    def add_done_callback(self, fn: Callable[[Any], object], /) -> None:
        def done(_f: PrefectFuture) -> None:
            fn(self)

        self._future.add_done_callback(done)

    def result(self) -> Any:
        self._future.wait()  # already done; this fixes its final state (``.state`` alone may ask the API)
        state = self._future.state
        if state.is_completed():
            return self._future.result()
        err = state.result(raise_on_failure=False)
        raise err if isinstance(err, BaseException) else RuntimeError(str(state.message))


class _TaskExecutor:
    """Stages submitted as their Prefect tasks to the flow's task runner."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> _StageFuture:
        # a stage bound to its options (functools.partial, e.g. the redaction settings) keeps them as task arguments
        return _StageFuture(_SUBMITTED[getattr(fn, "func", fn)].submit(*_opaque(args), **getattr(fn, "keywords", {})))


def _concurrency(runtime: AsrRuntime) -> int:
    """Calls in transcription at once: the Dask cluster's threads, else the runtime's workers."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None)
    if isinstance(getattr(type(runner), "client", None), property):  # a Dask task runner: its client comes on first use
        try:
            return max(1, sum(runner.client.nthreads().values()))  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - fall back to the runtime's figure
            pass
    return runtime.workers


PARTIAL_STATE = "Partial"


def run_state(summary: RunSummary) -> State:
    """The flow run's final state for ``summary``: what Prefect automations react to.

    ``ok`` → Completed; ``partial`` (some calls failed, the rest were scored) → a COMPLETED-type
    state named ``Partial`` (event ``prefect.flow-run.Partial``); ``failed`` (nothing could be
    processed) → Failed (event ``prefect.flow-run.Failed``).  See docs/operations.md.
    """
    text = summary.as_text()
    if summary.status == "failed":
        return Failed(message=f"qa-pipeline run {summary.run_id} failed: {text}", data=summary)
    if summary.status == "partial":
        return Completed(name=PARTIAL_STATE, message=f"qa-pipeline run {summary.run_id} partial: {text}", data=summary)
    return Completed(message=f"qa-pipeline run {summary.run_id}: {text}", data=summary)


@flow(
    name="qa-nightly",
    log_prints=False,
    # Prefect's stubs make TaskRunner invariant in its future type, so its own ThreadPoolTaskRunner does not match
    task_runner=ThreadPoolTaskRunner(max_workers=default_workers() + 1),  # type: ignore[arg-type]
)
def nightly_flow(
    input_dir: str,
    db: str,
    manifest: str | None = None,
    options: PipelineOptions | None = None,
    settle_s: float = 1.0,
    runtime: AsrRuntime | None = None,
    dask: str | None = None,
    dask_workers: int = 2,
) -> State:
    """Score every new recording below ``input_dir`` into the DuckDB file ``db``.

    ``dask`` (a flow / deployment parameter): ``"local"`` or a scheduler address sends the
    stages to a Dask cluster for this run; ``None`` keeps the flow's own task runner.
    """
    if dask:
        return _nightly_on_dask(
            str(input_dir),
            str(db),
            manifest,
            options or PipelineOptions(),
            settle_s,
            runtime or fit_runtime(workers=1, cores=1),
            dask,
            dask_workers,
        )
    return _nightly(str(input_dir), str(db), manifest, options or PipelineOptions(), settle_s, runtime or fit_runtime())


def _nightly_on_dask(
    input_dir: str,
    db: str,
    manifest: str | None,
    options: PipelineOptions,
    settle_s: float,
    runtime: AsrRuntime,
    address: str,
    n_workers: int,
) -> State:
    """:func:`_nightly` with a Dask task runner chosen now, at run time (not when the flow was defined)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    assert ctx is not None
    with (
        dask_task_runner(address, n_workers=n_workers) as task_runner,
        ctx.model_copy(update={"task_runner": task_runner}),
    ):
        return _nightly(input_dir, db, manifest, options, settle_s, runtime)


def _nightly(
    input_dir: str, db: str, manifest: str | None, options: PipelineOptions, settle_s: float, runtime: AsrRuntime
) -> State:
    """The library's run with Prefect tasks for its steps (the run lock is taken by ``run``)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()  # _nightly runs in the flow's body, so there is a flow run
    assert ctx is not None and ctx.flow_run is not None
    result = runner.run(
        input_dir,
        db,
        manifest=manifest,
        options=options,
        settle_s=settle_s,
        runtime=runtime,
        executor=_TaskExecutor(),
        concurrency=_concurrency(runtime),
        call=_call_task,
        on_event=_notify,
        logger=get_run_logger(),
        flow_run_id=str(ctx.flow_run.id),
    )
    create_markdown_artifact(
        key="qa-run-summary",
        markdown=_summary_markdown(result.summary, list(result.failures)),
        description=f"qa-pipeline run {result.summary.run_id}",
    )
    return run_state(result.summary)


def _summary_markdown(summary: RunSummary, failures: list[tuple[Problem, str | None]]) -> str:
    lines = [
        f"# qa-pipeline run `{summary.run_id}`: {summary.status}",
        "",
        "| calls found | done | skipped | failed | audio (h) | wall (s) |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {summary.calls_found} | {summary.calls_done} | {summary.calls_skipped} | {summary.calls_failed} | "
        f"{summary.audio_hours:.3f} | {summary.wall_s:.1f} |",
    ]
    if failures:
        lines += ["", "## Failures", "", "| file | stage | reason |", "|---|---|---|"]
        for problem, _ in failures:
            lines.append(f"| {Path(problem.path).name} | {problem.stage} | {problem.reason.replace('|', '/')} |")
    return "\n".join(lines)


def run_nightly(
    input_dir: str | Path,
    db: str | Path,
    *,
    manifest: str | Path | None = None,
    options: PipelineOptions | None = None,
    workers: int | None = None,
    settle_s: float = 1.0,
    runtime: AsrRuntime | None = None,
    dask: str | None = None,
    dask_workers: int = 2,
) -> RunSummary:
    """Run the flow in this process (Prefect's ephemeral API unless PREFECT_API_URL is set).

    ``workers`` calls are processed at once (default: one per core).  ``dask``
    sends transcription and classification to a Dask cluster instead of
    threads: ``"local"`` starts a LocalCluster of ``dask_workers`` processes,
    anything else is a scheduler address (``tcp://host:8786``).  The database
    is still written by this process only.
    """
    if dask:
        task_runner: Any = dask_task_runner(dask, n_workers=dask_workers)
        runtime = runtime or fit_runtime(workers=1, cores=1)  # one thread per Dask worker thread
    else:
        runtime = runtime or fit_runtime(workers=workers)
        # one thread more than calls in ASR, so redaction, classification and scoring never queue behind it
        task_runner = ThreadPoolTaskRunner(max_workers=runtime.workers + 1)
    if not api_url():  # Prefect will start a temporary API server: first stop any a killed run left behind
        reap_orphaned_servers()
    configured = nightly_flow.with_options(task_runner=task_runner)
    with temporary_server_settings():
        state = configured(
            str(input_dir),
            str(db),
            str(manifest) if manifest else None,
            options or PipelineOptions(),
            settle_s,
            runtime,
            return_state=True,
        )
    return summary_of(state)


def summary_of(state: State) -> RunSummary:
    """The :class:`RunSummary` a finished flow run carries; the run's own error when it raised one."""
    data = state.result(raise_on_failure=False)
    if isinstance(data, RunSummary):
        return data
    if isinstance(data, BaseException):
        raise data
    state.result()  # raises what Prefect recorded
    raise RuntimeError(f"the nightly flow ended {state.name} without a run summary: {state.message}")


__all__ = [
    "PARTIAL_STATE",
    "add_progress_listener",
    "is_transient",
    "nightly_flow",
    "remove_progress_listener",
    "run_nightly",
    "run_state",
    "summary_of",
]
