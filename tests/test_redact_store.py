"""The redactions table: written with the redacted call, read back, re-written idempotently."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_pipeline.conversation import Conversation, Utterance, Word
from qa_pipeline.errors import StoreError
from qa_pipeline.redact import RedactionSpan, redact_conversation
from qa_pipeline.store.db import connect, transaction
from qa_pipeline.store.redactions import read_redactions, write_redactions


def _conv() -> Conversation:
    text = "my card is 4111 1111 1111 1111 and my email is jo dot bloggs at gmail dot com"
    words = tuple(Word(i * 0.5, i * 0.5 + 0.4, (" " if i else "") + w) for i, w in enumerate(text.split()))
    return Conversation("c1", (Utterance(0, "customer", 0.0, words[-1].end, text, words),), 12.0)


def test_spans_round_trip_through_duckdb(tmp_path: Path) -> None:
    res = redact_conversation(_conv())
    assert [s.pii_type for s in res.spans] == ["CARD", "EMAIL"]
    db = tmp_path / "qa.duckdb"
    with connect(db) as con, transaction(con):
        assert write_redactions(con, "c1", res.spans) == 2
    with connect(db, read_only=True) as con:
        back = read_redactions(con, "c1")
        raw = con.execute("SELECT * FROM redactions").fetchall()
    assert back == res.spans
    assert all("4111" not in str(row) and "bloggs" not in str(row) for row in raw)
    with connect(db) as con, transaction(con):
        write_redactions(con, "c1", res.spans[:1])
    with connect(db, read_only=True) as con:
        assert read_redactions(con, "c1") == res.spans[:1]
        assert read_redactions(con, "other") == ()


def test_unknown_type_is_refused_and_rolled_back(tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    with connect(db) as con, transaction(con):
        write_redactions(con, "c1", [RedactionSpan(0, 0, "CARD", 3, 9, 1.0, 2.0)])
    with pytest.raises(StoreError, match="PASSPORT"), connect(db) as con, transaction(con):
        write_redactions(con, "c1", [RedactionSpan(0, 0, "PASSPORT", 3, 9, 1.0, 2.0)])
    with connect(db, read_only=True) as con:
        assert [s.pii_type for s in read_redactions(con, "c1")] == ["CARD"]


def test_raw_text_is_written_only_with_keep_raw(tmp_path: Path) -> None:
    from qa_pipeline.redact import RedactionOptions
    from qa_pipeline.store.redactions import purge_raw_utterances, write_raw_utterances

    db = tmp_path / "qa.duckdb"
    default = redact_conversation(_conv())
    kept = redact_conversation(_conv(), RedactionOptions(keep_raw=True))
    with connect(db) as con, transaction(con):
        assert write_raw_utterances(con, default) == 0
        assert con.execute("SELECT count(*) FROM raw_utterances").fetchone()[0] == 0
        assert write_raw_utterances(con, kept) == 1
    with connect(db) as con:
        text, words = con.execute("SELECT text, words FROM raw_utterances WHERE call_id = 'c1'").fetchone()
        assert "4111 1111 1111 1111" in text and words[3]["text"] == " 4111"
        assert purge_raw_utterances(con, "c1") == 1
        assert con.execute("SELECT count(*) FROM raw_utterances").fetchone()[0] == 0
