"""Contact drivers from a real DuckDB file with the real MiniLM encoder: groups, trend, examples, new groups."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from drivers_fixture import build_drivers_db

from qa_pipeline.drivers_report import drivers_report, problem_statements
from qa_pipeline.store.db import connect


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    path = tmp_path_factory.mktemp("drivers") / "qa.duckdb"
    return path, build_drivers_db(path)


def test_statements_are_the_first_two_customer_turns(db) -> None:
    path, ids = db
    with connect(path, read_only=True) as con:
        st = {s.call_id: s for s in problem_statements(con)}
        assert "agentonly" not in st and len(st) == 36
        first = st[ids["card"][0]]
        assert first.text == "hi I lost my debit card yesterday thanks" and first.week == date(2026, 3, 2)
        late = problem_statements(con, since=date(2026, 3, 16))
        assert {s.call_id for s in late} >= set(ids["address"]) and len(late) == 20
        assert len(problem_statements(con, until=date(2026, 3, 8))) == 8


def test_groups_follow_the_topics_and_the_new_one_is_flagged(db) -> None:
    path, ids = db
    with connect(path, read_only=True) as con:
        groups = drivers_report(con, k=3)
    assert sorted(g.size for g in groups) == [12, 12, 12]
    by_topic = {}
    for g in groups:
        topics = {t for t, members in ids.items() for c in g.examples if c in members}
        assert len(topics) == 1, (g.name, g.examples)
        by_topic[topics.pop()] = g
    assert set(by_topic) == {"card", "balance", "address"}
    assert by_topic["address"].new and not by_topic["card"].new and not by_topic["balance"].new
    assert "address" in by_topic["address"].name and "card" in by_topic["card"].name
    weeks = [w for w, _ in by_topic["card"].weekly]
    assert weeks == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]
    assert [n for _, n in by_topic["address"].weekly] == [0, 0, 12]
    assert [n for _, n in by_topic["card"].weekly] == [4, 4, 4]


def test_no_customer_text_gives_no_groups(db) -> None:
    path, _ = db
    with connect(path, read_only=True) as con:
        assert drivers_report(con, since=date(2030, 1, 1)) == []


def test_cli_prints_the_groups(db) -> None:
    import subprocess
    import sys

    path, ids = db
    bin_ = Path(sys.executable).parent / "qa-pipeline"
    done = subprocess.run(
        [str(bin_), "drivers", "--db", str(path), "--k", "3"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "36 calls, 3 groups (weeks 2026-03-02 .. 2026-03-16, 3 weeks)"
    rows = [line for line in lines[2:] if line.strip()]
    assert len(rows) == 3 and sum("NEW" in r for r in rows) == 1
    new_row = next(r for r in rows if "NEW" in r)
    assert "address" in new_row and any(c in new_row for c in ids["address"])
    empty = subprocess.run(
        [str(bin_), "drivers", "--db", str(path), "--since", "2030-01-01"], capture_output=True, text=True
    )
    assert empty.returncode == 0 and empty.stdout == "" and "no calls" in empty.stderr
    bad = subprocess.run([str(bin_), "drivers", "--db", str(path), "--since", "March"], capture_output=True, text=True)
    assert bad.returncode != 0 and "YYYY-MM-DD" in bad.stderr


def test_drivers_page_for_supervisors_only(db, tmp_path) -> None:
    import re
    import shutil

    from review_fixture import csrf_of
    from starlette.testclient import TestClient

    from qa_pipeline.review import auth
    from qa_pipeline.review.app import ServerConfig, create_app

    path, ids = db
    copy = tmp_path / "qa.duckdb"
    shutil.copy(path, copy)
    with connect(copy) as con:
        auth.add_user(con, "sue", "sue-super-pw1", "supervisor")
        auth.add_user(con, "carl", "carl-coach-pw1", "coach")
    app = create_app(ServerConfig(copy))

    def client(user: str, pw: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        tok = csrf_of(c.get("/login").text)
        assert c.post("/login", data={"csrf": tok, "username": user, "password": pw}).status_code == 303
        return c

    sue = client("sue", "sue-super-pw1")
    page = sue.get("/drivers?k=3")
    assert page.status_code == 200 and 'href="/drivers"' in page.text
    rows = re.findall(r'<tr class="driver-row( new)?">(.*?)</tr>', page.text, re.S)
    assert len(rows) == 3 and sum(bool(new) for new, _ in rows) == 1
    new_row = next(body for new, body in rows if new)
    linked = re.findall(r'href="/calls/([^"]+)"', new_row)
    assert len(linked) == 3 and set(linked) <= set(ids["address"])
    assert new_row.count('class="week"') == 3 and "<svg" in new_row
    assert "36 calls in 3 groups" in page.text
    later = sue.get("/drivers?since=2030-01-01&k=abc")
    assert later.status_code == 200 and "No calls with customer text" in later.text
    assert client("carl", "carl-coach-pw1").get("/drivers").status_code == 403


def test_drivers_page_in_a_real_browser(db, tmp_path) -> None:
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api")
    from review_fixture import start_server, stop_server

    from qa_pipeline.review import auth

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs the system Chromium at /usr/bin/chromium")
    path, ids = db
    copy = tmp_path / "qa.duckdb"
    shutil.copy(path, copy)
    with connect(copy) as con:
        auth.add_user(con, "adam", "adam-admin-pw1", "admin")
    proc, base = start_server(copy)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base + "/login")
            page.fill("input[name=username]", "adam")
            page.fill("input[name=password]", "adam-admin-pw1")
            page.click("button[type=submit]")
            page.click("nav.mainnav >> text=Drivers")
            page.wait_for_selector("#drivers-filters")
            page.fill("input[name=k]", "3")
            page.click("#drivers-filters button[type=submit]")
            page.wait_for_url("**/drivers?*k=3*")
            rows = page.locator("#drivers-table tbody tr")
            assert rows.count() == 3
            new = page.locator("#drivers-table tr.new")
            assert new.count() == 1 and "New" in new.inner_text()
            assert new.locator("svg.weeks rect.week").count() == 3
            assert (page.locator("#drivers-table svg.weeks title").first.text_content() or "").endswith(" calls")
            first = new.locator("a.mono").first
            call_id = first.inner_text()
            assert call_id in ids["address"]
            first.click()
            page.wait_for_url(f"**/calls/{call_id}")
            browser.close()
    finally:
        stop_server(proc)


def _store_customer_embeddings(path: Path) -> None:
    """Write the encoder's sentence embeddings of every customer turn, as the classify stage does."""
    from qa_pipeline.classify.encoder import get_encoder
    from qa_pipeline.store.db import transaction
    from qa_pipeline.store.embeddings import write_embeddings

    with connect(path) as con, transaction(con):
        rows = con.execute(
            "SELECT call_id, idx, text FROM utterances WHERE speaker = 'customer' ORDER BY 1, 2"
        ).fetchall()
        vectors = get_encoder().encode([t for _, _, t in rows])
        by_call: dict[str, list[int]] = {}
        for k, (cid, _idx, _t) in enumerate(rows):
            by_call.setdefault(cid, []).append(k)
        for cid, ks in by_call.items():
            write_embeddings(con, cid, [rows[k][1] for k in ks], vectors[ks], "test")


