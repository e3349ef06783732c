"""The Prefect-free run (``qa_pipeline.run.run``) on a plain thread pool: its policy without Prefect.

Resuming a stored transcript, skipping complete calls and recording bad input need no ASR, so these
run the real classifier and scorecards on a real DuckDB file in a few seconds.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from scorecard_dialogues import GOOD_CALL, build

from qa_pipeline.ingest import discover
from qa_pipeline.paths import samples_dir
from qa_pipeline.records import CallRecord
from qa_pipeline.run import run
from qa_pipeline.stages import spine
from qa_pipeline.store.calls import write_call
from qa_pipeline.store.db import connect, transaction


def _stored_transcript(folder: Path, db: Path) -> str:
    """One real recording in ``folder`` whose (hand-built) transcript is stored with status 'transcribed'."""
    folder.mkdir()
    shutil.copy(samples_dir() / "calls" / "sc07_mono_tv_box.wav", folder / "call.wav")
    (recording,) = discover(folder, settle_s=0).recordings
    conv, _ = build(GOOD_CALL, call_id=recording.call_id)
    record = CallRecord(
        recording, "wav", 16000, 1, conv.duration_s, "diarized", None, "faster-whisper", "tiny.en", "en", 0.9
    )
    with connect(db) as con, transaction(con):
        write_call(con, record, conv, run_id=None, status="transcribed")
    return recording.call_id


def test_run_resumes_a_stored_transcript_without_asr_then_skips_it(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    call_id = _stored_transcript(tmp_path / "in", db)
    events: list[tuple[str, str]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = run(tmp_path / "in", db, settle_s=0, executor=pool, on_event=lambda e, d: events.append((e, d)))
    summary = result.summary
    assert (summary.status, summary.calls_found, summary.calls_done, summary.calls_failed) == ("ok", 1, 1, 0)
    assert summary.audio_s == 0.0  # analysed from the stored transcript: no audio was transcribed
    assert [e for e, _ in events] == ["found", "done"]
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT status FROM calls WHERE call_id = ?", [call_id]).fetchone() == ("complete",)
        assert con.execute("SELECT count(*) FROM utterance_labels WHERE call_id = ?", [call_id]).fetchone()[0] > 0
        assert con.execute("SELECT count(DISTINCT scorecard_id) FROM call_scores").fetchone()[0] >= 1
        runs = con.execute("SELECT status, calls_done FROM runs").fetchall()
    assert runs == [("ok", 1)]

    again = run(tmp_path / "in", db, settle_s=0).summary  # default executor: a thread pool
    assert (again.status, again.calls_done, again.calls_skipped) == ("ok", 0, 1)


def test_run_records_bad_input_and_ends_failed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.wav").write_bytes(b"RIFF not really a wave file" * 10)
    db = tmp_path / "qa.duckdb"
    result = run(folder, db, settle_s=0)
    assert (result.summary.status, result.summary.calls_failed, result.summary.calls_done) == ("failed", 1, 0)
    ((problem, _),) = result.failures
    assert problem.path.endswith("broken.wav") and problem.stage == "decode"
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT stage FROM failures").fetchall() == [("decode",)]
        assert con.execute("SELECT count(*) FROM calls").fetchone()[0] == 0


def test_the_spine_is_one_ordered_list() -> None:
    assert spine().names == ("transcribe", "redact", "classify", "score")
    from qa_pipeline.pipeline import PipelineOptions

    unredacted = spine(PipelineOptions(redact=False))
    assert unredacted.names == ("transcribe", "classify", "score")
    # a stored transcript (already redacted) re-enters after the last transcript-making stage
    assert [s.name for s in spine().resume_stages] == ["classify", "score"]
    assert spine().after("transcribe") is not None and spine().after("score") is None


def test_an_analysis_stage_past_its_time_bound_fails_that_call_and_the_run_goes_on(tmp_path: Path) -> None:
    """A stage that runs too long (here: any, with a 1 ms bound) becomes that call's failure; the run ends."""
    db = tmp_path / "qa.duckdb"
    call_id = _stored_transcript(tmp_path / "in", db)
    result = run(tmp_path / "in", db, settle_s=0, stage_timeout_s=0.001)
    assert (result.summary.status, result.summary.calls_failed) == ("failed", 1)
    ((problem, failed_call),) = result.failures
    assert failed_call == call_id and problem.error_type == "StageTimeout" and "given up" in problem.reason
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT status FROM calls").fetchall() == [("transcribed",)]  # kept for the next run
        assert con.execute("SELECT error_type FROM failures").fetchall() == [("StageTimeout",)]
    assert run(tmp_path / "in", db, settle_s=0).summary.calls_done == 1  # the next run finishes it


