"""Run bookkeeping for nightly operations: one run per database at a time, crashed runs, history.

A run holds an exclusive ``flock`` on ``<db>.run-lock`` for its whole life.
The kernel drops the lock when the process dies — even on ``kill -9`` — so the
next run can always take it, and any run still marked ``running`` in the
database at that moment must have died: it is marked ``interrupted``.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from qa_pipeline.errors import DatabaseBusyError, StoreError
from qa_pipeline.paths import beside_database
from qa_pipeline.store.db import disk_full_error, is_disk_full, utcnow

logger = logging.getLogger("qa_pipeline.store.runlog")


def lock_path(db: str | Path) -> Path:
    """``<db>.run-lock`` beside the database's real file: a symlink (or ``..`` path) to the same
    database finds the same lock."""
    return beside_database(db, ".run-lock")


@contextmanager
def run_lock(db: str | Path) -> Iterator[Path]:
    """Hold the run lock of ``db``; raise :class:`DatabaseBusyError` if another run holds it."""
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full_error(path, exc) from None
        raise StoreError(
            f"cannot create the run lock {path} ({exc.strerror}); check that its folder is writable"
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise DatabaseBusyError(
                f"another qa-pipeline run (pid {holder}) is already scoring into {db}; "
                f"wait for it to finish (its lock is {path}) — two runs on one database would do the same work twice"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:
            if is_disk_full(exc):
                raise disk_full_error(path, exc) from None
            raise
        yield path
    finally:
        os.close(fd)  # closing drops the flock


def note_found(con: duckdb.DuckDBPyConnection, run_id: str, *, calls_found: int, calls_skipped: int) -> None:
    """What the run found, written as soon as it is known (a run killed later still shows it)."""
    con.execute(
        "UPDATE runs SET calls_found = ?, calls_skipped = ? WHERE run_id = ?", [calls_found, calls_skipped, run_id]
    )


def close_interrupted_runs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Mark runs left ``running`` by a process that died as ``interrupted``; call only while holding :func:`run_lock`.

    Their counters are rebuilt from what they left behind: calls stored complete by the run, and its
    recorded failures (each written when it happened), with the audio of the calls it stored.
    """
    rows = con.execute("SELECT run_id FROM runs WHERE status = 'running'").fetchall()
    ids = [r[0] for r in rows]
    if ids:
        con.execute(
            """UPDATE runs SET status = 'interrupted', finished_at = ?,
                   calls_done = (SELECT count(*) FROM calls c WHERE c.run_id = runs.run_id AND c.status = 'complete'),
                   calls_failed = (SELECT count(*) FROM failures f WHERE f.run_id = runs.run_id AND f.stage <> 'manifest'),
                   audio_s = coalesce((SELECT sum(c.duration_s) FROM calls c
                                       WHERE c.run_id = runs.run_id AND c.status = 'complete'), 0)
               WHERE status = 'running'""",
            [utcnow()],
        )
        logger.warning("marked %d run(s) that died before finishing as interrupted: %s", len(ids), ", ".join(ids))
    return ids


@dataclass(frozen=True)
class FailureRow:
    run_id: str | None
    occurred_at: datetime
    source_path: str
    call_id: str | None
    stage: str
    error_type: str
    reason: str


def list_failures(con: duckdb.DuckDBPyConnection, run_id: str | None = None, limit: int = 200) -> list[FailureRow]:
    """Failures of one run (default: the latest run that has any), newest first."""
    if run_id is None:
        row = con.execute(
            "SELECT f.run_id FROM failures f JOIN runs r USING (run_id) ORDER BY r.started_at DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return []
        run_id = row[0]
    rows = con.execute(
        "SELECT run_id, occurred_at, source_path, call_id, stage, error_type, reason FROM failures "
        "WHERE run_id = ? ORDER BY occurred_at, source_path LIMIT ?",
        [run_id, limit],
    ).fetchall()
    return [FailureRow(*r) for r in rows]
