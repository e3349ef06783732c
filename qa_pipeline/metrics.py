"""Conversation metrics of one call, computed from utterance timings and labels.

Everything here works on a :class:`~qa_pipeline.conversation.Conversation` and
its per-utterance :class:`~qa_pipeline.classify.result.UtteranceLabels`; no
audio.  The numbers feed the ``metric`` and ``sentiment`` criteria of QA
scorecards and the ``call_metrics`` table.

Definitions (times in seconds from the call start):

* talk time of a party: length of the union of its utterance spans, so two
  overlapping utterances of one party are not counted twice;
* non-talk time: handle time minus the union of everybody's speech;
  longest silence: the longest gap between two stretches of speech;
  longest dead air: the longest such gap that is not part of a hold;
* overtalk: time both parties speak at once;
* interruption: an utterance that starts while the other party is speaking,
  overlapping it by at least ``interruption_min_overlap_s``; a short
  backchannel ("mm-hmm", "right") that lies wholly inside the other turn is
  not an interruption;
* speaking rate (words per minute): the party's timed words per minute of
  its speech time from the ASR word timings
  (:func:`qa_pipeline.conversation.speech_timing`: word spans plus the
  silences under 1 s between words; pauses of 1 s or more are not speech),
  not the utterance spans (which include pauses and trailing silence).  N/A
  when the party has less than ``min_timed_speech_s`` (10 s) of timed speech,
  so always for a transcript without word timings and for a chat;
* first agent response: start of the first agent utterance;
* longest customer wait: the longest silence before an agent turn (the
  customer waits on the agent) — a scorecard's hold criterion compares it
  with its dead-air threshold (``na_when: no_wait_over_s``);
* chat transcripts (``Conversation.timed`` false): every time-based metric
  (:data:`TIME_METRICS`) is ``None`` (N/A);
* hold: an agent utterance labelled ``hold_request`` followed, within
  ``hold_search_s``, by a gap in the agent's speech of at least
  ``hold_min_s`` (announced hold), or any silence of at least
  ``unannounced_hold_min_s`` that is not an announced hold (unannounced);
* sentiment: each utterance's signed sentiment is ``+score`` (positive),
  ``-score`` (negative) or ``0`` (neutral); the call is cut into four equal
  quarters by time and each quarter's value is the mean over the party's
  utterances whose midpoint falls in it, weighted by each utterance's words
  (capped at 8), so one short turn ("bye", "nope") cannot decide it.  ``start`` is the first quarter (the
  first three turns of the party when it said nothing in the first quarter),
  ``end`` the last quarter (likewise the last three turns).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from qa_pipeline.classify.result import UtteranceLabels
from qa_pipeline.conversation import Conversation, Utterance

logger = logging.getLogger("qa_pipeline.metrics")


@dataclass(frozen=True)
class MetricsOptions:
    """Thresholds of the timing heuristics (seconds)."""

    interruption_min_overlap_s: float = 0.5
    backchannel_max_s: float = 1.5
    backchannel_max_words: int = 3
    hold_min_s: float = 15.0
    hold_search_s: float = 30.0
    unannounced_hold_min_s: float = 45.0
    min_timed_speech_s: float = 10.0  # less timed speech than this: words per minute are N/A


DEFAULT_OPTIONS = MetricsOptions()

# The version of what :func:`compute_metrics` gives for the same inputs with :data:`DEFAULT_OPTIONS`.  Stored
# metrics carry a digest of their inputs and of this version (``call_metrics.inputs_digest``), and a rescore
# reuses them only while it matches: **bump it with any change to what a metric means or how it is computed**
# (``tests/test_metrics.py::test_the_metrics_fingerprint_is_pinned_to_the_version`` fails until then).
METRICS_VERSION = 1


@dataclass(frozen=True)
class Interruption:
    """``by`` started speaking at ``at_s`` while ``of`` was still speaking."""

    by: str
    of: str
    at_s: float
    overlap_s: float
    interrupter_idx: int
    interrupted_idx: int
    interrupted_sentiment: str | None = None


@dataclass(frozen=True)
class Gap:
    """A stretch without speech between utterance ``before_idx`` and ``after_idx`` (``None`` at the call's ends)."""

    start_s: float
    end_s: float
    before_idx: int | None
    after_idx: int | None

    @property
    def duration_s(self) -> float:
        return max(0.0, self.end_s - self.start_s)


@dataclass(frozen=True)
class HoldSegment:
    """A detected hold: announced (after a ``hold_request``) or an unannounced long silence."""

    start_s: float
    end_s: float
    announced: bool
    request_idx: int | None
    before_idx: int | None
    after_idx: int | None

    @property
    def duration_s(self) -> float:
        return max(0.0, self.end_s - self.start_s)


# Numeric metrics a scorecard ``metric`` criterion or a flag rule may name.
METRICS: dict[str, str] = {
    "handle_time_s": "call duration in seconds",
    "agent_talk_s": "seconds the agent spoke",
    "customer_talk_s": "seconds the customer spoke",
    "agent_talk_ratio": "agent talk / (agent + customer talk), 0..1",
    "talk_listen_ratio": "agent talk / customer talk",
    "non_talk_s": "seconds nobody spoke",
    "non_talk_ratio": "non-talk time / handle time, 0..1",
    "longest_silence_s": "longest gap between two stretches of speech (holds included)",
    "longest_dead_air_s": "longest gap between two stretches of speech outside holds",
    "overtalk_s": "seconds both parties spoke at once",
    "overtalk_ratio": "overtalk / handle time, 0..1",
    "agent_interruptions": "times the agent started while the customer spoke",
    "customer_interruptions": "times the customer started while the agent spoke",
    "agent_interruptions_of_negative_customer": "agent interruptions of a customer utterance with negative sentiment",
    "agent_wpm": "agent speaking rate, words per minute of timed speech (word timings; N/A under 10 s)",
    "customer_wpm": "customer speaking rate, words per minute of timed speech (word timings; N/A under 10 s)",
    "first_agent_response_s": "seconds from the call start to the agent's first utterance",
    "hold_s": "seconds on hold (announced and unannounced)",
    "hold_count": "number of holds",
    "unannounced_hold_count": "holds without a hold request before them",
    "customer_sentiment_start": "customer signed sentiment, first quarter (-1..1)",
    "customer_sentiment_end": "customer signed sentiment, last quarter (-1..1)",
    "customer_sentiment_change": "customer sentiment end - start",
    "customer_negative_utterances": "customer utterances with negative sentiment",
    "agent_sentiment_start": "agent signed sentiment, first quarter (-1..1)",
    "agent_sentiment_end": "agent signed sentiment, last quarter (-1..1)",
    "agent_negative_utterances": "agent utterances with negative sentiment",
    "mean_asr_confidence": "duration-weighted mean ASR confidence of the utterances, 0..1",
    "utterance_count": "number of utterances",
    "longest_customer_wait_s": "longest silence before an agent turn (the customer waits on the agent)",
}

# Metrics that need real times: N/A (None) for a chat transcript without times.
TIME_METRICS: tuple[str, ...] = (
    "handle_time_s",
    "agent_talk_s",
    "customer_talk_s",
    "agent_talk_ratio",
    "talk_listen_ratio",
    "non_talk_s",
    "non_talk_ratio",
    "longest_silence_s",
    "longest_dead_air_s",
    "overtalk_s",
    "overtalk_ratio",
    "agent_wpm",
    "customer_wpm",
    "first_agent_response_s",
    "hold_s",
    "longest_customer_wait_s",
)


@dataclass(frozen=True)
class CallMetrics:
    """Conversation metrics of one call.  ``None`` marks a value that does not exist (e.g. no agent speech)."""

    call_id: str
    handle_time_s: float
    agent_talk_s: float
    customer_talk_s: float
    agent_talk_ratio: float | None
    talk_listen_ratio: float | None
    non_talk_s: float
    non_talk_ratio: float | None
    longest_silence_s: float
    longest_dead_air_s: float
    overtalk_s: float
    overtalk_ratio: float | None
    agent_interruptions: int
    customer_interruptions: int
    agent_interruptions_of_negative_customer: int
    agent_wpm: float | None
    customer_wpm: float | None
    first_agent_response_s: float | None
    hold_s: float
    hold_count: int
    unannounced_hold_count: int
    customer_sentiment_start: float | None
    customer_sentiment_end: float | None
    customer_sentiment_change: float | None
    customer_negative_utterances: int
    agent_sentiment_start: float | None
    agent_sentiment_end: float | None
    agent_negative_utterances: int
    mean_asr_confidence: float | None
    utterance_count: int
    agent_words: int = 0
    customer_words: int = 0
    longest_silence: Gap | None = None
    longest_dead_air: Gap | None = None
    interruptions: tuple[Interruption, ...] = ()
    holds: tuple[HoldSegment, ...] = ()
    customer_sentiment_quarters: tuple[float | None, ...] = (None, None, None, None)
    agent_sentiment_quarters: tuple[float | None, ...] = (None, None, None, None)
    customer_start_idx: tuple[int, ...] = field(default=())
    customer_end_idx: tuple[int, ...] = field(default=())
    longest_customer_wait_s: float | None = 0.0
    longest_customer_wait: Gap | None = None

    def value(self, name: str) -> float | None:
        """The numeric metric ``name`` (one of :data:`METRICS`)."""
        if name not in METRICS:
            raise KeyError(f"unknown metric {name!r}; known: {', '.join(METRICS)}")
        v = getattr(self, name)
        return None if v is None else float(v)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CallMetrics:
        """The metrics :meth:`to_dict` gave (the ``call_metrics.metrics`` JSON, parsed)."""
        values = dict(d)
        for key in ("longest_silence", "longest_dead_air", "longest_customer_wait"):
            gap = values[key]
            if gap is not None:
                values[key] = Gap(**gap)
        values["interruptions"] = tuple(Interruption(**i) for i in values["interruptions"])
        values["holds"] = tuple(HoldSegment(**h) for h in values["holds"])
        for key in (
            "customer_sentiment_quarters",
            "agent_sentiment_quarters",
            "customer_start_idx",
            "customer_end_idx",
        ):
            values[key] = tuple(values[key])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the ``call_metrics.metrics`` column)."""
        # what dataclasses.asdict gives, without its deep copies (the fields are plain values, and the nested
        # Gap / Interruption / HoldSegment hold plain values only): the same JSON, several times faster
        d = dict(self.__dict__)
        for key in ("longest_silence", "longest_dead_air", "longest_customer_wait"):
            gap = d[key]
            if gap is not None:
                d[key] = dict(gap.__dict__)
        d["interruptions"] = [dict(i.__dict__) for i in self.interruptions]
        d["holds"] = [dict(h.__dict__) for h in self.holds]
        d["customer_sentiment_quarters"] = list(self.customer_sentiment_quarters)
        d["agent_sentiment_quarters"] = list(self.agent_sentiment_quarters)
        d["customer_start_idx"] = list(self.customer_start_idx)
        d["customer_end_idx"] = list(self.customer_end_idx)
        return d


def signed_sentiment(lab: UtteranceLabels) -> float:
    """``+score`` for positive, ``-score`` for negative, ``0`` for neutral."""
    if lab.sentiment == "positive":
        return float(lab.sentiment_score)
    if lab.sentiment == "negative":
        return -float(lab.sentiment_score)
    return 0.0


def labels_by_idx(labels: Sequence[UtteranceLabels] | Mapping[int, UtteranceLabels]) -> dict[int, UtteranceLabels]:
    if isinstance(labels, Mapping):
        return dict(labels)
    return {lab.idx: lab for lab in labels}


def _union(spans: list[tuple[float, float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1][1] = e
        else:
            out.append([s, e])
    return out


def _total(u: list[list[float]]) -> float:
    return sum(e - s for s, e in u)


def _intersection(a: list[list[float]], b: list[list[float]]) -> float:
    i = j = 0
    total = 0.0
    while i < len(a) and j < len(b):
        lo = max(a[i][0], b[j][0])
        hi = min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(x, nd)


SENTIMENT_WEIGHT_MAX_WORDS = 8


def _weight(n_words: int) -> float:
    """An utterance's weight in a sentiment mean: its words, capped, so one short turn ("bye") cannot decide."""
    return float(min(max(n_words, 1), SENTIMENT_WEIGHT_MAX_WORDS))


