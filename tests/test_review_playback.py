"""Playback (issue #14 point 5): recording paths resolve however the run was started, and the redacted
audio is rendered once to a file and served from it with range requests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
import requests
from review_fixture import build_review_db, csrf_of, start_server, stop_server
from starlette.testclient import TestClient

from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.review.playback import PlaybackCache, render_playback_file
from qa_pipeline.store.calls import start_run
from qa_pipeline.store.db import connect

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base_fx(tmp_path_factory):
    return build_review_db(tmp_path_factory.mktemp("review"), tmp_path_factory.mktemp("clips"))


def _signed_in(db: Path, fx, **cfg) -> TestClient:
    c = TestClient(create_app(ServerConfig(db, **cfg)), follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    assert (
        c.post("/login", data={"csrf": tok, "username": "alice", "password": fx.passwords["alice"][1]}).status_code
        == 303
    )
    return c


def test_relative_paths_stored_by_older_runs_play(base_fx, tmp_path, monkeypatch):
    """A run started as ``qa-pipeline run calls`` stored ``calls/x.wav`` and input folder ``calls``."""
    work = tmp_path / "work"
    shutil.copytree(base_fx.recordings, work / "calls")
    db = tmp_path / "qa.duckdb"
    shutil.copy(base_fx.db, db)
    f = base_fx.featured
    with connect(db) as con:
        con.execute("UPDATE calls SET source_path = 'calls/' || regexp_extract(source_path, '[^/]+$')")
        con.execute("UPDATE runs SET input_dir = 'calls'")
    monkeypatch.chdir(work)  # the server started where the run was
    r = _signed_in(db, base_fx).get(f"/calls/{f.call_id}/audio")
    assert r.status_code == 200 and r.content[:4] == b"RIFF"
    # ...and from anywhere else with --recordings pointing at the folder.
    monkeypatch.chdir(tmp_path)
    r = _signed_in(db, base_fx, recordings=(work / "calls").resolve()).get(f"/calls/{f.call_id}/audio")
    assert r.status_code == 200 and r.content[:4] == b"RIFF"


def test_the_store_records_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with connect(tmp_path / "qa.duckdb") as con:
        run_id = start_run(con, "calls", asr_backend="faster-whisper", asr_model="tiny.en")
        assert con.execute("SELECT input_dir FROM runs WHERE run_id = ?", [run_id]).fetchone()[0] == str(
            tmp_path / "calls"
        )


def test_rendered_once_to_a_file_and_served_from_it_with_ranges(base_fx, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(base_fx.db, db)
    cache = tmp_path / "cache"
    c = _signed_in(db, base_fx, playback_cache=cache)
    f = base_fx.featured
    full = c.get(f"/calls/{f.call_id}/audio")
    files = list(cache.glob("*.wav"))
    assert len(files) == 1 and files[0].read_bytes() == full.content
    mtime = files[0].stat().st_mtime_ns
    part = c.get(f"/calls/{f.call_id}/audio", headers={"range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == full.content[1000:2000]
    assert list(cache.glob("*.wav")) == files  # not rendered again
    assert files[0].stat().st_mtime_ns >= mtime


def test_streaming_render_matches_the_redaction_module(base_fx, tmp_path):
    """Same samples (to one LSB of rounding) as qa_pipeline.redact.render_redacted_wav, spans silenced."""
    from qa_pipeline.redact import render_redacted_wav

    f = base_fx.featured
    spans = [f.redaction]
    out = tmp_path / "x.wav"
    render_playback_file(f.path, spans, out)
    ref = render_redacted_wav(f.path, spans)
    with wave.open(str(out)) as a:
        got = np.frombuffer(a.readframes(a.getnframes()), "<i2")
    import io

    with wave.open(io.BytesIO(ref)) as b:
        want = np.frombuffer(b.readframes(b.getnframes()), "<i2")
    assert got.shape == want.shape and np.abs(got.astype(int) - want.astype(int)).max() <= 1


def test_cache_evicts_the_oldest_files_past_its_size(base_fx, tmp_path):
    cache = PlaybackCache(tmp_path / "c", max_bytes=1)
    a = cache.get_or_render(base_fx.calls[0].path, [])
    b = cache.get_or_render(base_fx.calls[1].path, [])
    assert b.exists() and not a.exists()


@pytest.mark.slow
def test_run_from_a_relative_folder_then_serve_plays_audio(tmp_path):
    """``make demo`` then ``serve``: a real run of a bundled sample call from a relative folder, served
    from another working folder without --recordings."""
    work = tmp_path / "site"
    (work / "calls").mkdir(parents=True)
    shutil.copy(REPO / "samples" / "calls" / "sc01_billing_model_call.flac", work / "calls")
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", "from qa_pipeline.cli import main; main()", "run", "calls", "--db", "qa.duckdb"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    db = work / "qa.duckdb"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from qa_pipeline.cli import main; main()",
            "users",
            "add",
            "amy",
            "--role",
            "qa_specialist",
            "--password-stdin",
            "--db",
            str(db),
        ],
        input="amy-long-pw\n",
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    with connect(db, read_only=True) as con:
        call_id, source = con.execute("SELECT call_id, source_path FROM calls").fetchone()
    assert Path(source).is_absolute()
    proc, base = start_server(db)  # this test's working folder, not the run's
    try:
        s = requests.Session()
        tok = csrf_of(s.get(base + "/login").text)
        s.post(base + "/login", data={"csrf": tok, "username": "amy", "password": "amy-long-pw"})
        r = s.get(base + f"/calls/{call_id}/audio", headers={"range": "bytes=0-43"})
        assert r.status_code == 206 and r.content[:4] == b"RIFF"
    finally:
        stop_server(proc)
