"""Speaker embeddings for the mono fallback: the GE2E voice encoder of ``resemblyzer``.

``resemblyzer`` (Apache-2.0) ships its trained weights (``pretrained.pt``,
17 MB, a 3-layer LSTM over 40 mel bands at 16 kHz) inside its wheel, so it
loads with networking off; the wheel is pinned by version and sha256 in
``requirements/models.txt``.  Trained on wide-band speech, it still separates
the two parties of 8 kHz phone calls better than the hand-made MFCC + pitch
features (``docs/diarization.md``: cluster purity and attribution on the real
dev calls).  Each speech piece gets one L2-normalised 256-dim vector.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence

import numpy as np

from qa_pipeline.asr.base import SAMPLE_RATE
from qa_pipeline.audio import Samples

# Calls at once share one encoder: loading is done once under this lock (lru_cache alone lets two
# first callers load it twice), and embedding holds it too (resemblyzer makes no thread-safety promise).
_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _load_encoder() -> object:
    from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)


def _encoder() -> object:
    with _LOCK:
        return _load_encoder()


def ge2e_embeddings(audio: Samples, spans: Sequence[tuple[float, float]]) -> np.ndarray:
    """One GE2E embedding per ``(start_s, end_s)`` piece of ``audio`` (16 kHz float32): shape ``(len(spans), 256)``."""
    enc = _encoder()
    rows = []
    for s, e in spans:
        piece = np.ascontiguousarray(
            audio[int(s * SAMPLE_RATE) : max(int(e * SAMPLE_RATE), int(s * SAMPLE_RATE) + 160)], dtype=np.float32
        )
        with _LOCK:
            rows.append(enc.embed_utterance(piece))  # type: ignore[attr-defined]
    return np.vstack(rows) if rows else np.zeros((0, 256), dtype=np.float32)
