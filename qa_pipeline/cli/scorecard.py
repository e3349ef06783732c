"""CLI commands: ``scorecard validate|list``, ``rescore`` and ``bench rescore``."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import typer

from qa_pipeline.cli.app import app, bench_app, cli_errors, scorecard_app, scorecards_option


@scorecard_app.command("validate")
@cli_errors
def scorecard_validate(
    files: list[Path] | None = typer.Argument(
        None, help="Scorecard or flag-rule YAML files (flags.yaml is recognised). Default: every file in --scorecards."
    ),
    directory: Path | None = scorecards_option(),
) -> None:
    """Validate scorecard files strictly; exit 0 when all are valid, 2 with one message per problem."""
    from qa_pipeline.paths import scorecards_dir
    from qa_pipeline.scorecard.validate import validate_file

    if not files:
        if directory is None:
            raise typer.BadParameter("give scorecard files, or --scorecards DIR to validate every file there")
        files = sorted(scorecards_dir().glob("*.yaml"))
        if not files:
            raise typer.BadParameter(f"{directory}: no .yaml files in this directory")

    bad = 0
    for path in files:
        messages = validate_file(path)
        if messages:
            bad += 1
            for m in messages:
                typer.echo(m, err=True)
        else:
            typer.echo(f"{path}: ok")
    if bad:
        typer.echo(f"{bad} of {len(files)} file(s) invalid", err=True)
        raise typer.Exit(code=2)


@scorecard_app.command("list")
@cli_errors
def scorecard_list(
    directory: Path | None = scorecards_option(),
    db: Path | None = typer.Option(None, "--db", help="Also list the versions registered in this database."),
) -> None:
    """List the scorecards in the directory (id, version, active, sections, criteria, title)."""
    from qa_pipeline.scorecard.loader import load_scorecards

    cards = load_scorecards(include_inactive=True)
    typer.echo(f"{'id':<20} {'version':<17} {'active':<6} {'sect':>4} {'crit':>4}  title")
    for c in cards:
        typer.echo(
            f"{c.id:<20} {c.version:<17} {'yes' if c.active else 'no':<6} {len(c.spec.sections):>4} {c.criteria_count:>4}  {c.title}"
        )
    if db is not None:
        from qa_pipeline.store.db import connect
        from qa_pipeline.store.scorecards import registered_scorecards

        with connect(db, read_only=True) as con:
            rows = registered_scorecards(con)
        typer.echo(f"\nregistered in {db}:")
        typer.echo(f"{'id':<20} {'version':<17} {'calls':>7}  registered")
        for sid, version, _title, at, n in rows:
            typer.echo(f"{sid:<20} {version:<17} {n:>7}  {at:%Y-%m-%d %H:%M}")


@app.command("rescore")
@cli_errors
def rescore_cmd(
    db: Path = typer.Option(
        Path("qa.duckdb"), "--db", help="DuckDB file with stored calls. Default: ./qa.duckdb or the settings file's db."
    ),
    scorecard: str = typer.Option(..., "--scorecard", help="Scorecard id (a file in the scorecard directory)."),
    file: Path | None = typer.Option(
        None, "--file", help="Use this scorecard file instead of looking the id up in the scorecard directory."
    ),
    flags: Path | None = typer.Option(
        None, "--flags", help="Flag rules file (default: flags.yaml in the scorecard directory, if present)."
    ),
    directory: Path | None = scorecards_option(),
) -> None:
    """Re-score every stored call with a scorecard from stored utterances and labels (no audio)."""
    from qa_pipeline.rescore import rescore
    from qa_pipeline.scorecard.flags import load_flag_rules
    from qa_pipeline.scorecard.loader import load_scorecard

    card = load_scorecard(file) if file is not None else None
    summary = rescore(
        db,
        scorecard,
        scorecard=card,
        flag_rules=load_flag_rules(flags),
        scorecards_directory=None,  # --scorecards set the directory for every lookup
    )
    typer.echo(summary.as_text())


@bench_app.command("rescore")
@cli_errors
def bench_rescore(
    calls: int = typer.Option(10_000, "--calls", min=1, help="Synthetic calls to store and rescore."),
    scorecard: str = typer.Option("customer_service", "--scorecard", help="Scorecard id."),
    db: Path | None = typer.Option(None, "--db", help="Keep the synthetic database here (default: a temp dir)."),
    seed: int = typer.Option(7, "--seed"),
    min_seconds: float = typer.Option(
        20.0, "--min-seconds", min=0, help="Repeat the rescore until this many seconds have run (median reported)."
    ),
) -> None:
    """Time rescoring: build a DuckDB with N synthetic stored calls (~37 utterances each), score, then rescore."""
    from dataclasses import replace

    from qa_pipeline.benchtime import load_text, repeat_timed
    from qa_pipeline.devtools.synthetic import build_synthetic_db
    from qa_pipeline.kpi.rollup import rebuild as rebuild_rollups
    from qa_pipeline.rescore import RescoreSummary, rescore
    from qa_pipeline.scorecard.flags import load_flag_rules
    from qa_pipeline.scorecard.loader import find_scorecard
    from qa_pipeline.store.db import connect, transaction, utcnow

    card = find_scorecard(scorecard)
    rules = load_flag_rules()
    with tempfile.TemporaryDirectory(prefix="qa-bench-rescore-") as tmp:
        path = db if db is not None else Path(tmp) / "bench.duckdb"
        if path.exists():
            raise typer.BadParameter(f"{path} exists; give a new path")
        t = time.perf_counter()
        n_utts = build_synthetic_db(path, calls, seed=seed)
        build_s = time.perf_counter() - t
        typer.echo(
            f"built {calls:,} synthetic calls ({n_utts:,} utterances, {n_utts / calls:.1f} per call) in {build_s:.1f} s"
        )

        first = rescore(path, scorecard=card, flag_rules=rules)
        typer.echo("first scoring (no previous rows):")
        typer.echo("  " + first.as_text().replace("\n", "\n  "))

        # reviewers' overrides on 1 % of calls, which the rescore must re-apply
        with connect(path) as con, transaction(con):
            crit = card.spec.sections[0].criteria[0].id
            con.execute(
                "INSERT INTO overrides SELECT 'ovr' || call_id, call_id, scorecard_id, ?, verdict,"
                " CASE verdict WHEN 'pass' THEN 'fail' ELSE 'pass' END, 'bench', 'bench', ? FROM criterion_results"
                " WHERE scorecard_id = ? AND criterion_id = ? AND hash(call_id) % 100 = 0",
                [crit, utcnow(), card.id, crit],
            )
            rebuild_rollups(con)  # the overrides were inserted directly: bring the KPI roll-ups up to date
        load_before = load_text("load average before")
        timed = repeat_timed(
            lambda: rescore(path, scorecard=card, flag_rules=rules), min_seconds=min_seconds, min_runs=1
        )
        second = timed.result
        typer.echo(
            "rescore with the card unchanged (rows that come out the same left in place, overrides re-applied), last run:"
        )
        typer.echo("  " + second.as_text().replace("\n", "\n  "))
        # the size of one scored copy of every call (rewriting rows leaves free blocks DuckDB reuses later)
        size_mb = path.stat().st_size / 1e6
        with connect(path, read_only=True) as con:  # the JSON columns rescoring writes, before compression
            row = con.execute(
                "SELECT (SELECT coalesce(sum(strlen(evidence::VARCHAR)), 0) FROM criterion_results),"
                " (SELECT coalesce(sum(strlen(metrics::VARCHAR)), 0) FROM call_metrics)"
            ).fetchone()
            evidence_b, metrics_b = row if row is not None else (0, 0)
        edits = iter(range(1, 1_000_000))

        def edited() -> RescoreSummary:  # a new version each time: every call's score rows are rewritten
            return rescore(path, scorecard=replace(card, version=f"{card.version}-edit{next(edits)}"), flag_rules=rules)

        timed_edit = repeat_timed(edited, min_seconds=min_seconds, min_runs=1)
        typer.echo("rescore after a card edit (every call's score rows rewritten), last run:")
        typer.echo("  " + timed_edit.result.as_text().replace("\n", "\n  "))
        edited_mb = path.stat().st_size / 1e6
    rate = timed.rate(second.calls)
    rate_edit = timed_edit.rate(timed_edit.result.calls)
    typer.echo(f"  {load_before}; {load_text('after')}")
    typer.echo(
        f"  size: database {size_mb * 1e3 / calls:.1f} kB per call; JSON text per call before compression: "
        f"criterion_results.evidence {evidence_b / 1e3 / calls:.1f} kB, call_metrics.metrics {metrics_b / 1e3 / calls:.1f} kB; after the card edits {edited_mb * 1e3 / calls:.1f} kB per call"
    )
    typer.echo(
        f"RESULT rescore: {second.calls:,} calls, {rate.text('{:,.0f}', 'calls/s')}; after a card edit "
        f"{rate_edit.text('{:,.0f}', 'calls/s')} (scorecard {card.id}@{card.version}, {card.criteria_count} criteria; database {size_mb:.0f} MB, "
        f"{size_mb * 1e3 / calls:.1f} kB per call)"
    )


@bench_app.command("agreement")
@cli_errors
def bench_agreement(
    db: Path = typer.Option(
        Path("qa.duckdb"),
        "--db",
        help="DuckDB file with the scored calls. Default: ./qa.duckdb or the settings file's db.",
    ),
    reference: Path = typer.Option(..., "--reference", help="JSONL reference verdicts (format: docs/scorecards.md)."),
    scorecard: str = typer.Option("customer_service", "--scorecard", help="Scorecard whose verdicts are compared."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the figures as JSON here."),
) -> None:
    """Per criterion: 3-way agreement, Cohen's kappa, pass precision/recall, confusion; Spearman of score vs overall."""
    import json

    from qa_pipeline.bench_agreement import agreement_report, read_reference
    from qa_pipeline.store.db import connect

    ref = read_reference(reference)
    with connect(db, read_only=True) as con:
        report = agreement_report(con, ref, scorecard)
    typer.echo(report.as_text())
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")


