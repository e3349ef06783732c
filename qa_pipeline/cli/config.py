"""``qa-pipeline config show``: the effective settings and where each came from."""

from __future__ import annotations

import json

import typer

from qa_pipeline.cli.app import app, cli_errors, current_settings

config_app = typer.Typer(
    help="The settings file: show the effective settings (docs/settings.md).", no_args_is_help=True
)
app.add_typer(config_app, name="config")


@config_app.command("show")
@cli_errors
def config_show(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Print every setting, its effective value and where it came from (default, file, env).

    Flags given to a command override these for that command only."""
    loaded = current_settings()
    rows = list(loaded.rows())
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "file": str(loaded.path) if loaded.path else None,
                    "settings": [{"key": k, "value": v, "from": o} for k, v, o in rows],
                },
                indent=2,
            )
        )
        return
    typer.echo(f"settings file: {loaded.path or 'none'}")
    width = max(len(k) for k, _, _ in rows)
    for key, value, origin in rows:
        shown = "" if value is None else json.dumps(value) if isinstance(value, (list, dict)) else str(value)
        typer.echo(f"{key:<{width}}  {shown:<40}  {origin}")
