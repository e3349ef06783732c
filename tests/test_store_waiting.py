"""Turns at the database file: a waiting process is announced, and a long rescore lets it in."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa_pipeline.devtools.synthetic import build_synthetic_db
from qa_pipeline.rescore import rescore
from qa_pipeline.store.db import connect, transaction, utcnow
from qa_pipeline.store.waiting import announce_waiting, let_waiters_in, others_waiting, waiting_path


def test_nobody_waits_until_a_process_announces_it(db_path: Path) -> None:
    assert not others_waiting(db_path)  # no lock file yet
    with announce_waiting(db_path) as announced:
        assert announced
        assert waiting_path(db_path).exists()
        assert others_waiting(db_path)
        t = time.monotonic()
        assert let_waiters_in(db_path, max_wait_s=0.2) >= 0.2  # the waiter never opens: give up at the bound
        assert time.monotonic() - t < 2
    assert not others_waiting(db_path)
    assert let_waiters_in(db_path) == pytest.approx(0.0, abs=0.05)


def test_a_folder_without_write_access_is_polled_unannounced(tmp_path: Path) -> None:
    with announce_waiting(tmp_path / "missing-folder" / "qa.duckdb") as announced:
        assert not announced


def test_a_reviewer_gets_in_during_a_long_rescore(db_path: Path) -> None:
    """Before, the rescore closed and reopened its connection within microseconds, and a reviewer polling for
    the file waited out the whole rescore: the override below landed after the last chunk was written (or
    timed out), so the rescore re-applied none."""
    build_synthetic_db(db_path, 400, seed=5)
    rescore(db_path, "customer_service")
    with connect(db_path, read_only=True) as con:
        row = con.execute(
            "SELECT call_id, verdict FROM criterion_results WHERE criterion_id = 'greeting'"
            " ORDER BY call_id DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    last_call, old = row
    code = (
        "import json, logging, dataclasses, sys\n"
        "from qa_pipeline.rescore import rescore\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
        f"s = rescore({str(db_path)!r}, 'customer_service', chunk_size=4, hold_s=0.05)\n"
        "print(json.dumps(dataclasses.asdict(s)))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # the rescore holds the file once it has written its first chunk
            if "rescored " in line:
                break
        t = time.monotonic()
        with connect(db_path, busy_timeout_s=20) as con, transaction(con):
            con.execute(
                "INSERT INTO overrides VALUES ('o-wait', ?, 'customer_service', 'greeting', ?, ?, 'heard it',"
                " 'reviewer', ?)",
                [last_call, old, "fail" if old == "pass" else "pass", utcnow()],
            )
        waited = time.monotonic() - t
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["calls"] == 400
    # the override was written while chunks were still to come, and the last call's chunk re-applied it
    assert summary["overrides_applied"] == 1, (summary, f"the reviewer waited {waited:.2f} s")
    assert waited < 5
