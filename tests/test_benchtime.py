from __future__ import annotations

import time

import pytest

from qa_pipeline.benchtime import load_average, load_text, repeat_timed, spread


def test_repeats_until_long_enough() -> None:
    calls = []
    timed = repeat_timed(lambda: (time.sleep(0.02), calls.append(1))[1], min_seconds=0.1, min_runs=2)
    assert len(calls) == len(timed.seconds) >= 5  # 0.1 s of 0.02 s runs
    assert timed.total_s >= 0.1
    one = repeat_timed(lambda: 7, min_seconds=0, min_runs=3)
    assert len(one.seconds) == 3 and one.result == 7


def test_spread_and_rate() -> None:
    s = spread([3.0, 1.0, 2.0])
    assert (s.median, s.low, s.high, s.n) == (2.0, 1.0, 3.0, 3)
    assert s.text(unit="x") == "median 2.0 x (range 1.0–3.0, 3 runs)"
    with pytest.raises(ValueError):
        spread([])


def test_load_average_is_the_systems() -> None:
    assert len(load_average()) == 3 and all(x >= 0 for x in load_average())
    assert load_text().startswith("load average ")