def _wmean(values: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in values)
    return sum(v * w for v, w in values) / total if total > 0 else None


def _sentiment_track(
    utts: Sequence[Utterance], labs: dict[int, UtteranceLabels], quarter: float, n_words: Mapping[int, int]
) -> tuple[tuple[float | None, ...], float | None, float | None, int, tuple[int, ...], tuple[int, ...]]:
    """``n_words``: each utterance's word count by ``id()`` (each text is split once per call)."""
    buckets: list[list[tuple[float, float]]] = [[], [], [], []]
    bucket_idx: list[list[int]] = [[], [], [], []]
    seq: list[tuple[int, float, float]] = []
    negatives = 0
    get = labs.get
    for u in utts:
        lab = get(u.idx)
        if lab is None:
            continue
        v = signed_sentiment(lab)
        if lab.sentiment == "negative":
            negatives += 1
        w = _weight(n_words[id(u)])
        seq.append((u.idx, v, w))
        q = int(((u.start_s + u.end_s) / 2) / quarter) if quarter > 0 else 0
        q = 3 if q > 3 else (q if q > 0 else 0)
        buckets[q].append((v, w))
        bucket_idx[q].append(u.idx)
    quarters = tuple(_r(_wmean(b)) for b in buckets)
    if not seq:
        return quarters, None, None, negatives, (), ()
    if buckets[0]:
        start, start_idx = _wmean(buckets[0]), tuple(bucket_idx[0])
    else:
        head = seq[:3]
        start, start_idx = _wmean([(v, w) for _, v, w in head]), tuple(i for i, _, _ in head)
    if buckets[3]:
        end, end_idx = _wmean(buckets[3]), tuple(bucket_idx[3])
    else:
        tail = seq[-3:]
        end, end_idx = _wmean([(v, w) for _, v, w in tail]), tuple(i for i, _, _ in tail)
    return quarters, _r(start), _r(end), negatives, start_idx, end_idx


