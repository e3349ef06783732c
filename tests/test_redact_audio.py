"""Playback with redacted spans silenced or bleeped (real WAV files, the real decoder)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from qa_pipeline.errors import ConfigError
from qa_pipeline.redact import RedactionSpan, render_redacted_wav, silence_spans

RATE = 16_000


def tone(seconds: float, channels: int = 2) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    sig = 0.5 * np.sin(2 * np.pi * 220 * t).astype(np.float32)
    return np.stack([sig] * channels) if channels > 1 else sig


def span(start: float | None, end: float | None) -> RedactionSpan:
    return RedactionSpan(0, 0, "CARD", 0, 6, start, end)


def test_silence_zeroes_exactly_the_padded_span_on_every_channel() -> None:
    x = tone(3.0)
    out = silence_spans(x, RATE, [span(1.0, 1.5)], pad_s=0.1)
    a, b = int(0.9 * RATE), int(1.6 * RATE)
    assert np.all(out[:, a:b] == 0.0)
    assert np.abs(out[:, : a - 10]).max() > 0.4 and np.abs(out[:, b + 10 :]).max() > 0.4
    np.testing.assert_array_equal(out[:, : a - 1], x[:, : a - 1])
    assert np.abs(x[:, a:b]).max() > 0.4, "input must not be modified"


def test_bleep_replaces_speech_with_a_tone_and_pairs_are_accepted() -> None:
    x = tone(2.0, channels=1)
    out = silence_spans(x, RATE, [(0.5, 1.0)], mode="bleep", pad_s=0.0)
    seg = out[int(0.5 * RATE) : int(1.0 * RATE)]
    spectrum = np.abs(np.fft.rfft(seg))
    peak_hz = np.argmax(spectrum) * RATE / len(seg)
    assert abs(peak_hz - 1000) < 5
    assert np.abs(seg).max() <= 0.21


def test_spans_without_times_and_bad_mode() -> None:
    x = tone(1.0)
    np.testing.assert_array_equal(silence_spans(x, RATE, [span(None, None)]), x)
    with pytest.raises(ConfigError, match="bleep"):
        silence_spans(x, RATE, [], mode="mute")  # type: ignore[arg-type]


def test_render_redacted_wav_from_a_stereo_file(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    sf.write(path, tone(3.0).T, RATE, subtype="PCM_16")
    data = render_redacted_wav(path, [span(1.0, 2.0)], pad_s=0.0)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, RATE, 2)
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    assert np.all(pcm[int(1.0 * RATE) : int(2.0 * RATE)] == 0)
    assert np.abs(pcm[: int(0.9 * RATE)]).max() > 10000
    assert np.abs(pcm[int(2.1 * RATE) :]).max() > 10000
