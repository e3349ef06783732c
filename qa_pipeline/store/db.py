"""Connection discipline and numbered migrations for the DuckDB file.

DuckDB lets one process hold a file read-write.  The nightly run, the review
workspace and the CLI all share one file, so every process follows the same
discipline: **open, do one short transaction, close**.  :func:`connect` retries
while another process holds the lock (back-off up to ``busy_timeout_s``), so a
reviewer's override waits a few milliseconds for the run's per-call write and
is never lost, and the run waits likewise for the reviewer.  A process that
retries says so (:mod:`qa_pipeline.store.waiting`), so one that holds the file
for longer stretches (``rescore``) lets it in between them.
"""

from __future__ import annotations

import errno
import logging
import re
import struct
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import duckdb

from qa_pipeline.errors import DatabaseBusyError, DiskFullError, StoreError
from qa_pipeline.store.waiting import announce_waiting

logger = logging.getLogger("qa_pipeline.store")

_MIGRATION_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
DEFAULT_BUSY_TIMEOUT_S = 30.0
MAX_POLL_S = 0.1  # the longest pause between two tries to open a locked file (the back-off doubles up to it)


def utcnow() -> datetime:
    """Naive UTC timestamp, the form stored in every TIMESTAMP column."""
    return datetime.now(UTC).replace(tzinfo=None)


def _is_lock_error(exc: Exception) -> bool:
    msg = str(exc).lower()
    return "lock" in msg and ("conflicting" in msg or "could not set" in msg)


_DISK_FULL = ("no space left on device", "disk quota exceeded", "file too large")
_CORRUPT = ("corrupt database file", "could not read enough bytes", "not a valid duckdb database file")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 3 * 4096  # DuckDB: the main header and two database headers, then the blocks


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or quota) is full: a DuckDB error naming ENOSPC, or an OSError with it."""
    if isinstance(exc, DiskFullError):
        return True
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    return isinstance(exc, duckdb.Error) and any(m in str(exc).lower() for m in _DISK_FULL)


def disk_full_error(path: Path | str, exc: BaseException) -> DiskFullError:
    return DiskFullError(
        f"disk full: cannot write {path} ({exc}); the run stopped here and everything stored so far is kept — "
        f"free space on the disk holding {Path(path).parent} and run again (it resumes where it stopped)"
    )


def check_database_file(path: Path) -> None:
    """Refuse a file that is not a whole DuckDB database, before DuckDB opens (and could change) it.

    A SQLite file, anything else without DuckDB's ``DUCK`` magic, and a file that ends inside a block
    (truncated) are refused with :class:`StoreError`; a missing file is fine (it is created).  A file
    cut exactly at a block boundary, or with flipped bits, is caught by :func:`verify_database`'s
    read (DuckDB checksums every block) or by the first read of the missing block.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read database {path} ({exc.strerror}); check the path and its permissions") from None
    try:
        with path.open("rb") as f:
            head = f.read(_HEADER_BYTES)
    except OSError as exc:
        raise StoreError(f"cannot read database {path} ({exc.strerror}); check the path and its permissions") from None
    if head.startswith(_SQLITE_MAGIC):
        raise StoreError(
            f"database {path} is a SQLite file, not a DuckDB database; qa-pipeline stores its results in DuckDB: "
            "pass a .duckdb file (a new path creates one)"
        )
    if size == 0:
        raise StoreError(
            f"database {path} is an empty file, not a DuckDB database; delete it or pass another --db path"
        )
    if len(head) < _HEADER_BYTES or head[8:12] != b"DUCK":
        raise StoreError(
            f"database {path} is not a DuckDB database file ({size} bytes, no DuckDB header); "
            "pass the right --db file, or restore it from a backup — it was not changed"
        )
    block_size = max(struct.unpack_from("<QQQQQQ", head, off)[5] for off in (4096, 8192))
    if block_size and (size - _HEADER_BYTES) % block_size:
        # DuckDB grows and shrinks its file in whole blocks: a file that ends inside a block was cut short
        raise StoreError(
            f"database {path} is truncated: {size} bytes is not a whole number of its {block_size}-byte blocks; "
            "restore it from a backup (it was not changed) or pass another --db path"
        )


def verify_database(path: str | Path, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> None:
    """Before a run writes: the file's header (:func:`check_database_file`), then a read-only open that
    reads the catalog and counts every table, so a corrupt file is refused without being modified."""
    path = Path(path)
    check_database_file(path)
    if not path.exists():
        return
    con = _open(path, True, busy_timeout_s)
    try:
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal").fetchall()
        for schema, table in tables:
            con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchall()
    except duckdb.Error as exc:
        raise _store_error(path, exc) from None
    finally:
        con.close()


def _store_error(path: Path, exc: BaseException) -> StoreError:
    if is_disk_full(exc):
        return disk_full_error(path, exc)
    if any(m in str(exc).lower() for m in _CORRUPT):
        return StoreError(
            f"database {path} is corrupt ({str(exc).splitlines()[0]}); restore it from a backup "
            "or pass another --db path — it was not changed"
        )
    return StoreError(f"cannot open database {path}: {exc}")


def _open(path: Path, read_only: bool, busy_timeout_s: float) -> duckdb.DuckDBPyConnection:
    """Open the file, retrying while another process holds it; while retrying, this process is announced as
    waiting (:mod:`qa_pipeline.store.waiting`), so a long holder such as ``rescore`` lets it in."""
    deadline = time.monotonic() + busy_timeout_s
    delay = 0.005
    with ExitStack() as stack:
        announced = False
        while True:
            try:
                return duckdb.connect(str(path), read_only=read_only)
            except duckdb.Error as exc:
                if not _is_lock_error(exc):
                    raise _store_error(path, exc) from exc
                if time.monotonic() >= deadline:
                    raise DatabaseBusyError(
                        f"database {path} stayed locked by another process for {busy_timeout_s:.0f} s; "
                        "another qa-pipeline process is holding it open: wait for it to finish or stop it"
                    ) from exc
                if not announced:
                    stack.enter_context(announce_waiting(path))
                    announced = True
                time.sleep(delay)
                delay = min(delay * 2, MAX_POLL_S)


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
    check_database_file(path)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if is_disk_full(exc):
                raise disk_full_error(path, exc) from None
            raise StoreError(f"cannot create the folder of database {path} ({exc.strerror})") from None
    con = _open(path, read_only, busy_timeout_s)
    try:
        if migrate and not read_only:
            apply_migrations(con)
        yield con
    except (duckdb.Error, OSError) as exc:
        if is_disk_full(exc):  # retrying cannot help: say so once
            raise disk_full_error(path, exc) from exc
        if isinstance(exc, duckdb.Error) and any(m in str(exc).lower() for m in _CORRUPT):
            raise _store_error(path, exc) from exc
        raise
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
        "CREATE TABLE IF NOT EXISTS schema_migrations ( version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in available_migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [version, name, utcnow()])
        logger.info("applied migration %03d_%s", version, name)
        applied.append(version)
    return applied
