"""Flag rules: which scored calls go to the review queue, and why.

Rules live in ``scorecards/flags.yaml`` (validated as strictly as scorecards).
Rules about a score (``auto_fail``, ``score_below``) write one flag per
scorecard that triggers them; rules about the call itself write one flag with
``scorecard_id = ''``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from qa_pipeline.classify.result import LABELS, UtteranceLabels
from qa_pipeline.conversation import Conversation
from qa_pipeline.errors import ConfigError
from qa_pipeline.metrics import METRICS, CallMetrics, labels_by_idx
from qa_pipeline.paths import scorecards_dir
from qa_pipeline.records import CallScore, Flag
from qa_pipeline.scorecard.engine import _quote, ts
from qa_pipeline.scorecard.loader import FLAGS_FILE, checked_spec
from qa_pipeline.scorecard.schema import Id, _Strict, _suggest
from qa_pipeline.scorecard.version import content_version

logger = logging.getLogger("qa_pipeline.scorecard.flags")

Severity = Literal["high", "medium", "low"]
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")


class _RuleBase(_Strict):
    id: Id
    severity: Severity = "medium"
    description: str = ""


class AutoFailRule(_RuleBase):
    """A scorecard auto-failed the call."""

    kind: Literal["auto_fail"]
    scorecards: list[str] | None = None


class ScoreBelowRule(_RuleBase):
    """A scorecard's score is below ``threshold`` (0..100)."""

    kind: Literal["score_below"]
    threshold: float = Field(ge=0, le=100)
    scorecards: list[str] | None = None


class CustomerNegativeEndRule(_RuleBase):
    """The customer's sentiment in the last quarter is below ``threshold``."""

    kind: Literal["customer_negative_end"]
    threshold: float = Field(default=-0.25, ge=-1, le=0)


class LabelDetectedRule(_RuleBase):
    """A classifier label was detected (e.g. the customer asked for a supervisor)."""

    kind: Literal["label_detected"]
    label: str
    speaker: Literal["agent", "customer", "any"] = "customer"
    min_score: float | None = Field(default=None, ge=0, le=1)


class LowAsrConfidenceRule(_RuleBase):
    """The transcript is unreliable: mean ASR confidence below ``threshold``."""

    kind: Literal["low_asr_confidence"]
    threshold: float = Field(default=0.6, ge=0, le=1)


class LowRoleConfidenceRule(_RuleBase):
    """Who is the agent is uncertain: the call's role confidence (stereo: the agent-channel decision) below ``threshold``."""

    kind: Literal["low_role_confidence"]
    threshold: float = Field(default=0.5, ge=0, le=1)


class MetricRule(_RuleBase):
    """A conversation metric outside bounds (``above`` and/or ``below``)."""

    kind: Literal["metric"]
    metric: str
    above: float | None = None
    below: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> MetricRule:
        if self.above is None and self.below is None:
            raise ValueError("a metric rule needs 'above' and/or 'below'")
        return self


Rule = Annotated[
    AutoFailRule
    | ScoreBelowRule
    | CustomerNegativeEndRule
    | LabelDetectedRule
    | LowAsrConfidenceRule
    | MetricRule
    | LowRoleConfidenceRule,
    Field(discriminator="kind"),
]
RULE_KINDS = (
    "auto_fail",
    "score_below",
    "customer_negative_end",
    "label_detected",
    "low_asr_confidence",
    "metric",
    "low_role_confidence",
)


class FlagRulesSpec(_Strict):
    description: str = ""
    rules: list[Rule] = Field(default_factory=list)


@dataclass(frozen=True)
class FlagRules:
    spec: FlagRulesSpec
    version: str
    source: str
    path: Path | None = None

    @property
    def rules(self) -> list:
        return list(self.spec.rules)


def _semantic(spec: FlagRulesSpec) -> list[tuple[tuple, str]]:
    errors: list[tuple[tuple, str]] = []
    seen: dict[str, int] = {}
    for i, rule in enumerate(spec.rules):
        if rule.id in seen:
            errors.append(
                (
                    ("rules", i, "id"),
                    f"duplicate rule id {rule.id!r} (also rules -> {seen[rule.id]}); give each rule its own id",
                )
            )
        seen.setdefault(rule.id, i)
        if isinstance(rule, LabelDetectedRule) and rule.label not in LABELS:
            errors.append(
                (
                    ("rules", i, "label"),
                    f"unknown label {rule.label!r}{_suggest(rule.label, list(LABELS))}; use one of {', '.join(LABELS)}",
                )
            )
        if isinstance(rule, MetricRule) and rule.metric not in METRICS:
            errors.append(
                (
                    ("rules", i, "metric"),
                    f"unknown metric {rule.metric!r}{_suggest(rule.metric, list(METRICS))}; known: {', '.join(METRICS)}",
                )
            )
    return errors


def flag_rules_messages(text: str, name: str) -> tuple[FlagRules | None, list[str]]:
    spec, messages = checked_spec(text, name, FlagRulesSpec, _semantic)
    if spec is None:
        return None, messages
    return FlagRules(spec, content_version(spec), text), []


