"""The nightly scoring flow: one Prefect task per stage, the library does the work.

    discover ─► transcribe ─► redact ─► classify ─► score ─► store
                (decode, VAD, ASR, who spoke)

* Calls already complete in the database are skipped before any audio is read.
* Calls whose transcript is stored but whose analysis failed last time are
  re-analysed from the stored transcript (no audio).
* One writer: every database write goes through :func:`store_task`, which
  serialises writes within the process and uses short transactions.
* A failure in one call is recorded in ``failures`` and never stops the run.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from qa_pipeline import analysis as stages
from qa_pipeline.analysis import CallAnalysis
from qa_pipeline.errors import InputError, QAPipelineError
from qa_pipeline.ingest import Discovery, Problem, Recording, discover
from qa_pipeline.pipeline import PipelineOptions, TranscribedCall, transcribe_recording
from qa_pipeline.store import connect
from qa_pipeline.store.calls import RunSummary
from qa_pipeline.store import results as store_results

_WRITE_LOCK = threading.Lock()
_progress_listeners: list[Callable[[str, str], None]] = []


def add_progress_listener(fn: Callable[[str, str], None]) -> None:
    """``fn(event, detail)`` is called for ``found``, ``done``, ``skipped`` and ``failed`` events."""
    _progress_listeners.append(fn)


def remove_progress_listener(fn: Callable[[str, str], None]) -> None:
    if fn in _progress_listeners:
        _progress_listeners.remove(fn)


def _notify(event: str, detail: str) -> None:
    for fn in list(_progress_listeners):
        fn(event, detail)


def default_workers() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def _no_retry_for_bad_input(task: Any, task_run: Any, state: Any) -> bool:
    """Bad input fails the same way every time: retry only other errors."""
    try:
        state.result()
    except QAPipelineError:
        return False
    except Exception:
        return True
    return False


@task(name="discover", cache_policy=NO_CACHE)
def discover_task(input_dir: str, manifest: str | None, settle_s: float) -> Discovery:
    logger = get_run_logger()
    found = discover(input_dir, manifest=manifest, settle_s=settle_s)
    logger.info("found %d recordings, %d problems, %d duplicates", len(found.recordings), len(found.problems), len(found.duplicates))
    return found


@task(name="check-done", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2)
def stored_state_task(db: str, call_ids: list[str]) -> dict[str, str]:
    with _WRITE_LOCK, connect(db) as con:
        return store_results.call_statuses(con, call_ids)


@task(name="transcribe", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 10],
      retry_condition_fn=_no_retry_for_bad_input)
def transcribe_task(recording: Recording, options: PipelineOptions) -> TranscribedCall:
    from qa_pipeline.asr import load_transcriber

    logger = get_run_logger()
    transcriber = load_transcriber(options.backend, options.model)
    result = transcribe_recording(recording, transcriber, options)
    logger.info("%s: transcribed %.1f s in %.1f s", recording.path.name, result.record.duration_s, sum(result.timings.values()))
    return result


@task(name="load-transcript", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2)
def load_transcript_task(db: str, call_id: str) -> CallAnalysis:
    with connect(db, read_only=False) as con:
        return store_results.load_analysis(con, call_id)


@task(name="redact", cache_policy=NO_CACHE, retry_condition_fn=_no_retry_for_bad_input)
def redact_task(transcribed: TranscribedCall, enabled: bool) -> CallAnalysis:
    analysis = CallAnalysis(record=transcribed.record, conversation=transcribed.conversation, timings=dict(transcribed.timings))
    return stages.redact_stage(analysis) if enabled else analysis


@task(name="classify", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, retry_condition_fn=_no_retry_for_bad_input)
def classify_task(analysis: CallAnalysis) -> CallAnalysis:
    return stages.classify_stage(analysis)


@task(name="score", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2, retry_condition_fn=_no_retry_for_bad_input)
def score_task(analysis: CallAnalysis) -> CallAnalysis:
    return stages.score_stage(analysis)


@task(name="store", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[1, 5, 15])
def store_task(db: str, run_id: str, analysis: CallAnalysis, status: str = "complete") -> str:
    with _WRITE_LOCK, connect(db) as con:
        store_results.write_analysis(con, analysis, run_id=run_id, status=status)
    return analysis.call_id


@task(name="record-failures", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=2)
def record_failures_task(db: str, run_id: str, failures: list[tuple[Problem, str | None]]) -> None:
    if not failures:
        return
    with _WRITE_LOCK, connect(db) as con:
        store_results.record_failures(con, run_id, failures)


@dataclass(frozen=True)
class _CallChain:
    recording: Recording
    transcribe: PrefectFuture | None
    redact: PrefectFuture | None
    load: PrefectFuture | None
    classify: PrefectFuture
    score: PrefectFuture
    store: PrefectFuture


def _error_of(future: PrefectFuture | None) -> BaseException | None:
    if future is None:
        return None
    state = future.state
    if state.is_failed() or state.is_crashed():
        err = state.result(raise_on_failure=False)
        return err if isinstance(err, BaseException) else RuntimeError(str(state.message))
    return None


@flow(name="qa-nightly", log_prints=False)
def nightly_flow(
    input_dir: str,
    db: str,
    manifest: str | None = None,
    options: PipelineOptions | None = None,
    settle_s: float = 1.0,
) -> RunSummary:
    """Score every new recording below ``input_dir`` into the DuckDB file ``db``."""
    logger = get_run_logger()
    options = options or PipelineOptions()
    started = time.perf_counter()
    from prefect.context import get_run_context

    flow_run_id = str(get_run_context().flow_run.id)
    with _WRITE_LOCK, connect(db) as con:
        run_id = store_results.start_run(con, str(input_dir), asr_backend=options.backend, asr_model=options.model, flow_run_id=flow_run_id)
    logger.info("run %s: scanning %s", run_id, input_dir)

    try:
        found = discover_task(str(input_dir), manifest, settle_s)
    except InputError as exc:
        summary = RunSummary(run_id, "failed", 0, 0, 0, 0, 0.0, time.perf_counter() - started)
        record_failures_task(db, run_id, [(Problem(str(input_dir), "discover", type(exc).__name__, str(exc)), None)])
        with _WRITE_LOCK, connect(db) as con:
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
    todo = [r for r in recordings if statuses.get(r.call_id) != "complete"]
    logger.info("%d new or unfinished calls, %d already complete", len(todo), len(skipped))

    chains: list[_CallChain] = []
    for rec in todo:
        if statuses.get(rec.call_id) == "transcribed":
            load = load_transcript_task.submit(db, rec.call_id)
            tr = rd = None
            upstream = load
        else:
            load = None
            tr = transcribe_task.submit(rec, options)
            rd = redact_task.submit(tr, options.redact)
            upstream = rd
        cl = classify_task.submit(upstream)
        sc = score_task.submit(cl)
        st = store_task.submit(db, run_id, sc)
        chains.append(_CallChain(rec, tr, rd, load, cl, sc, st))

    done = 0
    audio_s = 0.0
    for chain in chains:
        chain.store.wait()
        error = None
        stage = "store"
        for stage_name, fut in (("transcribe", chain.transcribe), ("redact", chain.redact), ("load", chain.load),
                                ("classify", chain.classify), ("score", chain.score), ("store", chain.store)):
            error = _error_of(fut)
            if error is not None:
                stage = stage_name
                break
        if error is None:
            done += 1
            audio_s += _audio_seconds(chain)
            _notify("done", str(chain.recording.path))
            continue
        if isinstance(error, InputError) and getattr(error, "stage", None):
            stage = error.stage if stage == "transcribe" else stage
        reason = str(error) if isinstance(error, QAPipelineError) else f"{chain.recording.path}: {type(error).__name__}: {error}"
        failures.append((Problem(str(chain.recording.path), stage, type(error).__name__, reason), chain.recording.call_id))
        _notify("failed", reason)
        logger.warning("%s failed at %s: %s", chain.recording.path, stage, reason)
        # Keep the expensive, redacted transcript so the next run only redoes the analysis.
        if stage in ("classify", "score", "store") and chain.redact is not None and _error_of(chain.redact) is None:
            try:
                store_task(db, run_id, chain.redact.result(), status="transcribed")
            except Exception as exc:  # noqa: BLE001 - the failure is already recorded
                logger.warning("could not keep the transcript of %s: %s", chain.recording.path, exc)

    record_failures_task(db, run_id, failures)
    calls_failed = len([f for f in failures if f[0].stage != "manifest"])
    status = "ok" if not failures else ("partial" if done or skipped else "failed")
    summary = RunSummary(
        run_id=run_id, status=status, calls_found=len(recordings) + len(found.problems),
        calls_done=done, calls_skipped=len(skipped) + len(found.duplicates), calls_failed=calls_failed,
        audio_s=audio_s, wall_s=time.perf_counter() - started,
    )
    with _WRITE_LOCK, connect(db) as con:
        store_results.finish_run(con, summary)
    create_markdown_artifact(
        key="qa-run-summary",
        markdown=_summary_markdown(summary, failures),
        description=f"qa-pipeline run {run_id}",
    )
    logger.info(summary.as_text())
    return summary


def _audio_seconds(chain: _CallChain) -> float:
    if chain.transcribe is None:
        return 0.0
    return float(chain.transcribe.result().record.duration_s)


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
) -> RunSummary:
    """Run the flow in this process (Prefect's ephemeral API unless PREFECT_API_URL is set)."""
    runner = ThreadPoolTaskRunner(max_workers=workers or default_workers())
    configured = nightly_flow.with_options(task_runner=runner)
    return configured(str(input_dir), str(db), str(manifest) if manifest else None, options or PipelineOptions(), settle_s)


__all__ = ["add_progress_listener", "nightly_flow", "remove_progress_listener", "run_nightly"]
