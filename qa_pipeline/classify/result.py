"""The per-utterance classification result shared by classifiers, scorecards and storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Sentiment = Literal["negative", "neutral", "positive"]
SENTIMENTS: tuple[Sentiment, ...] = ("negative", "neutral", "positive")

LABELS: tuple[str, ...] = (
    "recording_disclosure",
    "identity_verification",
    "greeting",
    "agent_introduction",
    "closing",
    "empathy",
    "apology",
    "active_listening",
    "hold_request",
    "resolution_check",
    "commitment",
    "upsell_offer",
    "escalation_request",
    "prohibited_language",
)


@dataclass(frozen=True)
class UtteranceLabels:
    """Sentiment and compliance labels of one utterance.

    ``labels`` maps every label name to a score in 0..1; ``detected`` holds
    the names whose score reached the label's threshold, in ``LABELS`` order.
    """

    idx: int
    sentiment: Sentiment
    sentiment_score: float
    labels: Mapping[str, float] = field(default_factory=dict)
    detected: tuple[str, ...] = ()
