"""CLI commands for Whisper: ``models verify``, ``models convert``, ``bench asr``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from qa_pipeline.asr.base import DEFAULT_BEAM_SIZE
from qa_pipeline.cli.app import bench_app, cli_errors, models_app
from qa_pipeline.cli.options import ENCODER_HELP, Backend, ComputeType, Model, WhisperEncoder
from qa_pipeline.errors import ModelNotAvailableError


def _table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@models_app.command("verify")
@cli_errors
def models_verify(
    model: list[Model] | None = typer.Option(None, "--model", "-m", help="Check only this Whisper model (repeatable)."),
    rehash: bool = typer.Option(
        False, "--rehash", help="Hash every file again instead of trusting the size+mtime cache."
    ),
) -> None:
    """Check every registered Whisper weight package: installed, pinned version, sha256 of each file."""
    from qa_pipeline.asr import convert, weights

    names = [str(m) for m in model] if model else list(weights.registered_models())
    rows: list[tuple[str, ...]] = []
    failed = 0
    for name in names:
        for check in weights.verify_model(name, use_cache=not rehash):
            detail = check.detail if check.status == "ok" else f"{check.detail}; run: {check.fix}"
            rows.append((name, check.package, check.file, check.status, detail))
            failed += check.status != "ok"
        pt = convert.checkpoint_path(name)
        if pt.is_file():
            expected = convert.read_sidecar(pt)
            digest = weights.sha256_file(pt) if rehash else weights.file_sha256_cached(pt)
            status = "ok" if digest == expected else "mismatch"
            failed += status != "ok"
            detail = digest[:12] if status == "ok" else f"re-run: qa-pipeline models convert --model {name} --force"
            rows.append((name, "openai-whisper checkpoint", str(pt.relative_to(pt.parents[2])), status, detail))
        else:
            rows.append(
                (
                    name,
                    "openai-whisper checkpoint",
                    "-",
                    "not converted",
                    f"optional: qa-pipeline models convert --model {name}",
                )
            )
    typer.echo(_table(rows, ("MODEL", "PACKAGE", "FILE", "STATUS", "DETAIL")))
    if failed:
        raise ModelNotAvailableError(f"{failed} check(s) failed; see the table above for the command that fixes each")


@models_app.command("convert")
@cli_errors
def models_convert(
    model: Model = typer.Option(Model.tiny_en.value, "--model", "-m", help="Whisper model to convert."),
    force: bool = typer.Option(False, "--force", help="Convert even if an up-to-date checkpoint exists."),
    check: bool = typer.Option(
        True, "--check/--no-check", help="Load the result with openai-whisper and transcribe jfk.flac."
    ),
) -> None:
    """Convert the packaged CTranslate2 weights into openai-whisper's .pt (models/whisper-pt/)."""
    from qa_pipeline.asr import convert

    result = convert.convert(model.value, force=force)
    verb = "converted" if result.converted else "up to date"
    typer.echo(f"{model}: {verb}: {result.path} (sha256 {result.sha256[:16]}…, {result.seconds:.1f} s)")
    typer.echo("dims: " + ", ".join(f"{k}={v}" for k, v in result.dims.items()))
    if check:
        _check_converted(model)


def _check_converted(model: str) -> None:
    from qa_pipeline.asr import TranscribeOptions, load_transcriber
    from qa_pipeline.asr.evaluate import load_clip, read_manifest, segments_text, word_errors
    from qa_pipeline.paths import shared_data_dir

    manifest = shared_data_dir() / "asr" / "manifest.tsv"
    entry = (
        next((e for e in read_manifest(manifest) if e.path.name == "jfk.flac"), None) if manifest.is_file() else None
    )
    if entry is None:
        typer.echo(f"check skipped: {manifest} (with jfk.flac) not found")
        return
    text = segments_text(load_transcriber("openai-whisper", model).transcribe(load_clip(entry), TranscribeOptions()))
    errs = word_errors(entry.reference, text)
    typer.echo(
        f"check: openai-whisper on jfk.flac: {text!r} — WER {errs.wer:.1%} ({errs.errors}/{errs.reference_words})"
    )


