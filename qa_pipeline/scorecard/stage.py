"""The scoring stage of the nightly run: metrics, every active scorecard, flags, stored.

The flow calls :func:`score_conversation` (pure, outside any transaction) and
then :func:`store_scored_calls` inside its short write transaction.  A call
scored again keeps its reviewers' overrides: they are re-applied by
criterion id to compute ``final_score``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping, Sequence

import duckdb

from qa_pipeline.classify.result import UtteranceLabels
from qa_pipeline.conversation import Conversation
from qa_pipeline.metrics import CallMetrics, compute_metrics, labels_by_idx
from qa_pipeline.scorecard.engine import CallScore, score_call_all
from qa_pipeline.scorecard.flags import Flag, FlagRules, evaluate_flags, load_flag_rules
from qa_pipeline.scorecard.loader import Scorecard, load_scorecards

logger = logging.getLogger("qa_pipeline.scorecard.stage")


@dataclass(frozen=True)
class ScoredCall:
    """Everything the scoring stage produced for one call."""

    call_id: str
    metrics: CallMetrics
    scores: tuple[CallScore, ...]
    flags: tuple[Flag, ...]


def score_conversation(
    conv: Conversation,
    labels: Sequence[UtteranceLabels] | Mapping[int, UtteranceLabels],
    scorecards: Sequence[Scorecard] | None = None,
    flag_rules: FlagRules | None = None,
) -> ScoredCall:
    """Metrics, one score per scorecard (default: the active ones) and flags for one call (pure)."""
    cards = list(scorecards) if scorecards is not None else load_scorecards()
    rules = flag_rules if flag_rules is not None else load_flag_rules()
    labs = labels_by_idx(labels)
    metrics = compute_metrics(conv, labs)
    scores = tuple(score_call_all(conv, labs, metrics, cards))
    flags = tuple(evaluate_flags(conv, labs, metrics, scores, rules))
    return ScoredCall(conv.call_id, metrics, scores, flags)


def store_scored_calls(
    con: duckdb.DuckDBPyConnection, scored: Sequence[ScoredCall], scorecards: Sequence[Scorecard]
) -> None:
    """Write metrics, scores (re-applying overrides) and flags of these calls; caller holds the transaction."""
    from qa_pipeline.store.scores import (
        final_scores_with_overrides,
        latest_overrides,
        register_scorecard,
        replace_flags,
        write_metrics_many,
        write_scores,
    )

    if not scored:
        return
    for card in scorecards:
        register_scorecard(con, card)
    call_ids = [s.call_id for s in scored]
    results = [r for s in scored for r in s.scores]
    overrides = latest_overrides(con, sorted({r.scorecard_id for r in results}), call_ids)
    finals, applied, ignored = final_scores_with_overrides(results, overrides)
    if applied or ignored:
        logger.info("re-applied %d override(s); %d named criteria the scorecard no longer has", applied, ignored)
    write_metrics_many(con, [s.metrics for s in scored])
    write_scores(con, results, finals)
    replace_flags(con, [f for s in scored for f in s.flags], call_ids)
