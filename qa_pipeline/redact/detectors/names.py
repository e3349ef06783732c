"""People's names (``[NAME]``): cue phrases plus the US Census name lists.

A name is taken after a cue: an introduction ("my name is …", "this is … calling", "you're
speaking with …"), a title ("Mr", "Mrs", "Dr" …), an answer to a question for the name ("Who am I
speaking with?" → "Gareth Llewellyn."; a spelled surname), a greeting or thanks ("Hi John",
"Thanks, Luis"), a relation ("my husband Tom", "someone called Megan").  Weak cues (greetings,
relations, "this is", "it's") need a capitalised word that is a first name in the census lists
(package ``names``, pinned); strong ones (an introduction, a title, an answer) take any capitalised
word that is not a common word, and a lower-case one when it is a listed name.  Every later
mention of a found name in the call, capitalised, is redacted too.  The agent's own first name in
the greeting is redacted like any other ("my name is [NAME]").
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from qa_pipeline.redact.detectors.answers import CLAUSE_END, Phrases, asked_before, skip_lead_ins
from qa_pipeline.redact.forms import MONTHS, STOP_WORDS, STREET_SUFFIXES
from qa_pipeline.redact.state import DetectorState, UttState

_STRONG = Phrases("""my name is|my name's|my name was|the name is|the name's|name is|name's|my full name is|
    i'm called|i am called|call me|you're speaking with|you are speaking with|you're speaking to|
    you're through to|you are through to|speaking with|speaking to|am i speaking to|am i speaking with|
    in the name of|under the name|account holder is|it's in the name of""")
_WEAK = Phrases("""this is|it's|i'm|i am|hi|hello|hey|thanks|thank you|cheers|bye|goodbye|morning|afternoon|
    evening|sorry|called|named|spoke to|spoke with|speak to|speak with|talked to|talking to|is that|is this|
    husband|wife|partner|son|daughter|mum|mom|mother|dad|father|brother|sister|friend|colleague|manager|
    boss|husband's|wife's|mum's|mom's|dad's|on behalf of""")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "mister", "missus", "doctor"})
_ASKS = Phrases("""your name|full name|first name|last name|surname|your first and last|who am i speaking|
    who am i talking|who's calling|who is calling|who's speaking|what name|name on the account|
    name is the account|account holder's name|spell your|and your name|name please""")
