"""The project's own training data: template files expanded into labelled utterances.

Everything under ``models/training/`` was written for this project:

* ``slots.yaml`` — shared slot fillers (``company``, ``agent``, ``pii`` …);
* ``sentiment/*.yaml`` and ``labels/*.yaml`` — groups of templates, each group
  carrying a ``sentiment`` and/or a ``labels`` list (``[]`` = none of the labels);
* ``sentiment/handwritten*_<sentiment>.txt`` — one hand-written utterance a line.

A template names a slot as ``{slot}`` or picks an inline alternative with
``{a|b|}``; fillers may contain slots themselves.  Expansion is seeded, so the
same files and seed always give the same examples.

The held-out split is by *phrase*, not by row: every slot with at least
``MIN_SPLIT_SLOT`` fillers sends about a fifth of its fillers to the test side
only, templates without such a slot go wholly to one side by a hash of their
text, and so do hand-written lines.  Test examples therefore use phrasings the
heads never saw in training.
"""

from __future__ import annotations

import logging
import random
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qa_pipeline.classify.normalize import normalize_text
from qa_pipeline.classify.patterns import load_patterns
from qa_pipeline.classify.result import LABELS, SENTIMENTS
from qa_pipeline.errors import ConfigError
from qa_pipeline.paths import models_dir

logger = logging.getLogger("qa_pipeline.classify.data")

Split = Literal["train", "test"]
_SLOT_RE = re.compile(r"\{([^{}]*)\}")
MIN_SPLIT_SLOT = 5
TEST_SHARE = 5  # one in TEST_SHARE fillers / templates / lines goes to the test side
_MAX_EXPANSION_STEPS = 60


def training_dir() -> Path:
    return models_dir() / "training"


@dataclass(frozen=True)
class Example:
    """One training utterance: its text, sentiment (or None) and labels (or None = unknown)."""

    text: str
    sentiment: str | None
    labels: frozenset[str] | None
    source: str
    split: Split


