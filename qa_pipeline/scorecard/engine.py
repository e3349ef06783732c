"""Pure scoring: a conversation, its labels and metrics against one scorecard.

No I/O.  Every criterion result carries its verdict, points and evidence: the
utterances (index, speaker, start/end, text, the label scores that decided
it) and, for "not found" verdicts, the window that was searched together
with the best-scoring near misses.

Scoring rule (the same in :func:`apply_overrides` and the review workspace):

* ``pass`` earns the criterion's points, ``fail`` none, ``na`` is left out
  (neither points nor maximum);
* a section's score is ``100 * points / max_points`` over its applicable
  criteria (``None`` when none applies);
* the call score is the mean of the section ratios weighted by section
  weight, over sections with something applicable, rounded to 4 decimals;
  100 when nothing at all applied;
* a failed ``auto_fail`` criterion sets the call score to 0 and records why;
* ``passed`` = not auto-failed and score >= the scorecard's pass_threshold.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from qa_pipeline.classify.result import UtteranceLabels
from qa_pipeline.conversation import Conversation, Utterance
from qa_pipeline.metrics import CallMetrics, compute_metrics, labels_by_idx
from qa_pipeline.records import CallScore, CriterionResult, SectionScore
from qa_pipeline.scorecard.examples import CallWindows
from qa_pipeline.scorecard.loader import Scorecard
from qa_pipeline.scorecard.schema import (
    LabelAbsent,
    LabelPresent,
    MetricCriterion,
    NaCondition,
    SentimentCriterion,
)

logger = logging.getLogger("qa_pipeline.scorecard.engine")

Verdict = Literal["pass", "fail", "na"]
VERDICTS: tuple[str, ...] = ("pass", "fail", "na")
MAX_EVIDENCE_UTTERANCES = 5
NEAR_MISSES = 2


# --------------------------------------------------------------------------- helpers


def ts(seconds: float) -> str:
    """``mm:ss`` of a time in the call (whole seconds, as a player shows it)."""
    s = int(max(0.0, seconds))
    return f"{s // 60:02d}:{s % 60:02d}"


def _quote(text: str, n: int = 70) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= n else f"“{text[: n - 1]}…”"


def _party(speaker: str) -> str:
    return "anyone" if speaker == "any" else f"the {speaker}"


class _CallView:
    """Per-call lookups shared by every criterion of every scorecard."""

    __slots__ = (
        "_by_label",
        "_by_speaker",
        "_cache",
        "_ex_scores",
        "_norm",
        "_texts",
        "_windows",
        "conv",
        "duration",
        "labs",
        "metrics",
        "utts",
    )

    def __init__(self, conv: Conversation, labs: dict[int, UtteranceLabels], metrics: CallMetrics) -> None:
        self.conv = conv
        self.utts = conv.utterances
        self.labs = labs
        self.metrics = metrics
        # a chat has no handle time: windows then use the nominal turn timeline (transcript_file.CHAT_TURN_S)
        self.duration = metrics.handle_time_s if metrics.handle_time_s is not None else conv.duration_s
        self._cache: dict[tuple, list[Utterance]] = {}
        by_label: dict[str, list[Utterance]] = {}
        by_speaker: dict[str, list[Utterance]] = {"any": list(self.utts)}
        for u in self.utts:
            by_speaker.setdefault(u.speaker, []).append(u)
            lab = labs.get(u.idx)
            if lab is not None:
                for name in lab.detected:
                    by_label.setdefault(name, []).append(u)
        self._by_label = by_label
        self._by_speaker = by_speaker
        self._norm: list[str] | None = None
        self._texts: dict[str, tuple[list[str], list[str]]] = {}
        self._windows: CallWindows | None = None
        self._ex_scores: dict[tuple[str, str], list[tuple[float, str]]] = {}

    def example_scores(self, card: Scorecard, name: str) -> list[tuple[float, str]] | None:
        """Per utterance position: (similarity, best window) for an example topic; None for anything else.

        The call's windows are embedded on the first request and shared by every example topic and card."""
        topic = card.topics.get(name)
        if topic is None or topic.example is None:
            return None
        key = (card.id + "@" + card.version, name)
        hit = self._ex_scores.get(key)
        if hit is None:
            if self._windows is None:
                self._windows = CallWindows([u.text for u in self.utts])
            hit = self._ex_scores[key] = self._windows.scores(topic.example)
        return hit

    def similarity(self, card: Scorecard, name: str, u: Utterance) -> tuple[float, str] | None:
        scores = self.example_scores(card, name)
        if scores is None:
            return None
        pos = u.idx if 0 <= u.idx < len(self.utts) and self.utts[u.idx] is u else self.utts.index(u)
        return scores[pos]

    def party(self, speaker: str) -> list[Utterance]:
        return self._by_speaker.get(speaker, [])

    def _party_texts(self, speaker: str) -> tuple[list[str], list[str]]:
        """The party's utterances' normalised and original texts (for :meth:`TopicMatcher.match_many`)."""
        if not self._texts:  # every party's at once, in one pass
            norms = self._normalised()
            texts = self._texts
            texts["any"] = (norms, [u.text for u in self.utts])
            for u, norm in zip(self.utts, norms):
                party = texts.get(u.speaker)
                if party is None:
                    party = texts[u.speaker] = ([], [])
                party[0].append(norm)
                party[1].append(u.text)
        return self._texts.get(speaker) or ([], [])

    def _normalised(self) -> list[str]:
        """Every utterance's text lower-cased with single spaces, in call order (made once)."""
        if self._norm is None:
            self._norm = [" ".join(x.text.split()).lower() for x in self.utts]
        return self._norm

    def normalised_text(self, u: Utterance) -> str:
        norms = self._normalised()
        if 0 <= u.idx < len(norms) and self.utts[u.idx] is u:
            return norms[u.idx]
        return " ".join(u.text.split()).lower()

    def matches(self, card: Scorecard, name: str, speaker: str, min_score: float | None = None) -> list[Utterance]:
        """Utterances (in call order) where the label is detected or the topic's keywords occur."""
        topic = card.topics.get(name)
        key = (card.id if topic is not None else "", name, speaker, min_score)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if topic is not None and topic.example is not None:
            threshold = min_score if min_score is not None else topic.example.threshold
            found = [
                u
                for u in self.party(speaker)
                if topic.matches(self.normalised_text(u), u.text)
                or ((sim := self.similarity(card, name, u)) is not None and sim[0] >= threshold)
            ]
        elif topic is not None:
            party = self.party(speaker)
            norm, texts = self._party_texts(speaker)
            hits = topic.match_many(norm, texts)
            found = [u for u, hit in zip(party, hits) if hit]
        elif min_score is None:
            found = [u for u in self._by_label.get(name, ()) if speaker == "any" or u.speaker == speaker]
        else:
            labs = self.labs
            found = [
                u
                for u in self.party(speaker)
                if (lab := labs.get(u.idx)) is not None and lab.labels.get(name, 0.0) >= min_score
            ]
        self._cache[key] = found
        return found

    def score_of(self, idx: int, name: str) -> float | None:
        lab = self.labs.get(idx)
        return None if lab is None else float(lab.labels.get(name, 0.0))

    def utt(self, idx: int | None) -> Utterance | None:
        if idx is None:
            return None
        if 0 <= idx < len(self.utts) and self.utts[idx].idx == idx:
            return self.utts[idx]
        return next((x for x in self.utts if x.idx == idx), None)

    def ev(self, u: Utterance, role: str, names: Sequence[str] = ()) -> dict[str, Any]:
        lab = self.labs.get(u.idx)
        d: dict[str, Any] = {
            "idx": u.idx,
            "speaker": u.speaker,
            "start_s": u.start_s,
            "end_s": u.end_s,
            "text": u.text,
            "role": role,
        }
        if lab is not None:
            labels = lab.labels
            scores: dict[str, float] = {}
            for n in names:
                v = labels.get(n)
                if v is not None:
                    scores[n] = round(float(v), 4)
            d["scores"] = scores
            d["sentiment"] = lab.sentiment
            d["sentiment_score"] = round(float(lab.sentiment_score), 4)
        return d


