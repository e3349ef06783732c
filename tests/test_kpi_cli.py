"""``qa-pipeline kpi --rebuild`` (FCR window), its refusals, and ``bench kpi`` — real CLI, real DuckDB files."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from qa_pipeline.kpi.bench import build_kpi_db
from qa_pipeline.store.db import connect, transaction

BIN = Path(sys.executable).parent / "qa-pipeline"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=300)


def test_rebuild_and_the_fcr_window(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    with connect(db) as con, transaction(con):
        build_kpi_db(con, 3000)  # rows written with SQL: the roll-ups are empty until rebuilt
    empty = _cli("kpi", "--db", str(db), "--format", "csv")
    assert empty.returncode == 0 and empty.stdout.strip().count("\n") == 0  # the header only

    def fcr(*extra: str) -> float:
        done = _cli("kpi", "--db", str(db), "--by", "queue", "--format", "csv", "--rebuild", *extra)
        assert done.returncode == 0, done.stderr
        assert "rebuilt: kpi_daily" in done.stderr
        rows = list(csv.DictReader(io.StringIO(done.stdout)))
        assert sum(int(r["calls"]) for r in rows) == 3000
        return sum(float(r["fcr_rate"]) for r in rows) / len(rows)

    week = fcr()
    year = fcr("--fcr-window-days", "365")
    day = fcr("--fcr-window-days", "1")
    assert year < week <= day and year < 0.8  # a longer window finds more repeat contacts
    again = fcr()  # the window is kept as set
    assert again == day


def test_refusals_name_the_fix(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    with connect(db):
        pass
    done = _cli("kpi", "--db", str(db), "--fcr-window-days", "3")
    assert done.returncode != 0 and "--rebuild" in done.stderr
    done = _cli("kpi", "--db", str(db), "--format", "parquet")
    assert done.returncode != 0 and "--out" in done.stderr


def test_bench_kpi_prints_timings_and_the_load(tmp_path: Path) -> None:
    done = _cli("bench", "kpi", "--calls", "2000", "--db-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "per-agent KPI roll-up: median" in done.stdout and "load average before" in done.stdout
    assert "RESULT kpi: 2,000 calls" in done.stdout
    assert "drivers statement query (first 2 customer turns of 2,000 calls): median" in done.stdout
    # the whole drivers report ran from the stored embeddings (the bench's encoder stand-in refuses any text)
    assert "drivers report (query, stored vectors, k chosen by silhouette, names):" in done.stdout
    with connect(tmp_path / "kpi-2000.duckdb", read_only=True) as con:
        assert con.execute("SELECT sum(calls) FROM kpi_daily").fetchone() == (2000,)
