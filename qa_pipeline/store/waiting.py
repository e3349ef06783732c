"""Turns at the database file: a process that waits for it says so, and a long holder lets it in.

DuckDB's file lock has no queue.  A process that keeps the file for long stretches (``rescore`` holds one
connection for :data:`~qa_pipeline.rescore.DEFAULT_HOLD_S` at a time) and closes it only to open it again
at once leaves a gap of microseconds, which a process polling for the file every few milliseconds almost
never hits: a reviewer's override waited out its whole busy timeout and failed.

So a process that finds the file locked holds a *shared* ``flock`` on ``<db>.waiting`` while it retries
(:func:`announce_waiting`, used by :func:`~qa_pipeline.store.db.connect`), and a long holder, between
stretches and with the file closed, waits until no process holds that lock any more — each waiter has
opened the file and so stopped waiting — or ``max_wait_s`` has passed (:func:`let_waiters_in`).  The
kernel drops a dead process's ``flock``, so a killed waiter leaves nothing to wait for.  Announcing is best
effort: where the lock file cannot be made (a read-only folder) the waiter polls as before.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qa_pipeline.paths import beside_database

# how long a long holder keeps the file closed for waiters, at most: a waiter polls every 0.1 s at most
# (store.db), so it gets its turn well within this
DEFAULT_LET_IN_S = 2.0


def waiting_path(db: str | Path) -> Path:
    """``<db>.waiting`` beside the database's real file (a symlink to the database finds the same file)."""
    return beside_database(db, ".waiting")


@contextmanager
def announce_waiting(db: str | Path) -> Iterator[bool]:
    """Hold a shared lock on ``<db>.waiting`` while waiting for the database; yields whether it is held."""
    try:
        fd = os.open(waiting_path(db), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False  # cannot announce (read-only folder, disk full): poll unannounced
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # never blocks long: exclusive holds are momentary checks
        yield True
    finally:
        os.close(fd)  # closing drops the lock


def others_waiting(db: str | Path) -> bool:
    """Whether some process is waiting for the database (holds :func:`announce_waiting`'s lock)."""
    try:
        fd = os.open(waiting_path(db), os.O_RDONLY)
    except OSError:
        return False  # nobody ever announced here
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return True
        raise
    finally:
        os.close(fd)
    return False


def let_waiters_in(db: str | Path, max_wait_s: float = DEFAULT_LET_IN_S, poll_s: float = 0.005) -> float:
    """Call with the database closed: wait until no process waits for it any more (each has opened it), or
    ``max_wait_s``.  Returns the seconds waited (0 when nobody was waiting)."""
    t0 = time.monotonic()
    waited = 0.0
    while waited < max_wait_s and others_waiting(db):
        time.sleep(poll_s)
        waited = time.monotonic() - t0
    return waited
