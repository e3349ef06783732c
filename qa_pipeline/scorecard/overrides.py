"""Reviewers' overrides and ``final_score``: the one place the override rule is applied.

The automatic result is never changed (``criterion_results.verdict``,
``call_scores.score``).  The newest override of each criterion replaces its
verdict and the call is aggregated again with the scoring rule of
:func:`qa_pipeline.scorecard.engine.apply_overrides`; the result is
``call_scores.final_score``.  Which override is the newest is decided by one
SQL statement (:data:`qa_pipeline.store.overrides.LATEST_OVERRIDES_SQL`).

Everything here runs in the caller's connection (and transaction, for writes).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import duckdb

from qa_pipeline.errors import NotFoundError
from qa_pipeline.records import CallAnalysis, CallScore, CriterionResult, SectionScore
from qa_pipeline.scorecard.engine import apply_overrides
from qa_pipeline.scorecard.loader import Scorecard, loaded_scorecard, scorecard_messages
from qa_pipeline.store import results as store_results
from qa_pipeline.store.codec import loads
from qa_pipeline.store.db import transaction
from qa_pipeline.store.overrides import latest_overrides
from qa_pipeline.store.scorecards import is_registered, register_scorecard, scorecard_source
from qa_pipeline.store.scores import read_score_rows, set_final_score, write_scores

logger = logging.getLogger("qa_pipeline.scorecard.overrides")

__all__ = [
    "ensure_registered",
    "final_scores_with_overrides",
    "recompute_final_score",
    "store_analysis",
    "stored_call_score",
    "stored_scorecard",
    "write_score",
]


def final_scores_with_overrides(
    results: Sequence[CallScore], overrides: Mapping[tuple[str, str], Mapping[str, str]]
) -> tuple[dict[tuple[str, str], float], int, int]:
    """``(finals, overrides applied, overrides naming a criterion the new result lacks)``."""
    finals: dict[tuple[str, str], float] = {}
    applied = ignored = 0
    for r in results:
        ovr = overrides.get((r.call_id, r.scorecard_id))
        if not ovr:
            continue
        known = {c.criterion_id for c in r.criteria}
        applied += sum(1 for cid in ovr if cid in known)
        ignored += sum(1 for cid in ovr if cid not in known)
        finals[(r.call_id, r.scorecard_id)] = apply_overrides(r, ovr).score
    return finals, applied, ignored


_STORED_CARDS: dict[tuple[str, str], Scorecard | None] = {}


def stored_scorecard(con: duckdb.DuckDBPyConnection, scorecard_id: str, version: str) -> Scorecard | None:
    """The scorecard version as it was registered (parsed from ``scorecards.source``), cached."""
    key = (scorecard_id, version)
    if key not in _STORED_CARDS:
        source = scorecard_source(con, scorecard_id, version)
        card = None
        if source is not None:
            card, messages = scorecard_messages(source, f"scorecards table: {scorecard_id}@{version}")
            if card is None:
                logger.warning(
                    "stored scorecard %s@%s no longer validates: %s", scorecard_id, version, "; ".join(messages)
                )
        _STORED_CARDS[key] = card
    return _STORED_CARDS[key]


def stored_call_score(con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str) -> CallScore:
    """Rebuild the automatic :class:`CallScore` of one call from its stored rows."""
    rows = read_score_rows(con, call_id, scorecard_id)
    if rows is None:
        raise NotFoundError(f"call {call_id!r} has no score for scorecard {scorecard_id!r}; score it first")
    head, section_rows, criterion_rows = rows
    version, score, points, max_points, auto_failed, reasons, passed = head
    card = stored_scorecard(con, scorecard_id, version)
    nominal: dict[str, tuple[float, bool, str]] = {}
    titles: dict[str, str] = {}
    threshold = 0.0
    if card is not None:
        threshold = card.spec.pass_threshold
        for s in card.spec.sections:
            titles[s.id] = s.title or s.id
            for c in s.criteria:
                nominal[c.id] = (float(c.points), bool(c.auto_fail), c.title)
    sections = tuple(SectionScore(sid, titles.get(sid) or sid, w, p, m, sc) for sid, w, p, m, sc in section_rows)
    criteria = []
    for sid, cid, kind, verdict, pts, mx, af, reason, evidence in criterion_rows:
        ev = loads(evidence) if isinstance(evidence, (str, bytes)) else (evidence or {})
        nom_points, capable, title = nominal.get(cid, (float(ev.get("nominal_points", mx) or mx), bool(af), ""))
        criteria.append(
            CriterionResult(
                sid, cid, kind, verdict, pts, mx, nom_points, bool(af), capable or bool(af), reason, ev, title
            )
        )
    return CallScore(
        call_id,
        scorecard_id,
        version,
        float(score),
        float(points),
        float(max_points),
        bool(auto_failed),
        tuple(reasons or ()),
        bool(passed),
        threshold,
        sections,
        tuple(criteria),
    )


def recompute_final_score(con: duckdb.DuckDBPyConnection, call_id: str, scorecard_id: str) -> float:
    """Apply the newest override of each criterion to the stored result; write and return ``final_score``.

    Runs in the caller's connection/transaction; call it after inserting an
    override.  The automatic verdicts and score are not changed.
    """
    result = stored_call_score(con, call_id, scorecard_id)
    ovr = latest_overrides(con, [scorecard_id], [call_id]).get((call_id, scorecard_id), {})
    final = apply_overrides(result, ovr).score if ovr else result.score
    set_final_score(con, call_id, scorecard_id, final)
    return final


def ensure_registered(con: duckdb.DuckDBPyConnection, scorecard_id: str, version: str) -> None:
    """Record a scorecard version in ``scorecards`` if this process loaded it and the table lacks it."""
    card = loaded_scorecard(scorecard_id, version)
    if card is not None:
        register_scorecard(con, card)
    elif not is_registered(con, scorecard_id, version):
        logger.warning("scorecard %s@%s is not registered and its source is unknown here", scorecard_id, version)


def _finals(con: duckdb.DuckDBPyConnection, results: Sequence[CallScore]) -> dict[tuple[str, str], float]:
    """Register the results' scorecard versions and compute their final scores with the stored overrides."""
    for r in results:
        ensure_registered(con, r.scorecard_id, r.scorecard_version)
    call_ids = sorted({r.call_id for r in results})
    overrides = latest_overrides(con, sorted({r.scorecard_id for r in results}), call_ids)
    return final_scores_with_overrides(results, overrides)[0]


def write_score(con: duckdb.DuckDBPyConnection, call_id: str, result: CallScore) -> float:
    """Replace one call's rows for one scorecard, as the nightly run does; returns the final score.

    Registers the scorecard version (when it was loaded in this process) and
    re-applies the call's existing overrides by criterion id, so a call scored
    again keeps its reviewers' decisions.
    """
    if result.call_id != call_id:
        raise ValueError(f"score of call {result.call_id!r} passed for call {call_id!r}")
    finals = _finals(con, [result])
    write_scores(con, [result], finals)
    return finals.get((call_id, result.scorecard_id), result.score)


def store_analysis(
    con: duckdb.DuckDBPyConnection, analysis: CallAnalysis, *, run_id: str | None, status: str = "complete"
) -> None:
    """Write one analysed call — every table — in one transaction, its reviewers' overrides re-applied."""
    for score in analysis.scores:
        if score.call_id != analysis.call_id:
            raise ValueError(f"score of call {score.call_id!r} passed for call {analysis.call_id!r}")
    with transaction(con):
        finals = _finals(con, analysis.scores) if analysis.scores else {}
        store_results.write_analysis_rows(con, analysis, run_id=run_id, status=status, final_scores=finals)
