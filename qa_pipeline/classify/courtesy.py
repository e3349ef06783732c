"""Courteous endings are never negative: a deterministic guard on the sentiment head.

On real calls the head read "no thank you", "bye bye" and "you too bye bye" as
negative (a short turn with "no" in it).  A QA reviewer reads a turn made only
of courtesy words as positive when it thanks or reciprocates ("no thank you",
"you too", "thanks, bye") and neutral otherwise ("nope, that's it", "bye").
A turn that says anything else is left to the head.
"""

from __future__ import annotations

import re

COURTESY_SCORE = 0.8
_PIECE = (
    r"no|nope|nah|okay|ok|alright|all right|great|perfect|awesome|wonderful|lovely|fantastic|cool|yes|yeah|yep|um|uh|oh|so|well|and|"
    r"thank you(?: so much| very much| again| for your help| for (?:all )?(?:the|your) help)?|thanks(?: so much| a lot| again| for your help)?|"
    r"thank|you too|you as well|yourself as well|same to you|and you|appreciate it|i appreciate it|much appreciated|cheers|"
    r"bye(?: bye)?|goodbye|good bye|bye now|take care|have a (?:good|great|nice|lovely|wonderful) (?:day|one|evening|night|weekend|afternoon)|"
    r"you have a (?:good|great|nice|lovely|wonderful) (?:day|one|evening|night|weekend|afternoon)|"
    r"that's (?:it|all|everything)|that is (?:it|all|everything)|that'll (?:be|do) (?:it|all|everything)|that will (?:be|do) (?:it|all|everything)|"
    r"that was (?:it|all|everything)|that's gonna be it|that's going to be it|that was going to be it|i'm all set|i am all set|i'm good|i think that's it|"
    r"i think that's all|for today|today|ma'am|sir|then|now|too|very much|so much"
)
COURTESY = re.compile(rf"^(?:(?:{_PIECE})[\s,.!?]*)+$")
WARM = re.compile(
    r"\b(?:thank|thanks|appreciate|appreciated|cheers|you too|you as well|yourself as well|same to you|and you|have a|take care)\b"
)


def courtesy_sentiment(text: str) -> str | None:
    """``positive``/``neutral`` for a turn made only of courtesy words; ``None`` for anything else."""
    t = " ".join(text.lower().replace("\u2019", "'").split())
    if not t or not COURTESY.match(t):
        return None
    return "positive" if WARM.search(t) else "neutral"


def rules_fingerprint() -> str:
    return "|".join((repr(COURTESY_SCORE), COURTESY.pattern, WARM.pattern))
