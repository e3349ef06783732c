"""Bank, member, customer and policy numbers and routing numbers / sort codes (when asked
for), their letter prefixes, and account ids written with letters (``AB123456``)."""

from __future__ import annotations

from collections.abc import Sequence

from qa_pipeline.redact.detectors.window import Scored, Window
from qa_pipeline.redact.forms import LAST_FOUR
from qa_pipeline.redact.numbers import Chunk, NumberRun, aba_ok
from qa_pipeline.redact.state import DetectorState, UttState


def routing_scores(st: DetectorState, w: Window) -> Scored:
    n = w.n
    if "ROUTING" not in w.labels:
        return []
    if n == 9:
        return [("ROUTING", (2.3 if aba_ok(w.digits) else 1.8) * n)]
    if n == 6 and w.groups in ((2, 2, 2), (6,)):
        return [("ROUTING", 2.5 * n)]
    return []


def account_scores(st: DetectorState, w: Window) -> Scored:
    n = w.n
    out: Scored = []
    if "ACCOUNT" not in w.labels:
        return out
    if n == 9 and aba_ok(w.digits) and "ROUTING" not in w.labels:
        out.append(("ROUTING", 1.2 * n))
    if 6 <= n <= 20 or (n >= 4 and after_last_four(st, w.chunks)):
        out.append(("ACCOUNT", 2.0 * n))
    return out


def zip_scores(st: DetectorState, w: Window) -> Scored:
    return [("ADDRESS", 2.2 * w.n)] if "ADDRESS" in w.labels and w.n in (5, 9) else []


def after_last_four(st: DetectorState, window: Sequence[tuple[NumberRun, Chunk]]) -> bool:
    r, c = window[0]
    u = st.utts[r.utt]
    k = c.tok_start
    before = " ".join(u.word(x) for x in range(max(0, k - 3), k) if u.word(x))
    return any(before.endswith(p) for p in LAST_FOUR)


def letter_prefix_start(u: UttState, a: int) -> int:
    """Start of a spelled letter prefix of an account/policy id before token ``a``:
    "P O L 4 4 8 2…", "CU 88 41 20 93"."""
    toks = u.toks
    k = a
    while (
        k > 0
        and a - k < 4
        and toks[k - 1].kind == "word"
        and len(toks[k - 1].text) == 1
        and toks[k - 1].text.isupper()
        and toks[k - 1].text not in ("I", "A")
        and (k - 1) not in u.blocked
    ):
        k -= 1
    if (
        k == a
        and k > 0
        and toks[k - 1].kind == "word"
        and 2 <= len(toks[k - 1].text) <= 3
        and toks[k - 1].text.isupper()
        and (k - 1) not in u.blocked
    ):
        k -= 1  # "CU 88 41 20 93"
    return k


def find_letter_ids(st: DetectorState, u: UttState) -> None:
    """Account ids written with letters and 5+ digits when an account number was asked for."""
    for i, t in enumerate(u.toks):
        if i in u.blocked:
            continue
        if t.kind == "code" and sum(ch.isdigit() for ch in t.text) >= 5:
            ctx = st.context(u.pos, i, i + 1)
            if "ACCOUNT" in ctx.labels and not ctx.veto:
                st.add(u.pos, i, i + 1, "ACCOUNT")
