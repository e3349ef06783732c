"""The score tables: ``call_scores``, ``section_scores`` and ``criterion_results``.

Writes are bulk: one ``DELETE`` and one ``INSERT … SELECT unnest(?)`` per
table for a whole batch of calls (DuckDB's ``executemany`` costs about half a
millisecond a row).  ``call_scores.rows_digest`` (:func:`score_digest`) lets a
rescore tell which calls' rows would come out the same, and leave those in place.  Every function runs inside the caller's connection (and
transaction, for writes).  Applying reviewers' overrides is the scorecard's
rule (:mod:`qa_pipeline.scorecard.overrides`); this module only stores what it
is given.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb
import numpy as np

from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.records import CallScore, CriterionResult
from qa_pipeline.store.codec import dumps, loads
from qa_pipeline.store.db import utcnow

Row = tuple[Any, ...]


def _delete_scores(con: duckdb.DuckDBPyConnection, pairs: Iterable[tuple[str, str]]) -> None:
    by_card: dict[str, list[str]] = defaultdict(list)
    for call_id, scorecard_id in pairs:
        by_card[scorecard_id].append(call_id)
    for scorecard_id, ids in by_card.items():
        for table in ("criterion_results", "section_scores", "call_scores"):
            con.execute(
                f"DELETE FROM {table} WHERE scorecard_id = ? AND call_id IN (SELECT unnest(?::VARCHAR[]))",
                [scorecard_id, ids],
            )


def delete_scores(con: duckdb.DuckDBPyConnection, scorecard_id: str, call_ids: Sequence[str]) -> int:
    """Remove one scorecard's score rows of these calls (a card that no longer applies to them).

    Reviewers' overrides are not touched: they are history, and come back into force if the card
    applies again.  Returns how many calls had a score of that card."""
    if not call_ids:
        return 0
    row = con.execute(
        "SELECT count(*) FROM call_scores WHERE scorecard_id = ? AND call_id IN (SELECT unnest(?::VARCHAR[]))",
        [scorecard_id, list(call_ids)],
    ).fetchone()
    _delete_scores(con, ((c, scorecard_id) for c in call_ids))
    return int(row[0]) if row else 0


try:  # the JSON text as bytes, without a round trip through str
    import orjson as _orjson

    def _json_bytes(obj: Any) -> bytes:
        return _orjson.dumps(obj, option=_orjson.OPT_NON_STR_KEYS)

    def _embedded(text: str) -> Any:
        """JSON text that :func:`_json_bytes` copies into its output as it is (not parsed, not escaped)."""
        return _orjson.Fragment(text)

except ImportError:  # pragma: no cover - plain json fallback

    def _json_bytes(obj: Any) -> bytes:
        return dumps(obj).encode("utf-8")

    def _embedded(text: str) -> Any:
        return loads(text)


def evidence_texts(r: CallScore) -> list[str]:
    """Each criterion's evidence as the JSON text stored in ``criterion_results.evidence`` (made once, then
    used both by :func:`score_digest` and :func:`write_scores`)."""
    return [dumps(c.evidence) for c in r.criteria]


def _criterion_values(c: CriterionResult) -> tuple[Any, ...]:
    """A criterion result's ``criterion_results`` columns after the call's and before ``evidence``."""
    return (c.section_id, c.criterion_id, c.kind, c.verdict, c.points, c.max_points, c.auto_fail, c.reason)


def score_digest(r: CallScore, evidence: Sequence[str] | None = None) -> str:
    """Digest of everything :func:`write_scores` stores of one result except ``final_score`` and ``scored_at``:
    the ``call_scores`` columns, the section rows and the criterion rows with their evidence (``evidence``:
    :func:`evidence_texts` of ``r`` when already made).  Equal digests: equal rows."""
    texts = evidence if evidence is not None else evidence_texts(r)
    payload = [
        r.call_id,
        r.scorecard_id,
        r.scorecard_version,
        r.score,
        r.points,
        r.max_points,
        r.auto_failed,
        list(r.auto_fail_reasons),
        r.passed,
        [[s.section_id, s.weight, s.points, s.max_points, s.score] for s in r.sections],
        [[*_criterion_values(c), _embedded(text)] for c, text in zip(r.criteria, texts)],
    ]
    return hashlib.blake2b(_json_bytes(payload), digest_size=16).hexdigest()


def write_scores(
    con: duckdb.DuckDBPyConnection,
    results: Sequence[CallScore],
    final_scores: Mapping[tuple[str, str], float] | None = None,
    digests: Sequence[str | None] | None = None,
    evidence: Sequence[Sequence[str]] | None = None,
) -> int:
    """Replace ``call_scores``, ``section_scores`` and ``criterion_results`` of these (call, scorecard) pairs.

    ``final_scores`` maps ``(call_id, scorecard_id)`` to the score with
    reviewers' overrides applied; missing pairs get the automatic score.
    ``digests`` (one per result, :func:`score_digest`) are stored with them, and ``evidence`` (one
    :func:`evidence_texts` per result) is the evidence JSON (default: both computed).
    """
    if not results:
        return 0
    with keep_rollups(con, [r.call_id for r in results]):
        _write_scores(con, results, final_scores or {}, digests, evidence)
    return len(results)


def _write_scores(
    con: duckdb.DuckDBPyConnection,
    results: Sequence[CallScore],
    final_scores: Mapping[tuple[str, str], float],
    digests: Sequence[str | None] | None = None,
    evidence: Sequence[Sequence[str]] | None = None,
) -> None:
    texts = evidence if evidence is not None else [evidence_texts(r) for r in results]
    _delete_scores(con, ((r.call_id, r.scorecard_id) for r in results))
    now = utcnow()
    con.execute(
        """INSERT INTO call_scores (call_id, scorecard_id, scorecard_version, score, final_score, points, max_points,
               auto_failed, auto_fail_reasons, passed, scored_at, rows_digest)
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::BOOLEAN[]),
                  unnest(?::VARCHAR[][]), unnest(?::BOOLEAN[]), ?, unnest(?::VARCHAR[])""",
        [
            [r.call_id for r in results],
            [r.scorecard_id for r in results],
            [r.scorecard_version for r in results],
            [r.score for r in results],
            [final_scores.get((r.call_id, r.scorecard_id), r.score) for r in results],
            [r.points for r in results],
            [r.max_points for r in results],
            [r.auto_failed for r in results],
            [list(r.auto_fail_reasons) for r in results],
            [r.passed for r in results],
            now,
            list(digests) if digests is not None else [score_digest(r, t) for r, t in zip(results, texts)],
        ],
    )
    sec: list[list[Any]] = [[] for _ in range(7)]
    for r in results:
        for s in r.sections:
            for col, v in zip(
                sec, (r.call_id, r.scorecard_id, s.section_id, s.weight, s.points, s.max_points, s.score)
            ):
                col.append(v)
    con.execute(
        """INSERT INTO section_scores (call_id, scorecard_id, section_id, weight, points, max_points, score)
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::DOUBLE[]), unnest(?::DOUBLE[])""",
        sec,
    )
    crit: list[list[Any]] = [[] for _ in range(12)]
    for r, r_texts in zip(results, texts):
        for c, text in zip(r.criteria, r_texts):
            for col, value in zip(
                crit,
                (r.call_id, r.scorecard_id, r.scorecard_version, *_criterion_values(c), text),
            ):
                col.append(value)
    # tens of thousands of rows: scanned as NumPy columns, several times faster than binding twelve
    # Python lists as LIST parameters for unnest (every value converted on its own)
    columns: dict[str, Any] = {
        name: np.asarray(col, dtype=dtype)
        for (name, dtype), col in zip(
            (
                ("call_id", object),
                ("scorecard_id", object),
                ("scorecard_version", object),
                ("section_id", object),
                ("criterion_id", object),
                ("kind", object),
                ("verdict", object),
                ("points", np.float64),
                ("max_points", np.float64),
                ("auto_fail", np.bool_),
                ("reason", object),
                ("evidence", object),
            ),
            crit,
        )
    }
    con.register("_criterion_rows", columns)
    try:
        con.execute(
            """INSERT INTO criterion_results (call_id, scorecard_id, scorecard_version, section_id, criterion_id,
                   kind, verdict, points, max_points, auto_fail, reason, evidence)
               SELECT call_id::VARCHAR, scorecard_id::VARCHAR, scorecard_version::VARCHAR, section_id::VARCHAR,
                      criterion_id::VARCHAR, kind::VARCHAR, verdict::VARCHAR, points::DOUBLE, max_points::DOUBLE,
                      auto_fail::BOOLEAN, reason::VARCHAR, evidence::VARCHAR::JSON
               FROM _criterion_rows"""
        )
    finally:
        con.unregister("_criterion_rows")


def previous_score_state(
    con: duckdb.DuckDBPyConnection, scorecard_id: str, call_ids: Sequence[str]
) -> dict[str, tuple[float, str, float, str | None]]:
    """``call_id -> (score, scorecard_version, final_score, rows_digest)`` stored now for these calls."""
    if not call_ids:
        return {}
    return {
        r[0]: (r[1], r[2], r[3], r[4])
        for r in con.execute(
            "SELECT call_id, score, scorecard_version, final_score, rows_digest FROM call_scores"
            " WHERE scorecard_id = ? AND call_id IN (SELECT unnest(?::VARCHAR[]))",
            [scorecard_id, list(call_ids)],
        ).fetchall()
    }


def rollup_inputs(r: CallScore, final_score: float) -> tuple[float, float, bool, bool, tuple[str, ...]]:
    """What the KPI roll-ups (``score_daily``, ``criterion_daily``) read of one score: score, final score, passed,
    auto-failed and the (criterion, verdict) pairs.  Equal inputs contribute equally, so a call whose rows are
    rewritten with equal inputs (a new card version that changed no verdict) needs no roll-up work."""
    pairs = tuple(sorted(f"{c.criterion_id}\x1f{c.verdict}" for c in r.criteria))
    return (r.score, final_score, r.passed, r.auto_failed, pairs)


def stored_rollup_inputs(
    con: duckdb.DuckDBPyConnection, scorecard_id: str, call_ids: Sequence[str]
) -> dict[str, tuple[float, float, bool, bool, tuple[str, ...]]]:
    """:func:`rollup_inputs` of the rows stored now for these calls (calls with no score are left out)."""
    if not call_ids:
        return {}
    rows = con.execute(
        """SELECT s.call_id, s.score, s.final_score, s.passed, s.auto_failed, r.pairs
           FROM (SELECT * FROM call_scores WHERE scorecard_id = $card AND call_id IN (SELECT unnest($ids::VARCHAR[]))) s
           LEFT JOIN (SELECT call_id, string_agg(criterion_id || chr(31) || verdict, chr(30)) AS pairs
                      FROM criterion_results
                      WHERE scorecard_id = $card AND call_id IN (SELECT unnest($ids::VARCHAR[]))
                      GROUP BY call_id) r ON r.call_id = s.call_id""",
        {"card": scorecard_id, "ids": list(call_ids)},
    ).fetchall()
    return {
        call_id: (score, final, passed, auto_failed, tuple(sorted(pairs.split("\x1e"))) if pairs else ())
        for call_id, score, final, passed, auto_failed, pairs in rows
    }


def touch_scores(
    con: duckdb.DuckDBPyConnection, scorecard_id: str, call_ids: Sequence[str], final_scores: Sequence[float]
) -> None:
    """Rows that a rescore found unchanged: set ``final_score`` (overrides re-applied) and ``scored_at``."""
    if not call_ids:
        return
    con.execute(
        """UPDATE call_scores SET final_score = x.final_score, scored_at = ?
           FROM (SELECT unnest(?::VARCHAR[]) AS call_id, unnest(?::DOUBLE[]) AS final_score) x
           WHERE call_scores.scorecard_id = ? AND call_scores.call_id = x.call_id""",
        [utcnow(), list(call_ids), list(final_scores), scorecard_id],
    )


def read_score_rows(
    con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str
) -> tuple[Row, list[Row], list[Row]] | None:
    """The stored rows of one call's score on one scorecard: head, sections, criteria (None when not scored)."""
    head = con.execute(
        "SELECT scorecard_version, score, points, max_points, auto_failed, auto_fail_reasons, passed"
        " FROM call_scores WHERE call_id = ? AND scorecard_id = ?",
        [call_id, scorecard_id],
    ).fetchone()
    if head is None:
        return None
    sections = con.execute(
        "SELECT section_id, weight, points, max_points, score FROM section_scores WHERE call_id = ? AND scorecard_id = ?",
        [call_id, scorecard_id],
    ).fetchall()
    criteria = con.execute(
        "SELECT section_id, criterion_id, kind, verdict, points, max_points, auto_fail, reason, evidence"
        " FROM criterion_results WHERE call_id = ? AND scorecard_id = ?",
        [call_id, scorecard_id],
    ).fetchall()
    return tuple(head), [tuple(r) for r in sections], [tuple(r) for r in criteria]


def set_final_score(con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str, final: float) -> None:
    with keep_rollups(con, [call_id]):
        con.execute(
            "UPDATE call_scores SET final_score = ? WHERE call_id = ? AND scorecard_id = ?",
            [final, call_id, scorecard_id],
        )