def test_stored_embeddings_replace_the_encoder(db, tmp_path) -> None:
    import shutil

    path, ids = db
    copy = tmp_path / "stored.duckdb"
    shutil.copy(path, copy)
    _store_customer_embeddings(copy)
    asked: list[list[str]] = []

    def embed(texts):
        asked.append(list(texts))
        from qa_pipeline.classify.encoder import sentence_embeddings

        return sentence_embeddings(texts)

    with connect(copy, read_only=True) as con:
        stored = problem_statements(con)
        assert all(s.vector is not None for s in stored)
        groups = drivers_report(con, k=3, embed=embed)
    assert asked == []  # every statement came from stored vectors: no encoder pass
    assert sorted(g.size for g in groups) == [12, 12, 12]
    for g in groups:
        assert len({t for t, members in ids.items() for c in g.examples if c in members}) == 1, g

    # a call whose first turns were never classified is embedded at request time, alone
    missing = ids["balance"][0]
    with connect(copy) as con:
        con.execute("DELETE FROM utterance_embeddings WHERE call_id = ? AND idx = 3", [missing])
    with connect(copy, read_only=True) as con:
        groups = drivers_report(con, k=3, embed=embed)
    assert asked == [["hello what is the balance on my checking account thanks"]]
    assert sorted(g.size for g in groups) == [12, 12, 12]


def test_drivers_page_reads_the_stored_embeddings(db, tmp_path, monkeypatch) -> None:
    """With every customer turn classified (as a nightly run leaves it), the page runs no encoder at all."""
    import re
    import shutil

    from review_fixture import csrf_of
    from starlette.testclient import TestClient

    from qa_pipeline.review import auth
    from qa_pipeline.review.app import ServerConfig, create_app
    from qa_pipeline.review.routes import drivers as drivers_route

    path, ids = db
    copy = tmp_path / "qa.duckdb"
    shutil.copy(path, copy)
    _store_customer_embeddings(copy)
    with connect(copy) as con:
        auth.add_user(con, "sue", "sue-super-pw1", "supervisor")

    def no_encoder(texts):
        raise AssertionError(f"the page embedded {len(texts)} statements instead of reading stored vectors")

    monkeypatch.setattr(drivers_route, "sentence_embeddings", no_encoder)
    c = TestClient(create_app(ServerConfig(copy)), follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    assert c.post("/login", data={"csrf": tok, "username": "sue", "password": "sue-super-pw1"}).status_code == 303
    page = c.get("/drivers?k=3")
    assert page.status_code == 200 and "36 calls in 3 groups" in page.text
    rows = re.findall(r'<tr class="driver-row( new)?">(.*?)</tr>', page.text, re.S)
    new_row = next(body for new, body in rows if new)
    assert set(re.findall(r'href="/calls/([^"]+)"', new_row)) <= set(ids["address"])