def _in_window(
    utts: Sequence[Utterance], crit: LabelPresent | LabelAbsent, duration: float, end_s: float | None = None
) -> list[Utterance]:
    """The utterances of ``utts`` inside the criterion's window (``within_first_s`` / ``within_last_s``), and
    starting by ``end_s`` when given; one pass, no call per utterance (scoring's hot path)."""
    first = crit.within_first_s
    last_from = duration - crit.within_last_s if crit.within_last_s is not None else None
    return [
        u
        for u in utts
        if (first is None or not u.start_s >= first)
        and (last_from is None or not u.end_s <= last_from)
        and (end_s is None or u.start_s <= end_s)
    ]


def _window(
    view: _CallView, crit: LabelPresent | LabelAbsent, end_s: float | None = None
) -> tuple[dict[str, Any], list[Utterance]]:
    """The searched window as evidence, and the utterances of the party inside it."""
    start = 0.0
    end = view.duration
    if crit.within_first_s is not None:
        end = min(end, crit.within_first_s)
    if crit.within_last_s is not None:
        start = max(0.0, view.duration - crit.within_last_s)
    if end_s is not None:
        end = min(end, end_s)
    if crit.within_first_s is None and crit.within_last_s is None and end_s is None:
        searched = view.party(crit.speaker)
    else:
        searched = _in_window(view.party(crit.speaker), crit, view.duration, end_s)
    win: dict[str, Any] = {
        "start_s": round(start, 3),
        "end_s": round(end, 3),
        "speaker": crit.speaker,
        "label": crit.label,
        "utterances_searched": len(searched),
        "first_idx": searched[0].idx if searched else None,
        "last_idx": searched[-1].idx if searched else None,
    }
    return win, searched


