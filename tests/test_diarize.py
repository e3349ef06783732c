"""Mono diarization fallback on real audio: the bundled mono sample call, re-voiced renders, the shared clip."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.asr.base import AsrSegment, TranscribeOptions
from qa_pipeline.audio import decode
from qa_pipeline.conversation import Word, merge_parties
from qa_pipeline.devtools.diarize_eval import score_attribution
from qa_pipeline.devtools.samples import DialogueSpec, load_dialogues, load_timelines, render_audio, resample
from qa_pipeline.diarize import DiarizeOptions, attribute_mono, cue_score, decide_roles, diarize_mono

REPO = Path(__file__).resolve().parent.parent
CALLS = REPO / "samples" / "calls"
MONO_CALL = "sc07_mono_tv_box"


@pytest.fixture(scope="module")
def timelines() -> dict:
    return load_timelines(CALLS)


@pytest.fixture(scope="module")
def mono_call(timelines: dict) -> tuple[np.ndarray, list]:
    tl = timelines[MONO_CALL]
    audio = decode(CALLS / tl["file"])
    assert audio.channels == 1
    return audio.mono(), tl["turns"]


@pytest.fixture(scope="module")
def transcriber():
    from qa_pipeline.asr import load_transcriber

    return load_transcriber(cpu_threads=2)


def segments_from_turns(turns: list) -> list[AsrSegment]:
    """ASR-like segments built from the script (words spread over each turn by length), no Whisper."""
    out = []
    for t in turns:
        words = re.findall(r"\S+", t["text"])
        total = sum(len(w) for w in words)
        pos, span = float(t["start_s"]), float(t["end_s"]) - float(t["start_s"])
        ws = []
        for w in words:
            d = span * len(w) / total
            ws.append(Word(pos, pos + d, w, 0.9))
            pos += d
        out.append(AsrSegment(float(t["start_s"]), float(t["end_s"]), t["text"], tuple(ws)))
    return out


# --------------------------------------------------------------------------- roles from words


def test_cue_score_tells_agent_phrases_from_customer_phrases() -> None:
    assert cue_score("Good morning, thank you for calling Northgate. My name is Priya. How can I help you today?") >= 6
    assert cue_score("This call may be recorded for quality and training purposes.") >= 3
    assert cue_score("I want to speak to a supervisor. My bill is wrong.") < 0
    assert cue_score("Okay.") == 0


def test_decide_roles_uses_cues_then_who_speaks_first() -> None:
    agent_first = [(0, "Hello, thank you for calling, how can I help?"), (1, "My internet is down.")]
    assert decide_roles(agent_first, 2).agent_voice == 0
    # cues beat the opening speaker
    customer_first = [(1, "Hello?"), (0, "Hi, this is Sam calling from Northgate Telecom."), (1, "Yes?")]
    d = decide_roles(customer_first, 2)
    assert d.agent_voice == 0 and d.method == "cues"
    # no cues: the first speaker is the agent inbound, the customer outbound
    plain = [(1, "Okay."), (0, "Right."), (1, "Sure.")]
    assert decide_roles(plain, 2).agent_voice == 1
    assert decide_roles(plain, 2).method == "first_speaker"
    assert decide_roles(plain, 2, DiarizeOptions(direction="outbound")).agent_voice == 0
    # a weak first-speaker prior alone is not enough when the threshold asks for more
    assert decide_roles(plain, 2, DiarizeOptions(min_role_score=1.5)).agent_voice is None
    # one voice: unknown by default
    assert decide_roles([(0, "Thank you for calling, how can I help?")], 1).agent_voice is None
    assert (
        decide_roles(
            [(0, "Thank you for calling, how can I help?")], 1, DiarizeOptions(single_voice="cues")
        ).agent_voice
        == 0
    )


# --------------------------------------------------------------------------- voices (scripted words, real audio)


def test_scripted_words_on_the_mono_sample_call(mono_call: tuple) -> None:
    audio, turns = mono_call
    result = diarize_mono(audio, segments_from_turns(turns))
    assert result.voices == 2
    assert result.roles.agent_voice is not None and "cues" in result.roles.method
    score = score_attribution(result.segments, turns, tolerance_s=0.0)
    assert score.accuracy >= 0.97, score
    assert score.wrong_rate <= 0.02, score


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is needed")
def test_one_voice_for_both_parties_gives_unknown() -> None:
    d = load_dialogues(REPO / "samples" / "dialogues.yaml").get(MONO_CALL)
    same = {"voice": "en-gb+f2", "speed": 150, "pitch": 60}
    dd = DialogueSpec.model_validate(
        {**d.model_dump(), "render": {**d.render.model_dump(), "agent_voice": same, "customer_voice": same}}
    )
    audio, placed, _ = render_audio(dd)
    mono = resample(audio[0], 8000, 16000)
    turns = [{"speaker": p.speaker, "start_s": p.start_s, "end_s": p.end_s, "text": p.text} for p in placed]
    result = diarize_mono(mono, segments_from_turns(turns))
    assert result.voices == 1
    # one voice: the call is not folded into "unknown" — every turn stays its own sentence(s), and a
    # sentence whose own words clearly mark a party (a greeting, "how can I help") gets that role
    assert len(result.segments) >= len(turns)
    named = [s for s in result.segments if s.speaker != "unknown"]
    assert named and result.roles.method == "utterance_cues"
    score = score_attribution(named, turns, tolerance_s=0.0)
    assert score.wrong == 0, score
    for seg in named:
        assert abs(cue_score(seg.text)) >= DiarizeOptions().undecided_utterance_cue


def test_no_speech_and_no_segments() -> None:
    silence = np.zeros(16000 * 3, dtype=np.float32)
    assert attribute_mono(silence, []) == []
    result = diarize_mono(silence, [AsrSegment(0.5, 1.0, "hm", (Word(0.5, 1.0, "hm", 0.4),))])
    assert result.voices == 0 and [s.speaker for s in result.segments] == ["unknown"]


# --------------------------------------------------------------------------- with the real Whisper tiny model


def test_whisper_words_on_the_mono_sample_call(mono_call: tuple, transcriber) -> None:
    audio, turns = mono_call
    segments = transcriber.transcribe(audio, TranscribeOptions())
    parts = attribute_mono(audio, segments)
    # every recognised word is kept exactly once, in order
    assert [w for p in parts for w in p.words] == [w for s in segments for w in s.words]
    assert all(p.channel is None and p.speaker in ("agent", "customer", "unknown") for p in parts)
    score = score_attribution(parts, turns)
    assert score.words >= 200
    assert score.accuracy >= 0.95, score  # measured 1.000 (docs/diarization.md)
    assert score.unknown_rate <= 0.05, score
    conversation = merge_parties("sc07", parts, len(audio) / 16000)
    first = conversation.utterances[0]
    assert first.speaker == "agent" and "thank you for calling" in first.text.lower()
    assert any(u.speaker == "customer" and "freezing" in u.text.lower() for u in conversation.utterances[:4])


def test_shared_two_speaker_clip_mixed_to_mono(shared_asr: Path, transcriber) -> None:
    stereo = decode(shared_asr / "stereo_diarization.wav")
    assert stereo.channels == 2
    mono = stereo.mono()
    segments = transcriber.transcribe(mono, TranscribeOptions())
    result = diarize_mono(mono, segments)
    # 5 s, both talkers overlapping for the first half: too little (and too mixed) to split two
    # voices, so the fallback says "unknown" rather than guessing a party
    assert result.speech_s < DiarizeOptions().min_speech_s
    assert result.voices == 1
    assert result.segments and {s.speaker for s in result.segments} == {"unknown"}
    assert [w for p in result.segments for w in p.words] == [w for s in segments for w in s.words]


@pytest.mark.slow
def test_two_real_voices_alternating(shared_asr: Path, transcriber) -> None:
    """Two real (human) speakers taking turns: JFK and a LibriSpeech reader, each heard twice."""
    a = decode(shared_asr / "jfk.flac").mono()
    b = decode(shared_asr / "2412-153948-0000.flac").mono()
    gap = np.zeros(int(0.7 * 16000), dtype=np.float32)
    pieces, turns, t = [], [], 0
    for who, x in (("agent", a), ("customer", b), ("agent", a), ("customer", b)):
        pieces += [x, gap]
        turns.append({"speaker": who, "start_s": t / 16000, "end_s": (t + x.size) / 16000})
        t += x.size + gap.size
    audio = np.concatenate(pieces)
    result = diarize_mono(audio, transcriber.transcribe(audio, TranscribeOptions()))
    assert result.voices == 2
    score = score_attribution(result.segments, turns)
    assert score.accuracy >= 0.7, score  # measured 0.81: real voices are much harder than the TTS ones


@pytest.mark.slow
def test_all_sample_calls_mixed_to_mono(transcriber) -> None:
    from qa_pipeline.devtools.diarize_eval import bench_sample_calls

    rows = bench_sample_calls(CALLS, transcriber)
    assert len(rows) == len(load_timelines(CALLS))
    words = sum(r.score.words for r in rows)
    right = sum(r.score.correct for r in rows)
    assert right / words >= 0.97  # measured 0.998 over 2271 words
    # GE2E clusters (issue #13) took real mono calls from 59 % to 95 % of turns on the right role; on these
    # espeak-ng voices one call dropped from >= 0.9 to 0.85 of its words (docs/diarization.md)
    assert min(r.score.accuracy for r in rows) >= 0.85