@bench_app.command("asr")
@cli_errors
def bench_asr(
    manifest: Path | None = typer.Option(
        None, "--manifest", help="Tab-separated file, channel, reference (default: ../shared/data/asr/manifest.tsv)."
    ),
    backend: list[Backend] | None = typer.Option(
        None, "--backend", "-b", help="faster-whisper and/or openai-whisper (repeatable; default both)."
    ),
    model: Model = typer.Option(Model.tiny_en.value, "--model", "-m", help="Whisper model."),
    beam_size: int = typer.Option(
        DEFAULT_BEAM_SIZE, "--beam-size", min=1, help="1 = greedy; the pipeline's default is 5."
    ),
    cpu_threads: int = typer.Option(2, "--cpu-threads", min=0),
    compute_type: ComputeType = typer.Option(
        ComputeType.int8.value, "--compute-type", help="faster-whisper only: int8, int8_float32, float32."
    ),
    batch_size: int = typer.Option(0, "--batch-size", min=0, help="faster-whisper only: >0 uses the batched pipeline."),
    encoder: WhisperEncoder = typer.Option(WhisperEncoder.ctranslate2.value, "--encoder", help=ENCODER_HELP),
    vad: bool = typer.Option(True, "--vad/--no-vad"),
    vad_threshold: float | None = typer.Option(
        None, "--vad-threshold", min=0.0, max=1.0, help="faster-whisper only: Silero speech threshold (default 0.5)."
    ),
    initial_prompt: str | None = typer.Option(
        None, "--initial-prompt", help="Text Whisper reads as if said before (a domain vocabulary hint)."
    ),
    hotwords: str | None = typer.Option(
        None, "--hotwords", help="faster-whisper only: domain words (company, product names) to favour."
    ),
    per_clip: bool = typer.Option(False, "--per-clip", help="Also print each clip's time, errors and transcript."),
    joined: bool = typer.Option(
        False, "--joined", help="Transcribe all clips as one long recording (1 s gaps), like a call."
    ),
) -> None:
    """Print word error rate and real-time factor per backend on the manifest's clips."""
    from qa_pipeline.asr import BACKENDS, TranscribeOptions
    from qa_pipeline.asr.evaluate import benchmark
    from qa_pipeline.asr.vad import VadSettings
    from qa_pipeline.errors import ConfigError
    from qa_pipeline.paths import shared_data_dir

    backends = [str(b) for b in backend] if backend else list(BACKENDS)
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise ConfigError(f"unknown backend(s) {unknown}; choose from {', '.join(BACKENDS)}")
    manifest = manifest or shared_data_dir() / "asr" / "manifest.tsv"
    results = benchmark(
        manifest,
        backends,
        model=model,
        options=TranscribeOptions(beam_size=beam_size, vad=vad, initial_prompt=initial_prompt, hotwords=hotwords),
        backend_opts={
            "cpu_threads": cpu_threads,
            "compute_type": compute_type,
            "batch_size": batch_size,
            "encoder": WhisperEncoder(encoder).value,
        }
        | ({"vad": VadSettings(threshold=vad_threshold)} if vad_threshold is not None else {}),
        joined=joined,
    )
    rows = [
        (
            r.backend,
            r.model,
            r.settings,
            f"{r.wer:.2%}",
            f"{r.errors.errors}/{r.errors.reference_words}",
            f"{r.rtf:.3f}",
            f"{r.audio_s:.1f}",
            f"{r.process_s:.2f}",
            f"{r.load_s:.2f}",
            f"{r.warmup_s:.2f}",
        )
        for r in results
    ]
    shape = "joined into one recording" if joined else "clips"
    typer.echo(f"manifest: {manifest} ({len(results[0].clips)} {shape}, {results[0].audio_s:.1f} s of audio)")
    typer.echo(
        _table(
            rows, ("BACKEND", "MODEL", "SETTINGS", "WER", "ERRORS", "RTF", "AUDIO_S", "PROC_S", "LOAD_S", "WARMUP_S")
        )
    )
    if per_clip:
        for r in results:
            typer.echo(f"\n{r.backend}:")
            clip_rows = [
                (
                    c.file,
                    c.channel,
                    f"{c.audio_s:.1f}",
                    f"{c.process_s:.2f}",
                    f"{c.errors.errors}/{c.errors.reference_words}",
                    c.hypothesis,
                )
                for c in r.clips
            ]
            typer.echo(_table(clip_rows, ("FILE", "CHANNEL", "AUDIO_S", "PROC_S", "ERRORS", "TRANSCRIPT")))
