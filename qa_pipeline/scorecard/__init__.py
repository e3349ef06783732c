"""QA scorecards: load and validate YAML scorecards, score calls with evidence, raise flags.

Small API::

    card = load_scorecard("scorecards/customer_service.yaml")
    metrics = compute_metrics(conv, labels)
    result = score_call(conv, labels, metrics, card)      # CallScore with evidence
    flags = evaluate_flags(conv, labels, metrics, [result], load_flag_rules())
"""

from qa_pipeline.metrics import CallMetrics, MetricsOptions, compute_metrics
from qa_pipeline.scorecard.engine import (
    CallScore,
    CriterionResult,
    SectionScore,
    apply_overrides,
    score_call,
    score_call_all,
)
from qa_pipeline.scorecard.flags import Flag, FlagRules, evaluate_flags, load_flag_rules, parse_flag_rules
from qa_pipeline.scorecard.loader import (
    Scorecard,
    find_scorecard,
    load_scorecard,
    load_scorecards,
    parse_scorecard,
)
from qa_pipeline.scorecard.overrides import recompute_final_score
from qa_pipeline.scorecard.validate import validate_file

__all__ = [
    "CallMetrics",
    "CallScore",
    "CriterionResult",
    "Flag",
    "FlagRules",
    "MetricsOptions",
    "Scorecard",
    "SectionScore",
    "apply_overrides",
    "compute_metrics",
    "evaluate_flags",
    "find_scorecard",
    "load_flag_rules",
    "load_scorecard",
    "load_scorecards",
    "parse_flag_rules",
    "parse_scorecard",
    "recompute_final_score",
    "score_call",
    "score_call_all",
    "validate_file",
]
