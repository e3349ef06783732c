"""``rescore`` applies scorecard targeting (``applies_to``, the default card) to stored calls.

A database scored before targeting existed has every card's score on every call.  Rescoring a card
scores only the calls it applies to, removes its stale scores (and flags) from the others, keeps
reviewers' overrides, and keeps the call-level flags about the input (``metadata_missing``).
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from scorecard_dialogues import BAD_CALL, GOOD_CALL, build

from qa_pipeline.devtools.synthetic import insert_calls
from qa_pipeline.records import CallAnalysis
from qa_pipeline.rescore import rescore
from qa_pipeline.scorecard import load_flag_rules, load_scorecards
from qa_pipeline.scorecard.overrides import store_analysis
from qa_pipeline.stages import score_stage
from qa_pipeline.store.db import connect, transaction, utcnow

QUEUES = {"support-call": "support", "collections-call": "collections-eu", "chat-call": "support"}


@pytest.fixture
def legacy(db_path):
    """Three calls scored by every bundled card (as before targeting), an override of the collections
    card on the support call, and a ``metadata_missing`` flag on the chat call."""
    convs = [
        build(GOOD_CALL, call_id="support-call"),
        build(BAD_CALL, call_id="collections-call"),
        build(GOOD_CALL, call_id="chat-call"),
    ]
    with connect(db_path) as con, transaction(con):
        insert_calls(con, [(c, labs, 0.95) for c, labs in convs])
        for call_id, queue in QUEUES.items():
            con.execute("UPDATE calls SET queue = ? WHERE call_id = ?", [queue, call_id])
        con.execute("UPDATE calls SET manifest_extra = ? WHERE call_id = 'chat-call'", [json.dumps({"team": "t1"})])
    cards, rules = load_scorecards(), load_flag_rules()
    with connect(db_path) as con:
        for conv, labs in convs:  # no metadata given: every card scores every call (the old behaviour)
            analysis = score_stage(CallAnalysis(None, conv, labels=tuple(labs)), cards, rules)
            store_analysis(con, replace(analysis, labels=()), run_id=None)
        with transaction(con):
            con.execute(
                "INSERT INTO overrides VALUES ('o1', 'support-call', 'collections', 'recording_disclosure', 'fail',"
                " 'pass', 'heard it', 'reviewer', ?)",
                [utcnow()],
            )
            con.execute(
                "INSERT INTO flags (call_id, rule_id, scorecard_id, reason, severity, created_at)"
                " VALUES ('chat-call', 'metadata_missing', '', 'metadata missing: manifest.csv unreadable', 'low', ?)",
                [utcnow()],
            )
    return db_path


def _cards_by_call(db):
    with connect(db, read_only=True) as con:
        rows = con.execute("SELECT call_id, scorecard_id FROM call_scores").fetchall()
        crit = con.execute("SELECT DISTINCT call_id, scorecard_id FROM criterion_results").fetchall()
    out: dict[str, set[str]] = {}
    for call_id, card in rows:
        out.setdefault(call_id, set()).add(card)
    crit_out: dict[str, set[str]] = {}
    for call_id, card in crit:
        crit_out.setdefault(call_id, set()).add(card)
    assert crit_out == out  # the criterion rows follow the call scores
    return out


def test_legacy_database_has_every_card_on_every_call(legacy):
    assert all(cards == {"collections", "customer_service", "sales"} for cards in _cards_by_call(legacy).values())


def test_rescore_keeps_only_applicable_cards(legacy):
    coll = rescore(legacy, "collections")
    assert (coll.calls, coll.not_applicable, coll.removed) == (1, 2, 2)
    cs = rescore(legacy, "customer_service")  # the default card: not on a call a targeted card applies to
    assert (cs.calls, cs.not_applicable, cs.removed) == (2, 1, 1)
    sales = rescore(legacy, "sales")  # outbound sales queues only
    assert (sales.calls, sales.not_applicable, sales.removed) == (0, 3, 3)
    assert _cards_by_call(legacy) == {
        "support-call": {"customer_service"},
        "collections-call": {"collections"},
        "chat-call": {"customer_service"},
    }
    again = rescore(legacy, "collections")  # nothing stale left
    assert (again.calls, again.removed) == (1, 0)


def test_stale_card_flags_go_overrides_and_input_flags_stay(legacy):
    with connect(legacy, read_only=True) as con:
        before = con.execute("SELECT count(*) FROM flags WHERE scorecard_id = 'collections'").fetchone()[0]
    assert before >= 2  # collections auto-fails the support calls it never applied to
    rescore(legacy, "collections")
    rescore(legacy, "customer_service")
    with connect(legacy, read_only=True) as con:
        stale = con.execute(
            "SELECT DISTINCT call_id FROM flags WHERE scorecard_id = 'collections' AND call_id != 'collections-call'"
        ).fetchall()
        overrides = con.execute("SELECT override_id, call_id, scorecard_id FROM overrides").fetchall()
        missing = con.execute(
            "SELECT call_id, reason FROM flags WHERE rule_id = 'metadata_missing' AND scorecard_id = ''"
        ).fetchall()
    assert stale == []
    assert overrides == [("o1", "support-call", "collections")]  # never deleted
    assert missing == [("chat-call", "metadata missing: manifest.csv unreadable")]
