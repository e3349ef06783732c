"""Metadata follows the content: duplicates merge their manifest metadata, a later manifest updates calls
already scored (no re-transcription), and an ``external_id`` keeps a re-exported recording from counting
twice.  Real Prefect flow, real DuckDB file; the calls' transcripts are stored, so nothing is transcribed."""

from __future__ import annotations

import shutil
from pathlib import Path

from test_run import _stored_transcript

from qa_pipeline.ingest import discover
from qa_pipeline.paths import samples_dir

HEADER = "file,agent_id,agent_name,queue,started_at,direction,customer_ref,external_id\n"


def _calls(db: Path) -> list[tuple]:
    from qa_pipeline.store.db import connect

    with connect(db, read_only=True) as con:
        return con.execute(
            "SELECT call_id, agent_id, queue, external_id, status FROM calls ORDER BY call_id"
        ).fetchall()


def test_metadata_follows_the_content(prefect_harness, tmp_path: Path) -> None:
    from flows.nightly import run_nightly

    inbox = tmp_path / "in"
    db = tmp_path / "qa.duckdb"
    call_id = _stored_transcript(inbox, db)  # in/call.wav, transcript stored, no metadata
    shutil.copy(inbox / "call.wav", inbox / "copy_with_metadata.wav")  # the same audio under a second name
    (inbox / "manifest.csv").write_text(
        HEADER + "copy_with_metadata.wav,A-7,Ana,billing,,inbound,,REF-1\n", encoding="utf-8"
    )

    (kept,) = discover(inbox, settle_s=0).recordings  # one call, with the metadata of the copy that has it
    assert kept.metadata.agent_id == "A-7" and kept.metadata.external_id == "REF-1"

    summary = run_nightly(inbox, db, settle_s=0)
    assert (summary.status, summary.calls_done, summary.calls_skipped) == ("ok", 1, 1)
    assert _calls(db) == [(call_id, "A-7", "billing", "REF-1", "complete")]

    # a corrected manifest the next night: the scored call's metadata changes, nothing is transcribed again
    (inbox / "manifest.csv").write_text(HEADER + "call.wav,A-8,Bo,retention,,inbound,,REF-1\n", encoding="utf-8")
    summary = run_nightly(inbox, db, settle_s=0)
    assert (summary.calls_done, summary.audio_s) == (0, 0.0)
    assert _calls(db) == [(call_id, "A-8", "retention", "REF-1", "complete")]

    # the same call re-exported (re-encoded: other bytes, other call_id) with the same call reference
    shutil.copy(samples_dir() / "calls" / "sc05_email_change_dob.mp3", inbox / "call_reexport.mp3")
    (inbox / "manifest.csv").write_text(
        HEADER + "call.wav,A-8,Bo,retention,,inbound,,REF-1\ncall_reexport.mp3,A-8,Bo,retention,,inbound,,REF-1\n",
        encoding="utf-8",
    )
    summary = run_nightly(inbox, db, settle_s=0)
    assert (summary.status, summary.calls_done, summary.calls_failed) == ("ok", 0, 0)
    assert summary.calls_skipped == 3  # call.wav (complete), its copy, and the re-export
    assert _calls(db) == [(call_id, "A-8", "retention", "REF-1", "complete")]  # still one call for agent A-8
