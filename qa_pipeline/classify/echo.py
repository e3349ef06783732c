"""Active listening from the conversation: the agent echoes details the customer gave.

A QA reviewer counts an echo ("smart electric"), a confirmation question
("did you say four one nine one two?") or a read-back / recap of the action
that repeats the customer's specifics ("eighty one dollars has been
transferred from your checking to your savings").  One utterance alone cannot
show that; the conversation can: an agent utterance is an echo when it repeats
a *specific* the customer said earlier in the call —

* a run of at least two number words or digits ("four one nine", "eighty one"),
  a number word other than one, or a redaction placeholder (``[PHONE]``,
  ``[ADDRESS]``: the same detail, redacted on both sides);
* a weekday or month; an account or card type (checking, savings, credit, debit).

Not counted: an answer to a balance question (the agent reads out information,
it does not listen back), the customer's name (never a specific here, so no
verdict depends on which name is spoken).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

ECHO_SCORE = 0.9

NUMBER_WORDS = frozenset(
    [
        "zero",
        "oh",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
    ]
)
WEAK_NUMBERS = frozenset({"one", "oh", "hundred", "thousand"})  # alone they are "one moment", "oh okay"
NAMED = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "checking",
        "savings",
        "credit",
        "debit",
    ]
)
PERSON_PLACEHOLDERS = frozenset({"[NAME]", "[PERSON]"})  # a name said back is not a listed specific
NOT_AN_ECHO = re.compile(r"\bbalance\b|\b(?:what|which) (?:is|was|account|day|time)\b")
_TOKEN = re.compile(r"\[[A-Za-z_]+\]|[A-Za-z0-9']+")


def _tokens(text: str) -> list[str]:
    return [t.upper() if t.startswith("[") else t.lower() for t in _TOKEN.findall(text)]


def specifics(text: str) -> set[str]:
    """The specifics an utterance mentions: number runs (as ``"n:four one nine"``), single strong numbers, names."""
    toks = _tokens(text)
    out: set[str] = set()
    run: list[str] = []

    def flush() -> None:
        if len(run) >= 2:
            for i in range(len(run) - 1):
                out.add("n:" + run[i] + " " + run[i + 1])
        for w in run:
            if w not in WEAK_NUMBERS:
                out.add("n:" + w)
        run.clear()

    for t in toks:
        if t.startswith("["):
            flush()
            if t not in PERSON_PLACEHOLDERS:
                out.add("p:" + t)
        elif t in NUMBER_WORDS or t.isdigit():
            run.append(t)
        else:
            flush()
            if t in NAMED:
                out.add("w:" + t)
    flush()
    return out


def echoes(speakers: Sequence[str], texts: Sequence[str]) -> list[tuple[int, tuple[str, ...]]]:
    """``(position, echoed specifics)`` for every agent utterance that repeats what the customer said before it."""
    heard: set[str] = set()
    found: list[tuple[int, tuple[str, ...]]] = []
    for i, (speaker, text) in enumerate(zip(speakers, texts)):
        mine = specifics(text or "")
        if speaker == "customer":
            heard |= mine
        elif speaker == "agent" and mine and not NOT_AN_ECHO.search((text or "").lower()):
            common = mine & heard
            if common:
                found.append((i, tuple(sorted(common))))
    return found


def rules_fingerprint() -> str:
    """What the classifier version hashes for this rule."""
    parts: Iterable[str] = (
        ECHO_SCORE.__repr__(),
        " ".join(sorted(NUMBER_WORDS)),
        " ".join(sorted(WEAK_NUMBERS)),
        " ".join(sorted(NAMED)),
        " ".join(sorted(PERSON_PLACEHOLDERS)),
        NOT_AN_ECHO.pattern,
        _TOKEN.pattern,
    )
    return "|".join(parts)
