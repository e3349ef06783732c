#!/usr/bin/env python
"""Devtool: measure verdict agreement on the hvb-dev calls (read from ../shared at run time).

    .venv/bin/python scripts/hvb_dev.py [--part learn|measure|all] [--keep DIR] [--record]

Writes each part's calls as ``<sid>.transcript.json`` and the reviewer's verdicts
as a ``bench agreement`` reference into a temporary folder (never into the
repository), scores them with ``qa-pipeline run`` against the measuring copy of
the scorecards (the bundled cards plus the bank queue's policy,
``hvb_dev.write_scorecards``) and prints ``qa-pipeline bench agreement`` for each
part.  ``--record`` (both parts) writes the figures, no call text, to
``models/classifier/hvb_dev_agreement.json`` and refreshes the model card's
agreement section.  See docs/classifiers.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from qa_pipeline import hvb_dev
from qa_pipeline.classify.config import classifier_dir
from qa_pipeline.classify.train import refresh_model_card_agreement


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["learn", "measure", "all"], default="all")
    ap.add_argument("--keep", type=Path, help="write here (kept) instead of a temporary folder")
    ap.add_argument("--convert-only", action="store_true", help="write transcripts and references, score nothing")
    ap.add_argument("--record", action="store_true", help="write the figures into models/classifier and the model card")
    args = ap.parse_args()
    if args.record and (args.part != "all" or args.convert_only):
        ap.error("--record needs both parts scored (no --part, no --convert-only)")
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
        cards = hvb_dev.write_scorecards(root / "scorecards")
        env = {**os.environ, "QA_PIPELINE_SCORECARDS": str(cards)}
        reports: dict[str, dict] = {}
        for name in names:
            calls = root / name / "calls"
            hvb_dev.write_transcripts(calls, parts[name])
            ref = hvb_dev.write_reference(root / name / "reference.jsonl", parts[name])
            db = root / name / "qa.duckdb"
            print(f"== {name}: {len(parts[name])} calls -> {calls}", flush=True)
            if args.convert_only:
                continue
            subprocess.run([str(exe), "run", str(calls), "--db", str(db), "--settle", "0"], check=False, env=env)
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
                env=env,
            )
            reports[name] = json.loads((root / name / "agreement.json").read_text(encoding="utf-8"))
        if args.record:
            out = classifier_dir() / "hvb_dev_agreement.json"
            doc = hvb_dev.agreement_record(reports, "PYTHONPATH=$PWD .venv/bin/python scripts/hvb_dev.py --record")
            out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
            print(f"recorded {out}; model card: {refresh_model_card_agreement()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
