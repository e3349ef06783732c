"""A night cannot be stopped or corrupted by its configuration or its database: broken scorecards stop
the run before any audio is read; a full disk stops it at once; corrupt or foreign database files are
refused untouched; the run lock follows the database's real path.  Real Prefect flow, real DuckDB file."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from qa_pipeline.paths import project_root, samples_dir


def _home_with(tmp_path: Path, extra_card: str | None = None) -> Path:
    """A QA_PIPELINE_HOME with the project's models and samples and a copy of its scorecards."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("models", "samples"):
        (home / name).symlink_to(project_root() / name)
    shutil.copytree(project_root() / "scorecards", home / "scorecards")
    if extra_card is not None:
        (home / "scorecards" / "broken.yaml").write_text(extra_card, encoding="utf-8")
    return home


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(samples_dir() / "calls" / "sc07_mono_tv_box.wav", inbox / "call.wav")
    return inbox


BROKEN_CARD = """\
id: broken
name: Broken
version: "1"
sections:
  - id: s
    name: S
    weight: 1
    criteria:
      - id: c
        name: C
        type: label_presnt
        label: greeting
"""


def test_a_broken_scorecard_stops_the_run_before_any_audio(prefect_harness, tmp_path: Path, monkeypatch) -> None:
    from flows.nightly import run_nightly
    from qa_pipeline.errors import ConfigError

    monkeypatch.setenv("QA_PIPELINE_HOME", str(_home_with(tmp_path, BROKEN_CARD)))
    db = tmp_path / "qa.duckdb"
    t = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        run_nightly(_inbox(tmp_path), db, settle_s=0)
    elapsed = time.perf_counter() - t
    message = str(caught.value)
    assert "broken.yaml" in message and "nothing was read or transcribed" in message
    assert "qa-pipeline scorecard validate" in message
    assert not db.exists()  # stopped before the database (or any recording) was opened
    assert elapsed < 60  # no call was transcribed (Whisper on the sample call alone takes longer here)


def test_broken_flag_rules_stop_the_run_too(prefect_harness, tmp_path: Path, monkeypatch) -> None:
    from flows.nightly import run_nightly
    from qa_pipeline.errors import ConfigError

    home = _home_with(tmp_path)
    (home / "scorecards" / "flags.yaml").write_text("rules:\n  - id: x\n    kind: nonsense\n", encoding="utf-8")
    monkeypatch.setenv("QA_PIPELINE_HOME", str(home))
    with pytest.raises(ConfigError, match=re.escape("flags.yaml")):
        run_nightly(_inbox(tmp_path), tmp_path / "qa.duckdb", settle_s=0)
    assert not (tmp_path / "qa.duckdb").exists()


# --- full disk, corrupt and foreign database files -------------------------------------------


