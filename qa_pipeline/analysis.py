"""Everything after ASR for one conversation, in this thread: the spine's stages after the source.

These stages never need audio, so they serve the nightly run, re-classification
and rescoring alike; the order is :func:`qa_pipeline.stages.spine`'s.
"""

from __future__ import annotations

from qa_pipeline.conversation import Conversation
from qa_pipeline.pipeline import PipelineOptions
from qa_pipeline.records import CallAnalysis, CallRecord
from qa_pipeline.stages import classify_stage, redact_stage, score_stage, spine

__all__ = ["CallAnalysis", "analyse", "classify_stage", "redact_stage", "score_stage"]


def analyse(conversation: Conversation, record: CallRecord | None = None, *, redact: bool = True) -> CallAnalysis:
    """Run every stage after the source in order (used by tests and benchmarks)."""
    return spine(PipelineOptions(redact=redact)).analyse(CallAnalysis(record=record, conversation=conversation))
