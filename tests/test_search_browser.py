"""End-to-end in a real browser (Playwright, system Chromium) against ``qa-pipeline serve`` and a real DuckDB:
a coach searches by meaning, a hit opens the call at that utterance; a QA specialist runs the criterion tester."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_fixture import build_review_db, start_server, stop_server

from qa_pipeline.classify.classifier import load_classifier
from qa_pipeline.classify.reclassify import reclassify_stored

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("needs the system Chromium at /usr/bin/chromium")
    fx = build_review_db(tmp_path_factory.mktemp("rv"), tmp_path_factory.mktemp("clips"))
    reclassify_stored(fx.db, load_classifier(), only_stale=False)  # labels and search embeddings
    proc, base = start_server(fx.db)
    yield fx, base
    stop_server(proc)


def _sign_in(page, base: str, fx, user: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", user)
    page.fill("#password", fx.passwords[user][1])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_search_by_meaning_opens_the_moment_and_tester_runs(served):
    sync_api = pytest.importorskip("playwright.sync_api")
    fx, base = served
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            _sign_in(page, base, fx, "carl")
            page.click("nav.mainnav >> text=Search")
            page.fill("#s-q", "do you need help with something more")
            page.select_option("#s-mode", "meaning")
            page.select_option("#s-speaker", "agent")
            page.click("#search-form button[type=submit]")
            rows = page.locator("tr.search-hit")
            assert rows.count() > 0
            first = rows.nth(0)
            assert "anything else" in first.inner_text().lower()
            first.locator("td a").last.click()
            page.wait_for_load_state()
            assert "/calls/" in page.url and "#u-" in page.url
            anchor = page.url.split("#")[1]
            assert "anything else" in page.locator(f"#{anchor}").inner_text().lower()
            assert page.locator("nav.mainnav >> text=Criterion tester").count() == 0  # coaches do not tune criteria

            page = browser.new_page()
            _sign_in(page, base, fx, "alice")
            page.goto(base + "/criteria-test")
            page.select_option("#t-card", "customer_service")
            page.fill("#t-limit", "6")
            page.click("#test-form button[type=submit]")
            assert "on 6 stored call(s)" in page.locator("#t-summary").inner_text()
            sections = page.locator("section.criterion-test")
            assert sections.count() > 3
            counts = [int(x) for x in sections.nth(0).locator(".counts b").all_inner_texts()]
            assert sum(counts) == 6
        finally:
            browser.close()