def _stored_calls(folder: Path, db: Path, n: int = 2) -> list[str]:
    """``n`` real recordings in ``folder``, each with a stored (hand-built) transcript: a run only analyses them."""
    from scorecard_dialogues import GOOD_CALL, build

    from qa_pipeline.ingest import discover
    from qa_pipeline.records import CallRecord
    from qa_pipeline.store.calls import write_call
    from qa_pipeline.store.db import connect, transaction

    folder.mkdir()
    for name in ("sc07_mono_tv_box.wav", "sc05_email_change_dob.mp3")[:n]:
        shutil.copy(samples_dir() / "calls" / name, folder / name)
    ids = []
    for recording in discover(folder, settle_s=0).recordings:
        conv, _ = build(GOOD_CALL, call_id=recording.call_id)
        record = CallRecord(
            recording, "wav", 16000, 1, conv.duration_s, "diarized", None, "faster-whisper", "tiny.en", "en", 0.9
        )
        with connect(db) as con, transaction(con):
            write_call(con, record, conv, run_id=None, status="transcribed")
        ids.append(recording.call_id)
    return ids


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 16 MiB tmpfs (needs root), unmounted afterwards."""
    import subprocess

    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_full_disk_stops_the_run_at_once_and_the_next_run_resumes(
    prefect_harness, small_disk: Path, tmp_path: Path
) -> None:
    from flows.nightly import add_progress_listener, remove_progress_listener, run_nightly
    from qa_pipeline.errors import DiskFullError
    from qa_pipeline.store.db import connect

    db = small_disk / "qa.duckdb"
    ids = _stored_calls(tmp_path / "in", db)
    filled: list[Path] = []

    def fill_on_found(event: str, detail: str) -> None:  # the run has started and found its calls: disk fills up
        if event == "found":
            filled.append(_fill(small_disk))

    add_progress_listener(fill_on_found)
    t = time.perf_counter()
    try:
        with pytest.raises(DiskFullError) as caught:
            run_nightly(tmp_path / "in", db, settle_s=0)
    finally:
        remove_progress_listener(fill_on_found)
    elapsed = time.perf_counter() - t
    message = str(caught.value)
    assert message.startswith("disk full: ") and "\n" not in message and "run again" in message
    assert elapsed < 20, elapsed  # not ~20 s of store retries per call

    filled[0].unlink()  # space freed: the next run resumes and finishes both calls
    summary = run_nightly(tmp_path / "in", db, settle_s=0)
    assert (summary.status, summary.calls_done) == ("ok", 2)
    with connect(db, read_only=True) as con:
        assert sorted(
            r[0] for r in con.execute("SELECT call_id FROM calls WHERE status = 'complete'").fetchall()
        ) == sorted(ids)
        statuses = [r[0] for r in con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()]
    assert statuses == ["interrupted", "ok"]


def test_a_disk_full_at_start_is_one_clear_error(prefect_harness, small_disk: Path, tmp_path: Path) -> None:
    from flows.nightly import run_nightly
    from qa_pipeline.errors import DiskFullError

    inbox = _inbox(tmp_path)
    _fill(small_disk)
    with pytest.raises(DiskFullError, match=r"^disk full: "):
        run_nightly(inbox, small_disk / "qa.duckdb", settle_s=0)


def test_foreign_truncated_and_corrupt_databases_are_refused_unchanged(prefect_harness, tmp_path: Path) -> None:
    import sqlite3

    from flows.nightly import run_nightly
    from qa_pipeline.errors import StoreError
    from qa_pipeline.store.db import connect

    inbox = _inbox(tmp_path)
    lite = tmp_path / "results.db"
    s = sqlite3.connect(lite)
    s.execute("CREATE TABLE a (x)")
    s.commit()
    s.close()

    good = tmp_path / "good.duckdb"
    with connect(good) as con:
        con.execute("CREATE TABLE filler AS SELECT range AS i, 'row ' || range AS s FROM range(200000)")
    data = good.read_bytes()
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(data[: len(data) // 2 + 1234])
    flipped = tmp_path / "flipped.duckdb"
    bits = bytearray(data)
    for offset in range(12288 + 100, len(bits), 9973):
        bits[offset] ^= 0x5A
    flipped.write_bytes(bytes(bits))

    cases = {lite: "is a SQLite file", truncated: "is truncated", flipped: "is corrupt"}
    for path, says in cases.items():
        before = _sha(path)
        with pytest.raises(StoreError) as caught:
            run_nightly(inbox, path, settle_s=0)
        assert says in str(caught.value) and str(path) in str(caught.value), caught.value
        assert _sha(path) == before, f"{path.name} was modified"
        assert not Path(str(path) + ".wal").exists()
    # every command's connect refuses it, not only run
    with pytest.raises(StoreError, match="SQLite"), connect(lite, read_only=True):
        pass


# --- the run lock and interrupted runs ------------------------------------------------------


def test_the_run_lock_follows_a_symlink_to_the_database(prefect_harness, tmp_path: Path) -> None:
    from flows.nightly import run_nightly
    from qa_pipeline.errors import DatabaseBusyError
    from qa_pipeline.store.runlog import run_lock

    real = tmp_path / "data" / "qa.duckdb"
    real.parent.mkdir()
    link = tmp_path / "link.duckdb"
    link.symlink_to(real)
    (tmp_path / "linkdir").symlink_to(real.parent)
    empty = tmp_path / "empty"
    empty.mkdir()
    with run_lock(real):
        for other in (link, tmp_path / "linkdir" / "qa.duckdb", tmp_path / "data" / ".." / "data" / "qa.duckdb"):
            with pytest.raises(DatabaseBusyError, match="already scoring"):
                run_nightly(empty, other, settle_s=0)


_KILLED_RUN = """
import os, signal, sys
from qa_pipeline.run import run

def on_event(event, detail):
    if event == "done":  # the first call is stored: die without any cleanup
        os.kill(os.getpid(), signal.SIGKILL)

run(sys.argv[1], sys.argv[2], settle_s=0, concurrency=1, on_event=on_event)
"""


def test_a_killed_runs_counters_are_what_it_stored(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from qa_pipeline.run import run
    from qa_pipeline.store.db import connect

    db = tmp_path / "qa.duckdb"
    _stored_calls(tmp_path / "in", db)
    (tmp_path / "in" / "broken.wav").write_bytes(b"RIFF not really a wave file" * 10)
    env = {**os.environ, "PYTHONPATH": str(project_root())}
    proc = subprocess.run([sys.executable, "-c", _KILLED_RUN, str(tmp_path / "in"), str(db)], env=env, timeout=300)
    assert proc.returncode == -9

    again = run(tmp_path / "in", db, settle_s=0).summary  # marks the killed run interrupted, finishes the rest
    with connect(db, read_only=True) as con:
        killed = con.execute(
            "SELECT run_id, calls_found, calls_done, calls_failed FROM runs WHERE status = 'interrupted'"
        ).fetchone()
        stored = con.execute(
            "SELECT count(*) FROM calls WHERE run_id = ? AND status = 'complete'", [killed[0]]
        ).fetchone()[0]
        failed = con.execute("SELECT count(*) FROM failures WHERE run_id = ?", [killed[0]]).fetchone()[0]
        complete = con.execute("SELECT count(*) FROM calls WHERE status = 'complete'").fetchone()[0]
    assert killed[1:] == (3, stored, failed) and stored >= 1
    assert complete == 2 and again.calls_done + stored == 2  # nothing lost, nothing done twice
