"""Spoken-number normaliser: token runs → digit streams mapped back to tokens.

Whisper writes numbers as digits (``4111 1111``), as words (``four one one
one``), mixed (``4 1 one one``) and in grouped forms (``forty one eleven``,
``double five``, ``nineteen eighty-five``, ``twenty twenty six``, ``five
hundred and twelve``).  :func:`find_runs` turns every maximal stretch of such
tokens in one utterance into a :class:`NumberRun`: a list of :class:`Chunk`
(each the digits one spoken or written group stands for, with the tokens it
came from), so detectors can look at the digit stream and still know which
words to replace.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from stdnum import luhn as stdnum_luhn
from stdnum.us import rtn as stdnum_rtn

from qa_pipeline.redact.tokens import Token

UNITS: dict[str, int] = {
    "zero": 0,
    "oh": 0,
    "o": 0,
    "nought": 0,
    "naught": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS: dict[str, int] = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINAL_WORDS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}
MAGNITUDES: dict[str, int] = {"hundred": 100, "thousand": 1000}
REPEATS: dict[str, int] = {"double": 2, "triple": 3}
HOMOPHONES: dict[str, int] = {"for": 4, "to": 2, "too": 2}
FILLERS = frozenset({"uh", "um", "er", "erm", "ah", "uhm", "hmm", "mm", "eh"})
CONNECTOR_WORDS: dict[str, str] = {"dash": "-", "hyphen": "-", "slash": "/"}
CONNECTOR_PUNCT = frozenset({",", "-", ".", "/", "(", ")", "+", ":", "\u2013"})
GROUP_BREAKS = frozenset({",", "-", ".", "/", ":", "(", ")", "+", "pause", "\u2013"})


@dataclass(frozen=True)
class Chunk:
    """Digits that one written group or one spoken number stands for.

    ``tok_start``/``tok_end`` index the utterance's tokens (end exclusive).
    ``sep_before`` is what separated it from the previous chunk of the run:
    ``""`` (adjacent words), ``" "`` (space between written groups) or a
    separator (``,`` ``-`` ``/`` ``.`` ``:`` ``pause``).
    """

    digits: str
    tok_start: int
    tok_end: int
    kind: str  # digits | unit | teen | tens | compound | magnitude | repeat
    sep_before: str = ""


@dataclass(frozen=True)
class NumberRun:
    """A maximal stretch of number tokens in one utterance."""

    utt: int
    tok_start: int
    tok_end: int
    chunks: tuple[Chunk, ...]
    flags: frozenset[str] = frozenset()

    @property
    def digits(self) -> str:
        return "".join(c.digits for c in self.chunks)


def breaks_group(prev: Chunk, cur: Chunk) -> bool:
    """Whether ``cur`` starts a new digit group after ``prev`` (3-2-4, 3-3-4 layouts)."""
    if cur.sep_before in GROUP_BREAKS:
        return True
    if cur.sep_before == " ":
        return not (len(prev.digits) == 1 and len(cur.digits) == 1)
    return False


def group_lengths(chunks: Sequence[Chunk]) -> tuple[int, ...]:
    """Digit counts of the groups in a window of chunks (first chunk starts a group)."""
    out: list[int] = []
    prev: Chunk | None = None
    for c in chunks:
        if prev is None or breaks_group(prev, c):
            out.append(len(c.digits))
        else:
            out[-1] += len(c.digits)
        prev = c
    return tuple(out)


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of payment card numbers (python-stdnum)."""
    return digits.isdigit() and len(digits) >= 2 and stdnum_luhn.is_valid(digits)


def aba_ok(digits: str) -> bool:
    """The ABA routing-number checksum (3-7-1 weights, python-stdnum); "00" is no Federal Reserve district."""
    return len(digits) == 9 and digits.isdigit() and digits[:2] != "00" and stdnum_rtn.is_valid(digits)


def _word(tok: Token) -> str:
    return tok.lower if tok.kind == "word" else ""


def is_number_word(tok: Token) -> bool:
    w = _word(tok)
    return w in UNITS or w in TEENS or w in TENS or w in MAGNITUDES


def _is_plain_num(tok: Token) -> bool:
    return tok.kind == "num" and not tok.is_ordinal_num and not tok.is_plural_num


def _starts_number(toks: Sequence[Token], i: int) -> bool:
    """Token ``i`` is a number word or digits (``oh`` and repeats need a digit after)."""
    if i >= len(toks):
        return False
    t = toks[i]
    if _is_plain_num(t):
        return True
    w = _word(t)
    if not w:
        return False
    if w in ("oh", "o"):
        if i + 1 >= len(toks):
            return False
        nw = _word(toks[i + 1])
        return _is_plain_num(toks[i + 1]) or nw in UNITS or nw in TEENS or nw in TENS or nw in REPEATS
    if w in REPEATS:
        return i + 1 < len(toks) and (
            _word(toks[i + 1]) in UNITS or (_is_plain_num(toks[i + 1]) and len(toks[i + 1].digits) == 1)
        )
    return w in UNITS or w in TEENS or w in TENS or w == "hundred"


