"""Everything after ASR: redaction, classification, metrics, scoring and flags.

These stages never need audio, so they serve the nightly run, re-classification
and rescoring alike.  Each takes a :class:`CallAnalysis` and returns a new one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from qa_pipeline.classify.result import UtteranceLabels
from qa_pipeline.conversation import Conversation
from qa_pipeline.store.calls import CallRecord


@dataclass(frozen=True, eq=False)
class CallAnalysis:
    """A call on its way through the stages; each stage fills its own fields."""

    record: CallRecord | None              # None when the call was loaded from the database
    conversation: Conversation             # redacted once the redact stage ran
    redaction_spans: tuple[Any, ...] = ()
    redacted: bool = False
    labels: tuple[UtteranceLabels, ...] = ()
    classifier_version: str | None = None
    metrics: Any = None
    scores: tuple[Any, ...] = ()
    flags: tuple[Any, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def call_id(self) -> str:
        return self.conversation.call_id

    def timed(self, stage: str, seconds: float, **changes: Any) -> "CallAnalysis":
        return replace(self, timings={**self.timings, f"{stage}_s": seconds}, **changes)


def redact_stage(analysis: CallAnalysis) -> CallAnalysis:
    from qa_pipeline.redact import redact_conversation

    t = time.perf_counter()
    result = redact_conversation(analysis.conversation)
    return analysis.timed("redact", time.perf_counter() - t, conversation=result.conversation,
                          redaction_spans=tuple(result.spans), redacted=True)


def classify_stage(analysis: CallAnalysis) -> CallAnalysis:
    from qa_pipeline.classify import load_classifier

    t = time.perf_counter()
    classifier = load_classifier()
    labels = classifier.classify_conversation(analysis.conversation)
    return analysis.timed("classify", time.perf_counter() - t, labels=tuple(labels), classifier_version=classifier.version)


def score_stage(analysis: CallAnalysis, scorecards: Sequence[Any] | None = None) -> CallAnalysis:
    from qa_pipeline.scorecard import compute_metrics, evaluate_flags, load_flag_rules, load_scorecards, score_call

    t = time.perf_counter()
    cards = list(scorecards) if scorecards is not None else load_scorecards()
    metrics = compute_metrics(analysis.conversation, analysis.labels)
    scores = tuple(score_call(analysis.conversation, analysis.labels, metrics, card) for card in cards)
    flags = tuple(evaluate_flags(analysis.conversation, analysis.labels, metrics, scores, load_flag_rules()))
    return analysis.timed("score", time.perf_counter() - t, metrics=metrics, scores=scores, flags=flags)


def analyse(conversation: Conversation, record: CallRecord | None = None, *, redact: bool = True) -> CallAnalysis:
    """Run every stage after ASR in order (used by tests and benchmarks)."""
    analysis = CallAnalysis(record=record, conversation=conversation)
    if redact:
        analysis = redact_stage(analysis)
    return score_stage(classify_stage(analysis))