def test_longest_recordings_start_first_after_stored_transcripts(tmp_path: Path) -> None:
    """With N calls in ASR at once the short calls go last, so no core idles while one long call ends alone."""
    from qa_pipeline.run import _Call, _longest_first

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("sc09_house_move_no_checks.flac", "sc01_billing_model_call.flac", "sc07_mono_tv_box.wav"):
        shutil.copy(samples_dir() / "calls" / name, folder / name)
    (folder / "broken.wav").write_bytes(b"RIFF not really a wave file" * 10)
    recordings = {r.path.name: r for r in discover(folder, settle_s=0).recordings}
    calls = [
        _Call(recordings["sc09_house_move_no_checks.flac"], resume=False),  # 58 s stereo
        _Call(recordings["sc07_mono_tv_box.wav"], resume=False),  # 110 s mono, diarized: costs as 307 s of stereo
        _Call(recordings["sc01_billing_model_call.flac"], resume=False),  # 120 s stereo
        _Call(recordings["broken.wav"], resume=False),  # no readable header: first, so it fails first
        _Call(recordings["sc09_house_move_no_checks.flac"], resume=True),  # a stored transcript: no ASR
    ]
    ordered = _longest_first(calls)
    assert [(c.recording.path.name, c.resume) for c in ordered] == [
        ("sc09_house_move_no_checks.flac", True),
        ("broken.wav", False),
        ("sc07_mono_tv_box.wav", False),
        ("sc01_billing_model_call.flac", False),
        ("sc09_house_move_no_checks.flac", False),
    ]


def test_the_classifier_gets_the_threads_of_each_calls_asr() -> None:
    """Two calls at once on two cores: each call's classifier runs on one thread, as its ASR does (two
    torch threads beside the other call's ASR fought over the cores: 5 % more CPU per night)."""
    import threading

    import torch

    from qa_pipeline.conversation import Conversation, Utterance
    from qa_pipeline.records import CallAnalysis
    from qa_pipeline.runtime import AsrRuntime

    two_at_once = spine(runtime=AsrRuntime(workers=2, cpu_threads=1)).stage("classify")
    lone = spine(runtime=AsrRuntime(workers=1, cpu_threads=2)).stage("classify")
    conv = Conversation(
        "c1",
        (
            Utterance(0, "agent", 0.0, 2.0, "Thanks for calling, how can I help?"),
            Utterance(1, "customer", 2.5, 5.0, "My bill is wrong again and I am fed up."),
        ),
        duration_s=5.0,
    )
    seen: dict[str, int] = {}

    def classify(stage_name: str, stage) -> None:  # in a fresh thread, as a run's worker would
        out = stage.run(CallAnalysis(None, conv))
        assert len(out.labels) == 2
        seen[stage_name] = torch.get_num_threads()

    for name, stage in (("two_at_once", two_at_once), ("lone", lone), ("two_at_once_again", two_at_once)):
        worker = threading.Thread(target=classify, args=(name, stage))
        worker.start()
        worker.join()
    assert seen == {"two_at_once": 1, "lone": 2, "two_at_once_again": 1}
