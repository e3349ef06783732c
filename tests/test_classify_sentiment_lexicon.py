"""The word-level sentiment features: lexicon counts with negation and contrast, word-piece polarities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.classify.sentiment_lexicon import (
    EXTRA_FEATURES,
    SENTIMENT_LEXICON_FILE,
    SentimentLexicon,
    token_features,
)
from qa_pipeline.errors import ConfigError, ModelNotAvailableError
from qa_pipeline.paths import models_dir

LEXICON = models_dir() / "classifier" / SENTIMENT_LEXICON_FILE


@pytest.fixture(scope="module")
def lexicon() -> SentimentLexicon:
    return SentimentLexicon.load(LEXICON)


def balance(lexicon: SentimentLexicon, text: str) -> tuple[float, float]:
    f = lexicon.features([text])[0]
    return float(f[4]), float(f[5])  # whole text, after the last contrast word


def test_shipped_lexicon_has_both_polarities(lexicon: SentimentLexicon) -> None:
    assert len(lexicon.positive) > 200 and len(lexicon.negative) > 200
    assert {"not", "never", "n't"} <= lexicon.negators and "but" in lexicon.contrast
    assert not lexicon.positive & lexicon.negative


def test_negation_flips_a_word_within_its_clause(lexicon: SentimentLexicon) -> None:
    assert balance(lexicon, "the film is good")[0] > 0
    assert balance(lexicon, "the film is not good")[0] < 0
    assert balance(lexicon, "it isn't bad at all")[0] > 0
    assert balance(lexicon, "it doesn't waste a moment")[0] > 0
    # the negation ends with the clause
    assert balance(lexicon, "not now, the service was great")[0] > 0


def test_contrast_tail_reads_the_clause_after_but(lexicon: SentimentLexicon) -> None:
    whole, tail = balance(lexicon, "the acting is superb and charming but the story is dull")
    assert whole > 0 > tail
    whole, tail = balance(lexicon, "a dull, clumsy start, but the ending is wonderful")
    assert tail > 0
    assert balance(lexicon, "my flight was delayed") == balance(lexicon, "my flight was delayed")  # deterministic


def test_empty_and_neutral_text_give_zero_balance(lexicon: SentimentLexicon) -> None:
    assert np.all(lexicon.features([""]) == 0)
    assert balance(lexicon, "what time does the gate open?") == (0.0, 0.0)


def test_token_features_use_the_score_table_and_negation(lexicon: SentimentLexicon) -> None:
    from transformers import AutoTokenizer

    from qa_pipeline.classify.encoder import encoder_model_dir

    tok = AutoTokenizer.from_pretrained(str(encoder_model_dir()), local_files_only=True)
    scores = np.zeros(tok.vocab_size, dtype=np.float32)
    scores[tok.convert_tokens_to_ids("good")] = 1.0
    scores[tok.convert_tokens_to_ids("awful")] = -1.0
    f = token_features(["good", "not good", "good but awful", ""], lexicon, tok, scores)
    assert f[0, 0] == 1.0 and f[1, 2] == -1.0
    assert f[2, 3] == -1.0 and f[2, 4] == -1.0  # after "but": only "awful"
    assert np.all(f[3] == 0)


def test_missing_or_contradictory_lexicon_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match="qa-pipeline train"):
        SentimentLexicon.load(tmp_path / SENTIMENT_LEXICON_FILE)
    bad = tmp_path / SENTIMENT_LEXICON_FILE
    bad.write_text("negators: [not]\ncontrast: [but]\npositive: [good, fine]\nnegative: [fine]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="both positive and negative"):
        SentimentLexicon.load(bad)


def test_shipped_heads_carry_the_word_features() -> None:
    from safetensors import safe_open

    with safe_open(str(models_dir() / "classifier" / "heads.safetensors"), framework="numpy") as fh:
        meta = fh.metadata()
        assert int(meta["sentiment_extra_features"]) == EXTRA_FEATURES
        scores = fh.get_tensor("sentiment.token_scores")
        weight = fh.get_tensor("sentiment.weight")
    assert scores.ndim == 1 and scores.min() >= -1 and scores.max() <= 1
    assert weight.shape[1] == int(meta["feature_dim"]) + EXTRA_FEATURES
