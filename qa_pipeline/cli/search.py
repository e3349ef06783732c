"""CLI command: ``search`` across stored calls, by phrase or by meaning."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from qa_pipeline.cli.app import app, cli_errors


@app.command("search")
@cli_errors
def search_cmd(
    text: str = typer.Argument(..., help="The phrase (exact, whole words) or, with --meaning, a sentence."),
    db: Path = typer.Option(
        Path("qa.duckdb"), "--db", help="DuckDB file with stored calls. Default: ./qa.duckdb or the settings file's db."
    ),
    meaning: bool = typer.Option(False, "--meaning", help="Nearest utterances in meaning instead of the exact phrase."),
    agent: str | None = typer.Option(None, "--agent", help="Only calls of this agent id."),
    queue: str | None = typer.Option(None, "--queue", help="Only calls of this queue."),
    speaker: str | None = typer.Option(None, "--speaker", help="Only utterances of agent, customer or unknown."),
    since: str | None = typer.Option(None, "--since", metavar="YYYY-MM-DD", help="Calls started on or after."),
    until: str | None = typer.Option(None, "--until", metavar="YYYY-MM-DD", help="Calls started on or before."),
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="Most hits to print."),
) -> None:
    """Search stored calls: each hit is call, moment (mm:ss, utterance), speaker, score and the workspace link."""
    from qa_pipeline.errors import InputError, StoreError
    from qa_pipeline.search import SearchFilters, meaning_search, phrase_search
    from qa_pipeline.store.db import connect

    def day(value: str | None, name: str) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            raise InputError(f"--{name} {value!r} is not a date; use YYYY-MM-DD") from None

    if not db.exists():
        raise StoreError(f"database {db} does not exist; give the DuckDB file of a run (--db)")
    filters = SearchFilters(agent, queue, speaker, day(since, "since"), day(until, "until"))
    with connect(db, read_only=True) as con:
        hits = (
            meaning_search(con, text, filters, limit, db_path=db)
            if meaning
            else phrase_search(con, text, filters, limit)
        )
    for h in hits:
        score = f"{h.score:.3f} " if h.score is not None else ""
        when = f"{h.started_at:%Y-%m-%d}" if h.started_at else "----------"
        typer.echo(f"{score}{when} {h.call_id} {h.at} #{h.idx} {h.speaker:<8} {h.agent_id or '-'}  {h.text}  {h.link}")
    typer.echo(f"{len(hits)} hit(s)", err=True)
