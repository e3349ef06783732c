"""Serving a call's recording to the browser: which file, redacted, seekable.

Which file may be served (the rule, documented in docs/review.md):

* the browser only ever names a ``call_id``; the file is the call's
  ``calls.source_path`` from the database, never a path from the request;
* the file's real path (symlinks resolved) must lie inside the *recordings
  root*: ``--recordings DIR`` when the server was given one, else the input
  directory of the run that ingested the call (``runs.input_dir``).  A call
  with neither is not served;
* when ``--recordings`` is given and the recording was ingested from another
  directory, the path relative to the run's input directory is looked up
  under ``--recordings`` (recordings moved or mounted elsewhere).

What is served: the recording decoded to 16 kHz, 16-bit PCM WAV with every
redacted span (``redactions.start_s..end_s``, padded as the redaction module
pads them) silenced, so PII removed from the transcript is not heard either.
The WAV is rendered once, streaming, into a file of the playback cache and
served from that file with HTTP range support (Starlette's ``FileResponse``),
so seeking in a two-hour call reads a few bytes instead of decoding the call.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
import wave
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_pipeline.errors import AudioDecodeError, NotFoundError

logger = logging.getLogger("qa_pipeline.review.playback")


class RecordingRefused(NotFoundError):
    """The recording lies outside the recordings root (answered as 404, logged)."""


def resolve_recording(source_path: str, run_input_dir: str | None, recordings: Path | None) -> Path:
    """The real path of a call's recording, or :class:`NotFoundError` / :class:`RecordingRefused`."""
    root_dir = recordings if recordings is not None else (Path(run_input_dir) if run_input_dir else None)
    if root_dir is None:
        raise RecordingRefused(
            "the call has no run input directory on record and the server was started without --recordings DIR; "
            "start it with --recordings pointing at the recordings folder"
        )
    try:
        root = root_dir.expanduser().resolve(strict=True)
    except OSError as exc:
        raise NotFoundError(f"recordings folder {root_dir} does not exist") from exc
    src = Path(source_path).expanduser()
    candidates = [src if src.is_absolute() else root / src]
    if run_input_dir and (recordings is not None or not src.is_absolute()):
        # The path relative to the run's input folder, looked up under the root.  This also resolves the
        # relative paths older runs stored (``samples/calls/x.wav`` for a run of ``samples/calls``), which
        # joined to the root gave ``samples/calls/samples/calls/x.wav``.
        try:
            candidates.insert(0, root / src.relative_to(Path(run_input_dir)))
        except ValueError:
            pass
    refused = False
    for cand in candidates:
        try:
            real = cand.resolve(strict=True)
        except OSError:
            continue
        if not real.is_relative_to(root):
            refused = True
            continue
        if real.is_file():
            return real
    if refused:
        logger.warning("refused to serve %s: outside the recordings root %s", source_path, root)
        raise RecordingRefused(f"recording {source_path} lies outside the recordings folder {root}")
    raise NotFoundError(f"recording {source_path} not found under {root}")


def render_playback_file(path: Path, spans: list[tuple[float, float]], out: Path) -> int:
    """Write the recording to ``out`` as 16 kHz 16-bit WAV with the redacted spans silenced; returns its size.

    Streams: PyAV decodes and resamples one frame at a time and each block is written as it comes, so
    memory stays a few hundred kilobytes whatever the length of the call.  The spans are padded and
    merged as :func:`qa_pipeline.redact.audio.span_times` decides for the transcript's redactions.
    """
    import av  # PyAV only when audio is played

    from qa_pipeline.audio import SAMPLE_RATE
    from qa_pipeline.redact.audio import DEFAULT_PAD_S, span_times

    silent = [
        (int(np.floor(a * SAMPLE_RATE)), int(np.ceil(b * SAMPLE_RATE))) for a, b in span_times(spans, DEFAULT_PAD_S)
    ]
    part = out.with_name(out.name + f".{threading.get_ident()}.part")
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioDecodeError(f"{path}: no audio stream", path=str(path))
            stream = container.streams.audio[0]
            channels = stream.codec_context.channels
            if channels not in (1, 2):
                raise AudioDecodeError(
                    f"{path}: {channels} audio channels; playback needs mono or stereo", path=str(path)
                )
            resampler = av.audio.resampler.AudioResampler(
                format="s16", layout="mono" if channels == 1 else "stereo", rate=SAMPLE_RATE
            )
            with wave.open(str(part), "wb") as w:
                w.setnchannels(channels)
                w.setsampwidth(2)
                w.setframerate(SAMPLE_RATE)
                pos = 0
                for frame in _frames(container, stream, path):
                    frame.pts = None
                    for block in resampler.resample(frame):
                        pos = _write_block(w, block.to_ndarray().reshape(-1, channels), pos, silent)
                for block in resampler.resample(None):
                    pos = _write_block(w, block.to_ndarray().reshape(-1, channels), pos, silent)
        if pos == 0:
            raise AudioDecodeError(f"{path}: the recording decodes to no audio samples", path=str(path))
        os.replace(part, out)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise AudioDecodeError(f"{path}: cannot be decoded for playback ({exc})", path=str(path)) from exc
    finally:
        part.unlink(missing_ok=True)
    return out.stat().st_size