def _small(toks: Sequence[Token], i: int, end: int) -> tuple[int, int] | None:
    """A cardinal below 100 at ``i``: tens[-unit] | teen | unit 1-9 → (value, next index)."""
    if i >= end:
        return None
    w = _word(toks[i])
    if w in TENS:
        j = i + 1
        if j < end and toks[j].text == "-" and j + 1 < end:
            j += 1
        if j < end and _word(toks[j]) in UNITS and UNITS[_word(toks[j])] > 0 and _word(toks[j]) not in ("o", "oh"):
            return TENS[w] + UNITS[_word(toks[j])], j + 1
        return TENS[w], i + 1
    if w in TEENS:
        return TEENS[w], i + 1
    if w in UNITS and UNITS[w] > 0 and w not in ("o", "oh"):
        return UNITS[w], i + 1
    if _is_plain_num(toks[i]) and len(toks[i].text) <= 2 and toks[i].text.isdigit():
        return int(toks[i].text), i + 1
    return None


def _skip_and(toks: Sequence[Token], i: int, end: int) -> int:
    if i < end and _word(toks[i]) == "and" and i + 1 < end and _small(toks, i + 1, end):
        return i + 1
    return i


def _cardinal(toks: Sequence[Token], i: int, end: int) -> tuple[str, int, str] | None:
    """Parse one spoken cardinal at ``i`` → (digits, next index, kind)."""
    w = _word(toks[i])
    if w in ("oh", "o", "zero", "nought", "naught"):
        return "0", i + 1, "unit"
    if w in REPEATS:
        nxt = toks[i + 1]
        d = str(UNITS[_word(nxt)]) if _word(nxt) in UNITS else nxt.digits
        return d * REPEATS[w], i + 2, "repeat"
    value: int
    kind: str
    if w == "hundred":
        value, j = 100, i + 1
        small2 = _small(toks, _skip_and(toks, j, end), end)
        if small2:
            value, j = value + small2[0], small2[1]
        return str(value), j, "magnitude"
    small = _small(toks, i, end)
    if small is None:
        return None
    value, j = small
    first = _word(toks[i])
    kind = "unit" if first in UNITS else "teen" if first in TEENS else ("tens" if j == i + 1 else "compound")
    if toks[i].kind == "num":
        kind = "digits"
    if j < end and _word(toks[j]) == "hundred":
        value *= 100
        j += 1
        kind = "magnitude"
        small2 = _small(toks, _skip_and(toks, j, end), end)
        if small2 and _word(toks[_skip_and(toks, j, end)]) != "":
            value, j = value + small2[0], small2[1]
    if j < end and _word(toks[j]) == "thousand" and value < 1000:
        value *= 1000
        j += 1
        kind = "magnitude"
        k = _skip_and(toks, j, end)
        small3 = _small(toks, k, end) if k < end and _word(toks[k]) else None
        if small3:
            v3, j3 = small3
            if j3 < end and _word(toks[j3]) == "hundred":
                v3 *= 100
                j3 += 1
                small4 = _small(toks, _skip_and(toks, j3, end), end)
                if small4 and _word(toks[_skip_and(toks, j3, end)]):
                    v3, j3 = v3 + small4[0], small4[1]
            value, j = value + v3, j3
    return str(value), j, kind


def find_runs(
    toks: Sequence[Token],
    utt: int = 0,
    blocked: frozenset[int] | set[int] = frozenset(),
    start: int = 0,
    stop: int | None = None,
) -> list[NumberRun]:
    """Every maximal number run in one utterance's tokens (``start``..``stop`` only, if given).

    Tokens in ``blocked`` (already redacted by another detector) end a run.
    """
    runs: list[NumberRun] = []
    n = len(toks) if stop is None else stop
    stops = sorted(blocked)
    i = start
    while i < n:
        if i in blocked or not _starts_number(toks, i):
            i += 1
            continue
        k = bisect.bisect_right(stops, i)
        run, i = _read_run(toks, i, utt, stops[k] if k < len(stops) else n)
        if run.chunks:
            runs.append(run)
    return runs


