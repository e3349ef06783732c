"""Prefect's temporary API server: a run killed with kill -9 leaves it behind and the next run stops it;
runs give it time to start.

Real processes: two stand-in runs each start Prefect's own temporary server
(``SubprocessASGIServer``, what a flow run without PREFECT_API_URL uses); one is
then killed with SIGKILL alone, so its server is re-parented, exactly as after
``kill -9`` of ``qa-pipeline run``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from flows.ephemeral import orphaned_servers, reap_orphaned_servers

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process re-parenting as on Linux")

STAND_IN_RUN = """
import sys
from prefect.server.api.server import SubprocessASGIServer
server = SubprocessASGIServer()
server.start()
print(server.server_process.pid, flush=True)
sys.stdin.read()  # a run in progress, until its stdin closes
"""


def _start_run(home: Path) -> tuple[subprocess.Popen, int]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"  # a fresh home migrates its database first
    proc = subprocess.Popen(
        [sys.executable, "-c", STAND_IN_RUN], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    line = proc.stdout.readline()  # type: ignore[union-attr]
    assert line.strip().isdigit(), f"stand-in run did not start its server: {line!r}"
    return proc, int(line)


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.slow
@linux_only
def test_next_run_stops_the_server_of_a_killed_run_and_spares_a_live_one(tmp_path: Path) -> None:
    live, live_server = _start_run(tmp_path / "prefect")
    killed, killed_server = _start_run(tmp_path / "prefect")
    try:
        os.kill(killed.pid, signal.SIGKILL)  # the run only, as kill -9 <pid> does
        killed.wait(timeout=10)
        deadline = time.monotonic() + 10
        while psutil.Process(killed_server).ppid() == killed.pid and time.monotonic() < deadline:
            time.sleep(0.1)
        assert psutil.Process(killed_server).is_running()  # left behind, still holding its port

        orphans = {p.pid for p in orphaned_servers()}
        assert killed_server in orphans
        assert live_server not in orphans

        assert killed_server in reap_orphaned_servers()
        assert _gone(killed_server)
        assert not _gone(live_server)
        assert killed_server not in {p.pid for p in orphaned_servers()}
    finally:
        live.stdin.close()  # type: ignore[union-attr]
        live.wait(timeout=30)
        for pid in (killed_server, live_server):
            if not _gone(pid):
                psutil.Process(pid).kill()
    assert _gone(live_server)  # stopped by its own run at exit, as usual


def test_temporary_server_gets_time_to_start_unless_the_user_set_it() -> None:
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS as TIMEOUT
    from prefect.settings import temporary_settings

    from flows.ephemeral import STARTUP_TIMEOUT_S, temporary_server_settings

    assert TIMEOUT.value() < STARTUP_TIMEOUT_S  # Prefect's own default (20 s)
    with temporary_server_settings():
        assert TIMEOUT.value() == STARTUP_TIMEOUT_S
    with temporary_settings(updates={TIMEOUT: 7}), temporary_server_settings():
        assert TIMEOUT.value() == 7
