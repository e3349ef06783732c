"""PII detection over a whole conversation: the detectors in order.

Order of work (each step skips tokens an earlier one redacted; every detector works on one
shared :class:`~qa_pipeline.redact.state.DetectorState`):

1. e-mail addresses, written (``jo@x.com``) and spoken (``jo dot smith at gmail dot com``)
   — :mod:`~qa_pipeline.redact.detectors.email`;
2. dates with a month name (``March 3rd, 1975``) when a date of birth or an expiry is being asked
   for — :mod:`~qa_pipeline.redact.detectors.dates`;
3. postal addresses (house number + street name + suffix, PO boxes, unit/city/state/zip after
   them) — :mod:`~qa_pipeline.redact.detectors.address`;
4. number runs (see :mod:`qa_pipeline.redact.numbers`), joined across consecutive utterances of the
   same speaker when the other party only acknowledges in between
   (:mod:`~qa_pipeline.redact.detectors.sequences`); every chunk-aligned window is scored against
   each type's form and context (cards, SSN, phone, DOB, account/routing, zip: one module each)
   and the best non-overlapping set is kept (:mod:`~qa_pipeline.redact.detectors.choose`);
5. account ids written with letters (``AB123456``) and UK postcodes where the context asks for them;
6. echoes: a later (or earlier) repetition of detected digits, e.g. the agent reading a number back.

Detections name tokens; :mod:`qa_pipeline.redact.engine` turns them into placeholders.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qa_pipeline.redact.detectors.accounts import find_letter_ids
from qa_pipeline.redact.detectors.address import find_addresses, find_postcodes
from qa_pipeline.redact.detectors.choose import find_numbers
from qa_pipeline.redact.detectors.dates import find_month_dates
from qa_pipeline.redact.detectors.echoes import find_echoes
from qa_pipeline.redact.detectors.email import find_emails, find_emails_without_at
from qa_pipeline.redact.detectors.names import find_name_echoes, find_names
from qa_pipeline.redact.detectors.secret import find_secrets
from qa_pipeline.redact.state import Detection, DetectorState

__all__ = ["Detection", "detect"]


def detect(utterances: Sequence[tuple[str, str]], types: Iterable[str]) -> tuple[list[Detection], DetectorState]:
    """PII detections in ``(speaker, text)`` utterances, sorted by position, and the state
    (its tokens locate the detections)."""
    st = DetectorState(utterances, types)
    for u in st.utts:
        find_emails(st, u)
        find_emails_without_at(st, u)
    for u in st.utts:
        find_secrets(st, u)
    for u in st.utts:
        find_month_dates(st, u)
    for u in st.utts:
        find_addresses(st, u)
    for u in st.utts:
        find_names(st, u)
    find_numbers(st)
    for u in st.utts:
        find_postcodes(st, u)
        find_letter_ids(st, u)
    find_echoes(st)
    find_name_echoes(st)
    return sorted(st.detections, key=lambda d: (d.pos, d.tok_start)), st
