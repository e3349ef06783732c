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
        for p in paths
    }
    assert templates - {"/", "/healthz", "/login"} <= covered, templates - covered
    return urls


@pytest.mark.parametrize("user", ["alice", "carl", "sue", "adam"])
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
    assert seen >= 5
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
