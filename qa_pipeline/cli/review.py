"""CLI commands of the review workspace: ``serve``, ``users …``, ``report agent``, ``export agent``."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import typer

from qa_pipeline.cli.app import app, bench_app, cli_errors, report_app, scorecards_option, users_app
from qa_pipeline.cli.options import ExportFormat, ExportTable, Role
from qa_pipeline.errors import InputError

DEFAULT_DB = Path("qa.duckdb")


export_app = typer.Typer(help="Export coaching summaries, or a Parquet snapshot of the results.", no_args_is_help=True)
app.add_typer(export_app, name="export")

_DB = typer.Option(DEFAULT_DB, "--db", help="DuckDB file of the pipeline.")

review_app = typer.Typer(help="Review assignment: the weekly sample of unflagged calls.", no_args_is_help=True)
app.add_typer(review_app, name="review")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date; use YYYY-MM-DD, e.g. 2025-01-31", stage="cli") from None


# --------------------------------------------------------------------------- serve


@app.command("serve")
@cli_errors
def serve(
    db: Path = typer.Option(
        Path("qa.duckdb"),
        "--db",
        help="DuckDB file of the pipeline (the nightly run may write to it meanwhile). Default: ./qa.duckdb or the settings file's db.",
    ),
    host: str = typer.Option(
        "127.0.0.1", help="Address to bind. Anything but loopback needs a TLS reverse proxy in front."
    ),
    port: int = typer.Option(8765, help="TCP port."),
    recordings: Path | None = typer.Option(
        None, "--recordings", help="Folder the recordings are served from. Default: each call's run input folder."
    ),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Mark cookies Secure (serving behind HTTPS)."),
    forwarded_allow_ips: str | None = typer.Option(
        None,
        "--forwarded-allow-ips",
        metavar="IPS",
        help="Comma-separated addresses/networks of the reverse proxy ('*' for any) whose X-Forwarded-Proto, "
        "-For and -Host are trusted (uvicorn's convention). Default: none.",
    ),
    busy_timeout: float = typer.Option(
        15.0, help="Seconds a request waits for the database while another process writes."
    ),
    playback_cache: Path | None = typer.Option(
        None,
        "--playback-cache",
        help="Folder for rendered (redacted) playback audio, kept across restarts. "
        "Default: a private temporary folder removed when the server stops.",
    ),
    sample_quota: int = typer.Option(
        5,
        "--sample-quota",
        min=1,
        help="Calls per agent the weekly-sample form offers (settings: [review] sample_quota).",
    ),
    sample_seed: int = typer.Option(
        0, "--sample-seed", help="Seed the weekly-sample form offers (settings: [review] sample_seed)."
    ),
    scorecards: Path | None = scorecards_option(),
) -> None:
    """Start the review workspace (sign-in required; users come from 'qa-pipeline users add')."""
    from qa_pipeline.review.app import ServerConfig
    from qa_pipeline.review.app import serve as run_server

    if recordings is not None and not recordings.is_dir():
        raise InputError(
            f"--recordings {recordings} is not a folder; give the folder the recordings are in", stage="cli"
        )
    config = ServerConfig(
        db_path=db,
        recordings=recordings.resolve() if recordings else None,
        busy_timeout_s=busy_timeout,
        secure_cookies=secure_cookies,
        forwarded_allow_ips=forwarded_allow_ips,
        playback_cache=playback_cache,
        sample_quota=sample_quota,
        sample_seed=sample_seed,
    )
    typer.echo(f"Review workspace on http://{host}:{port}/  (database {db}; Ctrl-C to stop)", err=True)
    run_server(config, host=host, port=port)


# --------------------------------------------------------------------------- users


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
@cli_errors
def users_add(
    username: str = typer.Argument(..., help="Sign-in name (letters, digits, . _ - @)."),
    role: Role = typer.Option(..., "--role", help="The user's role (docs/review.md#roles)."),
    agent_id: str | None = typer.Option(
        None, "--agent-id", help="For --role agent: the agent_id their calls carry (they see only those)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    db: Path = _DB,
) -> None:
    """Add a user; the password is asked twice (or read from stdin) and stored as a salted scrypt hash."""
    from qa_pipeline.review import auth
    from qa_pipeline.store.db import connect

    role_name = Role(role).value
    auth._check_role(role_name)
    auth._check_username(username)
    auth._check_agent_id(role_name, agent_id)
    password = _read_password(password_stdin)
    with connect(db) as con:
        auth.add_user(con, username, password, role_name, agent_id)
    typer.echo(f"added {username} ({role_name}" + (f", agent {agent_id})" if agent_id else ")"))


@users_app.command("list")
@cli_errors
def users_list(db: Path = _DB) -> None:
    """List users, their roles and whether they are disabled."""
    from qa_pipeline.review import auth
    from qa_pipeline.store.db import connect

    with connect(db) as con:
        users = auth.list_users(con)
    if not users:
        typer.echo("no users; add one with: qa-pipeline users add NAME --role qa_specialist")
        return
    width = max(len(u.username) for u in users)
    for u in users:
        state = "disabled" if u.disabled else "active"
        agent = f"  agent {u.agent_id}" if u.agent_id else ""
        typer.echo(f"{u.username:<{width}}  {u.role:<13}  {state:<8}  created {u.created_at:%Y-%m-%d %H:%M}{agent}")


@users_app.command("set-role")
@cli_errors
def users_set_role(
    username: str,
    role: Role = typer.Argument(..., help="The new role."),
    agent_id: str | None = typer.Option(None, "--agent-id", help="Required with role agent: their agent_id."),
    db: Path = _DB,
) -> None:
    """Change a user's role (takes effect on their next click)."""
    from qa_pipeline.review import auth
    from qa_pipeline.store.db import connect

    with connect(db) as con:
        auth.set_role(con, username, Role(role).value, agent_id)
    typer.echo(f"{username} is now {Role(role).value}")


