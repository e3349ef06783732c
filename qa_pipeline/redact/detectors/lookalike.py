"""Why a number run is a price, time, quantity, year or code rather than PII."""

from __future__ import annotations

from qa_pipeline.redact.forms import CURRENCY, TIME_PREPS, TIME_WORDS, UNIT_WORDS, YEAR_PREPS, toll_free
from qa_pipeline.redact.numbers import NumberRun
from qa_pipeline.redact.state import UttState

_ID_WORDS = ("ID", "PO", "SSN", "DOB", "CVV", "CVC", "PIN")


def lookalike(u: UttState, run: NumberRun) -> str | None:
    """Why a run is a price, time, quantity or year rather than PII, or ``None``."""
    if run.flags & {"decimal", "thousands"}:
        return "amount"
    if "time" in run.flags:
        return "time"
    if toll_free(run.digits):
        return "toll-free"  # a business line ("1-800-555-0142"), not a person's number
    prev = u.toks[run.tok_start - 1].text if run.tok_start > 0 else ""
    if prev in CURRENCY:
        return "amount"
    return _by_next_word(u, run) or _by_previous_word(u, run)


def _by_next_word(u: UttState, run: NumberRun) -> str | None:
    nxt = u.word(run.tok_end)
    if nxt in UNIT_WORDS or u.text_at(run.tok_end) in ("%",):
        return "quantity"
    if nxt in ("a", "per") and u.word(run.tok_end + 1) in UNIT_WORDS:
        return "quantity"
    if nxt in TIME_WORDS or (
        nxt == "in"
        and u.word(run.tok_end + 1) == "the"
        and u.word(run.tok_end + 2) in ("morning", "afternoon", "evening")
    ):
        return "time"
    return None


def _by_previous_word(u: UttState, run: NumberRun) -> str | None:
    digits = run.digits
    pw = u.word(run.tok_start - 1)
    if pw in TIME_PREPS and len(digits) <= 4 and _time_like(run):
        return "time"
    if pw in YEAR_PREPS and len(digits) == 4 and 1900 <= int(digits) <= 2099:
        return "year"
    if run.tok_start > 0:
        pt = u.toks[run.tok_start - 1]
        if pt.kind == "word" and pt.text.isupper() and 2 <= len(pt.text) <= 3 and pt.text not in _ID_WORDS:
            return "code"  # "UA 1472", "BA 287"; an id in account context keeps it (see scoring)
    nxt = u.word(run.tok_end)
    if u.text_at(run.tok_end).startswith("'") or nxt == "s":
        return "quantity"
    return None


def _time_like(run: NumberRun) -> bool:
    d = run.digits
    if len(d) <= 2:
        return 0 <= int(d) <= 24
    if len(d) in (3, 4):
        h, m = int(d[:-2]), int(d[-2:])
        return 0 <= h <= 24 and 0 <= m <= 59
    return False
