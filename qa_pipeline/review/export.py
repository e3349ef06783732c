"""CSV and Parquet export of an agent summary.

Two tables can be exported: ``rates`` (pass rate per section and criterion,
agent against team — :func:`qa_pipeline.review.summary.summary_rows`) and
``calls`` (the agent's calls in the period with automatic and final score).
Parquet is written by an in-memory DuckDB (no extra dependency).
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from qa_pipeline.errors import ConfigError
from qa_pipeline.review.summary import AgentSummary, summary_rows

logger = logging.getLogger("qa_pipeline.review.export")

FORMATS = ("csv", "parquet")
TABLES = ("rates", "calls")

_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "rates": [
        ("agent_id", "VARCHAR"),
        ("scorecard_id", "VARCHAR"),
        ("since", "DATE"),
        ("until", "DATE"),
        ("level", "VARCHAR"),
        ("section_id", "VARCHAR"),
        ("criterion_id", "VARCHAR"),
        ("agent_passed", "BIGINT"),
        ("agent_applicable", "BIGINT"),
        ("agent_pass_rate", "DOUBLE"),
        ("team_passed", "BIGINT"),
        ("team_applicable", "BIGINT"),
        ("team_pass_rate", "DOUBLE"),
        ("weakest", "BOOLEAN"),
    ],
    "calls": [
        ("agent_id", "VARCHAR"),
        ("call_id", "VARCHAR"),
        ("at", "TIMESTAMP"),
        ("queue", "VARCHAR"),
        ("scorecard_id", "VARCHAR"),
        ("score", "DOUBLE"),
        ("final_score", "DOUBLE"),
        ("auto_failed", "BOOLEAN"),
        ("reviewed", "BOOLEAN"),
    ],
}


def table_rows(summary: AgentSummary, table: str) -> list[dict[str, Any]]:
    if table == "rates":
        return summary_rows(summary)
    if table == "calls":
        return [{"agent_id": summary.agent_id, **c} for c in summary.calls]
    raise ConfigError(f"unknown export table {table!r}; use one of: {', '.join(TABLES)}")


def export_bytes(summary: AgentSummary, table: str, fmt: str) -> bytes:
    """The table as CSV or Parquet bytes."""
    rows = table_rows(summary, table)
    cols = _COLUMNS[table]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([c for c, _ in cols])
        for r in rows:
            w.writerow([_csv_cell(r.get(c)) for c, _ in cols])
        return buf.getvalue().encode("utf-8")
    if fmt == "parquet":
        with tempfile.TemporaryDirectory(prefix="qa-export-") as tmp:
            out = Path(tmp) / "export.parquet"
            mem = duckdb.connect()
            try:
                mem.execute("CREATE TABLE t (" + ", ".join(f'"{c}" {t}' for c, t in cols) + ")")
                if rows:
                    mem.executemany(
                        "INSERT INTO t VALUES (" + ", ".join("?" for _ in cols) + ")",
                        [[r.get(c) for c, _ in cols] for r in rows],
                    )
                # The path is ours (a fresh temporary directory); quote it as a SQL string literal all the same.
                mem.execute(f"COPY t TO '{str(out).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")
            finally:
                mem.close()
            return out.read_bytes()
    raise ConfigError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    text = str(v)
    # Spreadsheet formula injection: a cell starting with = + - @ is read as a formula by Excel/LibreOffice.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def export_file(summary: AgentSummary, table: str, fmt: str, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(export_bytes(summary, table, fmt))
    logger.info("wrote %s (%s, %s)", out, table, fmt)
    return out
