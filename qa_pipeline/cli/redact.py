"""CLI commands: ``qa-pipeline redact [FILE]`` and ``qa-pipeline bench redact``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from qa_pipeline.cli.app import app, bench_app, cli_errors
from qa_pipeline.errors import InputError


def _options(types: str | None):
    from qa_pipeline.redact import RedactionOptions

    if not types:
        return RedactionOptions()
    return RedactionOptions.from_types(types.split(","))


@app.command("redact")
@cli_errors
def redact_cmd(
    file: Path | None = typer.Argument(None, help="Transcript lines to redact (default: standard input)."),
    types: str | None = typer.Option(None, "--types", help="Comma-separated PII types (default: all), e.g. CARD,SSN."),
    independent: bool = typer.Option(
        False, "--independent", help="Redact each line on its own (default: earlier lines give context)."
    ),
    summary: bool = typer.Option(False, "--summary", help="Print the count of redactions per type to stderr."),
) -> None:
    """Print FILE's lines (or stdin's) with PII replaced by [CARD], [SSN], [NAME], [SECRET], … placeholders.

    Lines form one conversation: the agent's question on one line types the answer on the
    next, and a card number read over several lines is found.  A leading 'Agent:' or
    'Customer:' names the speaker and is kept.
    """
    from qa_pipeline.redact import redact_lines

    if file is not None:
        if not file.exists():
            raise InputError(f"{file}: no such file; give a transcript file or pipe lines on stdin", path=str(file))
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{file}: not UTF-8 text ({exc}); convert it first, e.g. iconv -t utf-8", path=str(file)
            ) from None
    else:
        text = sys.stdin.read()
    lines = text.splitlines()
    results = redact_lines(lines, _options(types), independent=independent)
    counts: dict[str, int] = {}
    for res in results:
        typer.echo(res.text)
        for s in res.spans:
            counts[s.pii_type] = counts.get(s.pii_type, 0) + 1
    if summary:
        body = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing"
        typer.echo(f"redacted: {body} in {len(lines)} lines", err=True)


@bench_app.command("redact")
@cli_errors
def bench_redact(
    set_path: Path | None = typer.Option(None, "--set", help="Labelled set (default: tests/data/pii_eval.tsv)."),
    show: bool = typer.Option(False, "--show", help="List missed spans and altered clean dialogues."),
    repeat: int = typer.Option(3, "--repeat", min=1, help="At least this many timing passes over the set."),
    min_seconds: float = typer.Option(
        10.0, "--min-seconds", min=0, help="Repeat the passes until this many seconds have run (median reported)."
    ),
    source: str | None = typer.Option(
        None,
        "--source",
        help="Only dialogues of these sources (comma-separated: hand, template, heldout, heldout2 … heldout6).",
    ),
) -> None:
    """Recall per PII type, false-redaction rate on look-alikes, and speed, on the labelled set."""
    from qa_pipeline.redact.evaluate import default_eval_path, evaluate, load_eval_set
    from qa_pipeline.redact.types import PII_TYPES

    path = set_path or default_eval_path()
    cases = load_eval_set(path)
    if source:
        wanted = {x.strip() for x in source.split(",") if x.strip()}
        present = sorted({c.source for c in cases})
        cases = [c for c in cases if c.source in wanted]
        if not cases:
            raise InputError(f"{path}: no dialogue has source {sorted(wanted)}; sources there: {', '.join(present)}")
    from qa_pipeline.benchtime import load_text, repeat_timed, spread

    load_before = load_text("load average before")
    reports: list = []
    repeat_timed(lambda: reports.append(evaluate(cases)), min_seconds=min_seconds, min_runs=repeat)
    reports.sort(key=lambda r: r.seconds)
    report = reports[len(reports) // 2]  # the median pass
    rates = spread([r.utterances_per_s for r in reports])
    n_pii = sum(1 for c in cases if c.category == "pii")
    typer.echo(f"set: {path} ({len(cases)} dialogues: {n_pii} with PII, {len(cases) - n_pii} look-alikes)")
    typer.echo(f"{'type':8s} {'recall':>8s} {'found':>7s} {'removed':>8s}")
    for t in PII_TYPES:
        total = report.total.get(t, 0)
        if not total:
            continue
        typer.echo(
            f"{t:8s} {report.recall(t):8.1%} {report.recalled.get(t, 0):3d}/{total:<3d} {report.removed.get(t, 0) / total:8.1%}"
        )
    all_total = sum(report.total.values())
    typer.echo(
        f"{'all':8s} {sum(report.recalled.values()) / all_total:8.1%} {sum(report.recalled.values()):3d}/{all_total}"
    )
    typer.echo(
        f"false redactions: {report.clean_altered}/{report.clean_total} look-alike dialogues altered "
        f"({report.false_redaction_rate:.1%}); {report.pii_cases_spurious}/{report.pii_cases} PII dialogues "
        "with an extra span outside the labelled PII"
    )
    typer.echo(
        f"speed: {report.utterances_per_s:,.0f} lines/s ({report.utterances} utterances in {report.seconds:.3f} s, "
        f"detection + rebuilding text and words, one thread; {report.utterances_per_cpu_s:,.0f} lines per CPU-second)"
    )
    typer.echo(f"  passes: {rates.text('{:,.0f}', 'lines/s')}")
    typer.echo(f"  {load_before}; {load_text('after')}")
    if show:
        for line in report.missed:
            typer.echo(f"MISSED {line}")
        for line in report.altered:
            typer.echo(f"ALTERED {line}")
