"""Number runs → the best non-overlapping set of typed windows (dynamic programming).

Every chunk-aligned window of a sequence of runs is scored against each type
(:mod:`~qa_pipeline.redact.detectors.scoring`); the highest-scoring set of windows wins, stray
digits next to a long number are absorbed, and card details read after a card are added.
"""

from __future__ import annotations

from collections.abc import Sequence

from qa_pipeline.redact.detectors.accounts import letter_prefix_start
from qa_pipeline.redact.detectors.cards import card_details
from qa_pipeline.redact.detectors.lookalike import lookalike
from qa_pipeline.redact.detectors.scoring import window_candidates
from qa_pipeline.redact.detectors.sequences import sequences
from qa_pipeline.redact.detectors.window import RunInfo
from qa_pipeline.redact.numbers import FILLERS, Chunk, NumberRun, luhn_ok
from qa_pipeline.redact.state import DetectorState, UttState

Flat = Sequence[tuple[NumberRun, Chunk]]
Chosen = list[tuple[int, int, str]]
_ABSORBING = ("CARD", "PHONE", "SSN", "ACCOUNT", "ROUTING")


def find_numbers(st: DetectorState) -> None:
    st.note_found()
    runs: list[NumberRun] = []
    for u in st.utts:
        runs.extend(r for r in st.runs(u) if r.chunks)
    if not runs:
        return
    by_utt: dict[int, list[NumberRun]] = {}
    for r in runs:
        by_utt.setdefault(r.utt, []).append(r)
    info: RunInfo = {}
    for pos, rs in by_utt.items():
        u = st.utts[pos]
        for k, r in enumerate(rs):
            lo = rs[k - 1].tok_end if k > 0 else 0
            hi = rs[k + 1].tok_start if k + 1 < len(rs) else len(u.toks)
            info[(r.utt, r.tok_start)] = (st.context(pos, r.tok_start, r.tok_end, lo, hi), lookalike(u, r))
    for seq, weak in sequences(st, runs):
        _solve(st, seq, weak, info)


def _solve(st: DetectorState, seq: list[NumberRun], weak_runs: dict[int, str], info: RunInfo) -> None:
    flat: list[tuple[NumberRun, Chunk]] = [(r, c) for r in seq for c in r.chunks]
    weak_at: dict[int, str] = {}
    k = 0
    for ri, r in enumerate(seq):
        if ri in weak_runs:
            weak_at[k] = weak_runs[ri]
        k += len(r.chunks)
    chosen = _best_set(_candidates(st, flat, weak_at, info), len(flat))
    _absorb_strays(flat, chosen)
    extra = card_details(st, flat, chosen, info)
    for i, j, pii_type in sorted(chosen + extra):
        digits = "".join(c.digits for _, c in flat[i:j])
        _add_window(st, flat[i:j], pii_type, digits)


def _candidates(
    st: DetectorState, flat: Flat, weak_at: dict[int, str], info: RunInfo
) -> dict[int, list[tuple[int, str, float]]]:
    """Scored windows by end index: ``end → [(start, type, score)]``."""
    n = len(flat)
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
            for pii_type, score in window_candidates(st, flat[i:j], digits, info):
                if crosses_weak and pii_type != "CARD":
                    continue
                if crosses_far and not luhn_ok(digits):
                    continue
                if crosses_weak:
                    score -= 2.0  # a number read in one go beats one pieced together across words
                cands.setdefault(j, []).append((i, pii_type, score))
    return cands


def _best_set(cands: dict[int, list[tuple[int, str, float]]], n: int) -> Chosen:
    best = [0.0] * (n + 1)
    back: list[tuple[int, str] | None] = [None] * (n + 1)
    for j in range(1, n + 1):
        best[j], back[j] = best[j - 1], None
        for i, pii_type, score in cands.get(j, []):
            if best[i] + score > best[j] + 1e-9:
                best[j], back[j] = best[i] + score, (i, pii_type)
    chosen: Chosen = []
    j = n
    while j > 0:
        step = back[j]
        if step is None:
            j -= 1
            continue
        i, pii_type = step
        chosen.append((i, j, pii_type))
        j = i
    chosen.reverse()
    return chosen


def _absorb_strays(flat: Flat, chosen: Chosen) -> None:
    """Absorb up to 3 stray digits left between a long number and the end of its run or the
    next span (an inserted or repeated digit must not stay in clear next to the number)."""
    n = len(flat)
    for c, (i, j, pii_type) in enumerate(chosen):
        if pii_type not in _ABSORBING:
            continue
        run = flat[j - 1][0]
        nxt = chosen[c + 1][0] if c + 1 < len(chosen) else n
        k = j
        while k < nxt and flat[k][0] is run and sum(len(flat[x][1].digits) for x in range(j, k + 1)) <= 3:
            k += 1
        if k > j and (k in (n, nxt) or flat[k][0] is not run):
            chosen[c] = (i, k, pii_type)
        prev_end = chosen[c - 1][1] if c > 0 else 0
        run0 = flat[i][0]
        k = i
        while k > prev_end and flat[k - 1][0] is run0 and sum(len(flat[x][1].digits) for x in range(k - 1, i)) <= 3:
            k -= 1
        if k < i and (k == 0 or flat[k - 1][0] is not run0 or k == prev_end):
            chosen[c] = (k, chosen[c][1], pii_type)


def _add_window(st: DetectorState, window: Flat, pii_type: str, digits: str) -> None:
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
            if not _aside(st.utts[r.utt], last[2], c.tok_start):
                last[2] = max(last[2], c.tok_end)
                continue
        pieces.append([r.utt, c.tok_start, c.tok_end])
    seen_utt: set[int] = set()
    for pos, a, b in pieces:
        if pii_type == "ACCOUNT" and pos not in seen_utt:
            a = letter_prefix_start(st.utts[pos], a)  # "P O L 4 4 8 2…"
        seen_utt.add(pos)
        st.add(pos, a, b, pii_type, digits)


def _aside(u: UttState, a: int, b: int) -> bool:
    """Whether tokens ``a``..``b`` are an aside (more than two words that are not fillers)
    rather than glue ("of", "slash", "no, wait", "uh")."""
    words = [u.word(k) or u.toks[k].lower for k in range(a, b) if u.toks[k].kind != "punct"]
    return sum(1 for w in words if w not in FILLERS) > 2
