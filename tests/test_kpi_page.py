"""The /kpi workspace page: supervisors (and admins) only, every other role denied; a real browser (Playwright,
system Chromium) against the real server and a real DuckDB file with KPI metadata and a repeat contact."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from review_fixture import build_review_db, csrf_of, start_server, stop_server
from starlette.testclient import TestClient

from qa_pipeline.kpi.rollup import rebuild
from qa_pipeline.review import auth
from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.store.db import connect, transaction

CHROMIUM = "/usr/bin/chromium"
TEAMS = {"A100": "Red", "A101": "Red", "A102": "Blue"}


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    fx = build_review_db(tmp_path_factory.mktemp("kpi-page"), tmp_path_factory.mktemp("clips"))
    with connect(fx.db) as con, transaction(con):
        for agent, team in TEAMS.items():
            con.execute("UPDATE calls SET team = ? WHERE agent_id = ?", [team, agent])
        # survey answers on every other call; every third call's customer calls back the next day
        con.execute(
            """UPDATE calls SET csat = 1 + abs(hash(call_id)) % 5,
                      customer_ref = 'C-' || (row_number - row_number % 3)
               FROM (SELECT call_id AS cid, row_number() OVER (ORDER BY started_at) AS row_number FROM calls) x
               WHERE calls.call_id = x.cid"""
        )
        con.execute("UPDATE calls SET csat = NULL WHERE abs(hash(call_id)) % 2 = 0")
        rebuild(con)
    return fx


def _client(fx, tmp_path: Path, username: str, password: str) -> TestClient:
    db = tmp_path / "qa.duckdb"
    if not db.exists():
        shutil.copy(fx.db, db)
    c = TestClient(create_app(ServerConfig(db)), follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    assert c.post("/login", data={"csrf": tok, "username": username, "password": password}).status_code == 303
    return c


def test_kpi_page_is_for_supervisors_only(fx, tmp_path: Path) -> None:
    db = tmp_path / "qa.duckdb"
    shutil.copy(fx.db, db)
    with connect(db) as con:  # one user of every role there is (an `agent` role added later is covered too)
        for role in auth.ROLES:
            auth.add_user(con, f"u-{role}"[:32], "role-test-pw-1", role, "A102" if role == "agent" else None)
    for role in auth.ROLES:
        r = _client(fx, tmp_path, f"u-{role}"[:32], "role-test-pw-1").get("/kpi")
        if role in ("supervisor", "admin"):
            assert r.status_code == 200 and 'id="kpi-table"' in r.text, role
        else:
            assert r.status_code == 403 and "kpi-table" not in r.text, role
            assert 'href="/kpi"' not in _client(fx, tmp_path, f"u-{role}"[:32], "role-test-pw-1").get("/").text


def test_kpi_page_in_a_real_browser(fx) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("needs the system Chromium at /usr/bin/chromium")
    proc, base = start_server(fx.db)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(base + "/login")
            page.fill("input[name=username]", "sue")
            page.fill("input[name=password]", "sue-super-pw1")
            page.click("button[type=submit]")
            page.click("nav.mainnav >> text=KPIs")
            page.wait_for_selector("#kpi-table")
            rows = page.locator("#kpi-table tbody tr")
            assert rows.count() == 3
            assert rows.nth(0).locator("td").nth(0).inner_text() == "A100"
            calls = sum(int(rows.nth(i).locator("td").nth(1).inner_text()) for i in range(3))
            with connect(fx.db, read_only=True) as con:
                assert calls == con.execute("SELECT count(*) FROM calls WHERE status = 'complete'").fetchone()[0]
            assert page.locator("#kpi-charts svg.chart").count() == 4
            assert page.locator("#kpi-charts svg.chart rect title").count() >= 3  # bars with their values
            assert "%" in rows.nth(0).locator("td").nth(8).inner_text()  # FCR: the repeat contacts count
            assert page.locator("#impact-table tbody tr").count() >= 3
            assert page.locator("#impact svg.interval circle").count() >= 2
            if os.environ.get("QA_REVIEW_SCREENSHOTS"):  # keep a picture of the page, as test_review_browser does
                Path(os.environ["QA_REVIEW_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(os.environ["QA_REVIEW_SCREENSHOTS"]) / "kpi.png"), full_page=True)

            page.select_option("select[name=by]", "team")
            page.click("#kpi-filters button[type=submit]")
            page.wait_for_url("**/kpi?by=team*")
            names = page.locator("#kpi-table tbody tr td:first-child").all_inner_texts()
            assert names == ["Blue", "Red"]
            page.fill("input[name=since]", "2099-01-01")
            page.click("#kpi-filters button[type=submit]")
            page.wait_for_url("**since=2099-01-01*")
            assert page.locator("#kpi-table").count() == 0 and "No complete calls" in page.content()
            browser.close()
    finally:
        stop_server(proc)


def test_the_html_report_carries_the_agents_kpis(fx, tmp_path: Path) -> None:
    from qa_pipeline.review.report import write_agent_report

    out = write_agent_report(fx.db, "A102", date(2025, 1, 1), tmp_path / "a102.html")
    html = out.read_text(encoding="utf-8")
    assert 'id="report-kpis"' in html
    with connect(fx.db, read_only=True) as con:
        n, all_n = con.execute("SELECT count(*) FILTER (WHERE agent_id = 'A102'), count(*) FROM calls").fetchone()
    rows = re.findall(r"<tr><td>(Agent|Everyone)</td><td class=\"num\">(\d+)</td>", html)
    assert rows == [("Agent", str(n)), ("Everyone", str(all_n))]
    # the same file is offered on the coach page's download
    c = _client(fx, tmp_path, "sue", "sue-super-pw1")
    r = c.get("/coach/agents/A102/report?since=2025-01-01")
    assert r.status_code == 200 and 'id="report-kpis"' in r.text
