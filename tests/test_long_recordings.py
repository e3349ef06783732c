"""Long recordings: spooled to disk, read back a slice at a time, transcribed window by window.

Real sample calls, the real tiny.en model; windows are made short (45 s) so that a two-minute call
goes through the same path a four-hour recording takes.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from qa_pipeline.asr.base import SAMPLE_RATE
from qa_pipeline.audio import DecodedAudio, SpooledAudio, decode, open_audio, spool
from qa_pipeline.diarize import frame_features, speech_regions
from qa_pipeline.errors import AudioDecodeError
from qa_pipeline.ingest import CallMetadata, Recording
from qa_pipeline.long_audio import cut_points, shift
from qa_pipeline.paths import samples_dir
from qa_pipeline.pipeline import PipelineOptions, transcribe_recording

CALLS = samples_dir() / "calls"
STEREO = CALLS / "sc01_billing_model_call.flac"
MONO = CALLS / "sc07_mono_tv_box.wav"


@pytest.fixture(scope="module")
def transcriber():
    from qa_pipeline.asr import load_transcriber

    return load_transcriber(cpu_threads=2)


def _recording(path: Path, call_id: str) -> Recording:
    return Recording(path=path, call_id=call_id, file_sha256="0" * 64, size=0, metadata=CallMetadata())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def test_spooled_audio_reads_what_decode_holds_and_is_deleted_on_close() -> None:
    whole = decode(STEREO)
    with spool(STEREO) as sp:
        assert (sp.channels, sp.n, sp.info) == (2, whole.samples.shape[1], whole.info)
        folder = sp.files[0].parent
        assert all(f.is_file() for f in sp.files)
        a, b = 12_345, 12_345 + 3 * SAMPLE_RATE
        assert np.array_equal(sp.read(a, b), whole.samples[:, a:b])
        assert np.array_equal(sp.channel(1)[a:b], whole.samples[1, a:b])
        assert np.allclose(sp.mono()[a:b], whole.mono()[a:b], atol=1e-7)
        assert len(sp.mono()[sp.n - 10 : sp.n + 100]) == 10  # slices clip like an array's
        with pytest.raises(TypeError, match="contiguous slices"):
            sp.mono()[::2]
    assert not folder.exists()


def test_open_audio_spools_only_long_recordings(tmp_path: Path) -> None:
    assert isinstance(open_audio(STEREO), DecodedAudio)
    long = open_audio(STEREO, long_s=30.0)
    assert isinstance(long, SpooledAudio)
    long.close()
    bad = tmp_path / "broken.flac"
    bad.write_bytes(b"fLaC" + b"\0" * 64)
    with pytest.raises(AudioDecodeError, match=r"broken\.flac"):
        spool(bad)
    with pytest.raises(AudioDecodeError, match="over the limit"):
        spool(STEREO, max_duration_s=10.0)


def test_cuts_fall_in_pauses() -> None:
    with spool(STEREO) as sp:
        cuts = cut_points(sp, window_s=40.0, search_s=10.0)
        assert cuts[0] == 0 and cuts[-1] == sp.n and cuts == sorted(cuts)
        mono = np.abs(sp.read(0, sp.n)).sum(axis=0)
    frame = SAMPLE_RATE // 10
    typical = np.median([np.mean(mono[i : i + frame] ** 2) for i in range(0, len(mono) - frame, frame)])
    for prev, cut in itertools.pairwise(cuts[:-1]):
        assert 30 * SAMPLE_RATE <= cut - prev <= 40 * SAMPLE_RATE
        here = mono[cut - frame // 2 : cut + frame // 2]
        assert np.mean(here**2) <= typical  # quieter than a typical 100 ms of the call


def test_shift_moves_segments_and_words() -> None:
    from qa_pipeline.asr.base import AsrSegment
    from qa_pipeline.conversation import Word

    seg = AsrSegment(1.0, 2.0, "hi there", (Word(1.0, 1.4, "hi"), Word(1.5, 2.0, "there")))
    (moved,) = shift([seg], 600.0)
    assert (moved.start, moved.end, [(w.start, w.end) for w in moved.words]) == (
        601.0,
        602.0,
        [(601.0, 601.4), (601.5, 602.0)],
    )


def test_diarization_features_are_the_same_from_the_spool() -> None:
    whole = decode(MONO).mono()
    with spool(MONO) as sp:
        spooled = sp.mono()
        a = frame_features(whole, block_s=7.0)
        b = frame_features(spooled, block_s=7.0)
        assert np.array_equal(a.mfcc, b.mfcc) and np.array_equal(a.log_energy, b.log_energy)
        assert np.array_equal(a.log_f0, b.log_f0, equal_nan=True)
        assert speech_regions(whole) == speech_regions(spooled)


def test_a_windowed_stereo_call_matches_the_whole_call(transcriber) -> None:
    options = PipelineOptions(long_window_s=45.0)
    whole = transcribe_recording(_recording(STEREO, "sc01"), transcriber, options)
    with spool(STEREO) as sp:
        windowed = transcribe_recording(_recording(STEREO, "sc01-long"), transcriber, options, audio=sp)
        assert all(f.is_file() for f in sp.files)  # the caller's spool stays open
    assert windowed.record.duration_s == whole.record.duration_s and windowed.record.channels == 2
    assert windowed.record.agent_channel == whole.record.agent_channel == 0
    w_agent = _words(" ".join(u.text for u in windowed.conversation.utterances if u.speaker == "agent"))
    h_agent = _words(" ".join(u.text for u in whole.conversation.utterances if u.speaker == "agent"))
    common = len(set(w_agent) & set(h_agent)) / len(set(h_agent))
    assert common >= 0.85, common
    times = [u.start_s for u in windowed.conversation.utterances]
    assert times == sorted(times) and max(u.end_s for u in windowed.conversation.utterances) > 60.0


def test_a_windowed_mono_call_is_still_diarized(transcriber) -> None:
    with spool(MONO) as sp:
        tc = transcribe_recording(
            _recording(MONO, "sc07-long"), transcriber, PipelineOptions(long_window_s=45.0), audio=sp
        )
    utts = tc.conversation.utterances
    assert tc.record.attribution == "diarized" and tc.record.duration_s > 90.0
    assert {u.speaker for u in utts} >= {"agent", "customer"} and len(utts) >= 10
    assert utts[0].speaker == "agent"


def test_bench_memory_command_prints_the_peak(tmp_path: Path) -> None:
    import subprocess
    import sys

    bin_ = Path(sys.executable).parent / "qa-pipeline"
    done = subprocess.run(
        [str(bin_), "bench", "memory", "--minutes", "1", "--channels", "2", "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("load average before") and "9 stereo sample calls" in lines[0]
    row = lines[2].split()
    assert row[:2] == ["1", "2"] and 0.2 < float(row[2]) < 4.0 and int(row[-1]) > 0
    assert lines[-1].startswith("RESULT memory: peak ") and lines[-1].endswith(" GiB")
    assert (tmp_path / "long-1min-2ch.flac").is_file()


def test_a_full_disk_while_spooling_is_named_and_cleaned_up(tmp_path: Path) -> None:
    import subprocess

    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        with pytest.raises(AudioDecodeError, match=r"sc01_billing_model_call\.flac: cannot spool .*TMPDIR") as err:
            spool(STEREO, folder=mnt)  # 2 minutes of stereo float32 is ~15 MB: more than the disk holds
        assert "No space left" in str(err.value)
        assert list(mnt.iterdir()) == []  # the partial spool is gone
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
