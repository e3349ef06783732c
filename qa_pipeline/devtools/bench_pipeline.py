"""``qa-pipeline bench pipeline``: where the time of a call goes, and how it compares to plain Whisper.

Three measurements on the same recordings, in one process:

1. **Stages** — the calls one after another through the library's stage
   functions, timing decode, VAD, transcription, redaction, classification,
   scoring and storage (a throw-away DuckDB file).  VAD runs inside
   faster-whisper; its time is taken by wrapping Silero's
   ``get_speech_timestamps`` for the duration of the pass (the same function,
   called once, just timed) and subtracted from the ASR time.
2. **End to end** — the real nightly flow (done by the CLI, since the library
   has no Prefect imports): wall time, real-time multiple, peak memory.
3. **Baseline** — openai-whisper's ``transcribe()`` with its defaults on each
   channel (no VAD, no batching), then each segment classified on its own.

Figures are "audio seconds per wall second" (the real-time multiple): 30 means
an hour of calls takes two minutes.
"""

from __future__ import annotations

import contextlib
import logging
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_pipeline.audio import SpooledAudio, decode, open_audio
from qa_pipeline.errors import InputError
from qa_pipeline.ingest import Recording, discover

logger = logging.getLogger("qa_pipeline.devtools.bench_pipeline")

STAGES = ("decode", "vad", "transcription", "redaction", "classification", "scoring", "storage")
# the spine's stages after the source (qa_pipeline/stages.py), as this benchmark names its figures
_FIGURE_OF_STAGE = {"redact": "redaction", "classify": "classification", "score": "scoring"}


