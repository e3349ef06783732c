"""Shared tidying of both backends' output into :class:`AsrSegment`.

Whisper's word times come from cross-attention alignment and can overshoot
the clip end, start a hair before the previous word, or be zero-length at a
VAD chunk seam.  Everything downstream assumes times inside the clip and in
order, so both backends pass their words through :func:`tidy_segments`.
"""

from __future__ import annotations

from collections.abc import Iterable

from qa_pipeline.asr.base import AsrSegment
from qa_pipeline.conversation import Word


def _clamp(t: float, lo: float, hi: float) -> float:
    return min(max(t, lo), hi)


def tidy_segments(segments: Iterable[AsrSegment], duration_s: float) -> list[AsrSegment]:
    """Times clamped to ``[0, duration_s]``; word starts non-decreasing; segment spans cover their words.

    Segments with no text are dropped.
    """
    out: list[AsrSegment] = []
    last_start = 0.0
    for seg in segments:
        text = seg.text.strip()
        if not text:
            continue
        words: list[Word] = []
        for w in seg.words:
            wtext = w.text.strip()
            if not wtext:
                continue
            start = _clamp(max(w.start, last_start), 0.0, duration_s)
            end = _clamp(max(w.end, start), start, duration_s)
            last_start = start
            words.append(Word(start=round(start, 3), end=round(end, 3), text=wtext, probability=float(w.probability)))
        if words:
            start, end = words[0].start, max(w.end for w in words)
        else:
            start = _clamp(seg.start, 0.0, duration_s)
            end = _clamp(max(seg.end, start), start, duration_s)
        out.append(
            AsrSegment(
                start=round(start, 3),
                end=round(end, 3),
                text=text,
                words=tuple(words),
                avg_logprob=float(seg.avg_logprob),
                no_speech_prob=float(seg.no_speech_prob),
            )
        )
    return out


def check_language(model: str, language: str | None) -> None:
    """English-only models (``*.en``) cannot transcribe other languages."""
    from qa_pipeline.errors import ConfigError

    if model.endswith(".en") and language not in (None, "en"):
        raise ConfigError(
            f"language {language!r} was asked of the English-only Whisper model {model!r}; "
            "set language to 'en' or use the multilingual model 'base'"
        )
