"""Bad recordings for the flow tests, each with the failure the run must record for it."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flow_audio import write_wav


@dataclass(frozen=True)
class Expected:
    stage: str
    reason: str  # a regular expression the failure's reason must match


def _sparse_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A mono 16-bit WAV whose header (and size) say ``seconds`` long, without using the disk."""
    data = int(seconds * rate) * 2
    header = b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", data)
    with path.open("wb") as fh:
        fh.write(header)
        fh.truncate(len(header) + data)
    return path


def make_bad_inputs(folder: Path, good_wav: Path) -> dict[str, Expected]:
    """Write one file per kind of bad input into ``folder``; returns file name → expected failure."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, Expected] = {}

    (folder / "empty.wav").write_bytes(b"")
    expected["empty.wav"] = Expected("discover", r"empty \(0 bytes\)")

    flac = folder / "_full.flac.tmp"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(good_wav), "-f", "flac", str(flac)], check=True)
    data = flac.read_bytes()
    (folder / "truncated.flac").write_bytes(data[: len(data) // 2])
    expected["truncated.flac"] = Expected("decode", r"truncated: its header says")
    (folder / "header_only.flac").write_bytes(data[:60])
    expected["header_only.flac"] = Expected("decode", r"corrupt, truncated|no audio samples|cannot decode")
    wav = good_wav.read_bytes()
    (folder / "cut_short.wav").write_bytes(wav[: len(wav) // 3])
    expected["cut_short.wav"] = Expected("decode", r"truncated: its header says")
    flac.unlink()

    rng = np.random.default_rng(7)
    (folder / "corrupt.wav").write_bytes(rng.integers(0, 256, 64_000, dtype=np.uint8).tobytes())
    expected["corrupt.wav"] = Expected("decode", r"cannot decode audio")

    (folder / "notes.mp3").write_text("minutes of the Tuesday meeting, not a recording\n" * 40)
    expected["notes.mp3"] = Expected("decode", r"cannot decode audio|no audio stream")

    video = folder / "video_only.ogg"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=black:s=32x32:d=1",
            "-c:v",
            "ffv1",
            "-f",
            "matroska",
            str(video),
        ],
        check=True,
    )
    expected["video_only.ogg"] = Expected("decode", r"no audio stream")

    write_wav(folder / "silent.wav", np.zeros((2, 16_000 * 8), dtype=np.float32), 16_000)
    expected["silent.wav"] = Expected("transcribe", r"no speech found")

    _sparse_wav(folder / "five_hours.wav", 5 * 3600)
    expected["five_hours.wav"] = Expected("decode", r"5\.0 h long, over the limit")

    write_wav(folder / "surround.wav", np.zeros((3, 16_000), dtype=np.float32), 16_000)
    expected["surround.wav"] = Expected("decode", r"3 audio channels")

    os.symlink(folder / "does-not-exist.wav", folder / "dangling.wav")
    expected["dangling.wav"] = Expected("discover", r"disappeared or cannot be read")
    return expected


def add_unreadable(folder: Path, source: Path) -> tuple[str, Expected]:
    target = folder / "unreadable.wav"
    shutil.copy(source, target)
    target.chmod(0)
    return target.name, Expected("discover", r"cannot read the file \(Permission denied\)")


class GrowingFile:
    """A recording still being written: appends while the run scans the folder."""

    def __init__(self, path: Path, seconds: float = 6.0) -> None:
        self.path = path
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._write, daemon=True)

    def _write(self) -> None:
        header = _sparse_wav(self.path.with_suffix(".hdr"), 0.0, 8000).read_bytes()
        self.path.with_suffix(".hdr").unlink()
        with self.path.open("wb") as fh:
            fh.write(header)
            deadline = time.monotonic() + self.seconds
            while not self._stop.is_set() and time.monotonic() < deadline:
                fh.write(b"\x00\x01" * 800)  # 0.1 s of 8 kHz audio
                fh.flush()
                time.sleep(0.1)

    def __enter__(self) -> GrowingFile:
        self._thread.start()
        while not self.path.exists():
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    expected = Expected("discover", r"still being written")
