"""The classifier's configuration file, ``models/classifier/labels.yaml``.

``qa-pipeline train`` writes it (thresholds chosen on out-of-fold predictions);
a QA lead may edit a threshold by hand, which changes the classifier version
so stored results show they came from a different setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qa_pipeline.classify.result import LABELS, SENTIMENTS
from qa_pipeline.errors import ConfigError, ModelNotAvailableError
from qa_pipeline.paths import models_dir

Method = Literal["learned", "pattern+learned", "pattern", "lexicon"]
HEAD_METHODS: frozenset[str] = frozenset({"learned", "pattern+learned"})  # methods whose score uses the head

# What each label means and which tool decides it.  "pattern+learned" takes
# the higher of the pattern's score and the head's; "pattern" and "lexicon" are
# decided by the deterministic rules alone (the head's score is shown as
# evidence only: on real ASR transcripts it fired on ordinary lines, see
# docs/classifiers.md).
LABEL_SPECS: dict[str, tuple[Method, str]] = {
    "recording_disclosure": ("pattern", "The agent tells the caller the call is recorded or monitored."),
    "identity_verification": (
        "pattern+learned",
        "The agent asks for or confirms an identifier of the caller (name, phone number, address on file, date of birth, "
        "last four digits, security answer, one-time code). Not: 'which account would you like to check?', the customer "
        "giving details unasked, 'I can't verify that', 'you're verified'.",
    ),
    "greeting": ("learned", "An opening greeting: 'hello, thank you for calling …', 'good morning, how can I help?'."),
    "agent_introduction": (
        "pattern+learned",
        "The speaker gives their own name: 'my name is …' (any name, or [NAME]), '… speaking' (scorecards read it on the agent's turns).",
    ),
    "closing": ("learned", "A closing: thanks for calling, goodbye, 'is there anything else I can help with?'."),
    "empathy": (
        "learned",
        "Acknowledges the customer's feelings: 'I understand how frustrating that is', 'I'm sorry to hear that'.",
    ),
    "apology": (
        "learned",
        "Apologises for the company's or agent's error, the wait or the inconvenience. "
        "Not: 'sorry, could you repeat that?', 'I'm sorry to hear that' (empathy).",
    ),
    "active_listening": (
        "learned",
        "Paraphrases, echoes, reads back or asks to confirm the customer's details: 'so if I understand correctly, …?', 'did you say four one nine?' (echoes of the customer's specifics are also found in the conversation: classify/echo.py).",
    ),
    "hold_request": (
        "pattern+learned",
        "Asks the caller to wait or announces a hold: 'can I put you on hold?', 'one second please', 'just a moment', 'bear with me'. Not 'thanks for holding'.",
    ),
    "resolution_check": (
        "pattern+learned",
        "Checks that the issue is solved or offers further help: 'did that fix it?', 'is it working now?', 'is there anything else I can help you with?'.",
    ),
    "commitment": (
        "pattern+learned",
        "States an action done or to be done, with what it is: 'I've ordered your replacement card', 'your payment has been sent', 'we will send your payment to …', a callback, a credit by a date.",
    ),
    "upsell_offer": ("learned", "Offers an upgrade, add-on or extra product. Not the customer asking to upgrade."),
    "escalation_request": (
        "pattern+learned",
        "The customer asks for a supervisor, a manager or an escalation. Not the agent offering one.",
    ),
    "prohibited_language": (
        "lexicon",
        "Profanity, slurs, insults, dismissive or threatening lines (meant for the agent's turns; customers' lines get scored too).",
    ),
}


class FeatureConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    layers: list[int] = Field(default_factory=lambda: [6, 3], min_length=1)
    max_length: int = Field(default=128, ge=16, le=512)
    chunk_tokens: int = Field(default=64, ge=16, le=512)
    sentences: bool = True
    sentence_gate: float = Field(default=0.5, ge=0.0, le=1.0)
    batch_size: int = Field(default=64, ge=1, le=1024)

    @model_validator(mode="after")
    def _layers_in_range(self) -> FeatureConfig:
        bad = [layer for layer in self.layers if not 0 <= layer <= 6]
        if bad:
            raise ValueError(f"layers {bad} out of range: MiniLM-L6 has hidden states 0 (embeddings) to 6")
        if self.chunk_tokens > self.max_length:
            raise ValueError(f"chunk_tokens {self.chunk_tokens} exceeds max_length {self.max_length}")
        return self


class SentimentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    classes: list[str] = Field(default_factory=lambda: list[str](SENTIMENTS))

    @model_validator(mode="after")
    def _classes(self) -> SentimentConfig:
        if self.classes != list(SENTIMENTS):
            raise ValueError(f"classes must be {list(SENTIMENTS)} in that order, got {self.classes}")
        return self


class LabelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(ge=0.0, le=1.0)
    method: Method
    description: str = ""


class ClassifierConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    features: FeatureConfig = Field(default_factory=FeatureConfig)
    sentiment: SentimentConfig = Field(default_factory=SentimentConfig)
    labels: dict[str, LabelConfig]

    @model_validator(mode="after")
    def _every_label(self) -> ClassifierConfig:
        missing = [name for name in LABELS if name not in self.labels]
        unknown = [name for name in self.labels if name not in LABELS]
        if missing or unknown:
            raise ValueError(f"labels must be exactly {list(LABELS)}; missing {missing}, unknown {unknown}")
        return self

    def thresholds(self) -> dict[str, float]:
        return {name: self.labels[name].threshold for name in LABELS}


def classifier_dir() -> Path:
    return models_dir() / "classifier"


def config_path(directory: Path | None = None) -> Path:
    return (directory or classifier_dir()) / "labels.yaml"


def load_config(path: Path | None = None) -> ClassifierConfig:
    path = path or config_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelNotAvailableError(f"{path} is missing; run 'qa-pipeline train' to rebuild the classifier") from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read classifier config: {exc}") from exc
    try:
        return ClassifierConfig.model_validate(raw)
    except ValidationError as exc:
        msg = "; ".join(f"{path}: [{' -> '.join(map(str, e['loc'])) or 'root'}] {e['msg']}" for e in exc.errors())
        raise ConfigError(msg) from exc


CONFIG_HEADER = """\
# Classifier configuration, written by `qa-pipeline train`.
# Each label: its decision threshold (score >= threshold -> detected), the tool
# that scores it (learned head, or the higher of a deterministic pattern/lexicon
# and the head) and what it means.  Editing a threshold changes the classifier
# version stored with every result; `qa-pipeline reclassify --stale` re-applies it.
"""


def dump_config(config: ClassifierConfig, path: Path) -> None:
    data = config.model_dump(mode="json")
    text = CONFIG_HEADER + yaml.safe_dump(data, sort_keys=False, width=110, allow_unicode=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
