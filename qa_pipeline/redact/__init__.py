"""PII and payment-card redaction of transcripts (on by default).

Public API::

    redact_conversation(conv, options) -> RedactedConversation(conversation, spans, raw)
    redact_text(text, options, context=()) -> RedactionResult(text, spans)
    redact_lines(lines, options) -> list[RedactionResult]
    silence_spans(samples, sample_rate, spans, mode="silence"|"bleep") -> np.ndarray
    render_redacted_wav(path, spans) -> bytes

See docs/redaction.md.
"""

from qa_pipeline.redact.audio import render_redacted_wav, silence_spans
from qa_pipeline.redact.engine import find_pii, redact_conversation, redact_lines, redact_text
from qa_pipeline.redact.types import (
    PII_TYPES,
    RedactedConversation,
    RedactionConfig,
    RedactionOptions,
    RedactionResult,
    RedactionSpan,
    options_from_mapping,
    placeholder,
)

__all__ = [
    "PII_TYPES",
    "RedactedConversation",
    "RedactionConfig",
    "RedactionOptions",
    "RedactionResult",
    "RedactionSpan",
    "find_pii",
    "options_from_mapping",
    "placeholder",
    "redact_conversation",
    "redact_lines",
    "redact_text",
    "render_redacted_wav",
    "silence_spans",
]