def _window_text(crit: LabelPresent | LabelAbsent, win: dict[str, Any]) -> str:
    where = ""
    if crit.within_first_s is not None:
        where = f" in the first {crit.within_first_s:g} s"
    elif crit.within_last_s is not None:
        where = f" in the last {crit.within_last_s:g} s"
    n = win["utterances_searched"]
    span = f"utterances {win['first_idx']}–{win['last_idx']}" if n else "no utterances"
    return f"{where} ({n} searched: {span})"


def _near_misses(
    view: _CallView, card: Scorecard, name: str, searched: list[Utterance], exclude: set[int]
) -> list[dict[str, Any]]:
    topic = card.topics.get(name)
    if topic is not None and topic.example is not None:
        sims = [(sim[0], u) for u in searched if u.idx not in exclude and (sim := view.similarity(card, name, u))]
        sims.sort(key=lambda t: (-t[0], t[1].idx))
        return [view.ev(u, "near_miss", (name,)) for s, u in sims[:NEAR_MISSES] if s > 0]
    if topic is not None:
        return []
    scored = []
    for u in searched:
        if u.idx in exclude:
            continue
        s = view.score_of(u.idx, name)
        if s is not None and s > 0:
            scored.append((s, u))
    scored.sort(key=lambda t: (-t[0], t[1].idx))
    return [view.ev(u, "near_miss", (name,)) for _, u in scored[:NEAR_MISSES]]


# --------------------------------------------------------------------------- N/A conditions


def _na(view: _CallView, card: Scorecard, conds: Sequence[NaCondition]) -> tuple[str, dict[str, Any]] | None:
    for c in conds:
        hit = _na_one(view, card, c)
        if hit is None:
            continue
        if c.unless_present is not None:
            found = view.matches(card, c.unless_present, c.unless_speaker)
            if found:
                continue  # the behaviour occurred anyway: judge it
        return hit
    return None


