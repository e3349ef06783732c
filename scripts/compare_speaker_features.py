#!/usr/bin/env python3
"""Compare voice features for the mono fallback: today's MFCC+pitch against a speaker-embedding model.

For every call of a ``bench attribution`` folder (see
``scripts/make_attribution_refs.py``) the recording is mixed down to mono,
cut into the diarizer's speech pieces (Silero VAD, ≤ 3 s), and each piece is
described by (a) :func:`qa_pipeline.diarize.piece_features` (MFCC mean/spread +
pitch) and (b) the GE2E encoder of ``resemblyzer`` (if importable).  Both are
clustered into two voices with the same k-means; printed per call: purity of
the clusters against the reference turns (share of piece-seconds in the
cluster's majority party, best of the two labellings), silhouette, and CPU
seconds of the feature step.  Usage::

    python scripts/compare_speaker_features.py DIR
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from qa_pipeline.attribution_eval import find_reference_calls
from qa_pipeline.audio import decode
from qa_pipeline.diarize import (
    DiarizeOptions,
    feature_matrix,
    frame_features,
    piece_features,
    speech_pieces,
    speech_regions,
    two_voices,
)


def truth(turns, s, e):
    votes = {}
    for t in turns:
        ov = min(e, t.end) - max(s, t.start)
        if ov > 0:
            votes[t.speaker] = votes.get(t.speaker, 0) + ov
    return max(votes, key=votes.get) if votes else None


def purity(labels, truths, weights):
    ok = [i for i, t in enumerate(truths) if t is not None]
    best = 0.0
    for agent_label in (0, 1):
        right = sum(weights[i] for i in ok if (labels[i] == agent_label) == (truths[i] == "agent"))
        best = max(best, right / sum(weights[i] for i in ok))
    return best


def main(folder: str) -> None:
    opts = DiarizeOptions()
    try:
        from resemblyzer import VoiceEncoder

        enc = VoiceEncoder("cpu", verbose=False)
    except ImportError:
        enc = None
    tot = {"mfcc": [0.0, 0.0, 0.0], "ge2e": [0.0, 0.0, 0.0]}
    for call in find_reference_calls(Path(folder)):
        mono = decode(call.audio).mono()
        spans = speech_pieces(speech_regions(mono, opts), opts)
        truths = [truth(call.turns, s, e) for s, e in spans]
        w = np.array([e - s for s, e in spans])
        t0 = time.process_time()
        mf, f0 = piece_features(frame_features(mono, opts), spans)
        x = feature_matrix(mf, f0, opts)
        t_m = time.process_time() - t0
        lab, _, sil = two_voices(x, w)
        p_m = purity(lab, truths, w)
        line = f"{call.name:28s} pieces {len(spans):4d}  mfcc purity {p_m:.3f} sil {sil or 0:.2f} cpu {t_m:5.1f}s"
        tot["mfcc"][0] += p_m * w.sum()
        tot["mfcc"][1] += w.sum()
        tot["mfcc"][2] += t_m
        if enc is not None:
            t0 = time.process_time()
            emb = np.vstack([enc.embed_utterance(mono[int(s * 16000) : int(e * 16000)]) for s, e in spans])
            t_g = time.process_time() - t0
            lab, _, sil = two_voices(emb, w)
            p_g = purity(lab, truths, w)
            line += f"  ge2e purity {p_g:.3f} sil {sil or 0:.2f} cpu {t_g:5.1f}s"
            tot["ge2e"][0] += p_g * w.sum()
            tot["ge2e"][1] += w.sum()
            tot["ge2e"][2] += t_g
        print(line, flush=True)
    for k, (pw, ws, cpu) in tot.items():
        if ws:
            print(f"all {k}: purity {pw / ws:.3f} (speech-weighted), feature CPU {cpu:.1f}s")


if __name__ == "__main__":
    main(sys.argv[1])
