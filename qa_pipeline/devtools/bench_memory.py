"""``qa-pipeline bench memory``: peak memory of one call against the length of the call.

For each length asked for, the bundled sample calls are written end to end into one FLAC file
(16 kHz; stereo, or their mono mix), and a fresh Python process takes that one recording through
every stage (decode or spool, ASR, attribution, redaction, classification, scoring, storage in a
throw-away DuckDB file: :func:`qa_pipeline.devtools.bench_pipeline.run_stages`) and reports its own
peak resident memory.  Memory that does not grow with the call shows as the same peak at 10 minutes
and at 4 hours.

    python -m qa_pipeline.devtools.bench_memory measure RECORDING   # one child: prints a JSON line
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_pipeline.asr.base import SAMPLE_RATE
from qa_pipeline.audio import decode


@dataclass(frozen=True)
class MemoryFigure:
    minutes: float
    channels: int
    peak_bytes: int
    wall_s: float
    audio_s: float
    utterances: int

    @property
    def rt(self) -> float:
        return self.audio_s / self.wall_s if self.wall_s else 0.0


def build_recording(out: Path, minutes: float, channels: int, calls: list[Path]) -> Path:
    """``calls`` (stereo) end to end, repeated until ``minutes`` long, as 16 kHz FLAC; written a call at a time."""
    import soundfile as sf

    target = int(minutes * 60 * SAMPLE_RATE)
    written = 0
    with sf.SoundFile(out, "w", samplerate=SAMPLE_RATE, channels=channels, format="FLAC") as fh:
        k = 0
        while written < target:
            samples = decode(calls[k % len(calls)]).samples  # (2, n)
            k += 1
            block = samples if channels == 2 else samples.mean(axis=0, keepdims=True)
            block = block[:, : target - written]
            fh.write(np.ascontiguousarray(block.T))
            written += block.shape[1]
    return out


def measure(recording: Path) -> dict[str, float | int]:
    """This process: the recording through every stage; its peak resident memory."""
    from qa_pipeline.devtools.bench_pipeline import peak_rss_bytes, run_stages
    from qa_pipeline.ingest import CallMetadata, Recording

    rec = Recording(path=recording, call_id=recording.stem, file_sha256="0" * 64, size=0, metadata=CallMetadata())
    utterances: list[int] = []
    t = time.perf_counter()
    stage_pass = run_stages([rec], progress=lambda line: utterances.append(int(line.rsplit(", ", 1)[1].split()[0])))
    return {
        "peak_bytes": peak_rss_bytes(),
        "wall_s": time.perf_counter() - t,
        "audio_s": stage_pass.audio_s,
        "utterances": utterances[0] if utterances else 0,
    }


def measure_in_child(recording: Path, minutes: float, channels: int) -> MemoryFigure:
    done = subprocess.run(
        [sys.executable, "-m", "qa_pipeline.devtools.bench_memory", "measure", str(recording)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(
            f"bench memory: the child failed on {recording} (exit {done.returncode}):\n{done.stderr[-3000:]}"
        )
    got = json.loads(lines[-1])
    return MemoryFigure(
        minutes, channels, int(got["peak_bytes"]), float(got["wall_s"]), float(got["audio_s"]), int(got["utterances"])
    )


def growth_mib_per_hour(figures: list[MemoryFigure]) -> float | None:
    """Least-squares slope of the peak against the length, MiB per hour of call (None with fewer than 2 lengths)."""
    if len({f.minutes for f in figures}) < 2:
        return None
    x = np.array([f.minutes / 60 for f in figures])
    y = np.array([f.peak_bytes / 2**20 for f in figures])
    return float(np.polyfit(x, y, 1)[0])


if __name__ == "__main__":  # pragma: no cover - the child of measure_in_child
    if len(sys.argv) != 3 or sys.argv[1] != "measure":
        raise SystemExit("usage: python -m qa_pipeline.devtools.bench_memory measure RECORDING")
    print(json.dumps(measure(Path(sys.argv[2]))))
