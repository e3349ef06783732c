"""CLI commands: ``qa-pipeline bench diarization`` (the mono fallback on the sample calls)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from qa_pipeline.cli.app import bench_app, cli_errors
from qa_pipeline.paths import samples_dir


@bench_app.command("diarization")
@cli_errors
def bench_diarization(
    calls: Optional[Path] = typer.Option(None, "--calls", help="Sample calls folder with timelines.json (default: samples/calls)."),
    only: Optional[list[str]] = typer.Option(None, "--only", help="Only this call id (repeatable)."),
    backend: str = typer.Option("faster-whisper", "--backend", help="ASR backend."),
    model: str = typer.Option("tiny.en", "--model", help="Whisper model."),
    threads: int = typer.Option(2, "--threads", help="ASR CPU threads."),
    direction_hint: bool = typer.Option(False, "--direction-hint", help="Pass each call's direction (inbound/outbound) from manifest.csv to the role decision."),
) -> None:
    """Mix each sample call down to mono, transcribe, diarize, and print word attribution accuracy."""
    from dataclasses import replace

    from qa_pipeline.asr import load_transcriber
    from qa_pipeline.diarize import DiarizeOptions
    from qa_pipeline.devtools.diarize_eval import bench_sample_calls

    folder = calls if calls is not None else samples_dir() / "calls"
    asr = load_transcriber(backend, model, cpu_threads=threads)
    ids = list(only or [])
    directions: dict[str, str] = {}
    if direction_hint:
        import csv

        with (folder / "manifest.csv").open(encoding="utf-8") as fh:
            directions = {Path(r["file"]).stem: r["direction"] for r in csv.DictReader(fh)}
    rows = []
    if directions:
        for call_id, direction in directions.items():
            if ids and call_id not in ids:
                continue
            rows += bench_sample_calls(folder, asr, only=[call_id], options=replace(DiarizeOptions(), direction=direction))  # type: ignore[arg-type]
    else:
        rows = bench_sample_calls(folder, asr, only=ids)
    typer.echo(f"{'call':32s} {'voices':>6s} {'silh.':>6s} {'agent by':>24s} {'words':>6s} {'right':>6s} {'unknown':>8s} {'wrong':>6s} {'time':>6s}")
    words = right = unknown = wrong = 0
    for r in rows:
        s = r.score
        sil = "-" if r.result.silhouette is None else f"{r.result.silhouette:.2f}"
        typer.echo(
            f"{r.call_id:32s} {r.result.voices:6d} {sil:>6s} {r.result.roles.method:>24s} {s.words:6d} "
            f"{s.accuracy:6.3f} {s.unknown_rate:8.3f} {s.wrong_rate:6.3f} {r.diarize_s:5.1f}s"
        )
        words, right, unknown, wrong = words + s.words, right + s.correct, unknown + s.unknown, wrong + s.wrong
    if words:
        typer.echo(f"{'all':32s} {'':6s} {'':6s} {'':>24s} {words:6d} {right / words:6.3f} {unknown / words:8.3f} {wrong / words:6.3f}")
