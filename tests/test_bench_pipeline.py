"""``bench pipeline``'s pairing: the pipeline and the baseline taken in turn, on the same calls."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from qa_pipeline.cli import app
from qa_pipeline.devtools.bench_pipeline import alternate, baseline_settings, pipeline_settings
from qa_pipeline.errors import InputError


def test_rounds_alternate_which_runs_first() -> None:
    seen: list[str] = []

    def pipeline() -> float:
        seen.append("p")
        return 20.0 + len(seen)

    def baseline() -> float:
        seen.append("b")
        return 10.0

    runs = alternate(pipeline, baseline, 3)
    assert runs.order == ("pipeline", "baseline", "baseline", "pipeline", "pipeline", "baseline")
    assert "".join(seen) == "pbbppb"
    assert runs.pipeline_rt == (21.0, 24.0, 25.0) and runs.baseline_rt == (10.0, 10.0, 10.0)
    assert runs.ratios == (2.1, 2.4, 2.5)
    assert runs.peak_bytes > 0
    assert alternate(pipeline, None, 2).order == ("pipeline", "pipeline")
    with pytest.raises(InputError, match="--repeats 0"):
        alternate(pipeline, baseline, 0)


def test_settings_are_stated_side_by_side() -> None:
    assert "beam 5" in pipeline_settings("faster-whisper", "tiny.en", 8, 2, 1)
    assert "2 call(s) at once × 1 thread(s)" in pipeline_settings("faster-whisper", "tiny.en", 8, 2, 1)
    assert "no VAD" in baseline_settings("tiny.en", 2)


def test_the_baseline_cannot_be_measured_on_other_calls() -> None:
    res = CliRunner().invoke(app, ["bench", "pipeline", "--baseline-limit", "1"])
    assert res.exit_code == 2 and "No such option" in res.output


@pytest.mark.slow
def test_bench_pipeline_ends_with_one_result_line() -> None:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    res = CliRunner().invoke(app, ["bench", "pipeline", "--calls", "1", "--repeats", "1"])
    assert res.exit_code == 0, res.output
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("RESULT pipeline: ") and "× the baseline, peak " in last
    assert last.endswith("0 failed call(s) in 1 run(s) of 1 call(s), 1 at once")
    assert "load average before" in res.output and "baseline: openai-whisper" in res.output
