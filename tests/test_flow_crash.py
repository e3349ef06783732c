"""kill -9 at several points of a real ``qa-pipeline run``; the next run finishes the work exactly once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import psutil
import pytest
from flow_audio import CALLS, RATE, espeak_available, render_call, write_wav

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not espeak_available(), reason="espeak-ng renders the test calls")]

BIN = Path(sys.executable).parent / "qa-pipeline"
TABLES = (
    "calls",
    "utterances",
    "utterance_labels",
    "call_metrics",
    "call_scores",
    "criterion_results",
    "flags",
    "redactions",
)
TRANSCRIBED = re.compile(r"transcribed [\d.]+ s of audio in [\d.]+ s \(call ([0-9a-f]{16})\)")
STORED = re.compile(r"stored \(call [0-9a-f]{16}\)")


def _make_calls(folder: Path) -> None:
    """Six calls: the three spoken ones and a quieter copy of each (other bytes, so other call ids)."""
    folder.mkdir(parents=True)
    for name, turns in CALLS.items():
        audio = render_call(turns)
        write_wav(folder / f"{name}.wav", audio, RATE)
        write_wav(folder / f"{name}_quiet.wav", (audio * 0.7).astype(np.float32), RATE)


class Run:
    """``qa-pipeline run`` in its own process group, its log read line by line."""

    def __init__(self, inbox: Path, db: Path, home: Path) -> None:
        env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_LOGGING_LEVEL="INFO")
        env.pop("PREFECT_API_URL", None)
        self.proc = subprocess.Popen(
            [str(BIN), "run", str(inbox), "--db", str(db), "--no-progress", "--settle", "0", "--verbose"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def count(self, pattern: re.Pattern) -> int:
        return sum(1 for line in list(self.lines) if pattern.search(line))

    def transcribed_ids(self) -> set[str]:
        return {m.group(1) for line in list(self.lines) for m in [TRANSCRIBED.search(line)] if m}

    def wait_for(self, pattern: re.Pattern, n: int, timeout_s: float = 300) -> None:
        deadline = time.monotonic() + timeout_s
        while self.count(pattern) < n:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"the run ended (rc {self.proc.returncode}) before {n}× {pattern.pattern}:\n{''.join(self.lines[-40:])}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {n}× {pattern.pattern}")
            time.sleep(0.02)

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)  # the run and Prefect's temporary server with it
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)

    def kill9_run_only(self) -> list[int]:
        """``kill -9 <pid>``: the run alone, so Prefect's temporary server is left behind; its PIDs."""
        servers = [c.pid for c in psutil.Process(self.proc.pid).children(recursive=True) if "uvicorn" in c.cmdline()]
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=5)  # the orphaned server still holds the log pipe
        return servers

    def finish(self) -> int:
        rc = self.proc.wait(timeout=600)
        self._reader.join(timeout=10)
        return rc


def _snapshot(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        calls = {r[0]: r[1:] for r in con.execute("SELECT call_id, status, run_id, updated_at FROM calls").fetchall()}
        per_call = dict(con.execute("SELECT call_id, count(*) FROM utterances GROUP BY call_id").fetchall())
        labels = dict(con.execute("SELECT call_id, count(*) FROM utterance_labels GROUP BY call_id").fetchall())
        scored = {r[0] for r in con.execute("SELECT DISTINCT call_id FROM call_scores").fetchall()}
        runs = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
        dupes = con.execute(
            "SELECT count(*) FROM (SELECT call_id, idx FROM utterances GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
    finally:
        con.close()
    return {
        "counts": counts,
        "calls": calls,
        "per_call": per_call,
        "labels": labels,
        "scored": scored,
        "runs": runs,
        "dupes": dupes,
    }


def _consistent(snap: dict) -> None:
    """Every stored call is whole: complete ones have every row, nothing belongs to a missing call."""
    assert snap["dupes"] == 0
    for call_id, (status, _, _) in snap["calls"].items():
        assert snap["per_call"].get(call_id, 0) > 0, call_id
        if status == "complete":
            assert snap["labels"].get(call_id) == snap["per_call"][call_id], call_id
            assert call_id in snap["scored"], call_id
    assert set(snap["per_call"]) <= set(snap["calls"])


def test_kill_9_anywhere_then_rerun_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _make_calls(inbox)
    home = tmp_path / "prefect"

    reference_db = tmp_path / "reference.duckdb"
    ref = Run(inbox, reference_db, home)
    assert ref.finish() == 0, "".join(ref.lines[-40:])
    reference = _snapshot(reference_db)
    assert reference["counts"]["calls"] == 6

    db = tmp_path / "qa.duckdb"
    complete_before: dict[str, tuple] = {}
    transcribed_everywhere: list[set[str]] = []
    left_behind: list[int] = []
    # kill points: during start-up; after the first stored call; between ASR and storing of later calls
    for label, pattern, n in (
        ("start-up", None, 0),
        ("after 1 stored", STORED, 1),
        ("after ASR", TRANSCRIBED, 2),
        ("after 2 more stored", STORED, 2),
    ):
        run = Run(inbox, db, home)
        if pattern is None:
            time.sleep(2.0)
        else:
            run.wait_for(pattern, n)
        if label == "after 2 more stored":
            left_behind = run.kill9_run_only()
            assert left_behind and all(psutil.pid_exists(pid) for pid in left_behind)
        else:
            run.kill9()
        transcribed_everywhere.append(run.transcribed_ids())
        if not db.exists():
            continue
        snap = _snapshot(db)
        _consistent(snap)
        # calls complete before this run were neither re-transcribed nor rewritten by it
        assert not (transcribed_everywhere[-1] & set(complete_before)), label
        for call_id, row in complete_before.items():
            assert snap["calls"][call_id] == row, (label, call_id)
        complete_before = {c: row for c, row in snap["calls"].items() if row[0] == "complete"}

    final = Run(inbox, db, home)
    assert final.finish() == 0, "".join(final.lines[-40:])
    # the temporary API server of the run killed alone was stopped by the final run
    assert final.count(re.compile(r"stopping Prefect temporary API server pid \d+")) == len(left_behind)
    for pid in left_behind:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not (final.transcribed_ids() & set(complete_before)), "a stored call was transcribed again"
    snap = _snapshot(db)
    _consistent(snap)
    assert snap["counts"] == reference["counts"]
    assert snap["per_call"] == reference["per_call"]
    assert all(row[0] == "complete" for row in snap["calls"].values())
    for call_id, row in complete_before.items():
        assert snap["calls"][call_id] == row  # untouched by the final run
    statuses = sorted(snap["runs"].values())
    assert statuses.count("ok") == 1 and "running" not in statuses
    assert statuses.count("interrupted") >= 3
    assert len(complete_before) >= 3  # the kills really happened part-way through
