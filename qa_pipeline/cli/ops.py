"""Nightly operations: ``schedule``, ``runs``, ``failures`` and ``bench pipeline``."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import typer

from qa_pipeline.asr.base import DEFAULT_BEAM_SIZE
from qa_pipeline.cli.app import app, bench_app, cli_errors, scorecards_option
from qa_pipeline.cli.options import ENCODER_HELP, AgentChannel, Backend, Model, WhisperEncoder
from qa_pipeline.cli.run import AGENT_CHANNEL_HELP, print_parameters, run_options
from qa_pipeline.paths import samples_dir

if TYPE_CHECKING:
    from qa_pipeline.ingest import Recording
    from qa_pipeline.records import RunSummary
    from qa_pipeline.runtime import AsrRuntime


def _offline_env() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@app.command("schedule")
@cli_errors
def schedule(
    cron: str = typer.Option(..., "--cron", help='When to run, as a cron line, e.g. "0 2 * * *" (02:00 every night).'),
    input_dir: Path = typer.Option(..., "--input", help="Folder of the day's recordings (searched recursively)."),
    db: Path = typer.Option(
        Path("qa.duckdb"), "--db", help="DuckDB file the runs write. Default: ./qa.duckdb or the settings file's db."
    ),
    name: str = typer.Option("nightly", help="Deployment name (shown as qa-nightly/NAME in Prefect)."),
    timezone: str = typer.Option("UTC", help="Time zone of the cron line (IANA name, e.g. Europe/London)."),
    manifest: Path | None = typer.Option(
        None, help="Metadata CSV/JSON. Default: manifest.csv or manifest.json in the input folder."
    ),
    backend: Backend = typer.Option(Backend.faster_whisper.value, help="ASR backend."),
    model: Model = typer.Option(Model.tiny_en.value, help="Whisper model."),
    language: str = typer.Option("en", help="Spoken language."),
    beam_size: int = typer.Option(DEFAULT_BEAM_SIZE, help="Beam size for decoding (1 = greedy)."),
    agent_channel: AgentChannel = typer.Option(AgentChannel.auto.value, help=AGENT_CHANNEL_HELP),
    redact: bool = typer.Option(True, "--redact/--no-redact", help="Redact PII before storing."),
    max_duration: float = typer.Option(
        4.0, "--max-duration", help="Longest recording accepted, in hours; longer ones are recorded as failures."
    ),
    scorecards: Path | None = scorecards_option(),
    settle: float = typer.Option(1.0, help="Seconds to watch file sizes; files still growing wait for the next run."),
    workers: int = typer.Option(0, help="Calls transcribed at once (0 = one per core)."),
    batch_size: int = typer.Option(8, help="Speech chunks decoded together by faster-whisper (0 = sequential)."),
    dask: str | None = typer.Option(
        None, help="Run the stages on Dask: 'local' or a scheduler address tcp://host:8786."
    ),
    show_parameters: bool = typer.Option(
        False,
        "--print-parameters",
        help="Print the deployment's parameters as JSON and exit (no Prefect server needed).",
    ),
) -> None:
    """Serve the nightly flow on a cron schedule against a running Prefect server (PREFECT_API_URL).

    Start the server first with 'prefect server start' and export
    PREFECT_API_URL=http://127.0.0.1:4200/api.  This command registers the deployment
    qa-nightly/NAME with the schedule and executes its runs until stopped (Ctrl-C).
    Trigger a run by hand with: prefect deployment run qa-nightly/NAME
    """
    _offline_env()
    from flows.schedule import serve_nightly
    from qa_pipeline.runtime import fit_runtime

    runtime = None if dask else fit_runtime(workers=workers or None, batch_size=batch_size)
    options = run_options(
        backend=backend,
        model=model,
        language=language,
        beam_size=beam_size,
        agent_channel=agent_channel,
        redact=redact,
        max_duration_h=max_duration,
        scorecards=scorecards,
    )
    if show_parameters:
        print_parameters(input_dir, db, manifest, options, settle, runtime=runtime, dask=dask)
        return
    serve_nightly(
        str(input_dir.resolve()),
        str(db.resolve()),
        cron,
        name=name,
        timezone=timezone,
        manifest=str(manifest.resolve()) if manifest else None,
        options=options,
        runtime=runtime,
        settle_s=settle,
        dask=dask,
    )


@app.command("runs")
@cli_errors
def runs(
    db: Path = typer.Option(Path("qa.duckdb"), "--db", help="DuckDB file."),
    limit: int = typer.Option(20, help="How many runs, newest first."),
) -> None:
    """Run history: when each run started, how it ended, calls done/skipped/failed, audio and wall time."""
    from qa_pipeline.store import connect
    from qa_pipeline.store.calls import list_runs

    with connect(db, read_only=True) as con:
        rows = list_runs(con, limit)
    if not rows:
        typer.echo(f"no runs in {db}")
        return
    typer.echo(
        f"{'run':<13}{'started (UTC)':<21}{'status':<12}{'found':>6}{'done':>6}{'skip':>6}{'fail':>6}{'audio h':>9}{'wall s':>9}{'x RT':>7}"
    )
    for r in rows:
        audio = r.get("audio_s") or 0.0
        wall = r.get("wall_s") or 0.0
        rt = f"{audio / wall:.1f}" if wall and audio else "-"
        typer.echo(
            f"{r['run_id']:<13}{r['started_at']:%Y-%m-%d %H:%M:%S}  {r['status']:<12}{r['calls_found'] or 0:>6}"
            f"{r['calls_done'] or 0:>6}{r['calls_skipped'] or 0:>6}{r['calls_failed'] or 0:>6}"
            f"{audio / 3600:>9.3f}{wall:>9.1f}{rt:>7}"
        )


@app.command("failures")
@cli_errors
def failures(
    db: Path = typer.Option(Path("qa.duckdb"), "--db", help="DuckDB file."),
    run_id: str | None = typer.Option(None, "--run", help="Run id (default: the latest run with failures)."),
) -> None:
    """The files a run could not process: file, stage and reason."""
    from qa_pipeline.store import connect
    from qa_pipeline.store.runlog import list_failures

    with connect(db, read_only=True) as con:
        rows = list_failures(con, run_id)
    if not rows:
        typer.echo(f"no failures{' in run ' + run_id if run_id else ''} in {db}")
        return
    typer.echo(f"run {rows[0].run_id}: {len(rows)} failure(s)")
    for f in rows:
        typer.echo(f"{f.stage:<10} {f.error_type:<18} {f.source_path}\n           {f.reason}")


def _bench_end_to_end(
    bp: ModuleType, recordings: list[Recording], backend: str, model: str, runtime: AsrRuntime, cores: int
) -> tuple[RunSummary, float]:
    """The real nightly flow, cold, into a fresh database; prints its figures, returns (summary, CPU seconds)."""
    from flows.nightly import add_progress_listener, remove_progress_listener, run_nightly
    from qa_pipeline.pipeline import PipelineOptions

    problems: list[str] = []

    def on_progress(event: str, detail: str) -> None:
        if event in ("failed", "problem"):
            problems.append(detail)

    with tempfile.TemporaryDirectory(prefix="qa-bench-e2e-") as tmp:
        staged = Path(tmp) / "calls"
        staged.mkdir()
        for rec in recordings:  # only the chosen calls, no manifest needed
            (staged / rec.path.name).symlink_to(rec.path.resolve())
        cpu0 = bp.cpu_seconds(include_children=False)
        t = time.perf_counter()
        add_progress_listener(on_progress)
        try:
            summary = run_nightly(
                staged,
                Path(tmp) / "e2e.duckdb",
                options=PipelineOptions(backend=backend, model=model),
                runtime=runtime,
                settle_s=0,
            )
        finally:
            remove_progress_listener(on_progress)
        outer = time.perf_counter() - t
        cpu = bp.cpu_seconds(include_children=False) - cpu0
        server_rss = bp.children_rss_bytes()
    peak = bp.peak_rss_bytes()
    load = os.getloadavg()[0]
    typer.echo("")
    typer.echo(
        f"end to end (nightly flow, {runtime.workers} calls at once × {runtime.cpu_threads} thread(s), cold models):"
    )
    typer.echo(
        f"  {summary.calls_done} calls done, {summary.calls_failed} failed; {summary.audio_s:.0f} s of audio in "
        f"{summary.wall_s:.1f} s = {summary.audio_s / summary.wall_s:.1f}× real time "
        f"(with Prefect's start-up: {outer:.1f} s = {summary.audio_s / outer:.1f}×)"
    )
    for p in problems:
        typer.echo(f"  failed: {p}", err=True)
    typer.echo(
        f"  CPU time {cpu:.1f} s (all threads of this process) = {summary.audio_s / cpu * cores:.1f}× real time "
        f"if the {cores} cores were ours alone (load average now {load:.1f})"
    )
    typer.echo(
        f"  peak memory (RSS of this process): {peak / 2**30:.2f} GiB; Prefect's local API server: {server_rss / 2**30:.2f} GiB more"
    )
    return summary, cpu


@bench_app.command("pipeline")
@cli_errors
def bench_pipeline(
    input_dir: Path = typer.Argument(None, help="Folder of calls. Default: the bundled sample calls."),
    calls: int = typer.Option(0, "--calls", min=0, help="Use only the first N stereo calls (0 = all)."),
    repeats: int = typer.Option(
        3,
        "--repeats",
        min=1,
        help="Rounds of pipeline and baseline, taken in turn. With --no-baseline, a stress run: every failed "
        "call of every round is counted (e.g. --repeats 50 --calls 2).",
    ),
    workers: int = typer.Option(0, help="Calls at once in the end-to-end run (0 = one per core)."),
    batch_size: int = typer.Option(8, help="faster-whisper batch size (0 = sequential)."),
    backend: Backend = typer.Option(Backend.faster_whisper.value, help="ASR backend of the pipeline."),
    model: Model = typer.Option(Model.tiny_en.value, help="Whisper model."),
    baseline: bool = typer.Option(
        True, "--baseline/--no-baseline", help="Also time the plain openai-whisper baseline on the same calls."
    ),
    stages: bool = typer.Option(False, "--stages/--no-stages", help="Also time each stage on its own (once)."),
    encoder: WhisperEncoder = typer.Option(WhisperEncoder.ctranslate2.value, "--encoder", help=ENCODER_HELP),
) -> None:
    """End to end (the nightly flow) against plain openai-whisper transcribe() + per-utterance classification on
    the same calls, taken in turn for --repeats rounds: median and range of each, the load average before and
    after, the pipeline's peak memory, and a last line RESULT pipeline: <x>× real time, <y>× the baseline, peak
    <z> GiB, <n> failed call(s) in <r> run(s). Exits 1 when any call failed in any round."""
    _offline_env()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    backend, model = Backend(backend).value, Model(model).value  # type: ignore[assignment]
    from qa_pipeline.audio import probe
    from qa_pipeline.benchtime import load_text, spread
    from qa_pipeline.devtools import bench_pipeline as bp
    from qa_pipeline.errors import InputError
    from qa_pipeline.runtime import available_cores, fit_runtime, fit_to_calls

    folder = input_dir or samples_dir() / "calls"
    recordings = bp.bench_recordings(folder, limit=calls or None)
    audio_total = sum(probe(rec.path).duration_s or 0.0 for rec in recordings)
    cores = available_cores()
    runtime = fit_to_calls(
        fit_runtime(workers=workers or None, batch_size=batch_size, encoder=WhisperEncoder(encoder).value),
        len(recordings),
    )
    load_before = load_text("load average before")
    typer.echo(
        f"{len(recordings)} stereo calls from {folder}, {audio_total:.0f} s of audio; {cores} cores; {load_before}"
    )
    typer.echo(
        "pipeline: "
        + bp.pipeline_settings(backend, model, batch_size, runtime.workers, runtime.cpu_threads)
        + f"; Whisper encoder {runtime.encoder}"
    )
    if baseline:
        typer.echo("baseline: " + bp.baseline_settings(model, cores))

    failed: list[int] = []  # failed calls of each end-to-end run

    def pipeline_once() -> float:
        summary, _cpu = _bench_end_to_end(bp, recordings, backend, model, runtime, cores)
        failed.append(summary.calls_failed + max(0, len(recordings) - summary.calls_done - summary.calls_failed))
        return summary.audio_s / summary.wall_s if summary.wall_s else 0.0

    def baseline_once() -> float:
        result = bp.run_baseline(recordings, model=model, cpu_threads=cores)
        typer.echo("")
        typer.echo(
            f"baseline: {result.audio_s:.0f} s of audio: transcribe {result.transcribe_s:.1f} s, classify "
            f"{result.classify_s:.1f} s ({result.utterances} segments) = {result.rt:.1f}× real time; "
            f"{result.audio_s / result.cpu_s:.1f} audio s per CPU s"
        )
        return result.rt

    runs = bp.alternate(pipeline_once, baseline_once if baseline else None, repeats)
    typer.echo("")
    typer.echo(f"order: {', '.join(runs.order)}")
    pipe = spread(runs.pipeline_rt)
    typer.echo(f"pipeline end to end: {pipe.text(unit='× real time')}")
    if baseline:
        typer.echo(f"baseline:            {spread(runs.baseline_rt).text(unit='× real time')}")
        typer.echo(f"pipeline ÷ baseline (each round): {spread(runs.ratios).text('{:.2f}', '×')}")
    typer.echo(f"{load_before}; {load_text('after')}")
    if stages:
        typer.echo("")
        typer.echo(f"stages (one call at a time, models warm, ASR on {cores} threads):")
        stage_pass = bp.run_stages(recordings, backend=backend, model=model, cpu_threads=cores, batch_size=batch_size)
        typer.echo(bp.format_stage_table(stage_pass))
        typer.echo("  model loading: " + ", ".join(f"{k} {v:.1f} s" for k, v in stage_pass.load_s.items()))
    vs = f"{spread(runs.ratios).median:.2f}× the baseline" if baseline else "baseline not run"
    typer.echo(
        f"RESULT pipeline: {pipe.median:.1f}× real time, {vs}, peak {runs.peak_bytes / 2**30:.2f} GiB, "
        f"{sum(failed)} failed call(s) in {len(failed)} run(s) of {len(recordings)} call(s), "
        f"{runtime.workers} at once"
    )
    if sum(failed):
        raise InputError(
            f"{sum(failed)} call(s) failed across {len(failed)} end-to-end runs; their errors are printed above"
        )


@bench_app.command("memory")
@cli_errors
def bench_memory(
    minutes: list[float] = typer.Option(
        [10.0, 60.0, 240.0], "--minutes", min=1.0, help="Call lengths to measure (repeat the option for several)."
    ),
    channels: list[int] = typer.Option(
        [2, 1], "--channels", min=1, max=2, help="2 = stereo, 1 = mono (diarized); repeat for both."
    ),
    keep: Path | None = typer.Option(None, "--keep", help="Write the long recordings here and keep them."),
) -> None:
    """Peak memory of one call of each length through every stage, each in a fresh process: the sample calls
    end to end as one long recording. Ends with RESULT memory: <peak> GiB at most, <growth> MiB per hour."""
    _offline_env()
    from qa_pipeline.benchtime import load_text
    from qa_pipeline.devtools import bench_memory as bm
    from qa_pipeline.devtools.bench_pipeline import bench_recordings

    calls = [rec.path for rec in bench_recordings(samples_dir() / "calls")]
    typer.echo(f"{load_text('load average before')}; recordings built from {len(calls)} stereo sample calls")
    typer.echo(f"{'minutes':>8} {'channels':>8} {'peak GiB':>9} {'wall s':>8} {'× real time':>11} {'utterances':>10}")
    figures = []
    with tempfile.TemporaryDirectory(prefix="qa-bench-memory-") as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for ch in channels:
            for m in minutes:
                path = bm.build_recording(folder / f"long-{m:g}min-{ch}ch.flac", m, ch, calls)
                f = bm.measure_in_child(path, m, ch)
                figures.append(f)
                typer.echo(
                    f"{m:>8g} {ch:>8} {f.peak_bytes / 2**30:>9.2f} {f.wall_s:>8.1f} {f.rt:>11.1f} {f.utterances:>10}"
                )
    typer.echo(load_text("load average after"))
    growth = [
        g for ch in channels if (g := bm.growth_mib_per_hour([f for f in figures if f.channels == ch])) is not None
    ]
    grows = f", grows {max(growth):+.0f} MiB per hour of call at most" if growth else ""
    typer.echo(f"RESULT memory: peak {max(f.peak_bytes for f in figures) / 2**30:.2f} GiB{grows}")
