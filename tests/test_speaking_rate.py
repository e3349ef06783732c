"""Words per minute from word timings: the same figure from a run and from rescoring the stored call.

The run transcribes a real sample call with the real Whisper model and stores each utterance's speech
timing (``utterances.timed_words``/``speech_s``); rescoring reads those back without the words
(``store/bulk.py``) and must compute exactly the run's words per minute.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from scorecard_dialogues import GOOD_CALL, build

from qa_pipeline.conversation import speech_timing
from qa_pipeline.ingest import discover
from qa_pipeline.metrics import compute_metrics
from qa_pipeline.paths import samples_dir
from qa_pipeline.records import CallRecord
from qa_pipeline.rescore import rescore
from qa_pipeline.run import run
from qa_pipeline.store.bulk import read_calls_bulk
from qa_pipeline.store.calls import read_conversation, write_call
from qa_pipeline.store.db import connect, transaction
from qa_pipeline.store.metrics import current_metrics

MIGRATION = Path(__file__).resolve().parent.parent / "qa_pipeline" / "store" / "migrations" / "022_speech_timing.sql"


def _rates(db: Path) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute(
            "SELECT call_id, agent_wpm, CAST(json_extract(metrics, '$.customer_wpm') AS DOUBLE) FROM call_metrics"
            " ORDER BY call_id"
        ).fetchall()


def test_run_and_rescore_give_the_same_words_per_minute(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples_dir() / "calls" / "sc09_house_move_no_checks.flac", folder / "call.flac")
    db = tmp_path / "qa.duckdb"
    summary = run(folder, db, settle_s=0).summary
    assert (summary.calls_done, summary.calls_failed) == (1, 0)
    ((call_id, agent_wpm, customer_wpm),) = _rates(db)
    # espeak-ng voices speak at 150-200 words a minute: a word-timed rate lands there, not at a span rate
    assert agent_wpm is not None and 110 <= agent_wpm <= 260, agent_wpm
    with connect(db, read_only=True) as con:
        conv = read_conversation(con, call_id)
        stored = con.execute(
            "SELECT sum(timed_words), sum(speech_s) FROM utterances WHERE call_id = ? AND speaker = 'agent'", [call_id]
        ).fetchone()
    assert conv is not None
    agent = [speech_timing(u.words) for u in conv.utterances if u.speaker == "agent"]
    assert stored[0] == sum(n for n, _ in agent) > 0
    assert stored[1] == pytest.approx(sum(s for _, s in agent))
    assert stored[1] <= sum(u.duration_s for u in conv.utterances if u.speaker == "agent") + 1e-9  # sums in any order

    with connect(db, read_only=True) as con:  # the run does not record what its metrics came from (a scan per call)
        assert current_metrics(con, [call_id]) == {}

    with connect(db) as con, transaction(con):  # nothing left over from the run
        con.execute("UPDATE call_metrics SET agent_wpm = NULL, metrics = '{}'")
    rescore(db, "customer_service")
    assert _rates(db) == [(call_id, agent_wpm, customer_wpm)]
    with connect(db, read_only=True) as con:  # the rescore that computed them did: the next one reuses them
        ((conv, labs),) = read_calls_bulk(con, [call_id])
        assert current_metrics(con, [call_id]) == {call_id: compute_metrics(conv, labs)}


def test_migration_fills_speech_timing_of_stored_words_as_the_code_does(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples_dir() / "calls" / "sc07_mono_tv_box.wav", folder / "call.wav")
    (recording,) = discover(folder, settle_s=0).recordings
    conv, _ = build(GOOD_CALL, call_id=recording.call_id)
    record = CallRecord(recording, "wav", 16000, 1, conv.duration_s, "diarized", None, "x", "x", "en", 0.9)
    with connect(db) as con, transaction(con):
        write_call(con, record, conv, run_id=None, status="transcribed")
        written = con.execute("SELECT idx, timed_words, speech_s FROM utterances ORDER BY idx").fetchall()
        con.execute("UPDATE utterances SET timed_words = NULL, speech_s = NULL")
        update = MIGRATION.read_text(encoding="utf-8").split("ALTER TABLE utterances ADD COLUMN speech_s DOUBLE;")[1]
        con.execute(update)
        filled = con.execute("SELECT idx, timed_words, speech_s FROM utterances ORDER BY idx").fetchall()
    assert [r[:2] for r in filled] == [r[:2] for r in written]
    assert [r[2] for r in filled] == pytest.approx([r[2] for r in written])
    assert [r[1:] for r in written] == [(n, pytest.approx(s)) for n, s in (u.speech_timing() for u in conv.utterances)]
