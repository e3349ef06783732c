"""Topics by example: validation, the threshold rule, matching with the real encoder, rescore, the tester,
and the shared --scorecards option."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from review_fixture import build_review_db
from typer.testing import CliRunner

from qa_pipeline.cli import app
from qa_pipeline.conversation import Conversation, Utterance
from qa_pipeline.scorecard import examples as ex
from qa_pipeline.scorecard.engine import score_call
from qa_pipeline.scorecard.loader import parse_scorecard, scorecard_messages
from qa_pipeline.settings import SCORECARDS_ENV
from qa_pipeline.store.db import connect

CARD = """\
id: by_example
title: By example
active: false
topics:
  confirms_details:
    description: The agent repeats the caller's details back.
    examples: ["did you say four one nine one two?", "just to confirm, the new address is twelve oak street"]
    counter_examples: ["is there anything else I can help you with today?"]
  offers_more_help:
    examples: ["is there anything else I can help you with today?", "can I help you with anything else?"]
sections:
  - id: s
    weight: 1
    criteria:
      - id: confirms
        kind: label_present
        label: confirms_details
        points: 1
      - id: more_help
        kind: label_present
        label: offers_more_help
        points: 1
"""


def _messages(topic_yaml: str) -> list[str]:
    text = CARD.split("topics:")[0] + "topics:\n" + topic_yaml + "sections:" + CARD.split("sections:")[1]
    text = text.replace("label: offers_more_help", "label: confirms_details")
    return scorecard_messages(text, "card.yaml")[1]


def test_validation_errors_name_the_path():
    msgs = _messages('  confirms_details:\n    examples: ["did you say four one?", "x"]\n')
    assert len(msgs) == 1 and msgs[0].startswith("card.yaml: [topics -> confirms_details -> examples] entry 1 ('x')")
    msgs = _messages('  confirms_details:\n    phrases: [confirm]\n    counter_examples: ["is there anything else?"]\n')
    assert "[topics -> confirms_details] 'counter_examples' only go with 'examples'" in msgs[0]
    msgs = _messages('  confirms_details:\n    examples: ["did you say four one?"]\n    threshold: 1.5\n')
    assert "[topics -> confirms_details -> threshold]" in msgs[0]
    msgs = _messages('  confirms_details:\n    examples: ["did you say four?", "Did  you say four?"]\n')
    assert "listed twice" in msgs[0]
    assert _messages('  confirms_details:\n    examples: ["did you say four one?"]\n    threshold: 0.6\n') == []


def test_threshold_rule_and_windows():
    a = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    b = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    c = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    # nearest other example: a->b 0.6, b->a 0.6, c->(a|b) 0.0: median 0.6, minus 0.05
    assert ex.derived_threshold(np.stack([a, b, c])) == pytest.approx(0.55)
    assert ex.derived_threshold(np.stack([a, a * 1.0])) == ex.THRESHOLD_CEIL  # 1.0 - 0.05 clamped
    assert ex.derived_threshold(np.stack([a, c])) == ex.THRESHOLD_FLOOR
    assert ex.derived_threshold(a[None, :]) == ex.SINGLE_EXAMPLE_THRESHOLD
    assert ex.window_size(["one two", "a b c d e f g h i j k l m n o p q r s t"]) == 11
    wins = ex.windows("w1 w2 w3 w4 w5 w6 w7", 4)
    assert wins == ["w1 w2 w3 w4 w5 w6 w7", "w1 w2 w3 w4", "w3 w4 w5 w6", "w4 w5 w6 w7"]
    assert ex.windows("short text", 4) == ["short text"]


def _conv() -> Conversation:
    lines = [
        ("agent", "Thanks for calling, how can I help?"),
        ("customer", "I moved house and need to change my address to forty two elm road."),
        ("agent", "Okay, so just to be sure, your new address is forty two elm road, is that right?"),
        ("customer", "Yes."),
        ("agent", "Done. Is there anything else I can help you with today?"),
    ]
    utts = tuple(Utterance(i, sp, i * 5.0, i * 5.0 + 4, text) for i, (sp, text) in enumerate(lines))
    return Conversation("c1", utts, 25.0)


def test_example_topics_match_by_meaning_with_evidence():
    card = parse_scorecard(CARD)
    result = score_call(_conv(), [], None, card)
    by = {r.criterion_id: r for r in result.criteria}
    confirm = by["confirms"]
    assert confirm.verdict == "pass"
    ev = confirm.evidence["utterances"]
    # the read-back matches; the closing question (a counter-example) does not
    assert [u["idx"] for u in ev] == [2]
    sim = ev[0]["similarity"]["confirms_details"]
    assert sim >= card.topics["confirms_details"].example.threshold
    assert "forty two elm road" in ev[0]["matched_window"]["confirms_details"].lower()
    assert (
        confirm.evidence["window"]["threshold"]["confirms_details"] == card.topics["confirms_details"].example.threshold
    )
    assert by["more_help"].verdict == "pass" and by["more_help"].evidence["utterances"][0]["idx"] == 4


def test_a_failed_example_criterion_shows_near_misses():
    strict = CARD.replace("  confirms_details:\n", "  confirms_details:\n    threshold: 0.6\n")
    card = parse_scorecard(strict)
    assert card.topics["confirms_details"].example.threshold == 0.6
    utts = list(_conv().utterances)
    utts[2] = Utterance(2, "agent", 10.0, 14.0, "Okay, I have updated the address on your account now.")
    conv = Conversation("c2", tuple(utts), 25.0)
    r = {r.criterion_id: r for r in score_call(conv, [], None, card).criteria}["confirms"]
    assert r.verdict == "fail"
    misses = r.evidence["utterances"]
    assert misses and all(m["role"] == "near_miss" for m in misses)
    sims = [m["similarity"]["confirms_details"] for m in misses]
    assert sims == sorted(sims, reverse=True) and sims[0] < card.topics["confirms_details"].example.threshold
    # min_score on the criterion overrides the topic's threshold
    low = parse_scorecard(
        strict.replace("label: confirms_details\n", "label: confirms_details\n        min_score: 0.05\n")
    )
    assert {r.criterion_id: r for r in score_call(conv, [], None, low).criteria}["confirms"].verdict == "pass"


@pytest.fixture(autouse=True)
def _scorecards_env(monkeypatch):
    """--scorecards sets $QA_PIPELINE_SCORECARDS in the process: restore it after each test."""
    monkeypatch.setenv(SCORECARDS_ENV, "unset")  # records the original value (or its absence) for teardown
    monkeypatch.delenv(SCORECARDS_ENV)


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    return build_review_db(tmp_path_factory.mktemp("rv"), tmp_path_factory.mktemp("clips"))


def _cards_dir(tmp_path: Path) -> Path:
    d = tmp_path / "team-cards"
    d.mkdir()
    (d / "by_example.yaml").write_text(CARD, encoding="utf-8")
    return d  # no flags.yaml: optional


def test_rescore_applies_a_changed_example_card_to_stored_calls(fx, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(fx.db, db)
    cards = _cards_dir(tmp_path)
    r = CliRunner().invoke(app, ["rescore", "--db", str(db), "--scorecard", "by_example", "--scorecards", str(cards)])
    assert r.exit_code == 0, r.output
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT verdict, evidence FROM criterion_results WHERE scorecard_id = 'by_example' AND criterion_id = 'more_help'"
        ).fetchall()
    assert len(rows) == len(fx.calls)
    passed = [json.loads(e) for v, e in rows if v == "pass"]
    assert passed and all("similarity" in e["utterances"][0] for e in passed)
    # a stricter threshold in the card, rescored without audio: fewer passes
    (cards / "by_example.yaml").write_text(
        CARD.replace("  offers_more_help:\n", "  offers_more_help:\n    threshold: 0.99\n"), encoding="utf-8"
    )
    r = CliRunner().invoke(app, ["rescore", "--db", str(db), "--scorecard", "by_example", "--scorecards", str(cards)])
    assert r.exit_code == 0, r.output
    with connect(db, read_only=True) as con:
        after = con.execute(
            "SELECT count(*) FILTER (verdict = 'pass') FROM criterion_results cr JOIN call_scores cs USING (call_id, scorecard_id)"
            " WHERE cr.scorecard_id = 'by_example' AND criterion_id = 'more_help'"
        ).fetchone()[0]
    assert after < len(passed)


def test_scorecard_test_cli_prints_counts_matches_and_misses(fx, tmp_path):
    cards = _cards_dir(tmp_path)
    r = CliRunner().invoke(
        app, ["scorecard", "test", "by_example", "--db", str(fx.db), "--limit", "10", "--scorecards", str(cards)]
    )
    assert r.exit_code == 0, r.output
    assert "scorecard by_example@" in r.output and "on 10 stored call(s)" in r.output
    block = r.output.split("more_help (label_present): ")[1]
    counts = [int(block.split(f"{k} ")[1].split()[0]) for k in ("pass", "fail")]
    assert sum(counts) == 10 and counts[0] > 0
    assert "top matches:" in block and "anything else" in block.lower()
    # nothing was written
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM call_scores WHERE scorecard_id = 'by_example'").fetchone()[0] == 0


def test_scorecards_option_on_list_and_validate(tmp_path):
    cards = _cards_dir(tmp_path)
    r = CliRunner().invoke(app, ["scorecard", "list", "--scorecards", str(cards)])
    assert r.exit_code == 0 and "by_example" in r.output and "customer_service" not in r.output
    r = CliRunner().invoke(app, ["scorecard", "validate", "--scorecards", str(cards)])
    assert r.exit_code == 0 and "by_example.yaml: ok" in r.output
    r = CliRunner().invoke(app, ["scorecard", "list", "--scorecards", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "nope" in r.output


def test_shipped_behaviours_card_is_valid():
    path = Path(__file__).resolve().parent.parent / "docs/examples/scorecards/behaviours_by_example.yaml"
    card = parse_scorecard(path.read_text(encoding="utf-8"))
    for name, topic in card.spec.topics.items():
        assert topic.examples and not topic.phrases and not topic.patterns, name
        assert len(topic.examples) <= 10, name