# a turn without one of these words (and not answering a question for the name) has no cued name
_CUE_WORDS = _STRONG.first_words | _WEAK.first_words | _TITLES | frozenset({"name", "speaking", "here"})
# listed first names that are much more often ordinary words
_COMMON = (
    frozenset(
        [
            "will",
            "may",
            "june",
            "april",
            "august",
            "bill",
            "mark",
            "grant",
            "hope",
            "joy",
            "faith",
            "art",
            "guy",
            "major",
            "chance",
            "son",
            "page",
            "price",
            "royal",
            "sterling",
            "rich",
            "sunny",
            "gay",
            "else",
            "long",
            "young",
            "page",
            "ray",
            "don",
            "dean",
            "lane",
            "wade",
            "mason",
            "baker",
            "cook",
            "king",
            "bank",
            "love",
            "star",
            "summer",
            "winter",
            "autumn",
            "dawn",
            "eve",
            "ivy",
            "holly",
            "hazel",
            "amber",
            "ruby",
            "pearl",
            "crystal",
            "angel",
            "sky",
            "mercedes",
            "virginia",
            "georgia",
            "carolina",
            "jean",
            "jack",
            "lincoln",
            "washington",
            "jordan",
        ]
    )
    | frozenset(MONTHS)
    | frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
)
_NOT_NAME = (
    STOP_WORDS
    | STREET_SUFFIXES
    | frozenset(MONTHS)
    | frozenset(
        [
            "i",
            "i'm",
            "i've",
            "i'll",
            "i'd",
            "you're",
            "it's",
            "that's",
            "there's",
            "northgate",
            "telecom",
            "billing",
            "team",
            "support",
            "customer",
            "service",
            "sir",
            "madam",
            "mate",
            "love",
            "dear",
            "everyone",
            "all",
            "how",
            "what",
            "when",
            "where",
            "why",
            "who",
            "which",
            "whose",
            "calling",
            "speaking",
            "here",
            "help",
            "today",
            "speak",
            "can",
            "could",
            "would",
            "will",
            "shall",
            "may",
            "might",
            "need",
            "want",
            "like",
            "let",
            "get",
            "got",
            "bank",
            "account",
            "card",
            "name",
            "number",
        ]
    )
)


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-cased first names (5,494) and last names (88,799) of the 1990 US Census, from the
    pinned ``names`` package."""
    root = resources.files("names")

    def read(name: str) -> frozenset[str]:
        return frozenset(
            line.split()[0].lower() for line in root.joinpath(name).read_text().splitlines() if line.strip()
        )

    return read("dist.male.first") | read("dist.female.first"), read("dist.all.last")


def find_names(st: DetectorState, u: UttState) -> None:
    firsts, _ = name_lists()
    answer_at = skip_lead_ins(u, 0) if asked_before(st, u.pos, _ASKS, back=2) is not None else -1
    if answer_at < 0 and _CUE_WORDS.isdisjoint(u.word_set):
        return
    i = 0
    while i < len(u.toks):
        if not u.words[i]:
            i += 1
            continue
        end = _name_at(u, i, firsts, i == answer_at)
        if end is not None and end[1] > end[0] and st.free(u, end[0], end[1]):
            st.add(u.pos, end[0], end[1], "NAME")
            i = end[1]
        else:
            i += 1


def _name_at(u: UttState, i: int, firsts: frozenset[str], answer: bool) -> tuple[int, int] | None:
    """A name span cued at token ``i``: (start, end) or ``None``."""
    if answer:
        span = _answer_name(u, i)
        if span is not None:
            return span
    w = u.word(i)
    if u.word(i + 1) in ("speaking", "here") and w in firsts and w not in _COMMON and u.toks[i].text[0].isupper():
        return i, i + 1  # "Northgate Telecom, Derek speaking."
    if w in _TITLES and u.toks[i].text[0].isupper():
        k = i + 1 + (u.text_at(i + 1) == ".")
        end = _name_words(u, k, firsts, strong=True)
        return (i, end) if end > k else None
    if u.word(i) == "name" and u.text_at(i + 1) == ",":  # "in my husband's name, Tom Baxter"
        end = _name_words(u, i + 2, firsts, strong=True)
        return (i + 2, end) if end > i + 2 else None
    for phrases, strong in ((_STRONG, True), (_WEAK, False)):
        cue_end = phrases.at(u, i)
        if cue_end is None:
            continue
        k = cue_end + (u.text_at(cue_end) == ",")
        if u.word(k) in _TITLES:
            return _name_at(u, k, firsts, False)
        end = _name_words(u, k, firsts, strong)
        if end > k:
            return k, end
    return None


def _name_words(u: UttState, k: int, firsts: frozenset[str], strong: bool) -> int:
    """End of up to three name words from ``k`` (the first must pass the cue's test)."""
    _, lasts = name_lists()
    end = k
    for n in range(3):
        t = u.toks[end] if end < len(u.toks) else None
        if t is None or t.kind != "word":
            break
        w = u.word(end)
        bare = w[:-2] if w.endswith("'s") else w
        cap = t.text[0].isupper()
        if bare in _NOT_NAME or len(bare) < 2 or (n == 0 and not strong and bare in _COMMON):
            break
        if n == 0:
            ok = (cap and (strong or bare in firsts or _surname_next(u, end + 1, lasts))) or (
                bare in firsts and (strong or _lower_name_next(u, end + 1, lasts))
            )
        else:
            ok = cap or (not u.toks[k].text[0].isupper() and (bare in lasts or "'" in bare))
        if not ok:
            break
        end += 1
    return end


def _surname_next(u: UttState, k: int, lasts: frozenset[str]) -> bool:
    """ "Is that Priya Nair?": a capitalised listed surname right after an unlisted first name."""
    return k < len(u.toks) and u.toks[k].kind == "word" and u.toks[k].text[0].isupper() and u.word(k) in lasts


def _lower_name_next(u: UttState, k: int, lasts: frozenset[str]) -> bool:
    """ "this is linda from …", "this is patricia johns and …": in lower-case text a weak cue takes a
    listed first name only before "from"/"speaking"/"calling"/"here" or a listed surname."""
    w = u.word(k)
    return w in ("from", "speaking", "calling", "here") or (w in lasts and w not in _NOT_NAME)


def _answer_name(u: UttState, k: int) -> tuple[int, int] | None:
    """The reply to a question for the name: capitalised or listed words, or spelled letters."""
    firsts, lasts = name_lists()
    toks = u.toks
    end = k
    while end < len(toks) and end - k < 15:
        t = toks[end]
        if t.kind == "punct":
            if t.text in CLAUSE_END or t.text == "," or end == k:
                break
            end += 1
            continue
        w = u.word(end)
        if t.kind != "word" or (w in _NOT_NAME and not (len(t.text) == 1 and t.text.isupper())):
            break
        if not (t.text[0].isupper() or w in firsts or w in lasts or "'" in w):
            break
        end += 1
    return (k, end) if end > k else None


def find_name_echoes(st: DetectorState) -> None:
    """Later (or earlier) capitalised mentions of a name already found in the call."""
    found: set[str] = set()
    for d in st.detections:
        if d.pii_type != "NAME":
            continue
        u = st.utts[d.pos]
        for x in range(d.tok_start, d.tok_end):
            w = u.word(x)
            if len(w) >= 3 and w not in _NOT_NAME and w not in _COMMON and w not in _TITLES:
                found.add(w)
    if not found:
        return
    firsts, lasts = name_lists()
    for u in st.utts:
        for x, t in enumerate(u.toks):
            w = u.word(x)
            listed = w in firsts or w in lasts  # a lower-case mention only of a listed name
            if t.kind == "word" and (t.text[0].isupper() or listed) and x not in u.blocked and w in found:
                st.add(u.pos, x, x + 1, "NAME")
