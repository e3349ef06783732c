"""The bundled sample calls get the verdicts their dialogues were written for.

Each dialogue in samples/dialogues.yaml carries an ``expected`` block (what it was written to show).
Two checks, one per source of error:

* the lines as written (transcript files with the rendered times, no ASR): classifiers, metrics and the
  cards alone. Every decisive check (auto-fail, escalation flag, recording disclosure) must match and
  at most WRITTEN_MISS_SHARE of the rest may differ. Measured: 70/75, no decisive miss, the same with
  the classifier in bfloat16 and in float32.
* the whole real flow from audio (Whisper tiny.en, redaction, classifiers, cards). Whisper's int8
  arithmetic rounds differently on different CPUs, and on synthetic voices the beam search then
  picks other words: measured on one Intel Xeon with the CPU features forced down, 63/65/60/65 of 75
  agree (AMX / AVX-512 / AVX2 / the bfloat16 encoder) and sc08's "supervisor" is heard as "supermimer" or
  "food vermimer" in three of the four, losing the escalation flag. The bounds admit that spread and no more: one
  decisive miss, AUDIO_MISS_SHARE of the rest. Reversed roles fail far more: on the written lines with
  agent and customer swapped, 9 decisive checks miss and 48 of 73 others differ.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from qa_pipeline.devtools.samples import load_timelines
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
WRITTEN_MISS_SHARE = 0.10
AUDIO_DECISIVE_MISSES = 1
AUDIO_MISS_SHARE = 0.25


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> Path:
    from flows.nightly import run_nightly

    db = tmp_path_factory.mktemp("samples") / "qa.duckdb"
    summary = run_nightly(samples_dir() / "calls", db, settle_s=0)
    assert summary.status == "ok", summary.as_text()
    return db


@pytest.fixture(scope="module")
def scored_text(tmp_path_factory: pytest.TempPathFactory, prefect_harness) -> Path:
    """The same ten calls as transcript files: the lines as written, with the times they were rendered at.

    No ASR, so what this scores does not depend on how a CPU rounds Whisper's int8 arithmetic.
    """
    from flows.nightly import run_nightly

    folder = tmp_path_factory.mktemp("sample-text")
    with (samples_dir() / "calls" / "manifest.csv").open(encoding="utf-8") as fh:
        metadata = {row.pop("file").rsplit(".", 1)[0]: row for row in csv.DictReader(fh)}
    for name, call in load_timelines(samples_dir() / "calls").items():
        turns = [{k: t[k] for k in ("speaker", "text", "start_s", "end_s")} for t in call["turns"]]
        doc = {"turns": turns, **{k: v for k, v in metadata[name].items() if v}}
        (folder / f"{name}.transcript.json").write_text(json.dumps(doc), encoding="utf-8")
    db = tmp_path_factory.mktemp("sample-text-db") / "qa.duckdb"
    summary = run_nightly(folder, db, settle_s=0)
    assert summary.status == "ok", summary.as_text()
    return db


def _expected() -> dict[str, dict]:
    data = yaml.safe_load((samples_dir() / "dialogues.yaml").read_text(encoding="utf-8"))
    dialogues = data["dialogues"] if isinstance(data, dict) else data
    return {d["id"][:4]: d["expected"] for d in dialogues}


@dataclass(frozen=True)
class Agreement:
    """How a scored database agrees with what the sample dialogues were written to show."""

    cards: dict[str, list[str]]
    decisive_misses: list[str]  # auto-fail, escalation flag, recording disclosure: they decide a call's fate
    misses: list[str]  # the other criteria, counted in bulk
    checks: int

    def as_text(self) -> str:
        return (
            f"decisive checks missed: {self.decisive_misses or 'none'}; "
            f"other criteria: {self.checks - len(self.misses)}/{self.checks} agree; misses: {self.misses}"
        )


def _agreement(db: Path) -> Agreement:
    con = duckdb.connect(str(db), read_only=True)
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

    decisive: list[str] = []
    misses: list[str] = []
    checks = 0
    for call, exp in expected.items():
        if auto_failed[call] != bool(exp["prohibited_language"]):
            decisive.append(f"{call}: auto-fail={auto_failed[call]} (written: {exp['prohibited_language']})")
        if ("escalation_requested" in flagged.get(call, set())) != bool(exp["escalation"]):
            decisive.append(f"{call}: escalation flag (written: {exp['escalation']})")
        if (verdicts[call]["recording_disclosure"] == "pass") != bool(exp["disclosure"]):
            decisive.append(f"{call}: recording_disclosure={verdicts[call]['recording_disclosure']}")
        for key, criterion in CRITERIA.items():
            if exp.get(key) is None or verdicts[call].get(criterion, "na") == "na":
                continue
            checks += 1
            if (verdicts[call][criterion] == "pass") != bool(exp[key]):
                misses.append(f"{call}:{criterion}={verdicts[call][criterion]} (written: {exp[key]})")
    return Agreement(cards=cards, decisive_misses=decisive, misses=misses, checks=checks)


def _assert_targeting(agreement: Agreement) -> None:
    # the outbound sales call gets the sales card, the rest the default card, none collections
    cards = dict(agreement.cards)
    assert cards.pop("sc06") == ["sales"]
    assert all(c == ["customer_service"] for c in cards.values()), cards


def test_written_lines_get_their_written_verdicts(scored_text: Path) -> None:
    """Classifiers, metrics and cards on the lines as written: every decisive check exact, the rest nearly all."""
    agreement = _agreement(scored_text)
    print(f"sample lines as written: {agreement.as_text()}")
    _assert_targeting(agreement)
    assert agreement.checks >= 50
    assert not agreement.decisive_misses, agreement.as_text()
    assert len(agreement.misses) <= WRITTEN_MISS_SHARE * agreement.checks, agreement.as_text()


def test_sample_calls_get_their_written_verdicts(scored: Path) -> None:
    """The whole pipeline from audio: Whisper mishears some synthetic speech, differently on different CPUs."""
    agreement = _agreement(scored)
    print(f"sample calls from audio: {agreement.as_text()}")
    _assert_targeting(agreement)
    assert agreement.checks >= 50
    assert len(agreement.decisive_misses) <= AUDIO_DECISIVE_MISSES, agreement.as_text()
    assert len(agreement.misses) <= AUDIO_MISS_SHARE * agreement.checks, agreement.as_text()


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
