"""Hand-built conversations for the metrics and scorecard tests.

``build(turns)`` turns ``(speaker, start_s, end_s, text, labels, sentiment)``
tuples into a Conversation and hand-written UtteranceLabels: listed labels
score 0.9 and are detected, every other label scores 0.02 (or what
``scores`` says).  Each turn's words are timed as ASR would time them:
spread evenly over the turn (so words per minute are words over turn length).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa_pipeline.classify.result import LABELS, UtteranceLabels
from qa_pipeline.conversation import Conversation, Utterance, Word


def build(
    turns: Sequence[tuple],
    *,
    call_id: str = "call-1",
    duration: float | None = None,
    confidence: float = 0.95,
) -> tuple[Conversation, list[UtteranceLabels]]:
    utts: list[Utterance] = []
    labs: list[UtteranceLabels] = []
    for i, turn in enumerate(turns):
        speaker, start, end, text = turn[:4]
        labels: Any = turn[4] if len(turn) > 4 else ()
        sentiment = turn[5] if len(turn) > 5 else "neutral"
        scores_override: dict[str, float] = turn[6] if len(turn) > 6 else {}
        if isinstance(labels, str):
            labels = (labels,)
        scores = {name: (0.9 if name in labels else 0.02) for name in LABELS}
        scores.update(scores_override)
        detected = tuple(n for n in LABELS if scores[n] >= 0.5)
        utts.append(Utterance(i, speaker, float(start), float(end), text, timed_words(start, end, text), confidence))
        labs.append(UtteranceLabels(i, sentiment, 0.9 if sentiment != "neutral" else 0.8, scores, detected))
    dur = duration if duration is not None else (max((u.end_s for u in utts), default=0.0) + 2.0)
    return Conversation(call_id, tuple(utts), dur), labs


def timed_words(start: float, end: float, text: str) -> tuple[Word, ...]:
    """The text's words spread evenly over ``start``-``end`` (no pauses)."""
    tokens = text.split()
    step = (end - start) / len(tokens) if tokens else 0.0
    return tuple(Word(start + k * step, start + (k + 1) * step, t, 0.95) for k, t in enumerate(tokens))


# A well-handled call with an upset customer: every customer-service criterion passes or is N/A.
GOOD_CALL = [
    ("agent", 1.0, 4.0, "Good morning, thank you for calling Northwind support.", "greeting", "positive"),
    (
        "agent",
        4.3,
        7.5,
        "My name is Priya and this call is recorded for training purposes.",
        ("agent_introduction", "recording_disclosure"),
    ),
    ("customer", 8.0, 14.0, "I was charged twice this month and honestly I am furious about it.", (), "negative"),
    ("agent", 14.5, 18.5, "I'm really sorry, I understand how upsetting a double charge is.", ("empathy", "apology")),
    (
        "agent",
        18.8,
        23.0,
        "Before I look, can you confirm your full name and date of birth please?",
        "identity_verification",
    ),
    ("customer", 23.5, 27.0, "It's [NAME], born [DOB].", ()),
    ("agent", 27.5, 32.0, "Thank you. I can see your balance is [ACCOUNT] with two identical payments.", ()),
    ("customer", 32.5, 36.0, "Yes, that's exactly the problem, the same amount twice.", (), "negative"),
    (
        "agent",
        36.5,
        41.0,
        "So if I've got this right, the second payment went out on the same day?",
        "active_listening",
    ),
    ("customer", 41.5, 43.5, "Yes, same day.", ()),
    ("agent", 44.0, 49.0, "I'm refunding the duplicate now, you'll see it within three working days.", "commitment"),
    ("customer", 49.5, 53.0, "Okay, that's a relief, thank you.", (), "positive"),
    ("agent", 53.5, 56.5, "Is there anything else I can help you with today?", "resolution_check"),
    ("customer", 57.0, 60.0, "No, that's all, thanks so much for sorting it.", (), "positive"),
    ("agent", 60.5, 63.5, "You're welcome, have a lovely day, goodbye.", "closing", "positive"),
]

# A poor call: no disclosure, balance read out before verification, the agent talks over an
# upset customer, and swears: prohibited language fails the whole call.
BAD_CALL = [
    ("agent", 2.0, 4.0, "Yeah, support, what is it.", ()),
    (
        "customer",
        4.5,
        12.0,
        "My internet has been down for three days and nobody has called me back, this is ridiculous.",
        (),
        "negative",
    ),
    ("agent", 10.5, 15.0, "Right, right, I can see your balance is [ACCOUNT] and you're behind on payments.", ()),
    ("customer", 15.5, 20.0, "That has nothing to do with it, I just want it fixed.", (), "negative"),
    ("agent", 20.5, 23.0, "What's your date of birth?", "identity_verification"),
    ("customer", 23.5, 25.0, "[DOB].", ()),
    ("agent", 25.5, 29.0, "That's your own damn fault for not paying.", "prohibited_language", "negative"),
    ("customer", 29.5, 33.0, "I want to speak to your manager right now.", "escalation_request", "negative"),
    ("agent", 33.5, 35.0, "Fine.", ()),
]
