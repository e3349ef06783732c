"""Raw (unredacted) text is unreachable from every route of the workspace, for every role (issue #14)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from review_fixture import SCORECARD_ID, build_review_db, csrf_of
from starlette.routing import Route
from starlette.testclient import TestClient

import qa_pipeline.review as review_pkg
from qa_pipeline.review import auth, blind_calibration, disputes
from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.store.db import connect

MARKER = "marmalade-raw-7731"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    fx = build_review_db(tmp_path_factory.mktemp("review"), tmp_path_factory.mktemp("clips"))
    with connect(fx.db) as con:  # what a run with keep_raw writes: the unredacted transcript of every call
        con.execute(
            "INSERT INTO raw_utterances (call_id, idx, text, words, written_at)"
            f" SELECT call_id, idx, text || ' the password is {MARKER}', [], now() FROM utterances"
        )
        auth.add_user(con, "sam", "sam-agent-pw1", "agent", "A101")
        fx.passwords["sam"] = ("agent", "sam-agent-pw1")
        fx.session_id = blind_calibration.open_session(
            con, call_id=fx.featured.call_id, scorecard_id=SCORECARD_ID, username="alice"
        )
        disputes.open_dispute(
            con,
            call_id=fx.featured.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="empathy",
            wanted_verdict="pass",
            comment="I acknowledged it",
            username="sam",
        )
    return fx


def _urls(fx, app) -> list[str]:
    call = fx.featured.call_id
    urls = [
        "/queue",
        "/queue?status=all",
        f"/calls/{call}",
        f"/calls/{call}/audio",
        "/calibration",
        f"/calibration/{SCORECARD_ID}/empathy",
        "/coach",
        "/coach/agents/A101",
        "/coach/agents/A101/report",
        "/runs",
        "/audit",
        "/kpi",
        "/kpi?by=team",
        "/drivers",
        "/drivers?k=2&since=2025-01-01",
        "/me",
        "/disputes",
        "/disputes?status=all",
        "/assignments",
        "/sessions",
        f"/sessions/{fx.session_id}",
        "/search?q=card",
        "/search?q=card+number&mode=meaning&speaker=customer",
        "/criteria-test?card=customer_service&limit=5",
    ]
    urls += [f"/coach/agents/A101/export?format={f}&table={t}" for f in ("csv", "parquet") for t in ("rates", "calls")]
    # Every GET route of the app is in the sweep (a new page must be added here).
    paths = {r.path for r in app.routes if isinstance(r, Route) and "GET" in (r.methods or ())}
    covered = {re.sub(r"\?.*", "", u) for u in urls}
    templates = {
        p.replace("{call_id}", call)
        .replace("{scorecard_id}", SCORECARD_ID)
        .replace("{criterion_id}", "empathy")
        .replace("{agent_id:path}", "A101")
        .replace("{session_id}", fx.session_id)
        for p in paths
    }
    assert templates - {"/", "/healthz", "/login"} <= covered, templates - covered
    return urls


@pytest.mark.parametrize("user", ["alice", "carl", "sue", "adam", "sam"])
def test_no_route_serves_raw_text_to_any_role(fx, tmp_path, user):
    db = tmp_path / "qa.duckdb"
    shutil.copy(fx.db, db)
    app = create_app(ServerConfig(db))
    c = TestClient(app, follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    assert c.post("/login", data={"csrf": tok, "username": user, "password": fx.passwords[user][1]}).status_code == 303
    seen = 0
    for url in _urls(fx, app):
        r = c.get(url)
        assert MARKER.encode() not in r.content, (user, url)
        seen += r.status_code in (200, 206)
    assert seen >= (2 if user == "sam" else 5)
    # The redacted transcript itself is there for the roles that open calls.
    page = c.get(f"/calls/{fx.featured.call_id}")
    assert page.status_code == 200 and "[CARD]" in page.text


def test_no_workspace_query_reads_the_raw_table():
    pkg = Path(review_pkg.__file__).parent
    readers = [
        str(p.relative_to(pkg))
        for p in pkg.rglob("*.py")
        if re.search(r"(FROM|JOIN)\s+\"?raw_utterances", p.read_text(), re.IGNORECASE)
    ]
    assert readers == []


# Pages an agent may open: their own page and their own calls (scope.py); everything else is refused.
AGENT_ALLOWED = {"/me"}


def _signed_in(app, fx, user):
    c = TestClient(app, follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    assert c.post("/login", data={"csrf": tok, "username": user, "password": fx.passwords[user][1]}).status_code == 303
    return c


def test_agent_is_denied_every_supervisor_qa_and_coach_page(fx, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(fx.db, db)
    app = create_app(ServerConfig(db))
    c = _signed_in(app, fx, "sam")
    own = fx.featured.call_id  # A101's call
    other = next(x for x in fx.calls if x.agent_id != "A101").call_id
    for url in _urls(fx, app):
        r = c.get(url)
        path = re.sub(r"\?.*", "", url)
        if path in AGENT_ALLOWED or path.startswith(f"/calls/{own}"):
            assert r.status_code in (200, 206, 404), (url, r.status_code)  # 404: a recording may be missing
        else:
            assert r.status_code == 403, (url, r.status_code)
    # Another agent's call, its recording and every action on it: 404, as if it did not exist.
    tok = csrf_of(c.get("/me").text)
    assert c.get(f"/calls/{other}").status_code == 404
    assert c.get(f"/calls/{other}/audio").status_code == 404
    for action, data in (
        ("acknowledge", {"scorecard_id": SCORECARD_ID}),
        ("disputes", {"scorecard_id": SCORECARD_ID, "criterion_id": "greeting", "verdict": "fail", "comment": "x"}),
        ("comments", {"body": "x"}),
    ):
        assert c.post(f"/calls/{other}/{action}", data={"csrf": tok, **data}).status_code == 404, action
    # Reviewer actions are refused by role even on the agent's own call.
    for action, data in (
        ("override", {"scorecard_id": SCORECARD_ID, "criterion_id": "empathy", "verdict": "pass", "reason": "x"}),
        ("review", {}),
    ):
        assert c.post(f"/calls/{own}/{action}", data={"csrf": tok, **data}).status_code == 403, action
    with connect(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM overrides").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM call_comments").fetchone()[0] == 0