def parse_flag_rules(text: str, name: str = "<flags>") -> FlagRules:
    rules, messages = flag_rules_messages(text, name)
    if rules is None:
        raise ConfigError("\n".join(messages))
    return rules


def load_flag_rules(path: str | Path | None = None, *, directory: str | Path | None = None) -> FlagRules:
    """Flag rules from ``path`` (default ``flags.yaml`` in ``directory``, else in ``scorecards/``); no rules
    when the default file is missing."""
    explicit = path is not None
    path = Path(path) if path is not None else Path(directory or scorecards_dir()) / FLAGS_FILE
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: flag rules file not found; check the path")
        logger.warning("no flag rules at %s: no call will be flagged", path)
        return FlagRules(FlagRulesSpec(), content_version(FlagRulesSpec()), "", None)
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _CACHE:
        text = path.read_text(encoding="utf-8")
        rules = parse_flag_rules(text, str(path))
        _CACHE[key] = FlagRules(rules.spec, rules.version, text, path)
    return _CACHE[key]


_CACHE: dict[tuple[str, int, int], FlagRules] = {}


def _applies(rule: AutoFailRule | ScoreBelowRule, scorecard_id: str) -> bool:
    return rule.scorecards is None or scorecard_id in rule.scorecards


def evaluate_flags(
    conv: Conversation,
    labels: Sequence[UtteranceLabels] | Mapping[int, UtteranceLabels],
    metrics: CallMetrics,
    scores: Sequence[CallScore] = (),
    rules: FlagRules | None = None,
    *,
    call_level: bool = True,
) -> list[Flag]:
    """Every flag the rules (default: ``scorecards/flags.yaml``) raise for one call.

    ``call_level=False`` evaluates only the rules about scores.
    """
    if rules is None:
        rules = load_flag_rules()
    flags: list[Flag] = []
    call_id = conv.call_id
    labs = None
    for rule in rules.spec.rules:
        if isinstance(rule, AutoFailRule):
            for s in scores:
                if s.auto_failed and _applies(rule, s.scorecard_id):
                    flags.append(
                        Flag(
                            call_id,
                            rule.id,
                            s.scorecard_id,
                            f"auto-fail on {s.scorecard_id}: {'; '.join(s.auto_fail_reasons)}",
                            rule.severity,
                        )
                    )
        elif isinstance(rule, ScoreBelowRule):
            for s in scores:
                if s.score < rule.threshold and _applies(rule, s.scorecard_id):
                    flags.append(
                        Flag(
                            call_id,
                            rule.id,
                            s.scorecard_id,
                            f"{s.scorecard_id} score {s.score:.1f} below {rule.threshold:g}",
                            rule.severity,
                        )
                    )
        elif not call_level:
            continue
        elif isinstance(rule, CustomerNegativeEndRule):
            end = metrics.customer_sentiment_end
            if end is not None and end < rule.threshold:
                flags.append(
                    Flag(
                        call_id,
                        rule.id,
                        "",
                        f"customer sentiment at the end {end:+.2f} (below {rule.threshold:+.2f})",
                        rule.severity,
                    )
                )
        elif isinstance(rule, LabelDetectedRule):
            if labs is None:
                labs = labels_by_idx(labels)
            for u in conv.utterances:
                if rule.speaker != "any" and u.speaker != rule.speaker:
                    continue
                lab = labs.get(u.idx)
                if lab is None:
                    continue
                hit = (
                    rule.label in lab.detected
                    if rule.min_score is None
                    else lab.labels.get(rule.label, 0.0) >= rule.min_score
                )
                if hit:
                    who = "" if rule.speaker == "any" else f" by the {rule.speaker}"
                    flags.append(
                        Flag(
                            call_id,
                            rule.id,
                            "",
                            f"{rule.label}{who} at {ts(u.start_s)} (utterance {u.idx}): {_quote(u.text)}",
                            rule.severity,
                        )
                    )
                    break
        elif isinstance(rule, LowAsrConfidenceRule):
            conf = metrics.mean_asr_confidence
            if conf is not None and conf < rule.threshold:
                flags.append(
                    Flag(
                        call_id,
                        rule.id,
                        "",
                        f"mean ASR confidence {conf:.2f} below {rule.threshold:.2f}: the transcript may be wrong",
                        rule.severity,
                    )
                )
        elif isinstance(rule, LowRoleConfidenceRule):
            rc = conv.role_confidence
            if rc is not None and rc < rule.threshold:
                flags.append(
                    Flag(
                        call_id,
                        rule.id,
                        "",
                        f"agent/customer decision confidence {rc:.2f} below {rule.threshold:.2f}: check who is the agent",
                        rule.severity,
                    )
                )
        elif isinstance(rule, MetricRule):
            v = metrics.value(rule.metric)
            if v is None:
                continue
            if rule.above is not None and v > rule.above:
                flags.append(Flag(call_id, rule.id, "", f"{rule.metric} {v:g} above {rule.above:g}", rule.severity))
            elif rule.below is not None and v < rule.below:
                flags.append(Flag(call_id, rule.id, "", f"{rule.metric} {v:g} below {rule.below:g}", rule.severity))
    return flags
