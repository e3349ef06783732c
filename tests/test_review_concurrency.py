"""The workspace keeps answering while another process writes, and no override is lost.

A real ``qa-pipeline serve`` and a second process re-scoring every call in
short transactions (the nightly run's pattern) share one DuckDB file; a
reviewer overrides verdicts through the web form meanwhile.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from review_fixture import SCORECARD_ID, build_review_db, csrf_of, score_of, sign_in, start_server, stop_server

from qa_pipeline.store.db import connect


def _stats(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"units": 0, "with_overrides": 0, "longest_s": 0.0, "calls": 0}


def _wait_units(path: Path, at_least: int, timeout_s: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        st = _stats(path)
        if st["units"] >= at_least:
            return st
        time.sleep(0.05)
    raise AssertionError(f"the writer did only {_stats(path)['units']} units in {timeout_s:.0f} s (wanted {at_least})")


def test_overrides_survive_a_concurrent_writer_and_the_server_keeps_answering(tmp_path):
    fx = build_review_db(tmp_path / "data", tmp_path / "clips")
    proc, base = start_server(fx.db)
    writer = None
    try:
        http = requests.Session()
        assert sign_in(http, base, "alice", fx.passwords["alice"][1]).url.endswith("/queue")
        csrf = csrf_of(http.get(base + "/queue", timeout=30).text)

        out = tmp_path / "hammer.json"
        stop = tmp_path / "stop"
        tests_dir = str(Path(__file__).parent)
        writer = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, {tests_dir!r}); from review_fixture import hammer; "
                f"hammer({str(fx.db)!r}, {str(stop)!r}, {str(out)!r})",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        _wait_units(out, 5)  # the writer is going

        # One override per call: flip a failed criterion to pass (or a pass to fail), via the real form.
        plan = []
        for c in fx.calls[:12]:
            cid = next((k for k, v in c.verdicts.items() if v == "fail"), "greeting")
            new = "pass" if c.verdicts[cid] == "fail" else "fail"
            plan.append((c, cid, new, score_of({**c.verdicts, cid: new})[0]))
        latencies = []
        statuses = []
        for c, cid, new, _ in plan:
            t0 = time.monotonic()
            r = http.post(
                f"{base}/calls/{c.call_id}/override",
                allow_redirects=False,
                timeout=60,
                data={
                    "csrf": csrf,
                    "scorecard_id": SCORECARD_ID,
                    "criterion_id": cid,
                    "verdict": new,
                    "reason": f"concurrency check on {cid}",
                },
            )
            latencies.append(time.monotonic() - t0)
            statuses.append(r.status_code)
            t0 = time.monotonic()
            q = http.get(base + "/queue", timeout=60)
            latencies.append(time.monotonic() - t0)
            statuses.append(q.status_code)
        # The reviewer keeps reading the queue until the writer has written at least 10 times since it
        # started: on a fast machine the 12 overrides alone can finish before that.
        deadline = time.monotonic() + 60
        while _stats(out)["units"] < 10 and time.monotonic() < deadline:
            t0 = time.monotonic()
            q = http.get(base + "/queue", timeout=60)
            latencies.append(time.monotonic() - t0)
            statuses.append(q.status_code)
        writer_still_running = writer.poll() is None
        during = _stats(out)
        # Let the writer re-score every call once more after the last override, then stop it.
        _wait_units(out, during["units"] + during["calls"] + 1)
        stop.touch()
        writer.wait(timeout=60)
        log = writer.stdout.read().decode(errors="replace")
        assert writer.returncode == 0, log
        stats = _stats(out)
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        stop_server(proc)

    assert writer_still_running, "the writer stopped while the reviewer worked: the test did not overlap"
    assert during["units"] >= 10, during  # the writer wrote many times while the reviewer worked
    assert all(s in (200, 303) for s in statuses), statuses
    assert max(latencies) < 10.0, f"slowest request {max(latencies):.2f} s"
    assert stats["with_overrides"] >= len(plan), stats  # …and re-scored every overridden call afterwards
    with connect(fx.db, read_only=True) as con:
        for c, cid, new, expected in plan:
            rows = con.execute(
                "SELECT original_verdict, new_verdict, username FROM overrides WHERE call_id = ? AND criterion_id = ?",
                [c.call_id, cid],
            ).fetchall()
            assert rows == [(c.verdicts[cid], new, "alice")], (c.call_id, cid, rows)
            auto, final = con.execute(
                "SELECT score, final_score FROM call_scores WHERE call_id = ? AND scorecard_id = ?",
                [c.call_id, SCORECARD_ID],
            ).fetchone()
            assert auto == pytest.approx(c.score, abs=1e-3)
            assert final == pytest.approx(expected, abs=1e-3), (c.call_id, cid, new)
            verdict = con.execute(
                "SELECT verdict FROM criterion_results WHERE call_id = ? AND criterion_id = ?", [c.call_id, cid]
            ).fetchone()[0]
            assert verdict == c.verdicts[cid]  # the automatic verdict is kept
    print(
        f"writer: {during['units']} transactions while the reviewer worked, {stats['units']} in all "
        f"(longest {stats['longest_s']:.3f} s); reviewer: {len(latencies)} requests, "
        f"median {sorted(latencies)[len(latencies) // 2]:.3f} s, slowest {max(latencies):.3f} s"
    )
