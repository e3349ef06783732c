"""Timing for the ``bench`` commands: repeat until long enough to be stable, and say how busy the machine was.

A benchmark on a shared machine measures the machine as much as the code: each
bench command prints the load average before and after (what else wanted the
cores), repeats its timed part until ``min_seconds`` of it have run, and
reports the median with the spread (fastest–slowest) rather than the best run.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (zeros where the system has none)."""
    try:
        return os.getloadavg()
    except OSError:  # pragma: no cover - not on Linux/macOS
        return (0.0, 0.0, 0.0)


def load_text(label: str = "load average") -> str:
    one, five, fifteen = load_average()
    return f"{label} {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min; {os.cpu_count() or 1} cores)"


@dataclass(frozen=True)
class Spread:
    """Median, fastest and slowest of a set of figures."""

    median: float
    low: float
    high: float
    n: int

    def text(self, fmt: str = "{:.1f}", unit: str = "") -> str:
        u = f" {unit}" if unit else ""
        if self.n == 1:
            return f"{fmt.format(self.median)}{u} (1 run)"
        return (
            f"median {fmt.format(self.median)}{u} (range {fmt.format(self.low)}–{fmt.format(self.high)}, {self.n} runs)"
        )


def spread(values: Sequence[float]) -> Spread:
    if not values:
        raise ValueError("spread of no values")
    return Spread(statistics.median(values), min(values), max(values), len(values))


@dataclass(frozen=True)
class Timed(Generic[T]):
    """Each run's seconds and the last run's result."""

    seconds: tuple[float, ...]
    result: T

    @property
    def total_s(self) -> float:
        return sum(self.seconds)

    def rate(self, items: float) -> Spread:
        """Items per second of each run: median and range."""
        return spread([items / s if s > 0 else float("inf") for s in self.seconds])


def repeat_timed(fn: Callable[[], T], *, min_seconds: float, min_runs: int = 1, max_runs: int = 1000) -> Timed[T]:
    """Call ``fn`` until ``min_seconds`` of calls and at least ``min_runs`` calls have run (at most ``max_runs``)."""
    if min_seconds < 0 or min_runs < 1:
        raise ValueError(f"min_seconds {min_seconds} must be >= 0 and min_runs {min_runs} >= 1")
    seconds: list[float] = []
    result: T
    while True:
        t = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - t)
        if (len(seconds) >= min_runs and sum(seconds) >= min_seconds) or len(seconds) >= max_runs:
            return Timed(tuple(seconds), result)
