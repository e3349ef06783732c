"""Recordings longer than :data:`~qa_pipeline.audio.LONG_RECORDING_S`: transcribed a window at a time.

The recording is spooled to disk (:func:`qa_pipeline.audio.spool`); it is cut into windows of
about :data:`WINDOW_S` seconds, each cut at the quietest 100 ms (both channels together) of the
:data:`SEARCH_S` seconds before the nominal end, so a cut falls in a pause rather than inside a
word.  Each window goes through Whisper alone (a stereo window through
:func:`qa_pipeline.stereo.transcribe_stereo`, both channels in one pass as for short calls) and its
segments are shifted back to the recording's time.  Memory is that of one window, whatever the
length of the call.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from qa_pipeline.asr.base import SAMPLE_RATE, AsrSegment, TranscribeOptions, Transcriber
from qa_pipeline.audio import SpooledAudio

WINDOW_S = 300.0
SEARCH_S = 30.0
_FRAME = SAMPLE_RATE // 10  # 100 ms


def cut_points(audio: SpooledAudio, window_s: float = WINDOW_S, search_s: float = SEARCH_S) -> list[int]:
    """Sample offsets ``[0, c1, …, n]`` of the windows: each cut at the quietest 100 ms before the nominal end."""
    window, search = int(window_s * SAMPLE_RATE), int(min(search_s, window_s / 2) * SAMPLE_RATE)
    cuts = [0]
    while audio.n - cuts[-1] > window:
        end = cuts[-1] + window
        block = audio.read(end - search, end)
        frames = block[:, : (block.shape[1] // _FRAME) * _FRAME].reshape(block.shape[0], -1, _FRAME)
        energy = (frames.astype(np.float64) ** 2).mean(axis=2).sum(axis=0)
        cuts.append(end - search + int(np.argmin(energy)) * _FRAME + _FRAME // 2)
    cuts.append(audio.n)
    return cuts


def shift(segments: Sequence[AsrSegment], offset_s: float) -> list[AsrSegment]:
    """Segments (and their words) moved ``offset_s`` seconds later."""
    if offset_s == 0:
        return list(segments)

    def at(t: float) -> float:
        return round(t + offset_s, 3)

    return [
        replace(
            s,
            start=at(s.start),
            end=at(s.end),
            words=tuple(replace(w, start=at(w.start), end=at(w.end)) for w in s.words),
        )
        for s in segments
    ]


def transcribe_long_stereo(
    transcriber: Transcriber, audio: SpooledAudio, options: TranscribeOptions, window_s: float = WINDOW_S
) -> tuple[list[AsrSegment], list[AsrSegment]]:
    """Each channel's segments of a spooled stereo recording, window by window."""
    from qa_pipeline.stereo import transcribe_stereo

    left: list[AsrSegment] = []
    right: list[AsrSegment] = []
    cuts = cut_points(audio, window_s)
    for a, b in itertools.pairwise(cuts):
        lw, rw = transcribe_stereo(transcriber, audio.read(a, b), options)
        left.extend(shift(lw, a / SAMPLE_RATE))
        right.extend(shift(rw, a / SAMPLE_RATE))
    return left, right


def transcribe_long_mono(
    transcriber: Transcriber, audio: SpooledAudio, options: TranscribeOptions, window_s: float = WINDOW_S
) -> list[AsrSegment]:
    """The segments of a spooled recording's mono mix, window by window."""
    mono = audio.mono()
    out: list[AsrSegment] = []
    cuts = cut_points(audio, window_s)
    for a, b in itertools.pairwise(cuts):
        out.extend(shift(transcriber.transcribe(mono[a:b], options), a / SAMPLE_RATE))
    return out
