"""Word-level sentiment features that the sentiment head reads next to the encoder features.

The frozen sentence embedding carries the topic of a sentence better than its
polarity ("the acting is not bad at all" sits close to "the acting is bad"),
and the project's training data cannot cover every opinion word an outside
text uses.  Two small groups of features, cheap enough to compute for every
utterance (no second encoder pass), add word polarity:

* **lexicon** (6 numbers): counts of words from ``sentiment_lexicon.yaml``
  (written for this project), a word's polarity flipped when one of the
  ``negators`` precedes it within three words of the same clause; the same
  counts for the words after the last contrast word ("…, but the ending is
  superb"); and the two balances ``(pos - neg) / (pos + neg + 1)``.
* **token scores** (6 numbers): every word piece of the encoder's vocabulary
  gets a polarity in -1..1 from a 3-class logistic regression over the
  encoder's own (static, input-layer) word-piece embeddings, trained at
  ``qa-pipeline train`` time with the lexicon's single-piece words as positive
  and negative examples and a seeded sample of other word pieces as neutral.
  Words outside the lexicon get a polarity through their embedding's
  neighbours ("superlative", "dreck").  Per text: mean, max and min of the
  (negation-flipped) piece scores, for the whole text and after the last
  contrast word.  The table (one float per vocabulary entry) is stored with
  the heads in ``heads.safetensors``.

Both groups are scaled by ``EXTRA_SCALE`` so they sit in the range of the
L2-normalised encoder features; the head learns their weights from
``models/training/`` like every other weight.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from qa_pipeline.errors import ConfigError, ModelNotAvailableError

SENTIMENT_LEXICON_FILE = "sentiment_lexicon.yaml"
LEXICON_FEATURES = 6
TOKEN_FEATURES = 6
EXTRA_FEATURES = LEXICON_FEATURES + TOKEN_FEATURES
EXTRA_SCALE = 0.1
NEGATION_SCOPE = 3
NEUTRAL_ANCHORS = 3000
TOKEN_SCORE_C = 1.0

_WORD = re.compile(r"n't|[a-z][a-z'-]*|[.!?;,:]")
_NT = re.compile(r"n't\b")
_CLAUSE_END = frozenset(".!?;,:")


@dataclass(frozen=True)
class SentimentLexicon:
    negators: frozenset[str]
    contrast: frozenset[str]
    positive: frozenset[str]
    negative: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> SentimentLexicon:
        if not path.is_file():
            raise ModelNotAvailableError(
                f"{path} is missing: the sentiment word lists ship in models/classifier/; run 'qa-pipeline train'"
            )
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            lists = {
                key: frozenset(str(w).lower() for w in raw[key])
                for key in ("negators", "contrast", "positive", "negative")
            }
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"{path}: cannot read the sentiment lexicon ({exc}); expected lists negators, contrast, positive, negative"
            ) from exc
        both = lists["positive"] & lists["negative"]
        if both:
            raise ConfigError(f"{path}: words listed as both positive and negative: {sorted(both)}")
        return cls(**lists)

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, LEXICON_FEATURES)`` float32, unscaled."""
        out = np.zeros((len(texts), LEXICON_FEATURES), dtype=np.float32)
        for k, text in enumerate(texts):
            words = _WORD.findall(_NT.sub(" n't", text.lower().replace("\u2019", "'")))
            last = max((i for i, w in enumerate(words) if w in self.contrast), default=-1)
            pos = neg = tail_pos = tail_neg = 0.0
            for i, (w, sign) in enumerate(zip(words, negation_signs(words, self.negators))):
                s = sign * (1 if w in self.positive else -1 if w in self.negative else 0)
                if s > 0:
                    pos += 1
                    tail_pos += i > last
                elif s < 0:
                    neg += 1
                    tail_neg += i > last
            out[k] = (
                np.log1p(pos),
                np.log1p(neg),
                np.log1p(tail_pos),
                np.log1p(tail_neg),
                (pos - neg) / (pos + neg + 1),
                (tail_pos - tail_neg) / (tail_pos + tail_neg + 1),
            )
        return out