def _set_disabled(username: str, db: Path, disabled: bool) -> None:
    from qa_pipeline.review import auth
    from qa_pipeline.store.db import connect

    with connect(db) as con:
        auth.set_disabled(con, username, disabled)
    typer.echo(f"{username} {'disabled' if disabled else 'enabled'}")


@users_app.command("disable")
@cli_errors
def users_disable(username: str, db: Path = _DB) -> None:
    """Disable a user: sign-in refused and open sessions end on their next click."""
    _set_disabled(username, db, True)


@users_app.command("enable")
@cli_errors
def users_enable(username: str, db: Path = _DB) -> None:
    """Enable a disabled user again."""
    _set_disabled(username, db, False)


@users_app.command("passwd")
@cli_errors
def users_passwd(
    username: str,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    db: Path = _DB,
) -> None:
    """Set a new password for a user."""
    from qa_pipeline.review import auth
    from qa_pipeline.store.db import connect

    password = _read_password(password_stdin)
    with connect(db) as con:
        auth.set_password(con, username, password)
    typer.echo(f"password of {username} changed")


# --------------------------------------------------------------------------- report / export


@report_app.command("agent")
@cli_errors
def report_agent(
    agent_id: str = typer.Argument(..., help="Agent id as stored in calls.agent_id."),
    since: str = typer.Option(..., "--since", help="First day, YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="Last day, YYYY-MM-DD (default: no limit)."),
    scorecard: str | None = typer.Option(None, "--scorecard", help="Scorecard id (default: the agent's most used)."),
    db: Path = _DB,
    out: Path | None = typer.Option(None, "--out", help="HTML file to write (default: agent-AGENT_ID-SINCE.html)."),
) -> None:
    """Write the coaching summary of one agent as a self-contained HTML file."""
    from qa_pipeline.review.report import write_agent_report

    since_d = _date(since, "--since")
    until_d = _date(until, "--until") if until else None
    target = out or Path(f"agent-{_safe(agent_id)}-{since_d.isoformat()}.html")
    path = write_agent_report(db, agent_id, since_d, target, until=until_d, scorecard_id=scorecard)
    typer.echo(str(path))


@export_app.command("agent")
@cli_errors
def export_agent(
    agent_id: str = typer.Argument(..., help="Agent id as stored in calls.agent_id."),
    since: str = typer.Option(..., "--since", help="First day, YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="Last day, YYYY-MM-DD."),
    scorecard: str | None = typer.Option(None, "--scorecard", help="Scorecard id (default: the agent's most used)."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv.value, "--format", help="File format."),
    table: ExportTable = typer.Option(
        "rates", "--table", help="rates (pass rate per section and criterion, agent vs team) or calls."
    ),
    db: Path = _DB,
    out: Path | None = typer.Option(None, "--out", help="File to write (default: agent-AGENT_ID-TABLE-SINCE.FORMAT)."),
) -> None:
    """Export one agent's summary table as CSV or Parquet."""
    from qa_pipeline.review.export import FORMATS, TABLES, export_file
    from qa_pipeline.review.summary import agent_summary
    from qa_pipeline.store.db import connect

    file_format = ExportFormat(fmt).value
    if file_format not in FORMATS:
        raise InputError(f"--format {file_format!r} is not one of {', '.join(FORMATS)}", stage="cli")
    table_name = ExportTable(table).value
    if table_name not in TABLES:
        raise InputError(f"--table {table_name!r} is not one of {', '.join(TABLES)}", stage="cli")
    since_d = _date(since, "--since")
    until_d = _date(until, "--until") if until else None
    with connect(db, read_only=True) as con:
        s = agent_summary(con, agent_id, since_d, until_d, scorecard)
    target = out or Path(f"agent-{_safe(agent_id)}-{table_name}-{since_d.isoformat()}.{file_format}")
    typer.echo(str(export_file(s, table_name, file_format, target)))


@export_app.command("snapshot")
@cli_errors
def export_snapshot(
    db: Path = _DB,
    out: Path = typer.Option(..., "--out", help="Folder for the Parquet files (created; files replaced)."),
) -> None:
    """Write every result table as Parquet for BI tools (the database is held only while copying)."""
    from qa_pipeline.review.snapshot import write_snapshot

    if not db.is_file():
        raise InputError(f"--db {db} does not exist; give the pipeline's DuckDB file", stage="cli")
    snap = write_snapshot(db, out)
    for name, n in snap.rows.items():
        typer.echo(f"{name:<22} {n:>9} rows")
    typer.echo(str(snap.out / "snapshot.json"))


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)[:80]


# --------------------------------------------------------------------------- bench playback


@bench_app.command("playback")
@cli_errors
def bench_playback(
    source: Path = typer.Option(
        Path("../shared/data/realcalls-dev/spokenwoz/audio/MUL1423.wav"),
        "--source",
        help="A real recording, looped to --hours with ffmpeg.",
    ),
    hours: float = typer.Option(2.0, "--hours", help="Length of the call played."),
    seeks: int = typer.Option(20, "--seeks", help="Random 1 MB range requests after the first request."),
    compare: bool = typer.Option(False, "--compare", help="Also measure the previous in-memory design."),
) -> None:
    """Peak server memory and seek latency when a long call is played in the review workspace."""
    from qa_pipeline.review.playback_bench import run

    if not source.is_file():
        raise InputError(f"--source {source} is not a file; give a recording to loop", stage="cli")
    results = run(source, hours, seeks, ["file", "memory"] if compare else ["file"])
    typer.echo(
        f"{'mode':<7} {'WAV MB':>8} {'first s':>8} {'seek med ms':>12} {'seek max ms':>12} {'RSS before MB':>14} {'peak RSS MB':>12}"
    )
    for r in results:
        typer.echo(
            f"{r['mode']:<7} {r['wav_mb']:>8.0f} {r['first_request_s']:>8.1f} {r['seek_median_ms']:>12.1f} "
            f"{r['seek_max_ms']:>12.1f} {r['rss_before_mb']:>14.0f} {r['peak_rss_mb']:>12.0f}"
        )


@bench_app.command("signin")
@cli_errors
def bench_signin(
    threads: int = typer.Option(6, "--threads", help="Anonymous clients posting wrong passwords."),
    requests_n: int = typer.Option(20, "--requests", help="Review-queue pages timed, alone and under load."),
) -> None:
    """A signed-in reviewer's page time while strangers hammer the sign-in form (real server)."""
    from qa_pipeline.review.signin_bench import run

    r = run(threads, requests_n)
    typer.echo(f"reviewer page alone: median {r['alone_median_s']:.3f} s")
    typer.echo(
        f"with {threads} strangers ({r['attempts_per_s']:.1f} wrong sign-ins/s): "
        f"median {r['loaded_median_s']:.3f} s, slowest {r['loaded_max_s']:.3f} s"
    )


# --------------------------------------------------------------------------- review assignment


@review_app.command("sample")
@cli_errors
def review_sample(
    week: str = typer.Option(..., "--week", help="The week to sample: any date in it (YYYY-MM-DD) or YYYY-Www."),
    sample_quota: int = typer.Option(
        5, "--quota", min=1, help="Unflagged calls per agent (settings: [review] sample_quota)."
    ),
    sample_seed: int = typer.Option(0, "--seed", help="Seed of the draw (settings: [review] sample_seed)."),
    db: Path = _DB,
) -> None:
    """Put a random sample of each agent's unflagged calls of one week in the review pool (unassigned)."""
    from qa_pipeline.review.assignment import draw_sample
    from qa_pipeline.store.db import connect

    with connect(db) as con:
        s = draw_sample(con, week=week, quota=sample_quota, seed=sample_seed, username="cli")
    typer.echo(f"week of {s.week_start}: {s.total} calls sampled (quota {s.quota} per agent, seed {s.seed})")
    for agent_id in sorted(s.eligible):
        typer.echo(f"  {agent_id}: {len(s.picked.get(agent_id, []))} of {s.eligible[agent_id]} unflagged calls")
