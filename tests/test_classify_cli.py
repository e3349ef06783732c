"""The classifier's CLI commands, and training end to end on a small data set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qa_pipeline.classify.result import LABELS
from qa_pipeline.cli import app

runner = CliRunner()


def test_classify_reads_stdin_and_prints_json_lines() -> None:
    result = runner.invoke(
        app, ["classify"], input="Thank you for calling, my name is Ana.\n\nI want to speak to your manager!\n"
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == [
        "Thank you for calling, my name is Ana.",
        "I want to speak to your manager!",
    ]
    for r in records:
        assert set(r) == {"text", "sentiment", "sentiment_score", "labels", "detected"}
        assert list(r["labels"]) == list(LABELS)
    assert "agent_introduction" in records[0]["detected"]
    assert "escalation_request" in records[1]["detected"]


def test_classify_file_with_explain(tmp_path: Path) -> None:
    src = tmp_path / "lines.txt"
    src.write_text("that's bullshit\nWould you mind if I put you on hold for a minute?\n", encoding="utf-8")
    result = runner.invoke(app, ["classify", str(src), "--explain"])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["evidence"]["matches"][0]["matched"] == "bullshit"
    assert "prohibited_language" in first["detected"]
    assert any(m["label"] == "hold_request" for m in second["evidence"]["matches"])


def test_classify_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["classify", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "Error:" in result.output and "nope.txt" in result.output
    result = runner.invoke(app, ["classify", "--precision", "float16"], input="hi\n")
    assert result.exit_code == 2 and "float16" in result.output


def test_reclassify_command(db_path: Path) -> None:
    from classify_fixture import store_calls

    store_calls(db_path)
    result = runner.invoke(app, ["reclassify", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "reclassified 2 call(s), 6 utterance(s)" in result.output
    again = runner.invoke(app, ["reclassify", "--db", str(db_path), "--stale"])
    assert "reclassified 0 call(s)" in again.output
    both = runner.invoke(app, ["reclassify", "--db", str(db_path), "--all", "--stale"])
    assert both.exit_code == 2
    missing = runner.invoke(app, ["reclassify", "--db", str(db_path.parent / "none.duckdb")])
    assert missing.exit_code == 1 and "does not exist" in missing.output


SMALL_SLOTS = "slots:\n  name: [Sam, Ana, Raj, Lena, Tom, Mia]\n  thing: [bill, router, order, card, plan, phone]\n"
SMALL_LABELS = """
groups:
  - labels: [greeting]
    n: 6
    templates: ["hello, thanks for calling, this is {name}", "good morning, {name} speaking"]
  - labels: [apology]
    n: 6
    templates: ["sorry about the {thing}", "I apologize for the problem with your {thing}"]
  - labels: []
    n: 6
    templates: ["your {thing} ships today", "the {thing} costs ten dollars"]
"""
SMALL_SENTIMENT = """
groups:
  - sentiment: positive
    labels: []
    n: 6
    templates: ["I love my new {thing}", "thanks {name}, that was great"]
  - sentiment: negative
    labels: []
    n: 6
    templates: ["my {thing} is broken again", "{name} was rude about my {thing}"]
  - sentiment: neutral
    labels: []
    n: 6
    templates: ["my {thing} number is [ACCOUNT]", "what time does {name} start?"]
