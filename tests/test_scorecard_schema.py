"""Strict validation of scorecard and flag-rule files, versions, and the scorecard CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from qa_pipeline.cli import app
from qa_pipeline.errors import ConfigError, NotFoundError
from qa_pipeline.paths import scorecards_dir
from qa_pipeline.scorecard import (
    find_scorecard,
    load_flag_rules,
    load_scorecard,
    load_scorecards,
    parse_scorecard,
    validate_file,
)

BUNDLED = sorted(scorecards_dir().glob("*.yaml"))

MINIMAL = """\
id: mini
title: Minimal
sections:
  - id: s
    weight: 1
    criteria:
      - id: greet
        kind: label_present
        label: greeting
        points: 5
"""


def write(tmp_path: Path, text: str, name: str = "card.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_files_are_valid():
    names = {p.name for p in BUNDLED}
    assert {"customer_service.yaml", "flags.yaml"} <= names and ({"collections.yaml", "sales.yaml"} & names)
    for p in BUNDLED:
        assert validate_file(p) == [], p
    cards = load_scorecards()
    assert "customer_service" in {c.id for c in cards}
    assert len(load_flag_rules().rules) >= 5


def test_default_scorecard_covers_the_skills_of_the_trade():
    card = find_scorecard("customer_service")
    crits = {c.id: c for s in card.spec.sections for c in s.criteria}
    labels = {getattr(c, "label", None) for c in crits.values()}
    for needed in (
        "greeting",
        "agent_introduction",
        "recording_disclosure",
        "identity_verification",
        "active_listening",
        "empathy",
        "resolution_check",
        "closing",
        "prohibited_language",
        "hold_request",
    ):
        assert needed in labels, needed
    assert crits["prohibited_language"].auto_fail
    assert crits["identity_verification"].before == "account_details"
    assert any(getattr(c, "metric", None) == "agent_interruptions_of_negative_customer" for c in crits.values())
    assert any(c.kind == "sentiment" for c in crits.values())


def test_unknown_key_names_file_path_and_fix(tmp_path):
    p = write(tmp_path, MINIMAL.replace("points: 5", "pionts: 5"))
    msgs = validate_file(p)
    assert f"{p}: [sections -> 0 -> criteria -> 0 -> pionts] unknown key 'pionts' (did you mean 'points'?)" in msgs[
        0
    ] or any(
        m.startswith(f"{p}: [sections -> 0 -> criteria -> 0 -> pionts] unknown key 'pionts' (did you mean 'points'?)")
        for m in msgs
    )
    assert any(
        m == f"{p}: [sections -> 0 -> criteria -> 0 -> points] required key 'points' is missing; add it" for m in msgs
    )
    with pytest.raises(ConfigError) as exc:
        load_scorecard(p)
    assert "pionts" in str(exc.value)


def test_top_level_unknown_key_and_wrong_type(tmp_path):
    p = write(tmp_path, MINIMAL + "colour: blue\n")
    assert any("[colour] unknown key 'colour'" in m for m in validate_file(p))
    p2 = write(tmp_path, MINIMAL.replace("weight: 1", "weight: heavy"), "w.yaml")
    (msg,) = validate_file(p2)
    assert msg.startswith(f"{p2}: [sections -> 0 -> weight]") and "'heavy'" in msg


def test_semantic_errors_unknown_label_metric_duplicate_ids(tmp_path):
    text = (
        MINIMAL.replace("label: greeting", "label: greting")
        + """\
      - id: greet
        kind: metric
        metric: talk_ratio
        max: 1
        points: 1
"""
    )
    msgs = validate_file(write(tmp_path, text))
    joined = "\n".join(msgs)
    assert (
        "[sections -> 0 -> criteria -> 0 -> label] unknown label or topic 'greting' (did you mean 'greeting'?)"
        in joined
    )
    assert "[sections -> 0 -> criteria -> 1 -> id] duplicate criterion id 'greet'" in joined
    assert "[sections -> 0 -> criteria -> 1 -> metric] unknown metric 'talk_ratio'" in joined


def test_unknown_kind_bad_na_condition_and_regex(tmp_path):
    text = MINIMAL.replace("kind: label_present", "kind: label_somewhere")
    (msg,) = validate_file(write(tmp_path, text))
    assert "[sections -> 0 -> criteria -> 0] unknown kind 'label_somewhere'" in msg
    text2 = (
        MINIMAL
        + """\
        na_when:
          - no_hold: true
            absent: greeting
