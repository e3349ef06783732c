"""The nightly scoring flow: one Prefect task per stage, the library does the work.

    discover ─► transcribe ─► redact ─► classify ─► score ─► store
                (decode, VAD, ASR, who spoke)

* Calls already complete in the database are skipped before any audio is read.
* Calls whose transcript is stored but whose analysis failed last time are
  re-analysed from the stored transcript (no audio, no ASR).
* One writer: every database write happens in the flow's own process and
  thread (the store task is called, not submitted), in one short transaction
  per call, so with a Dask task runner the workers never touch the database.
* The flow feeds the task runner itself: a stage is submitted only when the
  stage before it has finished, and at most ``runtime.workers`` calls are in
  transcription at once.  No worker thread ever sits waiting on another task,
  and only that many decoded recordings are in memory.
* A failure in one call is recorded in ``failures`` and never stops the run;
  bad input is not retried (it fails the same way every time), a busy
  database or a lost worker is.
* One run per database at a time (``<db>.run-lock``); a run that died
  (``kill -9``, power loss) is marked ``interrupted`` by the next one, which
  redoes only what was not stored.  Prefect's temporary API server that such
  a run leaves behind is stopped by the next run (``flows/ephemeral.py``).
"""

# No "from __future__ import annotations": the flow's parameter types must be real objects, because
# a served run may rebuild the flow function without this module's globals to resolve strings.

import queue
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ephemeral import reap_orphaned_servers, temporary_server_settings
from flows.schedule import api_url
from qa_pipeline import analysis as stages
from qa_pipeline.analysis import CallAnalysis
from qa_pipeline.errors import DatabaseBusyError, InputError, QAPipelineError
from qa_pipeline.ingest import Discovery, Problem, Recording, discover
from qa_pipeline.pipeline import PipelineOptions, TranscribedCall, transcribe_recording
from qa_pipeline.runtime import AsrRuntime, available_cores, fit_runtime, runtime_transcriber
from qa_pipeline.store import connect
from qa_pipeline.store import results as store_results
from qa_pipeline.store.calls import RunSummary
from qa_pipeline.store.runlog import close_interrupted_runs, run_lock

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


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(input_dir: str, manifest: str | None, settle_s: float) -> Discovery:
    logger = get_run_logger()
    found = discover(input_dir, manifest=manifest, settle_s=settle_s)
    logger.info("found %d recordings, %d problems, %d duplicates", len(found.recordings), len(found.problems), len(found.duplicates))
    return found


@task(name="check-done", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def stored_state_task(db: str, call_ids: list[str]) -> dict[str, str]:
    with connect(db) as con:
        return store_results.call_statuses(con, call_ids)


@task(name="transcribe", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10],
      retry_condition_fn=_retry_transient)
def transcribe_task(recording: Recording, options: PipelineOptions, runtime: AsrRuntime) -> TranscribedCall:
    logger = get_run_logger()
    transcriber = runtime_transcriber(options.backend, options.model, runtime)
    result = transcribe_recording(recording, transcriber, options)
    if not result.conversation.utterances:
        # A silent (or noise-only) recording is bad input, not a call to score: report it, store nothing.
        raise InputError(
            f"{recording.path}: no speech found in {result.record.duration_s:.1f} s of audio "
            f"({result.record.channels} channel(s)); the recording is silent or noise only — check the recorder's "
            "input and channel mapping",
            path=str(recording.path), stage="transcribe",
        )
    logger.info("%s: transcribed %.1f s of audio in %.1f s (call %s)", recording.path.name,
                result.record.duration_s, sum(result.timings.values()), recording.call_id)
    return result


