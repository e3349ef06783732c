"""Read scorecard and flag-rule YAML files strictly, with precise error messages.

Every problem is reported as ``FILE: [path -> inside -> file] message`` and
all problems of a file are reported at once.  Duplicate YAML keys are errors
(plain PyYAML would silently keep the last one).
"""

from __future__ import annotations

import difflib
import logging
import re
import types
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from qa_pipeline.errors import ConfigError, NotFoundError
from qa_pipeline.paths import scorecards_dir
from qa_pipeline.scorecard.examples import ExampleTopic
from qa_pipeline.scorecard.regex import compile_patterns, substring_finder
from qa_pipeline.scorecard.schema import ScorecardSpec, semantic_errors
from qa_pipeline.scorecard.version import content_version

logger = logging.getLogger("qa_pipeline.scorecard")

FLAGS_FILE = "flags.yaml"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]}); keep only one", key_node.start_mark
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(text: str, name: str) -> Any:
    """Parse YAML text; syntax errors become :class:`ConfigError` naming the file, line and column."""
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{name}: [{where}] invalid YAML: {problem}; fix the YAML there") from None


# --------------------------------------------------------------------------- error formatting


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _pick(tp: Any, node: Any) -> Any:
    """Resolve unions of models by the node's ``kind`` (or the only model in an Optional)."""
    tp = _unwrap(tp)
    if get_origin(tp) in (Union, types.UnionType):
        models = [_unwrap(a) for a in get_args(tp)]
        models = [m for m in models if isinstance(m, type) and issubclass(m, BaseModel)]
        if len(models) == 1:
            return models[0]
        kind = node.get("kind") if isinstance(node, dict) else None
        for m in models:
            f = m.model_fields.get("kind")
            if f is not None and kind in get_args(_unwrap(f.annotation)):
                return m
        return None
    return tp


def _model_at(root: type[BaseModel], raw: Any, loc: tuple) -> type[BaseModel] | None:
    """The model class that validates the node at ``loc`` of the raw document."""
    tp: Any = root
    node = raw
    for part in loc:
        tp = _pick(tp, node)
        if tp is None:
            return None
        origin = get_origin(tp)
        if origin in (list, tuple):
            tp = get_args(tp)[0]
        elif origin is dict:
            tp = get_args(tp)[1]
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            f = tp.model_fields.get(part) if isinstance(part, str) else None
            if f is None:
                return None
            tp = f.annotation
        else:
            return None
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    tp = _pick(tp, node)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _clean_loc(root: type[BaseModel], raw: Any, loc: tuple) -> tuple:
    """Drop the discriminator tags pydantic inserts into locations of tagged unions."""
    out: list[Any] = []
    node = raw
    after_index = False
    for part in loc:
        if after_index and isinstance(part, str) and isinstance(node, dict) and node.get("kind") == part:
            after_index = False
            continue
        after_index = isinstance(part, int)
        if isinstance(part, str) and "[" in part:  # e.g. 'function-after[...]' wrappers
            continue
        out.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(out)


def format_path(loc: tuple) -> str:
    return " -> ".join(str(p) for p in loc) if loc else "top level"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(root: type[BaseModel], raw: Any, err: Mapping[str, Any], loc: tuple) -> str:
    typ = err.get("type", "")
    msg = str(err.get("msg", ""))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if typ == "extra_forbidden" and loc:
        model = _model_at(root, raw, loc[:-1])
        key = str(loc[-1])
        if model is not None:
            allowed = list(model.model_fields)
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"unknown key {key!r}{hint}; allowed keys here: {', '.join(allowed)}"
        return f"unknown key {key!r}; remove it"
    if typ == "missing":
        return f"required key {str(loc[-1]) if loc else ''!r} is missing; add it"
    if typ == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        return f"unknown kind {ctx.get('tag')!r}; use one of {ctx.get('expected_tags')}"
    if typ == "union_tag_not_found":
        return "missing 'kind'; every criterion and rule needs a 'kind'"
    inp = err.get("input")
    if typ == "string_type" and isinstance(inp, bool):
        return f"{msg} (got {inp!r}: YAML reads yes/no/on/off/true/false as booleans; put the value in quotes)"
    if typ not in ("value_error", "assertion_error") and not isinstance(inp, (dict, list)):
        return f"{msg} (got {_short(inp)})"
    return msg


