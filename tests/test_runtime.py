"""How a run sizes itself to the calls it has (issue #17: a lone call used one core of two)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from qa_pipeline.errors import ConfigError
from qa_pipeline.paths import samples_dir
from qa_pipeline.run import run
from qa_pipeline.runtime import AsrRuntime, fit_runtime, fit_to_calls


def test_a_lone_call_gets_every_thread() -> None:
    two = AsrRuntime(workers=2, cpu_threads=1, batch_size=8)
    assert fit_to_calls(two, 1) == AsrRuntime(workers=1, cpu_threads=2, batch_size=8)
    assert fit_to_calls(two, 2) is two and fit_to_calls(two, 50) is two
    assert fit_to_calls(two, 0) is two  # nothing to transcribe: nothing to change
    four = AsrRuntime(workers=4, cpu_threads=2)
    assert fit_to_calls(four, 3) == AsrRuntime(workers=3, cpu_threads=2)  # 8 threads over 3 calls: 2 each
    one = fit_runtime(workers=1, cores=1)  # Dask's one thread per worker thread stays as it is
    assert fit_to_calls(one, 1) is one


def test_runtime_refuses_zero_threads() -> None:
    with pytest.raises(ConfigError, match="at least 1"):
        AsrRuntime(workers=0)


def test_a_run_with_one_call_widens_its_runtime(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    calls = tmp_path / "in"
    calls.mkdir()
    shutil.copy(samples_dir() / "transcripts" / "chat-card-replacement.transcript.json", calls)
    logger = logging.getLogger("test.runtime")
    with caplog.at_level(logging.INFO, logger="test.runtime"):
        result = run(calls, tmp_path / "qa.duckdb", runtime=AsrRuntime(workers=2, cpu_threads=1), logger=logger)
    assert result.summary.calls_done == 1
    assert "1 call(s) to transcribe: 1 worker(s) × 2 thread(s)" in caplog.text


def test_the_encoder_choice_travels_with_the_runtime() -> None:
    """``run --encoder`` reaches the model: the runtime carries it, also when it is widened for a lone call."""
    from qa_pipeline.runtime import runtime_transcriber

    assert fit_runtime(workers=2, cores=2).encoder == "ctranslate2"  # the default: today's accuracy
    chosen = fit_runtime(workers=2, cores=2, encoder="torch-float32")
    lone = fit_to_calls(chosen, 1)
    assert (lone.workers, lone.cpu_threads, lone.encoder) == (1, 2, "torch-float32")
    assert runtime_transcriber("faster-whisper", "tiny.en", lone).encoder == "torch-float32"


def test_loading_a_runtime_model_sets_numpys_blas_threads_to_the_threads_per_call() -> None:
    """OpenBLAS's spinning threads beside two calls' ASR cost 4 % of a night's CPU (issue #17)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from qa_pipeline.runtime import runtime_transcriber

    def blas_threads() -> set[int]:
        return {int(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"}

    if not blas_threads():
        pytest.skip("numpy here has no BLAS thread pool threadpoolctl can see")
    with threadpool_limits(limits=2, user_api="blas"):  # whatever a model loaded before left, put back after
        runtime_transcriber("faster-whisper", "tiny.en", AsrRuntime(workers=2, cpu_threads=1, batch_size=4))
        assert blas_threads() == {1}
        runtime_transcriber("faster-whisper", "tiny.en", AsrRuntime(workers=1, cpu_threads=2, batch_size=4))
        assert blas_threads() == {2}
