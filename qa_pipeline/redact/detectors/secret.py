"""Passwords, PINs, memorable words and security answers (``[SECRET]``).

Two cues: the secret named in the same turn ("the password is marmalade", "my mother's maiden name
is …", "the pin is 4 4 1 9"), or a short reply to a turn of the other party that asks for one
("What was the name of your first pet?" → "Oh, that'd be Biscuit.").  A reply that stalls, refuses
or acknowledges ("hang on", "I don't have one", "okay, got it, thanks") is not an answer, and the
question stays open for the next turn of the same speaker.
"""

from __future__ import annotations

from qa_pipeline.redact.detectors.answers import CLAUSE_END, Phrases, asked_before, skip_lead_ins
from qa_pipeline.redact.forms import STOP_WORDS
from qa_pipeline.redact.state import DetectorState, UttState

_SECRETS = Phrases(
    """password|passwords|password's|passcode|pass code|passcode's|pin|pin number|pin code|pin's|
    memorable word|memorable word's|memorable name|memorable place|maiden name|mother's maiden name|
    maiden name's|security question|security questions|secret question|security answer|secret answer|
    answer to your security question|security word|secret word|passphrase|pass phrase|first pet|
    first pet's name|pet's name|name of your first pet|first school|name of your first school|
    favourite teacher|favorite teacher|favourite teacher's name|favorite teacher's name|first car|
    city were you born in|town were you born in|street you grew up on|telephone password|phone password|
    account password|account pin|verbal password"""
)
# "the password is X": a secret word followed by one of these names the secret in the same turn
_IS = Phrases("is|was|would be|should be|'s")
_REQUESTS = Phrases(
    """can i|could i|can you|could you|may i|what's|what is|what was|whats|which|need|confirm|
    tell me|give me|spell|answer|take|on file"""
)
# a reply containing one of these stalls, refuses or acknowledges: not the secret
_NOT_ANSWER = frozenset(
    [
        "don't",
        "dont",
        "can't",
        "cant",
        "cannot",
        "not",
        "no",
        "never",
        "forgot",
        "forget",
        "remember",
        "hold",
        "hang",
        "wait",
        "moment",
        "second",
        "sec",
        "minute",
        "sorry",
        "what",
        "which",
        "why",
        "how",
        "know",
        "idea",
        "got",
        "have",
        "has",
        "set",
        "check",
        "look",
        "find",
        "haven't",
        "didn't",
        "thanks",
        "thank",
        "fine",
        "great",
        "perfect",
        "cool",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
    ]
)
_TRAILERS = Phrases(
    "all lower case|all lowercase|lower case|lowercase|all one word|one word|capital|thanks|thank you|and|but|i think"
)
# "your PIN was reset": a state of the secret, not the secret
_NOT_SECRET_START = frozenset(
    [
        "reset",
        "changed",
        "updated",
        "sent",
        "blocked",
        "locked",
        "wrong",
        "incorrect",
        "expired",
        "correct",
        "right",
        "accepted",
        "rejected",
        "required",
        "needed",
        "different",
        "same",
        "too",
        "case",
        "sensitive",
        "case-sensitive",
        "working",
    ]
)
_MAX_WORDS = 6


def find_secrets(st: DetectorState, u: UttState) -> None:
    ask = asked_before(st, u.pos, _SECRETS)
    asked = ask is not None and _is_request_turn(st.utts[ask])
    if _named_in_turn(st, u, asked) or _SECRETS.find(u):
        return  # named here, or only talked about ("I forgot my password")
    if not asked:
        return
    span = _answer(u, skip_lead_ins(u, 0))
    if span is not None and st.free(u, span[0], span[1]):
        st.add(u.pos, span[0], span[1], "SECRET")


def _named_in_turn(st: DetectorState, u: UttState, asked: bool) -> bool:
    """ "the password is X", "the password's X": redact X; whether any was found."""
    found = False
    for _, end in _SECRETS.find(u):
        k = end
        if not u.word(end - 1).endswith("'s"):  # "the password's rocket launch"
            nxt = _IS.at(u, k)
            if nxt is None and asked and u.word(k) == "in" and _named_after_in(u, k + 1):
                nxt = k + 1  # in reply to the question, Whisper's "the password in Blue Harbor" for "… is"
            if nxt is None:
                continue
            k = nxt
        span = _answer(u, skip_lead_ins(u, k), strict=False)
        if span is not None and st.free(u, span[0], span[1]):
            st.add(u.pos, span[0], span[1], "SECRET")
            found = True
    return found


def _named_after_in(u: UttState, k: int) -> bool:
    """After "the password in", only a capitalised word or a number is taken for the secret
    ("in Blue Harbor"; not "in the app", "in settings")."""
    return k < len(u.toks) and (
        u.toks[k].kind in ("num", "code") or (u.toks[k].kind == "word" and u.toks[k].text[0].isupper())
    )


def _is_request_turn(u: UttState) -> bool:
    ends_q = any(t.text == "?" for t in u.toks)
    return ends_q or bool(_REQUESTS.find(u))


def _answer(u: UttState, k: int, strict: bool = True) -> tuple[int, int] | None:
    """Tokens of the answer from ``k`` to the end of its clause, or ``None`` when it is no answer."""
    toks = u.toks
    end = k
    words = 0
    letters_only = True
    j = k
    while j < len(toks):
        t = toks[j]
        if t.kind == "punct" and (t.text in CLAUSE_END or t.text == ","):
            break
        if t.kind == "word" and _TRAILERS.at(u, j) is not None and not _between_letters(u, j):
            break
        if t.kind != "punct":
            words += 1
            letters_only = letters_only and len(t.text) == 1
            end = j + 1
        j += 1
    if end == k:
        return None
    if words > (14 if letters_only else _MAX_WORDS):
        return None
    if j < len(toks) and toks[j].text == "?":
        return None  # a question back, not an answer
    if strict and any(u.word(x) in _NOT_ANSWER for x in range(k, end)):
        return None
    first = u.word(k)
    if not strict and (
        first in STOP_WORDS or first in _NOT_ANSWER or first in _NOT_SECRET_START or first.endswith("ed")
    ):
        return None  # "the password is on the sticker"
    return k, end


def _between_letters(u: UttState, j: int) -> bool:
    """ "R and T": "and" between two spelled letters belongs to the answer."""
    return u.word(j) == "and" and len(u.text_at(j - 1)) == 1 and len(u.text_at(j + 1)) == 1