def peak_rss_bytes() -> int:
    """This process's peak resident memory so far (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def current_rss_bytes() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def cpu_seconds(include_children: bool = True) -> float:
    """User + system CPU seconds of this process (all threads) and, optionally, its live child processes."""
    import psutil

    me = psutil.Process()
    t = me.cpu_times()
    total = t.user + t.system
    if include_children:
        for child in me.children(recursive=True):
            try:
                ct = child.cpu_times()
                total += ct.user + ct.system
            except psutil.Error:
                pass
    return total


def children_rss_bytes() -> int:
    import psutil

    total = 0
    for child in psutil.Process().children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return total


@dataclass(frozen=True)
class StageFigure:
    stage: str
    seconds: float
    audio_s: float

    @property
    def rt(self) -> float:
        """Audio seconds per wall second."""
        return self.audio_s / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class StagePass:
    calls: int
    audio_s: float
    stages: tuple[StageFigure, ...]
    load_s: dict[str, float] = field(default_factory=dict)

    @property
    def total_s(self) -> float:
        return sum(s.seconds for s in self.stages)

    @property
    def rt(self) -> float:
        return self.audio_s / self.total_s if self.total_s > 0 else float("inf")


@dataclass(frozen=True)
class BaselineResult:
    calls: int
    audio_s: float
    transcribe_s: float
    classify_s: float
    utterances: int
    load_s: float
    cpu_s: float = 0.0

    @property
    def wall_s(self) -> float:
        return self.transcribe_s + self.classify_s

    @property
    def rt(self) -> float:
        return self.audio_s / self.wall_s if self.wall_s > 0 else float("inf")


def bench_recordings(folder: Path, *, limit: int | None = None, stereo_only: bool = True) -> list[Recording]:
    """The recordings below ``folder`` (sorted), the stereo ones only by default."""
    found = discover(folder, settle_s=0)
    recs = []
    for rec in found.recordings:
        if stereo_only:
            from qa_pipeline.audio import probe

            if probe(rec.path).channels != 2:
                continue
        recs.append(rec)
    if not recs:
        raise InputError(
            f"no {'stereo ' if stereo_only else ''}recordings found in {folder}; pass a folder of calls",
            path=str(folder),
        )
    return recs[:limit] if limit else recs


class _VadTimer:
    """Accumulates the time spent in Silero's ``get_speech_timestamps`` while installed."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()

    def wrap(self, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds += time.perf_counter() - t

        return timed


@contextlib.contextmanager
def timing_vad() -> Iterator[_VadTimer]:
    """Time every Silero VAD call (faster-whisper's, the openai backend's and diarization's)."""
    import faster_whisper.transcribe as fw_transcribe
    import faster_whisper.vad as fw_vad

    timer = _VadTimer()
    targets = [(fw_vad, "get_speech_timestamps"), (fw_transcribe, "get_speech_timestamps")]
    try:
        import qa_pipeline.diarize as diarize

        if hasattr(diarize, "get_speech_timestamps"):
            targets.append((diarize, "get_speech_timestamps"))
    except ImportError:  # pragma: no cover
        pass
    originals = [(mod, name, getattr(mod, name)) for mod, name in targets]
    for mod, name, fn in originals:
        setattr(mod, name, timer.wrap(fn))
    try:
        yield timer
    finally:
        for mod, name, fn in originals:
            setattr(mod, name, fn)


def run_stages(
    recordings: Sequence[Recording],
    *,
    backend: str = "faster-whisper",
    model: str = "tiny.en",
    cpu_threads: int = 2,
    batch_size: int = 8,
    redact: bool = True,
    progress: Callable[[str], None] | None = None,
) -> StagePass:
    """Every call through every stage, one call at a time, models warm; per-stage seconds."""
    from qa_pipeline.asr import load_transcriber
    from qa_pipeline.classify import load_classifier
    from qa_pipeline.pipeline import PipelineOptions
    from qa_pipeline.scorecard import load_flag_rules, load_scorecards
    from qa_pipeline.scorecard.overrides import store_analysis
    from qa_pipeline.stages import CallSource, spine
    from qa_pipeline.store import connect

    load: dict[str, float] = {}
    t = time.perf_counter()
    if backend == "faster-whisper":
        transcriber = load_transcriber(backend, model, cpu_threads=cpu_threads, batch_size=batch_size)
    else:
        transcriber = load_transcriber(backend, model, cpu_threads=cpu_threads)
    load["whisper"] = time.perf_counter() - t
    t = time.perf_counter()
    load_classifier().classify(["hello, thank you for calling"])  # encoder loaded and warmed
    load["classifier"] = time.perf_counter() - t
    t = time.perf_counter()
    cards = load_scorecards()
    load_flag_rules()
    load["scorecards"] = time.perf_counter() - t
    options = PipelineOptions(backend=backend, model=model, redact=redact)
    stages = spine(options, scorecards=cards)

    seconds = dict.fromkeys(STAGES, 0.0)
    audio_s = 0.0
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as tmp:
        db = Path(tmp) / "bench.duckdb"
        with connect(db):
            pass  # create and migrate outside the timed part
        run_id = "bench"
        with timing_vad() as vad:
            for k, rec in enumerate(recordings):
                t = time.perf_counter()
                # a long recording is spooled to disk, as the nightly run does (qa_pipeline.audio.open_audio)
                audio = open_audio(rec.path, max_duration_s=options.max_duration_s)
                seconds["decode"] += time.perf_counter() - t
                audio_s += audio.duration_s
                if k == 0:  # warm the ASR on the first 5 s (first-call allocations are not per-call cost), untimed
                    transcriber.transcribe(np.asarray(audio.mono()[: 16_000 * 5]), options.transcribe)
                vad_before = vad.seconds
                t = time.perf_counter()
                try:
                    analysis = stages.source.run(CallSource(rec, options, transcriber=transcriber, audio=audio))
                finally:
                    if isinstance(audio, SpooledAudio):
                        audio.close()
                asr = time.perf_counter() - t
                vad_s = vad.seconds - vad_before
                seconds["vad"] += vad_s
                seconds["transcription"] += asr - vad_s
                for stage in stages.stages:
                    t = time.perf_counter()
                    analysis = stage.run(analysis)
                    seconds[_FIGURE_OF_STAGE[stage.name]] += time.perf_counter() - t
                t = time.perf_counter()
                with connect(db) as con:
                    store_analysis(con, analysis, run_id=run_id)
                seconds["storage"] += time.perf_counter() - t
                if progress:
                    progress(
                        f"{rec.path.name}: {audio.duration_s:.0f} s, {len(analysis.conversation.utterances)} utterances"
                    )
    figures = tuple(StageFigure(name, seconds[name], audio_s) for name in STAGES)
    return StagePass(calls=len(recordings), audio_s=audio_s, stages=figures, load_s=load)


def run_baseline(
    recordings: Sequence[Recording],
    *,
    model: str = "tiny.en",
    cpu_threads: int = 2,
    progress: Callable[[str], None] | None = None,
) -> BaselineResult:
    """openai-whisper ``transcribe()`` (its defaults, English) per channel, then one classifier call per segment."""
    import torch
    import whisper

    from qa_pipeline.asr import convert
    from qa_pipeline.classify import load_classifier

    torch.set_num_threads(cpu_threads)
    t = time.perf_counter()
    whisper_model = whisper.load_model(str(convert.ensure_checkpoint(model)), device="cpu")
    load_s = time.perf_counter() - t
    classifier = load_classifier()
    classifier.classify(["hello"])
    audio_s = transcribe_s = classify_s = 0.0
    utterances = 0
    cpu0 = cpu_seconds(include_children=False)
    for rec in recordings:
        audio = decode(rec.path)
        audio_s += audio.duration_s
        texts: list[str] = []
        t = time.perf_counter()
        with torch.inference_mode():
            for ch in range(audio.channels):
                result = whisper_model.transcribe(
                    np.ascontiguousarray(audio.channel(ch)), language="en", fp16=False, verbose=None
                )
                texts.extend(s["text"].strip() for s in result["segments"] if s["text"].strip())
        transcribe_s += time.perf_counter() - t
        t = time.perf_counter()
        for text in texts:  # no batching: one utterance per call
            classifier.classify([text])
        classify_s += time.perf_counter() - t
        utterances += len(texts)
        if progress:
            progress(f"baseline {rec.path.name}: {audio.duration_s:.0f} s, {len(texts)} segments")
    return BaselineResult(
        calls=len(recordings),
        audio_s=audio_s,
        transcribe_s=transcribe_s,
        classify_s=classify_s,
        utterances=utterances,
        load_s=load_s,
        cpu_s=cpu_seconds(include_children=False) - cpu0,
    )


def format_stage_table(stage_pass: StagePass) -> str:
    rows = [f"{'stage':<16}{'seconds':>10}{'share':>8}{'audio s / wall s':>19}"]
    total = stage_pass.total_s or 1.0
    for s in stage_pass.stages:
        rows.append(f"{s.stage:<16}{s.seconds:>10.2f}{100 * s.seconds / total:>7.1f}%{s.rt:>19.1f}")
    rows.append(f"{'all stages':<16}{stage_pass.total_s:>10.2f}{100.0:>7.1f}%{stage_pass.rt:>19.1f}")
    return "\n".join(rows)


def pipeline_settings(backend: str, model: str, batch_size: int, workers: int, threads: int) -> str:
    """The pipeline's decoding settings, in words, to print beside the baseline's."""
    from qa_pipeline.pipeline import PipelineOptions

    t = PipelineOptions().transcribe
    batch = f"batched {batch_size} chunks at a time" if batch_size else "one 30 s window at a time"
    return (
        f"{backend} {model}, beam {t.beam_size}, VAD {'on' if t.vad else 'off'}, word times "
        f"{'on' if t.word_timestamps else 'off'}, previous text {'on' if t.condition_on_previous_text else 'off'}, "
        f"{batch}; {workers} call(s) at once × {threads} thread(s); redaction, classification (batched), scoring, storage"
    )


def baseline_settings(model: str, threads: int) -> str:
    """openai-whisper ``transcribe()``'s defaults as :func:`run_baseline` calls it."""
    return (
        f"openai-whisper {model} transcribe() defaults: greedy with temperature fallback (best of 5 when sampling), "
        f"no VAD, no word times, previous text on, float32 on {threads} thread(s); each channel on its own, "
        "then one classifier call per segment; no redaction, scoring or storage"
    )


@dataclass(frozen=True)
class PairedRuns:
    """The pipeline and the baseline timed in turn: real-time multiples per repeat, and the pipeline's peak memory."""

    pipeline_rt: tuple[float, ...]
    baseline_rt: tuple[float, ...]
    order: tuple[str, ...]
    peak_bytes: int

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(p / b for p, b in zip(self.pipeline_rt, self.baseline_rt) if b > 0)


def alternate(pipeline: Callable[[], float], baseline: Callable[[], float] | None, repeats: int) -> PairedRuns:
    """``repeats`` rounds of both, pipeline first in even rounds and baseline first in odd ones, so slow
    stretches of a shared machine fall on both.  Each callable returns its real-time multiple.

    The peak is this process's peak resident memory right after the first pipeline run, which is the
    first thing measured (the baseline has not run yet), so it is the pipeline's own.
    """
    if repeats < 1:
        raise InputError(f"--repeats {repeats}: give at least 1")
    p_rt: list[float] = []
    b_rt: list[float] = []
    order: list[str] = []
    peak = 0
    for r in range(repeats):
        first_pipeline = r % 2 == 0 or baseline is None
        for which in ("pipeline", "baseline") if first_pipeline else ("baseline", "pipeline"):
            if which == "pipeline":
                p_rt.append(pipeline())
                if r == 0:
                    peak = peak_rss_bytes()
            elif baseline is not None:
                b_rt.append(baseline())
            else:
                continue
            order.append(which)
    return PairedRuns(tuple(p_rt), tuple(b_rt), tuple(order), peak)
