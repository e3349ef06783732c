"""Echoes: a later (or earlier) repetition of detected digits, e.g. the agent reading a number back."""

from __future__ import annotations

from qa_pipeline.redact.detectors.accounts import after_last_four
from qa_pipeline.redact.detectors.lookalike import lookalike
from qa_pipeline.redact.numbers import NumberRun
from qa_pipeline.redact.state import DetectorState, UttState

_ECHOED = ("CARD", "SSN", "PHONE", "ACCOUNT", "ROUTING", "CVV")


def find_echoes(st: DetectorState) -> None:
    values = [(d.pii_type, d.value) for d in st.detections if d.value and len(d.value) >= 3 and d.pii_type in _ECHOED]
    if not values:
        return
    for u in st.utts:
        for r in list(st.runs(u)):
            if not lookalike(u, r):
                _echoes_in_run(st, u, r, values)


def _echoes_in_run(st: DetectorState, u: UttState, r: NumberRun, values: list[tuple[str, str]]) -> None:
    chunks = r.chunks
    i = 0
    while i < len(chunks):
        best: tuple[int, str] | None = None
        d = ""
        for j in range(i + 1, len(chunks) + 1):
            d += chunks[j - 1].digits
            if len(d) > 19:
                break
            hit = next((t for t, v in values if d in v and (len(d) >= 4 or (t == "CVV" and d == v))), None)
            if hit and len(d) >= 3:
                best = (j, hit)
        if best is None:
            i += 1
            continue
        j, pii_type = best
        a, b = chunks[i].tok_start, chunks[j - 1].tok_end
        window_digits = "".join(c.digits for c in chunks[i:j])
        if not (pii_type == "CARD" and len(window_digits) == 4 and after_last_four(st, [(r, chunks[i])])):
            st.add(u.pos, a, b, pii_type)
        i = j
