"""Real audio → real Whisper tiny.en → redaction → playback: the card read out is gone everywhere.

Slow (loads Whisper): run with --slow.  Speech is synthesised with espeak-ng (apt) so the test
needs no recordings; it is skipped where espeak-ng is missing.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qa_pipeline.conversation import PartySegment, merge_parties

pytestmark = pytest.mark.slow

CARD = "5425233430109903"
RATE = 16_000


def _say(text: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    from qa_pipeline.audio import decode

    return decode(path).samples[0]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_card_read_out_is_redacted_from_transcript_and_audio(tmp_path: Path) -> None:
    from qa_pipeline.asr import TranscribeOptions, load_transcriber
    from qa_pipeline.redact import redact_conversation, render_redacted_wav

    agent = _say("Can I take the card number please?", tmp_path / "a.wav")
    customer = _say(
        "Sure, it's five four two five, two three three four, three zero one zero, nine nine zero three.",
        tmp_path / "c.wav",
    )
    offset = len(agent) / RATE + 0.5
    asr = load_transcriber(cpu_threads=2)
    segs: list[PartySegment] = []
    for speaker, audio, shift in (("agent", agent, 0.0), ("customer", customer, offset)):
        for s in asr.transcribe(audio, TranscribeOptions()):
            words = tuple(type(w)(w.start + shift, w.end + shift, w.text, w.probability) for w in s.words)
            segs.append(PartySegment(speaker, s.start + shift, s.end + shift, s.text, words, channel=None))  # type: ignore[arg-type]
    total = offset + len(customer) / RATE
    conv = merge_parties("e2e", segs, total)
    raw_customer = " ".join(u.text for u in conv.by_speaker("customer"))
    assert len(re.sub(r"\D", "", raw_customer)) >= 12, f"Whisper did not hear the digits: {raw_customer!r}"

    res = redact_conversation(conv)
    stored = " ".join(u.text + "".join(w.text for w in u.words) for u in res.conversation.utterances)
    digits = re.sub(r"\D", "", stored)
    for k in range(len(CARD) - 3):
        assert CARD[k : k + 4] not in digits, f"card digits {CARD[k : k + 4]} survived: {stored!r}"
    card_spans = [s for s in res.spans if s.pii_type == "CARD"]
    assert card_spans, res.conversation

    # playback: the customer's speech (where the digits are) is silenced
    stereo = np.zeros((2, int(total * RATE) + 1), dtype=np.float32)
    stereo[0, : len(agent)] = agent
    start = int(offset * RATE)
    stereo[1, start : start + len(customer)] = customer
    path = tmp_path / "call.wav"
    sf.write(path, stereo.T, RATE, subtype="PCM_16")
    data = render_redacted_wav(path, res.spans)
    with wave.open(io.BytesIO(data)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)[:, 1].astype(np.float32)
    cust = pcm[start : start + len(customer)]
    voiced_before = np.abs(customer * 32767) > 1000
    silenced = np.abs(cust) == 0
    # "Sure, it's" may stay audible; most of the voiced samples (the 16 digits) must be silent
    assert silenced[voiced_before].mean() > 0.7
