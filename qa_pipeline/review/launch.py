"""Start ``qa-pipeline serve`` as a subprocess: the command line, a free port and the wait until it answers.

Used by ``bench signin`` and by the tests that drive the real server through a browser or a proxy.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

__all__ = ["free_port", "server_command", "wait_until_healthy"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_command(db: str | Path, port: int, *extra: str) -> list[str]:
    """The command line that serves the workspace on ``db`` at 127.0.0.1:``port`` with this interpreter
    (and so this checkout), ``extra`` options appended (``--forwarded-allow-ips``, …)."""
    return [
        sys.executable,
        "-c",
        "from qa_pipeline.cli import main; main()",
        "serve",
        "--db",
        str(db),
        "--port",
        str(port),
        *extra,
    ]


def wait_until_healthy(proc: subprocess.Popen, base: str, timeout_s: float = 30.0) -> None:
    """Return once ``base``/healthz answers 200; RuntimeError (with the server's output) if it exits first
    or does not answer within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
            raise RuntimeError(f"server exited with {proc.returncode}: {out}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"server did not answer on {base} within {timeout_s} s")
