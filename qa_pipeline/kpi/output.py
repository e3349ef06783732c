"""Rows of dicts as an aligned text table, CSV or Parquet (the ``kpi`` command's ``--format``)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from qa_pipeline.errors import InputError

FORMATS = ("table", "csv", "parquet")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    text = str(v)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):  # spreadsheet formula injection
        return "'" + text
    return text


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def to_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    cells = [list(columns)] + [[_cell(r.get(c)) or "—" for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(v.rjust(w) if k else v.ljust(w) for k, (v, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _sql_type(values: list[Any]) -> str:
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            return "BOOLEAN"
        if isinstance(v, int):
            return "BIGINT"
        if isinstance(v, float):
            return "DOUBLE"
        if isinstance(v, date):
            return "DATE"
        return "VARCHAR"
    return "DOUBLE"


def to_parquet(rows: Sequence[dict[str, Any]], columns: Sequence[str], out: Path) -> None:
    types = [_sql_type([r.get(c) for r in rows]) for c in columns]
    if any(t == "BIGINT" for t in types):  # a column mixing ints and floats is DOUBLE
        types = [
            "DOUBLE" if t == "BIGINT" and any(isinstance(r.get(c), float) for r in rows) else t
            for c, t in zip(columns, types)
        ]
    with tempfile.TemporaryDirectory(prefix="qa-kpi-") as tmp:
        tmp_out = Path(tmp) / "kpi.parquet"
        mem = duckdb.connect()
        try:
            mem.execute("CREATE TABLE t (" + ", ".join(f'"{c}" {t}' for c, t in zip(columns, types)) + ")")
            if rows:
                mem.executemany(
                    "INSERT INTO t VALUES (" + ", ".join("?" for _ in columns) + ")",
                    [[r.get(c) for c in columns] for r in rows],
                )
            mem.execute(f"COPY t TO '{str(tmp_out).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")
        finally:
            mem.close()
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(tmp_out.read_bytes())


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, out: Path | None) -> str | None:
    """The rows in ``fmt``: written to ``out`` when given (Parquet needs it), else returned as text."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}", stage="kpi")
    if fmt == "parquet":
        if out is None:
            raise InputError("--format parquet writes a file: give --out FILE.parquet", stage="kpi")
        to_parquet(rows, columns, out)
        return None
    text = to_csv(rows, columns) if fmt == "csv" else to_table(rows, columns)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        return None
    return text