def negation_signs(tokens: Sequence[str], negators: frozenset[str] | set[str]) -> list[int]:
    """Per token: 0 for a negator, -1 for the ``NEGATION_SCOPE`` tokens after one (up to a clause end), else 1."""
    signs: list[int] = []
    scope = 0
    for token in tokens:
        if token in _CLAUSE_END:
            scope = 0
            signs.append(1)
        elif token in negators:
            scope = NEGATION_SCOPE
            signs.append(0)
        elif scope:
            scope -= 1
            signs.append(-1)
        else:
            signs.append(1)
    return signs


def fit_token_scores(lexicon: SentimentLexicon, tokenizer, embeddings: np.ndarray, seed: int) -> np.ndarray:
    """Polarity in -1..1 of every word piece: ``p(positive) - p(negative)`` from its input embedding."""
    from qa_pipeline.classify.heads import fit_softmax

    vocab: dict[str, int] = tokenizer.get_vocab()
    pos_ids: list[int] = []
    neg_ids: list[int] = []
    for words, bucket in ((lexicon.positive, pos_ids), (lexicon.negative, neg_ids)):
        for word in sorted(words):
            pieces = tokenizer(word, add_special_tokens=False)["input_ids"]
            if len(pieces) == 1:
                bucket.append(pieces[0])
    taken = set(pos_ids) | set(neg_ids)
    candidates = sorted(i for t, i in vocab.items() if t.isalpha() and len(t) > 2 and i not in taken)
    rng = np.random.default_rng(seed)
    neutral = rng.choice(np.asarray(candidates), size=min(NEUTRAL_ANCHORS, len(candidates)), replace=False)
    ids = np.concatenate([np.asarray(neg_ids), neutral, np.asarray(pos_ids)]).astype(np.int64)
    y = np.concatenate([np.zeros(len(neg_ids)), np.ones(len(neutral)), np.full(len(pos_ids), 2)]).astype(np.int64)
    head = fit_softmax(embeddings[ids], y, 3, c=TOKEN_SCORE_C, max_iter=500)
    p = head.softmax(embeddings)
    return (p[:, 2] - p[:, 0]).astype(np.float32)


def token_features(texts: Sequence[str], lexicon: SentimentLexicon, tokenizer, scores: np.ndarray) -> np.ndarray:
    """``(n, TOKEN_FEATURES)`` float32, unscaled: mean/max/min piece polarity, whole text and after the last contrast word."""
    out = np.zeros((len(texts), TOKEN_FEATURES), dtype=np.float32)
    if not len(texts):
        return out
    lowered = [_NT.sub(" not", t.lower().replace("\u2019", "'")) for t in texts]
    encoded = tokenizer(lowered, add_special_tokens=False, truncation=True, max_length=126)["input_ids"]
    vocab_pieces = tokenizer.convert_ids_to_tokens
    for k, ids in enumerate(encoded):
        if not ids:
            continue
        pieces = vocab_pieces(ids)
        s = scores[np.asarray(ids)].copy()
        last = max((i for i, p in enumerate(pieces) if p in lexicon.contrast), default=-1)
        s *= np.asarray(negation_signs(pieces, lexicon.negators), dtype=s.dtype)
        tail = s[last + 1 :] if last + 1 < len(s) else s
        out[k] = (s.mean(), s.max(), s.min(), tail.mean(), tail.max(), tail.min())
    return out


class SentimentExtras:
    """The scaled extra features for a set of texts (already normalised)."""

    def __init__(self, lexicon: SentimentLexicon, tokenizer, scores: np.ndarray) -> None:
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self.scores = scores

    def features(self, texts: Sequence[str]) -> np.ndarray:
        lex = self.lexicon.features(texts)
        tok = token_features(texts, self.lexicon, self.tokenizer, self.scores)
        return (np.concatenate([lex, tok], axis=1) * EXTRA_SCALE).astype(np.float32)


def sentiment_input(feats: np.ndarray, extras: SentimentExtras | None, texts: Sequence[str]) -> np.ndarray:
    """What the sentiment head reads: the encoder features of ``texts``, plus their word-level features
    when the head was trained with them (``extras`` not None)."""
    if extras is None:
        return feats
    return np.concatenate([feats, extras.features(texts)], axis=1)