def _na_one(view: _CallView, card: Scorecard, c: NaCondition) -> tuple[str, dict[str, Any]] | None:
    m = view.metrics
    if c.no_hold:
        if m.hold_count == 0:
            return "N/A: no hold in this call", {"values": {"hold_count": 0}, "na": {"no_hold": True}}
    elif c.no_negative_customer:
        if m.customer_negative_utterances == 0:
            return (
                "N/A: the customer never sounded negative",
                {"values": {"customer_negative_utterances": 0}, "na": {"no_negative_customer": True}},
            )
    elif c.no_wait_over_s is not None:
        wait = m.longest_customer_wait_s
        if wait is None:
            return "N/A: no turn times (a chat)", {
                "values": {"longest_customer_wait_s": None},
                "na": {"no_wait_over_s": c.no_wait_over_s},
            }
        if wait < c.no_wait_over_s:
            return (
                f"N/A: the customer never waited {c.no_wait_over_s:g} s on the agent (longest {wait:g} s)",
                {"values": {"longest_customer_wait_s": wait}, "na": {"no_wait_over_s": c.no_wait_over_s}},
            )
    elif c.queues is not None:
        queue = view.conv.queue
        if queue is not None and queue in c.queues:
            return f"N/A: not applicable to queue {queue} (by configuration)", {
                "na": {"queues": list(c.queues), "queue": queue}
            }
    elif c.absent is not None:
        if not view.matches(card, c.absent, c.speaker):
            who = "" if c.speaker == "any" else f" by {_party(c.speaker)}"
            return f"N/A: no {c.absent}{who} in this call", {"na": {"absent": c.absent, "speaker": c.speaker}}
    elif c.present is not None:
        found = view.matches(card, c.present, c.speaker)
        if found:
            u = found[0]
            return (
                f"N/A: {c.present} at {ts(u.start_s)} (utterance {u.idx})",
                {
                    "utterances": [view.ev(u, "na_condition", (c.present,))],
                    "na": {"present": c.present, "speaker": c.speaker},
                },
            )
    elif c.metric is not None:
        v = m.value(c.metric)
        if v is None:
            return None
        if c.below is not None and v < c.below:
            return f"N/A: {c.metric} {v:g} < {c.below:g}", {
                "values": {c.metric: v},
                "na": {"metric": c.metric, "below": c.below},
            }
        if c.above is not None and v > c.above:
            return f"N/A: {c.metric} {v:g} > {c.above:g}", {
                "values": {c.metric: v},
                "na": {"metric": c.metric, "above": c.above},
            }
    return None


# --------------------------------------------------------------------------- criterion kinds


def _label_present(view: _CallView, card: Scorecard, crit: LabelPresent) -> tuple[str, str, dict[str, Any]]:
    names = (crit.label,) if crit.before is None else (crit.label, crit.before)
    found = _in_window(view.matches(card, crit.label, crit.speaker, crit.min_score), crit, view.duration)
    marker: Utterance | None = None
    if crit.before is not None:
        markers = view.matches(card, crit.before, crit.before_speaker)
        marker = markers[0] if markers else None
    ok = found if marker is None else [u for u in found if u.idx <= marker.idx]
    win, searched = _window(view, crit, marker.start_s if marker is not None else None)
    if crit.before is not None:
        win["before"] = crit.before
        win["before_idx"] = marker.idx if marker is not None else None
    ev_utts = []
    marker_ev = [view.ev(marker, "marker", names)] if marker is not None else []
    who = "" if crit.speaker == "any" else f" by {_party(crit.speaker)}"
    if len(ok) >= crit.min_count:
        ev_utts = [view.ev(u, "match", names) for u in ok[:MAX_EVIDENCE_UTTERANCES]] + marker_ev
        first = ok[0]
        reason = f"{crit.label}{who} at {ts(first.start_s)} (utterance {first.idx})"
        if crit.min_count > 1:
            reason += f", {len(ok)} times (needs {crit.min_count})"
        if crit.before is not None:
            reason += (
                f", before {crit.before} at {ts(marker.start_s)} (utterance {marker.idx})"
                if marker is not None
                else f"; {crit.before} never came up"
            )
        return "pass", reason, {"utterances": ev_utts, "window": win}
    if ok:  # found, but not often enough
        ev_utts = [view.ev(u, "match", names) for u in ok[:MAX_EVIDENCE_UTTERANCES]] + marker_ev
        reason = f"{crit.label}{who} found {len(ok)} time(s){_window_text(crit, win)}; needs {crit.min_count}"
        return "fail", reason, {"utterances": ev_utts, "window": win}
    if found and marker is not None:  # found only after the marker
        late = found[0]
        ev_utts = [view.ev(late, "late_match", names)] + marker_ev
        reason = (
            f"{crit.label}{who} first at {ts(late.start_s)} (utterance {late.idx}), after {crit.before} "
            f"at {ts(marker.start_s)} (utterance {marker.idx})"
        )
        return "fail", reason, {"utterances": ev_utts, "window": win}
    ev_utts = _near_misses(view, card, crit.label, searched, set()) + marker_ev
    reason = f"no {crit.label}{who}{_window_text(crit, win)}"
    if marker is not None:
        reason += f" before {crit.before} at {ts(marker.start_s)} (utterance {marker.idx})"
    return "fail", reason, {"utterances": ev_utts, "window": win}


