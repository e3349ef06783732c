"""Transcript files (*.transcript.json): parsing, discovery, the real flow, and the agreement benchmark."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from qa_pipeline.analysis import analyse
from qa_pipeline.errors import InputError
from qa_pipeline.ingest import discover
from qa_pipeline.paths import samples_dir
from qa_pipeline.transcript_file import CHAT_TURN_S, parse_transcript

SAMPLE = samples_dir() / "transcripts" / "chat-card-replacement.transcript.json"
BIN = Path(sys.executable).parent / "qa-pipeline"


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_sample_chat_parses_untimed_with_metadata() -> None:
    parsed = parse_transcript(SAMPLE, "abc")
    conv = parsed.conversation
    assert parsed.channel == "chat" and not conv.timed
    assert [u.speaker for u in conv.utterances][:3] == ["agent", "customer", "agent"]
    assert conv.utterances[2].start_s == 2 * CHAT_TURN_S  # turn positions on a nominal timeline
    assert parsed.metadata.queue == "cards-chat" and parsed.metadata.agent_id == "A17"
    assert parsed.metadata.started_at is not None and parsed.metadata.direction == "inbound"


def test_timed_turns_are_sorted_and_voice(tmp_path: Path) -> None:
    p = _write(
        tmp_path / "x.transcript.json",
        {
            "turns": [
                {"speaker": "customer", "text": "hi", "start_s": 3.0, "end_s": 3.5},
                {"speaker": "agent", "text": "hello there", "start_s": 0.5, "end_s": 2.0},
            ]
        },
    )
    parsed = parse_transcript(p, "x")
    assert parsed.channel == "voice" and parsed.conversation.timed
    assert [u.text for u in parsed.conversation.utterances] == ["hello there", "hi"]
    assert [u.idx for u in parsed.conversation.utterances] == [0, 1]


@pytest.mark.parametrize(
    "doc, message",
    [
        ("not json", "not valid JSON"),
        ({"turns": []}, "give a non-empty list of turns"),
        ({"turns": [{"speaker": "bot", "text": "hi"}]}, "speaker 'bot' is not one of agent, customer"),
        ({"turns": [{"speaker": "agent", "text": "  "}]}, "text '  ' is empty"),
        (
            {
                "turns": [
                    {"speaker": "agent", "text": "a", "start_s": 1, "end_s": 2},
                    {"speaker": "customer", "text": "b"},
                ]
            },
            "give times on every turn or on none",
        ),
        ({"turns": [{"speaker": "agent", "text": "a", "start_s": 3, "end_s": 2}]}, "end_s 2 is before start_s 3"),
        ({"turns": [{"speaker": "agent", "text": "a"}], "agent": "x"}, "unknown key(s) ['agent']"),
        ({"turns": [{"speaker": "agent", "text": "a"}], "direction": "sideways"}, "direction 'sideways'"),
    ],
)
def test_bad_files_name_the_file_the_value_and_the_fix(tmp_path: Path, doc: object, message: str) -> None:
    p = tmp_path / "bad.transcript.json"
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        parse_transcript(p, "x")
    assert str(p) in str(exc.value) and message in str(exc.value) and "docs/ingest.md" in str(exc.value)


def test_discovery_finds_transcripts_beside_recordings(tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / "a.transcript.json")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    found = discover(tmp_path, settle_s=0)
    assert [r.path.name for r in found.recordings] == ["a.transcript.json"]
    assert len(found.recordings[0].call_id) == 16


def test_chat_has_no_time_metrics_and_windows_count_turns() -> None:
    conv = parse_transcript(SAMPLE, "chat").conversation
    result = analyse(conv)
    m = result.metrics
    assert m.agent_talk_ratio is None and m.agent_wpm is None and m.longest_dead_air_s is None and m.hold_s is None
    verdicts = {
        c.criterion_id: c.verdict for s in result.scores if s.scorecard_id == "customer_service" for c in s.criteria
    }
    assert verdicts["greeting"] == "pass" and verdicts["introduction"] == "pass"  # inside the first turns
    assert (
        verdicts["speaking_rate"] == "na" and verdicts["dead_air"] == "na" and verdicts["talk_listen_balance"] == "na"
    )
    assert verdicts["identity_verification"] == "pass" and verdicts["commitment"] == "pass"
    assert verdicts["resolution_check"] == "pass" and verdicts["closing"] == "pass"


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_LOGGING_LEVEL="WARNING")
    env.pop("PREFECT_API_URL", None)
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.slow
def test_run_scores_transcripts_and_bench_agreement_reads_them(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / "chat1.transcript.json")
    (inbox / "broken.transcript.json").write_text('{"turns": [{"speaker": "agent"}]}', encoding="utf-8")
    db = tmp_path / "qa.duckdb"
    run = _cli("run", str(inbox), "--db", str(db), "--no-progress", "--settle", "0", home=tmp_path / "prefect")
    assert run.returncode == 6, run.stdout + run.stderr  # partial: the broken file is a failure
    assert "broken.transcript.json" in run.stderr and "text None is empty" in run.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT channel, format, queue FROM calls").fetchall() == [
            ("chat", "transcript", "cards-chat")
        ]
        assert (
            con.execute("SELECT count(*) FROM failures WHERE source_path LIKE '%broken.transcript.json'").fetchone()[0]
            == 1
        )
    ref = _write(
        tmp_path / "ref.jsonl",
        {
            "call": "chat1.transcript.json",
            "criteria": {"greeting": "pass", "closing": "fail"},
            "overall": 4,
            "customer_sentiment_end": "positive",
        },
    )
    ref.write_text(ref.read_text() + "\n", encoding="utf-8")
    bench = _cli("bench", "agreement", "--db", str(db), "--reference", str(ref), home=tmp_path / "prefect")
    assert bench.returncode == 0, bench.stderr
    rows = {
        line.split()[0]: line.split()[1:3]
        for line in bench.stdout.splitlines()
        if line.split()[:1] in (["greeting"], ["closing"])
    }
    assert rows == {"greeting": ["1", "1.00"], "closing": ["1", "0.00"]}, bench.stdout
    assert "fail→pass ×1" in bench.stdout  # the reviewer said fail, the automatic verdict passed
