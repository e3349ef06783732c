"""Scorecard targeting in the review workspace (headless Chromium against the real server): the queue labels
each score with its scorecard, and the coach list never averages different scorecards together."""

from __future__ import annotations

import pytest
from review_fixture import SCORECARD_ID, build_review_db, start_server, stop_server
from test_review_browser import browser, sign_in, wait_for  # noqa: F401  (the browser fixture)

from qa_pipeline.store.db import connect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    fx = build_review_db(tmp_path_factory.mktemp("review-target"), tmp_path_factory.mktemp("clips"))
    # A101 was also scored on a second card (a few collections calls): auto-failed, 0.
    with connect(fx.db) as con:
        con.execute(
            "INSERT INTO scorecards SELECT 'collections', 'v1', 'Collections compliance', source, registered_at"
            " FROM scorecards WHERE scorecard_id = ? LIMIT 1",
            [SCORECARD_ID],
        )
        ids = [
            r[0]
            for r in con.execute(
                "SELECT call_id FROM calls WHERE agent_id = 'A101' ORDER BY call_id LIMIT 2"
            ).fetchall()
        ]
        con.execute(
            "INSERT INTO call_scores SELECT call_id, 'collections', 'v1', 0, 0, 0, max_points, true, ['threat'], false,"
            " scored_at, NULL FROM call_scores WHERE call_id IN (SELECT unnest(?)) AND scorecard_id = ?",
            [ids, SCORECARD_ID],
        )
        con.execute(
            "UPDATE calls SET manifest_extra = ? WHERE call_id = ?", ['{"csat": "2", "case_id": "CASE-881"}', ids[0]]
        )
        own = con.execute(
            "SELECT avg(s.final_score) FROM call_scores s JOIN calls c USING (call_id) WHERE c.agent_id = 'A101' AND s.scorecard_id = ?",
            [SCORECARD_ID],
        ).fetchone()[0]
    fx.__dict__["a101_mean"] = own
    fx.__dict__["extra_call"] = ids[0]
    return fx


@pytest.fixture(scope="module")
def server(fx):
    proc, base = start_server(fx.db)
    yield base
    stop_server(proc)


def test_queue_labels_scores_and_coach_keeps_cards_apart(browser, server, fx):  # noqa: F811
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "alice", fx.passwords["alice"][1])
    browser.get(server + "/queue?agent=A101")
    cells = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#queue-table .score-cell"), what="score cells")
    labels = {c.find_element(By.CSS_SELECTOR, ".score-card-name").text for c in cells}
    assert "Customer support core" in labels
    two = [c for c in cells if c.get_attribute("data-scorecard") == "collections"]
    assert two and all("Collections compliance" in c.text for c in two)

    sign_in(browser, server, "carl", fx.passwords["carl"][1])
    browser.get(server + "/coach")
    row = wait_for(
        lambda: [r for r in browser.find_elements(By.CSS_SELECTOR, "#agents-table tbody tr") if "A101" in r.text],
        what="A101 row",
    )[0]
    assert "Customer support core" in row.text and "+1 other scorecard" in row.text
    assert f"{fx.a101_mean:.0f}" in row.find_element(By.CSS_SELECTOR, ".score-pill").text
    row.find_element(By.CSS_SELECTOR, ".agent-link").click()
    wait_for(lambda: "/coach/agents/A101" in browser.current_url, what="agent page")
    assert "scorecard=" + SCORECARD_ID in browser.current_url
    assert "Customer support core" in browser.find_element(By.TAG_NAME, "body").text


def test_call_page_shows_the_manifest_extra_columns(browser, server, fx):  # noqa: F811
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "alice", fx.passwords["alice"][1])
    browser.get(server + f"/calls/{fx.extra_call}")
    extra = wait_for(lambda: browser.find_element(By.ID, "manifest-extra"), what="manifest fields").text
    assert "case_id" in extra and "CASE-881" in extra and "csat" in extra
