"""Contact drivers of stored calls: each call's first customer turns (redacted text) from DuckDB, embedded,
clustered and named, with per-week counts, example calls and whether the group is new.

    groups = drivers_report(con, since=date(2026, 1, 1), k=None)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np

from qa_pipeline import drivers

Embed = Callable[[Sequence[str]], np.ndarray]

STATEMENTS_SQL = """
WITH turns AS (
    SELECT u.call_id, u.idx, u.text,
           row_number() OVER (PARTITION BY u.call_id ORDER BY u.idx) AS turn
    FROM utterances u JOIN calls c USING (call_id)
    WHERE u.speaker = 'customer' AND trim(u.text) <> ''
      AND (CAST(? AS DATE) IS NULL OR CAST(c.started_at AS DATE) >= CAST(? AS DATE))
      AND (CAST(? AS DATE) IS NULL OR CAST(c.started_at AS DATE) <= CAST(? AS DATE))
)
SELECT t.call_id, CAST(date_trunc('week', c.started_at) AS DATE) AS week,
       string_agg(t.text, ' ' ORDER BY t.idx) AS statement
FROM turns t JOIN calls c USING (call_id)
WHERE t.turn <= ?
GROUP BY t.call_id, c.started_at
ORDER BY c.started_at NULLS FIRST, t.call_id
"""


@dataclass(frozen=True)
class Statement:
    call_id: str
    week: date | None  # Monday of the call's week; None when the call has no start time
    text: str


@dataclass(frozen=True)
class DriverSummary:
    group: int
    name: str
    size: int
    weekly: list[tuple[date, int]]  # every week of the period, oldest first, zero-filled
    examples: list[str]  # up to 3 call_ids, those nearest the group's centre first
    new: bool


def problem_statements(
    con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None, turns: int = 2
) -> list[Statement]:
    """Each call's first ``turns`` customer utterances joined (stored, redacted text); calls without any are left out.
    ``since``/``until`` filter on the call's start date (inclusive)."""
    rows = con.execute(STATEMENTS_SQL, [since, since, until, until, turns]).fetchall()
    return [Statement(str(cid), week, str(text)) for cid, week, text in rows]


def _all_weeks(weeks: Sequence[date]) -> list[date]:
    if not weeks:
        return []
    out, w = [], min(weeks)
    while w <= max(weeks):
        out.append(w)
        w += timedelta(days=7)
    return out


def embed_statements(texts: Sequence[str]) -> np.ndarray:
    from qa_pipeline.classify.encoder import get_encoder

    return np.asarray(get_encoder().encode(list(texts)))


def summarise(statements: Sequence[Statement], vectors: np.ndarray, k: int | None = None) -> list[DriverSummary]:
    """Cluster the embedded statements and describe each group; largest group first."""
    if not statements:
        return []
    labels = drivers.cluster(vectors, k=k)
    texts = [s.text for s in statements]
    names = drivers.name_groups(texts, labels)
    week_keys = [s.week.isoformat() if s.week else "" for s in statements]
    dated = [s.week for s in statements if s.week is not None]
    new = drivers.new_groups(labels, week_keys) if len(set(dated)) > 1 else set()
    weeks = _all_weeks(dated)
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    out = []
    for g in sorted({int(x) for x in labels}):
        idx = [int(i) for i in np.flatnonzero(labels == g)]
        centre = unit[idx].mean(axis=0)
        nearest = [idx[int(j)] for j in np.argsort(-(unit[idx] @ centre))[:3]]
        per_week = Counter(statements[i].week for i in idx if statements[i].week is not None)
        out.append(
            DriverSummary(
                group=g,
                name=names[g],
                size=len(idx),
                weekly=[(w, per_week.get(w, 0)) for w in weeks],
                examples=[statements[i].call_id for i in nearest],
                new=g in new,
            )
        )
    return sorted(out, key=lambda d: (-d.size, d.group))


def drivers_report(
    con: duckdb.DuckDBPyConnection,
    since: date | None = None,
    until: date | None = None,
    k: int | None = None,
    turns: int = 2,
    embed: Embed | None = None,
) -> list[DriverSummary]:
    """Contact-driver groups of the stored calls started in [since, until]; empty when no call has customer text.
    ``embed`` defaults to the classifiers' MiniLM encoder."""
    statements = problem_statements(con, since, until, turns)
    if not statements:
        return []
    vectors = (embed or embed_statements)([s.text for s in statements])
    return summarise(statements, vectors, k=k)
