#!/usr/bin/env python
"""Devtool: measure verdict agreement on the hvb-dev calls (read from ../shared at run time).

    .venv/bin/python scripts/hvb_dev.py [--part learn|measure|all] [--keep DIR]

Writes each part's calls as ``<sid>.transcript.json`` and the reviewer's verdicts
as a ``bench agreement`` reference into a temporary folder (never into the
repository), scores them with ``qa-pipeline run`` and prints
``qa-pipeline bench agreement`` for each part.  See docs/classifiers.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from qa_pipeline import hvb_dev


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["learn", "measure", "all"], default="all")
    ap.add_argument("--keep", type=Path, help="write here (kept) instead of a temporary folder")
    ap.add_argument("--convert-only", action="store_true", help="write transcripts and references, score nothing")
    args = ap.parse_args()
    parts = hvb_dev.committed_split()
    if hvb_dev.split() != parts:
        print(
            "warning: models/training/hvb_dev_split.yaml differs from the split rule applied to ../shared",
            file=sys.stderr,
        )
    names = ["learn", "measure"] if args.part == "all" else [args.part]
    with tempfile.TemporaryDirectory(prefix="hvb-dev-") as tmp:
        root = args.keep or Path(tmp)
        exe = Path(sys.executable).with_name("qa-pipeline")
        for name in names:
            calls = root / name / "calls"
            hvb_dev.write_transcripts(calls, parts[name])
            ref = hvb_dev.write_reference(root / name / "reference.jsonl", parts[name])
            db = root / name / "qa.duckdb"
            print(f"== {name}: {len(parts[name])} calls -> {calls}", flush=True)
            if args.convert_only:
                continue
            subprocess.run([str(exe), "run", str(calls), "--db", str(db), "--settle", "0"], check=False)
            subprocess.run(
                [
                    str(exe),
                    "bench",
                    "agreement",
                    "--db",
                    str(db),
                    "--reference",
                    str(ref),
                    "--json",
                    str(root / name / "agreement.json"),
                ],
                check=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
