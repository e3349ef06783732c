"""The project's own training data: expansion, split, hard negatives, consistency."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from qa_pipeline.classify.data import clean_text, load_training_data, training_dir
from qa_pipeline.classify.normalize import normalize_text
from qa_pipeline.classify.patterns import PatternSet
from qa_pipeline.classify.result import LABELS, SENTIMENTS
from qa_pipeline.errors import ConfigError
from qa_pipeline.paths import models_dir


@pytest.fixture(scope="module")
def data():
    return load_training_data()


def test_every_label_has_hundreds_of_positives(data) -> None:
    counts = collections.Counter(n for e in data.label_examples("train") for n in e.labels)
    short = {name: counts[name] for name in LABELS if counts[name] < 200}
    assert not short, f"labels with fewer than 200 training positives: {short}"
    negatives = sum(1 for e in data.label_examples("train") if not e.labels)
    assert negatives > 3000


def test_sentiment_data_is_large_and_covers_every_class(data) -> None:
    counts = collections.Counter(e.sentiment for e in data.sentiment_examples("train"))
    assert set(counts) == set(SENTIMENTS)
    assert sum(counts.values()) > 8000
    assert min(counts.values()) > 2000


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I can't verify that.", "identity_verification"),
        ("thank you, you're verified.", "identity_verification"),
        ("sure, it's [DOB].", "identity_verification"),
        ("sorry, could you repeat that?", "apology"),
        ("thanks for holding.", "hold_request"),
        ("let me get my supervisor to approve the credit.", "escalation_request"),
        ("I'd like to upgrade my plan.", "upsell_offer"),
        ("I'm going to kill this hold music for you.", "prohibited_language"),
    ],
)
def test_hard_negatives_are_present(data, text: str, label: str) -> None:
    found = [
        e
        for e in data.examples
        if e.labels is not None and e.source != "composed" and e.text.lower().endswith(text.lower())
    ]
    assert found, f"hard negative {text!r} missing from the training data"
    assert all(label not in e.labels for e in found)


def test_pii_placeholders_appear_in_verification_examples(data) -> None:
    texts = [e.text for e in data.label_examples("train") if "identity_verification" in e.labels]
    assert any("[DOB]" in t for t in texts) and any("[CARD]" in t for t in texts)


def test_no_text_carries_two_different_answers(data) -> None:
    labels: dict[str, set] = collections.defaultdict(set)
    sentiments: dict[str, set] = collections.defaultdict(set)
    for e in data.examples:
        if e.labels is not None:
            labels[e.text.lower()].add(e.labels)
        if e.sentiment is not None:
            sentiments[e.text.lower()].add(e.sentiment)
    assert [t for t, v in labels.items() if len(v) > 1] == []
    assert [t for t, v in sentiments.items() if len(v) > 1] == []


def test_held_out_side_is_disjoint_from_training(data) -> None:
    train = {e.text.lower() for e in data.examples if e.split == "train"}
    test = {e.text.lower() for e in data.examples if e.split == "test"}
    assert len(test) > 1000
    assert not train & test


def test_expansion_is_seeded(data) -> None:
    again = load_training_data()
    assert again.examples == data.examples
    other = load_training_data(seed=99)
    assert other.examples != data.examples


def test_labels_agree_with_the_lexicon_and_patterns(data) -> None:
    """An example marked as *not* having a label must not trip that label's deterministic rule."""
    patterns = PatternSet(models_dir() / "classifier" / "prohibited_lexicon.yaml")
    bad = []
    for e in data.examples:
        if e.labels is None or e.source.startswith("composed"):
            continue
        for label in patterns.scores(normalize_text(e.text)):
            if label not in e.labels:
                bad.append((label, e.source, e.text))
    assert bad == []


def test_eval_lines_are_not_training_data(data) -> None:
    clean = models_dir() / "eval" / "agent_lines_clean.txt"
    lines = {
        ln.strip().lower()
        for ln in clean.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    texts = {e.text.lower() for e in data.examples}
    assert not lines & texts


def test_unknown_slot_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    root = tmp_path / "training"
    (root / "labels").mkdir(parents=True)
    (root / "slots.yaml").write_text("slots:\n  company: [Acme]\n", encoding="utf-8")
    bad = root / "labels" / "bad.yaml"
    bad.write_text("groups:\n  - labels: [greeting]\n    templates: ['hello from {nosuch}']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nosuch") as err:
        load_training_data(root)
    assert "labels/bad.yaml" in str(err.value)
    bad.write_text("groups:\n  - labels: [greting]\n    templates: ['hello']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="greting"):
        load_training_data(root)


def test_clean_text_tidies_expansions() -> None:
    assert clean_text("okay ,  thanks .. bye ,.") == "okay, thanks. bye."
    assert clean_text(", hello?.") == "hello?"


def test_training_dir_ships_with_the_repository() -> None:
    root = training_dir()
    assert (root / "slots.yaml").is_file()
    assert len(list(root.glob("*/*.yaml"))) >= 10


def test_pattern_defined_labels_are_added_to_training_lines() -> None:
    """A line a hold/commitment/resolution/identity/introduction pattern matches carries that label."""
    from qa_pipeline.classify.data import Example, with_pattern_labels

    lines = [
        Example("okay one moment", None, frozenset(), "t", "train"),
        Example(
            "I've ordered your replacement card. anything else I can help you with?",
            None,
            frozenset({"closing"}),
            "t",
            "train",
        ),
        Example("my name is [NAME], how can I help?", None, frozenset({"greeting"}), "t", "train"),
        Example("which account would you like to check?", None, frozenset(), "t", "train"),
        Example("no thank you", "positive", None, "s", "train"),
    ]
    out = with_pattern_labels(lines)
    assert out[0].labels == {"hold_request"}
    assert out[1].labels == {"closing", "commitment", "resolution_check"}
    assert out[2].labels == {"greeting", "agent_introduction"}
    assert out[3].labels == frozenset() and out[4].labels is None