@dataclass(frozen=True)
class TrainingData:
    examples: tuple[Example, ...]
    files: tuple[str, ...] = field(default=())

    def sentiment_examples(self, split: Split) -> list[Example]:
        return [e for e in self.examples if e.split == split and e.sentiment is not None]

    def label_examples(self, split: Split) -> list[Example]:
        return [e for e in self.examples if e.split == split and e.labels is not None]


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sentiment: Literal["negative", "neutral", "positive"] | None = None
    labels: list[str] | None = None
    n: int = Field(default=4, ge=1, le=200)
    templates: list[str] = Field(min_length=1)

    @field_validator("labels")
    @classmethod
    def _known_labels(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            unknown = sorted(set(value) - set(LABELS))
            if unknown:
                raise ValueError(f"unknown labels {unknown}; known: {', '.join(LABELS)}")
        return value


class _TemplateFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slots: dict[str, list[str]] = Field(default_factory=dict)
    groups: list[_Group] = Field(default_factory=list)


class _SlotsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slots: dict[str, list[str]]


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read training file: {exc}") from exc


def _validation_message(path: Path, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = " -> ".join(str(p) for p in err["loc"])
        parts.append(f"{path}: [{loc}] {err['msg']}")
    return "; ".join(parts)


def _stable_hash(*parts: str) -> int:
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


def _is_test_key(*parts: str) -> bool:
    return _stable_hash(*parts) % TEST_SHARE == 0


def clean_text(text: str) -> str:
    """Tidy an expanded template: spacing around punctuation, doubled stops."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"([,;:])(?=[,.!?])", "", text)
    text = re.sub(r"\.{2,}(?!\.)", ".", text)
    text = re.sub(r"\?\.", "?", text)
    text = re.sub(r"!\.", "!", text)
    text = re.sub(r"^[,;:]\s*", "", text)
    return text.strip()


class _Expander:
    """Expands one template with slot fillers restricted to one side of the split."""

    def __init__(self, slots: dict[str, list[str]], source: str) -> None:
        self.slots = slots
        self.source = source
        self.split_slots = {name for name, vals in slots.items() if len(vals) >= MIN_SPLIT_SLOT}
        self._side_cache: dict[tuple[str, Split], list[str]] = {}

    def fillers(self, name: str, side: Split) -> list[str]:
        key = (name, side)
        if key not in self._side_cache:
            values = self.slots[name]
            if name not in self.split_slots:
                chosen = values
            else:
                test = [v for v in values if _is_test_key(name, v)]
                train = [v for v in values if not _is_test_key(name, v)]
                chosen = test if side == "test" else train
                if not chosen:
                    chosen = values
            self._side_cache[key] = chosen
        return self._side_cache[key]

    def uses_split_slot(self, template: str) -> bool:
        """Whether the template names (anywhere, even inside alternatives) a slot that is split."""
        return any(name in self.split_slots for name in re.findall(r"\{([a-z_0-9]+)\}", template))

    def expand(self, template: str, rng: random.Random, side: Split) -> str:
        text = template
        for _ in range(_MAX_EXPANSION_STEPS):
            match = _SLOT_RE.search(text)
            if match is None:
                return clean_text(text)
            body = match.group(1)
            if "|" in body or body == "":
                choice = rng.choice(body.split("|"))
            else:
                if body not in self.slots:
                    raise ConfigError(
                        f"{self.source}: template {template!r} names slot {{{body}}} which is defined neither "
                        "in models/training/slots.yaml nor in the file's own 'slots'; add it or fix the name"
                    )
                choice = rng.choice(self.fillers(body, side))
            text = text[: match.start()] + choice + text[match.end() :]
        raise ConfigError(f"{self.source}: template {template!r} does not finish expanding (a slot refers to itself?)")


def load_slots(path: Path | None = None) -> dict[str, list[str]]:
    path = path or training_dir() / "slots.yaml"
    raw = _read_yaml(path)
    try:
        return _SlotsFile.model_validate(raw).slots
    except ValidationError as exc:
        raise ConfigError(_validation_message(path, exc)) from exc


def expand_file(path: Path, shared_slots: dict[str, list[str]], seed: int, root: Path) -> list[Example]:
    raw = _read_yaml(path)
    try:
        spec = _TemplateFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_validation_message(path, exc)) from exc
    rel = path.relative_to(root).as_posix()
    expander = _Expander({**shared_slots, **spec.slots}, rel)
    out: list[Example] = []
    for g_no, group in enumerate(spec.groups):
        labels = frozenset(group.labels) if group.labels is not None else None
        if group.sentiment is None and labels is None:
            raise ConfigError(
                f"{path}: [groups -> {g_no}] a group needs 'sentiment' or 'labels' (use labels: [] for none)"
            )
        for t_no, template in enumerate(group.templates):
            rng = random.Random(seed * 1_000_003 + _stable_hash(rel, template))
            if expander.uses_split_slot(template):
                plan: list[tuple[Split, int]] = [("train", group.n), ("test", max(1, group.n // 4))]
            else:
                side: Split = "test" if _is_test_key(rel, template) else "train"
                plan = [(side, group.n)]
            for side, count in plan:
                seen: set[str] = set()
                for _ in range(count * 4):
                    if len(seen) >= count:
                        break
                    text = expander.expand(template, rng, side)
                    if text and text not in seen:
                        seen.add(text)
                        out.append(Example(text, group.sentiment, labels, f"{rel}#{g_no}.{t_no}", side))
    return out


def read_handwritten(path: Path, sentiment: str, root: Path) -> list[Example]:
    rel = path.relative_to(root).as_posix()
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        side: Split = "test" if _is_test_key(rel, line) else "train"
        out.append(Example(clean_text(line), sentiment, None, rel, side))
    return out


def compose(examples: Sequence[Example], count: int, rng: random.Random, split: Split) -> list[Example]:
    """Join 2–3 labelled utterances into one turn; its labels are the union.

    Agents often open with greeting + name + disclosure in one breath, or close
    with a resolution check and a goodbye, so the heads must find a label in
    a longer turn.
    """
    pool = [
        e
        for e in examples
        if e.labels is not None and e.split == split and len(e.text) < 160 and e.source.startswith("labels/")
    ]
    if len(pool) < 3:
        return []
    out = []
    for _ in range(count):
        parts = rng.sample(pool, rng.choice((2, 2, 3)))
        text = " ".join(p.text if p.text[-1:] in ".?!" else p.text + "." for p in parts)
        labels: frozenset[str] = frozenset().union(*(p.labels or frozenset() for p in parts))
        out.append(Example(text, None, labels, "composed", split))
    return out


def strip_punctuation(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[.,!?;:]", "", text)).strip()


def load_training_data(root: Path | None = None, *, seed: int = 13, compose_share: float = 0.35) -> TrainingData:
    """Expand every training file under ``root`` (default ``models/training``)."""
    root = root or training_dir()
    if not root.is_dir():
        raise ConfigError(
            f"training data directory {root} does not exist; it ships with the repository under models/training"
        )
    slots = load_slots(root / "slots.yaml")
    examples: list[Example] = []
    files: list[str] = []
    for path in sorted(root.glob("*/*.yaml")):
        examples.extend(expand_file(path, slots, seed, root))
        files.append(path.relative_to(root).as_posix())
    for sentiment in SENTIMENTS:
        for path in sorted(root.glob(f"*/handwritten*_{sentiment}.txt")):
            examples.extend(read_handwritten(path, sentiment, root))
            files.append(path.relative_to(root).as_posix())
    if not examples:
        raise ConfigError(f"no training examples found under {root}")
    examples = with_pattern_labels(examples)
    rng = random.Random(seed)
    composed: list[Example] = []
    for split in ("train", "test"):
        labelled = [e for e in examples if e.labels is not None and e.split == split and e.labels]
        composed.extend(compose(examples, int(len(labelled) * compose_share), rng, split))
    examples.extend(composed)
    # Whisper usually punctuates, but not always: teach the heads unpunctuated turns too.
    extra = []
    for e in examples:
        if _stable_hash(str(seed), e.source, e.text) % 100 < 15:
            bare = strip_punctuation(e.text)
            if bare and bare != e.text:
                extra.append(Example(bare, e.sentiment, e.labels, e.source + "~nopunct", e.split))
    examples.extend(extra)
    unique = _dedupe(examples)
    logger.info("training data: %d examples from %d files", len(unique), len(files))
    return TrainingData(tuple(unique), tuple(files))


# Labels whose deterministic pattern defines part of what they mean (short hold requests, actions stated as
# done, offers of further help, requests for an identifier, a speaker's own name): a training line the pattern matches carries the
# label, whatever its template group says, so the head learns the same meaning the pattern gives.
PATTERN_DEFINED_LABELS = frozenset(
    {"hold_request", "commitment", "resolution_check", "identity_verification", "agent_introduction"}
)


def with_pattern_labels(examples: Sequence[Example]) -> list[Example]:
    """Add :data:`PATTERN_DEFINED_LABELS` that a scripted pattern finds to each labelled example."""
    patterns = load_patterns(models_dir() / "classifier" / "prohibited_lexicon.yaml")
    out = []
    for e in examples:
        if e.labels is not None:
            found = {h.label for h in patterns.hits(normalize_text(e.text))} & PATTERN_DEFINED_LABELS
            if not found <= e.labels:
                e = Example(e.text, e.sentiment, e.labels | found, e.source, e.split)
        out.append(e)
    return out


def _dedupe(examples: Iterable[Example]) -> list[Example]:
    """Drop repeats; a text on both sides stays on the train side only."""
    by_text: dict[tuple[str, str | None, frozenset[str] | None], Example] = {}
    train_texts = set()
    ordered = list(examples)
    for e in ordered:
        if e.split == "train":
            train_texts.add(e.text.lower())
    out = []
    for e in ordered:
        key = (e.text.lower(), e.sentiment, e.labels)
        if key in by_text:
            continue
        if e.split == "test" and e.text.lower() in train_texts:
            continue
        by_text[key] = e
        out.append(e)
    return out
