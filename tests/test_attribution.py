"""Who said what on stereo and mono calls: the agent channel decided from the words, manifest
overrides, mono calls never folded, and ``qa-pipeline bench attribution`` on a small fixture.

Real Whisper tiny on short excerpts of the bundled sample calls (agent on the left channel).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qa_pipeline.asr.base import SAMPLE_RATE, AsrSegment
from qa_pipeline.attribute import AttributionOptions, attribution_options, decide_agent_channel
from qa_pipeline.audio import decode
from qa_pipeline.conversation import Word
from qa_pipeline.errors import ConfigError, InputError
from qa_pipeline.ingest import CallMetadata, Recording, read_manifest
from qa_pipeline.paths import samples_dir
from qa_pipeline.pipeline import PipelineOptions, transcribe_recording

CALLS = samples_dir() / "calls"
REPO = Path(__file__).resolve().parents[1]
SHARED_DEV = REPO.parent / "shared" / "data" / "realcalls-dev"


def _seg(text: str, start: float = 0.0) -> AsrSegment:
    words = tuple(Word(start + i * 0.3, start + i * 0.3 + 0.25, w, 0.9) for i, w in enumerate(text.split()))
    return AsrSegment(start, words[-1].end, text, words, -0.2)


@pytest.fixture(scope="module")
def transcriber():
    from qa_pipeline.asr import load_transcriber

    return load_transcriber(cpu_threads=2)


def _excerpt(path: Path, seconds: float, *, swap: bool = False, mono: bool = False):
    audio = decode(path)
    samples = audio.samples[:, : int(seconds * SAMPLE_RATE)]
    if swap:
        samples = samples[::-1]
    if mono:
        samples = samples.mean(axis=0, keepdims=True)
    return replace(audio, samples=np.ascontiguousarray(samples, dtype=np.float32))


def _recording(path: Path, call_id: str, metadata: CallMetadata = CallMetadata()) -> Recording:
    return Recording(path=path, call_id=call_id, file_sha256="0" * 64, size=0, metadata=metadata)


# --------------------------------------------------------------------------- the decision alone


def test_agent_channel_from_the_words_and_what_overrides_it() -> None:
    agent = [_seg("good morning thank you for calling northgate my name is sam how can i help you today")]
    customer = [_seg("hi i'm calling about my bill it went up this month", 5.0)]
    auto = decide_agent_channel(customer, agent)  # the agent talks on the right
    assert (auto.agent_channel, auto.method) == (1, "cues") and auto.confidence > 0.9
    assert auto.cue_scores[1] > 0 > auto.cue_scores[0]
    assert decide_agent_channel(agent, customer).agent_channel == 0
    # nothing to go on: the left channel, confidence 0 (flagged for review)
    none = decide_agent_channel([_seg("okay")], [_seg("yes")])
    assert (none.agent_channel, none.method, none.confidence) == (0, "default", 0.0)
    # configured, then the manifest, override the words
    cfg = decide_agent_channel(customer, agent, attribution_options("0"))
    assert (cfg.agent_channel, cfg.method, cfg.confidence) == (0, "configured", 1.0)
    man = decide_agent_channel(customer, agent, attribution_options("1"), manifest_channel=0)
    assert (man.agent_channel, man.method) == (0, "manifest")
    assert attribution_options("auto").agent_channel is None and attribution_options("right").agent_channel == 1
    with pytest.raises(ConfigError, match="not auto, 0"):
        attribution_options("2")
    with pytest.raises(ConfigError, match=r"use 0 .left. or 1"):
        decide_agent_channel(agent, customer, AttributionOptions(agent_channel=3))


def test_manifest_agent_channel_column(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text(
        "file,agent_id,agent_channel\na.wav,A-1,1\nb.wav,A-2,\nc.wav,A-3,left\n", encoding="utf-8"
    )
    meta, problems = read_manifest(tmp_path / "manifest.csv")
    key = {Path(k).name: v for k, v in meta.items()}
    assert key["a.wav"].agent_channel == 1 and key["b.wav"].agent_channel is None
    assert "c.wav" not in key
    assert len(problems) == 1 and "agent_channel 'left' is not 0 (left) or 1 (right)" in problems[0].reason


# --------------------------------------------------------------------------- real audio, real Whisper


def test_swapped_stereo_call_is_attributed_by_auto(transcriber) -> None:
    path = CALLS / "sc01_billing_model_call.flac"
    audio = _excerpt(path, 30.0, swap=True)  # agent now on the right
    tc = transcribe_recording(_recording(path, "sc01-swapped"), transcriber, PipelineOptions(), audio=audio)
    assert tc.record.agent_channel == 1 and tc.record.agent_channel_method == "cues"
    assert tc.record.agent_channel_confidence is not None and tc.record.agent_channel_confidence >= 0.9
    assert tc.conversation.role_confidence == tc.record.agent_channel_confidence
    first = tc.conversation.utterances[0]
    assert first.speaker == "agent" and first.channel == 1 and "thank you for calling" in first.text.lower()
    assert any(u.speaker == "customer" and u.channel == 0 for u in tc.conversation.utterances)

    # the manifest's agent_channel overrides the words (here: wrongly, as told)
    told = transcribe_recording(
        _recording(path, "sc01-told", CallMetadata(agent_channel=0)), transcriber, PipelineOptions(), audio=audio
    )
    assert (told.record.agent_channel, told.record.agent_channel_method, told.record.agent_channel_confidence) == (
        0,
        "manifest",
        1.0,
    )
    assert told.conversation.utterances[0].speaker == "customer"


def test_mono_call_keeps_every_sentence(transcriber) -> None:
    path = CALLS / "sc07_mono_tv_box.wav"
    audio = _excerpt(path, 45.0)
    tc = transcribe_recording(_recording(path, "sc07-45s"), transcriber, PipelineOptions(), audio=audio)
    utts = tc.conversation.utterances
    words = [w for u in utts for w in u.words]
    sentences = sum(1 for w in words if re.search(r"[.?!]$", w.text.strip()))
    assert sentences >= 5
    assert len(utts) >= sentences  # never folded into a few long utterances
    assert all(len(re.findall(r"[.?!](\s|$)", u.text)) <= 1 for u in utts)
    assert tc.record.attribution == "diarized" and tc.record.agent_channel_method is None
    assert utts[0].speaker == "agent" and {u.speaker for u in utts} >= {"agent", "customer"}


def _fixture_folder(tmp_path: Path, seconds: float = 25.0) -> Path:
    tl = json.loads((CALLS / "timelines.json").read_text(encoding="utf-8"))["calls"]["sc01_billing_model_call"]
    audio = _excerpt(CALLS / tl["file"], seconds, swap=True)
    sf.write(tmp_path / "sc01.wav", audio.samples.T, SAMPLE_RATE)
    turns = [
        {"speaker": t["speaker"], "start": t["start_s"], "end": min(t["end_s"], seconds), "text": t["text"]}
        for t in tl["turns"]
        if t["start_s"] < seconds - 1.0
    ]
    (tmp_path / "sc01.turns.json").write_text(json.dumps(turns), encoding="utf-8")
    return tmp_path


def test_bench_attribution_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from qa_pipeline.cli import app

    folder = _fixture_folder(tmp_path)
    result = CliRunner().invoke(
        app, ["bench", "attribution", str(folder), "--variants", "stereo,mono", "--per-call", "--beam-size", "5"]
    )
    assert result.exit_code == 0, result.output
    rows = {
        line.split()[0]: line.split()
        for line in result.output.splitlines()
        if line.split() and line.split()[0] in ("stereo", "mono")
    }
    assert set(rows) == {"stereo", "mono"}
    stereo = rows["stereo"]
    assert float(stereo[2]) < 30.0 and float(stereo[5]) >= 80.0  # role WER %, turns on the right role %
    assert "agent=ch1 cues" in result.output
    bad = CliRunner().invoke(app, ["bench", "attribution", str(folder), "--variants", "sideways"])
    assert bad.exit_code != 0 and "unknown sideways" in bad.output


def test_bench_scores_against_references(tmp_path: Path) -> None:
    from qa_pipeline.attribution_eval import RefTurn, der, find_reference_calls, read_rttm

    (tmp_path / "x.rttm").write_text(
        "SPEAKER x 1 0.50 2.00 <NA> <NA> agent <NA> <NA>\nSPEAKER x 1 3.00 1.00 <NA> <NA> customer <NA> <NA>\n"
    )
    sf.write(tmp_path / "x.wav", np.zeros(SAMPLE_RATE * 5, dtype=np.float32), SAMPLE_RATE)
    (call,) = find_reference_calls(tmp_path)
    assert call.turns == read_rttm(tmp_path / "x.rttm") and not call.has_text
    assert call.turns[0] == RefTurn("agent", 0.5, 2.5)
    assert der(call.turns, [("agent", 0.5, 2.5), ("customer", 3.0, 4.0)], 5.0) == 0.0
    assert der(call.turns, [("customer", 0.5, 2.5), ("agent", 3.0, 4.0)], 5.0) == pytest.approx(
        1.0
    )  # roles swapped: all confusion
    assert der(call.turns, [], 5.0) == pytest.approx(1.0)  # all missed
    (tmp_path / "y.turns.json").write_text('[{"speaker": "agent", "start": 0}]')
    with pytest.raises(InputError, match="no audio next to it"):
        find_reference_calls(tmp_path)
    sf.write(tmp_path / "y.wav", np.zeros(SAMPLE_RATE, dtype=np.float32), SAMPLE_RATE)
    with pytest.raises(InputError, match=r"turn 0 .* needs speaker, start and end"):
        find_reference_calls(tmp_path)


def test_reference_converter_on_shared_data(tmp_path: Path) -> None:
    if not (SHARED_DEV / "spokenwoz").is_dir():
        pytest.skip(f"dev data not found at {SHARED_DEV}")
    import subprocess
    import sys

    out = tmp_path / "refs"
    subprocess.run([sys.executable, str(REPO / "scripts" / "make_attribution_refs.py"), "--out", str(out)], check=True)
    refs = sorted(p.name for p in out.glob("*.turns.json"))
    assert "spokenwoz-SNG0072.turns.json" in refs and "callytics-Call01.turns.json" in refs
    turns = json.loads((out / "spokenwoz-SNG0072.turns.json").read_text())
    assert {t["speaker"] for t in turns} == {"agent", "customer"}
    assert all(t["end"] >= t["start"] for t in turns)
    inside = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_attribution_refs.py"), "--out", str(REPO / "tmp-refs")],
        capture_output=True,
        text=True,
    )
    assert inside.returncode == 2 and "inside the repository" in inside.stderr


def test_uncertain_roles_flag_and_stored_decision(db_path: Path) -> None:
    """The decision is stored (migration 009), read back as the conversation's role confidence, and a
    low one raises the bundled ``uncertain_roles`` flag."""
    from qa_pipeline.conversation import Conversation, Utterance
    from qa_pipeline.metrics import compute_metrics
    from qa_pipeline.records import CallRecord
    from qa_pipeline.scorecard.flags import evaluate_flags, load_flag_rules
    from qa_pipeline.store.calls import read_conversation, write_call
    from qa_pipeline.store.db import connect

    utt = Utterance(
        idx=0, speaker="agent", start_s=0.0, end_s=1.0, text="Hello.", words=(), asr_confidence=0.9, channel=1
    )
    conv = Conversation("c1", (utt,), 10.0, role_confidence=0.2)
    rules = load_flag_rules()
    flags = evaluate_flags(conv, [], compute_metrics(conv), [], rules)
    assert [f.rule_id for f in flags if f.rule_id == "uncertain_roles"] == ["uncertain_roles"]
    sure = replace(conv, role_confidence=0.9)
    assert not [f for f in evaluate_flags(sure, [], compute_metrics(sure), [], rules) if f.rule_id == "uncertain_roles"]

    record = CallRecord(
        recording=_recording(Path("x.wav"), "c1"),
        format="wav",
        source_rate=8000,
        channels=2,
        duration_s=10.0,
        attribution="stereo",
        agent_channel=1,
        asr_backend="faster-whisper",
        asr_model="tiny.en",
        language="en",
        asr_confidence=0.9,
        agent_channel_method="cues",
        agent_channel_confidence=0.2,
    )
    with connect(db_path) as con:
        write_call(con, record, conv, run_id=None, status="complete")
        row = con.execute(
            "SELECT agent_channel, agent_channel_method, agent_channel_confidence FROM calls WHERE call_id = 'c1'"
        ).fetchone()
        assert row == (1, "cues", 0.2)
        assert read_conversation(con, "c1").role_confidence == 0.2
