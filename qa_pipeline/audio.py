"""Decode any recording (wav, flac, mp3, ogg/opus, …) to 16 kHz float32 channels.

PyAV (FFmpeg's libraries, bundled in its wheel) does the decoding and the
resampling, so no system ffmpeg is needed at run time.  Mono stays mono;
stereo stays two channels (one party each); more channels are rejected.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

from qa_pipeline.errors import AudioDecodeError

logger = logging.getLogger("qa_pipeline.audio")

SAMPLE_RATE = 16_000
DEFAULT_MAX_DURATION_S = 4 * 3600.0


@dataclass(frozen=True)
class AudioInfo:
    """What the container says about a recording, read without decoding it."""

    format: str
    codec: str
    channels: int
    source_rate: int
    duration_s: float | None


@dataclass(frozen=True, eq=False)
class DecodedAudio:
    """``samples`` is float32, shaped ``(channels, n)``, at :data:`SAMPLE_RATE`."""

    samples: np.ndarray
    info: AudioInfo

    @property
    def channels(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_s(self) -> float:
        return self.samples.shape[1] / SAMPLE_RATE

    @property
    def source_rate(self) -> int:
        return self.info.source_rate

    def channel(self, i: int) -> np.ndarray:
        return self.samples[i]

    def mono(self) -> np.ndarray:
        """Both channels mixed down (or the only channel)."""
        if self.channels == 1:
            return self.samples[0]
        return self.samples.mean(axis=0).astype(np.float32)


def _span(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds:.0f} s"


def probe(path: str | Path) -> AudioInfo:
    """Read the container's header; raises :class:`AudioDecodeError` if it is not audio."""
    path = Path(path)
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            return _info(container, path)
    except AudioDecodeError:
        raise
    except (av.error.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise AudioDecodeError(_unreadable(path, exc), path=str(path)) from exc


def _info(container: av.container.InputContainer, path: Path) -> AudioInfo:
    if not container.streams.audio:
        raise AudioDecodeError(
            f"{path}: the file has no audio stream (format {container.format.name!r}); "
            "qa-pipeline reads wav, flac, mp3 and ogg/opus recordings — check that the file is a recording",
            path=str(path),
        )
    stream = container.streams.audio[0]
    duration = None
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / 1_000_000
    return AudioInfo(
        format=container.format.name,
        codec=stream.codec_context.name,
        channels=stream.codec_context.channels,
        source_rate=stream.codec_context.sample_rate or stream.rate or 0,
        duration_s=duration,
    )


def _unreadable(path: Path, exc: BaseException) -> str:
    if path.exists() and path.stat().st_size == 0:
        return f"{path}: the file is empty (0 bytes); re-export the recording or remove it from the input folder"
    return (
        f"{path}: cannot decode audio ({exc.__class__.__name__}: {exc}); the file is corrupt, truncated or not a "
        "supported recording (wav, flac, mp3, ogg/opus) — re-export it from the recorder"
    )


def decode(path: str | Path, *, max_duration_s: float = DEFAULT_MAX_DURATION_S) -> DecodedAudio:
    """Decode ``path`` to float32 channels at 16 kHz.

    Raises :class:`AudioDecodeError` naming the file and the fix when the file
    is empty, corrupt, not audio, has more than two channels, holds no samples,
    or is longer than ``max_duration_s``.
    """
    path = Path(path)
    chunks: list[np.ndarray] = []
    info = _decode_into(path, max_duration_s, chunks.append)
    if not chunks:
        samples = np.zeros((info.channels, 0), dtype=np.float32)
    else:
        samples = np.ascontiguousarray(np.concatenate(chunks, axis=1), dtype=np.float32)
    _check_decoded(path, info, samples.shape[1])
    return DecodedAudio(samples=samples, info=info)


def _decode_into(path: Path, max_duration_s: float, sink: Callable[[np.ndarray], object]) -> AudioInfo:
    """Stream the decoded ``(channels, n)`` float32 chunks of ``path`` into ``sink``; the container's info."""
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            info = _info(container, path)
            if info.channels not in (1, 2):
                raise AudioDecodeError(
                    f"{path}: {info.channels} audio channels; qa-pipeline expects mono (one mixed channel) or "
                    "stereo (one party per channel) — export the call as mono or stereo",
                    path=str(path),
                )
            if info.duration_s is not None and info.duration_s > max_duration_s:
                raise AudioDecodeError(
                    f"{path}: recording is {_span(info.duration_s)} long, over the limit of "
                    f"{_span(max_duration_s)}; split it, or raise --max-duration (hours)",
                    path=str(path),
                )
            _decode_stream(container, info.channels, max_duration_s, path, sink)
    except AudioDecodeError:
        raise
    except (av.error.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise AudioDecodeError(_unreadable(path, exc), path=str(path)) from exc
    return info


def _check_decoded(path: Path, info: AudioInfo, n: int) -> None:
    if n == 0:
        raise AudioDecodeError(
            f"{path}: the recording decodes to no audio samples; it is empty or truncated — re-export it",
            path=str(path),
        )
    _check_complete(path, info, n / SAMPLE_RATE)


# A file cut short (a copy interrupted, a recorder that crashed) still decodes up to the cut.
# WAV and FLAC headers state the exact length, so the shortfall is detectable there; MP3 and
# Ogg lengths are estimates or come from the last page, so they are not checked.
TRUNCATION_TOLERANCE_S = 0.5


def _wav_declared_seconds(path: Path) -> float | None:
    """The length the RIFF header declares (``data`` chunk size), or None when unknown/streamed."""
    import struct

    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX") or head[8:12] != b"WAVE":
                return None
            endian = "<" if head[:4] == b"RIFF" else ">"
            rate = block_align = 0
            while True:
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return None
                cid, size = chunk[:4], struct.unpack(endian + "I", chunk[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(size + (size & 1))
                    if len(fmt) < 16:
                        return None
                    _, _, rate, _, block_align = struct.unpack(endian + "HHIIH", fmt[:14])
                elif cid == b"data":
                    if not rate or not block_align or size in (0, 0xFFFFFFFF):
                        return None  # a streaming writer leaves the size unset
                    return size / block_align / rate
                else:
                    fh.seek(size + (size & 1), 1)
    except OSError:
        return None


def _check_complete(path: Path, info: AudioInfo, decoded_s: float) -> None:
    declared: float | None = None
    if info.format == "wav":
        declared = _wav_declared_seconds(path)
    elif info.format == "flac":
        declared = info.duration_s
    if declared is None:
        return
    missing = declared - decoded_s
    if missing > max(TRUNCATION_TOLERANCE_S, 0.01 * declared):
        raise AudioDecodeError(
            f"{path}: the file is truncated: its header says {declared:.1f} s but only {decoded_s:.1f} s of audio "
            "is there (a copy or recording cut short); copy it again from the recorder, or re-export it",
            path=str(path),
        )


def _decode_stream(
    container: av.container.InputContainer,
    channels: int,
    max_duration_s: float,
    path: Path,
    sink: Callable[[np.ndarray], object],
) -> None:
    layout = "mono" if channels == 1 else "stereo"
    resampler = av.audio.resampler.AudioResampler(format="flt", layout=layout, rate=SAMPLE_RATE)
    total = 0
    limit = int(max_duration_s * SAMPLE_RATE)
    stream = container.streams.audio[0]
    frames = container.decode(stream)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            break
        except av.error.InvalidDataError:
            logger.debug("%s: skipped an invalid frame", path)
            continue
        frame.pts = None
        for out in resampler.resample(frame):
            arr = out.to_ndarray().reshape(-1, channels).T  # packed 'flt' → (channels, n)
            sink(arr)
            total += arr.shape[1]
        if total > limit:
            raise AudioDecodeError(
                f"{path}: recording is longer than the limit of {_span(max_duration_s)}; split it, or raise --max-duration",
                path=str(path),
            )
    for out in resampler.resample(None):
        sink(out.to_ndarray().reshape(-1, channels).T)


# --------------------------------------------------------------------------- long recordings

# A recording longer than this is not held in memory: it is decoded once into per-channel float32
# files (a spool, in a temporary folder) and read back a window at a time, so the memory of a call
# does not grow with its length (docs/operations.md, "Long recordings").
LONG_RECORDING_S = 20 * 60.0
_F32 = np.dtype(np.float32).itemsize


class SpooledChannel:
    """One channel of a spooled recording (or the mix of both), read on slicing: ``ch[a:b]`` is float32."""

    def __init__(self, files: Sequence[Path], n: int) -> None:
        self._files = tuple(files)
        self.size = n

    def __len__(self) -> int:
        return self.size

    @property
    def shape(self) -> tuple[int]:
        return (self.size,)

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError(f"a spooled channel reads contiguous slices, got {key!r}")
        start, stop, _ = key.indices(self.size)
        count = max(0, stop - start)
        parts = [np.fromfile(f, dtype=np.float32, count=count, offset=start * _F32) for f in self._files]
        if len(parts) == 1:
            return parts[0]
        return ((parts[0] + parts[1]) * np.float32(0.5)).astype(np.float32, copy=False)


# a mono signal: float32 samples in memory, or a spooled long recording's channel read a slice at a time
Samples = np.ndarray | SpooledChannel


@dataclass(eq=False)
class SpooledAudio:
    """A decoded recording kept on disk, one float32 file per channel; ``close()`` (or ``with``) deletes it."""

    info: AudioInfo
    files: tuple[Path, ...]
    n: int
    _folder: tempfile.TemporaryDirectory[str] | None = None

    @property
    def channels(self) -> int:
        return len(self.files)

    @property
    def duration_s(self) -> float:
        return self.n / SAMPLE_RATE

    @property
    def source_rate(self) -> int:
        return self.info.source_rate

    def read(self, start: int, end: int) -> np.ndarray:
        """Samples ``[start, end)`` of every channel, ``(channels, m)`` float32."""
        return np.stack([SpooledChannel((f,), self.n)[start:end] for f in self.files])

    def channel(self, i: int) -> SpooledChannel:
        return SpooledChannel((self.files[i],), self.n)

    def mono(self) -> SpooledChannel:
        """Both channels mixed down (or the only channel), read on slicing."""
        return SpooledChannel(self.files, self.n)

    def close(self) -> None:
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> SpooledAudio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def spool(
    path: str | Path, *, max_duration_s: float = DEFAULT_MAX_DURATION_S, folder: str | Path | None = None
) -> SpooledAudio:
    """Decode ``path`` into per-channel float32 files in a temporary folder made in ``folder`` (default: the
    system's temporary directory, ``TMPDIR``); same errors as :func:`decode`, and a full disk is named as such."""
    path = Path(path)
    spool_dir = tempfile.TemporaryDirectory(prefix="qa-audio-", dir=folder)
    handles: list[BinaryIO] = []
    count = [0]

    def full(exc: OSError) -> AudioDecodeError:
        return AudioDecodeError(
            f"{path}: cannot spool the decoded recording into {spool_dir.name} ({exc}); a recording over "
            f"{_span(LONG_RECORDING_S)} is decoded to disk first (7.7 MB per stereo minute) — free space there, "
            "or point TMPDIR at a larger disk",
            path=str(path),
        )

    def write(chunk: np.ndarray) -> None:
        try:
            if not handles:
                handles.extend(open(Path(spool_dir.name) / f"ch{i}.f32", "wb") for i in range(chunk.shape[0]))  # noqa: SIM115
            for h, row in zip(handles, chunk, strict=True):
                h.write(np.ascontiguousarray(row, dtype=np.float32).tobytes())
        except OSError as exc:
            raise full(exc) from exc
        count[0] += chunk.shape[1]

    try:
        try:
            info = _decode_into(path, max_duration_s, write)
        except BaseException:
            for h in handles:
                with contextlib.suppress(OSError):
                    h.close()
            raise
        try:
            for h in handles:
                h.close()  # the last buffered bytes: a full disk can show here first
        except OSError as exc:
            raise full(exc) from exc
        _check_decoded(path, info, count[0])
    except BaseException:
        spool_dir.cleanup()
        raise
    files = tuple(Path(spool_dir.name) / f"ch{i}.f32" for i in range(info.channels))
    return SpooledAudio(info=info, files=files, n=count[0], _folder=spool_dir)


def open_audio(
    path: str | Path, *, max_duration_s: float = DEFAULT_MAX_DURATION_S, long_s: float = LONG_RECORDING_S
) -> DecodedAudio | SpooledAudio:
    """In memory up to ``long_s`` seconds (by the container's header); longer, or of unknown length, spooled."""
    info = probe(path)
    if info.duration_s is not None and info.duration_s <= long_s:
        return decode(path, max_duration_s=max_duration_s)
    return spool(path, max_duration_s=max_duration_s)
