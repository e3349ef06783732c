"""The typer applications every CLI module registers its commands on.

The CLI is a thin door onto the library: commands parse options, call one
library function and print.  Library errors (:class:`QAPipelineError`) become
a one-line ``Error: …`` on stderr and the error's exit code, never a traceback.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import typer

from qa_pipeline import __version__
from qa_pipeline.errors import QAPipelineError
from qa_pipeline.settings import SCORECARDS_ENV, LoadedSettings, Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="qa-pipeline",
    help="Score every call: transcribe, classify, score against QA scorecards, store in DuckDB.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(help="Benchmarks that print figures (accuracy, speed, memory).", no_args_is_help=True)
models_app = typer.Typer(
    help="Model weights: verify packaged weights, convert for openai-whisper, train heads.", no_args_is_help=True
)
scorecard_app = typer.Typer(help="QA scorecards: validate, list and test.", no_args_is_help=True)
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


# option name -> the setting that is its default, in every command that has the option
_OPTION_SETTINGS: dict[str, Callable[[Settings], Any]] = {
    "db": lambda s: s.db,
    "backend": lambda s: s.asr.backend,
    "model": lambda s: s.asr.model,
    "language": lambda s: s.asr.language,
    "beam_size": lambda s: s.asr.beam_size,
    "redact": lambda s: s.redaction.enabled,
    "recordings": lambda s: s.recordings_root,
    "host": lambda s: s.server.host,
    "port": lambda s: s.server.port,
    "forwarded_allow_ips": lambda s: s.server.forwarded_allow_ips,
    "secure_cookies": lambda s: s.server.secure_cookies,
    "busy_timeout": lambda s: s.server.busy_timeout,
    "playback_cache": lambda s: s.server.playback_cache,
    "sample_quota": lambda s: s.review.sample_quota,
    "sample_seed": lambda s: s.review.sample_seed,
}

_LOADED: list[LoadedSettings] = []


def current_settings() -> LoadedSettings:
    """The settings of this invocation (file, then environment); flags are applied by each command."""
    if not _LOADED:
        _LOADED.append(load_settings())
    return _LOADED[-1]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else str(value) if isinstance(value, Path) else value


def command_defaults(group: Any, settings: Settings) -> dict[str, Any]:
    """A click ``default_map`` giving every command's options their defaults from the settings.

    Options whose default is None (``scorecard list --db``: only when asked) keep their meaning, unless
    required (``serve --db`` used to be); single-value options only."""
    out: dict[str, Any] = {}
    for name, cmd in getattr(group, "commands", {}).items():
        if hasattr(cmd, "commands"):  # a group (typer's bundled click)
            out[name] = command_defaults(cmd, settings)
            continue
        values: dict[str, Any] = {}
        for param in cmd.params:
            pick = _OPTION_SETTINGS.get(param.name or "")
            if pick is None or getattr(param, "param_type_name", "") != "option" or getattr(param, "multiple", False):
                continue
            if param.default is None and not param.required:
                continue
            value = pick(settings)
            if value is not None:
                values[param.name] = _plain(value)
        if values:
            out[name] = values
    return out


def _use_scorecards(value: Path | None) -> Path | None:
    """``--scorecards DIR``: the scorecard directory of this invocation (over the settings file and environment)."""
    if value is None:
        return None
    if not value.is_dir():
        raise typer.BadParameter(f"{value}: no such directory; give the folder holding the scorecard YAML files")
    os.environ[SCORECARDS_ENV] = str(value.resolve())
    return value


def scorecards_option() -> Any:
    """The one ``--scorecards DIR`` option shared by run, rescore, serve and ``scorecard validate/list/test``.

    Sets ``$QA_PIPELINE_SCORECARDS`` for the invocation, so every scorecard and flag-rule lookup
    (:func:`qa_pipeline.paths.scorecards_dir`) reads that folder; ``flags.yaml`` there is optional."""
    return typer.Option(
        None,
        "--scorecards",
        metavar="DIR",
        callback=_use_scorecards,
        help="Scorecard directory (a team's own folder; flags.yaml there optional). "
        "Default: the settings file's scorecards, $QA_PIPELINE_SCORECARDS, else scorecards/.",
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qa-pipeline {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages to stderr."),
    config: Path | None = typer.Option(
        None,
        "--config",
        metavar="FILE",
        help="Settings file (TOML or YAML; default: $QA_PIPELINE_CONFIG, else ./qa-pipeline.toml if present). See docs/settings.md.",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    setup_logging(verbose)
    try:
        loaded = load_settings(config)
    except QAPipelineError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from None
    _LOADED.append(loaded)
    ctx.default_map = {**command_defaults(ctx.command, loaded.settings), **(ctx.default_map or {})}
    if loaded.settings.scorecards is not None:
        os.environ[SCORECARDS_ENV] = str(loaded.settings.scorecards.resolve())
