"""utterance_labels in a real DuckDB file, and re-classification of stored calls without audio."""

from __future__ import annotations

from pathlib import Path

import pytest
from classify_fixture import store_calls as _store_calls

from qa_pipeline.classify import load_classifier
from qa_pipeline.classify.reclassify import reclassify_stored
from qa_pipeline.classify.result import LABELS, UtteranceLabels
from qa_pipeline.errors import NotFoundError, StoreError
from qa_pipeline.store.db import connect, transaction
from qa_pipeline.store.labels import calls_to_classify, read_labels, read_model_versions, write_labels


def _labels(idx: int, detected: tuple[str, ...] = ()) -> UtteranceLabels:
    scores = {name: (0.9 if name in detected else 0.1) for name in LABELS}
    return UtteranceLabels(idx=idx, sentiment="neutral", sentiment_score=0.8, labels=scores, detected=detected)


def test_write_and_read_round_trip(db_path: Path) -> None:
    _store_calls(db_path)
    written = [_labels(0, ("greeting", "agent_introduction")), _labels(1), _labels(2, ("apology",)), _labels(3)]
    with connect(db_path) as con, transaction(con):
        assert write_labels(con, "call-a", written, "v1") == 4
    with connect(db_path, read_only=True) as con:
        back = read_labels(con, "call-a")
        assert read_model_versions(con, "call-a") == {"v1"}
        assert read_labels(con, "call-b") == ()
    assert back == tuple(written)
    assert list(back[0].labels) == list(LABELS)


def test_rewrite_replaces_previous_rows(db_path: Path) -> None:
    _store_calls(db_path)
    with connect(db_path) as con, transaction(con):
        write_labels(con, "call-b", [_labels(0), _labels(1, ("escalation_request",))], "v1")
    with connect(db_path) as con, transaction(con):
        write_labels(con, "call-b", [_labels(0, ("greeting",)), _labels(1)], "v2")
    with connect(db_path, read_only=True) as con:
        rows = read_labels(con, "call-b")
        assert [r.detected for r in rows] == [("greeting",), ()]
        assert read_model_versions(con, "call-b") == {"v2"}


def test_labels_for_unknown_utterances_are_refused(db_path: Path) -> None:
    _store_calls(db_path)
    with connect(db_path) as con:
        with pytest.raises(StoreError, match="idx \\[7\\]"), transaction(con):
            write_labels(con, "call-b", [_labels(0), _labels(7)], "v1")
        with pytest.raises(StoreError, match="model_version"):
            write_labels(con, "call-b", [_labels(0)], "")
        assert read_labels(con, "call-b") == ()


def test_calls_to_classify_finds_missing_and_stale(db_path: Path) -> None:
    _store_calls(db_path)
    with connect(db_path) as con:
        assert calls_to_classify(con, "v2") == ["call-a", "call-b"]
        with transaction(con):
            write_labels(con, "call-a", [_labels(i) for i in range(4)], "v2")
            write_labels(con, "call-b", [_labels(0)], "v2")  # idx 1 still missing
        assert calls_to_classify(con, "v2") == ["call-b"]
        assert calls_to_classify(con, "v3") == ["call-a", "call-b"]
        assert calls_to_classify(con, None) == ["call-a", "call-b"]


def test_reclassify_stale_calls_with_the_real_classifier(db_path: Path) -> None:
    _store_calls(db_path)
    clf = load_classifier()
    with connect(db_path) as con, transaction(con):
        write_labels(con, "call-a", [_labels(i) for i in range(4)], clf.version)  # current version: not stale
        write_labels(con, "call-b", [_labels(0), _labels(1)], "old-version")
    report = reclassify_stored(db_path, clf, only_stale=True)
    assert report.call_ids == ("call-b",) and report.utterances == 2 and report.changed >= 1
    with connect(db_path, read_only=True) as con:
        b = read_labels(con, "call-b")
        assert read_model_versions(con, "call-b") == {clf.version}
        assert "escalation_request" in b[1].detected and b[1].sentiment == "negative"
        assert "agent_introduction" in b[0].detected
    assert reclassify_stored(db_path, clf, only_stale=True).calls == 0

    everything = reclassify_stored(db_path, clf, only_stale=False, chunk=1)
    assert everything.call_ids == ("call-a", "call-b") and everything.utterances == 6
    with connect(db_path, read_only=True) as con:
        a = read_labels(con, "call-a")
    assert {"recording_disclosure", "agent_introduction"} <= set(a[0].detected)
    assert "identity_verification" in a[2].detected and "identity_verification" not in a[3].detected


def test_reclassify_unknown_call_is_not_found(db_path: Path) -> None:
    _store_calls(db_path)
    with pytest.raises(NotFoundError, match="nope"):
        reclassify_stored(db_path, load_classifier(), call_ids=["nope"])
