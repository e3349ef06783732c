"""faster-whisper backend: CTranslate2 reads the packaged weights directly (int8 by default)."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

import numpy as np

from qa_pipeline.asr import weights
from qa_pipeline.asr.base import SAMPLE_RATE, AsrSegment, Backend, ModelName, TranscribeOptions
from qa_pipeline.asr.segments import check_language, tidy_segments
from qa_pipeline.asr.torch_encoder import ENCODERS, EncoderChoice, TorchEncoder, resolve_encoder
from qa_pipeline.asr.vad import VadSettings
from qa_pipeline.conversation import Word
from qa_pipeline.errors import ConfigError

logger = logging.getLogger("qa_pipeline.asr.faster_whisper")

COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32")
WINDOW_S = 30


@dataclass(frozen=True)
class FasterWhisperSettings:
    """How the model runs.

    ``batch_size`` > 0 uses faster-whisper's ``BatchedInferencePipeline``: VAD
    cuts the audio into ≤30 s chunks that are decoded ``batch_size`` at a time
    (faster on long calls; ``condition_on_previous_text`` does not apply).
    ``num_workers`` > 1 lets that many Python threads transcribe at once.
    ``encoder``: ``ctranslate2`` (default), ``torch-bf16`` (Whisper's audio encoder on PyTorch in
    bfloat16, :mod:`qa_pipeline.asr.torch_encoder`), ``torch-float32``, or ``auto`` (``torch-bf16`` on a
    CPU with AMX); decoding is CTranslate2's either way.
    """

    compute_type: str = "int8"
    cpu_threads: int = 2
    num_workers: int = 1
    device: str = "cpu"
    batch_size: int = 0
    vad: VadSettings = field(default_factory=VadSettings)
    encoder: EncoderChoice = "ctranslate2"

    def __post_init__(self) -> None:
        if self.device == "cpu" and self.compute_type not in COMPUTE_TYPES:
            raise ConfigError(
                f"compute_type {self.compute_type!r} is not available on CPU; use one of {', '.join(COMPUTE_TYPES)}"
            )
        if self.encoder not in ENCODERS:
            raise ConfigError(f"Whisper encoder {self.encoder!r} is not one of {', '.join(ENCODERS)}")
        if self.cpu_threads < 0 or self.num_workers < 1 or self.batch_size < 0:
            raise ConfigError(
                f"cpu_threads={self.cpu_threads}, num_workers={self.num_workers}, batch_size={self.batch_size}: "
                "threads must be ≥ 0 (0 = library default), workers ≥ 1, batch size ≥ 0 (0 = sequential)"
            )


class FasterWhisperTranscriber:
    """:class:`~qa_pipeline.asr.base.Transcriber` on faster-whisper."""

    backend: Backend = "faster-whisper"

    def __init__(self, model: ModelName = "tiny.en", settings: FasterWhisperSettings | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        self.model = model
        self.settings = settings or FasterWhisperSettings()
        folder = weights.model_dir(model)
        started = time.perf_counter()
        self._whisper = WhisperModel(
            str(folder),
            device=self.settings.device,
            compute_type=self.settings.compute_type,
            cpu_threads=self.settings.cpu_threads,
            num_workers=self.settings.num_workers,
            local_files_only=True,
        )
        self.encoder = resolve_encoder(self.settings.encoder, self.settings.device)
        if self.encoder != "ctranslate2":  # faster-whisper calls self.encode(features) on both paths
            torch_encoder = TorchEncoder(model, self.settings.cpu_threads or 1, bf16=self.encoder == "torch-bf16")
            self._whisper.encode = torch_encoder.encode
        self._batched = BatchedInferencePipeline(self._whisper) if self.settings.batch_size > 0 else None
        self.load_seconds = time.perf_counter() - started
        logger.info(
            "loaded faster-whisper %s (%s, encoder %s, %d threads) from %s in %.2f s",
            model,
            self.settings.compute_type,
            self.encoder,
            self.settings.cpu_threads,
            folder,
            self.load_seconds,
        )

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions | None = None) -> list[AsrSegment]:
        options = options or TranscribeOptions()
        check_language(self.model, options.language)
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        duration = audio.size / SAMPLE_RATE
        if audio.size == 0:
            return []
        common = {
            "language": options.language,
            "beam_size": options.beam_size,
            "word_timestamps": options.word_timestamps,
            "initial_prompt": options.initial_prompt,
            "vad_filter": options.vad,
        }
        if options.hotwords:
            common["hotwords"] = options.hotwords
        if self._batched is not None:
            kwargs: dict[str, object] = dict(common, batch_size=self.settings.batch_size)
            if options.vad:
                kwargs["vad_parameters"] = self.settings.vad.options(batched=True, max_speech_duration_s=WINDOW_S)
            else:  # the batched pipeline needs explicit windows when VAD is off
                kwargs["clip_timestamps"] = [
                    {"start": s, "end": min(s + WINDOW_S, duration)} for s in np.arange(0, duration, WINDOW_S)
                ]
            segments, _info = self._batched.transcribe(audio, **kwargs)
        else:
            segments, _info = self._whisper.transcribe(
                audio,
                condition_on_previous_text=options.condition_on_previous_text,
                vad_parameters=self.settings.vad.options() if options.vad else None,
                **common,
            )
        raw = [
            AsrSegment(
                start=float(s.start),
                end=float(s.end),
                text=s.text,
                words=tuple(
                    Word(start=float(w.start), end=float(w.end), text=w.word, probability=float(w.probability))
                    for w in (s.words or ())
                ),
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
            )
            for s in segments  # a generator: decoding happens here
        ]
        return tidy_segments(raw, duration)
