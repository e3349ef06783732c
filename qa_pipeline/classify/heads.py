"""The learned heads: L2-regularised logistic regression on the frozen features.

Two linear heads share the encoder's features: a 3-class softmax for
sentiment and 14 independent sigmoids for the labels.  They are fitted
with full-batch L-BFGS (float32, at most 150 iterations), which is
deterministic: same data and thread count → same weights on one machine;
it takes seconds to a minute on 2 cores.  The sentiment head also reads
a few word-level features (``sentiment_lexicon.py``); its file holds the
word-piece polarity table they use.  Small
MLPs and an attention-pooling head over token states were tried and
generalised worse to outside data (see docs/classifiers.md).

Weights are stored as safetensors (no pickle) with the label order in the
file's metadata, so a file from another label set cannot be misread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_pipeline.errors import ModelNotAvailableError

logger = logging.getLogger("qa_pipeline.classify.heads")

HEADS_FILE = "heads.safetensors"


@dataclass(frozen=True)
class LinearHead:
    """``logits = x @ weight.T + bias``; ``weight`` is ``(outputs, features)``."""

    weight: np.ndarray
    bias: np.ndarray

    def logits(self, features: np.ndarray) -> np.ndarray:
        return features.astype(np.float32) @ self.weight.T + self.bias

    def softmax(self, features: np.ndarray) -> np.ndarray:
        z = self.logits(features)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def sigmoid(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.logits(features)))


@dataclass(frozen=True)
class Heads:
    sentiment: LinearHead
    labels: LinearHead
    sentiment_classes: tuple[str, ...]
    label_names: tuple[str, ...]
    feature_dim: int
    # word-level sentiment features appended to the sentiment head's input (see sentiment_lexicon.py):
    # how many, and the polarity of every encoder word piece they read
    sentiment_extra: int = 0
    token_scores: np.ndarray | None = None


def fit_softmax(
    x: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    *,
    c: float,
    sample_weight: np.ndarray | None = None,
    max_iter: int = 150,
) -> LinearHead:
    """Multinomial logistic regression, class-balanced, L2 strength ``1 / c``.

    The objective is scikit-learn's ``LogisticRegression(C=c,
    class_weight="balanced")``: sum of weighted log-losses + ||W||² / (2c).
    """
    import torch

    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.int64))
    counts = np.bincount(y, minlength=n_classes).astype(np.float32)
    class_w = np.where(counts > 0, len(y) / (n_classes * np.maximum(counts, 1)), 0.0)
    w = class_w[y] * (sample_weight if sample_weight is not None else 1.0)
    wt = torch.from_numpy(np.asarray(w, dtype=np.float32))
    weight = torch.zeros(n_classes, x.shape[1], dtype=torch.float32, requires_grad=True)
    bias = torch.zeros(n_classes, dtype=torch.float32, requires_grad=True)
    _lbfgs(
        [weight, bias],
        lambda: (
            (torch.nn.functional.cross_entropy(xt @ weight.T + bias, yt, reduction="none") * wt).sum()
            + (weight**2).sum() / (2 * c)
        ),
        max_iter,
    )
    return LinearHead(weight.detach().numpy().astype(np.float32), bias.detach().numpy().astype(np.float32))


def fit_sigmoids(
    x: np.ndarray,
    y: np.ndarray,
    *,
    c: float,
    max_iter: int = 150,
) -> LinearHead:
    """One-vs-rest logistic regressions (``y`` is ``(n, labels)`` of 0/1), each class-balanced."""
    import torch

    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    yt = torch.from_numpy(np.asarray(y, dtype=np.float32))
    pos = yt.sum(dim=0).clamp(min=1.0)
    neg = (yt.shape[0] - yt.sum(dim=0)).clamp(min=1.0)
    n = float(yt.shape[0])
    # balanced: each side of each label weighs n/2 in total
    w = yt * (n / (2 * pos)) + (1 - yt) * (n / (2 * neg))
    weight = torch.zeros(y.shape[1], x.shape[1], dtype=torch.float32, requires_grad=True)
    bias = torch.zeros(y.shape[1], dtype=torch.float32, requires_grad=True)
    _lbfgs(
        [weight, bias],
        lambda: (
            (torch.nn.functional.binary_cross_entropy_with_logits(xt @ weight.T + bias, yt, reduction="none") * w).sum()
            + (weight**2).sum() / (2 * c)
        ),
        max_iter,
    )
    return LinearHead(weight.detach().numpy().astype(np.float32), bias.detach().numpy().astype(np.float32))


def _lbfgs(params: list, objective, max_iter: int) -> None:
    import torch

    opt = torch.optim.LBFGS(
        params,
        lr=1.0,
        max_iter=max_iter,
        tolerance_grad=1e-7,
        tolerance_change=1e-10,
        history_size=20,
        line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad()
        loss = objective()
        loss.backward()
        return loss

    opt.step(closure)


def save_heads(heads: Heads, path: Path) -> None:
    from safetensors.numpy import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {
        "sentiment.weight": np.ascontiguousarray(heads.sentiment.weight, dtype=np.float32),
        "sentiment.bias": np.ascontiguousarray(heads.sentiment.bias, dtype=np.float32),
        "labels.weight": np.ascontiguousarray(heads.labels.weight, dtype=np.float32),
        "labels.bias": np.ascontiguousarray(heads.labels.bias, dtype=np.float32),
    }
    if heads.token_scores is not None:
        tensors["sentiment.token_scores"] = np.ascontiguousarray(heads.token_scores, dtype=np.float32)
    save_file(
        tensors,
        str(path),
        metadata={
            "sentiment_classes": json.dumps(list(heads.sentiment_classes)),
            "label_names": json.dumps(list(heads.label_names)),
            "feature_dim": str(heads.feature_dim),
            "sentiment_extra_features": str(heads.sentiment_extra),
        },
    )
    path.chmod(0o644)  # safetensors creates the file owner-only; the weights are not secret


def load_heads(path: Path, *, sentiment_classes: Sequence[str], label_names: Sequence[str], feature_dim: int) -> Heads:
    from safetensors import safe_open

    if not path.is_file():
        raise ModelNotAvailableError(f"classifier weights {path} are missing; run 'qa-pipeline train' to rebuild them")
    try:
        with safe_open(str(path), framework="numpy") as fh:
            meta = fh.metadata() or {}
            names = fh.keys()  # safe_open lists its tensors with keys(); it is not iterable itself
            tensors = {k: fh.get_tensor(k) for k in names}
    except Exception as exc:
        raise ModelNotAvailableError(f"cannot read classifier weights {path}: {exc}; run 'qa-pipeline train'") from exc
    try:
        file_classes = tuple(json.loads(meta["sentiment_classes"]))
        file_labels = tuple(json.loads(meta["label_names"]))
        file_dim = int(meta["feature_dim"])
        extra = int(meta.get("sentiment_extra_features", "0"))
        heads = Heads(
            sentiment=LinearHead(tensors["sentiment.weight"], tensors["sentiment.bias"]),
            labels=LinearHead(tensors["labels.weight"], tensors["labels.bias"]),
            sentiment_classes=file_classes,
            label_names=file_labels,
            feature_dim=file_dim,
            sentiment_extra=extra,
            token_scores=tensors.get("sentiment.token_scores"),
        )
    except (KeyError, ValueError) as exc:
        raise ModelNotAvailableError(
            f"classifier weights {path} lack {exc}; run 'qa-pipeline train' to rebuild them"
        ) from exc
    if file_classes != tuple(sentiment_classes) or file_labels != tuple(label_names) or file_dim != feature_dim:
        raise ModelNotAvailableError(
            f"classifier weights {path} were trained for classes {file_classes}, labels {file_labels}, {file_dim} features, "
            f"but this version expects {tuple(sentiment_classes)}, {tuple(label_names)}, {feature_dim}; run 'qa-pipeline train'"
        )
    shapes_ok = (
        heads.sentiment.weight.shape == (len(file_classes), file_dim + heads.sentiment_extra)
        and (heads.sentiment_extra == 0 or (heads.token_scores is not None and heads.token_scores.ndim == 1))
        and heads.labels.weight.shape == (len(file_labels), file_dim)
        and heads.sentiment.bias.shape == (len(file_classes),)
        and heads.labels.bias.shape == (len(file_labels),)
    )
    if not shapes_ok:
        raise ModelNotAvailableError(
            f"classifier weights {path} have unexpected tensor shapes; run 'qa-pipeline train'"
        )
    return heads
