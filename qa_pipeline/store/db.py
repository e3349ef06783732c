"""Connection discipline and numbered migrations for the DuckDB file.

DuckDB lets one process hold a file read-write.  The nightly run, the review
workspace and the CLI all share one file, so every process follows the same
discipline: **open, do one short transaction, close**.  :func:`connect` retries
while another process holds the lock (back-off up to ``busy_timeout_s``), so a
reviewer's override waits a few milliseconds for the run's per-call write and
is never lost, and the run waits likewise for the reviewer.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator

import duckdb

from qa_pipeline.errors import DatabaseBusyError, StoreError

logger = logging.getLogger("qa_pipeline.store")

_MIGRATION_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
DEFAULT_BUSY_TIMEOUT_S = 30.0


def utcnow() -> datetime:
    """Naive UTC timestamp, the form stored in every TIMESTAMP column."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _is_lock_error(exc: Exception) -> bool:
    msg = str(exc).lower()
    return "lock" in msg and ("conflicting" in msg or "could not set" in msg)


def _open(path: Path, read_only: bool, busy_timeout_s: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + busy_timeout_s
    delay = 0.005
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise StoreError(f"cannot open database {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise DatabaseBusyError(
                    f"database {path} stayed locked by another process for {busy_timeout_s:.0f} s; "
                    "another qa-pipeline process is holding it open: wait for it to finish or stop it"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


@contextmanager
def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S,
    migrate: bool = True,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open ``path`` for one short unit of work and close it afterwards.

    A new file is created and migrated when opened read-write.  Read-only
    opens of a missing file raise :class:`StoreError`.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"database {path} does not exist; run 'qa-pipeline run INPUT_DIR --db {path}' first")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, busy_timeout_s)
    try:
        if migrate and not read_only:
            apply_migrations(con)
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``BEGIN`` … ``COMMIT``, rolled back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def available_migrations() -> list[tuple[int, str, str]]:
    """``(version, name, sql)`` for every bundled migration, in order."""
    found = []
    for entry in resources.files("qa_pipeline.store.migrations").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise StoreError(f"duplicate migration numbers in qa_pipeline/store/migrations: {versions}")
    return found


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet recorded in ``schema_migrations``."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in available_migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()]
            )
        logger.info("applied migration %03d_%s", version, name)
        applied.append(version)
    return applied
