"""Skip silence before Whisper sees the audio (Silero VAD shipped in the faster-whisper wheel).

faster-whisper applies the VAD itself; the openai-whisper backend uses
:func:`strip_silence` to cut the same speech chunks, transcribes their
concatenation, and maps the times back with :class:`SpeechTimestampsMap`.
The Silero model (``faster_whisper/assets/silero_vad_v6.onnx``) runs through
onnxruntime on one thread; nothing is downloaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qa_pipeline.asr.base import SAMPLE_RATE

if TYPE_CHECKING:  # faster_whisper is imported only when audio is processed
    from faster_whisper.vad import SpeechTimestampsMap, VadOptions

logger = logging.getLogger("qa_pipeline.asr.vad")

# faster-whisper's own defaults: 2 s of silence splits a chunk in sequential mode;
# its batched pipeline cuts at 160 ms pauses so that chunks fill 30 s windows.
SEQUENTIAL_MIN_SILENCE_MS = 2000
BATCHED_MIN_SILENCE_MS = 160


@dataclass(frozen=True)
class VadSettings:
    """Silero VAD parameters (see ``faster_whisper.vad.VadOptions``).

    ``min_silence_duration_ms=None`` takes the mode's default
    (:data:`SEQUENTIAL_MIN_SILENCE_MS` or :data:`BATCHED_MIN_SILENCE_MS`).
    """

    threshold: float = 0.5
    min_speech_duration_ms: int = 0
    min_silence_duration_ms: int | None = None
    speech_pad_ms: int = 400

    def options(self, *, batched: bool = False, max_speech_duration_s: float = float("inf")) -> VadOptions:
        from faster_whisper.vad import VadOptions

        silence = self.min_silence_duration_ms
        if silence is None:
            silence = BATCHED_MIN_SILENCE_MS if batched else SEQUENTIAL_MIN_SILENCE_MS
        return VadOptions(
            threshold=self.threshold,
            min_speech_duration_ms=self.min_speech_duration_ms,
            min_silence_duration_ms=silence,
            speech_pad_ms=self.speech_pad_ms,
            max_speech_duration_s=max_speech_duration_s,
        )


@dataclass(frozen=True, eq=False)
class SpeechOnly:
    """The speech of a clip, concatenated, and the map back to clip time."""

    audio: np.ndarray
    chunks: tuple[dict[str, int], ...]
    timestamps: SpeechTimestampsMap | None

    @property
    def empty(self) -> bool:
        return self.audio.size == 0

    def to_clip_point(self, t: float, *, is_end: bool = False) -> float:
        """Map one instant of the concatenated speech back to the original clip."""
        if self.timestamps is None:
            return t
        return self.timestamps.get_original_time(t, is_end=is_end)

    def to_clip_time(self, start: float, end: float) -> tuple[float, float]:
        """Map a span of the concatenated speech back to the original clip (both ends in one chunk)."""
        if self.timestamps is None:
            return start, end
        index = self.timestamps.get_chunk_index((start + end) / 2)
        return (
            self.timestamps.get_original_time(start, index),
            self.timestamps.get_original_time(end, index),
        )


def strip_silence(audio: np.ndarray, settings: VadSettings) -> SpeechOnly:
    """Keep only the speech chunks Silero finds in ``audio`` (1-D, 16 kHz)."""
    from faster_whisper.vad import SpeechTimestampsMap, collect_chunks, get_speech_timestamps

    chunks = get_speech_timestamps(audio, settings.options(), sampling_rate=SAMPLE_RATE)
    if not chunks:
        logger.debug("VAD found no speech in %.1f s of audio", audio.size / SAMPLE_RATE)
        return SpeechOnly(np.zeros(0, dtype=np.float32), (), None)
    pieces, _ = collect_chunks(audio, chunks, sampling_rate=SAMPLE_RATE)
    speech = np.ascontiguousarray(np.concatenate(pieces), dtype=np.float32)
    logger.debug(
        "VAD kept %.1f s of %.1f s in %d chunks", speech.size / SAMPLE_RATE, audio.size / SAMPLE_RATE, len(chunks)
    )
    return SpeechOnly(speech, tuple(chunks), SpeechTimestampsMap(chunks, SAMPLE_RATE))
