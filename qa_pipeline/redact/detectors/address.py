"""Postal addresses: house number + street name + suffix, PO boxes, unit/city/state/zip after
them; a number and place name when the address was asked for; UK postcodes when asked for."""

from __future__ import annotations

import re

from qa_pipeline.redact.forms import (
    DIRECTIONS,
    MONTHS,
    STOP_WORDS,
    STREET_SUFFIXES,
    UK_INWARD,
    UK_OUTWARD,
    UNIT_DESIGNATORS,
    UNIT_WORDS,
    US_STATES,
)
from qa_pipeline.redact.numbers import NumberRun, is_number_word, ordinal_at
from qa_pipeline.redact.state import DetectorState, UttState


def name_word(u: UttState, k: int, loose: bool) -> bool:
    t = u.toks[k]
    w = u.word(k)
    if t.is_ordinal_num or w in DIRECTIONS or (w and ordinal_at(u.toks, k) is not None):
        return True
    if t.kind != "word" or w in STOP_WORDS or w in UNIT_WORDS or w in STREET_SUFFIXES or is_number_word(t):
        return False
    return t.text[0].isupper() or loose


# suffixes clear enough that a lower-case street name before them is taken ("twelve oak street")
_CLEAR_SUFFIXES = frozenset(
    [
        "street",
        "road",
        "avenue",
        "ave",
        "lane",
        "drive",
        "close",
        "crescent",
        "grove",
        "gardens",
        "terrace",
        "boulevard",
        "rd",
    ]
)
# suffixes taken only when an address was asked for ("one hundred and five station approach", "22 mill roads")
_ASKED_SUFFIXES = frozenset(["approach", "rise", "parade", "walk", "vale", "green", "hill", "view", "row"]) | frozenset(
    s + "s" for s in ("street", "road", "avenue", "lane", "drive", "close", "grove")
)


def find_addresses(st: DetectorState, u: UttState) -> None:
    runs = st.runs(u)
    run_by_end = {r.tok_end: r for r in runs}
    for i in range(len(u.toks)):
        if i in u.blocked:
            continue
        w = u.word(i)
        if w == "box" and i + 1 < len(u.toks):
            _po_box(st, u, i)
        elif w in STREET_SUFFIXES or w in _ASKED_SUFFIXES:
            _street(st, u, i, run_by_end)
    # contextual: "it's 42 Elmwood, Springfield" when the address was asked for
    for r in runs:
        _number_and_place(st, u, r)


def _po_box(st: DetectorState, u: UttState, i: int) -> None:
    """PO Box 1234 / post office box."""
    k = i - 1
    while k >= 0 and (u.toks[k].text == "." or u.word(k) in ("p", "o", "po", "p.o", "post", "office")):
        k -= 1
    if k < i - 1:
        run = st.run_at(u, i + 1)
        if run is not None:
            st.add(u.pos, k + 1, address_tail(st, u, run.tok_end), "ADDRESS")


def _street(st: DetectorState, u: UttState, i: int, run_by_end: dict[int, NumberRun]) -> None:
    """House number + street name(s) + the suffix at ``i`` ("42 Elm Street", "221B Baker Street")."""
    toks = u.toks
    asked = "ADDRESS" in st.context(u.pos, i, i + 1).labels
    w = u.word(i)
    if w not in STREET_SUFFIXES and not asked:
        return
    loose = asked or w in _CLEAR_SUFFIXES
    k = i - 1
    names = 0
    while k >= 0 and names < 4 and k not in u.blocked and name_word(u, k, loose):
        # an ordinal street name ("5th") can also be the end of the number run
        names += 1
        k -= 1
    if names == 0 and asked and u.word(k) == "the" and k in run_by_end:
        names, k = 1, k - 1  # "number seven the crescent"
    if names == 0:
        return
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
    elif (
        house_end - 1 >= 0
        and toks[house_end - 1].kind == "code"
        and re.match(r"^\d+[A-Za-z]?$|^\d+-\d+$", toks[house_end - 1].text)
    ):
        start = house_end - 1
    if start is None:
        return
    start = _unit_before(u, start)
    st.add(u.pos, start, address_tail(st, u, i + 1), "ADDRESS", run.digits if run is not None else "")


