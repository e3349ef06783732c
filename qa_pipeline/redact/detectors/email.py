"""E-mail addresses, written (``jo@x.com``) and spoken (``jo dot smith at gmail dot com``)."""

from __future__ import annotations

from qa_pipeline.redact.forms import EMAIL_CONNECTORS, EMAIL_PROVIDERS, EMAIL_PROVIDERS_NEED_TLD, EMAIL_STOP, TLDS
from qa_pipeline.redact.numbers import is_number_word
from qa_pipeline.redact.state import DetectorState, UttState


def find_emails(st: DetectorState, u: UttState) -> None:
    toks = u.toks
    for i, t in enumerate(toks):
        if t.kind == "email":
            st.add(u.pos, i, i + 1, "EMAIL")
    i = 0
    while i < len(toks):
        end = _spoken_email_at(st, u, i)
        i = end if end is not None else i + 1


def _spoken_email_at(st: DetectorState, u: UttState, i: int) -> int | None:
    """Redact a spoken address whose ``at`` is token ``i``; the token after it, or ``None``."""
    if not (u.word(i) == "at" or u.toks[i].text == "@") or i in u.blocked:
        return None
    j = i + 1
    if u.word(j) in ("sign", "symbol"):
        j += 1
        j += u.text_at(j) == ","
    dom_end, provider, _ = email_domain(u, j)
    if dom_end is None:
        return None
    start, structured, n_local = email_local(u, i)
    if n_local == 0:
        return None
    ctx = st.context(u.pos, start, dom_end)
    prev_w = u.word(start - 1)
    cue = "EMAIL" in ctx.labels or prev_w in ("is", "it's", "its", "was", "at") or u.word(start - 2) == "it"
    if not (provider or structured or cue):
        return None
    st.add(u.pos, start, dom_end, "EMAIL")
    return dom_end


def email_domain(u: UttState, j: int) -> tuple[int | None, bool, bool]:
    """End of a domain starting at ``j`` (``gmail dot com``, ``acme.co.uk``, bare ``gmail``)."""
    toks = u.toks
    labels: list[str] = []
    k = j
    best_end: int | None = None
    while k < len(toks) and len(labels) < 5:
        t = toks[k]
        if t.kind not in ("word", "code", "num") or u.word(k) in ("and", "or", "is", "the", "at"):
            break
        labels.append(t.lower)
        k += 1
        while k + 1 < len(toks) and toks[k].text == "-" and toks[k + 1].kind in ("word", "code", "num"):
            labels[-1] += "-" + toks[k + 1].lower
            k += 2
        if len(labels) >= 2 and labels[-1] in TLDS:
            best_end = k
        if k + 1 >= len(toks) or toks[k + 1].kind not in ("word", "code"):
            break
        if u.word(k) in ("dot", "period", "point"):
            k += 1
            continue
        if toks[k].text == "." and toks[k].start == toks[k - 1].end and toks[k + 1].start == toks[k].end:
            k += 1
            continue
        break
    if not labels:
        return None, False, False
    provider = labels[0] in EMAIL_PROVIDERS
    if best_end is not None:
        return best_end, provider, True
    if provider and len(labels) == 1 and labels[0] not in EMAIL_PROVIDERS_NEED_TLD:
        return j + 1, True, False
    return None, False, False


def email_local(u: UttState, at: int) -> tuple[int, bool, int]:
    """Start of the local part before ``at``; whether it has . _ - or digits; how many parts.

    Walking back from ``at``: a part after a written connector inside one token
    (``bob_the_builder``) may be any word; after a spoken one (``dot``, ``underscore``) any
    word but a stop word; a bare part is taken before another only when one of the two is
    a digit group or a single letter (``jsmith 85``, ``k l e e``, ``a chen``).
    """
    toks = u.toks
    k = at - 1
    for filler in (("all", "one", "word"), ("one", "word"), ("all", "lower", "case"), ("all", "lowercase")):
        if k - len(filler) >= 0 and tuple(u.word(k - x) for x in range(len(filler) - 1, -1, -1)) == filler:
            k -= len(filler)  # "rosie all one word at hotmail dot co dot uk"
            break
    parts = 0
    structured = False
    start = at
    joined = "none"  # how the part about to be read joins the one after it: none | spoken | written
    prev_small = False
    while k >= 0 and parts < 16:  # spelled letters ("p e t e r dot h a l l") count one part each
        t = toks[k]
        w = u.word(k)
        is_conn = w in EMAIL_CONNECTORS or (t.kind == "punct" and t.text in EMAIL_CONNECTORS)
        if parts and is_conn and joined == "spoken" and t.kind == "word":
            k -= 1  # "jane dot dot n": a repeated spoken connector
            continue
        if t.text == "," and _spelled_comma(u, k):
            k -= 1  # "p e t e r, dot, h a l l": a pause between spelled parts
            continue
        if parts and is_conn and joined == "none":
            structured = True
            written = t.kind == "punct" and k > 0 and toks[k - 1].end == t.start and toks[k + 1].start == t.end
            joined = "written" if written else "spoken"
            k -= 1
            continue
        if t.kind not in ("word", "num", "code"):
            break
        small = t.kind in ("num", "code") or len(w) == 1 or is_number_word(t)
        if parts and joined == "none" and not (small or prev_small):
            break
        if joined != "written" and ((t.kind == "word" and len(w) > 1 and w in EMAIL_STOP) or t.text == "I"):
            break
        if small and (parts > 0 or t.kind != "word" or len(w) == 1):
            structured = True
        parts += 1
        start = k
        prev_small = small
        joined = "none"
        k -= 1
    return start, structured, parts


def _spelled_comma(u: UttState, k: int) -> bool:
    """A comma between spelled letters or a spoken connector ("r, dot, h")."""

    def small(x: int) -> bool:
        w = u.word(x)
        return (u.toks[x].kind == "word" and len(w) == 1) or w in EMAIL_CONNECTORS if 0 <= x < len(u.toks) else False

    return small(k - 1) and (small(k + 1) or u.word(k + 1) == "at")


_WEBSITE = frozenset({"www", "slash", "website", "site", "web", "online", "link", "page", "http", "https", "url"})


def find_emails_without_at(st: DetectorState, u: UttState) -> None:
    """An address read without its "at" when an e-mail was asked for ("jane dot dot n sample dot
    com"): parts joined by "dot" ending in a top-level domain, in a turn that names no website."""
    if not any(w in TLDS for w in u.words) or any(w in _WEBSITE or w == "at" for w in u.words):
        return
    for i in range(1, len(u.toks)):
        if u.word(i) not in TLDS or u.word(i - 1) not in ("dot", "period", "point") or i in u.blocked:
            continue
        end = i + 1
        while u.word(end) in ("dot", "period") and u.word(end + 1) in TLDS:
            end += 2
        start, _, parts = email_local(u, i + 1)
        if parts < 3 or not st.free(u, start, end):
            continue
        ctx = st.context(u.pos, start, end)
        if "EMAIL" in ctx.labels and not ctx.veto:
            st.add(u.pos, start, end, "EMAIL")
