"""Every CLI command is documented in docs/cli.md, and the file matches the commands."""

from __future__ import annotations

import typer.main

from qa_pipeline.cli import app
from qa_pipeline.cli.docs import docs_path, iter_commands, render


def test_every_command_is_in_docs() -> None:
    text = docs_path().read_text(encoding="utf-8")
    commands = iter_commands(typer.main.get_command(app))
    assert len(commands) >= 2
    missing = [" ".join(p) for p, _ in commands if f"## `qa-pipeline {' '.join(p)}`" not in text]
    assert not missing, f"undocumented commands {missing}: run `qa-pipeline docs-cli --write`"


def test_docs_are_up_to_date() -> None:
    assert docs_path().read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `qa-pipeline docs-cli --write`"
    )
