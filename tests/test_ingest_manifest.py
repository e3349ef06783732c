"""Manifests as contact-centre systems export them: unknown columns kept, spreadsheet encodings, column
mapping, and a broken manifest that costs one failure instead of the night."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from flow_audio import espeak_available, render_calls

from qa_pipeline.errors import InputError
from qa_pipeline.ingest import discover, read_manifest
from qa_pipeline.paths import samples_dir
from qa_pipeline.run import run
from qa_pipeline.store.db import connect

WAV = samples_dir() / "calls" / "sc07_mono_tv_box.wav"


def _folder(tmp_path: Path, names=("a.wav", "b.wav")) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, name in enumerate(names):
        data = WAV.read_bytes() + bytes([i])  # distinct content, distinct call ids
        (folder / name).write_bytes(data)
    return folder


def test_unknown_columns_are_kept_per_call_and_excel_encodings_read(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = (
        "file,agent_id,agent_name,queue,CSAT,Wrap time,case id\r\n"
        "a.wav,A1,José Núñez,billing,5,00:45,CASE-1\r\n"
        "b.wav,A2,Zoë,collections,,,CASE-2\r\n"
    )
    (folder / "manifest.csv").write_bytes(text.encode("cp1252"))  # Excel's "CSV" on Windows
    found = discover(folder, settle_s=0)
    assert found.problems == ()
    assert found.manifest_encoding == "cp1252"
    meta = {r.path.name: r.metadata for r in found.recordings}
    assert meta["a.wav"].agent_name == "José Núñez" and meta["a.wav"].queue == "billing"
    assert meta["a.wav"].extra == {"CSAT": "5", "Wrap time": "00:45", "case id": "CASE-1"}
    assert meta["b.wav"].extra == {"case id": "CASE-2"}  # empty cells are not kept

    (folder / "manifest.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # UTF-8 with a BOM
    found = discover(folder, settle_s=0)
    assert found.manifest_encoding == "utf-8" and found.recordings[0].metadata.agent_name == "José Núñez"


def test_column_mapping_renames_exported_columns(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ("a.wav",))
    (folder / "manifest.csv").write_text("Recording,agent,Skill\na.wav,A9,billing\n", encoding="utf-8")
    found = discover(folder, settle_s=0, columns={"Recording": "file", "agent": "agent_id", "Skill": "queue"})
    assert found.problems == ()
    m = found.recordings[0].metadata
    assert (m.agent_id, m.queue, m.extra) == ("A9", "billing", {})
    with pytest.raises(InputError, match="'agent_number' is not a manifest field"):
        read_manifest(folder / "manifest.csv", {"agent": "agent_number"})


def test_missing_files_and_duplicate_rows_are_problems(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ("a.wav",))
    (folder / "manifest.csv").write_text("file,agent_id\na.wav,A1\na.wav,A2\ngone.wav,A3\n", encoding="utf-8")
    found = discover(folder, settle_s=0)
    reasons = [p.reason for p in found.problems]
    assert len(reasons) == 2, reasons
    assert "line 3: a second row for 'a.wav' (first:" in reasons[0] and "line 2" in reasons[0]
    assert "gone.wav names a recording that is not in the input folder" in reasons[1]
    assert found.recordings[0].metadata.agent_id == "A1"


def test_a_broken_manifest_is_one_problem_and_the_audio_is_still_found(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "manifest.json").write_text('[{"file": "a.wav", "agent_id": "A1"},, ]', encoding="utf-8")
    found = discover(folder, settle_s=0)
    assert len(found.problems) == 1
    assert "not valid JSON (line 1, column" in found.problems[0].reason
    assert len(found.recordings) == 2
    assert all(r.metadata.missing_reason and "manifest.json" in r.metadata.missing_reason for r in found.recordings)


@pytest.mark.skipif(not espeak_available(), reason="needs espeak-ng to render the spoken test call")
def test_run_scores_audio_without_its_manifest_and_keeps_extra_columns(tmp_path: Path) -> None:
    """Real run (Whisper tiny.en, classifiers, scorecards, DuckDB): a manifest.json with a syntax error is
    one failure row; the call is scored without metadata and flagged; a CSV's extra columns are stored."""
    spoken = render_calls(tmp_path / "audio", ["call_a"])["call_a"]
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(spoken, broken / "a.wav")
    (broken / "manifest.json").write_text('{"calls": [{"file": "a.wav" "agent_id": "A1"}]}', encoding="utf-8")
    db = tmp_path / "qa.duckdb"
    summary = run(broken, db, settle_s=0).summary
    assert (summary.status, summary.calls_done, summary.calls_failed) == ("partial", 1, 0), summary
    with connect(db, read_only=True) as con:
        failures = con.execute("SELECT stage, reason FROM failures").fetchall()
        flags = con.execute("SELECT rule_id, reason FROM flags WHERE rule_id = 'metadata_missing'").fetchall()
        cards = con.execute("SELECT scorecard_id FROM call_scores").fetchall()
    assert failures[0][0] == "manifest" and "not valid JSON" in failures[0][1]
    assert len(flags) == 1 and "manifest.json could not be read" in flags[0][1]
    assert cards == [("customer_service",)]  # no metadata: the default card only

    good = tmp_path / "good"
    good.mkdir()
    (good / "b.wav").write_bytes(spoken.read_bytes() + b"\0")
    (good / "manifest.csv").write_text(
        "file,agent_id,queue,csat,case_id\nb.wav,A1,Collections-EU,4,C-77\n", encoding="utf-8"
    )
    db2 = tmp_path / "qa2.duckdb"
    assert run(good, db2, settle_s=0).summary.calls_failed == 0
    with connect(db2, read_only=True) as con:
        extra = con.execute("SELECT manifest_extra FROM calls").fetchone()[0]
        cards = con.execute("SELECT scorecard_id FROM call_scores").fetchall()
    assert json.loads(extra) == {"case_id": "C-77", "csat": "4"}
    assert cards == [("collections",)]
