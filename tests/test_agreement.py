"""The agreement figures shared by `bench agreement` and the calibration page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa_pipeline.bench_agreement import read_reference, sentiment_class
from qa_pipeline.errors import InputError
from qa_pipeline.scorecard.agreement import criterion_agreement, spearman


def test_agreement_kappa_precision_recall_and_confusion() -> None:
    pairs = [("pass", "pass"), ("pass", "pass"), ("fail", "pass"), ("na", "fail"), ("fail", "fail"), ("pass", "na")]
    a = criterion_agreement("x", pairs)
    assert a.n == 6 and a.agreed == 3 and a.agreement == pytest.approx(0.5)
    assert a.pass_precision == pytest.approx(2 / 3) and a.pass_recall == pytest.approx(2 / 3)
    assert a.confusion[("pass", "fail")] == 1 and a.confusion[("fail", "na")] == 1 and a.confusion[("na", "pass")] == 1
    # Cohen's kappa by hand: po = 0.5; pe = sum over classes of (auto share * reviewer share)
    pe = (3 / 6) * (3 / 6) + (2 / 6) * (2 / 6) + (1 / 6) * (1 / 6)
    assert a.kappa == pytest.approx((0.5 - pe) / (1 - pe))
    assert "pass→fail ×1" in a.confusion_text()


def test_kappa_undefined_when_everything_is_one_verdict() -> None:
    a = criterion_agreement("x", [("pass", "pass")] * 4)
    assert a.agreement == 1.0 and a.kappa is None
    assert criterion_agreement("x", []).agreement is None


def test_spearman_ranks_and_degenerate_cases() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 1], [1, 2, 3]) is None and spearman([1, 2], [1, 2]) is None


def test_reference_file_is_validated(tmp_path: Path) -> None:
    good = tmp_path / "r.jsonl"
    good.write_text(
        json.dumps({"call": "a.wav", "criteria": {"greeting": "pass"}, "overall": 3}) + "\n\n", encoding="utf-8"
    )
    assert read_reference(good)[0].criteria == {"greeting": "pass"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"call": "a.wav", "criteria": {"greeting": "yes"}}) + "\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"bad.jsonl line 1: criterion greeting has verdict 'yes'; write one of pass, fail, na"
    ):
        read_reference(bad)
    assert (
        sentiment_class(0.15) == "positive"
        and sentiment_class(0.0) == "neutral"
        and sentiment_class(-0.4) == "negative"
    )


def test_fleiss_kappa_matches_the_published_example_and_its_limits() -> None:
    from qa_pipeline.scorecard.agreement import fleiss_kappa

    # Fleiss (1971) as worked in the literature: 10 items, 14 raters, 5 categories -> kappa 0.210
    rows = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    cats = [str(i) for i in range(5)]
    items = [[cats[j] for j, n in enumerate(r) for _ in range(n)] for r in rows]
    assert fleiss_kappa(items, cats) == pytest.approx(0.20993, abs=1e-5)
    # Perfect agreement over two categories is 1; one category everywhere or single ratings: undefined.
    assert fleiss_kappa([["pass", "pass", "pass"], ["fail", "fail", "fail"]]) == pytest.approx(1.0)
    assert fleiss_kappa([["pass", "pass"], ["pass", "pass"]]) is None
    assert fleiss_kappa([["pass"], ["fail"]]) is None
    # Systematic disagreement is below zero.
    assert fleiss_kappa([["pass", "fail"], ["fail", "pass"], ["pass", "fail"]]) < 0
    with pytest.raises(ValueError, match="maybe"):
        fleiss_kappa([["pass", "maybe"]])
