#!/usr/bin/env python
"""Devtool: agreement of example-defined behaviours with the QA reviewer on the hvb-dev calls.

    PYTHONPATH=$PWD .venv/bin/python scripts/topics_by_example_hvb_dev.py [--card FILE] [--part learn|measure|all]

Scores each call of the fixed learning and measuring parts (qa_pipeline/hvb_dev.py) against the shipped card
docs/examples/scorecards/behaviours_by_example.yaml, whose topics are defined by example sentences only, and
compares each criterion's verdict with the reviewer's (read from ../shared at run time; nothing is written):

    confirms_details     <- reviewer's active_listening
    offers_further_help  <- reviewer's resolution_check
    announces_action     <- reviewer's commitment

Agreement = share of calls where pass/fail equals the reviewer's yes/no, over the calls the reviewer
judged yes or no (a reviewer n/a is left out and counted).  With --show-misses, the disagreeing calls'
best similarity per criterion (no call text).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qa_pipeline import hvb_dev
from qa_pipeline.conversation import Conversation, Utterance
from qa_pipeline.scorecard.engine import score_call
from qa_pipeline.scorecard.loader import load_scorecard

ROOT = Path(__file__).resolve().parent.parent
CARD = ROOT / "docs" / "examples" / "scorecards" / "behaviours_by_example.yaml"
REVIEWER = {
    "confirms_details": "active_listening",
    "offers_further_help": "resolution_check",
    "announces_action": "commitment",
}
VERDICT = {"yes": "pass", "no": "fail"}


def conversation(sid: str) -> Conversation:
    doc = hvb_dev.transcript_doc(sid)
    utts = tuple(
        Utterance(idx=i, speaker=t["speaker"], start_s=t["start_s"], end_s=t["end_s"], text=t["text"])
        for i, t in enumerate(doc["turns"])
    )
    return Conversation(call_id=sid, utterances=utts, duration_s=max((u.end_s for u in utts), default=0.0))


def measure(card_path: Path, sids: list[str], refs: dict[str, dict], show: bool) -> dict[str, tuple[int, int, int]]:
    card = load_scorecard(card_path)
    out: dict[str, list[int]] = {c: [0, 0, 0] for c in REVIEWER}
    for sid in sids:
        score = score_call(conversation(sid), [], None, card)
        for r in score.criteria:
            if r.criterion_id not in REVIEWER:
                continue
            want = VERDICT.get(refs[sid]["criteria"][REVIEWER[r.criterion_id]]["verdict"])
            if want is None:
                out[r.criterion_id][2] += 1
                continue
            out[r.criterion_id][1] += 1
            if r.verdict == want:
                out[r.criterion_id][0] += 1
            elif show:
                sims = [u.get("similarity", {}).get(r.criterion_id) for u in r.evidence.get("utterances", ())]
                best = max((s for s in sims if s is not None), default=None)
                print(f"   miss {sid} {r.criterion_id}: ours {r.verdict}, reviewer {want}, best similarity {best}")
    return {c: (v[0], v[1], v[2]) for c, v in out.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--card", type=Path, default=CARD)
    ap.add_argument("--part", choices=["learn", "measure", "all"], default="all")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    parts = hvb_dev.committed_split()
    refs = hvb_dev.references()
    names = ["learn", "measure"] if args.part == "all" else [args.part]
    worst = 1.0
    for name in names:
        print(f"== {name}: {len(parts[name])} calls, card {args.card.name}")
        for crit, (agree, n, na) in measure(args.card, parts[name], refs, args.show_misses).items():
            share = agree / n if n else float("nan")
            worst = min(worst, share)
            print(f"   {crit:<20} agreement {share:.2f} ({agree}/{n}; reviewer n/a {na}) vs {REVIEWER[crit]}")
    print(f"RESULT lowest agreement {worst:.2f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