def _label_absent(view: _CallView, card: Scorecard, crit: LabelAbsent) -> tuple[str, str, dict[str, Any]]:
    found = _in_window(view.matches(card, crit.label, crit.speaker, crit.min_score), crit, view.duration)
    win, searched = _window(view, crit)
    who = "" if crit.speaker == "any" else f" by {_party(crit.speaker)}"
    if found:
        u = found[0]
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        reason = f"{crit.label}{who} at {ts(u.start_s)} (utterance {u.idx}): {_quote(u.text)}{more}"
        return (
            "fail",
            reason,
            {
                "utterances": [view.ev(x, "violation", (crit.label,)) for x in found[:MAX_EVIDENCE_UTTERANCES]],
                "window": win,
                "values": {"count": len(found)},
            },
        )
    reason = f"no {crit.label}{who}{_window_text(crit, win)}"
    return (
        "pass",
        reason,
        {"utterances": _near_misses(view, card, crit.label, searched, set()), "window": win, "values": {"count": 0}},
    )


def _metric_utterances(view: _CallView, metric: str) -> list[dict[str, Any]]:
    m = view.metrics
    out: list[dict[str, Any]] = []

    def add(idx: int | None, role: str) -> None:
        u = view.utt(idx)
        if u is not None and len(out) < 2 * MAX_EVIDENCE_UTTERANCES:
            out.append(view.ev(u, role))

    if metric in ("agent_interruptions", "customer_interruptions", "agent_interruptions_of_negative_customer"):
        by = "customer" if metric == "customer_interruptions" else "agent"
        for i in m.interruptions:
            if i.by != by or (
                metric == "agent_interruptions_of_negative_customer" and i.interrupted_sentiment != "negative"
            ):
                continue
            add(i.interrupted_idx, "interrupted")
            add(i.interrupter_idx, "interrupter")
    elif metric == "longest_silence_s" and m.longest_silence is not None:
        add(m.longest_silence.before_idx, "before_silence")
        add(m.longest_silence.after_idx, "after_silence")
    elif metric == "longest_dead_air_s" and m.longest_dead_air is not None:
        add(m.longest_dead_air.before_idx, "before_silence")
        add(m.longest_dead_air.after_idx, "after_silence")
    elif metric in ("hold_s", "hold_count", "unannounced_hold_count"):
        for h in m.holds:
            if metric == "unannounced_hold_count" and h.announced:
                continue
            if h.request_idx is not None and h.request_idx != h.before_idx:
                add(h.request_idx, "hold_request")
            add(h.before_idx, "before_hold")
            add(h.after_idx, "after_hold")
    elif metric == "first_agent_response_s":
        first = next((u for u in view.utts if u.speaker == "agent"), None)
        if first is not None:
            add(first.idx, "first_agent")
    return out


