"""The transcriber interface shared by both Whisper backends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from qa_pipeline.conversation import Word

Backend = Literal["faster-whisper", "openai-whisper"]
BACKENDS: tuple[Backend, ...] = ("faster-whisper", "openai-whisper")
ModelName = Literal["tiny.en", "base"]
MODELS: tuple[ModelName, ...] = ("tiny.en", "base")
SAMPLE_RATE = 16_000
# Beam 5. Greedy decoding (1) saves about 9 % of the CPU, but on real stereo phone calls its WER was
# about 1 point worse (docs/asr.md, "Greedy or beam search"), so it stays an option.
DEFAULT_BEAM_SIZE = 5


@dataclass(frozen=True)
class TranscribeOptions:
    """Decoding options common to both backends."""

    language: str = "en"
    beam_size: int = DEFAULT_BEAM_SIZE
    vad: bool = True
    word_timestamps: bool = True
    condition_on_previous_text: bool = False
    initial_prompt: str | None = None
    hotwords: str | None = None  # faster-whisper only: domain words (company, product names) as a hint


@dataclass(frozen=True)
class AsrSegment:
    """One segment as Whisper returns it, times in seconds from the clip start."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0


@runtime_checkable
class Transcriber(Protocol):
    """Turns 16 kHz mono float32 audio into segments with word timestamps."""

    backend: Backend
    model: ModelName

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> list[AsrSegment]:
        """``audio`` is 1-D float32 at 16 kHz in -1..1."""
        ...
