"""The criterion tester: a scorecard (often a draft, not yet active) tried on stored calls, nothing written.

For each criterion: how many calls pass, fail or are N/A, the strongest
matches (utterances that made it pass, or fail for a ``label_absent``) and the
nearest misses (the closest utterances in calls where the behaviour was not
found), each with its score: the similarity for a topic by example, the label
score for a classifier label, none for a keyword topic.  A QA lead tunes
examples, thresholds and windows with it before activating the card
(``qa-pipeline scorecard test``, the workspace's ``/criteria-test``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from qa_pipeline.errors import StoreError
from qa_pipeline.metrics import compute_metrics
from qa_pipeline.scorecard.engine import score_call
from qa_pipeline.scorecard.loader import Scorecard
from qa_pipeline.scorecard.schema import LabelAbsent, LabelPresent
from qa_pipeline.store.bulk import read_calls_bulk, scorable_call_ids
from qa_pipeline.store.db import connect

TOP = 5


@dataclass(frozen=True)
class Hit:
    call_id: str
    idx: int
    speaker: str
    start_s: float
    text: str
    score: float | None


@dataclass
class CriterionTest:
    criterion_id: str
    title: str
    kind: str
    counts: dict[str, int] = field(default_factory=lambda: {"pass": 0, "fail": 0, "na": 0})
    matches: list[Hit] = field(default_factory=list)
    misses: list[Hit] = field(default_factory=list)
    threshold: float | None = None


@dataclass(frozen=True)
class TesterReport:
    scorecard_id: str
    version: str
    calls: int
    criteria: list[CriterionTest]

    def as_text(self) -> str:
        lines = [f"scorecard {self.scorecard_id}@{self.version} on {self.calls} stored call(s)"]
        for c in self.criteria:
            n = c.counts
            thr = f"; threshold {c.threshold:g}" if c.threshold is not None else ""
            lines.append(f"\n{c.criterion_id} ({c.kind}): pass {n['pass']}  fail {n['fail']}  N/A {n['na']}{thr}")
            for name, hits in (("top matches", c.matches), ("nearest misses", c.misses)):
                if hits:
                    lines.append(f"  {name}:")
                    lines.extend(f"    {_hit_line(h)}" for h in hits)
        return "\n".join(lines)


def _hit_line(h: Hit) -> str:
    score = f"{h.score:.3f}" if h.score is not None else "  -  "
    text = " ".join(h.text.split())
    text = text if len(text) <= 90 else text[:89] + "…"
    return (
        f"{score}  {h.call_id[:12]} #{h.idx} {h.speaker} {int(h.start_s) // 60:02d}:{int(h.start_s) % 60:02d}  {text}"
    )


def _score_of(ev: dict[str, Any], name: str) -> float | None:
    sim = (ev.get("similarity") or {}).get(name)
    if sim is not None:
        return float(sim)
    s = (ev.get("scores") or {}).get(name)
    return float(s) if s is not None else None


def _hit(call_id: str, ev: dict[str, Any], name: str) -> Hit:
    return Hit(call_id, int(ev["idx"]), str(ev["speaker"]), float(ev["start_s"]), str(ev["text"]), _score_of(ev, name))


def _best(hits: list[Hit]) -> list[Hit]:
    hits.sort(key=lambda h: (-(h.score if h.score is not None else -1.0), h.call_id, h.idx))
    return hits[:TOP]


def test_scorecard(db: str | Path, card: Scorecard, limit: int | None = None) -> TesterReport:
    """Score up to ``limit`` stored calls (in call id order) with ``card``; nothing is written."""
    if not Path(db).exists():
        raise StoreError(f"database {db} does not exist; give the DuckDB file of a run (--db)")
    with connect(db, read_only=True) as con:
        return test_on(con, card, limit)


def test_on(con: duckdb.DuckDBPyConnection, card: Scorecard, limit: int | None = None) -> TesterReport:
    """:func:`test_scorecard` on an open connection (the workspace's)."""
    ids = scorable_call_ids(con)
    if limit is not None:
        ids = ids[:limit]
    calls = read_calls_bulk(con, ids)
    tests: dict[str, CriterionTest] = {}
    labels: dict[str, str] = {}
    for section in card.spec.sections:
        for crit in section.criteria:
            tests[crit.id] = CriterionTest(crit.id, crit.title or crit.id, crit.kind)
            if isinstance(crit, (LabelPresent, LabelAbsent)):
                label = crit.label
                labels[crit.id] = label
                topic = card.topics.get(label)
                if topic is not None and topic.example is not None:
                    tests[crit.id].threshold = crit.min_score if crit.min_score is not None else topic.example.threshold
    for conv, labs in calls:
        result = score_call(conv, labs, compute_metrics(conv, labs), card)
        for r in result.criteria:
            t = tests[r.criterion_id]
            t.counts[r.verdict] = t.counts.get(r.verdict, 0) + 1
            name = labels.get(r.criterion_id)
            if name is None:
                continue
            for ev in r.evidence.get("utterances", ()):
                if ev.get("role") in ("match", "violation"):
                    t.matches.append(_hit(conv.call_id, ev, name))
                elif ev.get("role") == "near_miss":
                    t.misses.append(_hit(conv.call_id, ev, name))
    for t in tests.values():
        t.matches = _best(t.matches)
        t.misses = _best(t.misses)
    return TesterReport(card.id, card.version, len(calls), list(tests.values()))
