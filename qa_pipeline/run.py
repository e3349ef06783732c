"""One run over a folder of recordings, without Prefect: the run policy lives here.

* Calls already complete in the database are skipped before any audio is read.
* Calls whose transcript is stored but whose analysis failed last time are
  analysed again from the stored transcript (no audio, no ASR).
* One writer: every database read and write happens in the calling thread
  (through ``call``), one short transaction per call, so the executor's
  workers never touch the database.
* The run feeds the executor itself: a stage is submitted only when the stage
  before it has finished, and at most ``concurrency`` calls are in the source
  stage (ASR) at once, so only that many decoded recordings are in memory.
* A failure in one call is recorded in ``failures`` and never stops the run;
  a call that fails after its transcript was made keeps that transcript
  (``status = 'transcribed'``) so the next run redoes only the analysis.
* One run per database at a time (``<db>.run-lock``); a run that died is
  marked ``interrupted`` by the next one.
* The run's status: ``ok`` (no failure), ``partial`` (failures, but something
  was done, skipped or a duplicate), ``failed``.
* Before any audio: the scorecards and flag rules are loaded (a broken one stops
  the run with its file named) and the database file is checked (a SQLite,
  truncated or corrupt file is refused unchanged).  A full disk stops the run at
  once (``DiskFullError``, never retried); the next run resumes.
* An audio-free stage past ``stage_timeout_s`` fails its call, not the run.
* Metadata follows the content: a later manifest updates stored calls, and a
  recording whose ``external_id`` is already stored is skipped as a re-export.

``flows/`` wraps :func:`run` in Prefect tasks (retries, task runners,
schedules) by passing its own ``executor`` and ``call``; anything with
``submit(fn, *args)`` returning a future with ``add_done_callback`` and
``result()`` (a :class:`concurrent.futures.Executor`) will do.
"""

from __future__ import annotations

import logging
import math
import queue
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from qa_pipeline.audio import probe
from qa_pipeline.errors import ConfigError, InputError, QAPipelineError
from qa_pipeline.ingest import Discovery, Problem, Recording, discover
from qa_pipeline.pipeline import PipelineOptions
from qa_pipeline.records import CallAnalysis, RunSummary
from qa_pipeline.runtime import AsrRuntime, fit_runtime, fit_to_calls
from qa_pipeline.scorecard.flags import load_flag_rules
from qa_pipeline.scorecard.loader import load_scorecards
from qa_pipeline.scorecard.overrides import store_analysis
from qa_pipeline.stages import CallSource, Spine, Stage, spine
from qa_pipeline.store import connect
from qa_pipeline.store import results as store_results
from qa_pipeline.store.calls import calls_by_external_id, update_call_metadata
from qa_pipeline.store.db import is_disk_full, transaction, verify_database
from qa_pipeline.store.runlog import close_interrupted_runs, note_found, run_lock
from qa_pipeline.transcript_file import is_transcript

