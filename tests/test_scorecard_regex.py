"""Scorecard topic patterns cannot hang a run: they run on RE2 (linear time), and what RE2 cannot
run is refused by ``scorecard validate`` and by the run's start-up check alike."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qa_pipeline.errors import ConfigError
from qa_pipeline.paths import scorecards_dir
from qa_pipeline.scorecard.loader import load_scorecard, parse_scorecard
from qa_pipeline.scorecard.regex import substring_finder
from qa_pipeline.scorecard.validate import validate_file

CARD = """\
id: regex_card
title: Regex card
topics:
  chatter:
    patterns: ['{pattern}']
sections:
  - id: s
    title: S
    weight: 1
    criteria:
      - id: c
        title: C
        kind: label_present
        label: chatter
        points: 1
"""


def _card(pattern: str) -> str:
    return CARD.replace("{pattern}", pattern)


def test_a_catastrophic_backtracking_pattern_matches_in_linear_time() -> None:
    card = parse_scorecard(_card(r"(\w+\s?)+$"), "card.yaml")
    matcher = card.topics["chatter"]
    text = "word " * 5000 + "!"  # Python's re takes exponential time here (it never returns on 30 words)
    t = time.perf_counter()
    assert matcher.search(text) is not None
    assert matcher.search("a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff!") is not None
    assert time.perf_counter() - t < 1.0


def test_patterns_re2_cannot_run_are_refused_by_validate_and_by_loading(tmp_path: Path) -> None:
    path = tmp_path / "card.yaml"
    path.write_text(_card(r"(?<!\w)refund"), encoding="utf-8")
    (problem,) = validate_file(path)
    assert "[topics -> chatter -> patterns -> 0]" in problem and "RE2" in problem and "look-around" in problem
    with pytest.raises(ConfigError, match="RE2"):  # the run loads scorecards the same way before any audio
        load_scorecard(path)


def test_the_bundled_scorecards_patterns_run_on_re2() -> None:
    for path in sorted(scorecards_dir().glob("*.yaml")):
        assert validate_file(path) == [], path


def test_the_substring_finder_finds_exactly_the_needles_that_occur() -> None:
    needles = ["card", "lost card", "a.b", "(x", "café", "ard l", "[account]", "zz", "c"]
    texts = [
        "",
        "i lost my card",
        "i lost card yesterday\nand a.b (x",
        "axb café [account]",
        "CARD",  # case-sensitive: callers pass lower-cased text and phrases
        "regard less",
    ]
    find = substring_finder(needles)
    for text in texts:
        assert sorted(find(text)) == [i for i, n in enumerate(needles) if n in text], text
