"""Measure the mono diarization fallback against a known timeline (the sample calls).

Ground truth is turn-level: a recognised word belongs to the party whose
turn(s) contain the word's midpoint (with a small tolerance for Whisper's
word timing).  Words in overlapping speech, or outside every turn, are not
counted.  ``qa-pipeline bench diarization`` prints these figures.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa_pipeline.asr.base import TranscribeOptions, Transcriber
from qa_pipeline.conversation import PartySegment
from qa_pipeline.diarize import DiarizeOptions, MonoDiarization, diarize_mono

logger = logging.getLogger("qa_pipeline.devtools.diarize_eval")

Turn = Mapping[str, object]  # needs "speaker", "start_s", "end_s" (a timelines.json turn)


@dataclass(frozen=True)
class AttributionScore:
    words: int  # words with a single true party
    correct: int
    unknown: int
    wrong: int
    skipped: int  # words in overlaps or between turns

    @property
    def accuracy(self) -> float:
        """Share of counted words given the right party (unknown counts as not right)."""
        return self.correct / self.words if self.words else 0.0

    @property
    def unknown_rate(self) -> float:
        return self.unknown / self.words if self.words else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.words if self.words else 0.0


def truth_speaker(turns: Sequence[Turn], start: float, end: float, tolerance_s: float = 0.3) -> str | None:
    """The party whose turn holds the midpoint of ``[start, end]``, or None (overlap / no turn)."""
    mid = (start + end) / 2
    hits = {
        str(t["speaker"])
        for t in turns
        if float(t["start_s"]) - tolerance_s <= mid <= float(t["end_s"]) + tolerance_s  # type: ignore[arg-type]
    }
    return hits.pop() if len(hits) == 1 else None


def score_attribution(
    segments: Sequence[PartySegment], turns: Sequence[Turn], tolerance_s: float = 0.3
) -> AttributionScore:
    words = correct = unknown = wrong = skipped = 0
    for seg in segments:
        for w in seg.words:
            truth = truth_speaker(turns, w.start, w.end, tolerance_s)
            if truth is None:
                skipped += 1
                continue
            words += 1
            if seg.speaker == truth:
                correct += 1
            elif seg.speaker == "unknown":
                unknown += 1
            else:
                wrong += 1
    return AttributionScore(words, correct, unknown, wrong, skipped)


@dataclass(frozen=True)
class BenchRow:
    call_id: str
    file: str
    result: MonoDiarization
    score: AttributionScore
    diarize_s: float


def bench_sample_calls(
    calls_dir: str | Path,
    transcriber: Transcriber,
    *,
    only: Sequence[str] = (),
    options: DiarizeOptions = DiarizeOptions(),
) -> list[BenchRow]:
    """Mix every sample call down to mono, transcribe it, diarize it and score the words."""
    from qa_pipeline.audio import decode
    from qa_pipeline.devtools.samples import load_timelines

    calls_dir = Path(calls_dir)
    timelines = load_timelines(calls_dir)
    rows: list[BenchRow] = []
    for call_id, tl in timelines.items():
        if only and call_id not in only:
            continue
        path = calls_dir / str(tl["file"])
        mono = decode(path).mono()
        segments = transcriber.transcribe(mono, TranscribeOptions())
        started = time.perf_counter()
        result = diarize_mono(mono, segments, options)
        elapsed = time.perf_counter() - started
        score = score_attribution(result.segments, tl["turns"])  # type: ignore[arg-type]
        logger.info("%s: accuracy %.3f over %d words", call_id, score.accuracy, score.words)
        rows.append(BenchRow(call_id, str(tl["file"]), result, score, elapsed))
    return rows
