"""``qa-pipeline redact`` and ``qa-pipeline bench redact`` through the real CLI app."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from qa_pipeline.cli import app
from qa_pipeline.redact.evaluate import default_eval_path, evaluate, load_eval_set

runner = CliRunner()


def test_redact_reads_stdin_and_prints_redacted_lines() -> None:
    lines = "Agent: can I get the card number?\nCustomer: sure 4532 0151\nAgent: okay\nCustomer: 1283 0366\n"
    res = runner.invoke(app, ["redact"], input=lines)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "Agent: can I get the card number?",
        "Customer: sure [CARD]",
        "Agent: okay",
        "Customer: [CARD]",
    ]


def test_redact_reads_a_file_with_types_and_summary(tmp_path: Path) -> None:
    f = tmp_path / "t.txt"
    f.write_text("call me on 555-203-4471, card 4111 1111 1111 1111\n", encoding="utf-8")
    res = runner.invoke(app, ["redact", str(f), "--types", "PHONE", "--summary"])
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0] == "call me on [PHONE], card 4111 1111 1111 1111"
    assert "PHONE 1" in res.stderr


def test_redact_errors_are_clean(tmp_path: Path) -> None:
    res = runner.invoke(app, ["redact", str(tmp_path / "missing.txt")])
    assert res.exit_code != 0 and "no such file" in res.stderr and "Traceback" not in res.output
    res = runner.invoke(app, ["redact", "--types", "CARD,PASSPORT"], input="x\n")
    assert res.exit_code == 2 and "PASSPORT" in res.stderr


def test_bench_redact_prints_recall_and_false_rate(tmp_path: Path) -> None:
    f = tmp_path / "set.tsv"
    f.write_text(
        "id\tsource\tcategory\tdialogue\n"
        "1\thand\tpii\tA: The security code? || C: <CVV>seven two nine</CVV>.\n"
        "2\thand\tpii\tC: My card is <CARD>4111 1111 1111 1111</CARD>.\n"
        "3\thand\tclean\tC: Order 4521 8876 3310 cost $49.99.\n"
        "4\thand\tclean\tC: I paid at 3:30.\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["bench", "redact", "--set", str(f), "--repeat", "3", "--min-seconds", "0"])
    assert res.exit_code == 0, res.output
    assert "CVV" in res.stdout and "100.0%" in res.stdout
    assert "false redactions: 0/2" in res.stdout
    assert "lines/s" in res.stdout
    assert "3 runs)" in res.stdout and "load average before" in res.stdout


def test_labelled_set_meets_the_targets() -> None:
    """≥ 98 % recall on card numbers and SSNs, ≤ 1 % of look-alikes altered (docs/redaction.md)."""
    cases = load_eval_set(default_eval_path())
    assert len(cases) >= 600
    report = evaluate(cases)
    assert report.total["CARD"] >= 90 and report.total["SSN"] >= 50
    assert report.recall("CARD") >= 0.98, report.missed
    assert report.recall("SSN") >= 0.98, report.missed
    for t in report.total:
        assert report.recall(t) >= 0.9, (t, report.missed)
    assert report.clean_total >= 300
    assert report.false_redaction_rate <= 0.01, report.altered
