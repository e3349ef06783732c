"""``qa-pipeline run``: score a folder of recordings into a DuckDB file.

:func:`run_options` builds a run's :class:`PipelineOptions` from the flags and the settings file; ``run``
and ``schedule`` both use it, so a scheduled night scores exactly as ``run`` does with the same
settings (``--print-parameters`` on either prints the flow's parameters as JSON).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from qa_pipeline.asr.base import DEFAULT_BEAM_SIZE
from qa_pipeline.cli.app import app, cli_errors, current_settings, scorecards_option
from qa_pipeline.cli.options import ENCODER_HELP, AgentChannel, Backend, Model, WhisperEncoder
from qa_pipeline.paths import samples_dir
from qa_pipeline.settings import SCORECARDS_ENV

if TYPE_CHECKING:
    from qa_pipeline.pipeline import PipelineOptions

EXIT_PARTIAL = 6
EXIT_FAILED = 7
DEFAULT_DB = Path("qa.duckdb")


def prefect_defaults(verbose: bool = False) -> None:
    """Quiet, offline-friendly Prefect settings unless the user set their own."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "CRITICAL")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def run_options(
    *,
    backend: Backend | str = Backend.faster_whisper,
    model: Model | str = Model.tiny_en,
    language: str = "en",
    beam_size: int = DEFAULT_BEAM_SIZE,
    agent_channel: AgentChannel | str = AgentChannel.auto,
    redact: bool = True,
    max_duration_h: float = 4.0,
    scorecards: Path | None = None,
) -> PipelineOptions:
    """The options of a run from its flags and the settings file: the ASR choices, stereo attribution,
    redaction (the ``redaction:`` block: types, ``keep_raw``), the manifest column mapping and the
    scorecards folder.  One place, used by ``run`` and ``schedule``."""
    from qa_pipeline.asr.base import TranscribeOptions
    from qa_pipeline.attribute import attribution_options
    from qa_pipeline.pipeline import PipelineOptions

    settings = current_settings().settings
    folder = scorecards or settings.scorecards  # the --scorecards flag wins over the settings file
    scorecards_dir = str(folder.resolve()) if folder else os.environ.get(SCORECARDS_ENV)
    return PipelineOptions(
        backend=Backend(backend).value,
        model=Model(model).value,
        transcribe=TranscribeOptions(language=language, beam_size=beam_size),
        attribution=attribution_options(AgentChannel(agent_channel).value),
        redact=redact,
        max_duration_s=max_duration_h * 3600,
        manifest_columns=tuple(settings.manifest.columns.items()),
        redaction=settings.redaction.to_options(),
        scorecards=scorecards_dir,
    )


def print_parameters(
    input_dir: Path, db: Path, manifest: Path | None, options: PipelineOptions, settle_s: float, **kw: Any
) -> None:
    """Print the nightly flow's parameters as JSON (paths absolute, as a deployment stores them)."""
    from flows.schedule import deployment_parameters

    params = deployment_parameters(
        str(input_dir.resolve()),
        str(db.resolve()),
        manifest=str(manifest.resolve()) if manifest else None,
        options=options,
        settle_s=settle_s,
        **kw,
    )
    typer.echo(json.dumps(params, indent=2, sort_keys=True))


AGENT_CHANNEL_HELP = (
    "Stereo calls: the agent's channel: auto (decided per call from what each side says), 0 (left) or 1 (right); "
    "a manifest agent_channel column overrides it."
)


@app.command("run")
@cli_errors
def run(
    input_dir: Path = typer.Argument(
        None, help="Folder of recordings, searched recursively. Default: the bundled sample calls."
    ),
    db: Path = typer.Option(DEFAULT_DB, "--db", help="DuckDB file to write (created if missing)."),
    manifest: Path | None = typer.Option(
        None, help="Metadata CSV/JSON. Default: manifest.csv or manifest.json in INPUT_DIR."
    ),
    backend: Backend = typer.Option(Backend.faster_whisper.value, help="ASR backend."),
    model: Model = typer.Option(Model.tiny_en.value, help="Whisper model."),
    language: str = typer.Option("en", help="Spoken language (base model only for non-English)."),
    beam_size: int = typer.Option(DEFAULT_BEAM_SIZE, help="Beam size for decoding (1 = greedy)."),
    agent_channel: AgentChannel = typer.Option(AgentChannel.auto.value, help=AGENT_CHANNEL_HELP),
    workers: int = typer.Option(0, help="Calls processed at once (0 = fit the cores)."),
    encoder: WhisperEncoder = typer.Option(WhisperEncoder.ctranslate2.value, "--encoder", help=ENCODER_HELP),
    redact: bool = typer.Option(True, "--redact/--no-redact", help="Redact PII before storing (on by default)."),
    max_duration: float = typer.Option(
        4.0, "--max-duration", help="Longest recording accepted, in hours; longer ones are recorded as failures."
    ),
    dask: str | None = typer.Option(
        None,
        "--dask",
        help="Run transcription and classification on Dask: 'local' or a scheduler address tcp://HOST:8786.",
    ),
    dask_workers: int = typer.Option(2, "--dask-workers", help="Worker processes for --dask local."),
    settle: float = typer.Option(1.0, help="Seconds to watch file sizes; files still growing wait for the next run."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Prefect's task logs."),
    show_parameters: bool = typer.Option(
        False, "--print-parameters", help="Print the flow parameters this run would use, as JSON, and exit."
    ),
    scorecards: Path | None = scorecards_option(),
) -> None:
    """Transcribe, classify and score every new recording in INPUT_DIR into the DuckDB file.

    Calls already stored are skipped (their call_id is the hash of their audio), so re-running
    on the same folder changes nothing.  Exit status: 0 all done, 6 partial (some files failed;
    see the failures table), 7 nothing could be processed.
    """
    prefect_defaults(verbose)
    if input_dir is None:
        input_dir = samples_dir() / "calls"
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
    from qa_pipeline.runtime import fit_runtime

    runtime = None if dask else fit_runtime(workers=workers or None, encoder=WhisperEncoder(encoder).value)
    if show_parameters:
        print_parameters(input_dir, db, manifest, options, settle, runtime=runtime, dask=dask)
        return
    from flows.nightly import add_progress_listener, remove_progress_listener, run_nightly

    bar = None
    messages: list[str] = []

    def on_progress(event: str, detail: str) -> None:
        nonlocal bar
        if event == "found":
            if progress:
                from tqdm import tqdm

                bar = tqdm(total=int(detail), unit="call", desc="scoring", file=sys.stderr, dynamic_ncols=True)
        elif event in ("done", "skipped", "failed"):
            if bar is not None:
                bar.update(1)
            if event == "failed":
                messages.append(detail)
        elif event == "problem":
            messages.append(detail)

    add_progress_listener(on_progress)
    try:
        summary = run_nightly(
            input_dir,
            db,
            manifest=manifest,
            options=options,
            workers=workers or None,
            settle_s=settle,
            runtime=runtime,
            dask=dask,
            dask_workers=dask_workers,
        )
    finally:
        remove_progress_listener(on_progress)
        if bar is not None:
            bar.close()
    for m in messages:
        typer.echo(f"failed: {m}", err=True)
    typer.echo(summary.as_text())
    typer.echo(f"database: {db}")
    if summary.status == "partial":
        raise typer.Exit(EXIT_PARTIAL)
    if summary.status == "failed":
        raise typer.Exit(EXIT_FAILED)