def _interruptions(
    utts: Sequence[Utterance], labs: dict[int, UtteranceLabels], opts: MetricsOptions
) -> list[Interruption]:
    """Sweep by start time; compare each turn with the other party's latest-ending turn so far."""
    ordered = sorted((u for u in utts if u.speaker in ("agent", "customer")), key=lambda u: (u.start_s, u.idx))
    current: dict[str, Utterance] = {}
    found: list[Interruption] = []
    for b in ordered:
        other = "customer" if b.speaker == "agent" else "agent"
        a = current.get(other)
        if a is not None and a.start_s < b.start_s:
            overlap = min(a.end_s, b.end_s) - b.start_s
            if overlap >= opts.interruption_min_overlap_s:
                contained = b.end_s <= a.end_s
                short = b.duration_s <= opts.backchannel_max_s or len(b.text.split()) <= opts.backchannel_max_words
                if not (contained and short):
                    lab = labs.get(a.idx)
                    found.append(
                        Interruption(
                            by=b.speaker,
                            of=a.speaker,
                            at_s=round(b.start_s, 3),
                            overlap_s=round(overlap, 3),
                            interrupter_idx=b.idx,
                            interrupted_idx=a.idx,
                            interrupted_sentiment=lab.sentiment if lab is not None else None,
                        )
                    )
        prev = current.get(b.speaker)
        if prev is None or b.end_s >= prev.end_s:
            current[b.speaker] = b
    return found