@task(name="load-transcript", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def load_transcript_task(db: str, call_id: str) -> CallAnalysis:
    with connect(db, read_only=False) as con:
        return store_results.load_analysis(con, call_id)


@task(name="redact", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def redact_task(transcribed: TranscribedCall, enabled: bool) -> CallAnalysis:
    analysis = CallAnalysis(record=transcribed.record, conversation=transcribed.conversation, timings=dict(transcribed.timings))
    return stages.redact_stage(analysis) if enabled else analysis


@task(name="classify", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def classify_task(analysis: CallAnalysis) -> CallAnalysis:
    return stages.classify_stage(analysis)


@task(name="score", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def score_task(analysis: CallAnalysis) -> CallAnalysis:
    return stages.score_stage(analysis)


@task(name="store", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[1, 5, 15], retry_condition_fn=_retry_transient)
def store_task(db: str, run_id: str, analysis: CallAnalysis, status: str = "complete") -> str:
    with connect(db) as con:
        store_results.write_analysis(con, analysis, run_id=run_id, status=status)
    return analysis.call_id


@task(name="record-failures", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2, retry_condition_fn=_retry_transient)
def record_failures_task(db: str, run_id: str, failures: list[tuple[Problem, str | None]]) -> None:
    if not failures:
        return
    with connect(db) as con:
        store_results.record_failures(con, run_id, failures)


# --- the flow's own bookkeeping -------------------------------------------------------------

_NEXT_STAGE = {"transcribe": "redact", "redact": "classify", "classify": "score", "score": "store"}


@dataclass
class _Call:
    """One call on its way through the stages (lives in the flow process only)."""

    recording: Recording
    resume: bool                            # transcript stored last time: analyse it again, no ASR
    stage: str = "queued"
    future: PrefectFuture | None = None
    redacted: PrefectFuture | None = None   # kept so a failed analysis can still store the transcript
    audio_s: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def _failed_error(future: PrefectFuture) -> BaseException | None:
    future.wait()  # already done; this fixes its final state (``.state`` alone may ask the API)
    state = future.state
    if state.is_completed():
        return None
    err = state.result(raise_on_failure=False)
    return err if isinstance(err, BaseException) else RuntimeError(str(state.message))


def _concurrency(runtime: AsrRuntime) -> int:
    """Calls in transcription at once: the Dask cluster's threads, else the runtime's workers."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    client = getattr(getattr(ctx, "task_runner", None), "_client", None)
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # noqa: BLE001 - fall back to the runtime's figure
            pass
    return runtime.workers


@flow(name="qa-nightly", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=default_workers() + 1))
def nightly_flow(
    input_dir: str,
    db: str,
    manifest: str | None = None,
    options: PipelineOptions | None = None,
    settle_s: float = 1.0,
    runtime: AsrRuntime | None = None,
) -> RunSummary:
    """Score every new recording below ``input_dir`` into the DuckDB file ``db``."""
    with run_lock(db):
        return _nightly(str(input_dir), str(db), manifest, options or PipelineOptions(), settle_s, runtime or fit_runtime())


def _nightly(input_dir: str, db: str, manifest: str | None, options: PipelineOptions, settle_s: float,
             runtime: AsrRuntime) -> RunSummary:
    logger = get_run_logger()
    started = time.perf_counter()
    from prefect.context import get_run_context

    flow_run_id = str(get_run_context().flow_run.id)
    with connect(db) as con:
        close_interrupted_runs(con)
        run_id = store_results.start_run(con, input_dir, asr_backend=options.backend, asr_model=options.model, flow_run_id=flow_run_id)
    logger.info("run %s: scanning %s", run_id, input_dir)

    try:
        found = discover_task(input_dir, manifest, settle_s)
    except InputError as exc:
        summary = RunSummary(run_id, "failed", 0, 0, 0, 0, 0.0, time.perf_counter() - started)
        record_failures_task(db, run_id, [(Problem(input_dir, exc.stage or "discover", type(exc).__name__, str(exc)), None)])
        with connect(db) as con:
            store_results.finish_run(con, summary)
        raise
    failures: list[tuple[Problem, str | None]] = [(p, None) for p in found.problems]
    for p in found.problems:
        _notify("problem", p.reason)
    recordings = list(found.recordings)
    _notify("found", str(len(recordings)))
    statuses = stored_state_task(db, [r.call_id for r in recordings])
    skipped = [r for r in recordings if statuses.get(r.call_id) == "complete"]
    for r in skipped:
        _notify("skipped", str(r.path))
    queued = deque(_Call(r, resume=statuses.get(r.call_id) == "transcribed")
                   for r in recordings if statuses.get(r.call_id) != "complete")
    logger.info("%d new or unfinished calls, %d already complete", len(queued), len(skipped))

    done, audio_s = _process(queued, db, run_id, options, runtime, failures, logger)

    record_failures_task(db, run_id, failures)
    file_failures = sum(1 for p, _ in failures if p.stage != "manifest")
    status = "ok" if not failures else ("partial" if done or skipped or found.duplicates else "failed")
    summary = RunSummary(
        run_id=run_id, status=status,
        calls_found=len(recordings) + len(found.duplicates) + sum(1 for p in found.problems if p.stage != "manifest"),
        calls_done=done, calls_skipped=len(skipped) + len(found.duplicates), calls_failed=file_failures,
        audio_s=audio_s, wall_s=time.perf_counter() - started,
    )
    with connect(db) as con:
        store_results.finish_run(con, summary)
    create_markdown_artifact(
        key="qa-run-summary",
        markdown=_summary_markdown(summary, failures),
        description=f"qa-pipeline run {run_id}",
    )
    logger.info(summary.as_text())
    return summary


def _process(queued: deque[_Call], db: str, run_id: str, options: PipelineOptions, runtime: AsrRuntime,
             failures: list[tuple[Problem, str | None]], logger: Any) -> tuple[int, float]:
    """Move every queued call through the stages; returns (calls stored complete, audio seconds transcribed)."""
    events: "queue.Queue[_Call]" = queue.Queue()
    limit = _concurrency(runtime)
    in_asr = 0
    active = 0
    done = 0
    audio_s = 0.0

    def submit(call: _Call, stage: str, future: PrefectFuture) -> None:
        call.stage, call.future = stage, future
        future.add_done_callback(lambda _f, c=call: events.put(c))

    def start_more() -> None:
        nonlocal in_asr, active
        while queued and in_asr < limit:
            call = queued.popleft()
            active += 1
            if call.resume:  # read here, in the one process that touches the database
                call.stage = "load"
                try:
                    stored = load_transcript_task(db, call.recording.call_id)
                except Exception as exc:  # noqa: BLE001 - recorded as this call's failure
                    fail(call, exc)
                    active -= 1
                    continue
                submit(call, "classify", classify_task.submit(stored))
            else:
                in_asr += 1
                submit(call, "transcribe", transcribe_task.submit(call.recording, options, runtime))

    def fail(call: _Call, error: BaseException) -> None:
        stage = call.stage
        if isinstance(error, InputError) and stage == "transcribe":
            stage = error.stage or stage  # decode, …
        reason = str(error) if isinstance(error, QAPipelineError) else f"{call.recording.path}: {type(error).__name__}: {error}"
        failures.append((Problem(str(call.recording.path), stage, type(error).__name__, reason), call.recording.call_id))
        _notify("failed", reason)
        logger.warning("%s failed at %s: %s", call.recording.path, stage, reason)
        # Keep the expensive, redacted transcript so the next run only redoes the analysis.
        if call.redacted is not None and stage in ("classify", "score", "store"):
            try:
                store_task(db, run_id, call.redacted.result(), status="transcribed")
            except Exception as exc:  # noqa: BLE001 - the failure is already recorded
                logger.warning("could not keep the transcript of %s: %s", call.recording.path, exc)

    start_more()
    while active:
        call = events.get()
        future = call.future
        assert future is not None
        if call.stage == "transcribe":
            in_asr -= 1
        error = _failed_error(future)
        if error is None and call.stage == "transcribe":
            transcribed: TranscribedCall = future.result()
            call.audio_s = float(transcribed.record.duration_s)
        if error is None and call.stage == "score":
            try:  # the one writer: this thread, one transaction per call
                store_task(db, run_id, future.result())
            except Exception as exc:  # noqa: BLE001 - recorded as this call's failure
                call.stage, error = "store", exc
            else:
                logger.info("%s: stored (call %s)", call.recording.path.name, call.recording.call_id)
                call.future = call.redacted = None  # let the transcript go
                done += 1
                audio_s += call.audio_s
                active -= 1
                _notify("done", str(call.recording.path))
                start_more()
                continue
        if error is not None:
            fail(call, error)
            active -= 1
            start_more()
            continue
        nxt = _NEXT_STAGE[call.stage]
        if nxt == "redact":
            call.redacted = redact_task.submit(future, options.redact)
            submit(call, "redact", call.redacted)
        elif nxt == "classify":
            submit(call, "classify", classify_task.submit(future))
        elif nxt == "score":
            submit(call, "score", score_task.submit(future))
        start_more()
    return done, audio_s


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
        from flows.scale import dask_task_runner

        runner: Any = dask_task_runner(dask, n_workers=dask_workers)
        runtime = runtime or fit_runtime(workers=1, cores=1)  # one thread per Dask worker thread
    else:
        runtime = runtime or fit_runtime(workers=workers)
        # one thread more than calls in ASR, so redaction, classification and scoring never queue behind it
        runner = ThreadPoolTaskRunner(max_workers=runtime.workers + 1)
    if not api_url():  # Prefect will start a temporary API server: first stop any a killed run left behind
        reap_orphaned_servers()
    configured = nightly_flow.with_options(task_runner=runner)
    with temporary_server_settings():
        return configured(str(input_dir), str(db), str(manifest) if manifest else None, options or PipelineOptions(), settle_s, runtime)


__all__ = ["add_progress_listener", "is_transient", "nightly_flow", "remove_progress_listener", "run_nightly"]
