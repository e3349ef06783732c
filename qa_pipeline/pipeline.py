"""The per-call stages as plain functions: decode → transcribe → attribute → redact → classify → metrics → score.

Prefect strings these together in ``flows/``; the CLI's benchmarks and the
tests call them directly.  Nothing here touches the database — storage is in
:mod:`qa_pipeline.store`.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from typing import Mapping

from qa_pipeline.asr.base import TranscribeOptions, Transcriber
from qa_pipeline.attribute import (
    AttributionOptions,
    channel_segments,
    channels_are_duplicates,
    speaker_for_channel,
)
from qa_pipeline.audio import DEFAULT_MAX_DURATION_S, DecodedAudio, decode
from qa_pipeline.conversation import Conversation, PartySegment, merge_parties, mean_confidence
from qa_pipeline.ingest import Recording
from qa_pipeline.records import CallRecord
from qa_pipeline.redact.types import RedactionOptions

logger = logging.getLogger("qa_pipeline.pipeline")


@dataclass(frozen=True)
class PipelineOptions:
    """Options of one run, shared by every call."""

    backend: str = "faster-whisper"
    model: str = "tiny.en"
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    attribution: AttributionOptions = field(default_factory=AttributionOptions)
    max_duration_s: float = DEFAULT_MAX_DURATION_S
    redact: bool = True
    manifest_columns: tuple[tuple[str, str], ...] = ()  # exported column -> manifest field (settings file)
    redaction: RedactionOptions | None = None  # the settings file's redaction block (None: the defaults)


@functools.lru_cache(maxsize=4)
def shared_transcriber(backend: str, model: str) -> Transcriber:
    """One loaded model per (backend, model) per process, shared by every call."""
    from qa_pipeline.asr import load_transcriber

    return load_transcriber(backend, model)


@dataclass(frozen=True, eq=False)
class TranscribedCall:
    """A call after ASR and speaker attribution: the expensive part, stored first."""

    record: CallRecord
    conversation: Conversation
    timings: Mapping[str, float]


def transcribe_recording(
    recording: Recording,
    transcriber: Transcriber,
    options: PipelineOptions,
    audio: DecodedAudio | None = None,
) -> TranscribedCall:
    """Decode ``recording``, transcribe each party and merge them into a conversation."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if audio is None:
        audio = decode(recording.path, max_duration_s=options.max_duration_s)
    timings["decode_s"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    parts: list[PartySegment] = []
    agent_channel: int | None
    if audio.channels == 2 and not channels_are_duplicates(audio.samples, options.attribution.duplicate_channel_corr):
        attribution = "stereo"
        agent_channel = options.attribution.agent_channel
        if agent_channel not in (0, 1):
            from qa_pipeline.errors import ConfigError

            raise ConfigError(f"agent channel {agent_channel} does not exist in a stereo call; use 0 (left) or 1 (right)")
        from qa_pipeline.stereo import transcribe_stereo

        # both channels in one Whisper pass (fuller batches); segments come back per channel
        for ch, segs in enumerate(transcribe_stereo(transcriber, audio.samples, options.transcribe)):
            parts.extend(channel_segments(segs, speaker_for_channel(ch, agent_channel), ch))
    else:
        from qa_pipeline.diarize import attribute_mono

        attribution = "diarized"
        agent_channel = None
        mono = audio.mono()
        segs = transcriber.transcribe(mono, options.transcribe)
        parts.extend(attribute_mono(mono, segs))
    timings["transcribe_s"] = time.perf_counter() - t1

    conversation = merge_parties(recording.call_id, parts, audio.duration_s, language=options.transcribe.language)
    words = [w for u in conversation.utterances for w in u.words]
    record = CallRecord(
        recording=recording,
        format=audio.info.format,
        source_rate=audio.source_rate,
        channels=audio.channels,
        duration_s=audio.duration_s,
        attribution=attribution,
        agent_channel=agent_channel,
        asr_backend=transcriber.backend,
        asr_model=transcriber.model,
        language=options.transcribe.language,
        asr_confidence=mean_confidence(words, default=1.0) if words else None,
    )
    logger.info("%s: %d utterances from %.1f s of audio (%s)", recording.path, len(conversation.utterances), audio.duration_s, attribution)
    return TranscribedCall(record=record, conversation=conversation, timings=timings)
