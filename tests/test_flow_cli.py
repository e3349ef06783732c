"""``qa-pipeline run`` as a supervisor's cron job sees it: exit status, failures and run history."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flow_audio import espeak_available, render_calls
from flow_inputs import add_unreadable

pytestmark = pytest.mark.skipif(not espeak_available(), reason="espeak-ng renders the test calls")

BIN = Path(sys.executable).parent / "qa-pipeline"


def _without_file_read_override() -> list[str]:
    """As root, chmod 000 does not stop reads; drop the capabilities that let root read anyway."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without util-linux setpriv: cannot make a file unreadable")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def _cli(*args: str, prefix: list[str] | None = None, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_API_URL="", PREFECT_LOGGING_LEVEL="WARNING")
    env.pop("PREFECT_API_URL")
    return subprocess.run([*(prefix or []), str(BIN), *args], capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.slow
def test_run_exit_status_says_partial_and_lists_the_failures(tmp_path: Path) -> None:
    calls = render_calls(tmp_path / "spoken", ["call_c"])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(calls["call_c"], inbox / "call_c.wav")
    name, _expected = add_unreadable(inbox, calls["call_c"])
    (inbox / "garbled.flac").write_bytes(b"fLaC" + bytes(range(256)) * 8)
    db = tmp_path / "qa.duckdb"

    run = _cli(
        "run",
        str(inbox),
        "--db",
        str(db),
        "--no-progress",
        "--settle",
        "0",
        prefix=_without_file_read_override(),
        home=tmp_path / "prefect",
    )
    assert run.returncode == 6, run.stdout + run.stderr  # 6 = partial
    assert "partial — 1 done, 0 skipped, 2 failed of 3 found" in run.stdout
    assert f"{name}: cannot read the file (Permission denied)" in run.stderr
    assert "garbled.flac: cannot decode audio" in run.stderr

    listed = _cli("failures", "--db", str(db), home=tmp_path / "prefect")
    assert listed.returncode == 0, listed.stderr
    assert "2 failure(s)" in listed.stdout
    assert "discover" in listed.stdout and "decode" in listed.stdout and name in listed.stdout

    history = _cli("runs", "--db", str(db), home=tmp_path / "prefect")
    assert history.returncode == 0, history.stderr
    assert " partial " in history.stdout

    # the next night, with the bad files gone, is clean: exit 0 and nothing redone
    (inbox / name).unlink()
    (inbox / "garbled.flac").unlink()
    again = _cli("run", str(inbox), "--db", str(db), "--no-progress", "--settle", "0", home=tmp_path / "prefect")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "ok — 0 done, 1 skipped, 0 failed of 1 found" in again.stdout