"""
    )
    (msg2,) = validate_file(write(tmp_path, text2, "b.yaml"))
    assert "[sections -> 0 -> criteria -> 0 -> na_when -> 0] give exactly one of" in msg2
    text3 = MINIMAL + "topics:\n  acct:\n    patterns: ['[unclosed']\n"
    (msg3,) = validate_file(write(tmp_path, text3, "c.yaml"))
    assert "[topics -> acct -> patterns -> 0] invalid regular expression" in msg3


def test_duplicate_yaml_keys_and_syntax_errors(tmp_path):
    p = write(tmp_path, "id: a\nid: b\ntitle: x\n")
    (msg,) = validate_file(p)
    assert msg.startswith(f"{p}: [line 2, column 1]") and "duplicate key 'id'" in msg
    p2 = write(tmp_path, "id: a\n  title: [\n", "s.yaml")
    (msg2,) = validate_file(p2)
    assert msg2.startswith(f"{p2}: [line ") and "invalid YAML" in msg2
    (msg4,) = validate_file(write(tmp_path, MINIMAL.replace("id: mini", "id: off"), "o.yaml"))
    assert msg4.startswith(f"{tmp_path / 'o.yaml'}: [id]") and "put the value in quotes" in msg4
    p3 = write(tmp_path, "", "e.yaml")
    assert "empty" in validate_file(p3)[0]


def test_zero_points_only_for_auto_fail_and_metric_bounds(tmp_path):
    (msg,) = validate_file(write(tmp_path, MINIMAL.replace("points: 5", "points: 0")))
    assert "points must be > 0 unless the criterion is auto_fail" in msg
    ok = MINIMAL.replace("points: 5", "points: 0\n        auto_fail: true")
    assert validate_file(write(tmp_path, ok, "ok.yaml")) == []
    bad_metric = MINIMAL.replace(
        "kind: label_present\n        label: greeting", "kind: metric\n        metric: agent_wpm"
    )
    (m2,) = validate_file(write(tmp_path, bad_metric, "m.yaml"))
    assert "needs 'min' and/or 'max'" in m2


def test_flag_rules_validation(tmp_path):
    p = write(tmp_path, "rules:\n  - id: x\n    kind: label_detected\n    label: escalation\n", "flags.yaml")
    (msg,) = validate_file(p)
    assert "[rules -> 0 -> label] unknown label 'escalation' (did you mean 'escalation_request'?)" in msg
    p2 = write(tmp_path, "rules:\n  - id: x\n    kind: score_below\n    treshold: 50\n", "more_flags.yaml")
    msgs = validate_file(p2)
    assert any("[rules -> 0 -> treshold] unknown key 'treshold' (did you mean 'threshold'?)" in m for m in msgs)


def test_version_ignores_formatting_but_not_content():
    a = parse_scorecard(MINIMAL)
    reformatted = "# a comment\n" + MINIMAL.replace("title: Minimal", "title: 'Minimal'").replace(
        "        points: 5", "        points: 5.0\n        speaker: agent"
    )
    assert parse_scorecard(reformatted).version == a.version  # quoting, comments, spelt-out defaults
    assert parse_scorecard(MINIMAL + "active: false\n").version == a.version  # switching off is not content
    assert parse_scorecard(MINIMAL.replace("points: 5", "points: 6")).version != a.version
    assert parse_scorecard(MINIMAL.replace("label: greeting", "label: closing")).version != a.version
    assert len(a.version) == 16


def test_active_flag_and_unique_ids(tmp_path):
    write(tmp_path, MINIMAL, "a.yaml")
    write(tmp_path, MINIMAL.replace("id: mini", "id: dormant") + "active: false\n", "b.yaml")
    shutil.copy(scorecards_dir() / "flags.yaml", tmp_path / "flags.yaml")
    assert [c.id for c in load_scorecards(tmp_path)] == ["mini"]
    assert [c.id for c in load_scorecards(tmp_path, include_inactive=True)] == ["dormant", "mini"]
    assert find_scorecard("dormant", tmp_path).active is False
    with pytest.raises(NotFoundError):
        find_scorecard("nope", tmp_path)
    write(tmp_path, MINIMAL, "c.yaml")
    with pytest.raises(ConfigError, match="ids must be unique"):
        load_scorecards(tmp_path)


def test_cli_validate_exit_codes(tmp_path):
    runner = CliRunner()
    good = runner.invoke(app, ["scorecard", "validate", *map(str, BUNDLED)])
    assert good.exit_code == 0, good.output
    assert good.output.count(": ok") == len(BUNDLED)
    bad = write(tmp_path, MINIMAL.replace("points: 5", "pionts: 5"))
    res = runner.invoke(app, ["scorecard", "validate", str(BUNDLED[0]), str(bad)])
    assert res.exit_code == 2
    assert "pionts" in res.output and "1 of 2 file(s) invalid" in res.output


def test_cli_list():
    res = CliRunner().invoke(app, ["scorecard", "list"])
    assert res.exit_code == 0, res.output
    card = find_scorecard("customer_service")
    assert "customer_service" in res.output and card.version in res.output


def test_bundled_yaml_has_no_unused_topics():
    for p in BUNDLED:
        if p.name == "flags.yaml":
            continue
        doc = yaml.safe_load(p.read_text())
        used = {v for s in doc["sections"] for c in s["criteria"] for k, v in c.items() if k in ("label", "before")} | {
            n.get(k)
            for s in doc["sections"]
            for c in s["criteria"]
            for n in c.get("na_when", [])
            for k in ("absent", "present", "unless_present")
        }
        for topic in doc.get("topics", {}):
            assert topic in used, f"{p.name}: topic {topic} is never used"
