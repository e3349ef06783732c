"""``qa-pipeline schedule`` against a real ``prefect server start``: register the cron, trigger a run, check the DuckDB."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import httpx
import pytest
from flow_audio import espeak_available, render_calls

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not espeak_available(), reason="espeak-ng renders the test calls")]

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _wait(what: str, check, timeout_s: float, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = check()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what}: process ended with {proc.returncode}:\n{log.read_text() if log else ''}")
        time.sleep(1.0)
    raise AssertionError(
        f"timed out after {timeout_s:.0f} s waiting for {what}:\n{log.read_text()[-3000:] if log else ''}"
    )


def test_schedule_serves_the_nightly_flow_on_a_real_prefect_server(tmp_path: Path) -> None:
    calls = render_calls(tmp_path / "spoken", ["call_a"])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(calls["call_a"], inbox / "call_a.wav")
    db = tmp_path / "qa.duckdb"
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = dict(
        os.environ,
        PREFECT_HOME=str(tmp_path / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",
        PREFECT_API_URL=api,
        PREFECT_LOGGING_LEVEL="INFO",
    )
    server_log, serve_log = tmp_path / "server.log", tmp_path / "serve.log"
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=server_log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    serve = None
    try:
        _wait(
            "the Prefect server",
            lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200,
            180,
            server,
            server_log,
        )
        serve = subprocess.Popen(
            [
                str(BIN / "qa-pipeline"),
                "schedule",
                "--cron",
                "0 2 * * *",
                "--input",
                str(inbox),
                "--db",
                str(db),
                "--name",
                "test-nightly",
                "--timezone",
                "UTC",
            ],
            stdout=serve_log.open("w"),
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            cwd=tmp_path,
        )
        deployment = _wait(
            "the deployment",
            lambda: (
                (r := httpx.get(f"{api}/deployments/name/qa-nightly/test-nightly", timeout=5)).status_code == 200
                and r.json()
            ),
            120,
            serve,
            serve_log,
        )
        assert [s["schedule"]["cron"] for s in deployment["schedules"]] == ["0 2 * * *"]
        assert deployment["parameters"]["db"] == str(db)
        assert deployment["entrypoint"] == "flows.nightly.nightly_flow"

        # the server's scheduler puts the coming nights on the calendar at 02:00
        def scheduled() -> list[dict]:
            body = {
                "deployments": {"id": {"any_": [deployment["id"]]}},
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                "limit": 5,
            }
            return httpx.post(f"{api}/flow_runs/filter", json=body, timeout=5).json()

        upcoming = _wait("scheduled runs", scheduled, 60, serve, serve_log)
        for run in upcoming:
            start = datetime.fromisoformat(run["expected_start_time"].replace("Z", "+00:00"))
            assert (start.hour, start.minute) == (2, 0)

        # trigger one now through the server, as an operator would
        triggered = subprocess.run(
            [str(BIN / "prefect"), "deployment", "run", "qa-nightly/test-nightly"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert triggered.returncode == 0, triggered.stdout + triggered.stderr
        run_id = next(line.split()[-1] for line in triggered.stdout.splitlines() if "UUID" in line)

        def finished() -> dict | None:
            state = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5).json()
            return state if state["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        final = _wait("the flow run", finished, 420, serve, serve_log)
        assert final["state_type"] == "COMPLETED", (final["state"], serve_log.read_text()[-3000:])
    finally:
        if serve is not None:
            _stop(serve, signal.SIGINT)
        _stop(server)

    con = duckdb.connect(str(db), read_only=True)
    try:
        runs = con.execute("SELECT status, calls_done, flow_run_id FROM runs").fetchall()
        calls = con.execute("SELECT status FROM calls").fetchall()
        labels = con.execute("SELECT count(*) FROM utterance_labels").fetchone()[0]
    finally:
        con.close()
    assert runs == [("ok", 1, run_id)]
    assert calls == [("complete",)] and labels > 0
