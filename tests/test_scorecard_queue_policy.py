"""Criteria a queue has no policy for are N/A by configuration (``na_when: queues``), not failed.

The bundled product cards name no customer's queue; the hvb-dev devtool writes its own measuring copy
of the scorecards with the bank queue's policy (``hvb_dev.write_scorecards``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from scorecard_dialogues import GOOD_CALL, build

from qa_pipeline import hvb_dev
from qa_pipeline.errors import ConfigError
from qa_pipeline.paths import scorecards_dir
from qa_pipeline.scorecard import compute_metrics, load_scorecard, score_call, validate_file

CARD = """\
id: policy
title: Queue policy
sections:
  - id: compliance
    weight: 50
    criteria:
      - id: disclosure
        kind: label_present
        label: recording_disclosure
        speaker: agent
        na_when:
          - queues: [bank-line]
        points: 10
  - id: opening
    weight: 50
    criteria:
      - id: greeting
        kind: label_present
        label: greeting
        speaker: agent
        points: 5
"""

# the good call without its disclosure: the disclosure criterion fails wherever it applies
NO_DISCLOSURE = [
    t if "recorded" not in t[3] else (*t[:3], "My name is Priya.", "agent_introduction") for t in GOOD_CALL
]


def _score(tmp_path: Path, queue: str | None):
    path = tmp_path / "policy.yaml"
    path.write_text(CARD, encoding="utf-8")
    conv, labs = build(NO_DISCLOSURE)
    conv = replace(conv, queue=queue)
    return score_call(conv, labs, compute_metrics(conv, labs), load_scorecard(path))


def test_a_criterion_is_na_for_the_configured_queue_and_leaves_the_denominator(tmp_path: Path) -> None:
    bank = _score(tmp_path, "bank-line")
    (disclosure,) = [c for c in bank.criteria if c.criterion_id == "disclosure"]
    assert disclosure.verdict == "na" and "by configuration" in disclosure.reason
    assert disclosure.evidence["na"] == {"queues": ["bank-line"], "queue": "bank-line"}
    assert bank.score == 100.0  # its section has no applicable criterion: its weight leaves the denominator
    other = _score(tmp_path, "billing")
    assert {c.criterion_id: c.verdict for c in other.criteria} == {"disclosure": "fail", "greeting": "pass"}
    assert other.score == 50.0
    assert {c.criterion_id: c.verdict for c in _score(tmp_path, None).criteria}["disclosure"] == "fail"


@pytest.mark.parametrize(
    ("queues", "message"),
    [
        ("bank-line", "[sections -> 0 -> criteria -> 0 -> na_when -> 0 -> queues]"),
        ("['']", "[sections -> 0 -> criteria -> 0 -> na_when -> 0 -> queues -> 0]"),
    ],
)
def test_a_bad_queue_list_is_reported_with_its_path(tmp_path: Path, queues: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(CARD.replace("queues: [bank-line]", f"queues: {queues}"), encoding="utf-8")
    (problem,) = validate_file(path)
    assert problem.startswith(f"{path}: {message}"), problem


def test_the_product_cards_name_no_customer_queue() -> None:
    for path in sorted(scorecards_dir().glob("*.yaml")):
        assert hvb_dev.QUEUE not in path.read_text(encoding="utf-8"), path


def test_hvb_dev_writes_a_measuring_copy_with_the_bank_queue_policy(tmp_path: Path) -> None:
    out = hvb_dev.write_scorecards(tmp_path / "cards")
    assert sorted(p.name for p in out.glob("*.yaml")) == sorted(p.name for p in scorecards_dir().glob("*.yaml"))
    card = load_scorecard(out / "customer_service.yaml")
    na = {c.id: c.na_when for s in card.spec.sections for c in s.criteria}
    for cid in hvb_dev.QUEUE_POLICY["customer_service"]:
        assert any(n.queues == [hvb_dev.QUEUE] for n in na[cid]), cid
    assert not any(
        n.queues for cid, conds in na.items() if cid not in hvb_dev.QUEUE_POLICY["customer_service"] for n in conds
    )
    sections = {s.id: s for s in card.spec.sections}
    assert sections["recorded_only"].weight == 0
    assert [c.id for c in sections["recorded_only"].criteria] == ["identity_verification"]
    assert sections["closing"].weight == hvb_dev.SECTION_WEIGHTS["customer_service"]["closing"]
    conv, labs = build(GOOD_CALL)
    scored = score_call(replace(conv, queue=hvb_dev.QUEUE), labs, compute_metrics(conv, labs), card)
    verdicts = {c.criterion_id: c.verdict for c in scored.criteria}
    assert verdicts["recording_disclosure"] == verdicts["speaking_rate"] == "na"
    assert verdicts["identity_verification"] == "pass" and scored.score == 100.0
    # recorded, not scored: a failed identity verification leaves the call score where it was
    no_id = score_call(
        replace(conv, queue=hvb_dev.QUEUE),
        [replace(lab, detected=tuple(d for d in lab.detected if d != "identity_verification")) for lab in labs],
        compute_metrics(conv, labs),
        card,
    )
    assert {c.criterion_id: c.verdict for c in no_id.criteria}["identity_verification"] == "fail"
    assert no_id.score == 100.0
    # a policy naming a criterion the card does not have is an error that names it
    src = tmp_path / "src"
    src.mkdir()
    doc = yaml.safe_load((scorecards_dir() / "customer_service.yaml").read_text(encoding="utf-8"))
    doc["sections"] = [s for s in doc["sections"] if s["id"] != "compliance"]
    (src / "customer_service.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ConfigError, match="'recording_disclosure'"):
        hvb_dev.write_scorecards(tmp_path / "cards2", src)


def test_the_recorded_figures_keep_only_disagreements_and_no_call_text() -> None:
    crit = {"criterion_id": "closing", "agreement": 0.86666, "kappa": None, "n": 15}
    report = {
        "calls": 15,
        "mean_agreement": 0.95555,
        "spearman_overall": 0.28571,
        "criteria": [{**crit, "confusion": {"pass->pass": 13, "pass->fail": 2, "fail->na": 0}}],
        "sentiment": {"agreement": 1.0, "confusion": {"positive->positive": 15}},
        "missing": ["x.transcript.json"],
    }
    doc = hvb_dev.agreement_record({"measure": report}, "cmd")
    assert doc["measure"] == {
        "calls": 15,
        "mean_agreement": 0.9556,
        "spearman_overall": 0.2857,
        "end_sentiment_agreement": 1.0,
        "end_sentiment_confusion": {},
        "criteria": {"closing": {"agreement": 0.8667, "kappa": None, "confusion": {"pass->fail": 2}}},
    }
    assert doc["command"] == "cmd" and "transcript" not in str(doc)
