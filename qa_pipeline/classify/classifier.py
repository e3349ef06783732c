"""The per-utterance classifier: one encoder pass, two linear heads, deterministic patterns.

``load_classifier()`` returns a process-wide instance (the encoder takes a
few seconds to load).  ``Classifier.version`` is a content hash of everything
that decides a result: head weights, thresholds, lexicon, the scripted
patterns and the encoder's weights; it is stored with every result so stale
rows can be found and re-classified after a model update.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from qa_pipeline.classify import courtesy as courtesy_module
from qa_pipeline.classify import echo as echo_module
from qa_pipeline.classify import patterns as patterns_module
from qa_pipeline.classify.config import HEAD_METHODS, ClassifierConfig, classifier_dir, config_path, load_config
from qa_pipeline.classify.encoder import EMBEDDING_DIM, Encoder, EncoderOptions, Precision, get_encoder
from qa_pipeline.classify.heads import HEADS_FILE, Heads, load_heads
from qa_pipeline.classify.normalize import normalize_text
from qa_pipeline.classify.patterns import PatternHit, PatternSet
from qa_pipeline.classify.result import LABELS, SENTIMENTS, Sentiment, UtteranceLabels
from qa_pipeline.classify.sentiment_lexicon import (
    EXTRA_FEATURES,
    SENTIMENT_LEXICON_FILE,
    SentimentExtras,
    SentimentLexicon,
    sentiment_input,
)
from qa_pipeline.conversation import Conversation
from qa_pipeline.errors import ModelNotAvailableError

logger = logging.getLogger("qa_pipeline.classify")

LEXICON_FILE = "prohibited_lexicon.yaml"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MIN_SENTENCE_WORDS = 3


def sentence_pass_open(label_scores: np.ndarray, head_labels: np.ndarray, gate: float) -> np.ndarray:
    """Which rows get the sentence-by-sentence pass: those where some head-decided label
    (``head_labels``, a mask over LABELS) already scores at least ``gate`` on the whole text."""
    if not head_labels.any():
        return np.zeros(len(label_scores), dtype=bool)
    return label_scores[:, head_labels].max(axis=1) >= gate


def sentence_units(text: str) -> list[str]:
    """The sentences of a turn, for label scoring; ``[]`` when it is a single sentence.

    Fragments under three words ("Okay.", "Great.") join the following
    sentence (or the previous one at the end).
    """
    parts = [p for p in _SENTENCE_END.split(text) if p.strip()]
    units: list[str] = []
    pending = ""
    for part in parts:
        part = f"{pending} {part}".strip() if pending else part
        if len(part.split()) < _MIN_SENTENCE_WORDS:
            pending = part
            continue
        units.append(part)
        pending = ""
    if pending:
        if units:
            units[-1] = f"{units[-1]} {pending}"
        else:
            units.append(pending)
    return units if len(units) > 1 else []


@dataclass(frozen=True)
class Explanation:
    """Why an utterance got its result: the head's scores and every pattern hit."""

    text: str
    normalized: str
    learned: dict[str, float]
    sentiment_probs: dict[str, float]
    hits: tuple[PatternHit, ...]
    result: UtteranceLabels


def _tensors_digest(path: Path) -> bytes:
    """Hash of a safetensors file's tensors and metadata in a fixed order.

    The file's own bytes are not stable: its header is written from a hash
    map, so the same weights can be laid out in a different order.
    """
    from safetensors import safe_open

    digest = hashlib.sha256()
    with safe_open(str(path), framework="numpy") as fh:
        meta = fh.metadata() or {}
        digest.update(json.dumps(meta, sort_keys=True).encode())
        for key in sorted(fh.keys()):
            tensor = np.ascontiguousarray(fh.get_tensor(key))
            digest.update(f"{key}:{tensor.dtype.str}:{tensor.shape}".encode())
            digest.update(tensor.tobytes())
    return digest.digest()


def classifier_version(directory: Path, encoder_sha256: str) -> str:
    """Content hash of weights, thresholds, lexicons, scripted patterns and encoder."""
    digest = hashlib.sha256()
    digest.update(_tensors_digest(directory / HEADS_FILE))
    for name in ("labels.yaml", LEXICON_FILE, SENTIMENT_LEXICON_FILE):
        if name == SENTIMENT_LEXICON_FILE and not (directory / name).is_file():
            continue  # heads trained without the word-level sentiment features
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
    digest.update(repr(patterns_module._SCRIPTED).encode())
    digest.update(echo_module.rules_fingerprint().encode())
    digest.update(courtesy_module.rules_fingerprint().encode())
    digest.update(encoder_sha256.encode())
    return digest.hexdigest()[:16]


