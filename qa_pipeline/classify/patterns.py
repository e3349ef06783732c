"""Deterministic evidence: the prohibited-language lexicon and scripted-phrase patterns.

A pattern is the honest tool where the wording is fixed or the class is a
closed list: the recording disclosure is a scripted sentence, a hold request
names the hold, an escalation request names the supervisor, and profanity and
slurs are a finite vocabulary.  Each match gives a fixed score and the matched
text (shown to reviewers by ``qa-pipeline classify --explain``); the
classifier combines it with the learned head by taking the higher score.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa_pipeline.errors import ConfigError

logger = logging.getLogger("qa_pipeline.classify.patterns")

# Look-alike characters accepted for a letter ("*" stands for any masked letter).
_LOOKALIKES: Mapping[str, str] = {
    "a": "a@4*",
    "e": "e3*",
    "i": "i1!*",
    "o": "o0*",
    "s": "s$5*",
    "t": "t7*",
    "u": "uv*",
}
_BEFORE = r"(?<![a-z0-9])"
_AFTER = r"(?![a-z0-9])"


@dataclass(frozen=True)
class PatternHit:
    """One deterministic match: which label, the score it gives, what matched and why."""

    label: str
    score: float
    matched: str
    rule: str


class _Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tiers: dict[str, float]
    words: dict[str, list[str]] = Field(default_factory=dict)
    phrases: dict[str, list[str]] = Field(default_factory=dict)


def _word_regex(entry: str) -> str:
    """``"*shit"`` → an obfuscation-tolerant whole-word regex."""
    prefix = entry.startswith("*")
    suffix = entry.endswith("*") and len(entry) > 1
    core = entry.strip("*")
    if not core or not re.fullmatch(r"[a-z]+", core):
        raise ValueError(f"lexicon word {entry!r} must be lower-case letters with an optional leading/trailing '*'")
    parts = []
    for ch in core:
        chars = _LOOKALIKES.get(ch, ch + "*")
        parts.append("[" + re.escape(chars) + "]+")
    body = "".join(parts)
    return _BEFORE + ("[a-z]*" if prefix else "") + body + ("[a-z]*" if suffix else "") + _AFTER


def prepare(text: str) -> str:
    """Lower-case with plain apostrophes and single spaces: the form every pattern sees."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class _Rule:
    label: str
    tier: str
    score: float
    regex: re.Pattern[str]
    source: str
    is_word: bool


_HAS_LETTER = re.compile(r"[a-z]")


