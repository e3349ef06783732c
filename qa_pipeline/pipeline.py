"""The per-call stages as plain functions: decode → transcribe → attribute → redact → classify → metrics → score.

Prefect strings these together in ``flows/``; the CLI's benchmarks and the
tests call them directly.  Nothing here touches the database — storage is in
:mod:`qa_pipeline.store`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from qa_pipeline.asr.base import SAMPLE_RATE, TranscribeOptions, Transcriber
from qa_pipeline.attribute import (
    AttributionOptions,
    ChannelDecision,
    channel_segments,
    channels_are_duplicates,
    decide_agent_channel,
    speaker_for_channel,
)
from qa_pipeline.audio import DEFAULT_MAX_DURATION_S, DecodedAudio, SpooledAudio, open_audio
from qa_pipeline.conversation import Conversation, PartySegment, mean_confidence, merge_parties
from qa_pipeline.ingest import Recording
from qa_pipeline.long_audio import WINDOW_S, transcribe_long_mono, transcribe_long_stereo
from qa_pipeline.records import CallRecord
from qa_pipeline.redact.types import RedactionOptions
from qa_pipeline.transcript_file import is_transcript, parse_transcript

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
    scorecards: str | None = None  # the scorecards folder (settings file); None: paths.scorecards_dir()
    long_window_s: float = WINDOW_S  # a long (spooled) recording goes through Whisper this many seconds at a time


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
    audio: DecodedAudio | SpooledAudio | None = None,
) -> TranscribedCall:
    """Decode ``recording``, transcribe each party and merge them into a conversation.

    A ``*.transcript.json`` file (a chat, or another system's transcript) is read instead: no audio, no ASR.
    A recording longer than :data:`~qa_pipeline.audio.LONG_RECORDING_S` is spooled to disk and transcribed
    a window at a time (``audio`` given by the caller stays the caller's to close).
    """
    if is_transcript(recording.path):
        return read_transcript_call(recording, options)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    source: DecodedAudio | SpooledAudio = (
        audio if audio is not None else open_audio(recording.path, max_duration_s=options.max_duration_s)
    )
    timings["decode_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    try:
        parts, attribution, decision = _attributed_parts(source, recording, transcriber, options)
    finally:
        if audio is None and isinstance(source, SpooledAudio):
            source.close()
    agent_channel = decision.agent_channel if decision is not None else None
    timings["transcribe_s"] = time.perf_counter() - t1

    # mono: the diarizer already cut the speech into sentences and voice runs; joining them back
    # would fold a call of unsure voices into a few long utterances
    join_gap_s = 1.0 if attribution == "stereo" else float("-inf")
    conversation = merge_parties(
        recording.call_id, parts, source.duration_s, join_gap_s=join_gap_s, language=options.transcribe.language
    )
    conversation = replace(conversation, queue=recording.metadata.queue)
    if decision is not None:
        conversation = replace(conversation, role_confidence=decision.confidence)
    words = [w for u in conversation.utterances for w in u.words]
    record = CallRecord(
        recording=recording,
        format=source.info.format,
        source_rate=source.source_rate,
        channels=source.channels,
        duration_s=source.duration_s,
        attribution=attribution,
        agent_channel=agent_channel,
        asr_backend=transcriber.backend,
        asr_model=transcriber.model,
        language=options.transcribe.language,
        asr_confidence=mean_confidence(words, default=1.0) if words else None,
        agent_channel_method=decision.method if decision else None,
        agent_channel_confidence=decision.confidence if decision else None,
    )
    logger.info(
        "%s: %d utterances from %.1f s of audio (%s)",
        recording.path,
        len(conversation.utterances),
        source.duration_s,
        attribution,
    )
    return TranscribedCall(record=record, conversation=conversation, timings=timings)


def _two_parties(audio: DecodedAudio | SpooledAudio, options: PipelineOptions) -> bool:
    """Two channels that are not the same signal twice; a spooled recording is judged on its first window."""
    if audio.channels != 2:
        return False
    if isinstance(audio, SpooledAudio):
        samples = audio.read(0, min(audio.n, int(options.long_window_s * SAMPLE_RATE)))
    else:
        samples = audio.samples
    return not channels_are_duplicates(samples, options.attribution.duplicate_channel_corr)


def _attributed_parts(
    audio: DecodedAudio | SpooledAudio, recording: Recording, transcriber: Transcriber, options: PipelineOptions
) -> tuple[list[PartySegment], str, ChannelDecision | None]:
    """Transcribe and attribute: stereo (one party per channel) or mono (diarized).

    A spooled (long) recording goes through Whisper a window at a time (:mod:`qa_pipeline.long_audio`); its
    channels are compared for duplication on the first window only."""
    parts: list[PartySegment] = []
    if _two_parties(audio, options):
        if isinstance(audio, SpooledAudio):
            left, right = transcribe_long_stereo(transcriber, audio, options.transcribe, options.long_window_s)
        else:
            from qa_pipeline.stereo import transcribe_stereo

            # both channels in one Whisper pass (fuller batches); segments come back per channel
            left, right = transcribe_stereo(transcriber, audio.samples, options.transcribe)
        decision = decide_agent_channel(
            left, right, options.attribution, manifest_channel=recording.metadata.agent_channel
        )
        for ch, segs in enumerate((left, right)):
            parts.extend(channel_segments(segs, speaker_for_channel(ch, decision.agent_channel), ch))
        return parts, "stereo", decision
    from qa_pipeline.diarize import attribute_mono

    if isinstance(audio, SpooledAudio):
        segs = transcribe_long_mono(transcriber, audio, options.transcribe, options.long_window_s)
        parts.extend(attribute_mono(audio.mono(), segs))
    else:
        mono = audio.mono()
        segs = transcriber.transcribe(mono, options.transcribe)
        parts.extend(attribute_mono(mono, segs))
    return parts, "diarized", None


def read_transcript_call(recording: Recording, options: PipelineOptions) -> TranscribedCall:
    """A transcript file as a transcribed call: its turns, and its metadata with the manifest's filling the gaps."""
    t0 = time.perf_counter()
    parsed = parse_transcript(recording.path, recording.call_id)
    manifest = recording.metadata
    metadata = replace(
        parsed.metadata,
        **{
            k: getattr(manifest, k)
            for k in vars(manifest)
            if getattr(parsed.metadata, k) is None and getattr(manifest, k) is not None
        },
        # the manifest's KPI values fill the file's gaps; the manifest's bad values were recorded at discovery
        kpi={**manifest.kpi, **parsed.metadata.kpi},
    )
    conversation = replace(parsed.conversation, queue=metadata.queue)
    record = CallRecord(
        recording=replace(recording, metadata=metadata),
        format="transcript",
        source_rate=0,
        channels=0,
        duration_s=conversation.duration_s if conversation.timed else 0.0,
        attribution="transcript",
        agent_channel=None,
        asr_backend="transcript",
        asr_model="none",
        language=conversation.language,
        asr_confidence=None,
        channel=parsed.channel,
    )
    logger.info(
        "%s: %d turns read from a transcript file (%s)", recording.path, len(conversation.utterances), parsed.channel
    )
    return TranscribedCall(
        record=record, conversation=conversation, timings={"read_transcript_s": time.perf_counter() - t0}
    )
