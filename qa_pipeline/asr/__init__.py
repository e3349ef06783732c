"""Whisper transcription: one interface, two backends, weights from pinned pip packages.

>>> from qa_pipeline.asr import load_transcriber, TranscribeOptions
>>> asr = load_transcriber()                      # faster-whisper, tiny.en, int8, 2 threads
>>> segments = asr.transcribe(samples_16k_mono, TranscribeOptions(beam_size=5))

``load_transcriber`` options (keyword): ``cpu_threads`` (2), ``device`` ("cpu"),
``vad`` (:class:`VadSettings`), and for faster-whisper only ``compute_type``
("int8"), ``num_workers`` (1), ``batch_size`` (0 = sequential; > 0 uses the
batched pipeline for long audio).
"""

from __future__ import annotations

from typing import Any

from qa_pipeline.asr.base import (
    BACKENDS,
    MODELS,
    SAMPLE_RATE,
    AsrSegment,
    Backend,
    ModelName,
    TranscribeOptions,
    Transcriber,
)
from qa_pipeline.asr.vad import VadSettings
from qa_pipeline.errors import ConfigError

DEFAULT_BACKEND: Backend = "faster-whisper"
DEFAULT_MODEL: ModelName = "tiny.en"

# Options only faster-whisper has; at these values they ask for nothing, so another backend takes them too.
FASTER_WHISPER_ONLY = ("compute_type", "num_workers", "batch_size", "encoder")
_NOTHING_ASKED = (None, 0, 1, "int8", "auto", "ctranslate2")


def load_transcriber(backend: str = DEFAULT_BACKEND, model: str = DEFAULT_MODEL, **opts: Any) -> Transcriber:
    """Load a Whisper backend on the packaged weights (no network).

    Raises :class:`~qa_pipeline.errors.ModelNotAvailableError` naming the pip
    package to install when the weights are missing or fail their checksum,
    :class:`~qa_pipeline.errors.ConfigError` for an unknown backend, model or option.
    """
    if model not in MODELS:
        raise ConfigError(f"unknown Whisper model {model!r}; choose one of {', '.join(MODELS)}")
    if backend == "faster-whisper":
        from qa_pipeline.asr.faster_whisper import FasterWhisperSettings, FasterWhisperTranscriber

        return FasterWhisperTranscriber(model, _settings(FasterWhisperSettings, opts, backend))
    if backend == "openai-whisper":
        from qa_pipeline.asr.openai_whisper import OpenAIWhisperSettings, OpenAIWhisperTranscriber

        ignored = {k: v for k, v in opts.items() if k in FASTER_WHISPER_ONLY and v not in _NOTHING_ASKED}
        if ignored:
            raise ConfigError(f"options {sorted(ignored)} apply to faster-whisper only, not to backend {backend!r}")
        rest = {k: v for k, v in opts.items() if k not in FASTER_WHISPER_ONLY}
        return OpenAIWhisperTranscriber(model, _settings(OpenAIWhisperSettings, rest, backend))
    raise ConfigError(f"unknown ASR backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def _settings(cls: type, opts: dict[str, Any], backend: str) -> Any:
    known = set(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    unknown = sorted(set(opts) - known)
    if unknown:
        raise ConfigError(f"unknown option(s) {unknown} for ASR backend {backend!r}; known: {', '.join(sorted(known))}")
    return cls(**{k: v for k, v in opts.items() if v is not None})


__all__ = [
    "BACKENDS",
    "DEFAULT_BACKEND",
    "DEFAULT_MODEL",
    "FASTER_WHISPER_ONLY",
    "MODELS",
    "SAMPLE_RATE",
    "AsrSegment",
    "Backend",
    "ModelName",
    "TranscribeOptions",
    "Transcriber",
    "VadSettings",
    "load_transcriber",
]
