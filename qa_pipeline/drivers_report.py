"""Contact drivers of stored calls: each call's first customer turns (redacted text) from DuckDB, embedded,
clustered and named, with per-week counts, example calls and whether the group is new.

A call's vector is the word-weighted mean of its turns' stored sentence embeddings
(``utterance_embeddings``, written by the classify stage), so a report reads vectors instead of
running the encoder; only calls whose turns have no stored embedding (imported without
classification, or written before migration 020) are embedded at request time.

    groups = drivers_report(con, since=date(2026, 1, 1), k=None)
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import numpy as np

from qa_pipeline import drivers
from qa_pipeline.classify.encoder import sentence_embeddings
from qa_pipeline.store.embeddings import DIM, stored_vector

Embed = Callable[[Sequence[str]], np.ndarray]

TURNS_SQL = """
WITH turns AS (
    SELECT u.call_id, u.idx, u.text,
           row_number() OVER (PARTITION BY u.call_id ORDER BY u.idx) AS turn
    FROM utterances u JOIN calls c USING (call_id)
    WHERE u.speaker = 'customer' AND trim(u.text) <> ''
      AND (CAST(? AS DATE) IS NULL OR CAST(c.started_at AS DATE) >= CAST(? AS DATE))
      AND (CAST(? AS DATE) IS NULL OR CAST(c.started_at AS DATE) <= CAST(? AS DATE))
)
SELECT t.call_id, CAST(date_trunc('week', c.started_at) AS DATE) AS week, t.idx, t.text, e.scale, e.vec
FROM turns t JOIN calls c USING (call_id)
LEFT JOIN utterance_embeddings e ON e.call_id = t.call_id AND e.idx = t.idx
WHERE t.turn <= ?
ORDER BY c.started_at NULLS FIRST, t.call_id, t.idx
"""


@dataclass(frozen=True)
class Statement:
    call_id: str
    week: date | None  # Monday of the call's week; None when the call has no start time
    text: str
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)  # from stored embeddings


@dataclass(frozen=True)
class DriverSummary:
    group: int
    name: str
    size: int
    weekly: list[tuple[date, int]]  # every week of the period, oldest first, zero-filled
    examples: list[str]  # up to 3 call_ids, those nearest the group's centre first
    new: bool


def turns_vector(texts: Sequence[str], vectors: Sequence[np.ndarray | None]) -> np.ndarray | None:
    """The word-weighted mean of the turns' unit vectors, L2-normalised; None when a turn has no vector."""
    if not texts or any(v is None for v in vectors):
        return None
    weights = np.asarray([max(len(t.split()), 1) for t in texts], dtype=np.float32)
    mean = (np.stack([v for v in vectors if v is not None]) * weights[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


def problem_statements(
    con: duckdb.DuckDBPyConnection, since: date | None = None, until: date | None = None, turns: int = 2
) -> list[Statement]:
    """Each call's first ``turns`` customer utterances joined (stored, redacted text); calls without any are left out.
    ``since``/``until`` filter on the call's start date (inclusive)."""
    rows = con.execute(TURNS_SQL, [since, since, until, until, turns]).fetchall()
    out: list[Statement] = []
    for (cid, week), call_rows in itertools.groupby(rows, key=lambda r: (r[0], r[1])):  # rows come ordered by call
        said = list(call_rows)
        texts = [str(r[3]) for r in said]
        vectors = [stored_vector(r[4], r[5]) for r in said]
        out.append(Statement(str(cid), week, " ".join(texts), turns_vector(texts, vectors)))
    return out


def _all_weeks(weeks: Sequence[date]) -> list[date]:
    if not weeks:
        return []
    out, w = [], min(weeks)
    while w <= max(weeks):
        out.append(w)
        w += timedelta(days=7)
    return out


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
    Stored embeddings are used where every turn has one; the other statements go through ``embed``
    (default: the classifiers' MiniLM encoder)."""
    statements = problem_statements(con, since, until, turns)
    if not statements:
        return []
    return summarise(statements, statement_vectors(statements, embed or sentence_embeddings), k=k)


def statement_vectors(statements: Sequence[Statement], embed: Embed) -> np.ndarray:
    """One unit vector per statement: the stored one, else ``embed`` of its text (one batch for all the missing)."""
    missing = [i for i, s in enumerate(statements) if s.vector is None]
    vectors = np.zeros((len(statements), DIM), dtype=np.float32)
    if missing:
        vectors[missing] = np.asarray(embed([statements[i].text for i in missing]), dtype=np.float32)
    for i, s in enumerate(statements):
        if s.vector is not None:
            vectors[i] = s.vector
    return vectors
