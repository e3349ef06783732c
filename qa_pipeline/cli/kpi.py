"""``qa-pipeline kpi`` (contact-centre KPIs per agent, team, queue, day or week) and ``bench kpi``."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path

import typer

from qa_pipeline.cli.app import app, bench_app, cli_errors
from qa_pipeline.cli.review import DEFAULT_DB, _date


class GroupBy(StrEnum):
    agent = "agent"
    team = "team"
    queue = "queue"
    day = "day"
    week = "week"
    call = "call"


class KpiFormat(StrEnum):
    table = "table"
    csv = "csv"
    parquet = "parquet"


@app.command("kpi")
@cli_errors
def kpi(
    db: Path = typer.Option(DEFAULT_DB, "--db", help="DuckDB file of the pipeline."),
    by: GroupBy = typer.Option(
        GroupBy.agent.value, "--by", help="One row per agent, team, queue, day or week; or per call (its KPI values)."
    ),
    since: str | None = typer.Option(None, "--since", help="First day, YYYY-MM-DD (call start date)."),
    until: str | None = typer.Option(None, "--until", help="Last day, YYYY-MM-DD."),
    scorecard: str | None = typer.Option(None, "--scorecard", help="QA score and impact of this scorecard only."),
    fmt: KpiFormat = typer.Option(KpiFormat.table.value, "--format", help="table (text), csv or parquet."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file (needed for parquet)."),
    impact: bool = typer.Option(
        False, "--impact", help="Instead: per criterion, CSAT and FCR when it passed vs failed (counts, 95 % CI)."
    ),
    rebuild: bool = typer.Option(
        False, "--rebuild", help="Recompute FCR and the KPI roll-ups from the stored calls first (existing databases)."
    ),
    fcr_window_days: float | None = typer.Option(
        None,
        "--fcr-window-days",
        help="With --rebuild: a repeat contact within this many days makes a call not first-contact-resolved "
        "(default: kept as set, initially 7).",
    ),
) -> None:
    """Contact-centre KPIs from the roll-ups: calls, AHT, first response, hold, dead air, escalation, FCR, CSAT,
    NPS and QA score per group; see docs/kpi.md."""
    from qa_pipeline.errors import InputError
    from qa_pipeline.kpi.output import render
    from qa_pipeline.kpi.rollup import rebuild as rebuild_rollups
    from qa_pipeline.kpi.summary import (
        CALL_COLUMNS,
        GROUPS,
        IMPACT_COLUMNS,
        KPI_COLUMNS,
        call_kpis,
        criterion_impact,
        kpi_summary,
    )
    from qa_pipeline.store.db import connect, transaction

    if fcr_window_days is not None and not rebuild:
        raise InputError("--fcr-window-days changes stored FCR: give it with --rebuild", stage="cli")
    since_d = _date(since, "--since") if since else None
    until_d = _date(until, "--until") if until else None
    if rebuild:
        with connect(db) as con, transaction(con):
            counts = rebuild_rollups(con, None if fcr_window_days is None else fcr_window_days * 86400)
        typer.echo("rebuilt: " + ", ".join(f"{t} {n:,} rows" for t, n in counts.items()), err=True)
    with connect(db, read_only=True) as con:
        if impact:
            rows = criterion_impact(con, since=since_d, until=until_d, scorecard_id=scorecard)
            columns: tuple[str, ...] = IMPACT_COLUMNS
        elif by is GroupBy.call:
            rows, columns = call_kpis(con, since=since_d, until=until_d), CALL_COLUMNS
        else:
            rows = kpi_summary(con, by.value, since=since_d, until=until_d, scorecard_id=scorecard)
            columns = (GROUPS[by.value][0], *KPI_COLUMNS)
    text = render(rows, columns, fmt.value, out)
    if text is not None:
        typer.echo(text, nl=False)
    else:
        typer.echo(str(out), err=True)


@bench_app.command("kpi")
@cli_errors
def bench_kpi(
    calls: list[int] = typer.Option(
        [10_000, 100_000, 1_000_000], "--calls", help="Synthetic database sizes (repeat the option for several)."
    ),
    db_dir: Path | None = typer.Option(None, "--db-dir", help="Keep the synthetic databases here (default: temp)."),
) -> None:
    """Time the per-agent KPI roll-up and score summary on synthetic databases of N calls (aim: < 1 s at 1 M),
    a full rebuild, the per-call cost of keeping the roll-ups, the contact-drivers statement query and (up to
    100,000 calls) the whole drivers report from stored embeddings; prints the load average."""
    from qa_pipeline.kpi.bench import run_kpi_bench

    with tempfile.TemporaryDirectory(prefix="qa-bench-kpi-") as tmp:
        folder = db_dir or Path(tmp)
        for n in calls:
            path = folder / f"kpi-{n}.duckdb"
            if path.exists():
                raise typer.BadParameter(f"{path} exists; remove it or give another --db-dir")
            result = run_kpi_bench(path, n)
            typer.echo(result.as_text())
            med = sorted(result.kpi_by_agent_s)[len(result.kpi_by_agent_s) // 2]
            typer.echo(
                f"RESULT kpi: {n:,} calls, per-agent KPI roll-up {med * 1000:.1f} ms, "
                f"score summary {sorted(result.score_by_agent_s)[len(result.score_by_agent_s) // 2] * 1000:.1f} ms, "
                f"drivers query {sorted(result.drivers_query_s)[len(result.drivers_query_s) // 2] * 1000:.1f} ms, "
                f"load {result.load_after[0]:.2f}\n"
            )
