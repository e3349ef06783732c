"""The nightly flow on real recordings, real Whisper tiny.en, a real DuckDB file and a Prefect test API."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from flow_audio import espeak_available, render_calls
from flow_inputs import Expected, GrowingFile, make_bad_inputs

pytestmark = pytest.mark.skipif(not espeak_available(), reason="espeak-ng renders the test calls")

CALL_TABLES = ("utterances", "utterance_labels", "call_metrics", "call_scores", "flags", "redactions")


@pytest.fixture(scope="session")
def spoken_calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return render_calls(tmp_path_factory.mktemp("spoken"))


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _counts(db: Path) -> dict[str, int]:
    out = {"calls": _rows(db, "SELECT count(*) FROM calls")[0][0]}
    for table in CALL_TABLES:
        out[table] = _rows(db, f"SELECT count(*) FROM {table}")[0][0]
    return out


def _run(input_dir: Path, db: Path, **kw):
    from flows.nightly import run_nightly

    kw.setdefault("settle_s", 0.0)
    return run_nightly(input_dir, db, **kw)


def test_flow_scores_new_calls_and_skips_them_next_night(prefect_harness, spoken_calls, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("call_a", "call_b"):
        shutil.copy(spoken_calls[name], inbox / f"{name}.wav")
    db = tmp_path / "qa.duckdb"

    first = _run(inbox, db)
    assert first.status == "ok", first
    assert (first.calls_found, first.calls_done, first.calls_failed) == (2, 2, 0)
    assert first.audio_s == pytest.approx(24.5 + 20.6, abs=0.5)
    calls = _rows(db, "SELECT call_id, status, run_id, updated_at, attribution FROM calls ORDER BY call_id")
    assert [c[1] for c in calls] == ["complete", "complete"]
    assert {c[4] for c in calls} == {"stereo"}
    texts = " ".join(r[0] for r in _rows(db, "SELECT text FROM utterances WHERE speaker = 'customer'")).lower()
    assert "internet" in texts and "bill" in texts
    counts = _counts(db)
    assert counts["utterances"] >= 6 and counts["utterance_labels"] == counts["utterances"]
    assert counts["call_metrics"] == 2 and counts["call_scores"] >= 2
    run = _rows(db, "SELECT status, calls_done, finished_at, flow_run_id FROM runs WHERE run_id = ?", [first.run_id])[0]
    assert run[0] == "ok" and run[1] == 2 and run[2] is not None and run[3]

    # the next night: one new call; the stored ones are skipped without being read again
    shutil.copy(spoken_calls["call_c"], inbox / "call_c.wav")
    second = _run(inbox, db)
    assert second.status == "ok"
    assert (second.calls_done, second.calls_skipped) == (1, 2)
    after = _rows(db, "SELECT call_id, status, run_id, updated_at, attribution FROM calls ORDER BY call_id")
    unchanged = [c for c in after if c[0] in {x[0] for x in calls}]
    assert unchanged == calls  # same run_id and updated_at: not written again
    assert _counts(db)["calls"] == 3
    assert _rows(db, "SELECT count(*) FROM failures")[0][0] == 0


def test_bad_input_is_recorded_and_never_stops_the_night(prefect_harness, spoken_calls, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    expected = make_bad_inputs(inbox, spoken_calls["call_a"])
    shutil.copy(spoken_calls["call_a"], inbox / "good.wav")
    # a FLAC named .wav still decodes: wrong extensions are fine
    import subprocess

    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(spoken_calls["call_b"]),
            "-f",
            "flac",
            str(inbox / "really_flac.wav"),
        ],
        check=True,
    )
    # a broken metadata row: its call is still scored, without metadata
    (inbox / "manifest.csv").write_text(
        "file,agent_id,agent_name,queue,started_at,direction,customer_ref\n"
        "good.wav,A-7,Dana,billing,2026-11-20T09:15:00,inbound,C-1\n"
        "really_flac.wav,A-8,Sam,support,last tuesday,inbound,C-2\n"
    )
    expected["manifest.csv"] = Expected("manifest", r"started_at 'last tuesday' is not an ISO 8601 time")
    db = tmp_path / "qa.duckdb"
    with GrowingFile(inbox / "growing.wav") as growing:
        summary = _run(inbox, db, settle_s=1.0)
    expected[growing.path.name] = GrowingFile.expected

    assert summary.status == "partial", summary
    assert summary.calls_done == 2
    failures = _rows(db, "SELECT source_path, stage, error_type, reason, run_id FROM failures")
    by_file = {Path(f[0]).name: f for f in failures}
    assert set(by_file) == set(expected), sorted(by_file)
    for name, exp in expected.items():
        _, stage, _, reason, run_id = by_file[name]
        assert stage == exp.stage, (name, stage, reason)
        assert re.search(exp.reason, reason), (name, reason)
        assert name in reason  # every reason names its file
        assert run_id == summary.run_id

    calls = _rows(db, "SELECT source_path, status, agent_id FROM calls ORDER BY source_path")
    assert [(Path(c[0]).name, c[1], c[2]) for c in calls] == [
        ("good.wav", "complete", "A-7"),
        ("really_flac.wav", "complete", None),
    ]
    # nothing half-written: every stored row belongs to a stored call
    for table in CALL_TABLES:
        orphans = _rows(db, f"SELECT count(*) FROM {table} WHERE call_id NOT IN (SELECT call_id FROM calls)")[0][0]
        assert orphans == 0, table
    run = _rows(db, "SELECT status, calls_failed, calls_done FROM runs")[0]
    assert run == ("partial", len(expected) - 1, 2)  # the manifest row is not a call


def test_one_run_per_database_and_crashed_runs_are_closed(prefect_harness, tmp_path: Path) -> None:
    from qa_pipeline.errors import DatabaseBusyError
    from qa_pipeline.store import connect
    from qa_pipeline.store.calls import start_run
    from qa_pipeline.store.runlog import run_lock

    db = tmp_path / "qa.duckdb"
    with connect(db) as con:
        stale = start_run(con, "/recordings", asr_backend="faster-whisper", asr_model="tiny.en")  # a run that died
    empty = tmp_path / "empty"
    empty.mkdir()
    with (
        run_lock(db),
        pytest.raises(DatabaseBusyError, match=r"another qa-pipeline run \(pid \d+\) is already scoring"),
    ):
        _run(empty, db)
    summary = _run(empty, db)
    assert summary.status == "ok" and summary.calls_found == 0
    statuses = dict(_rows(db, "SELECT run_id, status FROM runs"))
    assert statuses[stale] == "interrupted"
    assert statuses[summary.run_id] == "ok"


def test_transient_errors_are_retried_bad_input_is_not() -> None:
    import duckdb as _duckdb

    from flows.nightly import is_transient
    from qa_pipeline.errors import AudioDecodeError, DatabaseBusyError, ModelNotAvailableError

    assert is_transient(DatabaseBusyError("busy"))
    assert is_transient(ConnectionResetError())
    assert is_transient(_duckdb.IOException("disk"))
    assert not is_transient(AudioDecodeError("corrupt"))
    assert not is_transient(ModelNotAvailableError("missing"))
    assert not is_transient(ModuleNotFoundError("qa_pipeline.x"))
    assert not is_transient(PermissionError(13, "denied"))


def test_schedule_refuses_bad_cron_timezone_and_missing_server(tmp_path: Path) -> None:
    import socket

    from flows.schedule import check_server, serve_nightly
    from qa_pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match=r"cron '0 2 \* \*' .* is not valid"):
        serve_nightly(str(tmp_path), str(tmp_path / "qa.duckdb"), "0 2 * *")
    with pytest.raises(ConfigError, match="not an IANA time zone"):
        serve_nightly(str(tmp_path), str(tmp_path / "qa.duckdb"), "0 2 * * *", timezone="Mars/Olympus")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConfigError, match=r"no Prefect server answers at PREFECT_API_URL=.*prefect server start"):
        check_server(f"http://127.0.0.1:{port}/api", timeout_s=2)
