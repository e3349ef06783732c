"""A candidate window of a number sequence: its digits, layout and the context of its runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from qa_pipeline.redact.numbers import Chunk, NumberRun
from qa_pipeline.redact.state import Ctx

# (utterance, first token of the run) → the run's context and why it looks like a non-PII number
RunInfo = dict[tuple[int, int], tuple[Ctx, "str | None"]]
Scored = list[tuple[str, float]]


class Window(NamedTuple):
    """Chunks ``chunks`` (from runs ``runs``) read as the ``n`` digits ``digits`` (a named tuple:
    every window of every number is scored, so it must be cheap to build)."""

    chunks: Sequence[tuple[NumberRun, Chunk]]
    runs: tuple[NumberRun, ...]
    digits: str
    n: int
    groups: tuple[int, ...]
    labels: frozenset[str]
    plus: bool
