"""``qa-pipeline bench signin``: a signed-in reviewer's page time while strangers hammer the sign-in form.

Starts the real server (``qa-pipeline serve``) on a fresh database, signs a reviewer in, times their
review-queue page alone and then while ``threads`` anonymous clients post wrong passwords as fast as they
can (each from its own forwarded address, so the throttle does not stop them and every attempt costs an
Argon2id verification).
"""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path


def _signin(session, base: str, user: str, password: str, headers: dict | None = None):
    tok = re.search(r'name="csrf" value="([^"]+)"', session.get(base + "/login").text).group(1)  # type: ignore[union-attr]
    return session.post(
        base + "/login",
        data={"csrf": tok, "username": user, "password": password},
        headers=headers or {},
        allow_redirects=False,
    )


def _page_times(session, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        assert session.get(url).status_code == 200
        out.append(time.perf_counter() - t)
    return out


def run(threads: int = 6, requests_n: int = 20) -> dict[str, float]:
    import requests

    from qa_pipeline.review import auth
    from qa_pipeline.review.launch import free_port, server_command, wait_until_healthy
    from qa_pipeline.store.db import connect

    with tempfile.TemporaryDirectory(prefix="qa-bench-signin-") as tmp:
        db = Path(tmp) / "qa.duckdb"
        with connect(db) as con:
            auth.add_user(con, "reviewer", "reviewer-password", "qa_specialist")
        port = free_port()
        proc = subprocess.Popen(
            server_command(db, port, "--forwarded-allow-ips", "127.0.0.1"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(proc, base)
            reviewer = requests.Session()
            assert _signin(reviewer, base, "reviewer", "reviewer-password").status_code == 303
            alone = _page_times(reviewer, base + "/queue", requests_n)
            stop = threading.Event()
            attempts = [0]

            def stranger(i: int) -> None:
                s = requests.Session()
                rng = random.Random(i)
                while not stop.is_set():
                    addr = f"10.{i}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                    _signin(s, base, "admin", "guess-" + str(rng.random()), {"x-forwarded-for": addr})
                    attempts[0] += 1

            workers = [threading.Thread(target=stranger, args=(i,), daemon=True) for i in range(threads)]
            for w in workers:
                w.start()
            time.sleep(1.0)
            t0, a0 = time.perf_counter(), attempts[0]
            loaded = _page_times(reviewer, base + "/queue", requests_n)
            rate = (attempts[0] - a0) / (time.perf_counter() - t0)
            stop.set()
            for w in workers:
                w.join(timeout=30)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return {
        "alone_median_s": statistics.median(alone),
        "loaded_median_s": statistics.median(loaded),
        "loaded_max_s": max(loaded),
        "attempts_per_s": rate,
    }
