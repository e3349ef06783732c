"""Both channels of a stereo call through Whisper in one pass.

A stereo call is two mostly-silent channels: each party speaks about half the
time.  After VAD, each channel's speech fills only two or three 30 s windows,
so transcribing the channels one after the other runs two small batches.
Joining the channels end to end — left, two seconds of silence, right — lets
faster-whisper's batched pipeline decode the windows of both parties
together, which measured about 15 % less CPU per call on the sample calls
(docs/operations.md).  The segments are then split back by time; a Whisper
segment that runs across the join is split at the join by its word times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from qa_pipeline.asr.base import SAMPLE_RATE, AsrSegment, TranscribeOptions, Transcriber

JOIN_GAP_S = 2.0  # silence between the channels: VAD never bridges it


def _shift(seg: AsrSegment, words: Sequence, offset: float, duration: float) -> AsrSegment:
    def clamp(t: float) -> float:
        return round(min(max(t - offset, 0.0), duration), 3)

    moved = tuple(replace(w, start=clamp(w.start), end=clamp(w.end)) for w in words)
    if moved:
        text = seg.text if len(moved) == len(seg.words) else " ".join(w.text.strip() for w in moved)
        start, end = moved[0].start, max(w.end for w in moved)
    else:
        text, start, end = seg.text, clamp(seg.start), clamp(seg.end)
    return replace(seg, start=start, end=max(end, start), text=text, words=moved)


def split_joined(
    segments: Sequence[AsrSegment], n_samples: int, gap_s: float = JOIN_GAP_S
) -> tuple[list[AsrSegment], list[AsrSegment]]:
    """Segments of ``left + gap + right`` back into (left, right), times relative to each channel."""
    duration = n_samples / SAMPLE_RATE
    boundary = duration + gap_s / 2
    right_offset = duration + gap_s
    left: list[AsrSegment] = []
    right: list[AsrSegment] = []
    for seg in segments:
        if seg.words:
            lw = [w for w in seg.words if (w.start + w.end) / 2 < boundary]
            rw = [w for w in seg.words if (w.start + w.end) / 2 >= boundary]
            if lw:
                left.append(_shift(seg, lw, 0.0, duration))
            if rw:
                right.append(_shift(seg, rw, right_offset, duration))
        elif (seg.start + seg.end) / 2 < boundary:
            left.append(_shift(seg, (), 0.0, duration))
        else:
            right.append(_shift(seg, (), right_offset, duration))
    return left, right


def transcribe_stereo(
    transcriber: Transcriber, samples: np.ndarray, options: TranscribeOptions
) -> tuple[list[AsrSegment], list[AsrSegment]]:
    """``samples`` is ``(2, n)`` float32 at 16 kHz; returns each channel's segments."""
    if samples.ndim != 2 or samples.shape[0] != 2:
        raise ValueError(f"transcribe_stereo needs (2, n) samples, got shape {samples.shape}")
    n = samples.shape[1]
    gap = np.zeros(int(JOIN_GAP_S * SAMPLE_RATE), dtype=np.float32)
    joined = np.concatenate([samples[0], gap, samples[1]]).astype(np.float32, copy=False)
    return split_joined(transcriber.transcribe(joined, options), n)
