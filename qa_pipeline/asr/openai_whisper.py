"""openai-whisper backend (the design card's): PyTorch on the converted checkpoint.

The packaged CTranslate2 weights are converted once into
``models/whisper-pt/<model>.pt`` (:mod:`qa_pipeline.asr.convert`); this
backend converts on first use when the file is missing or stale.  Silence is
skipped with the same Silero VAD as faster-whisper: the speech chunks are
concatenated, transcribed, and the times mapped back to the clip.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from qa_pipeline.asr import convert
from qa_pipeline.asr.base import SAMPLE_RATE, AsrSegment, Backend, ModelName, TranscribeOptions
from qa_pipeline.asr.segments import check_language, tidy_segments
from qa_pipeline.asr.vad import SpeechOnly, VadSettings, strip_silence
from qa_pipeline.conversation import Word
from qa_pipeline.errors import ConfigError

logger = logging.getLogger("qa_pipeline.asr.openai_whisper")


@dataclass(frozen=True)
class OpenAIWhisperSettings:
    """``cpu_threads`` sets PyTorch's intra-op threads for the whole process (``torch.set_num_threads``)."""

    cpu_threads: int = 2
    device: str = "cpu"
    vad: VadSettings = field(default_factory=VadSettings)

    def __post_init__(self) -> None:
        if self.cpu_threads < 0:
            raise ConfigError(f"cpu_threads={self.cpu_threads}: must be ≥ 0 (0 = PyTorch's default)")


class OpenAIWhisperTranscriber:
    """:class:`~qa_pipeline.asr.base.Transcriber` on openai-whisper."""

    backend: Backend = "openai-whisper"

    def __init__(self, model: ModelName = "tiny.en", settings: OpenAIWhisperSettings | None = None) -> None:
        import torch
        import whisper

        self.model = model
        self.settings = settings or OpenAIWhisperSettings()
        if self.settings.cpu_threads:
            torch.set_num_threads(self.settings.cpu_threads)
        path = convert.ensure_checkpoint(model)
        started = time.perf_counter()
        self._whisper = whisper.load_model(str(path), device=self.settings.device)
        meta = torch.load(path, map_location="cpu", weights_only=True, mmap=True).get("qa_pipeline", {})
        heads = meta.get("alignment_heads") or []
        if heads:
            dims = self._whisper.dims
            self._whisper.set_alignment_heads(convert.alignment_heads_dump(heads, dims.n_text_layer, dims.n_text_head))
        self._whisper.eval()
        # openai-whisper's decoding (kv-cache) and word alignment (cross-attention) install forward hooks on the
        # model itself, so two calls decoding on one shared model would write into each other's caches:
        # one transcribe() at a time per model (calls at once use faster-whisper's own workers).
        self._decode_lock = threading.Lock()
        self.load_seconds = time.perf_counter() - started
        logger.info("loaded openai-whisper %s from %s in %.2f s", model, path, self.load_seconds)

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions | None = None) -> list[AsrSegment]:
        import torch
        import whisper

        options = options or TranscribeOptions()
        check_language(self.model, options.language)
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        duration = audio.size / SAMPLE_RATE
        if audio.size == 0:
            return []
        speech = strip_silence(audio, self.settings.vad) if options.vad else SpeechOnly(audio, (), None)
        if speech.empty:
            return []
        with self._decode_lock, torch.inference_mode():
            result = whisper.transcribe(
                self._whisper,
                speech.audio,
                language=options.language,
                beam_size=options.beam_size,
                best_of=options.beam_size,
                word_timestamps=options.word_timestamps,
                condition_on_previous_text=options.condition_on_previous_text,
                initial_prompt=options.initial_prompt,
                fp16=self.settings.device != "cpu",
                verbose=None,
            )
        raw: list[AsrSegment] = []
        for s in result["segments"]:
            words = []
            for w in s.get("words", ()):
                start, end = speech.to_clip_time(float(w["start"]), float(w["end"]))
                words.append(Word(start=start, end=end, text=w["word"], probability=float(w["probability"])))
            start = speech.to_clip_point(float(s["start"]))
            end = speech.to_clip_point(float(s["end"]), is_end=True)
            raw.append(
                AsrSegment(
                    start=start,
                    end=end,
                    text=s["text"],
                    words=tuple(words),
                    avg_logprob=float(s["avg_logprob"]),
                    no_speech_prob=float(s["no_speech_prob"]),
                )
            )
        return tidy_segments(raw, duration)