_RawGap = tuple  # (start_s, end_s, before_idx, after_idx), unrounded


def _gaps(utts: Sequence[Utterance]) -> list[_RawGap]:
    """Silences between stretches of speech (any party), with the utterances around them."""
    ordered = sorted(utts, key=lambda u: (u.start_s, u.idx))
    gaps: list[_RawGap] = []
    last_end = None
    last_idx = None
    for u in ordered:
        if last_end is None:
            last_end, last_idx = u.end_s, u.idx
            continue
        if u.start_s > last_end:
            gaps.append((last_end, u.start_s, last_idx, u.idx))
        if u.end_s >= last_end:
            last_end, last_idx = u.end_s, u.idx
    return gaps


def _gap(g: _RawGap | None) -> Gap | None:
    return None if g is None else Gap(round(g[0], 3), round(g[1], 3), g[2], g[3])


def _holds(
    utts: Sequence[Utterance],
    labs: dict[int, UtteranceLabels],
    gaps: list[_RawGap],
    handle: float,
    opts: MetricsOptions,
) -> list[HoldSegment]:
    requests = [
        u
        for u in utts
        if u.speaker == "agent" and (lab := labs.get(u.idx)) is not None and "hold_request" in lab.detected
    ]
    holds: list[HoldSegment] = []
    if requests:
        agent = sorted((u for u in utts if u.speaker == "agent"), key=lambda u: (u.start_s, u.idx))
        position = {u.idx: k for k, u in enumerate(agent)}
        used_until = -1.0
        for r in requests:
            if r.end_s <= used_until:
                continue
            # first long gap in the agent's speech that starts within hold_search_s of the request
            k = position[r.idx]
            for j in range(k, len(agent)):
                cur = agent[j]
                if j > k and cur.end_s > r.end_s + opts.hold_search_s:
                    break
                nxt = agent[j + 1] if j + 1 < len(agent) else None
                gap_end = nxt.start_s if nxt is not None else handle
                if gap_end - cur.end_s >= opts.hold_min_s:
                    holds.append(
                        HoldSegment(
                            round(cur.end_s, 3),
                            round(gap_end, 3),
                            True,
                            r.idx,
                            cur.idx,
                            nxt.idx if nxt is not None else None,
                        )
                    )
                    used_until = gap_end
                    break
    for start, end, before, after in gaps:
        if end - start < opts.unannounced_hold_min_s:
            continue
        if any(h.start_s < end and start < h.end_s for h in holds):
            continue
        holds.append(HoldSegment(round(start, 3), round(end, 3), False, None, before, after))
    holds.sort(key=lambda h: h.start_s)
    return holds


