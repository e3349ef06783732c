"""Word error rate and the ASR benchmark (``qa-pipeline bench asr``).

WER is computed the way Whisper's authors report it: both texts go through
Whisper's ``EnglishTextNormalizer`` (spelling, numbers, punctuation, casing),
then word-level edit distance (jiwer), summed over all clips and divided by the total
number of reference words.  RTF is processing seconds / audio seconds, with
model loading and one warm-up clip reported separately.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import jiwer
import numpy as np

from qa_pipeline.asr.base import SAMPLE_RATE, AsrSegment, TranscribeOptions, Transcriber
from qa_pipeline.errors import ConfigError, InputError

logger = logging.getLogger("qa_pipeline.asr.evaluate")

Channel = Literal["mix", "left", "right"]
CHANNELS: tuple[Channel, ...] = ("mix", "left", "right")
MANIFEST_COLUMNS = ("file", "channel", "reference")


# --------------------------------------------------------------------------- WER


@lru_cache(maxsize=1)
def _normalizer() -> Callable[[str], str]:
    from whisper.normalizers import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalize(text: str) -> str:
    """Whisper's English normalisation (``"Mr. Quilter's 20%"`` → ``"mister quilter's 20%"``)."""
    return _normalizer()(text)


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Word-level Levenshtein distance (substitutions + deletions + insertions), by jiwer."""
    if not reference or not hypothesis:  # jiwer refuses an empty reference; every word is then an edit
        return len(reference) + len(hypothesis)
    out = jiwer.process_words(" ".join(reference), " ".join(hypothesis))
    return int(out.substitutions + out.deletions + out.insertions)


@dataclass(frozen=True)
class WordErrors:
    errors: int
    reference_words: int

    @property
    def wer(self) -> float:
        if self.reference_words == 0:
            return 0.0 if self.errors == 0 else float("inf")
        return self.errors / self.reference_words

    def __add__(self, other: WordErrors) -> WordErrors:
        return WordErrors(self.errors + other.errors, self.reference_words + other.reference_words)


def word_errors(reference: str, hypothesis: str) -> WordErrors:
    ref = normalize(reference).split()
    hyp = normalize(hypothesis).split()
    return WordErrors(edit_distance(ref, hyp), len(ref))


def word_error_rate(references: Iterable[str], hypotheses: Iterable[str]) -> float:
    """Corpus WER: total edits over total reference words, after normalisation."""
    total = WordErrors(0, 0)
    for ref, hyp in zip(references, hypotheses, strict=True):
        total = total + word_errors(ref, hyp)
    return total.wer


# --------------------------------------------------------------------------- manifest & audio


@dataclass(frozen=True)
class ManifestEntry:
    path: Path
    channel: Channel
    reference: str


def read_manifest(path: Path) -> tuple[ManifestEntry, ...]:
    """Read a tab-separated manifest (``file``, ``channel``, ``reference``; other columns ignored).

    ``file`` is relative to the manifest's folder.
    """
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = [c for c in MANIFEST_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ConfigError(
                    f"{path}: manifest lacks column(s) {missing}; header seen {reader.fieldnames}; "
                    f"expected tab-separated columns {', '.join(MANIFEST_COLUMNS)}"
                )
            entries = []
            for line_no, row in enumerate(reader, start=2):
                channel = (row["channel"] or "mix").strip()
                if channel not in CHANNELS:
                    raise ConfigError(f"{path}: line {line_no}: channel {channel!r}; use one of {', '.join(CHANNELS)}")
                entries.append(ManifestEntry(path.parent / row["file"].strip(), channel, row["reference"].strip()))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: manifest not found; pass --manifest FILE (tab-separated: file, channel, reference)"
        ) from None
    if not entries:
        raise ConfigError(f"{path}: manifest has no clips")
    return tuple(entries)


def channel_audio(samples: np.ndarray, channel: Channel, *, path: Path | str | None = None) -> np.ndarray:
    """One 1-D signal from decoded ``(channels, n)`` samples: the mix, or only the left/right channel."""
    if samples.ndim != 2:
        raise InputError(f"{path}: expected (channels, samples) audio, got shape {samples.shape}", path=str(path))
    if channel == "mix":
        return samples[0] if samples.shape[0] == 1 else samples.mean(axis=0).astype(np.float32)
    index = CHANNELS.index(channel) - 1
    if samples.shape[0] < 2:
        raise InputError(
            f"{path}: channel {channel!r} asked of a mono recording; use channel 'mix' for mono files",
            path=str(path),
        )
    return np.ascontiguousarray(samples[index])


def load_clip(entry: ManifestEntry) -> np.ndarray:
    from qa_pipeline.audio import decode

    return channel_audio(decode(entry.path).samples, entry.channel, path=entry.path)


@dataclass(frozen=True, eq=False)
class Clip:
    """One decoded manifest line: 1-D 16 kHz audio and its reference."""

    name: str
    channel: Channel
    audio: np.ndarray
    reference: str

    @property
    def duration_s(self) -> float:
        return self.audio.size / SAMPLE_RATE


def load_clips(entries: Iterable[ManifestEntry]) -> list[Clip]:
    return [Clip(e.path.name, e.channel, load_clip(e), e.reference) for e in entries]


def join_clips(clips: Sequence[Clip], gap_s: float = 1.0) -> Clip:
    """All clips as one recording with ``gap_s`` of silence between them (a stand-in for a long call)."""
    gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    for i, clip in enumerate(clips):
        if i:
            pieces.append(gap)
        pieces.append(clip.audio)
    # normalise each reference on its own: joined raw text would let the normaliser merge numbers
    # across clip boundaries ("eighteen thirteen" + "eight" → "18138"); normalising is idempotent.
    reference = " ".join(normalize(c.reference) for c in clips)
    return Clip(f"{len(clips)} clips joined", "mix", np.concatenate(pieces), reference)


def segments_text(segments: Iterable[AsrSegment]) -> str:
    return " ".join(s.text.strip() for s in segments).strip()


# --------------------------------------------------------------------------- benchmark


@dataclass(frozen=True)
class ClipResult:
    file: str
    channel: Channel
    audio_s: float
    process_s: float
    reference: str
    hypothesis: str
    errors: WordErrors


@dataclass(frozen=True)
class BackendResult:
    backend: str
    model: str
    settings: str
    load_s: float
    warmup_s: float
    clips: tuple[ClipResult, ...]

    @property
    def audio_s(self) -> float:
        return sum(c.audio_s for c in self.clips)

    @property
    def process_s(self) -> float:
        return sum(c.process_s for c in self.clips)

    @property
    def rtf(self) -> float:
        return self.process_s / self.audio_s if self.audio_s else float("nan")

    @property
    def errors(self) -> WordErrors:
        total = WordErrors(0, 0)
        for c in self.clips:
            total = total + c.errors
        return total

    @property
    def wer(self) -> float:
        return self.errors.wer


def evaluate(
    transcriber: Transcriber,
    clips: Sequence[Clip],
    options: TranscribeOptions,
    *,
    load_s: float = 0.0,
    settings: str = "",
    warmup: bool = True,
) -> BackendResult:
    """Transcribe every clip once (after one untimed warm-up on the first) and score it."""
    warmup_s = 0.0
    if warmup and clips:
        started = time.perf_counter()
        transcriber.transcribe(clips[0].audio, options)
        warmup_s = time.perf_counter() - started
    results = []
    for clip in clips:
        started = time.perf_counter()
        segments = transcriber.transcribe(clip.audio, options)
        elapsed = time.perf_counter() - started
        hypothesis = segments_text(segments)
        results.append(
            ClipResult(
                file=clip.name,
                channel=clip.channel,
                audio_s=clip.duration_s,
                process_s=elapsed,
                reference=clip.reference,
                hypothesis=hypothesis,
                errors=word_errors(clip.reference, hypothesis),
            )
        )
        logger.debug("%s [%s] %.2fs: %s", clip.name, clip.channel, elapsed, hypothesis)
    return BackendResult(
        backend=transcriber.backend,
        model=transcriber.model,
        settings=settings,
        load_s=load_s,
        warmup_s=warmup_s,
        clips=tuple(results),
    )


def benchmark(
    manifest: Path,
    backends: Sequence[str],
    *,
    model: str = "tiny.en",
    options: TranscribeOptions | None = None,
    backend_opts: dict[str, object] | None = None,
    joined: bool = False,
) -> list[BackendResult]:
    """Load each backend and :func:`evaluate` it on the manifest's clips.

    ``joined`` transcribes all clips as one long recording (1 s gaps) instead.
    """
    from qa_pipeline.asr import FASTER_WHISPER_ONLY, load_transcriber

    options = options or TranscribeOptions()
    clips = load_clips(read_manifest(manifest))
    if joined:
        clips = [join_clips(clips)]
    results = []
    for backend in backends:
        opts = dict(backend_opts or {})
        if backend != "faster-whisper":
            opts = {k: v for k, v in opts.items() if k not in FASTER_WHISPER_ONLY}
        started = time.perf_counter()
        transcriber = load_transcriber(backend, model, **opts)
        load_s = time.perf_counter() - started
        settings = ", ".join(f"{k}={v}" for k, v in sorted(opts.items()) if v is not None)
        settings = f"beam={options.beam_size}, vad={'on' if options.vad else 'off'}" + (
            f", {settings}" if settings else ""
        )
        results.append(evaluate(transcriber, clips, options, load_s=load_s, settings=settings))
        del transcriber
    return results
