"""Two small stored calls in a real DuckDB file, shared by the classifier's store and CLI tests."""

from __future__ import annotations

from pathlib import Path

from qa_pipeline.store.db import connect, transaction, utcnow

CALLS = {
    "call-a": [
        ("agent", "Thank you for calling Acme Telecom, my name is Sam. This call is recorded for quality purposes."),
        ("customer", "Hi, I was charged twice this month and I'm really annoyed."),
        ("agent", "Before we go through the charges, could you confirm your date of birth?"),
        ("customer", "Sure, it's [DOB]."),
    ],
    "call-b": [
        ("agent", "Good morning, you're speaking with Lena, how can I help?"),
        ("customer", "This is ridiculous, I want to speak to your supervisor."),
    ],
}


def store_calls(db: Path) -> None:
    now = utcnow()
    with connect(db) as con, transaction(con):
        for call_id, turns in CALLS.items():
            con.execute(
                "INSERT INTO calls (call_id, source_path, file_sha256, status, duration_s, language, created_at, updated_at) "
                "VALUES (?, ?, ?, 'complete', ?, 'en', ?, ?)",
                [call_id, f"/rec/{call_id}.wav", "0" * 64, 10.0 * len(turns), now, now],
            )
            for i, (speaker, text) in enumerate(turns):
                con.execute(
                    "INSERT INTO utterances (call_id, idx, speaker, start_s, end_s, text) VALUES (?, ?, ?, ?, ?, ?)",
                    [call_id, i, speaker, 10.0 * i, 10.0 * i + 8, text],
                )