def _talk_spans(
    utts: Sequence[Utterance], n_words: Mapping[int, int]
) -> tuple[dict[str, list[tuple[float, float]]], list[tuple[float, float]], dict[str, int], float, float]:
    """Each party's speech spans, every span, each party's words, and the duration-weighted ASR confidence sums
    (``n_words``: each utterance's word count by ``id()``)."""
    spans: dict[str, list[tuple[float, float]]] = {"agent": [], "customer": []}
    words = {"agent": 0, "customer": 0}
    all_spans: list[tuple[float, float]] = []
    conf_num = conf_den = 0.0
    for u in utts:
        all_spans.append((u.start_s, u.end_s))
        if u.speaker in spans:
            spans[u.speaker].append((u.start_s, u.end_s))
            words[u.speaker] += n_words[id(u)]
        d = u.duration_s
        conf_num += u.asr_confidence * d
        conf_den += d
    return spans, all_spans, words, conf_num, conf_den


def _wpm(utts: Sequence[Utterance], options: MetricsOptions) -> float | None:
    """Words per minute of speech time from the word timings (N/A under ``min_timed_speech_s``)."""
    timed = [u.speech_timing() for u in utts]
    speech = sum(s for _, s in timed)
    if speech < options.min_timed_speech_s:
        return None
    return _r(sum(n for n, _ in timed) * 60.0 / speech, 2)


def _longest_gaps(gaps: Sequence[_RawGap], holds: Sequence[HoldSegment]) -> tuple[_RawGap | None, _RawGap | None]:
    """The longest silence, and the longest one that is not inside a hold (dead air)."""
    longest = longest_dead = None
    for g in gaps:
        d = g[1] - g[0]
        if longest is None or d > longest[1] - longest[0]:
            longest = g
        if (longest_dead is None or d > longest_dead[1] - longest_dead[0]) and not any(
            h.start_s <= g[0] + 1e-6 and g[1] <= h.end_s + 1e-6 for h in holds
        ):
            longest_dead = g
    return longest, longest_dead


def _customer_wait(utts: Sequence[Utterance]) -> _RawGap | None:
    """The longest silence before an agent turn (the customer is waiting on the agent)."""
    ordered = sorted((u for u in utts if u.speaker in ("agent", "customer")), key=lambda u: (u.start_s, u.idx))
    best: _RawGap | None = None
    last: Utterance | None = None
    last_end = 0.0
    for u in ordered:
        if (
            last is not None
            and u.speaker == "agent"
            and u.start_s > last_end
            and (best is None or u.start_s - last_end > best[1] - best[0])
        ):
            best = (last_end, u.start_s, last.idx, u.idx)
        if last is None or u.end_s >= last_end:
            last_end = max(last_end, u.end_s)
        last = u
    return best


