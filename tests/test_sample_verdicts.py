"""The bundled sample calls, run through the whole real pipeline, get the verdicts their dialogues were written for.

Each dialogue in samples/dialogues.yaml carries an ``expected`` block (what it was written to show).
This test runs the real flow (Whisper tiny.en, redaction, trained classifiers, the default scorecard)
over samples/calls and compares. ASR on synthetic voices is imperfect, so the checks that decide a
call's fate must match exactly, and the rest must agree in bulk.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from qa_pipeline.paths import samples_dir

pytestmark = pytest.mark.slow

# expected key -> criterion of scorecards/customer_service.yaml (sales.yaml for sc06, same ids where it has them)
CRITERIA = {
    "greeting": "greeting",
    "agent_introduction": "introduction",
    "disclosure": "recording_disclosure",
    "empathy": "empathy",
    "resolution_check": "resolution_check",
    "commitment": "commitment",
    "closing": "closing",
    "active_listening": "active_listening",
}


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> Path:
    from flows.nightly import run_nightly

    db = tmp_path_factory.mktemp("samples") / "qa.duckdb"
    summary = run_nightly(samples_dir() / "calls", db, settle_s=0)
    assert summary.status == "ok", summary.as_text()
    return db


def _expected() -> dict[str, dict]:
    data = yaml.safe_load((samples_dir() / "dialogues.yaml").read_text(encoding="utf-8"))
    dialogues = data["dialogues"] if isinstance(data, dict) else data
    return {d["id"][:4]: d["expected"] for d in dialogues}


def test_sample_calls_get_their_written_verdicts(scored: Path) -> None:
    con = duckdb.connect(str(scored), read_only=True)
    rows = con.execute(
        "SELECT regexp_extract(c.source_path, 'sc[0-9]+'), r.criterion_id, r.verdict, s.auto_failed "
        "FROM criterion_results r JOIN calls c USING (call_id) "
        "JOIN call_scores s ON s.call_id = r.call_id AND s.scorecard_id = r.scorecard_id "
        "WHERE r.scorecard_id IN ('customer_service', 'sales')"
    ).fetchall()
    cards = dict(
        con.execute(
            "SELECT regexp_extract(c.source_path, 'sc[0-9]+'), list(s.scorecard_id ORDER BY s.scorecard_id) "
            "FROM call_scores s JOIN calls c USING (call_id) GROUP BY 1"
        ).fetchall()
    )
    flags = con.execute(
        "SELECT regexp_extract(c.source_path, 'sc[0-9]+'), list(DISTINCT f.rule_id) FROM flags f JOIN calls c USING (call_id) GROUP BY 1"
    ).fetchall()
    con.close()
    verdicts: dict[str, dict[str, str]] = {}
    auto_failed: dict[str, bool] = {}
    for call, criterion, verdict, failed in rows:
        verdicts.setdefault(call, {})[criterion] = verdict
        auto_failed[call] = failed
    flagged = {call: set(rules) for call, rules in flags}
    expected = _expected()
    assert set(verdicts) == set(expected), "every sample call is scored"
    # targeting: the outbound sales call gets the sales card, the rest the default card, none collections
    assert cards.pop("sc06") == ["sales"]
    assert all(c == ["customer_service"] for c in cards.values()), cards

    mismatches: list[str] = []
    checks = 0
    for call, exp in expected.items():
        # decisive checks: exact
        assert auto_failed[call] == bool(exp["prohibited_language"]), f"{call}: auto-fail for prohibited language"
        assert ("escalation_requested" in flagged.get(call, set())) == bool(exp["escalation"]), (
            f"{call}: escalation flag"
        )
        assert (verdicts[call]["recording_disclosure"] == "pass") == bool(exp["disclosure"]), (
            f"{call}: recording disclosure"
        )
        # the rest: in bulk
        for key, criterion in CRITERIA.items():
            if exp.get(key) is None or verdicts[call].get(criterion, "na") == "na":
                continue
            checks += 1
            if (verdicts[call][criterion] == "pass") != bool(exp[key]):
                mismatches.append(f"{call}:{criterion}={verdicts[call][criterion]} (written: {exp[key]})")
    assert checks >= 50
    print(f"sample-call verdict agreement: {checks - len(mismatches)}/{checks}; mismatches: {mismatches}")
    assert len(mismatches) <= 0.15 * checks, mismatches


def test_card_number_read_out_never_reaches_the_database(scored: Path) -> None:
    """sc04: the customer reads 4111 1111 1111 1111 aloud; no digit run of it is stored anywhere."""
    import re

    card = _expected()["sc04"]["card_number_spoken"]
    con = duckdb.connect(str(scored), read_only=True)
    call_id = con.execute("SELECT call_id FROM calls WHERE source_path LIKE '%sc04%'").fetchone()[0]
    texts = [r[0] for r in con.execute("SELECT text FROM utterances WHERE call_id = ?", [call_id]).fetchall()]
    words = [
        r[0] for r in con.execute("SELECT unnest(words).text FROM utterances WHERE call_id = ?", [call_id]).fetchall()
    ]
    spans = con.execute("SELECT pii_type FROM redactions WHERE call_id = ?", [call_id]).fetchall()
    evidence = " ".join(
        r[0] for r in con.execute("SELECT evidence FROM criterion_results WHERE call_id = ?", [call_id]).fetchall()
    )
    con.close()
    assert ("CARD",) in spans
    assert any("[CARD]" in t for t in texts)
    # digits left in any one utterance (text or words), run together as a leaked card would be
    per_utterance = [re.sub(r"\D", "", t) for t in texts] + [re.sub(r"\D", "", " ".join(words))]
    for group in {card[i : i + 4] for i in range(0, 16, 4)}:
        assert not any(group in d for d in per_utterance), group
    assert card[:4] not in evidence and card[:4] not in "".join(texts)
