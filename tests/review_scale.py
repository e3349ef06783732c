"""Page timings of the review workspace on a bigger database (not a test; prints figures).

    .venv/bin/python tests/review_scale.py [--copies 200]

Builds the review fixture (24 calls), copies every call row ``copies`` times
(4,800 calls at 200), signs in through the real login form and times each
main page three times (median), through the real app in-process.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))

from review_fixture import build_review_db, csrf_of

TABLES = [
    "calls",
    "utterances",
    "utterance_labels",
    "call_metrics",
    "call_scores",
    "section_scores",
    "criterion_results",
    "flags",
    "redactions",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=200)
    args = ap.parse_args()
    from starlette.testclient import TestClient

    from qa_pipeline.review.app import ServerConfig, create_app

    with tempfile.TemporaryDirectory(prefix="review-scale-") as tmp:
        fx = build_review_db(Path(tmp))
        con = duckdb.connect(str(fx.db))
        for t in TABLES:
            cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall()]
            sel = []
            for c in cols:
                if c == "call_id":
                    sel.append("c.call_id || '-' || i")
                elif t == "calls" and c == "started_at":
                    sel.append("c.started_at + INTERVAL (i % 60) DAY")
                else:
                    sel.append(f"c.{c}")
            con.execute(f"INSERT INTO {t} SELECT {', '.join(sel)} FROM {t} c, range(1, ?) r(i)", [args.copies])
        counts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("calls", "criterion_results", "flags")
        }
        con.close()
        print(f"database: {counts}")
        c = TestClient(create_app(ServerConfig(fx.db)))
        tok = csrf_of(c.get("/login").text)
        c.post("/login", data={"csrf": tok, "username": "adam", "password": fx.passwords["adam"][1]})
        pages = [
            "/queue",
            "/queue?agent=A101&status=all",
            f"/calls/{fx.featured.call_id}",
            "/calibration",
            "/coach?since=2024-01-01",
            "/coach/agents/A101?since=2024-01-01",
            "/runs",
        ]
        for url in pages:
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                r = c.get(url)
                times.append(time.perf_counter() - t0)
            print(f"{url:42s} HTTP {r.status_code}  median {sorted(times)[1] * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