def compute_metrics(
    conv: Conversation,
    labels: Sequence[UtteranceLabels] | Mapping[int, UtteranceLabels] = (),
    options: MetricsOptions = DEFAULT_OPTIONS,
) -> CallMetrics:
    """All conversation metrics of one call (pure; no I/O)."""
    labs = labels_by_idx(labels)
    utts = conv.utterances
    last_end = max((u.end_s for u in utts), default=0.0)
    handle = max(float(conv.duration_s or 0.0), last_end)

    n_words = {id(u): len(u.text.split()) for u in utts}  # split each text once
    spans, all_spans, words, conf_num, conf_den = _talk_spans(utts, n_words)
    agent_u = _union(spans["agent"])
    cust_u = _union(spans["customer"])
    speech_u = _union(all_spans)
    agent_talk = _total(agent_u)
    cust_talk = _total(cust_u)
    speech = _total(speech_u)
    non_talk = max(0.0, handle - speech)
    overtalk = _intersection(agent_u, cust_u)

    interruptions = _interruptions(utts, labs, options)
    gaps = _gaps(utts)
    holds = _holds(utts, labs, gaps, handle, options)
    longest, longest_dead = _longest_gaps(gaps, holds)

    agents = [u for u in utts if u.speaker == "agent"]
    customers = [u for u in utts if u.speaker == "customer"]
    wait = _customer_wait(utts)
    quarter = handle / 4 if handle > 0 else 0.0
    c_q, c_start, c_end, c_neg, c_start_idx, c_end_idx = _sentiment_track(customers, labs, quarter, n_words)
    a_q, a_start, a_end, a_neg, _, _ = _sentiment_track(agents, labs, quarter, n_words)

    metrics = CallMetrics(
        call_id=conv.call_id,
        handle_time_s=round(handle, 3),
        agent_talk_s=round(agent_talk, 3),
        customer_talk_s=round(cust_talk, 3),
        agent_talk_ratio=_r(_ratio(agent_talk, agent_talk + cust_talk)),
        talk_listen_ratio=_r(_ratio(agent_talk, cust_talk)),
        non_talk_s=round(non_talk, 3),
        non_talk_ratio=_r(_ratio(non_talk, handle)),
        longest_silence_s=round(longest[1] - longest[0], 3) if longest else 0.0,
        longest_dead_air_s=round(longest_dead[1] - longest_dead[0], 3) if longest_dead else 0.0,
        overtalk_s=round(overtalk, 3),
        overtalk_ratio=_r(_ratio(overtalk, handle)),
        agent_interruptions=sum(1 for i in interruptions if i.by == "agent"),
        customer_interruptions=sum(1 for i in interruptions if i.by == "customer"),
        agent_interruptions_of_negative_customer=sum(
            1 for i in interruptions if i.by == "agent" and i.interrupted_sentiment == "negative"
        ),
        agent_wpm=_wpm(agents, options),
        customer_wpm=_wpm(customers, options),
        first_agent_response_s=round(min(u.start_s for u in agents), 3) if agents else None,
        hold_s=round(sum((h.duration_s for h in holds), 0.0), 3),
        hold_count=len(holds),
        unannounced_hold_count=sum(1 for h in holds if not h.announced),
        customer_sentiment_start=c_start,
        customer_sentiment_end=c_end,
        customer_sentiment_change=_r(c_end - c_start) if c_start is not None and c_end is not None else None,
        customer_negative_utterances=c_neg,
        agent_sentiment_start=a_start,
        agent_sentiment_end=a_end,
        agent_negative_utterances=a_neg,
        mean_asr_confidence=_r(_ratio(conf_num, conf_den)),
        utterance_count=len(utts),
        agent_words=words["agent"],
        customer_words=words["customer"],
        longest_silence=_gap(longest),
        longest_dead_air=_gap(longest_dead),
        interruptions=tuple(interruptions),
        holds=tuple(holds),
        customer_sentiment_quarters=c_q,
        agent_sentiment_quarters=a_q,
        customer_start_idx=c_start_idx,
        customer_end_idx=c_end_idx,
        longest_customer_wait_s=round(wait[1] - wait[0], 3) if wait else 0.0,
        longest_customer_wait=_gap(wait),
    )
    return metrics if conv.timed else _without_times(metrics)


def _without_times(metrics: CallMetrics) -> CallMetrics:
    """A chat's metrics: turn positions are not times, so every time-based metric is N/A."""
    not_applicable: dict[str, Any] = dict.fromkeys(TIME_METRICS)
    return replace(
        metrics,
        **not_applicable,
        longest_silence=None,
        longest_dead_air=None,
        longest_customer_wait=None,
        interruptions=(),
        holds=(),
        hold_count=0,
        unannounced_hold_count=0,
        agent_interruptions=0,
        customer_interruptions=0,
        agent_interruptions_of_negative_customer=0,
    )
