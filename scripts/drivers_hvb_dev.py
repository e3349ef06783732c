"""Agreement of contact-driver groups with Harper Valley task types (measuring part of hvb-dev).

    PYTHONPATH=$PWD .venv/bin/python scripts/drivers_hvb_dev.py [--part measure|all] [--turns 2] [--k K]
        [--vectors stored|text]

Embeds each call's first customer turns with the classifiers' MiniLM encoder, clusters with
``qa_pipeline.drivers.cluster`` and prints ARI, NMI and purity against the metadata task type.
``--vectors stored`` (the default) builds each call's vector as the product does from a database:
each turn embedded alone, int8-quantised as ``utterance_embeddings`` stores it, and the word-weighted
mean taken (``drivers_report.turns_vector``); ``text`` embeds the joined turns in one pass.
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from qa_pipeline import drivers, hvb_dev
from qa_pipeline.classify.encoder import get_encoder
from qa_pipeline.drivers_report import turns_vector
from qa_pipeline.store.embeddings import dequantise, quantise


def customer_turns(sid: str, n_turns: int) -> list[str]:
    return [t["text"] for t in hvb_dev.turns(sid) if t["speaker"] == "customer" and t["text"].strip()][:n_turns]


def stored_vectors(turns: list[list[str]]) -> np.ndarray:
    flat = [t for call in turns for t in call]
    codes, scales = quantise(get_encoder().encode(flat))
    unit = dequantise(codes, scales)
    out, k = [], 0
    for call in turns:
        out.append(turns_vector(call, list(unit[k : k + len(call)])))
        k += len(call)
    return np.stack(out)


def main() -> None:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["measure", "all"], default="measure")
    ap.add_argument("--turns", type=int, default=2)
    ap.add_argument("--k", type=int, default=None)
    ap.add_argument("--vectors", choices=["stored", "text"], default="stored")
    args = ap.parse_args()
    parts = hvb_dev.committed_split()
    sids = parts["measure"] if args.part == "measure" else parts["learn"] + parts["measure"]
    turns = [customer_turns(s, args.turns) for s in sids]
    texts = [" ".join(t) for t in turns]
    truth = [hvb_dev.task_type(s) for s in sids]
    vectors = stored_vectors(turns) if args.vectors == "stored" else get_encoder().encode(texts)
    labels = drivers.cluster(vectors, k=args.k)
    purity = sum(
        Counter(t for t, lab in zip(truth, labels, strict=True) if lab == g).most_common(1)[0][1] for g in set(labels)
    ) / len(sids)
    names = drivers.name_groups(texts, labels)
    print(f"vectors: {args.vectors}")
    print(f"calls {len(sids)}  task types {len(set(truth))}  groups {len(set(labels))}")
    print(
        f"ARI {adjusted_rand_score(truth, labels):.3f}  NMI {normalized_mutual_info_score(truth, labels):.3f}  purity {purity:.3f}"
    )
    for g in sorted({int(x) for x in labels}):
        members = Counter(t for t, lab in zip(truth, labels, strict=True) if lab == g)
        print(f"  group {g}: {sum(members.values())} calls  [{names[g]}]  task types {dict(members)}")


if __name__ == "__main__":
    main()
