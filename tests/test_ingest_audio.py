"""Ingest (discovery, manifest, call_id) and audio decoding on real files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.audio import SAMPLE_RATE, decode, probe
from qa_pipeline.errors import AudioDecodeError, InputError
from qa_pipeline.ingest import call_id_for, discover, file_sha256, read_manifest


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """samples: (channels, n) float in -1..1."""
    data = (np.clip(samples.T, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[0])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return path


def tone(freq: float, seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_decode_resamples_any_rate_and_keeps_channels(tmp_path: Path, rate: int) -> None:
    stereo = np.stack([tone(440, 1.0, rate), tone(880, 1.0, rate)])
    audio = decode(write_wav(tmp_path / "s.wav", stereo, rate))
    assert audio.channels == 2
    assert audio.source_rate == rate
    assert abs(audio.duration_s - 1.0) < 0.02
    assert audio.samples.dtype == np.float32
    # the left channel stays the 440 Hz tone: its spectrum peaks there
    spectrum = np.abs(np.fft.rfft(audio.channel(0)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / len(audio.channel(0))
    assert abs(peak_hz - 440) < 5


@pytest.mark.parametrize("ext,args", [("flac", []), ("mp3", ["-b:a", "64k"]), ("ogg", ["-c:a", "libopus"])])
def test_decode_compressed_formats(tmp_path: Path, ext: str, args: list[str]) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    src = write_wav(tmp_path / "m.wav", tone(300, 2.0, 16000)[None, :], 16000)
    out = tmp_path / f"m.{ext}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(src), *args, str(out)], check=True)
    audio = decode(out)
    assert audio.channels == 1
    assert abs(audio.duration_s - 2.0) < 0.1


def test_decode_real_clip(shared_asr: Path) -> None:
    audio = decode(shared_asr / "stereo_diarization.wav")
    assert audio.channels == 2 and abs(audio.duration_s - 5.0) < 0.01
    assert probe(shared_asr / "jfk.flac").source_rate == 44100


def test_bad_files_raise_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioDecodeError, match="empty"):
        decode(empty)
    text = tmp_path / "notes.mp3"
    text.write_text("this is not audio at all\n" * 50)
    with pytest.raises(AudioDecodeError, match=re.escape("notes.mp3")):
        decode(text)
    good = write_wav(tmp_path / "g.wav", tone(300, 3.0, 16000)[None, :], 16000)
    truncated = tmp_path / "cut.flac"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(good), str(truncated)], check=True)
    truncated.write_bytes(truncated.read_bytes()[:60])
    with pytest.raises(AudioDecodeError, match=re.escape("cut.flac")):
        decode(truncated)
    with pytest.raises(AudioDecodeError, match=r"over the limit|longer than the limit"):
        decode(good, max_duration_s=1.0)


def test_call_id_is_content_hash(tmp_path: Path) -> None:
    a = write_wav(tmp_path / "a.wav", tone(300, 0.5, 8000)[None, :], 8000)
    b = tmp_path / "sub" / "copy.wav"
    b.parent.mkdir()
    shutil.copy(a, b)
    assert call_id_for(file_sha256(a)) == call_id_for(file_sha256(b))
    found = discover(tmp_path, settle_s=0)
    assert len(found.recordings) == 1
    assert len(found.duplicates) == 1


def test_discover_with_csv_manifest_and_broken_row(tmp_path: Path) -> None:
    write_wav(tmp_path / "c1.wav", tone(300, 0.5, 8000)[None, :], 8000)
    write_wav(tmp_path / "c2.wav", tone(500, 0.5, 8000)[None, :], 8000)
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / "manifest.csv").write_text(
        "file,agent_id,agent_name,queue,started_at,direction,customer_ref\n"
        "c1.wav,A17,Dana Reyes,billing,2026-11-20T09:15:00Z,inbound,CUST-9\n"
        "c2.wav,A18,,support,yesterday,inbound,\n"
    )
    found = discover(tmp_path, settle_s=0)
    by_name = {r.path.name: r for r in found.recordings}
    assert set(by_name) == {"c1.wav", "c2.wav"}
    m1 = by_name["c1.wav"].metadata
    assert (m1.agent_id, m1.agent_name, m1.queue, m1.direction, m1.customer_ref) == (
        "A17",
        "Dana Reyes",
        "billing",
        "inbound",
        "CUST-9",
    )
    assert m1.started_at is not None and m1.started_at.hour == 9
    # the broken row is reported, and its recording still comes through with empty metadata
    assert by_name["c2.wav"].metadata.agent_id is None
    assert len(found.problems) == 1
    assert "line 3" in found.problems[0].reason and "ISO 8601" in found.problems[0].reason


def test_json_manifest_keeps_unknown_fields(tmp_path: Path) -> None:
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps([{"file": "x.wav", "agent": "A1"}, {"file": "y.wav", "agent_id": "A2"}]))
    meta, problems = read_manifest(manifest)
    assert problems == []
    by_name = {Path(k).name: m for k, m in meta.items()}
    assert by_name["x.wav"].agent_id is None and by_name["x.wav"].extra == {"agent": "A1"}
    assert by_name["y.wav"].agent_id == "A2"


def test_discover_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        discover(tmp_path / "nope")
