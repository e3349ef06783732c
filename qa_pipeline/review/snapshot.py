"""A Parquet snapshot of the results for BI tools, so no outside reader holds the DuckDB file.

``qa-pipeline export snapshot --db DB --out DIR`` opens the database read-only for the few seconds the
copies take (DuckDB's own ``COPY … (FORMAT parquet)``, built in, no extension), writes every result
table to ``DIR/<table>.parquet`` plus ``final_verdicts.parquet`` (criterion results with the newest
override applied) and ``snapshot.json`` (time, tables, row counts), then closes it.  Files are written
to a temporary folder inside ``DIR`` and moved into place one by one, so a reader never sees half a file.
Never exported: unredacted text (``raw_utterances``), word-level ASR output (``words`` columns), users'
password hashes, sign-in sessions, the audit trail, and agents' disputes and call comments (free text).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qa_pipeline.review.verdicts import FINAL_VERDICTS_SQL
from qa_pipeline.store.db import connect, utcnow

# Free text people typed about named agents (dispute comments and decisions, call comments) stays in the
# workspace, like the audit trail; acknowledgements, assignments and calibration verdicts are exported.
EXCLUDED = frozenset(
    {"raw_utterances", "users", "web_sessions", "audit_events", "schema_migrations", "disputes", "call_comments"}
)


@dataclass(frozen=True)
class Snapshot:
    out: Path
    rows: dict[str, int]


def _tables(con) -> list[str]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
    ]
    return [n for n in names if n not in EXCLUDED and "raw" not in n]


def _select(con, table: str) -> str:
    """Every column but word-level ASR output (``words``): BI tools need the redacted text, not the words."""
    cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]
    keep = ", ".join(f'"{c}"' for c in cols if c != "words")
    return f'SELECT {keep} FROM "{table}"'


def write_snapshot(db: Path, out: Path, *, busy_timeout_s: float = 30.0) -> Snapshot:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".snapshot-", dir=out))
    try:
        rows: dict[str, int] = {}
        with connect(db, read_only=True, busy_timeout_s=busy_timeout_s) as con:
            queries = {t: _select(con, t) for t in _tables(con)}
            queries["final_verdicts"] = FINAL_VERDICTS_SQL
            for name, sql in queries.items():
                target = tmp / f"{name}.parquet"
                con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)")
                rows[name] = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
        (tmp / "snapshot.json").write_text(
            json.dumps(
                {"taken_at_utc": utcnow().isoformat(timespec="seconds"), "database": str(db.resolve()), "rows": rows},
                indent=2,
            )
            + "\n"
        )
        for f in sorted(tmp.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Snapshot(out, rows)
