"""The labelled PII evaluation set: loading it and measuring recall and false redactions.

File format (tab-separated, header ``id  source  category  dialogue``):

* ``category`` — ``pii`` (has tagged PII) or ``clean`` (a look-alike that must survive untouched);
* ``dialogue`` — utterances separated by `` || ``, each starting ``A:`` (agent), ``C:`` (customer)
  or ``U:`` (unknown speaker); PII is tagged ``<CARD>…</CARD>`` with the type.

A tagged span is *recalled* when every letter and digit inside it ends up inside a predicted
span and a predicted span of the tagged type overlaps it.  A clean dialogue is *altered* when
anything in it is redacted.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa_pipeline.conversation import Conversation, Utterance, Word
from qa_pipeline.errors import InputError
from qa_pipeline.paths import project_root
from qa_pipeline.redact.engine import SourceSpan, find_pii, redact_conversation
from qa_pipeline.redact.types import PII_TYPES, RedactionOptions

_TAG = re.compile(r"<(?P<t>[A-Z]+)>(?P<body>.*?)</(?P=t)>")
_SPEAKERS = {"A": "agent", "C": "customer", "U": "unknown"}


def default_eval_path() -> Path:
    return project_root() / "tests" / "data" / "pii_eval.tsv"


@dataclass(frozen=True)
class GoldSpan:
    pos: int
    pii_type: str
    start: int
    end: int


@dataclass(frozen=True)
class EvalCase:
    case_id: str
    source: str
    category: str
    utterances: tuple[tuple[str, str], ...]
    gold: tuple[GoldSpan, ...]


def parse_dialogue(
    dialogue: str, where: str = "<dialogue>"
) -> tuple[tuple[tuple[str, str], ...], tuple[GoldSpan, ...]]:
    """``"A: hi || C: it's <CVV>123</CVV>"`` → utterances and gold spans in the untagged text."""
    utts: list[tuple[str, str]] = []
    gold: list[GoldSpan] = []
    for pos, part in enumerate(p.strip() for p in dialogue.split("||")):
        m = re.match(r"^([ACU]):\s*", part)
        if not m:
            raise InputError(f"{where}: utterance {part!r} must start with 'A:', 'C:' or 'U:'")
        body = part[m.end() :]
        text: list[str] = []
        cur = 0
        length = 0
        for t in _TAG.finditer(body):
            if t.group("t") not in PII_TYPES:
                raise InputError(f"{where}: unknown tag <{t.group('t')}>; use one of {list(PII_TYPES)}")
            before = body[cur : t.start()]
            text.append(before)
            length += len(before)
            inner = t.group("body")
            gold.append(GoldSpan(pos, t.group("t"), length, length + len(inner)))
            text.append(inner)
            length += len(inner)
            cur = t.end()
        text.append(body[cur:])
        plain = "".join(text)
        if "<" in plain and re.search(r"</?[A-Z]+>", plain):
            raise InputError(f"{where}: unbalanced tag in {part!r}")
        utts.append((_SPEAKERS[m.group(1)], plain))
    return tuple(utts), tuple(gold)


def load_eval_set(path: str | Path | None = None) -> list[EvalCase]:
    path = Path(path) if path else default_eval_path()
    if not path.exists():
        raise InputError(
            f"evaluation set {path} does not exist; regenerate it with: python tests/data/make_pii_eval.py"
        )
    cases: list[EvalCase] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"id", "source", "category", "dialogue"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(
                f"{path}: missing column(s) {sorted(missing)}; the header must be: id, source, category, dialogue"
            )
        for row in reader:
            where = f"{path}:{row['id']}"
            utts, gold = parse_dialogue(row["dialogue"], where)
            if row["category"] not in ("pii", "clean"):
                raise InputError(f"{where}: category {row['category']!r} must be 'pii' or 'clean'")
            if (row["category"] == "pii") != bool(gold):
                raise InputError(f"{where}: category {row['category']!r} does not match its tags")
            cases.append(EvalCase(row["id"], row["source"], row["category"], utts, gold))
    return cases


@dataclass
class EvalReport:
    recalled: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    clean_total: int = 0
    clean_altered: int = 0
    pii_cases: int = 0
    pii_cases_spurious: int = 0
    utterances: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # process CPU time of the same pass (steadier than wall time on a shared machine)
    missed: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)

    def recall(self, pii_type: str) -> float:
        return self.recalled.get(pii_type, 0) / self.total[pii_type] if self.total.get(pii_type) else float("nan")

    @property
    def false_redaction_rate(self) -> float:
        return self.clean_altered / self.clean_total if self.clean_total else float("nan")

    @property
    def utterances_per_s(self) -> float:
        return self.utterances / self.seconds if self.seconds else float("nan")

    @property
    def utterances_per_cpu_s(self) -> float:
        return self.utterances / self.cpu_seconds if self.cpu_seconds else float("nan")


def _content(text: str, start: int, end: int) -> list[int]:
    return [i for i in range(start, end) if text[i].isalnum() or text[i] == "@"]


def score_case(case: EvalCase, predicted: Sequence[SourceSpan], report: EvalReport) -> None:
    texts = [t for _, t in case.utterances]
    preds_by_pos: dict[int, list[SourceSpan]] = {}
    for p in predicted:
        preds_by_pos.setdefault(p.pos, []).append(p)
    if case.category == "clean":
        report.clean_total += 1
        if predicted:
            report.clean_altered += 1
            report.altered.append(f"{case.case_id}: " + " || ".join(_show(texts, predicted)))
        return
    report.pii_cases += 1
    for g in case.gold:
        report.total[g.pii_type] = report.total.get(g.pii_type, 0) + 1
        preds = preds_by_pos.get(g.pos, [])
        covered = all(any(p.start <= i < p.end for p in preds) for i in _content(texts[g.pos], g.start, g.end))
        typed = any(p.pii_type == g.pii_type and p.start < g.end and p.end > g.start for p in preds)
        if covered:
            report.removed[g.pii_type] = report.removed.get(g.pii_type, 0) + 1
        if covered and typed:
            report.recalled[g.pii_type] = report.recalled.get(g.pii_type, 0) + 1
        else:
            why = "not removed" if not covered else "wrong type"
            report.missed.append(f"{case.case_id} {g.pii_type} ({why}): " + " || ".join(_show(texts, predicted)))
    spurious = [
        p for p in predicted if not any(g.pos == p.pos and g.start < p.end and g.end > p.start for g in case.gold)
    ]
    if spurious:
        report.pii_cases_spurious += 1


def _show(texts: Sequence[str], predicted: Sequence[SourceSpan]) -> list[str]:
    out = []
    for pos, text in enumerate(texts):
        spans = sorted((p for p in predicted if p.pos == pos), key=lambda p: p.start)
        s, cur = [], 0
        for p in spans:
            s.append(text[cur : p.start] + "{" + p.pii_type + ":" + text[p.start : p.end] + "}")
            cur = p.end
        s.append(text[cur:])
        out.append("".join(s))
    return out


def case_conversation(case: EvalCase, seconds_per_word: float = 0.35) -> Conversation:
    """The case as a Conversation with word timestamps (one word per whitespace-separated piece)."""
    utts = []
    t = 0.0
    for idx, (speaker, text) in enumerate(case.utterances):
        words = []
        for k, piece in enumerate(text.split()):
            words.append(Word(t, t + seconds_per_word * 0.9, (" " if k else "") + piece, 0.9))
            t += seconds_per_word
        start = words[0].start if words else t
        utts.append(Utterance(idx, speaker, start, t, text, tuple(words)))  # type: ignore[arg-type]
        t += 0.5
    return Conversation(case.case_id, tuple(utts), t)


def evaluate(cases: Sequence[EvalCase], options: RedactionOptions | None = None) -> EvalReport:
    """Recall per type and false-redaction rate of :func:`find_pii` on ``cases``; timing through
    :func:`redact_conversation` (detection + rebuilding text and words)."""
    options = options or RedactionOptions()
    report = EvalReport()
    for case in cases:
        score_case(case, find_pii(case.utterances, options), report)
    convs = [case_conversation(c) for c in cases]
    t0, c0 = time.perf_counter(), time.process_time()
    for conv in convs:
        redact_conversation(conv, options)
    report.seconds = time.perf_counter() - t0
    report.cpu_seconds = time.process_time() - c0
    report.utterances = sum(len(c.utterances) for c in convs)
    return report
