"""Conversation-level redaction: detect, then rebuild text and words with placeholders.

Each redacted stretch of an utterance becomes one placeholder (``[CARD]``).
Words that the stretch touches are merged into one :class:`Word` that keeps
the first word's start and the last word's end, so ``"".join(words)`` still
reads like the text and the span's audio times come from the words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from qa_pipeline.conversation import Conversation, Utterance, Word
from qa_pipeline.redact.detect import Detection, detect
from qa_pipeline.redact.numbers import FILLERS
from qa_pipeline.redact.tokens import Token
from qa_pipeline.redact.types import (
    RedactedConversation,
    RedactionOptions,
    RedactionResult,
    RedactionSpan,
    placeholder,
)

logger = logging.getLogger("qa_pipeline.redact")

DEFAULT_OPTIONS = RedactionOptions()
NO_WORDS_PAD_S = 0.5
_SPEAKER_PREFIX = re.compile(
    r"^\s*(?P<label>agent|customer|caller|client|rep|representative|a|c|unknown|u)\s*:\s*", re.IGNORECASE
)
_SPEAKER_OF = {
    "agent": "agent",
    "rep": "agent",
    "representative": "agent",
    "a": "agent",
    "customer": "customer",
    "caller": "customer",
    "client": "customer",
    "c": "customer",
}


@dataclass(frozen=True)
class SourceSpan:
    """A detected stretch in the *original* text of utterance ``pos`` (in memory only)."""

    pos: int
    pii_type: str
    start: int
    end: int


def find_pii(utterances: Sequence[tuple[str, str]], options: RedactionOptions = DEFAULT_OPTIONS) -> list[SourceSpan]:
    """Detect PII in ``(speaker, text)`` utterances; spans are merged per utterance."""
    if not options.enabled or not utterances:
        return []
    detections, state = detect(utterances, options.types)
    return _merge(detections, [u.toks for u in state.utts], [t for _, t in utterances])


def _merge(
    detections: Iterable[Detection], tokens: Sequence[Sequence[Token]], texts: Sequence[str]
) -> list[SourceSpan]:
    by_pos: dict[int, list[SourceSpan]] = {}
    for d in detections:
        toks = tokens[d.pos]
        a, b = d.tok_start, d.tok_end
        # "(312) 555-0198", "+1 646…": take the opening bracket / plus sign too
        if (
            a > 0
            and toks[a - 1].text in ("(", "+")
            and (toks[a - 1].text == "+" or any(t.text == ")" for t in toks[a:b]))
        ):
            a -= 1
        by_pos.setdefault(d.pos, []).append(SourceSpan(d.pos, d.pii_type, toks[a].start, toks[b - 1].end))
    out: list[SourceSpan] = []
    for pos in sorted(by_pos):
        text = texts[pos]
        spans = sorted(by_pos[pos], key=lambda s: (s.start, -s.end))
        merged: list[SourceSpan] = []
        for s in spans:
            if merged:
                last = merged[-1]
                if s.start < last.end:
                    merged[-1] = replace(last, end=max(last.end, s.end))
                    continue
                if s.pii_type == last.pii_type and _only_glue(text[last.end : s.start]):
                    merged[-1] = replace(last, end=s.end)
                    continue
            merged.append(s)
        out.extend(merged)
    return out


def _only_glue(gap: str) -> bool:
    words = re.findall(r"[A-Za-z']+", gap)
    return all(w.lower() in FILLERS or w.lower() in ("and", "dash", "hyphen") for w in words) and len(words) <= 2


# --------------------------------------------------------------------------- word alignment


def _align(text: str, words: Sequence[Word]) -> list[tuple[int, int]] | None:
    """Character offsets of each word in ``text`` (without its leading space), or ``None``."""
    offsets: list[tuple[int, int]] = []
    cur = 0
    for w in words:
        s = w.text.strip()
        if not s:
            offsets.append((cur, cur))
            continue
        k = text.find(s, cur)
        if k < 0:
            return None
        offsets.append((k, k + len(s)))
        cur = k + len(s)
    return offsets


def _aligned_text(u: Utterance) -> tuple[str, list[tuple[int, int]] | None]:
    if not u.words:
        return u.text, None
    offsets = _align(u.text, u.words)
    if offsets is not None:
        return u.text, offsets
    joined = "".join(w.text for w in u.words).strip()
    logger.debug("utterance %d: words do not match the text; redacting the words' text instead", u.idx)
    return joined, _align(joined, u.words)


# --------------------------------------------------------------------------- rebuild


def _rebuild_text(text: str, spans: Sequence[SourceSpan]) -> tuple[str, list[tuple[int, int]]]:
    out: list[str] = []
    cur = 0
    placed: list[tuple[int, int]] = []
    length = 0
    for s in spans:
        out.append(text[cur : s.start])
        length += s.start - cur
        ph = placeholder(s.pii_type)
        placed.append((length, length + len(ph)))
        out.append(ph)
        length += len(ph)
        cur = s.end
    out.append(text[cur:])
    return "".join(out), placed


def _new_offset(x: int, spans: Sequence[SourceSpan], placed: Sequence[tuple[int, int]]) -> int:
    delta = 0
    for s, (ps, pe) in zip(spans, placed):
        if x <= s.start:
            break
        if x < s.end:
            return ps
        delta = pe - s.end
    return x + delta


def _rebuild_words(
    words: Sequence[Word],
    offsets: Sequence[tuple[int, int]],
    spans: Sequence[SourceSpan],
    placed: Sequence[tuple[int, int]],
    new_text: str,
) -> tuple[tuple[Word, ...], list[tuple[float | None, float | None]]]:
    hits: list[set[int]] = []
    for ws, we in offsets:
        hits.append({k for k, s in enumerate(spans) if ws < s.end and we > s.start})
    new_words: list[Word] = []
    times: list[list[float]] = [[] for _ in spans]
    i = 0
    while i < len(words):
        if not hits[i]:
            new_words.append(words[i])
            i += 1
            continue
        j = i
        covered = set(hits[i])
        while j + 1 < len(words) and hits[j + 1] & covered:
            j += 1
            covered |= hits[j]
        cs = min(offsets[i][0], *(spans[k].start for k in covered))
        ce = max(offsets[j][1], *(spans[k].end for k in covered))
        ns = _new_offset(cs, spans, placed) if cs >= offsets[i][0] else _new_offset(offsets[i][0], spans, placed)
        ne = placed[max(covered)][1] if ce == spans[max(covered)].end else _new_offset(ce, spans, placed)
        lead = words[i].text[: len(words[i].text) - len(words[i].text.lstrip())]
        group = words[i : j + 1]
        new_words.append(
            Word(
                start=group[0].start,
                end=group[-1].end,
                text=lead + new_text[ns:ne],
                probability=sum(w.probability for w in group) / len(group),
            )
        )
        for k in covered:
            for w, h in zip(group, hits[i : j + 1]):
                if k in h:
                    times[k].extend((w.start, w.end))
        i = j + 1
    return tuple(new_words), [(min(t), max(t)) if t else (None, None) for t in times]


def _interpolated_times(u: Utterance, text: str, s: SourceSpan) -> tuple[float, float]:
    n = max(1, len(text))
    dur = u.end_s - u.start_s
    a = u.start_s + dur * s.start / n - NO_WORDS_PAD_S
    b = u.start_s + dur * s.end / n + NO_WORDS_PAD_S
    return round(max(u.start_s, a), 3), round(min(u.end_s, b), 3)


def redact_conversation(conv: Conversation, options: RedactionOptions | None = None) -> RedactedConversation:
    """Redact a whole call: placeholders in text and words, one span per placeholder.

    Context crosses utterances (the agent's question types the customer's answer) and a number
    read out over several customer turns is found as one.  ``options.keep_raw`` also returns the
    untouched conversation in ``raw``; nothing here writes anything anywhere.
    """
    options = options or DEFAULT_OPTIONS
    if not options.enabled:
        return RedactedConversation(conversation=conv, spans=(), raw=None)
    prepared = [_aligned_text(u) for u in conv.utterances]
    source = find_pii([(u.speaker, t) for u, (t, _) in zip(conv.utterances, prepared)], options)
    by_pos: dict[int, list[SourceSpan]] = {}
    for s in source:
        by_pos.setdefault(s.pos, []).append(s)
    new_utts: list[Utterance] = []
    all_spans: list[RedactionSpan] = []
    for pos, u in enumerate(conv.utterances):
        spans = by_pos.get(pos)
        text, offsets = prepared[pos]
        if not spans:
            new_utts.append(u if text == u.text else replace(u, text=text))
            continue
        new_text, placed = _rebuild_text(text, spans)
        if u.words and offsets is not None:
            words, times = _rebuild_words(u.words, offsets, spans, placed, new_text)
        else:
            words, times = u.words, [_interpolated_times(u, text, s) for s in spans]
        new_utts.append(replace(u, text=new_text, words=words))
        for k, (s, (ps, pe), (ts, te)) in enumerate(zip(spans, placed, times)):
            if ts is None:
                ts, te = _interpolated_times(u, text, s)
            all_spans.append(RedactionSpan(u.idx, k, s.pii_type, ps, pe, ts, te))
    counts: dict[str, int] = {}
    for span in all_spans:
        counts[span.pii_type] = counts.get(span.pii_type, 0) + 1
    if counts:
        logger.info("call %s: redacted %s", conv.call_id, ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    return RedactedConversation(
        conversation=replace(conv, utterances=tuple(new_utts)),
        spans=tuple(all_spans),
        raw=conv if options.keep_raw else None,
    )


def _redact_plain(items: Sequence[tuple[str, str]], options: RedactionOptions) -> list[RedactionResult]:
    source = find_pii(items, options)
    by_pos: dict[int, list[SourceSpan]] = {}
    for s in source:
        by_pos.setdefault(s.pos, []).append(s)
    out = []
    for pos, (_, text) in enumerate(items):
        spans = by_pos.get(pos, [])
        new_text, placed = _rebuild_text(text, spans)
        out.append(
            RedactionResult(
                new_text,
                tuple(RedactionSpan(pos, k, s.pii_type, ps, pe) for k, (s, (ps, pe)) in enumerate(zip(spans, placed))),
            )
        )
    return out


def redact_text(text: str, options: RedactionOptions | None = None, *, context: Sequence[str] = ()) -> RedactionResult:
    """Redact one line.  ``context`` holds the lines said just before it (e.g. the agent's question)."""
    options = options or DEFAULT_OPTIONS
    if not options.enabled:
        return RedactionResult(text, ())
    items = [("unknown", c) for c in context] + [("unknown", text)]
    res = _redact_plain(items, options)[-1]
    return RedactionResult(res.text, tuple(replace(s, idx=0) for s in res.spans))


def parse_speaker(line: str) -> tuple[str, str, str]:
    """``"Agent: hello"`` → ``("agent", "Agent: ", "hello")``; no prefix → ``("unknown", "", line)``."""
    m = _SPEAKER_PREFIX.match(line)
    if not m:
        return "unknown", "", line
    return _SPEAKER_OF.get(m.group("label").lower(), "unknown"), line[: m.end()], line[m.end() :]


def redact_lines(
    lines: Sequence[str], options: RedactionOptions | None = None, *, independent: bool = False
) -> list[RedactionResult]:
    """Redact transcript lines, by default as one conversation (earlier lines give context).

    A leading ``Agent:`` / ``Customer:`` (or ``A:`` / ``C:``) names the speaker and is kept.
    ``independent=True`` redacts each line on its own.
    """
    options = options or DEFAULT_OPTIONS
    parsed = [parse_speaker(line) for line in lines]
    if not options.enabled:
        return [RedactionResult(line, ()) for line in lines]
    if independent:
        results = [_redact_plain([(spk, body)], options)[0] for spk, _, body in parsed]
    else:
        results = _redact_plain([(spk, body) for spk, _, body in parsed], options)
    out = []
    for idx, ((_, prefix, _), res) in enumerate(zip(parsed, results)):
        shift = len(prefix)
        out.append(
            RedactionResult(
                prefix + res.text,
                tuple(
                    replace(s, idx=idx, char_start=s.char_start + shift, char_end=s.char_end + shift) for s in res.spans
                ),
            )
        )
    return out
