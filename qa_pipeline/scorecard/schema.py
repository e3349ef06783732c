"""The scorecard file format: strict pydantic models (unknown keys are errors).

See docs/scorecards.md for the reference.  Structural checks live in the
models; checks that need the whole file (unique ids, label and metric names,
regular expressions) are in :func:`semantic_errors`, which reports each
problem with its path inside the file.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qa_pipeline.classify.result import LABELS
from qa_pipeline.metrics import METRICS
from qa_pipeline.scorecard.regex import pattern_problem

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
Party = Literal["agent", "customer", "any"]

CRITERION_KINDS = ("label_present", "label_absent", "metric", "sentiment")
SENTIMENT_CONDITIONS = ("end_not_negative", "improved_after_negative_start")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


MAX_EXAMPLES = 50


class TopicSpec(_Strict):
    """A topic: keywords (``phrases``/``patterns``, matched on the redacted text, case-insensitive) and/or
    ``examples`` (sentences showing the behaviour, matched by meaning: :mod:`qa_pipeline.scorecard.examples`)."""

    description: str = ""
    phrases: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    patterns: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    counter_examples: list[str] = Field(default_factory=list)
    threshold: float | None = Field(default=None, gt=0, lt=1)

    @field_validator("examples", "counter_examples")
    @classmethod
    def _sentences(cls, v: list[str]) -> list[str]:
        if len(v) > MAX_EXAMPLES:
            raise ValueError(f"{len(v)} sentences; give at most {MAX_EXAMPLES} (a few varied ones work best)")
        for i, text in enumerate(v):
            if len(text.split()) < 2:
                raise ValueError(f"entry {i} ({text!r}) is not a sentence; write a whole sentence of two words or more")
        if len({" ".join(t.lower().split()) for t in v}) < len(v):
            raise ValueError("the same sentence is listed twice; keep one")
        return v

    @model_validator(mode="after")
    def _something(self) -> TopicSpec:
        if not self.phrases and not self.patterns and not self.examples:
            raise ValueError("a topic needs at least one entry in 'phrases', 'patterns' or 'examples'")
        if self.counter_examples and not self.examples:
            raise ValueError("'counter_examples' only go with 'examples'")
        if self.threshold is not None and not self.examples:
            raise ValueError("'threshold' only goes with 'examples' (it is their similarity threshold)")
        return self


class NaCondition(_Strict):
    """One condition under ``na_when``; exactly one of the condition keys is set."""

    no_hold: Literal[True] | None = None
    no_negative_customer: Literal[True] | None = None
    absent: str | None = None
    present: str | None = None
    speaker: Party = "any"
    metric: str | None = None
    below: float | None = None
    above: float | None = None
    # N/A when the customer never waited this long on the agent (silence before an agent turn)
    no_wait_over_s: float | None = Field(default=None, gt=0)
    # N/A for calls of these queues (the call's ``queue`` metadata): criteria a queue has no policy for
    queues: list[Annotated[str, Field(min_length=1)]] | None = None
    # modifier: the condition does not make the criterion N/A when this label/topic occurs (by unless_speaker)
    unless_present: str | None = None
    unless_speaker: Party = "any"

    @model_validator(mode="after")
    def _exactly_one(self) -> NaCondition:
        keys = [
            k
            for k in ("no_hold", "no_negative_customer", "absent", "present", "metric", "no_wait_over_s", "queues")
            if getattr(self, k) is not None
        ]
        if len(keys) != 1:
            raise ValueError(
                "give exactly one of no_hold: true, no_negative_customer: true, absent: NAME, present: NAME, "
                f"metric: NAME (with below/above), no_wait_over_s: SECONDS, queues: [QUEUE, ...]; got {keys or 'none'}"
            )
        if self.unless_speaker != "any" and self.unless_present is None:
            raise ValueError("'unless_speaker' only goes with 'unless_present'")
        if self.metric is not None and self.below is None and self.above is None:
            raise ValueError("'metric' needs 'below' and/or 'above'")
        if self.metric is None and (self.below is not None or self.above is not None):
            raise ValueError("'below'/'above' only go with 'metric'")
        if self.speaker != "any" and self.absent is None and self.present is None:
            raise ValueError("'speaker' only goes with 'absent' or 'present'")
        return self


class _CriterionBase(_Strict):
    id: Id
    title: str = ""
    description: str = ""
    points: float = Field(ge=0, le=1000)
    auto_fail: bool = False
    na_when: list[NaCondition] = Field(default_factory=list)

    @model_validator(mode="after")
    def _points(self):
        if self.points == 0 and not self.auto_fail:
            raise ValueError("points must be > 0 unless the criterion is auto_fail")
        return self


class _Window(_Strict):
    within_first_s: float | None = Field(default=None, gt=0)
    within_last_s: float | None = Field(default=None, gt=0)
    min_score: float | None = Field(default=None, ge=0, le=1)


class LabelPresent(_CriterionBase, _Window):
    """The label (or topic) must appear, optionally by a party, in a window, before another label/topic."""

    kind: Literal["label_present"]
    label: str
    speaker: Party = "agent"
    before: str | None = None
    before_speaker: Party = "any"
    min_count: int = Field(default=1, ge=1)


class LabelAbsent(_CriterionBase, _Window):
    """The label (or topic) must not appear."""

    kind: Literal["label_absent"]
    label: str
    speaker: Party = "agent"


class MetricCriterion(_CriterionBase):
    """A conversation metric within bounds (inclusive)."""

    kind: Literal["metric"]
    metric: str
    min: float | None = None
    max: float | None = None
    when_missing: Literal["na", "fail"] = "na"

    @model_validator(mode="after")
    def _bounds(self) -> MetricCriterion:
        if self.min is None and self.max is None:
            raise ValueError("a metric criterion needs 'min' and/or 'max'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class SentimentCriterion(_CriterionBase):
    """A condition on a party's sentiment over the call."""

    kind: Literal["sentiment"]
    condition: Literal["end_not_negative", "improved_after_negative_start"]
    party: Literal["customer", "agent"] = "customer"
    negative_threshold: float = Field(default=-0.25, ge=-1, le=0)
    min_improvement: float = Field(default=0.25, gt=0, le=2)


