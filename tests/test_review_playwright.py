"""End-to-end in a real Chromium (Playwright): the agent dispute round trip (issue #15).

The agent signs in, sees only their own calls on /me, disputes a failed verdict with a comment; a QA
specialist accepts it on /disputes; the agent sees the overridden verdict and the new score.  Runs
against ``qa-pipeline serve`` on a real DuckDB file (tests/review_fixture.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from review_fixture import SCORECARD_ID, build_review_db, score_of, start_server, stop_server

from qa_pipeline.review import auth
from qa_pipeline.store.db import connect

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    fx = build_review_db(tmp_path_factory.mktemp("review-pw"), tmp_path_factory.mktemp("clips"))
    with connect(fx.db) as con:
        auth.add_user(con, "sam", "sam-agent-pw1", "agent", "A101")
    return fx


@pytest.fixture(scope="module")
def server(fx):
    proc, base = start_server(fx.db)
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _sign_in(browser, base: str, user: str, password: str):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return ctx, page


def test_agent_disputes_qa_accepts_agent_sees_the_override(fx, server, browser):
    call = fx.featured  # A101's call; empathy failed
    other = next(c for c in fx.calls if c.agent_id != "A101")
    agent_ctx, page = _sign_in(browser, server, "sam", "sam-agent-pw1")
    assert page.url.endswith("/me")
    rows = page.locator("tr.my-call")
    assert rows.count() == sum(1 for c in fx.calls if c.agent_id == "A101")
    assert page.locator(f"tr.my-call[data-call='{other.call_id}']").count() == 0
    assert page.locator("nav.mainnav a", has_text="Review queue").count() == 0

    # Another agent's call is not there for this agent.
    assert page.goto(f"{server}/calls/{other.call_id}").status == 404

    page.goto(f"{server}/calls/{call.call_id}?back=/me")
    crit = page.locator(f"#crit-{SCORECARD_ID}-empathy")
    assert crit.locator(".verdict").inner_text().strip() == "Fail"
    crit.locator(".crit-head").click()
    crit.locator("details.dispute-box summary").click()
    crit.locator("input[name=verdict][value=pass]").check()
    crit.locator("textarea[name=comment]").fill("I said sorry right after the customer complained")
    crit.locator("form.dispute-form button").click()
    page.wait_for_load_state()
    crit = page.locator(f"#crit-{SCORECARD_ID}-empathy")
    assert "open" in crit.locator(".dispute-status").first.inner_text()

    qa_ctx, qa = _sign_in(browser, server, "alice", "alice-review-pw")
    qa.goto(server + "/disputes")
    row = qa.locator("tr.dispute-row", has_text="I said sorry right after")
    assert row.count() == 1
    row.locator("textarea[name=reason]").fill("The apology is in the transcript")
    row.locator("button[value=accept]").click()
    qa.wait_for_load_state()
    assert qa.locator("tr.dispute-row", has_text="I said sorry right after").count() == 0  # no longer open

    page.goto(f"{server}/calls/{call.call_id}?back=/me")
    crit = page.locator(f"#crit-{SCORECARD_ID}-empathy")
    assert crit.locator(".verdict").inner_text().strip() == "Pass"
    assert "auto fail" in crit.locator(".was").inner_text()
    assert "accepted" in crit.locator(".dispute-status").first.inner_text()
    page.goto(server + "/me")
    expected, _, _ = score_of({**call.verdicts, "empathy": "pass"})
    score_cell = page.locator(f"tr.my-call[data-call='{call.call_id}'] td.num").first.inner_text()
    assert float(score_cell) == pytest.approx(expected, abs=0.1)
    assert "accepted" in page.locator("#my-disputes").inner_text()

    # A comment pinned to 0:02 of the call; its chip plays the recording from there.
    page.goto(f"{server}/calls/{call.call_id}?back=/me")
    page.fill("#comment-form input[name=at]", "0:02")
    page.fill("#comment-form textarea[name=body]", "Listen from here")
    page.click("#comment-form button")
    page.wait_for_load_state()
    chip = page.locator(".comment", has_text="Listen from here").locator(".seek")
    assert chip.inner_text().strip() == "0:02"
    chip.click()
    page.wait_for_function("() => document.getElementById('player').currentTime >= 1.9", timeout=15_000)
    agent_ctx.close()
    qa_ctx.close()