class Lexicon:
    """The prohibited-language lexicon compiled from ``prohibited_lexicon.yaml``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(
                f"{path}: prohibited-language lexicon is missing; it ships in models/classifier/"
            ) from exc
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read lexicon: {exc}") from exc
        try:
            spec = _Lexicon.model_validate(raw)
        except ValidationError as exc:
            msg = "; ".join(f"{path}: [{' -> '.join(map(str, e['loc']))}] {e['msg']}" for e in exc.errors())
            raise ConfigError(msg) from exc
        rules: list[_Rule] = []
        for kind, table in (("words", spec.words), ("phrases", spec.phrases)):
            for tier, entries in table.items():
                if tier not in spec.tiers:
                    raise ConfigError(f"{path}: [{kind} -> {tier}] tier has no score; add it under 'tiers'")
                for entry in entries:
                    try:
                        pattern = _word_regex(entry) if kind == "words" else r"\b(?:" + entry + r")\b"
                        regex = re.compile(pattern)
                    except (ValueError, re.error) as exc:
                        raise ConfigError(f"{path}: [{kind} -> {tier}] bad entry {entry!r}: {exc}") from exc
                    rules.append(
                        _Rule("prohibited_language", tier, spec.tiers[tier], regex, f"{tier}:{entry}", kind == "words")
                    )
        self.rules = tuple(rules)
        self.tiers = dict(spec.tiers)

    def hits(self, prepared: str) -> list[PatternHit]:
        out = []
        for rule in self.rules:
            for m in rule.regex.finditer(prepared):
                # a look-alike-only match ("455", "@$$") is a number or noise, not a word
                if rule.is_word and not _HAS_LETTER.search(m.group(0)):
                    continue
                out.append(PatternHit(rule.label, rule.score, m.group(0), rule.source))
                break
        return out


# Scripted phrases.  Each regex runs on ``prepare(text)``.
_SCRIPTED: tuple[tuple[str, float, str], ...] = (
    # "this call may be recorded", "calls are monitored for quality", "we record our calls"
    (
        "recording_disclosure",
        0.97,
        r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwill )(?<!\bif )"
        r"\b(?:this|the|your|our|all|these) (?:call|calls|conversation|conversations|line)\b[^.?!]{0,30}?"
        r"\b(?:is|are|may be|will be|might be|can be|being|could be|be)\b[^.?!]{0,20}?\b(?:recorded|monitored)\b",
    ),
    (
        "recording_disclosure",
        0.97,
        r"\b(?:we|we'll|we will|we're|we are|i'm|i am|i'll|i will)(?: be| also)? (?:record|recording|monitor|monitoring|records)\b"
        r"[^.?!]{0,15}\b(?:calls|call|conversations|conversation|line)\b",
    ),
    ("recording_disclosure", 0.95, r"\b(?:calls|this call) to this line are recorded\b"),
    # "can I put you on a brief hold?", "would you mind holding for two minutes?"
    (
        "hold_request",
        0.95,
        r"\b(?:can|could|may|might|would it be (?:ok|okay|alright|all right) if|is it (?:ok|okay|alright|all right) (?:if|to)|"
        r"do you mind if|would you mind if|mind if) (?:i |we )?(?:put|place|pop|putting|placing) you on (?:a )?(?:brief |short |quick |little )?hold\b",
    ),
    (
        "hold_request",
        0.93,
        r"\b(?:do you mind|would you mind|are you able to|can you|could you|would you be (?:ok|okay|able to)) (?:holding|hold)"
        r"(?: (?:for|while|on|the line)\b|\s*\?|\s*$)",
    ),
    (
        "hold_request",
        0.9,
        r"\b(?:i'm going to|i'll|i need to|let me|i am going to|i'm gonna) (?:put|place|pop) you on (?:a )?(?:brief |short |quick |little )?hold\b"
        r"[^.?!]{0,60}(?:\?|\b(?:okay|ok|alright|all right)\b)",
    ),
    # short hold requests: "one second please", "just a moment", "bear with me", "give me a minute"
    (
        "hold_request",
        0.9,
        r"(?<!\bfor )\b(?:(?:just |only )?(?:one|1) (?:second|sec|moment|minute|min)(?: please| for me| while i)?"
        r"|(?:just|only|wait) a (?:second|sec|moment|minute|min)|bear with me|hang on (?:a|one) (?:second|sec|moment|minute)"
        r"|hold on (?:a|one|just a) (?:second|sec|moment|minute)|give me (?:a|one|just a) (?:second|sec|moment|minute|min)"
        r"|(?:please )?hold (?:the line|on)(?: please| for (?:a|one|just a) (?:second|sec|moment|minute))?\s*$)",
    ),
    # the speaker gives their own name, whichever name it is (or the redaction placeholder [NAME])
    (
        "agent_introduction",
        0.9,
        r"\bmy name(?:'s| is) (?:\[name\]|[a-z]+)|\b(?:this is|it's) (?:\[name\]|[a-z]+) (?:speaking|here)\b"
        r"|\byou(?:'re| are) (?:speaking|talking) (?:to|with) (?:\[name\]|[a-z]+)\b",
    ),
    # offering further help or checking the issue is solved
    (
        "resolution_check",
        0.92,
        r"\b(?:is there |was there |are there )?(?:anything|something) (?:else|more) (?:(?:that |which )?(?:i|we) (?:can|could|may|might) "
        r"(?:help|assist|do)|for you|today|you need|i can do|at all)|\bcan i help you with anything else\b|\bhow else can i help\b"
        r"|\bwhat else can i (?:help|do)\b|\banything else\s*\??$|\b(?:did|does|has) (?:that|this) (?:solve|fix|resolve|answer|take care of|sort)\b",
    ),
    # an action done or announced, with what it is: "i've ordered your replacement card", "has been transferred",
    # "we will send your payment", "your appointment has been scheduled", "arriving in three to five business days"
    (
        "commitment",
        0.9,
        r"\b(?:i've|i have|we've|we have)(?: just| now| already| gone ahead and)? (?:ordered|sent|transferred|scheduled|booked|submitted|"
        r"processed|placed|issued|mailed|paid|cancell?ed|canceled|reset|updated|changed|set up|made (?:the|a|your) (?:payment|transfer|appointment))\b"
        r"|\b(?:has been|have been|'s been|'ve been|will be|is now|has now been|has successfully been) (?:successfully )?(?:ordered|sent|transferred|scheduled|booked|"
        r"submitted|processed|placed|issued|mailed|paid|cancell?ed|canceled|reset|updated|set up|completed|approved|credited|refunded|shipped)\b"
        r"|\b(?:i'll|we'll|i will|we will|i'm going to|we're going to|i am going to|we are going to|i'm gonna|we're gonna|let me)"
        r"(?: go ahead and| just)? (?:send|transfer|schedule|book|order|mail|process|submit|issue|pay|replace|cancel|reset|set up|get (?:that|this|it|you) "
        r"(?:done|set up|sent|ordered|scheduled|booked|out))\b"
        r"|\b(?:got|have|get) (?:that|this|it) (?:done|submitted|set up|taken care of)\b"
        r"|\b(?:transfer|payment|order|appointment|reset) (?:was|is|has been|went) (?:successful|complete|completed|through|confirmed|made)\b"
        r"|\b(?:should |will |it'll |it will |you'll |you will )?(?:arrive|receive it|get it|be delivered|be there|come)\b[^.?!]{0,25}\b(?:business )?days\b",
    ),
    # the agent asks for (or confirms) an identifier of the caller: name, phone number, address, date of birth, ...
    (
        "identity_verification",
        0.9,
        r"\b(?:what(?:'s| is| was)|can i (?:get|have)|could i (?:get|have)|may i (?:get|have)|can you (?:give me|tell me|confirm|verify|provide|state)|"
        r"could you (?:give me|tell me|confirm|verify|provide|state)|i(?:'ll| will)? need|please (?:give me|confirm|verify|state)|let me get|"
        r"can you please (?:give me|tell me|confirm|verify|provide)|could you please (?:give me|tell me|confirm|verify|provide)|and)"
        r" (?:me )?(?:your|the) (?:full |first and last |home |mailing |billing |registered |current )?(?:name|phone number|telephone number|"
        r"number on (?:the|your) account|address|zip(?: code)?|postcode|post code|date of birth|birth ?date|social security number|social|"
        r"last (?:four|4) (?:digits)?|security (?:answer|question|code)|pin|passcode|account number|card number|member number|mother's maiden name)\b",
    ),
    # the customer asks for a supervisor or an escalation
    (
        "escalation_request",
        0.95,
        r"\b(?:i want|i need|i'd like|i would like|i demand|i wanna|let me|can i|could i|may i|i'm asking) (?:to )?(?:speak|talk) (?:to|with) "
        r"(?:a |your |the |an? |some )?(?:supervisor|manager|team leader|boss|management|senior agent|"
        r"(?:someone|somebody|anyone|anybody|the person|a person) (?:senior|higher up|above you|in charge|who can (?:actually )?(?:make a decision|decide|help)))\b",
    ),
    (
        "escalation_request",
        0.95,
        r"\b(?:get|transfer|connect|put) me (?:to |with |through to )?(?:a |your |the |some )?(?:supervisor|manager|boss|team leader|"
        r"(?:someone|somebody) (?:senior|higher up|above you|in charge))\b",
    ),
    (
        "escalation_request",
        0.95,
        r"\bput (?:a |your |the )?(?:supervisor|manager|boss|team leader|someone senior|somebody senior|someone in charge|somebody in charge) "
        r"on(?: the (?:phone|line))?\b",
    ),
    (
        "escalation_request",
        0.93,
        r"\b(?:i want|i need|i'd like|please|can you|could you) (?:this |my complaint |it )?(?:to be )?escalat(?:e|ed)\b",
    ),
)


@dataclass(frozen=True)
class _Scripted:
    label: str
    score: float
    regex: re.Pattern[str]
    source: str


class PatternSet:
    """Every deterministic rule: the lexicon plus the scripted-phrase patterns."""

    def __init__(self, lexicon_path: Path) -> None:
        self.lexicon = Lexicon(lexicon_path)
        self.scripted = tuple(
            _Scripted(label, score, re.compile(rx), f"pattern:{label}#{i}")
            for i, (label, score, rx) in enumerate(_SCRIPTED)
        )

    @property
    def labels(self) -> frozenset[str]:
        return frozenset({"prohibited_language"} | {s.label for s in self.scripted})

    def hits(self, text: str) -> list[PatternHit]:
        prepared = prepare(text)
        out = self.lexicon.hits(prepared)
        for rule in self.scripted:
            m = rule.regex.search(prepared)
            if m:
                out.append(PatternHit(rule.label, rule.score, m.group(0), rule.source))
        return out

    def scores(self, text: str) -> dict[str, float]:
        """The highest pattern score per label (labels without a hit are absent)."""
        best: dict[str, float] = {}
        for hit in self.hits(text):
            if hit.score > best.get(hit.label, 0.0):
                best[hit.label] = hit.score
        return best


@lru_cache(maxsize=4)
def load_patterns(lexicon_path: Path) -> PatternSet:
    return PatternSet(lexicon_path)
