"""The typer applications every CLI module registers its commands on.

The CLI is a thin door onto the library: commands parse options, call one
library function and print.  Library errors (:class:`QAPipelineError`) become
a one-line ``Error: …`` on stderr and the error's exit code, never a traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any, Callable, TypeVar

import typer

from qa_pipeline.errors import QAPipelineError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="qa-pipeline",
    help="Score every call: transcribe, classify, score against QA scorecards, store in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(help="Benchmarks that print figures (accuracy, speed, memory).", no_args_is_help=True)
models_app = typer.Typer(help="Model weights: verify packaged weights, convert for openai-whisper, train heads.", no_args_is_help=True)
scorecard_app = typer.Typer(help="QA scorecards: validate and list.", no_args_is_help=True)
users_app = typer.Typer(help="Review-workspace users and roles.", no_args_is_help=True)
report_app = typer.Typer(help="Reports for coaches and supervisors.", no_args_is_help=True)

app.add_typer(bench_app, name="bench")
app.add_typer(models_app, name="models")
app.add_typer(scorecard_app, name="scorecard")
app.add_typer(users_app, name="users")
app.add_typer(report_app, name="report")


def cli_errors(func: F) -> F:
    """Turn library errors into a clean message and the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except QAPipelineError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(code=exc.exit_code) from None

    return wrapper  # type: ignore[return-value]


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages to stderr.")) -> None:
    setup_logging(verbose)