class Classifier:
    """Sentiment and compliance labels for utterances.  Thread-safe."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        precision: Precision = "auto",
        threads: int = 2,
        encoder: Encoder | None = None,
    ) -> None:
        self.directory = directory or classifier_dir()
        # The fast tokenizer keeps its truncation/padding settings between calls, and token counting,
        # word features and encoding each set their own: one call scores at a time per classifier.
        self._score_lock = threading.Lock()
        self.config: ClassifierConfig = load_config(config_path(self.directory))
        features = self.config.features
        self.layers = tuple(features.layers)
        self.patterns = PatternSet(self.directory / LEXICON_FILE)
        self.heads: Heads = load_heads(
            self.directory / HEADS_FILE,
            sentiment_classes=SENTIMENTS,
            label_names=LABELS,
            feature_dim=EMBEDDING_DIM * len(self.layers),
        )
        self.encoder = encoder or get_encoder(
            EncoderOptions(
                batch_size=features.batch_size,
                max_length=features.max_length,
                precision=precision,
                threads=threads,
            )
        )
        self.sentiment_extras: SentimentExtras | None = None
        if self.heads.sentiment_extra:
            if self.heads.sentiment_extra != EXTRA_FEATURES or self.heads.token_scores is None:
                raise ModelNotAvailableError(
                    f"{self.directory / HEADS_FILE}: sentiment head expects {self.heads.sentiment_extra} word-level features, "
                    f"this version computes {EXTRA_FEATURES}; run 'qa-pipeline train'"
                )
            self.sentiment_extras = SentimentExtras(
                SentimentLexicon.load(self.directory / SENTIMENT_LEXICON_FILE),
                self.encoder.tokenizer,
                self.heads.token_scores,
            )
        self.thresholds = self.config.thresholds()
        self.methods = {name: self.config.labels[name].method for name in LABELS}
        self._learned_mask = np.asarray([self.methods[name] in HEAD_METHODS for name in LABELS])
        self.version = classifier_version(self.directory, self.encoder.weights_sha256)
        logger.info("classifier %s loaded from %s", self.version, self.directory)

    # -- chunking -----------------------------------------------------------
    def _chunks(self, text: str) -> list[str]:
        """Split a long turn into sentence groups of at most ``chunk_tokens`` tokens.

        A label said in one sentence of a long monologue would otherwise be
        averaged away by the other sentences; short turns, the vast majority,
        are embedded whole.  A single sentence is never split unless it
        exceeds the encoder window (``max_length``), where it is cut into
        word runs that fit.
        """
        features = self.config.features
        limit = features.chunk_tokens - 2
        window = features.max_length - 2
        if len(text) <= limit:
            return [text]
        if self.encoder.token_counts([text])[0] - 2 <= limit:
            return [text]
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        counts = [c - 2 for c in self.encoder.token_counts(sentences)]  # [CLS]/[SEP] counted once per chunk
        chunks: list[str] = []
        current: list[str] = []
        used = 0
        for sentence, count in zip(sentences, counts):
            if current and used + count > limit:
                chunks.append(" ".join(current))
                current, used = [], 0
            if count > window:
                words = sentence.split()
                step = max(1, int(len(words) * window / count))
                chunks.extend(" ".join(words[i : i + step]) for i in range(0, len(words), step))
                continue
            current.append(sentence)
            used += count
        if current:
            chunks.append(" ".join(current))
        return chunks or [text]

    # -- scoring ------------------------------------------------------------
    def _score(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        normalized, sent, learned, _ = self._score_embedded(texts)
        return normalized, sent, learned

    def _score_embedded(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        with self._score_lock:
            return self._score_unlocked(texts)

    def _sentence_vectors(self, feats: np.ndarray, pieces: list[str], owners: list[int], n: int) -> np.ndarray:
        """Each text's sentence embedding (search by meaning) from the same pass: the length-weighted mean
        of its chunks' final-layer embeddings, L2-normalised; zeros for an empty text."""
        if 6 in self.layers:
            k = self.layers.index(6)
            final = feats[:, k * EMBEDDING_DIM : (k + 1) * EMBEDDING_DIM]
        else:  # heads on other layers only: one more pass for the sentence embedding
            final = self.encoder.encode(pieces)
        out = np.zeros((n, EMBEDDING_DIM), dtype=np.float32)
        weights = np.asarray([max(1, len(p)) for p in pieces], dtype=np.float32)
        np.add.at(out, np.asarray(owners), final * weights[:, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def _score_unlocked(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Normalised texts, sentiment probabilities ``(n, 3)`` and head label scores ``(n, 14)``.

        Sentiment is read from the whole turn (the length-weighted mean over
        the chunks of a long one).  A label's head score is the highest over
        the whole turn and, when ``sentences`` is on, each of its sentences
        embedded on its own: "I'm sorry for the wait. Can you confirm your
        date of birth?" is an apology *and* a verification request, which one
        embedding of both sentences blurs.  The sentences are embedded only
        for turns where some label already scores at least ``sentence_gate``
        on the whole turn, which spares most chit-chat the second pass.
        """
        normalized = [normalize_text(t or "") for t in texts]
        owners: list[int] = []
        pieces: list[str] = []
        for i, text in enumerate(normalized):
            if not text:
                continue
            for chunk in self._chunks(text):
                owners.append(i)
                pieces.append(chunk)
        sent = np.zeros((len(texts), len(SENTIMENTS)), dtype=np.float64)
        sent[:, SENTIMENTS.index("neutral")] = 1.0
        learned = np.zeros((len(texts), len(LABELS)), dtype=np.float64)
        if not pieces:
            return normalized, sent, learned, np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        feats = self.encoder.encode(pieces, self.layers)
        vectors = self._sentence_vectors(feats, pieces, owners, len(texts))
        p_sent = self.heads.sentiment.softmax(sentiment_input(feats, self.sentiment_extras, pieces))
        p_lab = self.heads.labels.sigmoid(feats)
        owner_arr = np.asarray(owners)
        weights = np.asarray([max(1, len(p)) for p in pieces], dtype=np.float64)
        for i in np.unique(owner_arr):
            rows = owner_arr == i
            w = weights[rows] / weights[rows].sum()
            sent[i] = (p_sent[rows] * w[:, None]).sum(axis=0)
            learned[i] = p_lab[rows].max(axis=0)
        features = self.config.features
        if features.sentences:
            # second pass, only for multi-sentence chunks where some label is in play
            unit_owner: list[int] = []
            units: list[str] = []
            open_ = sentence_pass_open(p_lab, self._learned_mask, features.sentence_gate)
            for k, chunk in enumerate(pieces):
                if not open_[k]:
                    continue
                for unit in sentence_units(chunk):
                    unit_owner.append(owners[k])
                    units.append(unit)
            if units:
                unit_lab = self.heads.labels.sigmoid(self.encoder.encode(units, self.layers))
                np.maximum.at(learned, np.asarray(unit_owner), unit_lab)
        return normalized, sent, learned, vectors

    def sentiment_features(self, texts: Sequence[str]) -> np.ndarray:
        """What the sentiment head reads for each whole text (encoder layers + word-level features).

        For diagnostics (``bench classify --ceiling``); texts are normalised but not chunked.
        """
        normalized = [normalize_text(t or "") or "." for t in texts]
        with self._score_lock:
            return sentiment_input(self.encoder.encode(normalized, self.layers), self.sentiment_extras, normalized)

    def _result(
        self, idx: int, text: str, sent: np.ndarray, learned: np.ndarray, hits: list[PatternHit]
    ) -> UtteranceLabels:
        if not text:
            return UtteranceLabels(
                idx=idx, sentiment="neutral", sentiment_score=1.0, labels=dict.fromkeys(LABELS, 0.0), detected=()
            )
        best_hit: dict[str, float] = {}
        for hit in hits:
            best_hit[hit.label] = max(best_hit.get(hit.label, 0.0), hit.score)
        scores: dict[str, float] = {}
        for j, name in enumerate(LABELS):
            method = self.methods[name]
            if method in ("lexicon", "pattern"):
                score = best_hit.get(name, 0.0)
            elif method == "pattern+learned":
                score = max(float(learned[j]), best_hit.get(name, 0.0))
            else:
                score = float(learned[j])
            scores[name] = round(score, 4)
        detected = tuple(name for name in LABELS if scores[name] >= self.thresholds[name])
        k = int(np.argmax(sent))
        sentiment: Sentiment = SENTIMENTS[k]
        sentiment_score = float(sent[k])
        polite = courtesy_module.courtesy_sentiment(text)
        if polite is not None and polite != sentiment:  # courtesy words only: never negative (classify/courtesy.py)
            sentiment, sentiment_score = polite, courtesy_module.COURTESY_SCORE  # type: ignore[assignment]
        return UtteranceLabels(
            idx=idx, sentiment=sentiment, sentiment_score=round(sentiment_score, 4), labels=scores, detected=detected
        )

    def classify(self, texts: Sequence[str]) -> list[UtteranceLabels]:
        """Classify ``texts``; each result's ``idx`` is its position in the list."""
        return self.classify_embedded(texts)[0]

    def classify_embedded(self, texts: Sequence[str]) -> tuple[list[UtteranceLabels], np.ndarray]:
        """:meth:`classify` and each text's sentence embedding ``(n, 384)`` from the same encoder pass."""
        normalized, sent, learned, vectors = self._score_embedded(texts)
        results = [
            self._result(i, text, sent[i], learned[i], self.patterns.hits(text) if text else [])
            for i, text in enumerate(normalized)
        ]
        return results, vectors

    def explain(self, texts: Sequence[str]) -> list[Explanation]:
        """Like :meth:`classify`, with the head scores and pattern hits behind each result."""
        normalized, sent, learned = self._score(texts)
        out = []
        for i, (raw, text) in enumerate(zip(texts, normalized)):
            hits = self.patterns.hits(text) if text else []
            out.append(
                Explanation(
                    text=raw,
                    normalized=text,
                    learned={name: round(float(learned[i, j]), 4) for j, name in enumerate(LABELS)},
                    sentiment_probs={name: round(float(sent[i, j]), 4) for j, name in enumerate(SENTIMENTS)},
                    hits=tuple(hits),
                    result=self._result(i, text, sent[i], learned[i], hits),
                )
            )
        return out

    def classify_conversation(self, conv: Conversation) -> tuple[UtteranceLabels, ...]:
        """Classify every utterance of a call; ``idx`` is the utterance's own ``idx``."""
        return self.classify_conversation_embedded(conv)[0]

    def classify_conversation_embedded(self, conv: Conversation) -> tuple[tuple[UtteranceLabels, ...], np.ndarray]:
        """Classify every utterance of a call, with each utterance's sentence embedding (same pass).

        Beyond each utterance alone: an agent utterance that echoes the customer's
        specifics is active listening (:mod:`qa_pipeline.classify.echo`).
        """
        classified, vectors = self.classify_embedded([u.text for u in conv.utterances])
        results = [replace(r, idx=u.idx) for r, u in zip(classified, conv.utterances)]
        label = "active_listening"
        threshold = self.thresholds[label]
        for pos, _ in echo_module.echoes([u.speaker for u in conv.utterances], [u.text for u in conv.utterances]):
            r = results[pos]
            if r.labels.get(label, 0.0) < echo_module.ECHO_SCORE:
                labels = {**r.labels, label: echo_module.ECHO_SCORE}
                detected = (
                    tuple(n for n in LABELS if labels[n] >= self.thresholds[n])
                    if threshold <= echo_module.ECHO_SCORE
                    else r.detected
                )
                results[pos] = replace(r, labels=labels, detected=detected)
        return tuple(results), vectors


_CACHED: dict[tuple[str, str, int], Classifier] = {}
_CACHE_LOCK = threading.Lock()


def load_classifier(directory: Path | None = None, *, precision: Precision = "auto", threads: int = 2) -> Classifier:
    """The process-wide classifier (weights and encoder load once)."""
    directory = (directory or classifier_dir()).resolve()
    key = (str(directory), precision, threads)
    with _CACHE_LOCK:
        if key not in _CACHED:
            _CACHED[key] = Classifier(directory, precision=precision, threads=threads)
        return _CACHED[key]


def clear_classifier_cache() -> None:
    """Forget loaded classifiers (after ``qa-pipeline train`` rewrote the weights)."""
    with _CACHE_LOCK:
        _CACHED.clear()