"""


def _small_training(root: Path) -> Path:
    (root / "labels").mkdir(parents=True)
    (root / "sentiment").mkdir()
    (root / "slots.yaml").write_text(SMALL_SLOTS, encoding="utf-8")
    (root / "labels" / "small.yaml").write_text(SMALL_LABELS, encoding="utf-8")
    (root / "sentiment" / "small.yaml").write_text(SMALL_SENTIMENT, encoding="utf-8")
    return root


def test_train_end_to_end_is_reproducible(tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    from qa_pipeline.classify import Classifier
    from qa_pipeline.classify.train import TrainOptions, train

    root = _small_training(tmp_path / "training")
    runs = []
    for out in ("a", "b"):
        report = train(TrainOptions(training_root=root, output_dir=tmp_path / out, use_cache=False, folds=3))
        runs.append(report)
        for name in ("heads.safetensors", "labels.yaml", "metrics.json", "MODEL_CARD.md", "prohibited_lexicon.yaml"):
            assert (tmp_path / out / name).is_file()
    a, b = (json.loads((tmp_path / out / "metrics.json").read_text()) for out in ("a", "b"))
    assert a["heldout"] == b["heldout"] and a["version"] == b["version"] == runs[0].version
    wa, wb = load_file(str(tmp_path / "a" / "heads.safetensors")), load_file(str(tmp_path / "b" / "heads.safetensors"))
    assert all(np.array_equal(wa[k], wb[k]) for k in wa)
    card = (tmp_path / "a" / "MODEL_CARD.md").read_text()
    assert runs[0].version in card and "Held-out metrics" in card
    clf = Classifier(tmp_path / "a")
    assert clf.version == runs[0].version
    assert "apology" in clf.classify(["I apologize for the problem with your bill"])[0].detected


@pytest.mark.slow
def test_train_command_rebuilds_the_shipped_classifier(tmp_path: Path) -> None:
    """The committed weights are what `qa-pipeline train` produces (same seed -> same held-out metrics)."""
    from qa_pipeline.paths import models_dir

    result = runner.invoke(app, ["train", "--output", str(tmp_path / "clf")])
    assert result.exit_code == 0, result.output
    shipped = json.loads((models_dir() / "classifier" / "metrics.json").read_text())
    rebuilt = json.loads((tmp_path / "clf" / "metrics.json").read_text())
    assert rebuilt["training_data_digest"] == shipped["training_data_digest"]
    assert rebuilt["heldout"]["sentiment_macro_f1"] == pytest.approx(shipped["heldout"]["sentiment_macro_f1"], abs=2e-3)
    assert rebuilt["heldout"]["labels_macro_f1"] == pytest.approx(shipped["heldout"]["labels_macro_f1"], abs=5e-3)


def test_bench_runs_on_a_small_copy_of_the_formats(tmp_path: Path) -> None:
    """The bench code path on tiny files in the measuring formats (written here, not the outside data)."""
    from qa_pipeline.classify import load_classifier
    from qa_pipeline.classify.evaluate import bench_classify

    data = tmp_path / "data"
    (data / "sentiment").mkdir(parents=True)
    (data / "compliance").mkdir()
    (data / "sentiment" / "airline_tweets_dev.csv").write_text(
        "text,label,confidence\n"
        "@SkywardAir thank you so much for the quick rebooking!,positive,1\n"
        "@SkywardAir my bag is lost again and nobody answers,negative,1\n"
        "@SkywardAir what time does boarding start for the Denver flight?,neutral,1\n",
        encoding="utf-8",
    )
    (data / "sentiment" / "sst2_dev.tsv").write_text(
        "sentence\tlabel\na warm and wonderful little film \t1\na dull , lifeless mess \t0\n", encoding="utf-8"
    )
    (data / "compliance" / "offensive_tweets_dev.csv").write_text(
        "text,label\nthis is fucking stupid,offensive\nwhat a lovely morning,neither\n", encoding="utf-8"
    )
    report = bench_classify(load_classifier(), shared=data, min_seconds=0.2)
    assert report.throughput_runs >= 1
    assert report.utterances_per_s_low <= report.utterances_per_s <= report.utterances_per_s_high
    assert report.airline_n == 3 and report.sst2_n == 2 and report.offensive_n == 1
    assert report.airline_macro_f1 == 1.0 and report.sst2_accuracy == 1.0 and report.offensive_recall == 1.0
    assert report.offensive_neither_flagged == 0.0
    assert report.clean_n >= 300 and report.clean_fpr <= 0.02
    assert report.utterances_per_s > 0
    assert any("aim" in line for line in report.lines())


def test_bench_ceiling_cross_validates_on_the_measuring_format(tmp_path: Path) -> None:
    """`bench classify --ceiling` refits the sentiment head per fold on the file itself (lines written here)."""
    from qa_pipeline.classify import load_classifier
    from qa_pipeline.classify.evaluate import bench_ceiling
    from qa_pipeline.errors import InputError

    good = [
        "what a lovely flight, thank you",
        "the crew were wonderful and kind",
        "great service today, thanks so much",
        "loved the new seats, really comfortable",
        "brilliant help from your agent, thank you",
    ]
    bad = [
        "my bag is lost and nobody answers",
        "worst delay ever, three hours on the tarmac",
        "rude staff and a filthy cabin",
        "you cancelled my flight again, awful",
        "terrible service, I want a refund",
    ]
    neutral = [
        "what time does boarding start for flight 22",
        "is there wifi on the denver route",
        "sent you my booking number",
        "flying to boston on friday morning",
        "how many bags can I check on a basic fare",
    ]
    data = tmp_path / "data"
    (data / "sentiment").mkdir(parents=True)
    rows = (
        [f'"{t}",positive,1' for t in good] + [f'"{t}",negative,1' for t in bad] + [f'"{t}",neutral,1' for t in neutral]
    )
    (data / "sentiment" / "airline_tweets_dev.csv").write_text(
        "text,label,confidence\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    sst = [f"{t}\t1" for t in good] + [f"{t}\t0" for t in bad]
    (data / "sentiment" / "sst2_dev.tsv").write_text("sentence\tlabel\n" + "\n".join(sst) + "\n", encoding="utf-8")
    report = bench_ceiling(load_classifier(), shared=data, folds=5, curve=True)
    assert report.airline_n == 15 and report.sst2_n == 10
    assert set(report.sst2) == set(report.airline) and len(report.sst2) >= 2
    assert max(report.sst2.values()) >= 0.8  # ten plainly separable lines
    assert "nothing is saved" in report.lines()[0]
    assert [n for n, _ in report.curve["SST-2 dev"]] == [2, 2, 4, 8]  # shares of the 8 training rows per fold
    assert all(0.0 <= v <= 1.0 for points in report.curve.values() for _, v in points)
    assert any(line.startswith("learning curve") for line in report.lines())
    with pytest.raises(InputError, match="at least 2"):
        bench_ceiling(load_classifier(), shared=data, folds=1)


def test_bench_curve_needs_ceiling() -> None:
    result = runner.invoke(app, ["bench", "classify", "--curve"])
    assert result.exit_code == 2 and "--curve goes with --ceiling" in result.output
