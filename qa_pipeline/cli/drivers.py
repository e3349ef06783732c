"""``qa-pipeline drivers``: what customers call about — groups of stored calls by their first customer turns."""

from __future__ import annotations

from pathlib import Path

import typer

from qa_pipeline.cli.app import app, cli_errors
from qa_pipeline.cli.review import DEFAULT_DB, _date

BARS = " ▁▂▃▄▅▆▇█"


def _spark(counts: list[int]) -> str:
    top = max(counts, default=0) or 1
    return "".join(BARS[round(n / top * (len(BARS) - 1))] for n in counts)


@app.command("drivers")
@cli_errors
def drivers_cmd(
    db: Path = typer.Option(DEFAULT_DB, "--db", help="DuckDB file of the pipeline."),
    since: str | None = typer.Option(None, "--since", help="First day, YYYY-MM-DD (call start date)."),
    until: str | None = typer.Option(None, "--until", help="Last day, YYYY-MM-DD."),
    k: int | None = typer.Option(None, "--k", min=1, help="Number of groups (default: chosen by silhouette, 2..12)."),
    turns: int = typer.Option(2, "--turns", min=1, help="Customer turns per call that make its problem statement."),
) -> None:
    """Contact drivers: cluster each call's first customer turns (redacted text, MiniLM embeddings) and print
    the groups — name (top phrases), calls, weekly trend, NEW when mostly in the latest week, 3 example calls;
    see docs/drivers.md."""
    from qa_pipeline.drivers_report import drivers_report
    from qa_pipeline.store.db import connect

    since_d = _date(since, "--since") if since else None
    until_d = _date(until, "--until") if until else None
    with connect(db, read_only=True) as con:
        groups = drivers_report(con, since=since_d, until=until_d, k=k, turns=turns)
    if not groups:
        typer.echo("no calls with customer text in this period", err=True)
        return
    weeks = [w for w, _ in groups[0].weekly]
    span = f"{weeks[0]:%Y-%m-%d} .. {weeks[-1]:%Y-%m-%d}, {len(weeks)} weeks" if weeks else "no dated calls"
    typer.echo(f"{sum(g.size for g in groups)} calls, {len(groups)} groups (weeks {span})")
    typer.echo(f"{'calls':>6}  {'new':3}  {'weekly':<12}  {'examples':<40}  driver")
    for g in groups:
        counts = [n for _, n in g.weekly]
        trend = _spark(counts[-12:])
        typer.echo(f"{g.size:>6}  {'NEW' if g.new else '':3}  {trend:<12}  {' '.join(g.examples):<40}  {g.name}")
