"""Dates with a month name (``March 3rd, 1975``): a date of birth or a card expiry when asked for."""

from __future__ import annotations

from qa_pipeline.redact.forms import MONTHS, MONTHS_NEED_CAPITAL, UNIT_WORDS
from qa_pipeline.redact.numbers import ordinal_at
from qa_pipeline.redact.state import DetectorState, UttState


def find_month_dates(st: DetectorState, u: UttState) -> None:
    for i, t in enumerate(u.toks):
        w = u.word(i)
        if w not in MONTHS or i in u.blocked:
            continue
        if (
            w in MONTHS_NEED_CAPITAL
            and not t.text[0].isupper()
            and not (st.run_at(u, i + 1) is not None or ordinal_at(u.toks, i + 1) is not None)
        ):
            continue
        start, end, has_day, has_year = _date_around(st, u, i)
        if not (has_day or has_year):
            continue
        ctx = st.context(u.pos, start, end)
        if ctx.veto:
            continue
        if "DOB" in ctx.labels:
            st.add(u.pos, start, end, "DOB")
        elif "EXPIRY" in ctx.labels and has_year and st.card_talk(u.pos):
            st.add(u.pos, start, end, "EXPIRY")


def _date_around(st: DetectorState, u: UttState, i: int) -> tuple[int, int, bool, bool]:
    """Tokens of the date around the month name at ``i``; whether it has a day and a year."""
    toks = u.toks
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
    run = st.run_at(u, k)
    if run is not None and not (run.flags & {"decimal", "time", "thousands"}) and u.word(run.tok_end) not in UNIT_WORDS:
        # after a day only a year may follow ("5th, 1985"); after the month alone a day,
        # a year or both ("5", "2026", "five nineteen eighty-five", "twenty twenty-six")
        nd = len(run.digits)
        if (has_day and nd in (2, 4)) or (not has_day and nd <= 6):
            end = run.tok_end
            has_year = nd >= 2
            has_day = has_day or nd != 4
    return start, end, has_day, has_year