Criterion = Annotated[
    LabelPresent | LabelAbsent | MetricCriterion | SentimentCriterion,
    Field(discriminator="kind"),
]


class Section(_Strict):
    id: Id
    title: str = ""
    description: str = ""
    weight: float = Field(ge=0, le=1000)  # 0: its criteria are recorded (verdicts, evidence) but not scored
    criteria: list[Criterion] = Field(min_length=1)


Glob = Annotated[str, Field(min_length=1, max_length=200)]
CHANNELS = ("voice", "chat")
DIRECTION_VALUES = ("inbound", "outbound")


class AppliesTo(_Strict):
    """Which calls a scorecard scores: every key given must match (any of its globs, case-insensitive).

    Globs use shell wildcards (``*``, ``?``, ``[abc]``); a call without the
    field (e.g. no queue in the manifest) does not match a key that is given.
    ``channel`` is ``voice`` unless the call says otherwise.
    """

    queue: list[Glob] | None = None
    direction: list[Glob] | None = None
    team: list[Glob] | None = None
    channel: list[Glob] | None = None

    @field_validator("queue", "direction", "team", "channel", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator("direction")
    @classmethod
    def _directions(cls, v: list[str] | None) -> list[str] | None:
        return _known_globs(v, DIRECTION_VALUES, "direction")

    @field_validator("channel")
    @classmethod
    def _channels(cls, v: list[str] | None) -> list[str] | None:
        return _known_globs(v, CHANNELS, "channel")

    @model_validator(mode="after")
    def _something(self) -> AppliesTo:
        if all(getattr(self, k) is None for k in ("queue", "direction", "team", "channel")):
            raise ValueError("'applies_to' needs at least one of queue, direction, team, channel")
        for k in ("queue", "direction", "team", "channel"):
            if getattr(self, k) == []:
                raise ValueError(f"'{k}' is an empty list; give at least one value or drop the key")
        return self


def _known_globs(v: list[str] | None, known: tuple[str, ...], what: str) -> list[str] | None:
    import fnmatch

    for g in v or ():
        if not any(fnmatch.fnmatchcase(k, g.lower()) for k in known):
            raise ValueError(f"{what} {g!r} matches none of {', '.join(known)}")
    return v


class ScorecardSpec(_Strict):
    id: Id
    title: str = Field(min_length=1)
    description: str = ""
    active: bool = True
    applies_to: AppliesTo | None = None
    default: bool = False
    pass_threshold: float = Field(default=80.0, ge=0, le=100)
    topics: dict[str, TopicSpec] = Field(default_factory=dict)
    sections: list[Section] = Field(min_length=1)

    @field_validator("topics")
    @classmethod
    def _topic_names(cls, v: dict[str, TopicSpec]) -> dict[str, TopicSpec]:
        for name in v:
            if not re.match(ID_PATTERN, name):
                raise ValueError(f"topic name {name!r} must be lower_snake_case (letters, digits, _)")
        return v

    @model_validator(mode="after")
    def _default_or_targeted(self) -> ScorecardSpec:
        if self.default and self.applies_to is not None:
            raise ValueError("a scorecard is either the default (default: true) or targeted (applies_to), not both")
        return self


def _suggest(name: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def semantic_errors(spec: ScorecardSpec) -> list[tuple[tuple, str]]:
    """Whole-file checks: ``[(path, message)]``, empty when the scorecard is consistent."""
    errors: list[tuple[tuple, str]] = []
    names = list(LABELS) + list(spec.topics)
    for name, topic in spec.topics.items():
        if name in LABELS:
            errors.append((("topics", name), f"topic {name!r} has the name of a classifier label; rename the topic"))
        for i, pat in enumerate(topic.patterns):
            problem = pattern_problem(pat)
            if problem is not None:
                errors.append((("topics", name, "patterns", i), problem))

    def check_name(path: tuple, value: str | None) -> None:
        if value is not None and value not in names:
            errors.append(
                (
                    path,
                    f"unknown label or topic {value!r}{_suggest(value, names)}; use one of the labels "
                    f"{', '.join(LABELS)} or a topic defined under 'topics'",
                )
            )

    def check_metric(path: tuple, value: str | None) -> None:
        if value is not None and value not in METRICS:
            errors.append(
                (path, f"unknown metric {value!r}{_suggest(value, list(METRICS))}; known: {', '.join(METRICS)}")
            )

    seen_sections: dict[str, int] = {}
    seen_criteria: dict[str, tuple] = {}
    for si, section in enumerate(spec.sections):
        if section.id in seen_sections:
            errors.append(
                (
                    (("sections", si, "id")),
                    f"duplicate section id {section.id!r} (also sections -> {seen_sections[section.id]}); give each section its own id",
                )
            )
        seen_sections.setdefault(section.id, si)
        for ci, crit in enumerate(section.criteria):
            base = ("sections", si, "criteria", ci)
            if crit.id in seen_criteria:
                errors.append(
                    (
                        base + ("id",),
                        f"duplicate criterion id {crit.id!r} (also {' -> '.join(map(str, seen_criteria[crit.id]))}); criterion ids must be unique across the scorecard",
                    )
                )
            seen_criteria.setdefault(crit.id, base)
            if isinstance(crit, (LabelPresent, LabelAbsent)):
                check_name(base + ("label",), crit.label)
                if crit.within_first_s is not None and crit.within_last_s is not None:
                    errors.append((base, "give 'within_first_s' or 'within_last_s', not both"))
                if crit.min_score is not None and crit.label in spec.topics and not spec.topics[crit.label].examples:
                    errors.append(
                        (base + ("min_score",), f"{crit.label!r} is a keyword topic and has no score; drop 'min_score'")
                    )
            if isinstance(crit, LabelPresent):
                check_name(base + ("before",), crit.before)
                if crit.before is not None and crit.before == crit.label:
                    errors.append((base + ("before",), "'before' names the criterion's own label"))
            if isinstance(crit, MetricCriterion):
                check_metric(base + ("metric",), crit.metric)
            for ni, cond in enumerate(crit.na_when):
                npath = base + ("na_when", ni)
                check_name(npath + ("absent",), cond.absent)
                check_name(npath + ("present",), cond.present)
                check_name(npath + ("unless_present",), cond.unless_present)
                check_metric(npath + ("metric",), cond.metric)
    return errors