def _unit_before(u: UttState, start: int) -> int:
    """Take a unit said before the house number: "flat 3 41 high street", "apartment 4b 19 …",
    "number seven the crescent"."""
    k = start
    if (
        k >= 2
        and u.toks[k - 1].kind in ("code", "num")
        and u.word(k - 2) in UNIT_DESIGNATORS
        and (k - 1) not in u.blocked
    ):
        k -= 2
    elif k >= 1 and u.word(k - 1) in UNIT_DESIGNATORS and (k - 1) not in u.blocked:
        k -= 1
    return k


def _number_and_place(st: DetectorState, u: UttState, r: NumberRun) -> None:
    toks = u.toks
    if not st.free(u, r.tok_start, r.tok_end) or len(r.digits) > 6 or r.flags & {"decimal", "time", "thousands"}:
        return
    k = r.tok_end
    names = 0
    while (
        k < len(toks)
        and names < 3
        and toks[k].kind == "word"
        and toks[k].text[0].isupper()
        and u.word(k) not in STOP_WORDS
    ):
        names += 1
        k += 1
    if names == 0 or u.word(r.tok_end) in MONTHS:
        return
    # "apartment 12 B": a unit number and letter, not a house number and street name
    if u.word(r.tok_start - 1) in UNIT_DESIGNATORS or all(len(toks[x].text) == 1 for x in range(r.tok_end, k)):
        return
    ctx = st.context(u.pos, r.tok_start, r.tok_end)
    if "ADDRESS" in ctx.labels and not ctx.veto:
        st.add(u.pos, r.tok_start, address_tail(st, u, k), "ADDRESS", r.digits)


def address_tail(st: DetectorState, u: UttState, j: int) -> int:
    """Extend an address over direction, unit, city, state and zip/postcode."""
    toks = u.toks
    end = j
    if j < len(toks) and u.word(j) in DIRECTIONS and toks[j].text[0].isupper():
        end = j + 1
    for _ in range(6):
        k = end
        if k < len(toks) and toks[k].text == ",":
            k += 1
        if k >= len(toks) or k in u.blocked:
            break
        nxt = _tail_part(st, u, k)
        if nxt is None:
            break
        end = nxt
    return end


def _tail_part(st: DetectorState, u: UttState, k: int) -> int | None:
    """End of the unit, zip, postcode, city or state at ``k``, or ``None``."""
    toks = u.toks
    n = len(toks)
    w = u.word(k)
    t = toks[k]
    if w in UNIT_DESIGNATORS or t.text == "#":
        m = k + 1
        if (m < n and toks[m].kind in ("num", "code")) or (m < n and len(toks[m].text) == 1 and toks[m].text.isalpha()):
            return m + 1
        run = st.run_at(u, m)
        return run.tok_end if run is not None else None
    if t.kind == "num" and len(t.digits) in (5, 9) and not t.is_ordinal_num:
        return k + 1
    if t.kind == "code" and UK_OUTWARD.match(t.text) and k + 1 < n and UK_INWARD.match(toks[k + 1].text):
        return k + 2
    if t.kind == "word" and t.text[0].isupper() and w not in STOP_WORDS and w not in MONTHS:
        m = k
        while (
            m < n and m - k < 3 and toks[m].kind == "word" and toks[m].text[0].isupper() and u.word(m) not in STOP_WORDS
        ):
            m += 1
        return m
    if t.kind == "word" and w in US_STATES:
        return k + 1
    # spoken zip after a comma: "Austin, seven eight seven oh one"
    run = st.run_at(u, k)
    if run is not None and len(run.digits) in (5, 9) and toks[k - 1].text == ",":
        return run.tok_end
    return None


def find_postcodes(st: DetectorState, u: UttState) -> None:
    """A UK postcode ("SW1A 1AA") when an address was asked for."""
    toks = u.toks
    for i, t in enumerate(toks):
        if i in u.blocked:
            continue
        if t.kind == "code" and UK_OUTWARD.match(t.text) and i + 1 < len(toks) and UK_INWARD.match(toks[i + 1].text):
            ctx = st.context(u.pos, i, i + 2)
            if "ADDRESS" in ctx.labels and not ctx.veto:
                st.add(u.pos, i, i + 2, "ADDRESS")
