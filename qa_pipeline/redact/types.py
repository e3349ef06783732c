"""Results and options of PII redaction (frozen dataclasses) and the config model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from qa_pipeline.conversation import Conversation
from qa_pipeline.errors import ConfigError

PiiType = Literal[
    "CARD", "CVV", "EXPIRY", "SSN", "DOB", "PHONE", "EMAIL", "ADDRESS", "ACCOUNT", "ROUTING", "SECRET", "NAME"
]
PII_TYPES: tuple[PiiType, ...] = (
    "CARD",
    "CVV",
    "EXPIRY",
    "SSN",
    "DOB",
    "PHONE",
    "EMAIL",
    "ADDRESS",
    "ACCOUNT",
    "ROUTING",
    "SECRET",
    "NAME",
)


def placeholder(pii_type: str) -> str:
    """The text that replaces a redacted span, e.g. ``[CARD]``."""
    return f"[{pii_type}]"


@dataclass(frozen=True)
class RedactionSpan:
    """One redacted span of one utterance.

    ``char_start``/``char_end`` locate the placeholder in the *redacted* text;
    ``start_s``/``end_s`` are the audio span to silence (from the replaced
    words' timestamps; ``None`` when redacting bare text).
    """

    idx: int
    span_no: int
    pii_type: str
    char_start: int
    char_end: int
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class RedactionResult:
    """Redacted text of one line and its spans (``idx`` is the line's index)."""

    text: str
    spans: tuple[RedactionSpan, ...] = ()


@dataclass(frozen=True)
class RedactedConversation:
    """The conversation with PII replaced by placeholders, and where.

    ``raw`` is the untouched conversation, present only when
    :attr:`RedactionOptions.keep_raw` asked for it.
    """

    conversation: Conversation
    spans: tuple[RedactionSpan, ...] = ()
    raw: Conversation | None = None

    def spans_of(self, idx: int) -> tuple[RedactionSpan, ...]:
        return tuple(s for s in self.spans if s.idx == idx)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.spans:
            out[s.pii_type] = out.get(s.pii_type, 0) + 1
        return out


@dataclass(frozen=True)
class RedactionOptions:
    """What to redact.

    ``enabled`` — redaction is on by default; turning it off stores raw text.
    ``types`` — the PII types to detect (default: all of :data:`PII_TYPES`).
    ``keep_raw`` — also hand back the unredacted conversation (``RedactedConversation.raw``)
    so the caller can store it in ``raw_utterances``; off by default, never implied.
    """

    enabled: bool = True
    types: frozenset[str] = field(default_factory=lambda: frozenset(PII_TYPES))
    keep_raw: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.types) - set(PII_TYPES))
        if unknown:
            raise ConfigError(f"unknown PII type(s) {unknown} in redaction types; use some of {list(PII_TYPES)}")
        object.__setattr__(self, "types", frozenset(self.types))

    @classmethod
    def from_types(cls, types: Iterable[str], **kwargs: Any) -> RedactionOptions:
        return cls(types=frozenset(t.strip().upper() for t in types if t.strip()), **kwargs)


class RedactionConfig(BaseModel):
    """The ``redaction:`` block of a pipeline config file."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    types: list[str] = list(PII_TYPES)
    keep_raw: bool = False

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        upper = [v.strip().upper() for v in value]
        unknown = [v for v in upper if v not in PII_TYPES]
        if unknown:
            raise ValueError(f"unknown PII type(s) {unknown}; use some of {list(PII_TYPES)}")
        return upper

    def to_options(self) -> RedactionOptions:
        return RedactionOptions(enabled=self.enabled, types=frozenset(self.types), keep_raw=self.keep_raw)


def options_from_mapping(data: Mapping[str, Any] | None, *, source: str = "<config>") -> RedactionOptions:
    """Validate a ``redaction:`` mapping; errors read ``FILE: [redaction -> field] message``."""
    try:
        return RedactionConfig.model_validate(dict(data or {})).to_options()
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = " -> ".join(["redaction", *(str(p) for p in first["loc"])])
        raise ConfigError(f"{source}: [{loc}] {first['msg']}") from None