def _frames(container, stream, path: Path):
    """The stream's decoded frames, skipping invalid ones (as the pipeline's decoder does)."""
    import av

    frames = container.decode(stream)
    while True:
        try:
            yield next(frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            logger.debug("%s: skipped an invalid frame", path)


def _write_block(w: wave.Wave_write, pcm: np.ndarray, pos: int, silent: list[tuple[int, int]]) -> int:
    """Write (n, channels) int16 samples starting at sample ``pos``, zeroing what falls in a silent span."""
    n = pcm.shape[0]
    for a, b in silent:
        if a < pos + n and b > pos:
            if not pcm.flags.writeable:
                pcm = pcm.copy()
            pcm[max(a - pos, 0) : min(b - pos, n)] = 0
    w.writeframesraw(np.ascontiguousarray(pcm, dtype="<i2").tobytes())
    return pos + n


@dataclass
class PlaybackCache:
    """Rendered WAV files on disk, rendered once per (recording, its size and mtime, redacted spans) and
    served with HTTP range requests straight from the file.

    ``directory`` defaults to a private temporary folder (mode 0700) removed when the server stops; the
    oldest files go once the folder holds more than ``max_bytes``.  One render per key runs at a time;
    concurrent requests for the same call wait for it.
    """

    directory: Path | None = None
    max_bytes: int = 4 * 1024**3

    def __post_init__(self) -> None:
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="qa-playback-"))
            weakref.finalize(self, shutil.rmtree, str(self.directory), True)
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        self._lock = threading.Lock()
        self._rendering: dict[str, threading.Lock] = {}

    def get_or_render(self, path: Path, spans: list[tuple[float, float]]) -> Path:
        st = path.stat()
        key = hashlib.sha256(repr((str(path), st.st_mtime_ns, st.st_size, tuple(spans))).encode()).hexdigest()[:32]
        assert self.directory is not None
        target = self.directory / f"{key}.wav"
        with self._lock:
            gate = self._rendering.setdefault(key, threading.Lock())
        with gate:
            if target.exists():
                os.utime(target)  # most recently used
                return target
            size = render_playback_file(path, spans, target)
            logger.info("rendered %s for playback (%.1f MB)", path.name, size / 1e6)
        self._evict(keep=target)
        return target

    def _evict(self, keep: Path) -> None:
        assert self.directory is not None
        files = sorted(self.directory.glob("*.wav"), key=lambda p: p.stat().st_mtime)
        total = sum(p.stat().st_size for p in files)
        for old in files:
            if total <= self.max_bytes:
                break
            if old != keep:
                total -= old.stat().st_size
                old.unlink(missing_ok=True)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end_inclusive)`` of a single ``bytes=`` range, ``None`` for the whole body.

    Raises ``ValueError`` for an unsatisfiable or malformed range.
    """
    if not header:
        return None
    header = header.strip()
    if not header.startswith("bytes=") or "," in header:
        raise ValueError(header)
    first, _, last = header[len("bytes=") :].partition("-")
    first, last = first.strip(), last.strip()
    if first == "":
        if not last.isdigit() or int(last) == 0:
            raise ValueError(header)
        length = min(int(last), size)
        return size - length, size - 1
    if not first.isdigit() or (last and not last.isdigit()):
        raise ValueError(header)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise ValueError(header)
    return start, end
