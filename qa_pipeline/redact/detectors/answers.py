"""Shared helpers of the word-level detectors (secrets, names): phrases in a turn, the question a
turn answers, and the answer's words after its lead-in ("yeah, it's …", "I think I put …")."""

from __future__ import annotations

from qa_pipeline.redact.state import DetectorState, UttState

CLAUSE_END = frozenset({".", "?", "!", ";", ":"})


class Phrases:
    """A set of word phrases, indexed by first word (matched on lower-cased word tokens)."""

    def __init__(self, text: str) -> None:
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for p in text.replace("\n", " ").split("|"):
            words = tuple(p.split())
            if words:
                self._by_first.setdefault(words[0], []).append(words)
        for group in self._by_first.values():
            group.sort(key=len, reverse=True)
        self.first_words = frozenset(self._by_first)

    def at(self, u: UttState, i: int) -> int | None:
        """End of the longest phrase starting at token ``i``, or ``None``."""
        group = self._by_first.get(u.word(i))
        if not group:
            return None
        for p in group:
            if all(u.word(i + k) == w for k, w in enumerate(p[1:], 1)):
                return i + len(p)
        return None

    def find(self, u: UttState) -> list[tuple[int, int]]:
        """Every occurrence in ``u`` as token ranges."""
        out: list[tuple[int, int]] = []
        if self.first_words.isdisjoint(u.word_set):
            return out
        for i in range(len(u.toks)):
            end = self.at(u, i)
            if end is not None:
                out.append((i, end))
        return out


# words a reply starts with before the answer itself
LEAD_INS = Phrases(
    """yeah|yes|yep|sure|ok|okay|oh|um|uh|er|erm|so|well|right|alright|and|it's|its|it is|it was|that's|
    that is|that'd be|that would be|that'll be|it'd be|it would be|it should be|should be|i think|i put|
    i think i put|i think it's|i believe|i believe it's|this is|my name is|my name's|the answer is|
    the answer's|it's just|just|then|now"""
)


def skip_lead_ins(u: UttState, k: int) -> int:
    """First token after the lead-in words and punctuation from ``k``."""
    while k < len(u.toks):
        if u.toks[k].kind == "punct" and u.toks[k].text in (",", "-", "\u2014"):
            k += 1
            continue
        end = LEAD_INS.at(u, k)
        if end is None:
            return k
        k = end
    return k


def asked_before(st: DetectorState, pos: int, asks: Phrases, back: int = 3) -> int | None:
    """The other party's last turn before this one, within ``back`` turns, when it contains one of
    ``asks`` (the question this turn answers); turns of this speaker in between ("hang on") are
    passed over.  ``None`` when that turn asks for something else."""
    u = st.utts[pos]
    for p in range(pos - 1, max(-1, pos - 1 - back), -1):
        prev = st.utts[p]
        if prev.speaker == u.speaker and prev.speaker != "unknown":
            continue
        return p if asks.find(prev) else None
    return None