__all__ = [
    "Executor",
    "Failure",
    "RunResult",
    "StageTimeout",
    "call_statuses",
    "check_scoring_config",
    "discover_calls",
    "load_transcript",
    "reconcile_metadata",
    "record_failures",
    "run",
    "store_call",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
Failure = tuple[Problem, "str | None"]  # the problem and the call it belongs to, if known
DEFAULT_STAGE_TIMEOUT_S = 600.0  # an audio-free stage of one call (redact, classify, score) takes seconds


class StageTimeout(InputError):
    """One call's audio-free stage ran past its time bound: that call fails, the run goes on."""


class CallFuture(Protocol[T_co]):
    def add_done_callback(self, fn: Callable[[Any], object], /) -> None: ...
    def result(self) -> T_co: ...


class Executor(Protocol):
    """What :func:`run` submits stages to (a :class:`concurrent.futures.Executor` fits)."""

    def submit(self, fn: Callable[..., T], /, *args: Any) -> CallFuture[T]: ...


class Caller(Protocol):
    """How :func:`run` calls a database step in its own thread (``flows/`` adds retries)."""

    def __call__(self, fn: Callable[..., T], /, *args: Any) -> T: ...


def call_here(fn: Callable[..., T], /, *args: Any) -> T:
    return fn(*args)


# --- the steps run() calls in its own thread (the one writer) ---------------------------------


def discover_calls(
    input_dir: str, manifest: str | None, settle_s: float, columns: tuple[tuple[str, str], ...] = ()
) -> Discovery:
    return discover(input_dir, manifest=manifest, settle_s=settle_s, columns=dict(columns))


def call_statuses(db: str, call_ids: list[str]) -> dict[str, str]:
    with connect(db) as con:
        return store_results.call_statuses(con, call_ids)


def reconcile_metadata(db: str, recordings: list[Recording]) -> tuple[dict[str, str], int]:
    """Match this night's recordings with stored calls by the manifest's ``external_id`` and bring the
    metadata of stored calls up to date (a corrected or late manifest; no re-transcription).

    Returns ``({call_id: stored call_id with the same external_id}, calls whose metadata changed)``.
    """
    ext_ids = sorted({r.metadata.external_id for r in recordings if r.metadata.external_id})
    with connect(db) as con, transaction(con):
        stored_by_ext = calls_by_external_id(con, ext_ids)
        same_ref = {
            r.call_id: stored_by_ext[r.metadata.external_id]
            for r in recordings
            if r.metadata.external_id in stored_by_ext and stored_by_ext[r.metadata.external_id] != r.call_id
        }
        changed = 0
        for r in recordings:
            target = same_ref.get(r.call_id, r.call_id)
            changed += update_call_metadata(con, target, r.metadata)
    return same_ref, changed


def load_transcript(db: str, call_id: str) -> CallAnalysis:
    with connect(db, read_only=False) as con:
        return store_results.load_analysis(con, call_id)


def store_call(db: str, run_id: str, analysis: CallAnalysis, status: str = "complete") -> str:
    with connect(db) as con:
        store_analysis(con, analysis, run_id=run_id, status=status)
    return analysis.call_id


def record_failures(db: str, run_id: str, failures: list[Failure]) -> None:
    if not failures:
        return
    with connect(db) as con:
        store_results.record_failures(con, run_id, failures)


def check_scoring_config(directory: str | None = None) -> None:
    """Load the active scorecards and the flag rules now, before any audio is read.

    A broken scorecard would otherwise only show once every call had been transcribed (and then fail
    every call); here it stops the run at once with the loader's message, which names the file, the
    place in it and the fix.
    """
    try:
        load_scorecards(directory)
        load_flag_rules(directory=directory)
    except ConfigError as exc:
        raise ConfigError(
            f"the run did not start (nothing was read or transcribed): {exc}\n"
            "fix the scorecard or flag-rules file named above (check it with 'qa-pipeline scorecard validate FILE'), "
            "then run again"
        ) from None


@dataclass(frozen=True)
class RunResult:
    summary: RunSummary
    failures: tuple[Failure, ...]


def _ignore(event: str, detail: str) -> None:
    return None


def run(
    input_dir: str | Path,
    db: str | Path,
    *,
    manifest: str | Path | None = None,
    options: PipelineOptions | None = None,
    settle_s: float = 1.0,
    runtime: AsrRuntime | None = None,
    executor: Executor | None = None,
    concurrency: int | None = None,
    call: Caller = call_here,
    on_event: Callable[[str, str], None] = _ignore,
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
    flow_run_id: str | None = None,
    stage_timeout_s: float | None = DEFAULT_STAGE_TIMEOUT_S,
) -> RunResult:
    """Score every new recording below ``input_dir`` into the DuckDB file ``db``.

    ``executor`` runs the stages (default: a thread pool of ``runtime.workers + 1``
    threads); ``concurrency`` calls are in ASR at once (default ``runtime.workers``).
    ``on_event(event, detail)`` hears ``found``, ``done``, ``skipped``, ``failed`` and
    ``problem``.  An audio-free stage (redact, classify, score) still running after
    ``stage_timeout_s`` fails its call (``StageTimeout``) and the run goes on without it.
    """
    options = options or PipelineOptions()
    runtime = runtime or fit_runtime()
    log = logger or logging.getLogger("qa_pipeline.run")
    check_scoring_config(options.scorecards)  # before the lock, the database or any audio is touched
    with run_lock(db):
        verify_database(db)  # a corrupt, truncated or foreign file is refused before anything writes to it
        if executor is not None:
            return _Run(str(input_dir), str(db), options, runtime, executor, call, on_event, log, stage_timeout_s).go(
                str(manifest) if manifest else None, settle_s, concurrency or runtime.workers, flow_run_id
            )
        pool = ThreadPoolExecutor(max_workers=runtime.workers + 1)
        run_ = _Run(str(input_dir), str(db), options, runtime, pool, call, on_event, log, stage_timeout_s)
        try:
            return run_.go(str(manifest) if manifest else None, settle_s, concurrency or runtime.workers, flow_run_id)
        finally:  # a stage abandoned after its time bound is not waited for
            pool.shutdown(wait=not run_.abandoned, cancel_futures=True)


@dataclass(eq=False)
class _Call:
    """One call on its way through the stages (lives in the run's thread only)."""

    recording: Recording
    resume: bool  # transcript stored last time: analyse it again, no ASR
    stage: str = "queued"
    future: CallFuture[CallAnalysis] | None = None
    transcript: CallAnalysis | None = None  # kept so a failed analysis can still store the transcript
    audio_s: float = 0.0
    deadline: float | None = None  # monotonic time by which the current stage must finish
    waiting_on: CallFuture[CallAnalysis] | None = None  # the future whose result is still wanted


class _Run:
    def __init__(
        self,
        input_dir: str,
        db: str,
        options: PipelineOptions,
        runtime: AsrRuntime,
        executor: Executor,
        call: Caller,
        on_event: Callable[[str, str], None],
        log: logging.Logger | logging.LoggerAdapter[logging.Logger],
        stage_timeout_s: float | None = None,
    ) -> None:
        self.input_dir, self.db, self.options, self.runtime = input_dir, db, options, runtime
        self.stage_timeout_s = stage_timeout_s
        self.abandoned = 0  # stages given up after their time bound (their threads may still be running)
        self.executor, self.call, self.on_event, self.log = executor, call, on_event, log
        self.spine: Spine = spine(options, runtime=runtime)
        self.failures: list[Failure] = []
        self.run_id = ""

    def _reconcile(self, recordings: list[Recording]) -> tuple[list[Recording], list[Recording]]:
        """(recordings to process, recordings that are another export of a call already stored or found
        earlier this run — same ``external_id``: skipped, so a re-export never counts twice)."""
        stored_same, changed = self.call(reconcile_metadata, self.db, recordings)
        if changed:
            self.log.info("manifest metadata updated on %d stored call(s), no re-transcription", changed)
        keep: list[Recording] = []
        same_ref: list[Recording] = []
        first: dict[str, Recording] = {}
        for r in recordings:
            ref = r.metadata.external_id
            earlier = first.get(ref) if ref else None
            if r.call_id in stored_same or (earlier is not None and earlier.call_id != r.call_id):
                other = stored_same.get(r.call_id) or (earlier.call_id if earlier else "?")
                self.log.info("%s: external_id %r is call %s already; skipped (re-export)", r.path, ref, other)
                same_ref.append(r)
                continue
            if ref:
                first.setdefault(ref, r)
            keep.append(r)
        return keep, same_ref

    def go(self, manifest: str | None, settle_s: float, concurrency: int, flow_run_id: str | None) -> RunResult:
        started = time.perf_counter()
        with connect(self.db) as con:
            close_interrupted_runs(con)
            self.run_id = store_results.start_run(
                con,
                self.input_dir,
                asr_backend=self.options.backend,
                asr_model=self.options.model,
                flow_run_id=flow_run_id,
            )
        self.log.info("run %s: scanning %s", self.run_id, self.input_dir)
        try:
            found = self.call(discover_calls, self.input_dir, manifest, settle_s, self.options.manifest_columns)
        except InputError as exc:
            summary = RunSummary(self.run_id, "failed", 0, 0, 0, 0, 0.0, time.perf_counter() - started)
            problem = Problem(self.input_dir, exc.stage or "discover", type(exc).__name__, str(exc))
            self.call(record_failures, self.db, self.run_id, [(problem, None)])
            with connect(self.db) as con:
                store_results.finish_run(con, summary)
            raise
        self.failures.extend((p, None) for p in found.problems)
        self.call(record_failures, self.db, self.run_id, [(p, None) for p in found.problems])
        for p in found.problems:
            self.on_event("problem", p.reason)
        recordings, same_ref = self._reconcile(list(found.recordings))
        self.on_event("found", str(len(recordings) + len(same_ref)))
        statuses = self.call(call_statuses, self.db, [r.call_id for r in recordings])
        skipped = [r for r in recordings if statuses.get(r.call_id) == "complete"] + same_ref
        queued = deque(
            _longest_first(
                [
                    _Call(r, resume=statuses.get(r.call_id) == "transcribed")
                    for r in recordings
                    if statuses.get(r.call_id) != "complete"
                ]
            )
        )
        fitted = fit_to_calls(self.runtime, sum(1 for c in queued if not c.resume))
        if fitted != self.runtime:  # fewer calls than workers: the idle workers' threads go to the calls there are
            self.log.info(
                "%d call(s) to transcribe: %d worker(s) × %d thread(s)", len(queued), fitted.workers, fitted.cpu_threads
            )
            self.runtime = fitted
            self.spine = spine(self.options, runtime=fitted)
        recordings = recordings + same_ref  # found, and counted as skipped
        with connect(self.db) as con:  # so a run killed half-way still shows what it found
            note_found(
                con,
                self.run_id,
                calls_found=len(recordings)
                + len(found.duplicates)
                + sum(1 for p in found.problems if p.stage != "manifest"),
                calls_skipped=len(skipped) + len(found.duplicates),
            )
        for r in skipped:
            self.on_event("skipped", str(r.path))
        self.log.info("%d new or unfinished calls, %d already complete", len(queued), len(skipped))

        done, audio_s = _Process(self, queued, concurrency).go()

        summary = _summary(
            self.run_id, found, recordings, skipped, self.failures, done, audio_s, time.perf_counter() - started
        )
        with connect(self.db) as con:
            store_results.finish_run(con, summary)
        self.log.info(summary.as_text())
        return RunResult(summary, tuple(self.failures))


def _summary(
    run_id: str,
    found: Discovery,
    recordings: Sequence[Recording],
    skipped: Sequence[Recording],
    failures: Sequence[Failure],
    done: int,
    audio_s: float,
    wall_s: float,
) -> RunSummary:
    file_failures = sum(1 for p, _ in failures if p.stage != "manifest")
    status = "ok" if not failures else ("partial" if done or skipped or found.duplicates else "failed")
    return RunSummary(
        run_id=run_id,
        status=status,
        calls_found=len(recordings) + len(found.duplicates) + sum(1 for p in found.problems if p.stage != "manifest"),
        calls_done=done,
        calls_skipped=len(skipped) + len(found.duplicates),
        calls_failed=file_failures,
        audio_s=audio_s,
        wall_s=wall_s,
    )


# A mono call costs 2.8× a stereo call of the same length (diarization on top of ASR: 271 s against 98 s
# for 60 minutes, `qa-pipeline bench memory --minutes 60 --channels 2 --channels 1`, 4 Dec).
MONO_COST = 2.8


def _work(call: _Call) -> float:
    """What the call will cost, in seconds of stereo call (from the header); 0 for a stored transcript,
    infinite when the header does not say (such a file goes first, and fails first if broken)."""
    if call.resume or is_transcript(call.recording.path):
        return 0.0
    try:
        info = probe(call.recording.path)
    except InputError:
        return math.inf
    return (info.duration_s or math.inf) * (MONO_COST if info.channels == 1 else 1.0)


def _longest_first(calls: list[_Call]) -> list[_Call]:
    """Stored transcripts first (no ASR), then the costliest recordings: with N calls in ASR at once, the last
    calls to start are short, so no core sits idle long while one long call finishes alone (discovery order
    breaks ties)."""
    work = [_work(c) for c in calls]
    order = sorted(range(len(calls)), key=lambda i: (work[i] > 0, -work[i], i))
    return [calls[i] for i in order]


class _Process:
    """Moves every queued call through the spine; the run's thread waits on the executor's results."""

    def __init__(self, run_: _Run, queued: deque[_Call], concurrency: int) -> None:
        self.run, self.queued, self.limit = run_, queued, max(1, concurrency)
        self.events: queue.Queue[_Call] = queue.Queue()
        self.running: set[_Call] = set()  # calls with a stage submitted and not yet handled
        self.in_asr = self.active = self.done = 0
        self.audio_s = 0.0
        # a failure in these keeps the call's transcript (already made, and redacted when redaction is on)
        self.keeps_transcript = {s.name for s in run_.spine.resume_stages} | {"store"}

    def go(self) -> tuple[int, float]:
        """Returns (calls stored complete, audio seconds transcribed)."""
        self.start_more()
        while self.active:
            try:
                call = self.events.get(timeout=self._wait_s())
            except queue.Empty:
                self.expire()
                continue
            if call.future is None or call.future is not call.waiting_on:
                continue  # a stage given up after its time bound has finished after all: ignore it
            self.step(call)
        return self.done, self.audio_s

    def _wait_s(self) -> float | None:
        deadlines = [c.deadline for c in self.running if c.deadline is not None]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def expire(self) -> None:
        """Fail every call whose audio-free stage ran past its time bound; the run goes on without it."""
        now = time.monotonic()
        for call in [c for c in self.running if c.deadline is not None and c.deadline <= now]:
            self.running.discard(call)
            call.waiting_on = None
            self.run.abandoned += 1
            limit = self.run.stage_timeout_s
            self.finish(
                call,
                StageTimeout(
                    f"{call.recording.path}: the {call.stage} stage was still running after {limit:.0f} s and was given up "
                    "(a scorecard or lexicon pattern that takes this long is a bug to report); the other calls go on",
                    path=str(call.recording.path),
                    stage=call.stage,
                ),
            )

    def submit(self, call: _Call, stage: str, fn: Callable[[T], CallAnalysis], arg: T) -> None:
        call.stage = stage
        limit = self.run.stage_timeout_s
        call.deadline = time.monotonic() + limit if limit and stage != self.run.spine.source.name else None
        call.future = call.waiting_on = future = self.run.executor.submit(fn, arg)
        self.running.add(call)
        future.add_done_callback(lambda _f: self.events.put(call))

    def start_more(self) -> None:
        spine_ = self.run.spine
        while self.queued and self.in_asr < self.limit:
            call = self.queued.popleft()
            self.active += 1
            if call.resume:  # read here, in the one thread that touches the database
                call.stage = "load"
                try:
                    stored = self.run.call(load_transcript, self.run.db, call.recording.call_id)
                except Exception as exc:  # noqa: BLE001 - recorded as this call's failure
                    self.fail(call, exc)
                    self.active -= 1
                    continue
                first = spine_.resume_stages[0]
                self.submit(call, first.name, first.run, stored)
            else:
                self.in_asr += 1
                source = CallSource(call.recording, self.run.options, self.run.runtime)
                self.submit(call, spine_.source.name, spine_.source.run, source)

    def step(self, call: _Call) -> None:
        """One stage of ``call`` finished: submit its next stage, or store it, or record its failure."""
        future = call.future
        assert future is not None
        self.running.discard(call)
        call.deadline = None
        if call.stage == self.run.spine.source.name:
            self.in_asr -= 1
        try:
            analysis = future.result()
        except BaseException as exc:  # noqa: BLE001 - recorded as this call's failure
            self.finish(call, exc)
            return
        nxt = self._advance(call, analysis)
        if nxt is not None:
            self.submit(call, nxt.name, nxt.run, analysis)
            self.start_more()
            return
        try:  # the one writer: this thread, one transaction per call
            self.run.call(store_call, self.run.db, self.run.run_id, analysis)
        except Exception as exc:
            if is_disk_full(exc):
                raise  # no later call can be stored either: stop the run now, everything stored is kept
            call.stage = "store"
            self.finish(call, exc)
            return
        self.run.log.info("%s: stored (call %s)", call.recording.path.name, call.recording.call_id)
        call.future = call.transcript = None  # let the transcript go
        self.done += 1
        self.audio_s += call.audio_s
        self.run.on_event("done", str(call.recording.path))
        self.finish(call, None)

    def _advance(self, call: _Call, analysis: CallAnalysis) -> Stage | None:
        spine_ = self.run.spine
        if call.stage == spine_.source.name:
            call.audio_s = float(analysis.record.duration_s) if analysis.record is not None else 0.0
            call.transcript = analysis
        elif any(s.transcript and s.name == call.stage for s in spine_.stages):
            call.transcript = analysis
        return spine_.after(call.stage)

    def finish(self, call: _Call, error: BaseException | None) -> None:
        if error is not None:
            self.fail(call, error)
        self.active -= 1
        self.start_more()

    def fail(self, call: _Call, error: BaseException) -> None:
        run_ = self.run
        stage = call.stage
        if isinstance(error, InputError) and stage == run_.spine.source.name:
            stage = error.stage or stage  # decode, …
        path = call.recording.path
        reason = str(error) if isinstance(error, QAPipelineError) else f"{path}: {type(error).__name__}: {error}"
        failure: Failure = (Problem(str(path), stage, type(error).__name__, reason), call.recording.call_id)
        run_.failures.append(failure)
        run_.call(record_failures, run_.db, run_.run_id, [failure])  # now, so a killed run keeps it
        run_.on_event("failed", reason)
        run_.log.warning("%s failed at %s: %s", path, stage, reason)
        # Keep the expensive, redacted transcript so the next run only redoes the analysis.
        if call.transcript is not None and stage in self.keeps_transcript:
            try:
                run_.call(store_call, run_.db, run_.run_id, call.transcript, "transcribed")
            except Exception as exc:
                if is_disk_full(exc):
                    raise
                run_.log.warning("could not keep the transcript of %s: %s", path, exc)
