"""The domain records every layer shares: a call as stored, a run's summary, scores, flags and the analysis.

Plain frozen dataclasses with no behaviour beyond small views.  This module
imports no store, scorecard, flows or stage code, so the stages, the store and
the runner can all depend on it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from qa_pipeline.classify.result import UtteranceLabels
from qa_pipeline.conversation import Conversation
from qa_pipeline.ingest import CallMetadata, Recording
from qa_pipeline.metrics import CallMetrics
from qa_pipeline.redact.types import RedactionSpan

__all__ = [
    "CallAnalysis",
    "CallRecord",
    "CallScore",
    "CriterionResult",
    "Flag",
    "RunSummary",
    "SectionScore",
]


@dataclass(frozen=True)
class CallRecord:
    """Everything stored in one ``calls`` row besides the utterances."""

    recording: Recording
    format: str
    source_rate: int
    channels: int
    duration_s: float
    attribution: str
    agent_channel: int | None
    asr_backend: str
    asr_model: str
    language: str
    asr_confidence: float | None
    channel: str = "voice"  # voice | chat (a transcript file without times); migration 010
    agent_channel_method: str | None = None  # stereo: manifest / configured / cues / default (migration 009)
    agent_channel_confidence: float | None = None  # stereo: 0..1


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    status: str
    calls_found: int
    calls_done: int
    calls_skipped: int
    calls_failed: int
    audio_s: float
    wall_s: float

    @property
    def audio_hours(self) -> float:
        return self.audio_s / 3600

    def as_text(self) -> str:
        return (
            f"run {self.run_id}: {self.status} — {self.calls_done} done, {self.calls_skipped} skipped, "
            f"{self.calls_failed} failed of {self.calls_found} found; {self.audio_hours:.3f} h of audio "
            f"({self.audio_s:.0f} s) in {self.wall_s:.1f} s wall"
        )


@dataclass(frozen=True)
class CriterionResult:
    """The verdict of one criterion with the evidence that decided it."""

    section_id: str
    criterion_id: str
    kind: str
    verdict: str
    points: float
    max_points: float  # 0 when N/A
    nominal_points: float  # the criterion's points in the scorecard
    auto_fail: bool  # this failed verdict failed the whole call
    auto_fail_capable: bool  # the criterion is an auto-fail item
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict, compare=False)
    title: str = ""


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    title: str
    weight: float
    points: float
    max_points: float
    score: float | None  # None when every criterion was N/A


@dataclass(frozen=True)
class CallScore:
    """One call scored against one scorecard version."""

    call_id: str
    scorecard_id: str
    scorecard_version: str
    score: float
    points: float
    max_points: float
    auto_failed: bool
    auto_fail_reasons: tuple[str, ...]
    passed: bool
    pass_threshold: float
    sections: tuple[SectionScore, ...]
    criteria: tuple[CriterionResult, ...]

    def criterion(self, criterion_id: str) -> CriterionResult:
        for c in self.criteria:
            if c.criterion_id == criterion_id:
                return c
        raise KeyError(f"no criterion {criterion_id!r} in scorecard {self.scorecard_id!r}")

    def verdicts(self) -> dict[str, str]:
        return {c.criterion_id: c.verdict for c in self.criteria}


@dataclass(frozen=True)
class Flag:
    call_id: str
    rule_id: str
    scorecard_id: str  # '' for call-level rules
    reason: str
    severity: str


@dataclass(frozen=True, eq=False)
class CallAnalysis:
    """A call on its way through the stages; each stage fills its own fields."""

    record: CallRecord | None  # None when the call was loaded from the database
    conversation: Conversation  # redacted once the redact stage ran
    redaction_spans: tuple[RedactionSpan, ...] = ()
    redacted: bool = False
    labels: tuple[UtteranceLabels, ...] = ()
    classifier_version: str | None = None
    embeddings: Any = None  # (utterances, 384) float32 sentence embeddings from the classify pass (search)
    # computed by the score stage; given beforehand only when known current for this conversation and labels
    metrics: CallMetrics | None = None
    scores: tuple[CallScore, ...] = ()
    flags: tuple[Flag, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    # the stored manifest metadata of a call loaded from the database (record is None), for targeting
    stored_metadata: CallMetadata | None = None
    # the unredacted conversation, only when the run's redaction options ask for keep_raw
    raw_conversation: Conversation | None = None

    @property
    def metadata(self) -> CallMetadata | None:
        """The call's manifest metadata: from its record, else as stored (None when rescoring)."""
        return self.record.recording.metadata if self.record is not None else self.stored_metadata

    @property
    def call_id(self) -> str:
        return self.conversation.call_id

    def timed(self, stage: str, seconds: float, **changes: Any) -> CallAnalysis:
        return replace(self, timings={**self.timings, f"{stage}_s": seconds}, **changes)
