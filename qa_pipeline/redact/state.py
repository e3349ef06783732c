"""The shared state every PII detector works on: utterances, tokens, context hits, what is
already redacted, and the context rules that say which types a stretch of tokens may be.

Detectors (:mod:`qa_pipeline.redact.detectors`) read :class:`DetectorState` and add
:class:`Detection` rows to it through :meth:`DetectorState.add`; each step skips the tokens an
earlier one redacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from qa_pipeline.redact.context import CODE_WORD, Hit, find_hits
from qa_pipeline.redact.numbers import NumberRun, find_runs
from qa_pipeline.redact.tokens import Token, tokenize


@dataclass(frozen=True)
class Detection:
    """PII found at tokens ``tok_start``..``tok_end`` of utterance ``pos``.

    ``value`` is the normalised digits (kept in memory for echo matching only, never stored).
    """

    pos: int
    tok_start: int
    tok_end: int
    pii_type: str
    value: str = ""


@dataclass
class UttState:
    pos: int
    speaker: str
    text: str
    toks: list[Token]
    hits: list[Hit]
    blocked: dict[int, str] = field(default_factory=dict)
    # tokens of context phrases: a number word there ("the three on the back", "four digit code")
    # belongs to the phrase, never to a number run
    phrase_toks: frozenset[int] = frozenset()
    # the lower-cased word of each token ("" for numbers, codes, punctuation), read once
    words: list[str] = field(default_factory=list)
    word_set: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.words = [t.lower.replace("\u2019", "'") if t.kind == "word" else "" for t in self.toks]
        self.word_set = frozenset(self.words)

    def word(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    def text_at(self, i: int) -> str:
        return self.toks[i].text if 0 <= i < len(self.toks) else ""


@dataclass(frozen=True)
class Ctx:
    """Types the surrounding words point to; ``near`` are those said right next to the span."""

    labels: frozenset[str]
    veto: bool
    near: frozenset[str] = frozenset()
    soft_veto: bool = False  # a look-alike was also named nearby: only context-typed detections
    amount_veto: bool = False  # the veto is a money word: a whole Luhn-valid card number still counts


def _nearest(hits: list[Hit], first: bool) -> tuple[set[str], bool, bool]:
    """Labels of the phrases nearest a span (``first``: the earliest of ``hits`` is nearest),
    read up to the first look-alike; and whether the nearest is itself a look-alike (and a money one)."""
    ordered = hits if first else list(reversed(hits))
    if ordered[0].is_veto:
        return set(), True, ordered[0].is_amount
    labels: set[str] = set()
    for h in ordered:
        if h.is_veto:
            break
        labels.update(h.labels)
    return labels, False, False


class DetectorState:
    """Utterances of one conversation, tokenised, with their context hits and detections."""

    def __init__(self, utterances: Sequence[tuple[str, str]], types: Iterable[str]) -> None:
        self.types = frozenset(types)
        self.utts: list[UttState] = []
        for pos, (speaker, text) in enumerate(utterances):
            toks = tokenize(text)
            hits = find_hits(toks)
            phrase_toks = frozenset(k for h in hits for k in range(h.start, h.end))
            self.utts.append(UttState(pos, speaker, text, toks, hits, phrase_toks=phrase_toks))
        self.detections: list[Detection] = []
        self._run_cache: dict[int, tuple[int, list[NumberRun]]] = {}
        # types found per utterance before the number detectors ran (dates, addresses, e-mails)
        self.found_in: dict[int, set[str]] = {}

    # ------------------------------------------------------------------ bookkeeping
    def add(self, pos: int, a: int, b: int, pii_type: str, value: str = "") -> None:
        if pii_type not in self.types or b <= a:
            return
        u = self.utts[pos]
        for i in range(a, b):
            u.blocked[i] = pii_type
        self.detections.append(Detection(pos, a, b, pii_type, value))

    def runs(self, u: UttState) -> list[NumberRun]:
        """Number runs of ``u`` around what is already redacted (cached until the next redaction)."""
        n_blocked = len(u.blocked)
        cached = self._run_cache.get(u.pos)
        if cached is None:
            cached = (n_blocked, find_runs(u.toks, u.pos, set(u.blocked) | u.phrase_toks))
        elif cached[0] != n_blocked:
            # redactions only cut runs: re-read just the runs that lost tokens
            blocked = set(u.blocked) | u.phrase_toks
            runs: list[NumberRun] = []
            for r in cached[1]:
                if any(i in blocked for i in range(r.tok_start, r.tok_end)):
                    runs.extend(find_runs(u.toks, u.pos, blocked, r.tok_start, r.tok_end))
                else:
                    runs.append(r)
            cached = (n_blocked, runs)
        self._run_cache[u.pos] = cached
        return cached[1]

    def run_at(self, u: UttState, k: int) -> NumberRun | None:
        return next((r for r in self.runs(u) if r.tok_start == k), None)

    @staticmethod
    def free(u: UttState, a: int, b: int) -> bool:
        return all(i not in u.blocked for i in range(a, b))

    def note_found(self) -> None:
        """Record which types each utterance already has (the number scorers weigh them less)."""
        self.found_in = {}
        for det in self.detections:
            self.found_in.setdefault(det.pos, set()).add(det.pii_type)

    # ------------------------------------------------------------------ context
    def context(self, pos: int, a: int, b: int, lo: int = 0, hi: int | None = None) -> Ctx:
        """Context of tokens ``a``..``b`` of utterance ``pos``.

        ``lo``/``hi`` bound the "own" stretch (after the previous number, before the next one):
        the nearest phrase there decides; if it is a look-alike phrase (order number…) the span
        is vetoed.  Phrases earlier in the utterance and in the nearest of the three previous
        utterances that has any add their types.
        """
        u = self.utts[pos]
        hi = len(u.toks) if hi is None else hi
        local = sorted((h for h in u.hits if lo <= h.start and h.end <= a), key=lambda h: h.end)
        tail = sorted((h for h in u.hits if h.start >= b and h.start - b <= 5 and h.end <= hi), key=lambda h: h.start)
        near = local or tail
        labels: set[str] = set()
        if near:
            labels, veto, amount = _nearest(near, first=not local)
            if veto:
                return Ctx(frozenset(), True, amount_veto=amount)
        near_labels = set(labels)
        earlier = [h for h in u.hits if h.end <= lo]
        if earlier and not earlier[-1].is_veto:
            labels.update(lab for h in earlier if not h.is_veto for lab in h.labels)
        soft_veto = any(h.is_veto for h in earlier)
        prev_labels, prev_veto, prev_only_veto = self._previous_turns(pos)
        labels |= prev_labels
        soft_veto = soft_veto or (not near and prev_veto)
        veto = not labels and not near and prev_only_veto
        if CODE_WORD in labels:
            labels.discard(CODE_WORD)
            if labels & {"CARD", "EXPIRY", "CVV"}:
                labels.add("CVV")
                if CODE_WORD in near_labels:
                    near_labels.add("CVV")
        near_labels.discard(CODE_WORD)
        return Ctx(frozenset(labels), veto, frozenset(near_labels), soft_veto and not near_labels)

    def _previous_turns(self, pos: int) -> tuple[set[str], bool, bool]:
        """Labels of the nearest of the three previous utterances with any phrase; whether it also
        names a look-alike; whether it names only look-alikes."""
        for p in range(pos - 1, max(-1, pos - 4), -1):
            hits = self.utts[p].hits
            if not hits:
                continue
            pos_labels = {lab for h in hits if not h.is_veto for lab in h.labels}
            if pos_labels:
                return pos_labels, any(h.is_veto for h in hits), False
            return set(), False, True
        return set(), False, False

    def card_talk(self, pos: int) -> bool:
        """Whether an expiry date at ``pos`` can be a card's: the card was named in the same turn
        ("my card expires May 2026"), or card details or the expiry were asked for in one of the
        three turns before, or at least nothing else that expires was named in the turn ("It
        expires 11/28" stays a card's; "This offer is valid until December 2025" does not)."""
        hits = self.utts[pos].hits
        if any("CARD" in h.labels and "EXPIRY" not in h.labels for h in hits):
            return True
        if any(
            {"CARD", "EXPIRY", "CVV"} & set(h.labels) for prev in self.utts[max(0, pos - 3) : pos] for h in prev.hits
        ):
            return True
        return not any(h.is_veto for h in hits)
