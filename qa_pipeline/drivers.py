"""Contact drivers: cluster customers' problem statements and name each group by its typical phrases.

Pure library (no database, no encoder load): callers embed the customer's first turns with
``qa_pipeline.classify.encoder.get_encoder().encode`` and pass the vectors here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa_pipeline.errors import ConfigError


@dataclass(frozen=True)
class DriverGroup:
    group: int
    size: int
    name: str
    new: bool


CHOOSE_K_SAMPLE = 1000  # k is chosen on at most this many statements (all of them when fewer)
LARGE = 10_000  # above this many statements the final fit tries 3 starts instead of 10


def choose_k(vectors: np.ndarray, k_min: int = 2, k_max: int = 12, seed: int = 0) -> int:
    """The k in [k_min, k_max] (bounded by the number of distinct calls - 1) with the best silhouette score.

    Silhouette is quadratic and each candidate k is a KMeans fit, so both run on a random sample of at
    most :data:`CHOOSE_K_SAMPLE` statements."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if len(vectors) > CHOOSE_K_SAMPLE:
        rows = np.random.default_rng(seed).choice(len(vectors), CHOOSE_K_SAMPLE, replace=False)
        vectors = vectors[np.sort(rows)]
    n = len(np.unique(vectors, axis=0))  # identical statements cannot make more groups than there are distinct ones
    if n < 3:
        return 1
    best_k, best = k_min, -2.0
    for k in range(k_min, min(k_max, n - 1) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors)
        score = float(silhouette_score(vectors, labels, metric="cosine"))
        if score > best:
            best_k, best = k, score
    return best_k


def cluster(vectors: np.ndarray, k: int | None = None, seed: int = 0) -> np.ndarray:
    """KMeans labels for L2-normalised ``vectors``; k chosen by silhouette when not given."""
    from sklearn.cluster import KMeans

    if vectors.ndim != 2 or len(vectors) == 0:
        raise ConfigError(f"drivers need a non-empty 2-D array of embeddings, got shape {vectors.shape}")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms == 0, 1.0, norms)
    k = k or choose_k(unit, seed=seed)
    if k < 1 or k > len(unit):
        raise ConfigError(f"--k {k} must be between 1 and the number of calls ({len(unit)})")
    if k == 1:
        return np.zeros(len(unit), dtype=int)
    n_init = 10 if len(unit) <= LARGE else 3
    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(unit)


def name_groups(texts: Sequence[str], labels: np.ndarray, top: int = 3) -> dict[int, str]:
    """c-TF-IDF: each group's words weighted by frequency in the group against frequency across groups."""
    from sklearn.feature_extraction.text import CountVectorizer

    groups = sorted({int(x) for x in labels})
    docs = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == g) for g in groups]
    vec = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    try:
        counts = vec.fit_transform(docs).toarray().astype(float)
    except ValueError:
        return dict.fromkeys(groups, "(no words)")
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    avg = counts.sum() / len(groups)
    idf = np.log(1.0 + avg / np.maximum(counts.sum(axis=0), 1.0))
    weights = tf * idf
    vocab = vec.get_feature_names_out()
    return {g: ", ".join(vocab[i] for i in np.argsort(-weights[row])[:top]) for row, g in enumerate(groups)}


def new_groups(labels: np.ndarray, weeks: Sequence[str], latest: int = 1, share: float = 0.6) -> set[int]:
    """Groups whose calls are mostly (> ``share``) in the ``latest`` weeks present."""
    recent = set(sorted(set(weeks))[-latest:])
    total = Counter(int(x) for x in labels)
    in_recent = Counter(int(lab) for lab, w in zip(labels, weeks, strict=True) if w in recent)
    return {g for g, n in total.items() if in_recent[g] / n > share}
