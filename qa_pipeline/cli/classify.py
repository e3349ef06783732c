"""CLI commands for the utterance classifiers: ``train``, ``classify``, ``reclassify``, ``bench classify``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import typer

from qa_pipeline.cli.app import app, bench_app, cli_errors
from qa_pipeline.cli.options import Precision
from qa_pipeline.errors import ConfigError, InputError


def _check_precision(precision: Precision | str) -> str:
    return Precision(precision).value


@app.command("train")
@cli_errors
def train_command(
    seed: int = typer.Option(13, "--seed", help="Seed for template expansion and fold assignment."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the classifier here instead of models/classifier/ (for comparing runs)."
    ),
    cache: bool = typer.Option(
        True, "--cache/--no-cache", help="Reuse embeddings of unchanged training texts (.cache/classifier)."
    ),
    hvb_dev: bool = typer.Option(
        True,
        "--hvb-dev/--no-hvb-dev",
        help="Also learn from the learning part of ../shared hvb-dev (real calls; the committed weights use it).",
    ),
) -> None:
    """Rebuild the sentiment and label heads from models/training (CPU, a few minutes) and write the model card."""
    from qa_pipeline.classify.train import TrainOptions, train

    report = train(TrainOptions(seed=seed, output_dir=output, use_cache=cache, hvb_dev=hvb_dev))
    held = report.metrics["heldout"]
    typer.echo(f"classifier {report.version} written to {report.output_dir} in {report.seconds:.0f} s")
    typer.echo(
        f"training examples: sentiment {report.counts['sentiment_train']} (+{report.counts['sentiment_test']} held out), "
        f"labels {report.counts['labels_train']} (+{report.counts['labels_test']} held out)"
    )
    typer.echo(
        f"held-out sentiment macro-F1 {held['sentiment_macro_f1']:.3f}, label macro-F1 {held['labels_macro_f1']:.3f}"
    )
    for name, m in held["labels"].items():
        typer.echo(
            f"  {name:22s} threshold {m['threshold']:.2f}  P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
        )
    typer.echo(f"model card: {report.output_dir / 'MODEL_CARD.md'}")


def _read_lines(source: Path | None) -> Iterator[str]:
    if source is None or str(source) == "-":
        for line in sys.stdin:
            yield line.rstrip("\r\n")
        return
    if not source.is_file():
        raise InputError(
            f"{source}: no such file; give a text file with one utterance per line, or '-' for stdin", path=str(source)
        )
    with source.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            yield line.rstrip("\r\n")


def _batches(lines: Iterable[str], size: int, interactive: bool) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        batch.append(line)
        if interactive or len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@app.command("classify")
@cli_errors
def classify_command(
    source: Path | None = typer.Argument(None, help="Text file, one utterance per line; '-' or nothing reads stdin."),
    explain: bool = typer.Option(False, "--explain", help="Add the head's scores and every pattern/lexicon match."),
    precision: Precision = typer.Option(
        Precision.auto.value,
        "--precision",
        help="Encoder maths: auto (bfloat16 where the CPU has it), float32, bfloat16.",
    ),
    batch_size: int = typer.Option(
        256, "--batch", min=1, help="Lines classified together when reading a file or pipe."
    ),
) -> None:
    """Classify utterances and print one JSON object a line: text, sentiment, sentiment_score, labels, detected."""
    from qa_pipeline.classify import load_classifier

    classifier = load_classifier(precision=_check_precision(precision))  # type: ignore[arg-type]
    interactive = (source is None or str(source) == "-") and sys.stdin.isatty()
    for batch in _batches(_read_lines(source), batch_size, interactive):
        if explain:
            for e in classifier.explain(batch):
                r = e.result
                record = _record(e.text, r)
                record["evidence"] = {
                    "sentiment_probs": e.sentiment_probs,
                    "head": e.learned,
                    "matches": [
                        {"label": h.label, "score": h.score, "matched": h.matched, "rule": h.rule} for h in e.hits
                    ],
                }
                typer.echo(json.dumps(record, ensure_ascii=False))
        else:
            for text, r in zip(batch, classifier.classify(batch)):
                typer.echo(json.dumps(_record(text, r), ensure_ascii=False))
        sys.stdout.flush()


def _record(text: str, r) -> dict:
    return {
        "text": text,
        "sentiment": r.sentiment,
        "sentiment_score": r.sentiment_score,
        "labels": dict(r.labels),
        "detected": list(r.detected),
    }


@app.command("reclassify")
@cli_errors
def reclassify_command(
    db: Path = typer.Option(
        Path("qa.duckdb"),
        "--db",
        help="The DuckDB file written by 'qa-pipeline run'. Default: ./qa.duckdb or the settings file's db.",
    ),
    all_calls: bool = typer.Option(False, "--all", help="Re-classify every stored call."),
    stale: bool = typer.Option(
        False, "--stale", help="Only calls whose labels are missing or from another classifier version (default)."
    ),
    call: list[str] | None = typer.Option(None, "--call", help="Re-classify this call id (repeatable)."),
    precision: Precision = typer.Option(Precision.auto.value, "--precision", help="Encoder maths."),
) -> None:
    """Classify stored calls again from their stored (redacted) text after a model update; no audio, no ASR."""
    from qa_pipeline.classify import load_classifier
    from qa_pipeline.classify.reclassify import reclassify_stored

    if all_calls and stale:
        raise ConfigError(
            "--all and --stale exclude each other: --all redoes every call, --stale only out-of-date ones"
        )
    if not db.exists():
        raise InputError(f"database {db} does not exist; run 'qa-pipeline run INPUT_DIR --db {db}' first", path=str(db))
    classifier = load_classifier(precision=_check_precision(precision))  # type: ignore[arg-type]
    report = reclassify_stored(db, classifier, only_stale=not all_calls, call_ids=call or None)
    typer.echo(
        f"reclassified {report.calls} call(s), {report.utterances} utterance(s) with classifier {report.version} "
        f"in {report.seconds:.1f} s; {report.changed} utterance(s) changed sentiment or detected labels"
    )
    if report.changed:
        typer.echo("scores are not recomputed here: run 'qa-pipeline rescore' so scorecards see the new labels")


@bench_app.command("classify")
@cli_errors
def bench_classify_command(
    precision: Precision = typer.Option(Precision.auto.value, "--precision", help="Encoder maths."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as one JSON object."),
    show_flagged: bool = typer.Option(
        False, "--show-flagged", help="List the clean agent lines flagged as prohibited."
    ),
    ceiling: bool = typer.Option(
        False,
        "--ceiling",
        help="Instead: refit the sentiment head on each measuring file itself (5-fold cross-validation, nothing saved) "
        "to show how far the frozen features can go with in-domain training data.",
    ),
    curve: bool = typer.Option(
        False, "--curve", help="With --ceiling: also the figures with 1/8, 1/4 and 1/2 of each training fold."
    ),
    min_seconds: float = typer.Option(
        15.0, "--min-seconds", min=0, help="Classify the speed set again until this many seconds have run (median)."
    ),
) -> None:
    """Sentiment, prohibited-language and speed figures on the outside data in ../shared/data (2 threads)."""
    from dataclasses import asdict

    from qa_pipeline.classify.classifier import Classifier
    from qa_pipeline.classify.evaluate import bench_ceiling, bench_classify

    if curve and not ceiling:
        raise typer.BadParameter("--curve goes with --ceiling", param_hint="--curve")
    classifier = Classifier(precision=_check_precision(precision), threads=2)  # type: ignore[arg-type]
    report = bench_ceiling(classifier, curve=curve) if ceiling else bench_classify(classifier, min_seconds=min_seconds)
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
        return
    for line in report.lines():
        typer.echo(line)
    if show_flagged and not ceiling:
        for text in report.clean_flagged:  # type: ignore[union-attr]
            typer.echo(f"  flagged: {text}")
