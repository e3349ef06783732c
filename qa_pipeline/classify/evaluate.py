"""``qa-pipeline bench classify``: generalisation to outside data, and speed.

* 3-class macro-F1 on ``sentiment/airline_tweets_dev.csv``;
* binary accuracy on ``sentiment/sst2_dev.tsv`` (positive vs negative: the
  higher of the two probabilities, neutral ignored);
* recall of prohibited_language on the ``hate`` and ``offensive`` rows of
  ``compliance/offensive_tweets_dev.csv`` (and, for information, the share of
  ``neither`` rows flagged);
* false-positive rate of prohibited_language on ``models/eval/agent_lines_clean.txt``
  (ordinary agent lines written for this project, never trained on);
* utterances per second of the whole ``classify`` path on 2 threads, by the
  wall clock and from the process's CPU time (the second is what 2 cores of
  its own would give on a machine shared with other work).

None of this data is used for training.
"""

from __future__ import annotations

import csv
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_pipeline.classify.classifier import Classifier
from qa_pipeline.classify.metrics import confusion, macro_f1
from qa_pipeline.classify.result import SENTIMENTS
from qa_pipeline.errors import InputError
from qa_pipeline.paths import models_dir, shared_data_dir

logger = logging.getLogger("qa_pipeline.classify.evaluate")

AIRLINE = Path("sentiment/airline_tweets_dev.csv")
SST2 = Path("sentiment/sst2_dev.tsv")
OFFENSIVE = Path("compliance/offensive_tweets_dev.csv")


def clean_agent_lines_path() -> Path:
    return models_dir() / "eval" / "agent_lines_clean.txt"


@dataclass(frozen=True)
class BenchReport:
    version: str
    precision: str
    threads: int
    airline_macro_f1: float
    airline_f1_by_class: dict[str, float]
    airline_confusion: list[list[int]]
    airline_n: int
    sst2_accuracy: float
    sst2_n: int
    offensive_recall: float
    offensive_recall_hate: float
    offensive_recall_offensive: float
    offensive_neither_flagged: float
    offensive_n: int
    clean_fpr: float
    clean_n: int
    clean_flagged: tuple[str, ...]
    utterances_per_s: float
    cpu_utterances_per_s: float
    throughput_n: int
    mean_chars: float
    throughput_runs: int = 1
    utterances_per_s_low: float = 0.0
    utterances_per_s_high: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    extra: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            f"classifier {self.version} ({self.precision}, {self.threads} threads)",
            f"airline tweets   3-class macro-F1  {self.airline_macro_f1:.3f}  (n={self.airline_n}; "
            + ", ".join(f"{k} {v:.3f}" for k, v in self.airline_f1_by_class.items())
            + ")   aim >= 0.75",
            f"SST-2 dev        binary accuracy   {self.sst2_accuracy:.3f}  (n={self.sst2_n})   aim >= 0.85",
            f"offensive tweets prohibited recall {self.offensive_recall:.3f}  (n={self.offensive_n}; hate {self.offensive_recall_hate:.3f}, "
            f"offensive {self.offensive_recall_offensive:.3f}; 'neither' rows flagged {self.offensive_neither_flagged:.3f})   aim >= 0.90",
            f"clean agent lines prohibited FPR   {self.clean_fpr:.3%}  ({len(self.clean_flagged)}/{self.clean_n})   aim <= 2%",
            f"throughput       {self.utterances_per_s:.0f} utterances/s wall-clock  (n={self.throughput_n}, mean {self.mean_chars:.0f} chars; "
            f"{self.cpu_utterances_per_s:.0f}/s from CPU time, i.e. with {self.threads} cores to itself)   aim >= 200",
            f"                 median of {self.throughput_runs} pass(es), range {self.utterances_per_s_low:.0f}–"
            f"{self.utterances_per_s_high:.0f}/s; load average {self.load_before[0]:.2f} before, {self.load_after[0]:.2f} after "
            "(1 min)",
        ]


def _require(path: Path) -> Path:
    if not path.is_file():
        raise InputError(
            f"measuring file {path} not found; the outside data lives in ../shared/data beside the checkout "
            "(or set QA_PIPELINE_SHARED to the folder holding data/)",
            path=str(path),
            stage="bench",
        )
    return path


