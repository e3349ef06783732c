"""CLI commands: ``qa-pipeline bench diarization`` (the mono fallback on the sample calls)."""

from __future__ import annotations

from pathlib import Path

import typer

from qa_pipeline.asr.base import DEFAULT_BEAM_SIZE
from qa_pipeline.cli.app import bench_app, cli_errors
from qa_pipeline.cli.options import ENCODER_HELP, AgentChannel, Backend, Model, WhisperEncoder
from qa_pipeline.paths import samples_dir


@bench_app.command("diarization")
@cli_errors
def bench_diarization(
    calls: Path | None = typer.Option(
        None, "--calls", help="Sample calls folder with timelines.json (default: samples/calls)."
    ),
    only: list[str] | None = typer.Option(None, "--only", help="Only this call id (repeatable)."),
    backend: Backend = typer.Option(Backend.faster_whisper.value, "--backend", help="ASR backend."),
    model: Model = typer.Option(Model.tiny_en.value, "--model", help="Whisper model."),
    threads: int = typer.Option(2, "--threads", help="ASR CPU threads."),
    direction_hint: bool = typer.Option(
        False,
        "--direction-hint",
        help="Pass each call's direction (inbound/outbound) from manifest.csv to the role decision.",
    ),
) -> None:
    """Mix each sample call down to mono, transcribe, diarize, and print word attribution accuracy."""
    from dataclasses import replace

    from qa_pipeline.asr import load_transcriber
    from qa_pipeline.devtools.diarize_eval import bench_sample_calls
    from qa_pipeline.diarize import DiarizeOptions

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
            rows += bench_sample_calls(
                folder,
                asr,
                only=[call_id],
                options=replace(DiarizeOptions(), direction="outbound" if direction == "outbound" else "inbound"),
            )
    else:
        rows = bench_sample_calls(folder, asr, only=ids)
    typer.echo(
        f"{'call':32s} {'voices':>6s} {'silh.':>6s} {'agent by':>24s} {'words':>6s} {'right':>6s} {'unknown':>8s} {'wrong':>6s} {'time':>6s}"
    )
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
        typer.echo(
            f"{'all':32s} {'':6s} {'':6s} {'':>24s} {words:6d} {right / words:6.3f} {unknown / words:8.3f} {wrong / words:6.3f}"
        )


@bench_app.command("attribution")
@cli_errors
def bench_attribution(
    folder: Path = typer.Argument(
        ..., help="Folder of recordings with <stem>.turns.json (speaker, start, end, text) or <stem>.rttm references."
    ),
    variants: str = typer.Option(
        "stereo,swapped,mono",
        "--variants",
        help="Comma list of stereo, swapped (channels reversed), mono (mixed down).",
    ),
    only: list[str] | None = typer.Option(None, "--only", help="Only this call (file stem; repeatable)."),
    backend: Backend = typer.Option(Backend.faster_whisper.value, "--backend", help="ASR backend."),
    model: Model = typer.Option(Model.tiny_en.value, "--model", help="Whisper model."),
    threads: int = typer.Option(2, "--threads", help="ASR CPU threads."),
    batch_size: int = typer.Option(
        8,
        "--batch-size",
        min=0,
        help="faster-whisper: speech chunks decoded together (8 = what qa-pipeline run uses; 0 = sequential).",
    ),
    agent_channel: AgentChannel = typer.Option(
        AgentChannel.auto.value,
        "--agent-channel",
        help="Stereo agent channel: auto (decided per call from what each side says), 0 (left) or 1 (right).",
    ),
    beam_size: int = typer.Option(
        DEFAULT_BEAM_SIZE, "--beam-size", min=1, help="Beam size for decoding (1 = greedy; run uses 5)."
    ),
    encoder: WhisperEncoder = typer.Option(WhisperEncoder.ctranslate2.value, "--encoder", help=ENCODER_HELP),
    per_call: bool = typer.Option(False, "--per-call", help="Also print one line per call."),
) -> None:
    """Score who-said-what against reference turns: per-role WER, speaker-blind WER, turns on the right role, DER, wall time, peak memory."""
    from qa_pipeline.asr import TranscribeOptions, load_transcriber
    from qa_pipeline.attribute import attribution_options
    from qa_pipeline.attribution_eval import VARIANTS, find_reference_calls, run_variant, summarise
    from qa_pipeline.devtools.bench_pipeline import peak_rss_bytes
    from qa_pipeline.errors import ConfigError
    from qa_pipeline.pipeline import PipelineOptions

    chosen = [v.strip() for v in variants.split(",") if v.strip()]
    bad = [v for v in chosen if v not in VARIANTS]
    if bad:
        raise ConfigError(f"--variants {variants!r}: unknown {', '.join(bad)}; use any of {', '.join(VARIANTS)}")
    calls = [c for c in find_reference_calls(folder) if not only or c.name in only]
    asr = load_transcriber(
        backend,
        model,
        cpu_threads=threads,
        **({"batch_size": batch_size, "encoder": WhisperEncoder(encoder).value} if backend == "faster-whisper" else {}),
    )
    options = PipelineOptions(
        backend=backend,
        model=model,
        attribution=attribution_options(AgentChannel(agent_channel).value),
        transcribe=TranscribeOptions(beam_size=beam_size),
    )

    def pct(x: float | None) -> str:
        return "    -" if x is None else f"{100 * x:5.1f}"

    typer.echo(
        f"{'variant':8s} {'calls':>5s} {'role WER%':>9s} {'blind WER%':>10s} {'turns':>6s} {'right%':>6s} {'empty':>5s} {'DER%':>5s} {'wall s':>7s} {'audio s':>7s} {'xRT':>5s} {'peak MB':>7s} {'cpu s':>7s} {'xRT/2cpu':>8s}"
    )
    for variant in chosen:
        scores = run_variant(calls, variant, asr, options)
        s = summarise(variant, scores, peak_rss_bytes() / 2**20)
        if per_call:
            for c in s.scores:
                typer.echo(
                    f"  {c.name:28s} {variant:8s} role {pct(c.role_errors.wer if c.role_errors else None)} blind {pct(c.blind_errors.wer if c.blind_errors else None)} "
                    f"turns {c.turns_right}/{c.turns} (empty {c.turns_empty}) DER {pct(c.der)} utt {c.utterances} unknown words {c.unknown_words}/{c.words} "
                    f"{c.wall_s:.1f}s (cpu {c.cpu_s:.1f}s) {c.decision}"
                )
        xrt = s.audio_s / s.wall_s if s.wall_s else 0.0
        typer.echo(
            f"{variant:8s} {s.calls:5d} {pct(s.role_wer):>9s} {pct(s.blind_wer):>10s} {s.turns:6d} {pct(s.turn_share):>6s} {s.turns_empty:5d} "
            f"{pct(s.der):>5s} {s.wall_s:7.1f} {s.audio_s:7.1f} {xrt:5.1f} {s.peak_rss_mb:7.0f} {s.cpu_s:7.1f} {2 * s.audio_s / s.cpu_s if s.cpu_s else 0.0:8.1f}"
        )
