"""PII detectors working on a whole conversation.

Order of work (each step skips tokens an earlier one redacted):

1. e-mail addresses, written (``jo@x.com``) and spoken (``jo dot smith at gmail dot com``);
2. dates with a month name (``March 3rd, 1975``) when a date of birth or an expiry is being asked for;
3. postal addresses (house number + street name + suffix, PO boxes, unit/city/state/zip after them);
4. number runs (see :mod:`qa_pipeline.redact.numbers`), joined across consecutive utterances of the
   same speaker when the other party only acknowledges in between; every chunk-aligned window is
   scored against each type's form and context and the best non-overlapping set is kept;
5. account ids written with letters (``AB123456``) and UK postcodes where the context asks for them;
6. echoes: a later (or earlier) repetition of detected digits, e.g. the agent reading a number back.

Detections name tokens; :mod:`qa_pipeline.redact.engine` turns them into placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from qa_pipeline.redact.context import CODE_WORD, Hit, find_hits
from qa_pipeline.redact.forms import (
    CURRENCY,
    DIRECTIONS,
    EMAIL_CONNECTORS,
    EMAIL_PROVIDERS,
    EMAIL_PROVIDERS_NEED_TLD,
    EMAIL_STOP,
    JOIN_WORDS,
    LAST_FOUR,
    LEAD_WORDS,
    MONTHS,
    STOP_WORDS,
    STREET_SUFFIXES,
    TIME_PREPS,
    TIME_WORDS,
    TLDS,
    TRAIL_WORDS,
    UNIT_DESIGNATORS,
    UNIT_WORDS,
    US_STATES,
    WH_WORDS,
    YEAR_PREPS,
    MONTHS_NEED_CAPITAL,
    UK_INWARD,
    UK_OUTWARD,
    dob_ok,
    expiry_ok,
    issuer_ok,
    nanp_ok,
    toll_free,
    ssn_valid,
)
from qa_pipeline.redact.numbers import (
    FILLERS,
    UNITS,
    Chunk,
    NumberRun,
    aba_ok,
    find_runs,
    group_lengths,
    is_number_word,
    luhn_ok,
    ordinal_at,
)
from qa_pipeline.redact.tokens import Token, tokenize

# inside one turn, a card number may run across an aside of up to this many words ("4929 7434,
# sorry, the light's bad in here, 7085 3735"); beyond 5 words the joined number must pass Luhn
FAR_GAP_WORDS = 10
# words that say the digits after a card number correct part of it rather than start a new field
CORRECTION_WORDS = frozenset({"no", "not", "actually", "mean", "correction", "wait", "sorry", "oops", "scratch"})


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

    def word(self, i: int) -> str:
        if 0 <= i < len(self.toks) and self.toks[i].kind == "word":
            return self.toks[i].lower.replace("\u2019", "'")
        return ""

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


# --------------------------------------------------------------------------- the detector


class ConversationDetector:
    """Finds PII in a list of (speaker, text) utterances; call :meth:`run`."""

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

    # ------------------------------------------------------------------ bookkeeping
    def _add(self, pos: int, a: int, b: int, pii_type: str, value: str = "") -> None:
        if pii_type not in self.types or b <= a:
            return
        u = self.utts[pos]
        for i in range(a, b):
            u.blocked[i] = pii_type
        self.detections.append(Detection(pos, a, b, pii_type, value))

    def _runs(self, u: UttState) -> list[NumberRun]:
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

    def _run_at(self, u: UttState, k: int) -> NumberRun | None:
        return next((r for r in self._runs(u) if r.tok_start == k), None)

    def _free(self, u: UttState, a: int, b: int) -> bool:
        return all(i not in u.blocked for i in range(a, b))

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
        labels: set[str] = set()
        veto = False
        local = [h for h in u.hits if lo <= h.start and h.end <= a]
        tail = [h for h in u.hits if h.start >= b and h.start - b <= 5 and h.end <= hi]
        near: list[Hit] = []
        amount = False
        if local:
            local.sort(key=lambda h: h.end)
            if local[-1].is_veto:
                veto, amount = True, local[-1].is_amount
            else:
                for h in reversed(local):
                    if h.is_veto:
                        break
                    labels.update(h.labels)
            near = local
        elif tail:
            tail.sort(key=lambda h: h.start)
            if tail[0].is_veto:
                veto, amount = True, tail[0].is_amount
            else:
                for h in tail:
                    if h.is_veto:
                        break
                    labels.update(h.labels)
            near = tail
        if veto:
            return Ctx(frozenset(), True, amount_veto=amount)
        near_labels = set(labels)
        earlier = [h for h in u.hits if h.end <= lo]
        if earlier and not earlier[-1].is_veto:
            for h in earlier:
                if not h.is_veto:
                    labels.update(h.labels)
        prev_only_veto = False
        soft_veto = any(h.is_veto for h in earlier)
        for back in range(1, 4):
            p = pos - back
            if p < 0:
                break
            hits = self.utts[p].hits
            if not hits:
                continue
            pos_labels = {lab for h in hits if not h.is_veto for lab in h.labels}
            if pos_labels:
                labels.update(pos_labels)
                soft_veto = soft_veto or (not near and any(h.is_veto for h in hits))
            else:
                prev_only_veto = True
            break
        if not labels and not near and prev_only_veto:
            veto = True
        if CODE_WORD in labels:
            labels.discard(CODE_WORD)
            if labels & {"CARD", "EXPIRY", "CVV"}:
                labels.add("CVV")
                if CODE_WORD in near_labels:
                    near_labels.add("CVV")
        near_labels.discard(CODE_WORD)
        return Ctx(frozenset(labels), veto, frozenset(near_labels), soft_veto and not near_labels)

    def _card_talk(self, pos: int) -> bool:
        """Whether an expiry date at ``pos`` can be a card's: the card was named in the same turn
        ("my card expires May 2026"), or card details or the expiry were asked for in one of the
        three turns before, or at least nothing else that expires was named in the turn ("It
        expires 11/28" stays a card's; "This offer is valid until December 2025" does not)."""
        hits = self.utts[pos].hits
        if any("CARD" in h.labels and "EXPIRY" not in h.labels for h in hits):
            return True
        if any({"CARD", "EXPIRY", "CVV"} & set(h.labels) for prev in self.utts[max(0, pos - 3):pos] for h in prev.hits):
            return True
        return not any(h.is_veto for h in hits)

    # ------------------------------------------------------------------ run
    def run(self) -> list[Detection]:
        for u in self.utts:
            self._emails(u)
        for u in self.utts:
            self._month_dates(u)
        for u in self.utts:
            self._addresses(u)
        self._numbers()
        for u in self.utts:
            self._codes_and_postcodes(u)
        self._echoes()
        return sorted(self.detections, key=lambda d: (d.pos, d.tok_start))

    # ------------------------------------------------------------------ e-mail
    def _emails(self, u: UttState) -> None:
        toks = u.toks
        for i, t in enumerate(toks):
            if t.kind == "email":
                self._add(u.pos, i, i + 1, "EMAIL")
        i = 0
        while i < len(toks):
            w = u.word(i)
            is_at = w == "at" or toks[i].text == "@"
            if not is_at or i in u.blocked:
                i += 1
                continue
            j = i + 1
            if u.word(j) in ("sign", "symbol"):
                j += 1
            dom_end, provider, tld = self._email_domain(u, j)
            if dom_end is None:
                i += 1
                continue
            start, structured, n_local = self._email_local(u, i)
            if n_local == 0:
                i += 1
                continue
            ctx = self.context(u.pos, start, dom_end)
            prev_w = u.word(start - 1)
            cue = "EMAIL" in ctx.labels or prev_w in ("is", "it's", "its", "was", "at") or u.word(start - 2) == "it"
            if provider or structured or cue:
                self._add(u.pos, start, dom_end, "EMAIL")
                i = dom_end
            else:
                i += 1

    def _email_domain(self, u: UttState, j: int) -> tuple[int | None, bool, bool]:
        """End of a domain starting at ``j`` (``gmail dot com``, ``acme.co.uk``, bare ``gmail``)."""
        toks = u.toks
        labels: list[str] = []
        k = j
        best_end: int | None = None
        while k < len(toks) and len(labels) < 5:
            t = toks[k]
            if t.kind not in ("word", "code", "num") or u.word(k) in ("and", "or", "is", "the", "at"):
                break
            labels.append(t.lower)
            k += 1
            while k + 1 < len(toks) and toks[k].text == "-" and toks[k + 1].kind in ("word", "code", "num"):
                labels[-1] += "-" + toks[k + 1].lower
                k += 2
            if len(labels) >= 2 and labels[-1] in TLDS:
                best_end = k
            if k + 1 >= len(toks) or toks[k + 1].kind not in ("word", "code"):
                break
            if u.word(k) in ("dot", "period", "point"):
                k += 1
                continue
            if toks[k].text == "." and toks[k].start == toks[k - 1].end and toks[k + 1].start == toks[k].end:
                k += 1
                continue
            break
        if not labels:
            return None, False, False
        provider = labels[0] in EMAIL_PROVIDERS
        if best_end is not None:
            return best_end, provider, True
        if provider and len(labels) == 1 and labels[0] not in EMAIL_PROVIDERS_NEED_TLD:
            return j + 1, True, False
        return None, False, False

    def _email_local(self, u: UttState, at: int) -> tuple[int, bool, int]:
        """Start of the local part before ``at``; whether it has . _ - or digits; how many parts.

        Walking back from ``at``: a part after a written connector inside one token
        (``bob_the_builder``) may be any word; after a spoken one (``dot``, ``underscore``) any
        word but a stop word; a bare part is taken before another only when one of the two is
        a digit group or a single letter (``jsmith 85``, ``k l e e``, ``a chen``).
        """
        toks = u.toks
        k = at - 1
        parts = 0
        structured = False
        start = at
        joined = "none"  # how the part about to be read joins the one after it: none | spoken | written
        prev_small = False
        while k >= 0 and parts < 8:
            t = toks[k]
            w = u.word(k)
            is_conn = w in EMAIL_CONNECTORS or (t.kind == "punct" and t.text in EMAIL_CONNECTORS)
            if parts and is_conn and joined == "none":
                structured = True
                written = t.kind == "punct" and k > 0 and toks[k - 1].end == t.start and toks[k + 1].start == t.end
                joined = "written" if written else "spoken"
                k -= 1
                continue
            if t.kind not in ("word", "num", "code"):
                break
            small = t.kind in ("num", "code") or len(w) == 1 or is_number_word(t)
            if parts and joined == "none" and not (small or prev_small):
                break
            if joined != "written" and ((t.kind == "word" and len(w) > 1 and w in EMAIL_STOP) or t.text == "I"):
                break
            if small and (parts > 0 or t.kind != "word" or len(w) == 1):
                structured = True
            parts += 1
            start = k
            prev_small = small
            joined = "none"
            k -= 1
        return start, structured, parts

    # ------------------------------------------------------------------ dates with month names
    def _month_dates(self, u: UttState) -> None:
        toks = u.toks
        for i, t in enumerate(toks):
            w = u.word(i)
            if w not in MONTHS or i in u.blocked:
                continue
            if w in MONTHS_NEED_CAPITAL and not t.text[0].isupper() and not (
                self._run_at(u, i + 1) is not None or ordinal_at(toks, i + 1) is not None
            ):
                continue
            start, end = i, i + 1
            has_day = has_year = False
            # "the fifth of January", "5th of January"
            if u.word(i - 1) == "of":
                for k in (i - 4, i - 3, i - 2):
                    o = ordinal_at(toks, k) if k >= 0 else None
                    if o and o[1] == i - 1 and 1 <= o[0] <= 31:
                        start, has_day = k, True
                        break
            j = i + 1
            if u.word(j) == "the":
                j += 1
            o = ordinal_at(toks, j)
            if o and 1 <= o[0] <= 31 and not has_day:
                has_day, j = True, o[1]
                end = j
            k = j
            # "5th, 1985", "of 1985", "3rd, '88" (a clipped year)
            while k < len(toks) and (toks[k].text in (",", "'", "\u2019") or u.word(k) == "of"):
                k += 1
            run = self._run_at(u, k)
            if run is not None and not (run.flags & {"decimal", "time", "thousands"}) and u.word(run.tok_end) not in UNIT_WORDS:
                # after a day only a year may follow ("5th, 1985"); after the month alone a day,
                # a year or both ("5", "2026", "five nineteen eighty-five", "twenty twenty-six")
                nd = len(run.digits)
                if (has_day and nd in (2, 4)) or (not has_day and nd <= 6):
                    end = run.tok_end
                    has_year = nd >= 2
                    has_day = has_day or nd != 4
            if not (has_day or has_year):
                continue
            ctx = self.context(u.pos, start, end)
            if ctx.veto:
                continue
            if "DOB" in ctx.labels:
                self._add(u.pos, start, end, "DOB")
            elif "EXPIRY" in ctx.labels and has_year and self._card_talk(u.pos):
                self._add(u.pos, start, end, "EXPIRY")

    # ------------------------------------------------------------------ postal addresses
    def _name_word(self, u: UttState, k: int, loose: bool) -> bool:
        t = u.toks[k]
        w = u.word(k)
        if t.is_ordinal_num or w in DIRECTIONS or (w and ordinal_at(u.toks, k) is not None):
            return True
        if t.kind != "word" or w in STOP_WORDS or w in UNIT_WORDS or w in STREET_SUFFIXES or is_number_word(t):
            return False
        return t.text[0].isupper() or loose

    def _addresses(self, u: UttState) -> None:
        toks = u.toks
        n = len(toks)
        runs = self._runs(u)
        run_by_end = {r.tok_end: r for r in runs}
        for i in range(n):
            if i in u.blocked:
                continue
            w = u.word(i)
            # PO Box 1234 / post office box
            if w == "box" and i + 1 < n:
                k = i - 1
                while k >= 0 and (toks[k].text == "." or u.word(k) in ("p", "o", "po", "p.o", "post", "office")):
                    k -= 1
                if k < i - 1:
                    run = self._run_at(u, i + 1)
                    if run is not None:
                        end = self._address_tail(u, run.tok_end)
                        self._add(u.pos, k + 1, end, "ADDRESS")
                continue
            if w not in STREET_SUFFIXES:
                continue
            ctx = self.context(u.pos, i, i + 1)
            loose = "ADDRESS" in ctx.labels
            k = i - 1
            names = 0
            while k >= 0 and names < 4 and k not in u.blocked and self._name_word(u, k, loose):
                # an ordinal street name ("5th") can also be the end of the number run
                names += 1
                k -= 1
            if names == 0:
                continue
            house_end = k + 1
            start = None
            run = run_by_end.get(house_end)
            if run is not None and not (run.flags & {"decimal", "time", "thousands"}):
                chunks = run.chunks
                digits = run.digits
                if len(digits) > 6:
                    chunks = chunks[-1:]
                    digits = chunks[0].digits
                if 1 <= len(digits) <= 6:
                    start = chunks[0].tok_start
            elif house_end - 1 >= 0 and toks[house_end - 1].kind == "code" and re.match(r"^\d+[A-Za-z]?$|^\d+-\d+$", toks[house_end - 1].text):
                start = house_end - 1
            if start is None:
                continue
            end = self._address_tail(u, i + 1)
            self._add(u.pos, start, end, "ADDRESS", run.digits if run is not None else "")
        # contextual: "it's 42 Elmwood, Springfield" when the address was asked for
        for r in runs:
            if not self._free(u, r.tok_start, r.tok_end) or len(r.digits) > 6 or r.flags & {"decimal", "time", "thousands"}:
                continue
            k = r.tok_end
            names = 0
            while k < n and names < 3 and toks[k].kind == "word" and toks[k].text[0].isupper() and u.word(k) not in STOP_WORDS:
                names += 1
                k += 1
            if names == 0 or u.word(r.tok_end) in MONTHS:
                continue
            # "apartment 12 B": a unit number and letter, not a house number and street name
            if u.word(r.tok_start - 1) in UNIT_DESIGNATORS or all(len(toks[x].text) == 1 for x in range(r.tok_end, k)):
                continue
            ctx = self.context(u.pos, r.tok_start, r.tok_end)
            if "ADDRESS" in ctx.labels and not ctx.veto:
                self._add(u.pos, r.tok_start, self._address_tail(u, k), "ADDRESS", r.digits)

    def _address_tail(self, u: UttState, j: int) -> int:
        """Extend an address over direction, unit, city, state and zip/postcode."""
        toks = u.toks
        n = len(toks)
        end = j
        if j < n and u.word(j) in DIRECTIONS and toks[j].text[0].isupper():
            end = j = j + 1
        for _ in range(6):
            k = end
            if k < n and toks[k].text == ",":
                k += 1
            if k >= n or k in u.blocked:
                break
            w = u.word(k)
            t = toks[k]
            if w in UNIT_DESIGNATORS or t.text == "#":
                m = k + 1
                if m < n and toks[m].kind in ("num", "code") or (m < n and len(toks[m].text) == 1 and toks[m].text.isalpha()):
                    end = m + 1
                    continue
                run = self._run_at(u, m)
                if run is not None:
                    end = run.tok_end
                    continue
                break
            if t.kind == "num" and len(t.digits) in (5, 9) and not t.is_ordinal_num:
                end = k + 1
                continue
            if t.kind == "code" and UK_OUTWARD.match(t.text) and k + 1 < n and UK_INWARD.match(toks[k + 1].text):
                end = k + 2
                continue
            if t.kind == "word" and t.text[0].isupper() and w not in STOP_WORDS and w not in MONTHS:
                m = k
                while m < n and m - k < 3 and toks[m].kind == "word" and toks[m].text[0].isupper() and u.word(m) not in STOP_WORDS:
                    m += 1
                end = m
                continue
            if t.kind == "word" and w in US_STATES:
                end = k + 1
                continue
            # spoken zip after a comma: "Austin, seven eight seven oh one"
            run = self._run_at(u, k)
            if run is not None and len(run.digits) in (5, 9) and toks[k - 1].text == ",":
                end = run.tok_end
                continue
            break
        return end

    # ------------------------------------------------------------------ numbers
    def _lookalike(self, u: UttState, run: NumberRun) -> str | None:
        """Why a run is a price, time, quantity or year rather than PII, or ``None``."""
        toks = u.toks
        if run.flags & {"decimal", "thousands"}:
            return "amount"
        if "time" in run.flags:
            return "time"
        if toll_free(run.digits):
            return "toll-free"  # a business line ("1-800-555-0142"), not a person's number
        prev = toks[run.tok_start - 1].text if run.tok_start > 0 else ""
        if prev in CURRENCY:
            return "amount"
        nxt = u.word(run.tok_end)
        nxt_text = u.text_at(run.tok_end)
        if nxt in UNIT_WORDS or nxt_text in ("%",):
            return "quantity"
        if nxt in ("a", "per") and u.word(run.tok_end + 1) in UNIT_WORDS:
            return "quantity"
        if nxt in TIME_WORDS or (nxt == "in" and u.word(run.tok_end + 1) == "the" and u.word(run.tok_end + 2) in ("morning", "afternoon", "evening")):
            return "time"
        digits = run.digits
        pw = u.word(run.tok_start - 1)
        if pw in TIME_PREPS and len(digits) <= 4 and _time_like(run):
            return "time"
        if pw in YEAR_PREPS and len(digits) == 4 and 1900 <= int(digits) <= 2099:
            return "year"
        if run.tok_start > 0:
            pt = toks[run.tok_start - 1]
            if pt.kind == "word" and pt.text.isupper() and 2 <= len(pt.text) <= 3 and pt.text not in ("ID", "PO", "SSN", "DOB", "CVV", "CVC", "PIN"):
                return "code"  # "UA 1472", "BA 287"; an id in account context keeps it (see _window_candidates)
        if nxt_text.startswith("'") or nxt == "s":
            return "quantity"
        return None

    def _numbers(self) -> None:
        self._found_in: dict[int, set[str]] = {}
        for det in self.detections:
            self._found_in.setdefault(det.pos, set()).add(det.pii_type)
        runs: list[NumberRun] = []
        for u in self.utts:
            runs.extend(r for r in self._runs(u) if r.chunks)
        if not runs:
            return
        by_utt: dict[int, list[NumberRun]] = {}
        for r in runs:
            by_utt.setdefault(r.utt, []).append(r)
        info: dict[tuple[int, int], tuple[Ctx, str | None]] = {}
        for pos, rs in by_utt.items():
            u = self.utts[pos]
            for k, r in enumerate(rs):
                lo = rs[k - 1].tok_end if k > 0 else 0
                hi = rs[k + 1].tok_start if k + 1 < len(rs) else len(u.toks)
                info[(r.utt, r.tok_start)] = (self.context(pos, r.tok_start, r.tok_end, lo, hi), self._lookalike(u, r))
        for seq, weak in self._sequences(runs):
            self._solve(seq, weak, info)

    def _ends_utt(self, r: NumberRun) -> bool:
        u = self.utts[r.utt]
        words = 0
        for k in range(r.tok_end, len(u.toks)):
            t = u.toks[k]
            if t.kind == "punct":
                continue
            if u.word(k) in TRAIL_WORDS or u.word(k) in FILLERS:
                words += 1
                if words > 2:
                    return False
                continue
            return False
        return True

    def _starts_utt(self, r: NumberRun) -> bool:
        u = self.utts[r.utt]
        words = 0
        for k in range(0, r.tok_start):
            t = u.toks[k]
            if t.kind == "punct":
                continue
            if u.word(k) in LEAD_WORDS or u.word(k) in FILLERS:
                words += 1
                if words > 4:
                    return False
                continue
            return False
        return True

    def _joinable(self, a: NumberRun, b: NumberRun) -> str | None:
        """``"strong"`` when ``b`` continues ``a``'s number, ``"weak"`` when only a card number may
        run across the gap (a few words in between: "4532 0151 um hang on 1283 0366", or in a turn
        of the reader's own between the pieces: "4405 2358 || hang on || 0915 6792"), ``"far"``
        when only a card number with a valid Luhn sum may (a longer aside: "4929 7434, sorry, the
        light's bad in here, 7085 3735"), else ``None``."""
        if a.utt == b.utt:
            u = self.utts[a.utt]
            gap = [k for k in range(a.tok_end, b.tok_start) if u.toks[k].kind != "punct"]
            if len(gap) <= 2 and all(u.word(k) in JOIN_WORDS for k in gap):
                return "strong"
            if len(gap) <= FAR_GAP_WORDS and all(u.toks[k].kind == "word" for k in gap) and not any(
                a.tok_end <= h.start < b.tok_start for h in u.hits
            ):
                return "weak" if len(gap) <= 5 else "far"
            return None
        ua, ub = self.utts[a.utt], self.utts[b.utt]
        if b.utt - a.utt > 4:
            return None
        if ua.speaker != ub.speaker and "unknown" not in (ua.speaker, ub.speaker):
            return None
        if not (self._ends_utt(a) and self._starts_utt(b)):
            return None
        aside_words = 0  # words of the same speaker's own turns in between ("hang on, my kid's yelling")
        for p in range(a.utt + 1, b.utt):
            mid = self.utts[p]
            words = sum(1 for t in mid.toks if t.kind != "punct")
            if mid.speaker == ua.speaker and mid.speaker != "unknown":
                # an aside turn of the reader: only a card number runs across it, as across an
                # aside inside one turn (no digits there: a run in it would have ended the number)
                if any(t.kind != "word" for t in mid.toks if t.kind != "punct"):
                    return None
                aside_words += words
            elif words > 8:
                return None
            # a new question in between ("How many tickets?") starts a new number
            if mid.hits or any(mid.word(k) in WH_WORDS for k in range(len(mid.toks))):
                return None
        if aside_words:
            if aside_words > FAR_GAP_WORDS:
                return None
            return "weak" if aside_words <= 5 else "far"
        return "strong"

    def _sequences(self, runs: list[NumberRun]) -> list[tuple[list[NumberRun], set[int]]]:
        """Runs joined where one number continues in the next run (same speaker, next utterance).

        Each sequence comes with the indices of its runs that follow a weak or far join, and how.
        """
        seqs: list[tuple[list[NumberRun], dict[int, str]]] = []
        open_by_speaker: dict[str, tuple[list[NumberRun], dict[int, str]]] = {}
        for r in sorted(runs, key=lambda r: (r.utt, r.tok_start)):
            spk = self.utts[r.utt].speaker
            cur = open_by_speaker.get(spk)
            if cur is not None:
                how = self._joinable(cur[0][-1], r)
                if how:
                    if how in ("weak", "far"):
                        cur[1][len(cur[0])] = how
                    cur[0].append(r)
                    continue
            cur = ([r], {})
            seqs.append(cur)
            open_by_speaker[spk] = cur
        return seqs

    def _solve(self, seq: list[NumberRun], weak_runs: dict[int, str], info: dict[tuple[int, int], tuple[Ctx, str | None]]) -> None:
        flat: list[tuple[NumberRun, Chunk]] = [(r, c) for r in seq for c in r.chunks]
        n = len(flat)
        weak_at: dict[int, str] = {}
        k = 0
        for ri, r in enumerate(seq):
            if ri in weak_runs:
                weak_at[k] = weak_runs[ri]
            k += len(r.chunks)
        cands: dict[int, list[tuple[int, str, float]]] = {}
        for i in range(n):
            digits = ""
            crosses_weak = crosses_far = False
            for j in range(i + 1, n + 1):
                if j - 1 > i and (j - 1) in weak_at:
                    crosses_weak = True
                    crosses_far = crosses_far or weak_at[j - 1] == "far"
                digits += flat[j - 1][1].digits
                if len(digits) > 19:
                    break
                window = flat[i:j]
                for pii_type, score in self._window_candidates(window, digits, info):
                    if crosses_weak and pii_type != "CARD":
                        continue
                    if crosses_far and not luhn_ok(digits):
                        continue
                    if crosses_weak:
                        score -= 2.0  # a number read in one go beats one pieced together across words
                    cands.setdefault(j, []).append((i, pii_type, score))
        best = [0.0] * (n + 1)
        back: list[tuple[int, str] | None] = [None] * (n + 1)
        for j in range(1, n + 1):
            best[j], back[j] = best[j - 1], None
            for i, pii_type, score in cands.get(j, []):
                if best[i] + score > best[j] + 1e-9:
                    best[j], back[j] = best[i] + score, (i, pii_type)
        chosen: list[tuple[int, int, str]] = []
        j = n
        while j > 0:
            if back[j] is None:
                j -= 1
                continue
            i, pii_type = back[j]
            chosen.append((i, j, pii_type))
            j = i
        chosen.reverse()
        # absorb up to 3 stray digits left between a long number and the end of its run or the
        # next span (an inserted or repeated digit must not stay in clear next to the number)
        for c, (i, j, pii_type) in enumerate(chosen):
            if pii_type not in ("CARD", "PHONE", "SSN", "ACCOUNT", "ROUTING"):
                continue
            run = flat[j - 1][0]
            nxt = chosen[c + 1][0] if c + 1 < len(chosen) else n
            k = j
            while k < nxt and flat[k][0] is run and sum(len(flat[x][1].digits) for x in range(j, k + 1)) <= 3:
                k += 1
            if k > j and (k == n or flat[k][0] is not run or k == nxt):
                chosen[c] = (i, k, pii_type)
            prev_end = chosen[c - 1][1] if c > 0 else 0
            run0 = flat[i][0]
            k = i
            while k > prev_end and flat[k - 1][0] is run0 and sum(len(flat[x][1].digits) for x in range(k - 1, i)) <= 3:
                k -= 1
            if k < i and (k == 0 or flat[k - 1][0] is not run0 or k == prev_end):
                chosen[c] = (k, chosen[c][1], pii_type)
        # card details read in one breath: expiry and CVV right after a card number
        extra: list[tuple[int, int, str]] = []
        for i, j, pii_type in chosen:
            if pii_type != "CARD":
                continue
            k = j
            taken = {x for a, b, _ in chosen for x in range(a, b)}
            for want in ("EXPIRY", "CVV"):
                found = None
                d = ""
                for m in range(k + 1, min(n, k + 6) + 1):
                    if (m - 1) in taken:
                        break
                    d += flat[m - 1][1].digits
                    win = flat[k:m]
                    groups = group_lengths([c for _, c in win])
                    if want == "EXPIRY" and len(d) in (3, 4, 6) and expiry_ok(d, groups):
                        found = m
                        break
                    if want == "CVV" and len(d) in (3, 4):
                        found = m
                        break
                    if len(d) > 6:
                        break
                if found is not None:
                    if want == "CVV" and self._corrects_card(flat[k - 1], flat[k], info):
                        want = "CARD"  # "…5275 4696, no, sorry, 4699 at the end": a corrected group
                    extra.append((k, found, want))
                    k = found
        for i, j, pii_type in sorted(chosen + extra):
            digits = "".join(c.digits for _, c in flat[i:j])
            self._add_window(flat[i:j], pii_type, digits)

    def _corrects_card(
        self,
        last: tuple[NumberRun, Chunk],
        nxt: tuple[NumberRun, Chunk],
        info: dict[tuple[int, int], tuple[Ctx, str | None]],
    ) -> bool:
        """Whether the digits ``nxt`` after a card number's last chunk ``last`` re-read part of the
        card ("no, sorry, 4699") rather than give the security code: a correction word in between
        in the same turn, and no security code asked for."""
        (ra, ca), (rb, cb) = last, nxt
        if ra.utt != rb.utt or "CVV" in info[(rb.utt, rb.tok_start)][0].labels:
            return False
        u = self.utts[ra.utt]
        return any(u.word(x) in CORRECTION_WORDS for x in range(ca.tok_end, cb.tok_start))

    def _add_window(self, window: Sequence[tuple[NumberRun, Chunk]], pii_type: str, digits: str) -> None:
        # one stretch per utterance, split where an aside lies between two pieces ("4532 0151,
        # sorry, the light's bad in here, 1283 0366" keeps the aside's words)
        pieces: list[list[int]] = []
        for r, c in window:
            if pieces and pieces[-1][0] == r.utt:
                last = pieces[-1]
                if c.tok_start < last[1]:
                    last[1] = min(last[1], c.tok_start)
                    last[2] = max(last[2], c.tok_end)
                    continue
                if not self._aside(self.utts[r.utt], last[2], c.tok_start):
                    last[2] = max(last[2], c.tok_end)
                    continue
            pieces.append([r.utt, c.tok_start, c.tok_end])
        seen_utt: set[int] = set()
        for pos, a, b in pieces:
            first = pos not in seen_utt
            seen_utt.add(pos)
            if pii_type == "ACCOUNT" and first:
                # spelled letter prefix of an account/policy id: "P O L 4 4 8 2…"
                u = self.utts[pos]
                k = a
                while k > 0 and a - k < 4 and u.toks[k - 1].kind == "word" and len(u.toks[k - 1].text) == 1 \
                        and u.toks[k - 1].text.isupper() and u.toks[k - 1].text not in ("I", "A") and (k - 1) not in u.blocked:
                    k -= 1
                if k == a and k > 0 and u.toks[k - 1].kind == "word" and 2 <= len(u.toks[k - 1].text) <= 3 \
                        and u.toks[k - 1].text.isupper() and (k - 1) not in u.blocked:
                    k -= 1  # "CU 88 41 20 93"
                a = k
            self._add(pos, a, b, pii_type, digits)

    @staticmethod
    def _aside(u: UttState, a: int, b: int) -> bool:
        """Whether tokens ``a``..``b`` are an aside (more than two words that are not fillers)
        rather than glue ("of", "slash", "no, wait", "uh")."""
        words = [u.word(k) or u.toks[k].lower for k in range(a, b) if u.toks[k].kind != "punct"]
        return sum(1 for w in words if w not in FILLERS) > 2

    def _window_candidates(
        self,
        window: Sequence[tuple[NumberRun, Chunk]],
        d: str,
        info: dict[tuple[int, int], tuple[Ctx, str | None]],
    ) -> list[tuple[str, float]]:
        runs = []
        for r, _ in window:
            if not runs or runs[-1] is not r:
                runs.append(r)
        labels: set[str] = set()
        near: set[str] = set()
        veto = soft_veto = amount_veto = False
        reasons: set[str] = set()
        for r in runs:
            ctx, reason = info[(r.utt, r.tok_start)]
            labels |= ctx.labels
            near |= ctx.near
            if r is runs[0]:
                veto, soft_veto, amount_veto = ctx.veto, ctx.soft_veto, ctx.amount_veto
            if reason:
                reasons.add(reason)
        n = len(d)
        if veto:
            if amount_veto and not reasons and 13 <= n <= 19 and luhn_ok(d) and issuer_ok(d):
                return [("CARD", 3.0 * n)]  # "charge the deposit to 4573 7561 3519 5929"
            return []
        groups = group_lengths([c for _, c in window])
        plus = "plus" in runs[0].flags
        out: list[tuple[str, float]] = []
        if reasons == {"code"} and "ACCOUNT" in labels:
            reasons = set()  # "CU 88 41 20 93" when a customer/member number was asked for
        if reasons - {"year"}:
            return []
        if reasons:  # a year after "in"/"since": only a date of birth
            if "DOB" in labels and dob_ok(d, groups):
                out.append(("DOB", 2.5 * n))
            return out
        if 13 <= n <= 19:
            lok = luhn_ok(d)
            if lok and issuer_ok(d):
                out.append(("CARD", (4.0 if "CARD" in labels else 3.0) * n))
            elif lok and "CARD" in labels:
                out.append(("CARD", 3.0 * n))
            elif "CARD" in labels and n >= 14:
                out.append(("CARD", 1.2 * n))
        elif n == 12 and "CARD" in labels and not ({"ACCOUNT", "PHONE"} & labels):
            out.append(("CARD", 1.2 * n))
        if n == 9:
            if "SSN" in labels:
                out.append(("SSN", 3.0 * n))
            elif groups == (3, 2, 4) and ssn_valid(d):
                out.append(("SSN", 2.0 * n))
        if n == 4 and "SSN" in labels:
            out.append(("SSN", 2.0 * n))
        if "PHONE" in labels and (nanp_ok(d) or n in (7, 10) or (n == 11 and d[0] in "01") or (plus and 10 <= n <= 13)):
            out.append(("PHONE", 2.5 * n))
        elif "PHONE" in labels and 8 <= n <= 13 and not ({"ACCOUNT", "CARD", "SSN"} & labels):
            # a phone number with a digit too many or too few (ASR slip)
            out.append(("PHONE", 2.3 * n))
        elif nanp_ok(d) and (groups in ((3, 3, 4), (1, 3, 3, 4), (10,), (11,), (3, 7), (6, 4)) or plus):
            out.append(("PHONE", 1.5 * n))
        elif n == 11 and d.startswith("07") and groups in ((5, 6), (5, 3, 3), (11,), (4, 3, 4)):
            out.append(("PHONE", 1.5 * n))
        elif plus and 11 <= n <= 13 and not d.startswith("1"):
            out.append(("PHONE", 1.5 * n))
        if "CVV" in labels and n in (3, 4):
            out.append(("CVV", 2.5 * n))
        if "EXPIRY" in labels and 3 <= n <= 6 and expiry_ok(d, groups) and self._card_talk(runs[0].utt):
            out.append(("EXPIRY", (2.6 if n in (4, 6) else 2.4) * n))
        if "DOB" in labels and dob_ok(d, groups):
            out.append(("DOB", 2.5 * n))
        if "ROUTING" in labels:
            if n == 9:
                out.append(("ROUTING", (2.3 if aba_ok(d) else 1.8) * n))
            elif n == 6 and groups in ((2, 2, 2), (6,)):
                out.append(("ROUTING", 2.5 * n))
        if "ACCOUNT" in labels:
            if n == 9 and aba_ok(d) and "ROUTING" not in labels:
                out.append(("ROUTING", 1.2 * n))
            if 6 <= n <= 20 or (n >= 4 and self._after_last_four(window)):
                out.append(("ACCOUNT", 2.0 * n))
        if "ADDRESS" in labels and (n == 5 or n == 9):
            out.append(("ADDRESS", 2.2 * n))
        if soft_veto:  # "the order ID and your email?": a bare 10-digit answer is the order ID
            out = [(t, sc) for t, sc in out if t in labels]
        # the words right next to the number weigh more than the question two turns ago; a type
        # already found in the same answer (by the date or address detector) weighs less
        found = self._found_in.get(runs[0].utt, set())
        return [(t, sc + (1.0 * n if t in near else 0.0) - (0.5 * n if t in found else 0.0)) for t, sc in out]

    def _after_last_four(self, window: Sequence[tuple[NumberRun, Chunk]]) -> bool:
        r, c = window[0]
        u = self.utts[r.utt]
        k = c.tok_start
        before = " ".join(u.word(x) for x in range(max(0, k - 3), k) if u.word(x))
        return any(before.endswith(p) for p in LAST_FOUR)

    # ------------------------------------------------------------------ account ids with letters, UK postcodes
    def _codes_and_postcodes(self, u: UttState) -> None:
        toks = u.toks
        for i, t in enumerate(toks):
            if i in u.blocked:
                continue
            if t.kind == "code" and UK_OUTWARD.match(t.text) and i + 1 < len(toks) and UK_INWARD.match(toks[i + 1].text):
                ctx = self.context(u.pos, i, i + 2)
                if "ADDRESS" in ctx.labels and not ctx.veto:
                    self._add(u.pos, i, i + 2, "ADDRESS")
                continue
            if t.kind == "code" and sum(ch.isdigit() for ch in t.text) >= 5:
                ctx = self.context(u.pos, i, i + 1)
                if "ACCOUNT" in ctx.labels and not ctx.veto:
                    self._add(u.pos, i, i + 1, "ACCOUNT")

    # ------------------------------------------------------------------ echoes
    def _echoes(self) -> None:
        values = [(d.pii_type, d.value) for d in self.detections if d.value and len(d.value) >= 3
                  and d.pii_type in ("CARD", "SSN", "PHONE", "ACCOUNT", "ROUTING", "CVV")]
        if not values:
            return
        for u in self.utts:
            for r in list(self._runs(u)):
                if self._lookalike(u, r):
                    continue
                chunks = r.chunks
                i = 0
                while i < len(chunks):
                    best: tuple[int, str] | None = None
                    d = ""
                    for j in range(i + 1, len(chunks) + 1):
                        d += chunks[j - 1].digits
                        if len(d) > 19:
                            break
                        need = 3
                        hit = next((t for t, v in values if d in v and (len(d) >= 4 or (t == "CVV" and d == v))), None)
                        if hit and len(d) >= need:
                            best = (j, hit)
                    if best is None:
                        i += 1
                        continue
                    j, pii_type = best
                    a, b = chunks[i].tok_start, chunks[j - 1].tok_end
                    window_digits = "".join(c.digits for c in chunks[i:j])
                    if not (pii_type == "CARD" and len(window_digits) == 4 and self._after_last_four([(r, chunks[i])])):
                        self._add(u.pos, a, b, pii_type)
                    i = j


def _time_like(run: NumberRun) -> bool:
    d = run.digits
    if len(d) <= 2:
        return 0 <= int(d) <= 24
    if len(d) in (3, 4):
        h, m = int(d[:-2]), int(d[-2:])
        return 0 <= h <= 24 and 0 <= m <= 59
    return False
