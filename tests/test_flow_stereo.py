"""Both channels in one Whisper pass, split back by time; turns split where a channel falls silent."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from qa_pipeline.asr.base import SAMPLE_RATE, AsrSegment
from qa_pipeline.attribute import channel_segments
from qa_pipeline.conversation import Word
from qa_pipeline.stereo import JOIN_GAP_S, split_joined


def _seg(words: list[tuple[float, float, str]]) -> AsrSegment:
    ws = tuple(Word(start=a, end=b, text=t, probability=0.9) for a, b, t in words)
    return AsrSegment(start=ws[0].start, end=ws[-1].end, text=" ".join(w.text for w in ws), words=ws, avg_logprob=-0.2)


def test_split_joined_puts_words_back_on_their_channel() -> None:
    n = 10 * SAMPLE_RATE  # 10 s channels; the right one starts at 12 s in the joined audio
    segments = [
        _seg([(1.0, 1.4, "hello"), (1.5, 1.9, "there.")]),
        _seg(
            [(9.2, 9.6, "bye"), (9.7, 9.95, "now."), (12.3, 12.7, "thanks"), (12.8, 13.1, "again.")]
        ),  # across the join
        _seg([(18.0, 18.5, "goodbye.")]),
    ]
    left, right = split_joined(segments, n)
    assert [s.text for s in left] == ["hello there.", "bye now."]
    assert [s.text for s in right] == ["thanks again.", "goodbye."]
    assert right[0].start == pytest.approx(12.3 - 10 - JOIN_GAP_S) and right[1].end == pytest.approx(6.5)
    assert all(0 <= w.start <= w.end <= 10 for s in left + right for w in s.words)


def test_channel_segments_split_where_the_other_party_talks() -> None:
    seg = _seg(
        [(0.0, 0.5, "Hello,"), (0.6, 1.0, "thanks."), (5.0, 5.4, "Sure,"), (5.5, 5.9, "done."), (6.3, 6.6, "Bye.")]
    )
    parts = channel_segments([seg], "agent", 0)
    assert [p.text for p in parts] == ["Hello, thanks.", "Sure, done. Bye."]
    assert [(p.start_s, p.end_s) for p in parts] == [(0.0, 1.0), (5.0, 6.6)]
    assert all(p.speaker == "agent" and p.channel == 0 for p in parts)


@pytest.mark.slow
def test_joined_channels_transcribe_as_well_as_separate_ones() -> None:
    """On the bundled stereo sample calls: same words per channel, turns where the script put them."""
    from qa_pipeline.asr import TranscribeOptions, load_transcriber
    from qa_pipeline.audio import decode
    from qa_pipeline.paths import samples_dir
    from qa_pipeline.stereo import transcribe_stereo

    jiwer = pytest.importorskip("jiwer")
    calls = samples_dir() / "calls"
    timelines = json.loads((calls / "timelines.json").read_text())["calls"]
    asr = load_transcriber(batch_size=8)
    options = TranscribeOptions()

    def words(text: str) -> str:
        return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())

    refs, separate, joined = [], [], []
    for name in ("sc01_billing_model_call", "sc09_house_move_no_checks"):
        info = timelines[name]
        audio = decode(calls / info["file"])
        one_pass = transcribe_stereo(asr, audio.samples, options)
        for ch in (0, 1):
            is_agent = ch == info["agent_channel"]
            refs.append(words(" ".join(t["text"] for t in info["turns"] if (t["speaker"] == "agent") == is_agent)))
            separate.append(words(" ".join(s.text for s in asr.transcribe(audio.channel(ch), options))))
            joined.append(words(" ".join(s.text for s in one_pass[ch])))
            turns = [t for t in info["turns"] if (t["speaker"] == "agent") == is_agent]
            parts = channel_segments(one_pass[ch], "agent" if is_agent else "customer", ch)
            # every scripted turn starts within a second of some utterance start
            starts = np.array([p.start_s for p in parts])
            assert all(np.min(np.abs(starts - t["start_s"])) < 1.0 for t in turns), name
    assert jiwer.wer(refs, joined) <= jiwer.wer(refs, separate) + 0.02
