"""Small, dependency-free classification metrics (numpy only)."""

from __future__ import annotations

import numpy as np


def confusion(truth: np.ndarray, pred: np.ndarray, n_classes: int) -> list[list[int]]:
    """``[truth][predicted]`` counts."""
    m = np.zeros((n_classes, n_classes), dtype=np.int64)
    for t, p in zip(np.asarray(truth), np.asarray(pred)):
        m[int(t), int(p)] += 1
    return m.tolist()


def macro_f1(truth: np.ndarray, pred: np.ndarray, n_classes: int) -> float:
    """Mean over classes of F1 (a class with no support and no prediction counts as 0)."""
    truth, pred = np.asarray(truth), np.asarray(pred)
    f1s = []
    for k in range(n_classes):
        tp = float(((pred == k) & (truth == k)).sum())
        fp = float(((pred == k) & (truth != k)).sum())
        fn = float(((pred != k) & (truth == k)).sum())
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s))


def binary_scores(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    truth, pred = np.asarray(truth, dtype=bool), np.asarray(pred, dtype=bool)
    tp = float((pred & truth).sum())
    fp = float((pred & ~truth).sum())
    fn = float((~pred & truth).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