def validation_messages(name: str, root: type[BaseModel], raw: Any, exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        loc = _clean_loc(root, raw, tuple(err.get("loc", ())))
        out.append(f"{name}: [{format_path(loc)}] {_message(root, raw, err, loc)}")
    return out


def validate_document(name: str, root: type[BaseModel], raw: Any) -> tuple[BaseModel | None, list[str]]:
    """Validate a parsed document against ``root``; ``(model, [])`` or ``(None, messages)``."""
    if raw is None:
        return None, [f"{name}: [top level] the file is empty; write a mapping with the required keys"]
    if not isinstance(raw, dict):
        return None, [f"{name}: [top level] expected a mapping of keys, got {type(raw).__name__}"]
    try:
        model = root.model_validate(raw)
    except ValidationError as exc:
        return None, validation_messages(name, root, raw, exc)
    return model, []


# --------------------------------------------------------------------------- scorecards


def _is_word(c: str) -> bool:
    """``\\w`` for one ASCII character."""
    return c.isalnum() or c == "_"


def _phrase_regex(phrase: str) -> str:
    words = [re.escape(w) for w in phrase.split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


class TopicMatcher:
    """Keyword topic: plain phrases (whole words, case-insensitive) and regular expressions.

    Phrases are first looked up as substrings of the lower-cased,
    whitespace-normalised text (fast); only a hit is confirmed with the
    word-boundary expression.
    """

    __slots__ = ("_ascii_phrases", "_find_phrases", "_joinable", "example", "pattern_re", "phrase_re", "phrases")

    def __init__(self, phrases: list[str], patterns: list[str], example: ExampleTopic | None = None) -> None:
        self.example = example  # matched by meaning in the engine (needs the call's window embeddings)
        self.phrases = tuple(" ".join(p.split()).lower() for p in phrases)
        self.phrase_re = re.compile("|".join(_phrase_regex(p) for p in phrases), re.IGNORECASE) if phrases else None
        self.pattern_re = compile_patterns(patterns) if patterns else None  # RE2: linear time, cannot hang a run
        self._find_phrases = substring_finder(self.phrases) if self.phrases else None
        self._ascii_phrases = all(p and p.isascii() for p in self.phrases)
        self._joinable = not any(a in p for p in patterns for a in ("^", "$", "\\A", "\\z", "\\Z"))

    def matches(self, normalised: str, text: str) -> bool:
        """``normalised`` is ``text`` lower-cased with single spaces."""
        if (
            self.phrase_re is not None
            and any(p in normalised for p in self.phrases)
            and self.phrase_re.search(normalised)
        ):
            return True
        return self.pattern_re is not None and self.pattern_re.search(text) is not None

    def search(self, text: str) -> bool:
        return self.matches(" ".join(text.split()).lower(), text)

    def _pattern_hits(self, texts: Sequence[str], hits: list[bool]) -> bool:
        """Mark the utterances the patterns match from one scan of the texts joined with newlines; False when
        that scan cannot tell (the caller then searches each utterance).

        Only for patterns that cannot anchor (``^``, ``$``, ``\\A``, ``\\z``): then a match inside one
        utterance's span of the joined text is a match of that utterance alone (the newline is, like the
        ends of a text, no word character for ``\\b``), and an utterance that matches alone has a match
        inside its span as long as no match of the scan runs across a newline between utterances — the
        scan resumes after each match, so it reaches every utterance's own leftmost match.
        """
        if self.pattern_re is None:
            return True
        joined = "\n".join(texts)
        ends: list[int] = []
        pos = -1
        for t in texts:
            pos += len(t) + 1
            ends.append(pos)  # the index of the newline after the text (its end)
        for m in self.pattern_re.finditer(joined):
            a, b = m.span()
            i = bisect_left(ends, a)
            if i >= len(ends) or b > ends[i]:
                return False  # across utterances: undecided
            hits[i] = True
        return True

    def match_many(self, normalised: Sequence[str], texts: Sequence[str]) -> list[bool]:
        """``[self.matches(n, t) for n, t in zip(normalised, texts)]``, a call's utterances at a time.

        Phrases: every phrase is looked up once in the texts joined with newlines (no phrase and no
        normalised text has one), and each occurrence is checked for whole words by hand — exact for
        ASCII text and phrases (``\\w`` is then ``[A-Za-z0-9_]``, the newline is not a word character, like
        the start and end of a text); other text takes the per-utterance path.  Patterns: see
        :meth:`_pattern_hits`.
        """
        n = len(normalised)
        hits = [False] * n
        if self.phrase_re is not None and self._find_phrases is not None and n:
            joined = "\n".join(normalised)
            phrases = self.phrases
            present = [phrases[i] for i in self._find_phrases(joined)]
            if present and self._ascii_phrases and joined.isascii():
                starts = [0] * n
                pos = 0
                for i, t in enumerate(normalised):
                    starts[i] = pos
                    pos += len(t) + 1
                end = len(joined)
                for p in present:
                    at = joined.find(p)
                    while at >= 0:
                        stop = at + len(p)
                        if (at == 0 or not _is_word(joined[at - 1])) and (stop == end or not _is_word(joined[stop])):
                            hits[bisect_right(starts, at) - 1] = True
                        at = joined.find(p, at + 1)
            elif present:
                for i, t in enumerate(normalised):
                    hits[i] = any(p in t for p in present) and self.phrase_re.search(t) is not None
        if self.pattern_re is not None and not all(hits):
            if self._joinable and self._pattern_hits(texts, hits):
                return hits
            for i, t in enumerate(texts):
                if not hits[i] and self.pattern_re.search(t) is not None:
                    hits[i] = True
        return hits


def compile_topic(
    phrases: list[str],
    patterns: list[str],
    examples: list[str] | None = None,
    counter_examples: list[str] | None = None,
    threshold: float | None = None,
) -> TopicMatcher:
    example = ExampleTopic(tuple(examples), tuple(counter_examples or ()), threshold) if examples else None
    return TopicMatcher(phrases, patterns, example)


@dataclass(frozen=True)
class Scorecard:
    """A validated scorecard with its content version and source text."""

    spec: ScorecardSpec
    version: str
    source: str
    path: Path | None = None
    topics: dict[str, TopicMatcher] = field(default_factory=dict, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def active(self) -> bool:
        return self.spec.active

    @property
    def criteria_count(self) -> int:
        return sum(len(s.criteria) for s in self.spec.sections)


def checked_spec(
    text: str, name: str, spec_cls: type, semantic: Callable[[Any], list[tuple[tuple, str]]]
) -> tuple[Any, list[str]]:
    """YAML → pydantic spec → semantic checks; ``(spec, [])`` or ``(None, messages)`` in ``FILE: [path] message`` form."""
    try:
        raw = read_yaml(text, name)
    except ConfigError as exc:
        return None, [str(exc)]
    spec, messages = validate_document(name, spec_cls, raw)
    if spec is None:
        return None, messages
    sem = semantic(spec)
    if sem:
        return None, [f"{name}: [{format_path(path)}] {msg}" for path, msg in sem]
    return spec, []


def scorecard_messages(text: str, name: str) -> tuple[Scorecard | None, list[str]]:
    """Parse and validate scorecard text; ``(scorecard, [])`` or ``(None, messages)``."""
    spec, messages = checked_spec(text, name, ScorecardSpec, semantic_errors)
    if spec is None:
        return None, messages
    topics = {
        n: compile_topic(t.phrases, t.patterns, t.examples, t.counter_examples, t.threshold)
        for n, t in spec.topics.items()
    }
    card = Scorecard(spec=spec, version=content_version(spec), source=text, topics=topics)
    _LOADED.setdefault((card.id, card.version), card)
    return card, []


_LOADED: dict[tuple[str, str], Scorecard] = {}


def loaded_scorecard(scorecard_id: str, version: str) -> Scorecard | None:
    """A scorecard version parsed in this process (so its source can be registered with its results)."""
    return _LOADED.get((scorecard_id, version))


def parse_scorecard(text: str, name: str = "<scorecard>", path: Path | None = None) -> Scorecard:
    """Validated :class:`Scorecard` from YAML text, or :class:`ConfigError` listing every problem."""
    card, messages = scorecard_messages(text, name)
    if card is None:
        raise ConfigError("\n".join(messages))
    if path is not None:
        card = Scorecard(card.spec, card.version, card.source, path, card.topics)
    return card


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


_FILE_CACHE: dict[tuple[str, int, int], tuple[Scorecard | None, list[str]]] = {}


def _scorecard_file(path: Path) -> tuple[Scorecard | None, list[str]]:
    """Parse a scorecard file once per (path, mtime, size): the nightly run asks for every call."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found; check the path") from None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    hit = _FILE_CACHE.get(key)
    if hit is None:
        card, messages = scorecard_messages(_read_text(path), str(path))
        if card is not None:
            card = Scorecard(card.spec, card.version, card.source, path, card.topics)
        hit = _FILE_CACHE[key] = (card, messages)
    return hit


def load_scorecard(path: str | Path) -> Scorecard:
    """Load and validate one scorecard file."""
    card, messages = _scorecard_file(Path(path))
    if card is None:
        raise ConfigError("\n".join(messages))
    return card


def _scorecard_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ConfigError(f"{directory}: scorecard directory not found; create it or pass the right directory")
    return sorted(p for p in directory.glob("*.yaml") if p.name != FLAGS_FILE)


def load_scorecards(directory: str | Path | None = None, *, include_inactive: bool = False) -> list[Scorecard]:
    """Every scorecard in ``directory`` (default ``scorecards/``) except flags.yaml; active ones unless asked.

    A scorecard is active unless its file says ``active: false``.  Ids must be
    unique across the directory.
    """
    directory = Path(directory) if directory is not None else scorecards_dir()
    cards: list[Scorecard] = []
    problems: list[str] = []
    by_id: dict[str, Path] = {}
    for path in _scorecard_files(directory):
        card, messages = _scorecard_file(path)
        if card is None:
            problems.extend(messages)
            continue
        if card.id in by_id:
            problems.append(
                f"{path}: [id] scorecard id {card.id!r} is also used by {by_id[card.id]}; ids must be unique"
            )
            continue
        by_id[card.id] = path
        cards.append(card)
    if problems:
        raise ConfigError("\n".join(problems))
    if not include_inactive:
        cards = [c for c in cards if c.active]
    return sorted(cards, key=lambda c: c.id)


def find_scorecard(scorecard_id: str, directory: str | Path | None = None) -> Scorecard:
    """The scorecard with this id in ``directory`` (active or not)."""
    cards = load_scorecards(directory, include_inactive=True)
    for card in cards:
        if card.id == scorecard_id:
            return card
    known = ", ".join(c.id for c in cards) or "none"
    raise NotFoundError(f"no scorecard with id {scorecard_id!r} in {directory or scorecards_dir()}; known: {known}")


def is_flags_document(path: Path, raw: Any) -> bool:
    return path.name == FLAGS_FILE or (isinstance(raw, dict) and "rules" in raw and "sections" not in raw)
