"""``qa-pipeline bench playback``: server memory and seek latency when a long call is played.

Builds a long recording by looping a real call with ffmpeg, registers it as one call in a fresh
database, then — in a child process per mode, so each peak RSS is its own — signs in to the real app
(Starlette's TestClient), requests the whole file once (the first request renders it) and then
``seeks`` random byte ranges as a browser does when the reviewer jumps around.  Modes: ``file`` (what
the workspace does: render once, streaming, into the playback cache; serve ranges from the file) and
``memory`` (the previous design: decode the whole call into memory and cut ranges from the bytes).
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qa_pipeline.errors import InputError


def build_long_recording(source: Path, hours: float, out: Path) -> Path:
    if shutil.which("ffmpeg") is None:
        raise InputError("bench playback needs ffmpeg (apt-get install -y ffmpeg)", stage="bench")
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-stream_loop",
            "-1",
            "-i",
            str(source),
            "-t",
            str(hours * 3600),
            "-c:a",
            "flac",
            str(out),
        ],
        check=True,
    )
    return out


def _setup_db(db: Path, recording: Path) -> str:
    from qa_pipeline.review import auth
    from qa_pipeline.store.db import connect, utcnow

    with connect(db) as con:
        con.execute(
            "INSERT INTO calls (call_id, source_path, file_sha256, status, duration_s, created_at, updated_at)"
            " VALUES ('long', ?, 'x', 'complete', 0, ?, ?)",
            [str(recording), utcnow(), utcnow()],
        )
        auth.add_user(con, "bench", "bench-password", "qa_specialist")
    return "long"


def measure(mode: str, db: Path, recording: Path, seeks: int, seed: int = 1) -> dict:
    """One mode, in this process: first request (render) time, seek latencies, peak RSS."""
    import re

    from starlette.testclient import TestClient

    from qa_pipeline.review.app import ServerConfig, create_app
    from qa_pipeline.review.playback import PlaybackCache

    app = create_app(ServerConfig(db, recordings=recording.parent, playback_cache=db.parent / "cache"))
    if mode == "memory":
        app.state.workspace.playback = _InMemory()
    elif not isinstance(app.state.workspace.playback, PlaybackCache):
        raise AssertionError("unexpected playback cache")
    c = TestClient(app)
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    c.post("/login", data={"csrf": tok, "username": "bench", "password": "bench-password"})
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    head = c.get("/calls/long/audio", headers={"range": "bytes=0-65535"})
    first_s = time.perf_counter() - t0
    size = int(head.headers["content-range"].split("/")[1])
    rng = random.Random(seed)
    lat = []
    for _ in range(seeks):
        start = rng.randrange(0, size - 1_000_000)
        t = time.perf_counter()
        r = c.get("/calls/long/audio", headers={"range": f"bytes={start}-{start + 999_999}"})
        lat.append(time.perf_counter() - t)
        assert r.status_code == 206 and len(r.content) == 1_000_000
    lat.sort()
    return {
        "mode": mode,
        "wav_mb": size / 1e6,
        "first_request_s": first_s,
        "seek_median_ms": 1000 * lat[len(lat) // 2],
        "seek_max_ms": 1000 * lat[-1],
        "rss_before_mb": base_rss / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


class _InMemory:
    """The previous design, for comparison: the whole redacted WAV rendered in memory on every request."""

    def get_or_render(self, path: Path, spans: list) -> Path:
        from qa_pipeline.redact import render_redacted_wav

        data = render_redacted_wav(path, spans)
        out = Path(tempfile.gettempdir()) / "qa-bench-inmemory.wav"
        out.write_bytes(data)
        return out


def run(source: Path, hours: float, seeks: int, modes: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="qa-bench-playback-") as tmp:
        work = Path(tmp)
        rec = build_long_recording(source, hours, work / "long.flac")
        results = []
        for mode in modes:
            db = work / mode / "qa.duckdb"
            db.parent.mkdir()
            _setup_db(db, rec)
            code = (
                "import json, sys; from pathlib import Path; from qa_pipeline.review.playback_bench import measure; "
                f"print(json.dumps(measure({mode!r}, Path({str(db)!r}), Path({str(rec)!r}), {seeks})))"
            )
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        return results