def _metric_values(m: CallMetrics, metric: str) -> dict[str, Any]:
    vals: dict[str, Any] = {metric: m.value(metric)}
    if metric in ("agent_talk_ratio", "talk_listen_ratio"):
        vals.update(agent_talk_s=m.agent_talk_s, customer_talk_s=m.customer_talk_s)
    elif metric in ("agent_wpm", "customer_wpm"):
        party = metric.split("_")[0]
        vals.update({f"{party}_words": getattr(m, f"{party}_words"), f"{party}_talk_s": getattr(m, f"{party}_talk_s")})
    elif metric in ("hold_s", "hold_count", "unannounced_hold_count"):
        vals["holds"] = [{"start_s": h.start_s, "end_s": h.end_s, "announced": h.announced} for h in m.holds]
    elif metric in ("non_talk_s", "non_talk_ratio", "overtalk_s", "overtalk_ratio"):
        vals["handle_time_s"] = m.handle_time_s
    elif metric in ("longest_silence_s", "longest_dead_air_s"):
        gap = m.longest_silence if metric == "longest_silence_s" else m.longest_dead_air
        if gap is not None:
            vals["gap"] = {"start_s": gap.start_s, "end_s": gap.end_s}
    return vals


def _metric(view: _CallView, card: Scorecard, crit: MetricCriterion) -> tuple[str, str, dict[str, Any]]:
    m = view.metrics
    value = m.value(crit.metric)
    values = _metric_values(m, crit.metric)
    values.update(min=crit.min, max=crit.max)
    ev = {"utterances": _metric_utterances(view, crit.metric), "values": values}
    bounds = (
        f"{crit.min:g}–{crit.max:g}"
        if crit.min is not None and crit.max is not None
        else (f"≥ {crit.min:g}" if crit.min is not None else f"≤ {crit.max:g}")
    )
    if value is None:
        reason = f"{crit.metric} is not available for this call (required {bounds})"
        return ("na" if crit.when_missing == "na" else "fail"), reason, ev
    inside = (crit.min is None or value >= crit.min) and (crit.max is None or value <= crit.max)
    reason = f"{crit.metric} = {value:g} ({'within' if inside else 'outside'} {bounds})"
    return ("pass" if inside else "fail"), reason, ev


def _sentiment(view: _CallView, card: Scorecard, crit: SentimentCriterion) -> tuple[str, str, dict[str, Any]]:
    m = view.metrics
    party = crit.party
    start = getattr(m, f"{party}_sentiment_start")
    end = getattr(m, f"{party}_sentiment_end")
    quarters = getattr(m, f"{party}_sentiment_quarters")
    thr = crit.negative_threshold
    values: dict[str, Any] = {"start": start, "end": end, "quarters": list(quarters), "negative_threshold": thr}
    party_utts = [u for u in view.party(party) if u.idx in view.labs]
    if party == "customer":
        start_idx, end_idx = set(m.customer_start_idx), set(m.customer_end_idx)
    else:
        start_idx = {u.idx for u in party_utts[:3]}
        end_idx = {u.idx for u in party_utts[-3:]}
    start_ev = [view.ev(u, "start", ()) for u in party_utts if u.idx in start_idx][:MAX_EVIDENCE_UTTERANCES]
    end_ev = [view.ev(u, "end", ()) for u in party_utts if u.idx in end_idx][:MAX_EVIDENCE_UTTERANCES]
    if end is None or start is None:
        return "na", f"N/A: no {party} utterances with sentiment", {"utterances": [], "values": values}
    if crit.condition == "end_not_negative":
        ok = end >= thr
        reason = (
            f"{party} sentiment at the end {end:+.2f} ({'not negative' if ok else 'negative'}; threshold {thr:+.2f})"
        )
        return ("pass" if ok else "fail"), reason, {"utterances": end_ev, "values": values}
    # improved_after_negative_start
    values["min_improvement"] = crit.min_improvement
    if start >= thr:
        return (
            "na",
            f"N/A: {party} sentiment did not start negative ({start:+.2f} ≥ {thr:+.2f})",
            {"utterances": start_ev, "values": values},
        )
    change = end - start
    values["change"] = round(change, 4)
    ok = change >= crit.min_improvement
    reason = (
        f"{party} sentiment went from {start:+.2f} to {end:+.2f} ({change:+.2f}; "
        f"{'improved' if ok else 'did not improve'} by at least {crit.min_improvement:.2f})"
    )
    return ("pass" if ok else "fail"), reason, {"utterances": start_ev + end_ev, "values": values}


