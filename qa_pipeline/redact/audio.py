"""Silence (or bleep) the redacted spans of a recording for playback in the review workspace."""

from __future__ import annotations

import io
import logging
import wave
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from qa_pipeline.errors import ConfigError
from qa_pipeline.redact.types import RedactionSpan

logger = logging.getLogger("qa_pipeline.redact.audio")

Mode = Literal["silence", "bleep"]
SpanLike = RedactionSpan | Sequence[float]
DEFAULT_PAD_S = 0.15
BLEEP_HZ = 1000.0
BLEEP_LEVEL = 0.2  # about -14 dBFS
FADE_S = 0.005


def span_times(spans: Iterable[SpanLike], pad_s: float = 0.0) -> list[tuple[float, float]]:
    """``(start_s, end_s)`` of each span (RedactionSpan or pair), padded and merged where they overlap."""
    out: list[tuple[float, float]] = []
    for s in spans:
        if isinstance(s, RedactionSpan):
            if s.start_s is None or s.end_s is None:
                continue
            a, b = float(s.start_s), float(s.end_s)
        else:
            a, b = float(s[0]), float(s[1])
        if b < a:
            a, b = b, a
        out.append((max(0.0, a - pad_s), b + pad_s))
    out.sort()
    merged: list[tuple[float, float]] = []
    for a, b in out:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def silence_spans(
    samples: np.ndarray,
    sample_rate: int,
    spans: Iterable[SpanLike],
    mode: Mode = "silence",
    *,
    pad_s: float = DEFAULT_PAD_S,
) -> np.ndarray:
    """A copy of ``samples`` ((channels, n) or (n,)) with every span zeroed or replaced by a tone.

    ``pad_s`` widens each span on both sides (word timestamps are approximate); every channel is
    treated, since a stereo call's other channel can leak the customer's voice.
    """
    if mode not in ("silence", "bleep"):
        raise ConfigError(f"unknown redaction playback mode {mode!r}; use 'silence' or 'bleep'")
    if sample_rate <= 0:
        raise ConfigError(f"sample rate must be positive, got {sample_rate}")
    out = np.array(samples, dtype=np.float32, copy=True)
    n = out.shape[-1]
    for a_s, b_s in span_times(spans, pad_s):
        a = max(0, int(np.floor(a_s * sample_rate)))
        b = min(n, int(np.ceil(b_s * sample_rate)))
        if b <= a:
            continue
        if mode == "silence":
            out[..., a:b] = 0.0
        else:
            t = np.arange(b - a, dtype=np.float32) / sample_rate
            tone = BLEEP_LEVEL * np.sin(2 * np.pi * BLEEP_HZ * t).astype(np.float32)
            fade = min(len(tone) // 2, int(FADE_S * sample_rate))
            if fade > 0:
                ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
                tone[:fade] *= ramp
                tone[-fade:] *= ramp[::-1]
            out[..., a:b] = tone
    return out


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV of float samples shaped (channels, n) or (n,)."""
    if samples.ndim == 1:
        samples = samples[None, :]
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(int(pcm.shape[0]))
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(np.ascontiguousarray(pcm.T).tobytes())
    return buf.getvalue()


def render_redacted_wav(
    path: str | Path, spans: Iterable[SpanLike], mode: Mode = "silence", *, pad_s: float = DEFAULT_PAD_S
) -> bytes:
    """Decode ``path`` (16 kHz, channels kept) and return WAV bytes with the spans silenced/bleeped.

    ``spans`` are :class:`RedactionSpan` rows (``read_redactions``) or ``(start_s, end_s)`` pairs.
    """
    from qa_pipeline.audio import SAMPLE_RATE, decode  # PyAV only when audio is played

    spans = list(spans)
    audio = decode(path)
    treated = silence_spans(audio.samples, SAMPLE_RATE, spans, mode, pad_s=pad_s)
    logger.debug(
        "%s: %d redacted spans %s for playback", path, len(spans), "silenced" if mode == "silence" else "bleeped"
    )
    return wav_bytes(treated, SAMPLE_RATE)
