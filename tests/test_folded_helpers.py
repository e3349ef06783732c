"""Helpers folded from duplicated code: ``Problem.manifest`` / ``Problem.discover`` and the ``serve`` launcher."""

from __future__ import annotations

import subprocess
import urllib.request

from qa_pipeline.ingest import Problem, discover
from qa_pipeline.review.launch import free_port, server_command, wait_until_healthy


def test_problem_constructors_name_stage_and_type(tmp_path):
    assert Problem.manifest(tmp_path / "m.csv", "bad row") == Problem(
        str(tmp_path / "m.csv"), "manifest", "InputError", "bad row"
    )
    assert Problem.discover("x.wav", "empty", "AudioDecodeError").stage == "discover"
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "manifest.csv").write_text("file,agent_id\nmissing.wav,a1\n", encoding="utf-8")
    found = discover(tmp_path, settle_s=0)
    assert sorted((p.stage, p.error_type) for p in found.problems) == [
        ("discover", "AudioDecodeError"),
        ("manifest", "InputError"),
    ]


def test_server_command_serves_the_workspace(tmp_path):
    port = free_port()
    cmd = server_command(tmp_path / "qa.duckdb", port)
    assert cmd[-4:] == ["--db", str(tmp_path / "qa.duckdb"), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(proc, f"http://127.0.0.1:{port}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
            assert r.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