# Each check takes the criterion model of its own kind; the dispatch on ``crit.kind`` picks the matching one.
_KINDS: dict[str, Callable[[_CallView, Scorecard, Any], tuple[str, str, dict[str, Any]]]] = {
    "label_present": _label_present,
    "label_absent": _label_absent,
    "metric": _metric,
    "sentiment": _sentiment,
}


# --------------------------------------------------------------------------- aggregation


def aggregate(
    call_id: str,
    scorecard_id: str,
    version: str,
    pass_threshold: float,
    sections: Sequence[tuple[str, str, float]],
    results: Sequence[CriterionResult],
) -> CallScore:
    """Section and call scores from criterion results (``sections``: ``(id, title, weight)``)."""
    per: dict[str, list[float]] = {sid: [0.0, 0.0] for sid, _, _ in sections}
    reasons: list[str] = []
    for r in results:
        acc = per.setdefault(r.section_id, [0.0, 0.0])
        if r.verdict != "na":
            acc[0] += r.points
            acc[1] += r.max_points
        if r.auto_fail:
            reasons.append(f"{r.criterion_id}: {r.reason}")
    section_scores = []
    num = den = 0.0
    pts = mx = 0.0
    weights = {sid: (title, w) for sid, title, w in sections}
    for sid, (p, m) in per.items():
        title, w = weights.get(sid, (sid, 1.0))
        score = round(100.0 * p / m, 4) if m > 0 else None
        section_scores.append(SectionScore(sid, title, w, round(p, 4), round(m, 4), score))
        pts += p
        mx += m
        if m > 0:
            num += w * p / m
            den += w
    auto_failed = bool(reasons)
    if auto_failed:
        score = 0.0
    else:
        score = round(100.0 * num / den, 4) if den > 0 else 100.0
    return CallScore(
        call_id=call_id,
        scorecard_id=scorecard_id,
        scorecard_version=version,
        score=score,
        points=round(pts, 4),
        max_points=round(mx, 4),
        auto_failed=auto_failed,
        auto_fail_reasons=tuple(reasons),
        passed=(not auto_failed) and score >= pass_threshold,
        pass_threshold=pass_threshold,
        sections=tuple(section_scores),
        criteria=tuple(results),
    )


def _result(section_id: str, crit: Any, verdict: str, reason: str, evidence: dict[str, Any]) -> CriterionResult:
    nominal = float(crit.points)
    if verdict == "pass":
        points, max_points = nominal, nominal
    elif verdict == "fail":
        points, max_points = 0.0, nominal
    else:
        points, max_points = 0.0, 0.0
    evidence.setdefault("utterances", [])
    evidence["nominal_points"] = nominal
    return CriterionResult(
        section_id=section_id,
        criterion_id=crit.id,
        kind=crit.kind,
        verdict=verdict,
        points=points,
        max_points=max_points,
        nominal_points=nominal,
        auto_fail=bool(crit.auto_fail and verdict == "fail"),
        auto_fail_capable=bool(crit.auto_fail),
        reason=reason,
        evidence=evidence,
        title=crit.title,
    )


def _add_similarity(view: _CallView, card: Scorecard, crit: LabelPresent | LabelAbsent, evidence: dict) -> None:
    """Evidence of an example topic: each utterance's similarity, the window that matched, and the threshold."""
    names = [n for n in (crit.label, getattr(crit, "before", None)) if n is not None]
    topics = [(n, card.topics[n].example) for n in names if n in card.topics and card.topics[n].example is not None]
    if not topics:
        return
    by_idx = {u.idx: u for u in view.utts}
    for d in evidence.get("utterances", ()):
        u = by_idx.get(d.get("idx"))
        if u is None:
            continue
        for name, _ in topics:
            sim = view.similarity(card, name, u)
            if sim is not None:
                d.setdefault("similarity", {})[name] = round(sim[0], 4)
                d.setdefault("matched_window", {})[name] = sim[1]
    win = evidence.get("window")
    if isinstance(win, dict):
        win["threshold"] = {
            n: (crit.min_score if crit.min_score is not None and n == crit.label else ex.threshold)
            for n, ex in topics
            if ex is not None
        }


