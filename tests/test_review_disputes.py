"""Agents' acknowledgements, disputes and their decision, and comments (issue #15): library and routes."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from review_fixture import SCORECARD_ID, build_review_db, csrf_of, score_of
from starlette.testclient import TestClient

from qa_pipeline.errors import InputError, NotFoundError
from qa_pipeline.review import audit, auth, disputes, scope
from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.store.db import connect


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    fx = build_review_db(tmp_path_factory.mktemp("review"), tmp_path_factory.mktemp("clips"))
    with connect(fx.db) as con:
        auth.add_user(con, "sam", "sam-agent-pw1", "agent", "A101")
        auth.add_user(con, "dana", "dana-agent-pw1", "agent", "A100")
    return fx


@pytest.fixture
def fx(built, tmp_path):
    """A fresh copy of the built database for each test."""
    db = tmp_path / "qa.duckdb"
    shutil.copy(built.db, db)
    return dataclasses.replace(built, db=db)


def _final(con, call_id):
    return con.execute(
        "SELECT score, final_score FROM call_scores WHERE call_id = ? AND scorecard_id = ?", [call_id, SCORECARD_ID]
    ).fetchone()


def test_agent_user_needs_an_agent_id_and_others_may_not_have_one(fx):
    with connect(fx.db) as con:
        with pytest.raises(InputError, match="--agent-id"):
            auth.add_user(con, "ann", "ann-agent-pw1", "agent")
        with pytest.raises(InputError, match="only for role 'agent'"):
            auth.add_user(con, "bob", "bob-qa-pw-1", "qa_specialist", "A100")
        assert auth.get_user(con, "sam").agent_id == "A101"
        auth.set_role(con, "sam", "coach")
        assert auth.get_user(con, "sam").agent_id is None


def test_scope_lets_an_agent_see_only_their_own_calls(fx):
    with connect(fx.db) as con:
        sam, alice = auth.get_user(con, "sam"), auth.get_user(con, "alice")
        mine = scope.own_calls(con, sam)
        assert {r["call_id"] for r in mine} == {c.call_id for c in fx.calls if c.agent_id == "A101"}
        other = next(c for c in fx.calls if c.agent_id == "A100").call_id
        scope.check_call(con, alice, other)  # reviewers see every call
        with pytest.raises(NotFoundError):
            scope.check_call(con, sam, other)
        with pytest.raises(NotFoundError):
            scope.check_call(con, alice, "no-such-call")
        assert scope.own_calls(con, alice) == []


def test_accepted_dispute_overrides_the_verdict_and_recomputes_the_score(fx):
    call = fx.featured  # empathy and resolution_check failed
    with connect(fx.db) as con:
        before = _final(con, call.call_id)
        did = disputes.open_dispute(
            con,
            call_id=call.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="empathy",
            wanted_verdict="pass",
            comment="I apologised at 0:20",
            username="sam",
            client="test",
        )
        with pytest.raises(InputError, match="already has an open dispute"):
            disputes.open_dispute(
                con,
                call_id=call.call_id,
                scorecard_id=SCORECARD_ID,
                criterion_id="empathy",
                wanted_verdict="na",
                comment="again",
                username="sam",
            )
        d = disputes.decide(con, dispute_id=did, accept=True, reason="Apology is there", username="alice")
        assert d.status == "accepted" and d.decided_by == "alice" and d.override_id
        expected, _, _ = score_of({**call.verdicts, "empathy": "pass"})
        assert _final(con, call.call_id) == (pytest.approx(before[0]), pytest.approx(expected))
        assert expected > before[1]
        o = con.execute(
            "SELECT original_verdict, new_verdict, username FROM overrides WHERE override_id = ?", [d.override_id]
        ).fetchone()
        assert o == ("fail", "pass", "alice")  # the automatic verdict kept beside the new one
        assert disputes.final_verdict(con, call.call_id, SCORECARD_ID, "empathy") == "pass"
        with pytest.raises(InputError, match="already accepted"):
            disputes.decide(con, dispute_id=did, accept=False, reason="no", username="alice")
        kinds = [e.kind for e in audit.recent(con, call_id=call.call_id)]
        assert {"dispute_opened", "dispute_accepted"} <= set(kinds)


def test_rejected_dispute_needs_a_reason_and_leaves_the_score(fx):
    call = fx.featured
    with connect(fx.db) as con:
        before = _final(con, call.call_id)
        with pytest.raises(InputError, match="already pass"):
            disputes.open_dispute(
                con,
                call_id=call.call_id,
                scorecard_id=SCORECARD_ID,
                criterion_id="greeting",
                wanted_verdict="pass",
                comment="x",
                username="sam",
            )
        with pytest.raises(InputError, match="empty"):
            disputes.open_dispute(
                con,
                call_id=call.call_id,
                scorecard_id=SCORECARD_ID,
                criterion_id="resolution_check",
                wanted_verdict="pass",
                comment="   ",
                username="sam",
            )
        did = disputes.open_dispute(
            con,
            call_id=call.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="resolution_check",
            wanted_verdict="pass",
            comment="I asked",
            username="sam",
        )
        with pytest.raises(InputError, match="empty"):
            disputes.decide(con, dispute_id=did, accept=False, reason="", username="alice")
        d = disputes.decide(con, dispute_id=did, accept=False, reason="Not in the last 90 s", username="alice")
        assert d.status == "rejected" and d.override_id is None
        assert _final(con, call.call_id) == before
        assert [x.dispute_id for x in disputes.list_disputes(con, status="rejected")] == [did]
        assert disputes.list_disputes(con, status="open") == []
        assert audit.recent(con, kind="dispute_rejected")[0].username == "alice"


def test_acknowledge_once_and_timestamped_comments(fx):
    call = fx.featured
    with connect(fx.db) as con:
        assert disputes.acknowledge(con, call_id=call.call_id, scorecard_id=SCORECARD_ID, username="sam")
        assert not disputes.acknowledge(con, call_id=call.call_id, scorecard_id=SCORECARD_ID, username="sam")
        assert [u for u, _ in disputes.acknowledged(con, call.call_id)[SCORECARD_ID]] == ["sam"]
        disputes.add_comment(con, call_id=call.call_id, body="whole call", username="carl")
        disputes.add_comment(con, call_id=call.call_id, body="here", at_s=12.5, username="sam")
        with pytest.raises(InputError, match="negative"):
            disputes.add_comment(con, call_id=call.call_id, body="x", at_s=-1, username="sam")
        with pytest.raises(InputError, match="control character"):
            disputes.add_comment(con, call_id=call.call_id, body="a\u202eb", username="sam")
        assert [(c["body"], c["at_s"]) for c in disputes.comments(con, call.call_id)] == [
            ("whole call", None),
            ("here", 12.5),
        ]
        assert len(audit.recent(con, kind="comment_added")) == 2
        assert len(audit.recent(con, kind="evaluation_acknowledged")) == 1


def _client(fx, user, password):
    c = TestClient(create_app(ServerConfig(fx.db)), follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    assert c.post("/login", data={"csrf": tok, "username": user, "password": password}).status_code == 303
    return c


def test_dispute_round_trip_through_the_routes(fx):
    call = fx.featured.call_id
    sam = _client(fx, "sam", "sam-agent-pw1")
    assert sam.get("/").headers["location"] == "/me"
    me = sam.get("/me")
    assert me.status_code == 200 and call in me.text
    assert "A100" not in me.text and next(c for c in fx.calls if c.agent_id == "A100").call_id not in me.text
    page = sam.get(f"/calls/{call}")
    assert 'action="/calls/' + call + '/disputes"' in page.text and "Override verdict" not in page.text
    tok = csrf_of(page.text)
    r = sam.post(
        f"/calls/{call}/disputes",
        data={
            "csrf": tok,
            "scorecard_id": SCORECARD_ID,
            "criterion_id": "empathy",
            "verdict": "pass",
            "comment": "sorry was said",
        },
    )
    assert r.status_code == 303
    alice = _client(fx, "alice", "alice-review-pw")
    lst = alice.get("/disputes")
    assert lst.status_code == 200 and "sorry was said" in lst.text
    with connect(fx.db, read_only=True) as con:
        did = disputes.list_disputes(con, status="open")[0].dispute_id
    carl = _client(fx, "carl", "carl-coach-pw1")
    assert carl.get("/disputes").status_code == 403
    r = alice.post(
        f"/disputes/{did}/decide", data={"csrf": csrf_of(lst.text), "decision": "accept", "reason": "agreed"}
    )
    assert r.status_code == 303
    page = sam.get(f"/calls/{call}")
    assert "accepted" in page.text and "agreed" in page.text
    with connect(fx.db, read_only=True) as con:
        assert disputes.final_verdict(con, call, SCORECARD_ID, "empathy") == "pass"


def test_snapshot_leaves_out_dispute_and_comment_text(fx, tmp_path):
    from qa_pipeline.review.snapshot import write_snapshot

    with connect(fx.db) as con:
        did = disputes.open_dispute(
            con,
            call_id=fx.featured.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="empathy",
            wanted_verdict="pass",
            comment="private words about Sam",
            username="sam",
        )
        disputes.decide(con, dispute_id=did, accept=False, reason="no", username="alice")
        disputes.add_comment(con, call_id=fx.featured.call_id, body="coach note", username="carl")
        disputes.acknowledge(con, call_id=fx.featured.call_id, scorecard_id=SCORECARD_ID, username="sam")
    snap = write_snapshot(fx.db, tmp_path / "bi")
    assert "disputes" not in snap.rows and "call_comments" not in snap.rows
    assert snap.rows["acknowledgements"] == 1
    blob = b"".join(p.read_bytes() for p in (tmp_path / "bi").iterdir())
    assert b"private words" not in blob and b"coach note" not in blob
