"""Topics defined by example sentences, matched with the classifiers' sentence encoder.

A scorecard topic may list ``examples`` (sentences showing the behaviour) and
``counter_examples`` (sentences that look alike but are not it).  An utterance
matches when one of its word windows is close enough to an example:

* **windows**: the whole utterance plus every run of ``w`` consecutive words
  (step ``w // 2``), ``w`` = the median word count of the examples, clamped to
  4..16 — so a short behaviour inside a long turn is still found;
* **similarity** of a window: its highest cosine similarity to an example
  (the encoder's embeddings are L2-normalised); a window at least as close to a
  counter-example as to every example does not count;
* **utterance score**: the best counting window's similarity (0 for an utterance
  of fewer than 3 words: "okay", "yes please" show no behaviour);
* **threshold** (when the topic gives none): ``clamp(median_nn - 0.05, 0.45, 0.70)``
  where ``median_nn`` is the median, over examples, of each example's
  similarity to its nearest *other* example (one example alone: 0.55).  Examples
  that say the same thing in different words give a high median and a strict
  threshold; varied examples give a looser one.

No retraining and no extra model: the encoder is the frozen MiniLM the
classifier heads run on (:mod:`qa_pipeline.classify.encoder`).  A call's
windows are embedded once, the first time a card with an example topic asks,
and shared by every example topic of every scorecard scoring that call.
"""

from __future__ import annotations

import statistics
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

MIN_WINDOW = 4
MAX_WINDOW = 16
THRESHOLD_FLOOR = 0.45
THRESHOLD_CEIL = 0.70
THRESHOLD_MARGIN = 0.05
SINGLE_EXAMPLE_THRESHOLD = 0.55
MIN_UTTERANCE_WORDS = 3  # "okay", "yes please": too short to show a behaviour, never matched by meaning


def embed(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised sentence embeddings ``(n, 384)`` from the shared encoder (loaded once per process)."""
    from qa_pipeline.classify.encoder import sentence_embeddings

    return sentence_embeddings(texts)


def window_size(examples: Sequence[str]) -> int:
    words = [len(e.split()) for e in examples] or [MIN_WINDOW]
    return int(min(MAX_WINDOW, max(MIN_WINDOW, round(statistics.median(words)))))


def windows(text: str, size: int) -> list[str]:
    """The whole text, then every ``size``-word run with step ``size // 2`` (none when the text is that short)."""
    words = text.split()
    out = [" ".join(words)]
    if len(words) > size:
        step = max(1, size // 2)
        starts = list(range(0, len(words) - size + 1, step))
        if starts[-1] != len(words) - size:
            starts.append(len(words) - size)
        out.extend(" ".join(words[s : s + size]) for s in starts)
    return out


def derived_threshold(example_vectors: np.ndarray) -> float:
    """The documented rule (module docstring): median nearest-other-example similarity minus a margin, clamped."""
    n = len(example_vectors)
    if n < 2:
        return SINGLE_EXAMPLE_THRESHOLD
    sims = example_vectors @ example_vectors.T
    np.fill_diagonal(sims, -1.0)
    nn = float(np.median(sims.max(axis=1)))
    return round(min(THRESHOLD_CEIL, max(THRESHOLD_FLOOR, nn - THRESHOLD_MARGIN)), 4)


@dataclass
class ExampleTopic:
    """One example topic, its example embeddings computed on first use."""

    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()
    threshold_override: float | None = None
    window: int = field(init=False)
    _vectors: tuple[np.ndarray, np.ndarray] | None = field(default=None, init=False, repr=False)
    _threshold: float | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.window = window_size(self.examples)

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._vectors is None:
                vec = embed(list(self.examples) + list(self.counter_examples))
                self._vectors = (vec[: len(self.examples)], vec[len(self.examples) :])
                self._threshold = (
                    self.threshold_override
                    if self.threshold_override is not None
                    else derived_threshold(self._vectors[0])
                )
            return self._vectors

    @property
    def threshold(self) -> float:
        self.vectors()
        assert self._threshold is not None
        return self._threshold

    def score_windows(self, win_vectors: np.ndarray) -> np.ndarray:
        """Per window: its best example similarity, or 0 where a counter-example is at least as close."""
        ex, counter = self.vectors()
        if len(win_vectors) == 0:
            return np.zeros(0, dtype=np.float32)
        best = (win_vectors @ ex.T).max(axis=1)
        if len(counter):
            best = np.where((win_vectors @ counter.T).max(axis=1) >= best, 0.0, best)
        return best.astype(np.float32)


class CallWindows:
    """Every utterance's word windows of one call, embedded once per window size (lazily)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self._by_size: dict[int, tuple[list[str], np.ndarray, np.ndarray]] = {}

    def embedded(self, size: int) -> tuple[list[str], np.ndarray, np.ndarray]:
        """``(window texts, owner utterance position per window, embeddings)``."""
        hit = self._by_size.get(size)
        if hit is None:
            wins: list[str] = []
            owner: list[int] = []
            for pos, text in enumerate(self.texts):
                if len(text.split()) < MIN_UTTERANCE_WORDS:
                    continue
                for w in windows(text, size):
                    wins.append(w)
                    owner.append(pos)
            vec = embed(wins) if wins else np.zeros((0, 384), dtype=np.float32)
            hit = self._by_size[size] = (wins, np.asarray(owner, dtype=np.int64), vec)
        return hit

    def scores(self, topic: ExampleTopic) -> list[tuple[float, str]]:
        """Per utterance (position in ``texts``): its best window similarity and that window's text."""
        wins, owner, vec = self.embedded(topic.window)
        sims = topic.score_windows(vec)
        out: list[tuple[float, str]] = [(0.0, "")] * len(self.texts)
        for i, s in enumerate(sims):
            pos = int(owner[i])
            if s > out[pos][0]:
                out[pos] = (float(s), wins[i])
        return out