def _score_view(view: _CallView, card: Scorecard) -> CallScore:
    results: list[CriterionResult] = []
    # similarity evidence only exists for example topics: without any, skip looking for it per criterion
    examples = any(t.example is not None for t in card.topics.values())
    for section in card.spec.sections:
        for crit in section.criteria:
            na = _na(view, card, crit.na_when) if crit.na_when else None
            if na is not None:
                reason, evidence = na
                results.append(_result(section.id, crit, "na", reason, evidence))
                continue
            verdict, reason, evidence = _KINDS[crit.kind](view, card, crit)
            if examples and isinstance(crit, (LabelPresent, LabelAbsent)):
                _add_similarity(view, card, crit, evidence)
            results.append(_result(section.id, crit, verdict, reason, evidence))
    return aggregate(
        view.conv.call_id,
        card.id,
        card.version,
        card.spec.pass_threshold,
        [(s.id, s.title or s.id, s.weight) for s in card.spec.sections],
        results,
    )


def score_call(
    conv: Conversation,
    labels: Sequence[UtteranceLabels] | Mapping[int, UtteranceLabels],
    metrics: CallMetrics | None,
    scorecard: Scorecard,
) -> CallScore:
    """Score one call against one scorecard (metrics are computed when ``None``)."""
    labs = labels_by_idx(labels)
    if metrics is None:
        metrics = compute_metrics(conv, labs)
    return _score_view(_CallView(conv, labs, metrics), scorecard)


def score_call_all(
    conv: Conversation,
    labels: Sequence[UtteranceLabels] | Mapping[int, UtteranceLabels],
    metrics: CallMetrics,
    scorecards: Iterable[Scorecard],
) -> list[CallScore]:
    """Score one call against several scorecards, sharing the per-call lookups."""
    labs = labels_by_idx(labels)
    view = _CallView(conv, labs, metrics)
    return [_score_view(view, card) for card in scorecards]


# --------------------------------------------------------------------------- overrides


def _override_items(overrides: Mapping[str, str] | Iterable[Any]) -> dict[str, str]:
    if isinstance(overrides, Mapping):
        return {str(k): str(v) for k, v in overrides.items()}
    out: dict[str, str] = {}
    o: Any
    for o in overrides:
        if isinstance(o, tuple):
            out[str(o[0])] = str(o[1])
        else:
            out[str(o.criterion_id)] = str(o.new_verdict)
    return out


def apply_overrides(result: CallScore, overrides: Mapping[str, str] | Iterable[Any]) -> CallScore:
    """The result as reviewers see it: overridden verdicts, recomputed points, sections, score and auto-fail.

    ``overrides`` maps ``criterion_id -> new verdict`` (``pass``/``fail``/``na``),
    or is an iterable of ``(criterion_id, verdict)`` pairs or of objects with
    ``criterion_id`` and ``new_verdict``.  Overrides naming a criterion this
    result does not have are ignored (logged).  The returned ``score`` is the
    final score; the input is not changed.
    """
    items = _override_items(overrides)
    if not items:
        return result
    known = {c.criterion_id for c in result.criteria}
    for cid in items:
        if cid not in known:
            logger.info(
                "override of %s ignored: scorecard %s@%s has no such criterion",
                cid,
                result.scorecard_id,
                result.scorecard_version,
            )
    new: list[CriterionResult] = []
    for c in result.criteria:
        v = items.get(c.criterion_id)
        if v is None or v == c.verdict:
            new.append(c)
            continue
        if v not in VERDICTS:
            raise ValueError(f"override verdict {v!r} for {c.criterion_id} is not one of {VERDICTS}")
        nominal = c.nominal_points
        points, max_points = (nominal, nominal) if v == "pass" else ((0.0, nominal) if v == "fail" else (0.0, 0.0))
        new.append(
            replace(
                c,
                verdict=v,
                points=points,
                max_points=max_points,
                auto_fail=c.auto_fail_capable and v == "fail",
                reason=f"overridden by a reviewer to {v} (automatic: {c.verdict}; {c.reason})",
            )
        )
    return aggregate(
        result.call_id,
        result.scorecard_id,
        result.scorecard_version,
        result.pass_threshold,
        [(s.section_id, s.title, s.weight) for s in result.sections],
        new,
    )
