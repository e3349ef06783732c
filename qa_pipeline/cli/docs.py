"""Render the CLI reference (docs/cli.md) from the commands themselves.

Like sqlite-utils' cog-generated docs: ``qa-pipeline docs-cli --write``
regenerates the file, and a test fails when it is out of date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import typer.main

from qa_pipeline.cli.app import app
from qa_pipeline.paths import project_root

HEADER = """# Command reference

Generated from the commands' own help by `qa-pipeline docs-cli --write`; `tests/test_cli_docs.py` fails when
this file is out of date. Every command turns library errors into a one-line `Error: …` on stderr and an exit
code: 1 general, 2 invalid configuration, 3 model weights missing or corrupt, 4 database error, 5 not found;
`run` also exits 6 when some files failed (partial) and 7 when nothing could be processed.

Global options, before the command: `--config FILE` (the settings file; default `$QA_PIPELINE_CONFIG`, else
`./qa-pipeline.toml`), `--version`, `-v/--verbose`, `--install-completion` / `--show-completion` (shell
completion). Option defaults come from the settings file, then `QA_PIPELINE_*` environment variables; a flag
always wins ([settings.md](settings.md); `qa-pipeline config show` prints the effective settings). `--db`
defaults to `./qa.duckdb` (or the settings file's `db`) in every command.
"""


def iter_commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """``(path, command)`` for every visible leaf command below ``group``."""
    out: list[tuple[tuple[str, ...], Any]] = []
    if hasattr(group, "list_commands"):
        ctx = group.context_class(group)
        for name in sorted(group.list_commands(ctx)):
            cmd = group.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            out.extend(iter_commands(cmd, prefix + (name,)))
    else:
        out.append((prefix, group))
    return out


def render() -> str:
    root = typer.main.get_command(app)
    parts = [HEADER]
    for path, cmd in iter_commands(root):
        name = " ".join(("qa-pipeline",) + path)
        cmd.rich_markup_mode = None  # plain text help, stable across terminals
        with cmd.context_class(cmd, info_name=name, terminal_width=100, max_content_width=100) as ctx:
            formatter = ctx.make_formatter()
            cmd.format_help(ctx, formatter)
            help_text = formatter.getvalue().rstrip()
        parts.append(f"## `{name}`\n\n```\n{help_text}\n```\n")
    return "\n".join(parts)


def docs_path() -> Path:
    return project_root() / "docs" / "cli.md"


@app.command("docs-cli", hidden=True)
def docs_cli(write: bool = typer.Option(False, "--write", help="Write docs/cli.md instead of printing.")) -> None:
    """Print (or write) the command reference."""
    text = render()
    if write:
        docs_path().write_text(text, encoding="utf-8")
    else:
        typer.echo(text)
