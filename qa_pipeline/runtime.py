"""How the nightly run uses the machine: calls at once, threads per model, batching.

The defaults fit the cores: on 2 cores two calls are transcribed at once, each
on one CTranslate2 thread, and one model is shared by both (``num_workers=2``
lets its two replicas run in parallel).  faster-whisper's batched pipeline
decodes the VAD speech chunks of a channel ``batch_size`` at a time.  See
docs/operations.md for the measurements behind these choices.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from dataclasses import dataclass, replace

from qa_pipeline.asr.base import Transcriber
from qa_pipeline.errors import ConfigError

logger = logging.getLogger("qa_pipeline.runtime")

DEFAULT_BATCH_SIZE = 8


def available_cores() -> int:
    """CPU cores this process may use (affinity-aware, e.g. under ``taskset`` or a container)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class AsrRuntime:
    """``workers`` calls are transcribed at once, each model replica on ``cpu_threads`` threads.

    ``batch_size`` 0 decodes one 30 s window at a time (faster-whisper's
    sequential mode); above 0 uses its ``BatchedInferencePipeline``.
    """

    workers: int = 2
    cpu_threads: int = 1
    batch_size: int = DEFAULT_BATCH_SIZE
    encoder: str = "ctranslate2"  # faster-whisper's audio encoder (qa_pipeline.asr.torch_encoder)

    def __post_init__(self) -> None:
        if self.workers < 1 or self.cpu_threads < 1 or self.batch_size < 0:
            raise ConfigError(
                f"workers={self.workers}, cpu_threads={self.cpu_threads}, batch_size={self.batch_size}: "
                "workers and threads must be at least 1 and the batch size at least 0"
            )


def fit_runtime(
    workers: int | None = None,
    cores: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    encoder: str = "ctranslate2",
) -> AsrRuntime:
    """Calls at once = cores (unless given); threads per call = cores // calls, at least 1."""
    cores = cores or available_cores()
    workers = workers or cores
    return AsrRuntime(workers=workers, cpu_threads=max(1, cores // workers), batch_size=batch_size, encoder=encoder)


def fit_to_calls(runtime: AsrRuntime, calls: int) -> AsrRuntime:
    """``runtime`` for a run of ``calls`` calls: never more workers than calls, the same threads in all.

    A lone call on a 2-worker × 1-thread runtime gets 1 worker × 2 threads
    (both cores instead of one idle); a runtime already no wider than the
    calls, or a run with nothing to transcribe, is returned as it is.
    """
    if calls < 1 or calls >= runtime.workers:
        return runtime
    threads = runtime.workers * runtime.cpu_threads
    return replace(runtime, workers=calls, cpu_threads=max(1, threads // calls))


def limit_blas_threads(threads: int) -> None:
    """numpy's BLAS (the OpenBLAS numpy ships) on ``threads`` threads, for the whole process, from now on.

    faster-whisper's mel features and the channel comparison multiply matrices with numpy; OpenBLAS then
    starts a thread per core that spins while it waits, beside the other calls' ASR.  With two calls at once
    on 2 cores, one BLAS thread per call took the warm end-to-end run from 37.6–38.4 to 35.9–36.9 CPU seconds
    (docs/operations.md).  PyTorch, CTranslate2 and ONNX Runtime keep their own thread settings."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(1, threads), user_api="blas")


_LOAD_LOCK = threading.Lock()


def runtime_transcriber(backend: str, model: str, runtime: AsrRuntime) -> Transcriber:
    """One loaded model per (backend, model, runtime) per process, shared by every call.

    Calls at once ask for it together on a cold process; the lock makes the
    first load the only one (``lru_cache`` alone lets each caller load its own).
    """
    with _LOAD_LOCK:
        return _load_runtime_transcriber(backend, model, runtime)


@functools.lru_cache(maxsize=4)
def _load_runtime_transcriber(backend: str, model: str, runtime: AsrRuntime) -> Transcriber:
    from qa_pipeline.asr import load_transcriber

    limit_blas_threads(runtime.cpu_threads)  # BLAS threads per call, like the model's
    if backend == "faster-whisper":
        transcriber = load_transcriber(
            backend,
            model,
            cpu_threads=runtime.cpu_threads,
            num_workers=runtime.workers,
            batch_size=runtime.batch_size,
            encoder=runtime.encoder,
        )
    else:  # openai-whisper: one PyTorch model, threads for the whole process
        transcriber = load_transcriber(backend, model, cpu_threads=runtime.cpu_threads * runtime.workers)
    logger.info(
        "transcriber %s/%s ready for %d worker(s) × %d thread(s), batch %d",
        backend,
        model,
        runtime.workers,
        runtime.cpu_threads,
        runtime.batch_size,
    )
    return transcriber
