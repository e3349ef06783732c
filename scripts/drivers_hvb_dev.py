"""Agreement of contact-driver groups with Harper Valley task types (measuring part of hvb-dev).

    PYTHONPATH=$PWD .venv/bin/python scripts/drivers_hvb_dev.py [--part measure|all] [--turns 2] [--k K]

Embeds each call's first customer turns with the classifiers' MiniLM encoder, clusters with
``qa_pipeline.drivers.cluster`` and prints ARI, NMI and purity against the metadata task type.
"""

from __future__ import annotations

import argparse
from collections import Counter

from qa_pipeline import drivers, hvb_dev
from qa_pipeline.classify.encoder import get_encoder


def problem_statement(sid: str, n_turns: int) -> str:
    said = [t["text"] for t in hvb_dev.turns(sid) if t["speaker"] == "customer"]
    return " ".join(said[:n_turns])


def main() -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["measure", "all"], default="measure")
    ap.add_argument("--turns", type=int, default=2)
    ap.add_argument("--k", type=int, default=None)
    args = ap.parse_args()
    parts = hvb_dev.committed_split()
    sids = parts["measure"] if args.part == "measure" else parts["learn"] + parts["measure"]
    texts = [problem_statement(s, args.turns) for s in sids]
    truth = [hvb_dev.task_type(s) for s in sids]
    labels = drivers.cluster(get_encoder().encode(texts), k=args.k)
    purity = sum(
        Counter(t for t, lab in zip(truth, labels, strict=True) if lab == g).most_common(1)[0][1] for g in set(labels)
    ) / len(sids)
    names = drivers.name_groups(texts, labels)
    print(f"calls {len(sids)}  task types {len(set(truth))}  groups {len(set(labels))}")
    print(
        f"ARI {adjusted_rand_score(truth, labels):.3f}  NMI {normalized_mutual_info_score(truth, labels):.3f}  purity {purity:.3f}"
    )
    for g in sorted({int(x) for x in labels}):
        members = Counter(t for t, lab in zip(truth, labels, strict=True) if lab == g)
        print(f"  group {g}: {sum(members.values())} calls  [{names[g]}]  task types {dict(members)}")


if __name__ == "__main__":
    main()