def read_airline(root: Path) -> tuple[list[str], np.ndarray]:
    with _require(root / AIRLINE).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], np.asarray([SENTIMENTS.index(r["label"]) for r in rows])


def read_sst2(root: Path) -> tuple[list[str], np.ndarray]:
    with _require(root / SST2).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["sentence"] for r in rows], np.asarray([int(r["label"]) for r in rows])


def read_offensive(root: Path) -> tuple[list[str], list[str]]:
    with _require(root / OFFENSIVE).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["label"] for r in rows]


def read_lines(path: Path) -> list[str]:
    lines = [line.strip() for line in _require(path).read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def bench_classify(classifier: Classifier, shared: Path | None = None, *, min_seconds: float = 0.0) -> BenchReport:
    """Accuracy on the outside sets and speed: the airline set classified until ``min_seconds`` have run (median pass)."""
    from qa_pipeline.benchtime import load_average, repeat_timed

    root = shared or shared_data_dir()
    air_texts, air_y = read_airline(root)
    sst_texts, sst_y = read_sst2(root)
    off_texts, off_y = read_offensive(root)
    clean = read_lines(clean_agent_lines_path())

    classifier.classify(air_texts[:64])  # warm-up: first batches pay for lazy initialisation
    load_before = load_average()
    cpu_started = time.process_time()
    timed = repeat_timed(lambda: classifier.classify(air_texts), min_seconds=min_seconds)
    cpu = (time.process_time() - cpu_started) / len(timed.seconds)
    air = timed.result
    rate = timed.rate(len(air_texts))
    air_pred = np.asarray([SENTIMENTS.index(r.sentiment) for r in air])
    per_class: dict[str, float] = {}
    for k, name in enumerate(SENTIMENTS):
        tp = float(((air_pred == k) & (air_y == k)).sum())
        fp = float(((air_pred == k) & (air_y != k)).sum())
        fn = float(((air_pred != k) & (air_y == k)).sum())
        per_class[name] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    explained = classifier.explain(sst_texts)
    sst_pred = np.asarray([int(e.sentiment_probs["positive"] > e.sentiment_probs["negative"]) for e in explained])

    off = classifier.classify(off_texts)
    flagged = np.asarray(["prohibited_language" in r.detected for r in off])
    labels = np.asarray(off_y)
    abusive = np.isin(labels, ["hate", "offensive"])

    def share(mask: np.ndarray) -> float:
        return float(flagged[mask].mean()) if mask.any() else 0.0

    clean_res = classifier.classify(clean)
    clean_flagged = tuple(t for t, r in zip(clean, clean_res) if "prohibited_language" in r.detected)

    return BenchReport(
        version=classifier.version,
        precision=classifier.encoder.precision,
        threads=_threads(),
        airline_macro_f1=macro_f1(air_y, air_pred, len(SENTIMENTS)),
        airline_f1_by_class=per_class,
        airline_confusion=confusion(air_y, air_pred, len(SENTIMENTS)),
        airline_n=len(air_texts),
        sst2_accuracy=float((sst_pred == sst_y).mean()),
        sst2_n=len(sst_texts),
        offensive_recall=share(abusive),
        offensive_recall_hate=share(labels == "hate"),
        offensive_recall_offensive=share(labels == "offensive"),
        offensive_neither_flagged=share(labels == "neither"),
        offensive_n=int(abusive.sum()),
        clean_fpr=len(clean_flagged) / len(clean) if clean else 0.0,
        clean_n=len(clean),
        clean_flagged=clean_flagged,
        utterances_per_s=rate.median,
        throughput_runs=rate.n,
        utterances_per_s_low=rate.low,
        utterances_per_s_high=rate.high,
        load_before=load_before,
        load_after=load_average(),
        cpu_utterances_per_s=len(air_texts) / (cpu / _threads()) if cpu > 0 else 0.0,
        throughput_n=len(air_texts),
        mean_chars=float(np.mean([len(t) for t in air_texts])),
    )


def _threads() -> int:
    try:
        import torch

        return int(torch.get_num_threads())
    except ImportError:  # pragma: no cover - torch is a dependency
        return os.cpu_count() or 1


CEILING_C = (0.1, 0.3, 1.0, 3.0)
CURVE_SHARES = (0.125, 0.25, 0.5, 1.0)
CURVE_SEEDS = 3


@dataclass(frozen=True)
class CeilingReport:
    """Cross-validated figures of the sentiment head refitted on the measuring files themselves.

    A diagnostic of the frozen features, not of the shipped model: how far the
    same encoder layers, word-level features and logistic regression get when
    the training data *is* from the outside domain.  Nothing is saved.
    ``curve`` (optional) gives, at each file's best C, the figure when only a
    share of every training fold is used: ``(training rows per fold, figure)``.
    """

    folds: int
    airline: dict[float, float]
    sst2: dict[float, float]
    airline_n: int
    sst2_n: int
    curve: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        def row(scores: dict[float, float]) -> str:
            return "  ".join(f"C={c:g} {v:.3f}" for c, v in scores.items())

        out = [
            f"ceiling: the sentiment head's features, refitted on each measuring file itself ({self.folds}-fold CV; "
            "diagnostic only, nothing is saved)",
            f"airline tweets   3-class macro-F1  {row(self.airline)}  (n={self.airline_n})",
            f"SST-2 dev        binary accuracy   {row(self.sst2)}  (n={self.sst2_n})",
        ]
        for name, points in self.curve.items():
            out.append(
                f"learning curve   {name:<16} "
                + "  ".join(f"{n} rows {v:.3f}" for n, v in points)
                + f"  (best C, mean of {CURVE_SEEDS} seeds)"
            )
        return out


def _subsample_size(rows: int, share: float) -> int:
    """Training rows kept from ``rows`` at ``share`` (at least 2)."""
    return rows if share >= 1.0 else max(2, int(rows * share))


def _cross_validated(
    x: np.ndarray, y: np.ndarray, n_classes: int, c: float, folds: int, seed: int, share: float = 1.0
) -> np.ndarray:
    from qa_pipeline.classify.heads import fit_softmax

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    pred = np.zeros(len(y), dtype=np.int64)
    for fold in np.array_split(order, folds):
        train = np.setdiff1d(order, fold)
        if share < 1.0:
            train = rng.choice(train, _subsample_size(len(train), share), replace=False)
        pred[fold] = fit_softmax(x[train], y[train], n_classes, c=c).softmax(x[fold]).argmax(axis=1)
    return pred


def bench_ceiling(
    classifier: Classifier, shared: Path | None = None, *, folds: int = 5, seed: int = 13, curve: bool = False
) -> CeilingReport:
    """``folds``-fold cross-validated sentiment figures with in-domain training data (see :class:`CeilingReport`)."""
    if folds < 2:
        raise InputError(f"--folds must be at least 2 for cross-validation, got {folds}", stage="bench")
    root = shared or shared_data_dir()
    air_texts, air_y = read_airline(root)
    sst_texts, sst_y = read_sst2(root)
    if min(len(air_y), len(sst_y)) < folds:
        raise InputError(
            f"the measuring files need at least {folds} rows each for {folds}-fold cross-validation", stage="bench"
        )
    sets = {
        "airline tweets": (classifier.sentiment_features(air_texts), air_y, len(SENTIMENTS)),
        "SST-2 dev": (classifier.sentiment_features(sst_texts), sst_y, 2),
    }

    def figure(name: str, c: float, seed_: int, share: float = 1.0) -> float:
        x, y, k = sets[name]
        pred = _cross_validated(x, y, k, c, folds, seed_, share)
        return macro_f1(y, pred, k) if k > 2 else float((pred == y).mean())

    by_c = {name: {c: figure(name, c, seed) for c in CEILING_C} for name in sets}
    points: dict[str, list[tuple[int, float]]] = {}
    if curve:
        for name, scores in by_c.items():
            best = max(scores, key=lambda c: scores[c])
            rows = len(sets[name][1]) * (folds - 1) // folds
            points[name] = [
                (
                    _subsample_size(rows, share),
                    float(np.mean([figure(name, best, seed + k, share) for k in range(CURVE_SEEDS)])),
                )
                for share in CURVE_SHARES
            ]
    return CeilingReport(
        folds=folds,
        airline=by_c["airline tweets"],
        sst2=by_c["SST-2 dev"],
        airline_n=len(air_y),
        sst2_n=len(sst_y),
        curve=points,
    )
