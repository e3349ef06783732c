"""The deterministic half of the classifier: prohibited-language lexicon and scripted patterns."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_pipeline.classify.patterns import PatternSet, prepare
from qa_pipeline.errors import ConfigError
from qa_pipeline.paths import models_dir

LEXICON = models_dir() / "classifier" / "prohibited_lexicon.yaml"


@pytest.fixture(scope="module")
def patterns() -> PatternSet:
    return PatternSet(LEXICON)


def prohibited(patterns: PatternSet, text: str) -> float:
    return patterns.scores(text).get("prohibited_language", 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "this is fucking ridiculous",
        "what the f*ck is going on",
        "fuuuuck this",
        "that's bullshit",
        "sh!t, the line dropped",
        "you stupid b1tch",
        "don't be a dick about it",
        "you're an idiot",
        "shut up and listen",
        "that's not my problem",
        "I'll kill you",
        "kill yourself",
        "whatever, I don't care",
        "that's a damn good question",  # mild profanity is flagged for agents, by choice
        "what the hell do you want",
    ],
)
def test_lexicon_flags_abuse(patterns: PatternSet, text: str) -> None:
    assert prohibited(patterns, text) >= 0.85, text


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to kill this hold music for you.",
        "Shoot me an email and I'll take a look.",
        "I'll shoot you an email with the details.",
        "I need to assess the damage first.",
        "You're in first class on the way back.",
        "The Scunthorpe branch is open until six.",
        "We have a cocktail menu in the lounge.",
        "The shiitake mushrooms were out of stock.",
        "The technician is called Dick, he's very experienced.",
        "That sounds like a bloody nose from the airbag.",
        "There's no such thing as a dumb question here.",
        "Hello, are you still with me?",
        "The hotel is next to Hell's Kitchen.",
        "Flight 455 is cancelled for two hours.",
        "Let's restart it and see what happens.",
        "Sometimes letters get lost in the post.",
        "We'll deal with it today.",
        "You can pay by card or else by bank transfer.",
        "I'll find your booking now.",
        "I can't read the serial number, it's worn off.",
        "Pathetic customer service, honestly.",
    ],
)
def test_lexicon_spares_ordinary_lines(patterns: PatternSet, text: str) -> None:
    hits = [h for h in patterns.hits(text) if h.label == "prohibited_language"]
    assert not hits, f"{text!r} matched {[(h.matched, h.rule) for h in hits]}"


def test_clean_agent_lines_have_no_lexicon_hit(patterns: PatternSet) -> None:
    path = models_dir() / "eval" / "agent_lines_clean.txt"
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(lines) >= 300
    flagged = [ln for ln in lines if prohibited(patterns, ln) > 0]
    assert flagged == []


def test_hit_reports_what_matched(patterns: PatternSet) -> None:
    hits = patterns.hits("Honestly, that's BULLSHIT.")
    assert [(h.label, h.matched) for h in hits] == [("prohibited_language", "bullshit")]
    assert hits[0].rule.startswith("strong:")


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("This call may be recorded for quality and training purposes.", "recording_disclosure", True),
        ("Just so you know, this conversation is being monitored.", "recording_disclosure", True),
        ("We record all calls to improve our service.", "recording_disclosure", True),
        ("Is this call being recorded?", "recording_disclosure", False),
        ("The payment was recorded on Tuesday.", "recording_disclosure", False),
        ("Would you mind if I put you on a brief hold while I check?", "hold_request", True),
        ("Can you hold for two minutes?", "hold_request", True),
        ("I'm going to place you on a short hold, is that okay?", "hold_request", True),
        ("Thanks for holding.", "hold_request", False),
        ("I've been on hold for an hour.", "hold_request", False),
        ("Can you hold the package at the depot?", "hold_request", False),
        ("I want to speak to your manager.", "escalation_request", True),
        ("Get me a supervisor, now.", "escalation_request", True),
        ("Put your boss on the phone.", "escalation_request", True),
        ("I need this escalated.", "escalation_request", True),
        ("Let me get my supervisor to approve the credit.", "escalation_request", False),
        ("Would you like me to get a manager?", "escalation_request", False),
        ("My supervisor approved the refund.", "escalation_request", False),
    ],
)
def test_scripted_patterns(patterns: PatternSet, text: str, label: str, expected: bool) -> None:
    assert (label in patterns.scores(text)) is expected


def test_prepare_normalises_case_and_apostrophes() -> None:
    assert prepare("  You\u2019RE   Welcome ") == "you're welcome"


def test_bad_lexicon_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.yaml"
    bad.write_text("tiers: {strong: 0.9}\nwords:\n  strong: ['f u c k']\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=str(bad)):
        PatternSet(bad)
    bad.write_text("tiers: {strong: 0.9}\nwords:\n  nosuchtier: [fudge]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nosuchtier"):
        PatternSet(bad)
    bad.write_text("tiers: {strong: 0.9}\nextra: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="extra"):
        PatternSet(bad)
