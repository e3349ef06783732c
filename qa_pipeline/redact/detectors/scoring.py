"""Scores of every PII type a window of digits may be, from each type's detector."""

from __future__ import annotations

from collections.abc import Sequence

from qa_pipeline.redact.detectors.accounts import account_scores, routing_scores, zip_scores
from qa_pipeline.redact.detectors.cards import card_scores, cvv_scores, expiry_scores
from qa_pipeline.redact.detectors.dob import dob_scores
from qa_pipeline.redact.detectors.phone import phone_scores
from qa_pipeline.redact.detectors.ssn import ssn_scores
from qa_pipeline.redact.detectors.window import RunInfo, Scored, Window
from qa_pipeline.redact.forms import issuer_ok
from qa_pipeline.redact.numbers import Chunk, NumberRun, group_lengths, luhn_ok
from qa_pipeline.redact.state import DetectorState


def window_candidates(st: DetectorState, window: Sequence[tuple[NumberRun, Chunk]], d: str, info: RunInfo) -> Scored:
    runs: list[NumberRun] = []
    for r, _ in window:
        if not runs or runs[-1] is not r:
            runs.append(r)
    labels: set[str] = set()
    near: set[str] = set()
    reasons: set[str] = set()
    first_ctx = info[(runs[0].utt, runs[0].tok_start)][0]
    for r in runs:
        ctx, reason = info[(r.utt, r.tok_start)]
        labels |= ctx.labels
        near |= ctx.near
        if reason:
            reasons.add(reason)
    n = len(d)
    if not labels and n < 9 and not first_ctx.veto:
        return []  # with no context, only a card, a phone number or a 3-2-4 SSN is taken
    if first_ctx.veto:
        if first_ctx.amount_veto and not reasons and 13 <= n <= 19 and luhn_ok(d) and issuer_ok(d):
            return [("CARD", 3.0 * n)]  # "charge the deposit to 4573 7561 3519 5929"
        return []
    w = Window(
        window, tuple(runs), d, n, group_lengths([c for _, c in window]), frozenset(labels), "plus" in runs[0].flags
    )
    if reasons == {"code"} and "ACCOUNT" in labels:
        reasons = set()  # "CU 88 41 20 93" when a customer/member number was asked for
    if reasons - {"year"}:
        return []
    if reasons:  # a year after "in"/"since": only a date of birth
        return dob_scores(st, w)
    out = _scores(st, w)
    if first_ctx.soft_veto:  # "the order ID and your email?": a bare 10-digit answer is the order ID
        out = [(t, sc) for t, sc in out if t in labels]
    # the words right next to the number weigh more than the question two turns ago; a type
    # already found in the same answer (by the date or address detector) weighs less
    found = st.found_in.get(runs[0].utt, set())
    return [(t, sc + (1.0 * n if t in near else 0.0) - (0.5 * n if t in found else 0.0)) for t, sc in out]


def _scores(st: DetectorState, w: Window) -> Scored:
    """Every type's score, in this order (ties between equal scores go to the earlier type); a
    scorer is only called where it can return something (this runs for every window)."""
    labels, n = w.labels, w.n
    out: Scored = []
    if n >= 12:
        out += card_scores(st, w)
    if n in (4, 9):
        out += ssn_scores(st, w)
    if n >= 7:
        out += phone_scores(st, w)
    if "CVV" in labels:
        out += cvv_scores(st, w)
    if "EXPIRY" in labels:
        out += expiry_scores(st, w)
    if "DOB" in labels:
        out += dob_scores(st, w)
    if "ROUTING" in labels:
        out += routing_scores(st, w)
    if "ACCOUNT" in labels:
        out += account_scores(st, w)
    if "ADDRESS" in labels:
        out += zip_scores(st, w)
    return out
