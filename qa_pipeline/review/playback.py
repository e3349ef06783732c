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
redacted span (``redactions.start_s..end_s``) silenced by
:func:`qa_pipeline.redact.render_redacted_wav`, so PII removed from the
transcript is not heard either.  Rendered files are cached in memory and
served with HTTP range support, so the browser can seek.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from qa_pipeline.errors import NotFoundError

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
    if recordings is not None and run_input_dir and src.is_absolute():
        try:
            rel = src.relative_to(Path(run_input_dir))
            candidates.append(root / rel)
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


def render_playback(path: Path, spans: list[tuple[float, float]]) -> bytes:
    """The recording as 16 kHz WAV with the redacted spans silenced (padded as the redaction module decides)."""
    from qa_pipeline.redact import render_redacted_wav  # PyAV is only needed when audio is played

    return render_redacted_wav(path, spans)


@dataclass
class PlaybackCache:
    """Rendered WAVs kept in memory (least recently used dropped past ``max_bytes``)."""

    max_bytes: int = 256 * 1024 * 1024

    def __post_init__(self) -> None:
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_or_render(self, path: Path, spans: list[tuple[float, float]]) -> bytes:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size, tuple(spans))
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
                return data
        data = render_playback(path, spans)
        with self._lock:
            if key not in self._items and len(data) <= self.max_bytes:
                self._items[key] = data
                self._size += len(data)
                while self._size > self.max_bytes:
                    _, old = self._items.popitem(last=False)
                    self._size -= len(old)
        return data


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end_inclusive)`` of a single ``bytes=`` range, ``None`` for the whole body.

    Raises ``ValueError`` for an unsatisfiable or malformed range.
    """
    if not header:
        return None
    header = header.strip()
    if not header.startswith("bytes=") or "," in header:
        raise ValueError(header)
    first, _, last = header[len("bytes="):].partition("-")
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