@scorecard_app.command("test")
@cli_errors
def scorecard_test(
    card: str = typer.Argument(..., help="Scorecard file (a draft may be inactive), or the id of one in --scorecards."),
    db: Path = typer.Option(
        Path("qa.duckdb"), "--db", help="DuckDB file with stored calls. Default: ./qa.duckdb or the settings file's db."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Test on the first N stored calls only."),
    directory: Path | None = scorecards_option(),
) -> None:
    """Try a scorecard on stored calls without writing: per criterion pass/fail/N-A, top matches, nearest misses."""
    from qa_pipeline.scorecard.loader import find_scorecard, load_scorecard
    from qa_pipeline.scorecard.tester import test_scorecard

    path = Path(card)
    loaded = load_scorecard(path) if path.suffix in (".yaml", ".yml") or path.is_file() else find_scorecard(card)
    typer.echo(test_scorecard(db, loaded, limit).as_text())


@bench_app.command("search")
@cli_errors
def bench_search(
    utterances: int = typer.Option(1_000_000, "--utterances", min=1000, help="Synthetic stored utterances to build."),
    db: Path | None = typer.Option(
        None, "--db", help="Keep the synthetic database here (default: a temp dir); an existing one is reused."
    ),
    recall: Path = typer.Option(
        Path("tests/data/search_recall.yaml"), "--recall", help="Labelled set for recall@5 of search by meaning."
    ),
    seed: int = typer.Option(7, "--seed"),
) -> None:
    """Time phrase and meaning search over N synthetic stored utterances; recall@5 of meaning search."""
    from qa_pipeline.devtools.bench_search import recall_at_k, run_bench

    with tempfile.TemporaryDirectory(prefix="qa-bench-search-") as tmp:
        path = db if db is not None else Path(tmp) / "bench.duckdb"
        share, n = recall_at_k(recall, Path(tmp) / "recall.duckdb")
        typer.echo(f"RESULT recall@5 of search by meaning: {share:.2f} ({n} queries, {recall})")
        typer.echo(run_bench(path, utterances, seed).as_text())
