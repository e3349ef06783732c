"""Payment cards: the number (Luhn + scheme prefix, or card context), the security code and the
expiry, and card details read in one breath after the number."""

from __future__ import annotations

from collections.abc import Sequence

from qa_pipeline.redact.detectors.window import RunInfo, Scored, Window
from qa_pipeline.redact.forms import expiry_ok, issuer_ok
from qa_pipeline.redact.numbers import Chunk, NumberRun, group_lengths, luhn_ok
from qa_pipeline.redact.state import DetectorState

# words that say the digits after a card number correct part of it rather than start a new field
CORRECTION_WORDS = frozenset({"no", "not", "actually", "mean", "correction", "wait", "sorry", "oops", "scratch"})


def card_scores(st: DetectorState, w: Window) -> Scored:
    n, d, labels = w.n, w.digits, w.labels
    if 13 <= n <= 19:
        lok = luhn_ok(d)
        if lok and issuer_ok(d):
            return [("CARD", (4.0 if "CARD" in labels else 3.0) * n)]
        if lok and "CARD" in labels:
            return [("CARD", 3.0 * n)]
        if "CARD" in labels and n >= 14:
            return [("CARD", 1.2 * n)]
    elif n == 12 and "CARD" in labels and not ({"ACCOUNT", "PHONE"} & labels):
        return [("CARD", 1.2 * n)]
    return []


def cvv_scores(st: DetectorState, w: Window) -> Scored:
    return [("CVV", 2.5 * w.n)] if "CVV" in w.labels and w.n in (3, 4) else []


def expiry_scores(st: DetectorState, w: Window) -> Scored:
    n = w.n
    if "EXPIRY" in w.labels and 3 <= n <= 6 and expiry_ok(w.digits, w.groups) and st.card_talk(w.runs[0].utt):
        return [("EXPIRY", (2.6 if n in (4, 6) else 2.4) * n)]
    return []


def card_details(
    st: DetectorState,
    flat: Sequence[tuple[NumberRun, Chunk]],
    chosen: list[tuple[int, int, str]],
    info: RunInfo,
) -> list[tuple[int, int, str]]:
    """Expiry and CVV read right after a card number ("4111 1111 1111 1111, 08/27, 431")."""
    extra: list[tuple[int, int, str]] = []
    for _, j, pii_type in chosen:
        if pii_type != "CARD":
            continue
        k = j
        taken = {x for a, b, _ in chosen for x in range(a, b)}
        for want in ("EXPIRY", "CVV"):
            found = _detail_end(flat, k, want, taken)
            if found is not None:
                if want == "CVV" and corrects_card(st, flat[k - 1], flat[k], info):
                    want = "CARD"  # "…5275 4696, no, sorry, 4699 at the end": a corrected group
                extra.append((k, found, want))
                k = found
    return extra


def _detail_end(flat: Sequence[tuple[NumberRun, Chunk]], k: int, want: str, taken: set[int]) -> int | None:
    d = ""
    for m in range(k + 1, min(len(flat), k + 6) + 1):
        if (m - 1) in taken:
            return None
        d += flat[m - 1][1].digits
        groups = group_lengths([c for _, c in flat[k:m]])
        if want == "EXPIRY" and len(d) in (3, 4, 6) and expiry_ok(d, groups):
            return m
        if want == "CVV" and len(d) in (3, 4):
            return m
        if len(d) > 6:
            return None
    return None


def corrects_card(
    st: DetectorState,
    last: tuple[NumberRun, Chunk],
    nxt: tuple[NumberRun, Chunk],
    info: RunInfo,
) -> bool:
    """Whether the digits ``nxt`` after a card number's last chunk ``last`` re-read part of the
    card ("no, sorry, 4699") rather than give the security code: a correction word in between
    in the same turn, and no security code asked for."""
    (ra, ca), (rb, cb) = last, nxt
    if ra.utt != rb.utt or "CVV" in info[(rb.utt, rb.tok_start)][0].labels:
        return False
    u = st.utts[ra.utt]
    return any(u.word(x) in CORRECTION_WORDS for x in range(ca.tok_end, cb.tok_start))
