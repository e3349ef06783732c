"""Number runs joined into one number across words and turns ("4532 0151 um hang on 1283 0366",
a number read over several turns while the other party acknowledges)."""

from __future__ import annotations

from qa_pipeline.redact.forms import JOIN_WORDS, LEAD_WORDS, TRAIL_WORDS, WH_WORDS
from qa_pipeline.redact.numbers import FILLERS, NumberRun
from qa_pipeline.redact.state import DetectorState

# inside one turn, a card number may run across an aside of up to this many words ("4929 7434,
# sorry, the light's bad in here, 7085 3735"); beyond 5 words the joined number must pass Luhn
FAR_GAP_WORDS = 10


def _ends_utt(st: DetectorState, r: NumberRun) -> bool:
    u = st.utts[r.utt]
    words = 0
    for k in range(r.tok_end, len(u.toks)):
        if u.toks[k].kind == "punct":
            continue
        if u.word(k) in TRAIL_WORDS or u.word(k) in FILLERS:
            words += 1
            if words > 2:
                return False
            continue
        return False
    return True


def _starts_utt(st: DetectorState, r: NumberRun) -> bool:
    u = st.utts[r.utt]
    words = 0
    for k in range(r.tok_start):
        if u.toks[k].kind == "punct":
            continue
        if u.word(k) in LEAD_WORDS or u.word(k) in FILLERS:
            words += 1
            if words > 4:
                return False
            continue
        return False
    return True


def _joinable_in_turn(st: DetectorState, a: NumberRun, b: NumberRun) -> str | None:
    u = st.utts[a.utt]
    gap = [k for k in range(a.tok_end, b.tok_start) if u.toks[k].kind != "punct"]
    if len(gap) <= 2 and all(u.word(k) in JOIN_WORDS for k in gap):
        return "strong"
    if (
        len(gap) <= FAR_GAP_WORDS
        and all(u.toks[k].kind == "word" for k in gap)
        and not any(a.tok_end <= h.start < b.tok_start for h in u.hits)
    ):
        return "weak" if len(gap) <= 5 else "far"
    return None


def joinable(st: DetectorState, a: NumberRun, b: NumberRun) -> str | None:
    """``"strong"`` when ``b`` continues ``a``'s number, ``"weak"`` when only a card number may
    run across the gap (a few words in between: "4532 0151 um hang on 1283 0366", or in a turn
    of the reader's own between the pieces: "4405 2358 || hang on || 0915 6792"), ``"far"``
    when only a card number with a valid Luhn sum may (a longer aside: "4929 7434, sorry, the
    light's bad in here, 7085 3735"), else ``None``."""
    if a.utt == b.utt:
        return _joinable_in_turn(st, a, b)
    ua, ub = st.utts[a.utt], st.utts[b.utt]
    if b.utt - a.utt > 4:
        return None
    if ua.speaker != ub.speaker and "unknown" not in (ua.speaker, ub.speaker):
        return None
    if not (_ends_utt(st, a) and _starts_utt(st, b)):
        return None
    aside_words = 0  # words of the same speaker's own turns in between ("hang on, my kid's yelling")
    for p in range(a.utt + 1, b.utt):
        mid = st.utts[p]
        words = sum(1 for t in mid.toks if t.kind != "punct")
        if mid.speaker == ua.speaker and mid.speaker != "unknown":
            # an aside turn of the reader: only a card number runs across it, as across an
            # aside inside one turn (no digits there: a run in it would have ended the number)
            if any(t.kind != "word" for t in mid.toks if t.kind != "punct"):
                return None
            aside_words += words
        elif words > 8:
            return None
        # a new question in between ("How many tickets?") starts a new number
        if mid.hits or any(mid.word(k) in WH_WORDS for k in range(len(mid.toks))):
            return None
    if aside_words:
        if aside_words > FAR_GAP_WORDS:
            return None
        return "weak" if aside_words <= 5 else "far"
    return "strong"


def sequences(st: DetectorState, runs: list[NumberRun]) -> list[tuple[list[NumberRun], dict[int, str]]]:
    """Runs joined where one number continues in the next run (same speaker, next utterance).

    Each sequence comes with the indices of its runs that follow a weak or far join, and how.
    """
    seqs: list[tuple[list[NumberRun], dict[int, str]]] = []
    open_by_speaker: dict[str, tuple[list[NumberRun], dict[int, str]]] = {}
    for r in sorted(runs, key=lambda r: (r.utt, r.tok_start)):
        spk = st.utts[r.utt].speaker
        cur = open_by_speaker.get(spk)
        if cur is not None:
            how = joinable(st, cur[0][-1], r)
            if how:
                if how in ("weak", "far"):
                    cur[1][len(cur[0])] = how
                cur[0].append(r)
                continue
        cur = ([r], {})
        seqs.append(cur)
        open_by_speaker[spk] = cur
    return seqs