def _read_digit_token(t: Token, i: int, sep: str, chunks: list[Chunk], flags: set[str]) -> None:
    """Append the digit groups of the written number ``t`` (token ``i``) and note its form."""
    groups, seps = t.num_groups()
    if "." in seps and len(seps) == 1 and len(groups[-1]) <= 2:
        flags.add("decimal")
    if ":" in seps:
        flags.add("time")
    if "," in seps and all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3 and len(groups) > 1:
        flags.add("thousands")
    for k, g in enumerate(groups):
        s = (sep if sep else (" " if chunks else "")) if k == 0 else seps[k - 1]
        chunks.append(Chunk(g, i, i + 1, "digits", s))


def _read_run(toks: Sequence[Token], i: int, utt: int, n: int) -> tuple[NumberRun, int]:
    """Read one run from token ``i``; token ``n`` (a blocked token or the end) stops it."""
    chunks: list[Chunk] = []
    flags: set[str] = set()
    sep = ""
    start = i
    last_end = i
    while i < n:
        t = toks[i]
        w = _word(t)
        if _starts_number(toks, i):
            if t.kind == "num":
                # "5 hundred", "12 thousand"
                if i + 1 < n and _word(toks[i + 1]) in MAGNITUDES and t.text.isdigit() and len(t.text) <= 3:
                    parsed = _cardinal_from_digits(toks, i, n)
                    chunks.append(Chunk(parsed[0], i, parsed[1], "magnitude", sep))
                    flags.add("magnitude")
                    i = last_end = parsed[1]
                    sep = ""
                    continue
                _read_digit_token(t, i, sep, chunks, flags)
                i = last_end = i + 1
                sep = " "
                continue
            parsed2 = _cardinal(toks, i, n)
            if parsed2 is None:
                break
            digits, j, kind = parsed2
            if kind == "magnitude":
                flags.add("magnitude")
            chunks.append(Chunk(digits, i, j, kind, sep if sep != " " else " "))
            i = last_end = j
            sep = ""
            continue
        # "oh" continuing a number is a zero even before a comma ("three oh, four", "nine, oh, three")
        if w in ("oh", "o") and chunks and (i == last_end or sep in (",", "-", " ", "pause")):
            chunks.append(Chunk("0", i, i + 1, "unit", sep))
            i = last_end = i + 1
            sep = ""
            continue
        # homophones between single spoken digits: "four one for one"
        if (
            w in HOMOPHONES
            and chunks
            and len(chunks[-1].digits) == 1
            and i + 1 < n
            and (_word(toks[i + 1]) in UNITS or (_is_plain_num(toks[i + 1]) and len(toks[i + 1].text) == 1))
            and i == last_end
        ):
            chunks.append(Chunk(str(HOMOPHONES[w]), i, i + 1, "unit", sep))
            i = last_end = i + 1
            sep = ""
            continue
        if t.kind == "punct" and t.text in CONNECTOR_PUNCT:
            if t.text == "+" and not chunks:
                flags.add("plus")
            sep = t.text if sep in ("", " ") else sep
            i += 1
            continue
        if w in FILLERS:
            sep = "pause" if sep in ("", " ") else sep
            i += 1
            continue
        if w in CONNECTOR_WORDS:
            sep = CONNECTOR_WORDS[w]
            i += 1
            continue
        # "oh nine of twenty-seven": a month-like chunk, "of", then more numbers
        if w == "of" and chunks and len(chunks[-1].digits) <= 2 and i == last_end and _starts_number(toks, i + 1):
            sep = "/"
            i += 1
            continue
        break
    return NumberRun(utt, start, last_end, tuple(chunks), frozenset(flags)), max(last_end, start + 1)


def _cardinal_from_digits(toks: Sequence[Token], i: int, n: int) -> tuple[str, int]:
    value = int(toks[i].text)
    j = i + 1
    mag = _word(toks[j])
    value *= MAGNITUDES[mag]
    j += 1
    k = _skip_and(toks, j, n)
    small = _small(toks, k, n) if k < n and _word(toks[k]) else None
    if small:
        value, j = value + small[0], small[1]
    return str(value), j


def ordinal_at(toks: Sequence[Token], i: int, end: int | None = None) -> tuple[int, int] | None:
    """A day-like ordinal at ``i`` (``5th``, ``fifth``, ``twenty-first``) → (value, next index)."""
    end = len(toks) if end is None else end
    if i >= end:
        return None
    t = toks[i]
    if t.is_ordinal_num:
        return int(t.digits), i + 1
    w = _word(t)
    if w in ORDINAL_WORDS:
        return ORDINAL_WORDS[w], i + 1
    if w in TENS:
        j = i + 1
        if j < end and toks[j].text == "-":
            j += 1
        if j < end and _word(toks[j]) in ORDINAL_WORDS and ORDINAL_WORDS[_word(toks[j])] < 10:
            return TENS[w] + ORDINAL_WORDS[_word(toks[j])], j + 1
    return None
