"""CLI commands: ``qa-pipeline samples make`` renders the bundled sample calls."""

from __future__ import annotations

from pathlib import Path

import typer

from qa_pipeline.cli.app import app, cli_errors
from qa_pipeline.paths import samples_dir

samples_app = typer.Typer(
    help="The bundled sample calls (written dialogues rendered with espeak-ng).", no_args_is_help=True
)
app.add_typer(samples_app, name="samples")


@samples_app.command("make")
@cli_errors
def samples_make(
    out: Path | None = typer.Option(None, "--out", help="Output folder (default: samples/calls in the project)."),
    dialogues: Path | None = typer.Option(None, "--dialogues", help="Dialogue file (default: samples/dialogues.yaml)."),
    only: list[str] | None = typer.Option(None, "--only", help="Render only this dialogue id (repeatable)."),
) -> None:
    """Render the sample dialogues to recordings, manifest.csv and timelines.json."""
    from qa_pipeline.devtools.samples import make_samples

    out_dir = out if out is not None else samples_dir() / "calls"
    source = dialogues if dialogues is not None else samples_dir() / "dialogues.yaml"
    calls = make_samples(source, out_dir, only=only or ())
    total = 0
    for c in calls:
        layout = "stereo" if c.channels == 2 else "mono"
        typer.echo(
            f"{c.file:40s} {c.format:5s} {layout:6s} {c.sample_rate:>6d} Hz {c.duration_s:7.1f} s {c.size_bytes / 1024:8.1f} KiB"
        )
        total += c.size_bytes
    typer.echo(f"{len(calls)} call(s), {total / 1024 / 1024:.2f} MiB, manifest and timelines in {out_dir}")
