"""End-to-end: headless Chromium against the real server (``qa-pipeline serve``) and a real DuckDB file.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium chromium-driver``)
and selenium; skipped with a message when they are missing.  Set
``QA_REVIEW_SCREENSHOTS=DIR`` to keep a PNG of every page visited.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests
from review_fixture import SCORECARD_ID, build_review_db, score_of, start_server, stop_server

from qa_pipeline.store.db import connect

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    return build_review_db(tmp_path_factory.mktemp("review-e2e"), tmp_path_factory.mktemp("clips"))


@pytest.fixture(scope="module")
def server(fx):
    proc, base = start_server(fx.db)
    yield base
    stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")
    profile = tempfile.mkdtemp(prefix="qa-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
        f"--user-data-dir={profile}",
        "--window-size=1440,1000",
        "--force-device-scale-factor=1",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def shot(driver, name: str, full: bool = True) -> None:
    out = os.environ.get("QA_REVIEW_SCREENSHOTS")
    if not out:
        return
    Path(out).mkdir(parents=True, exist_ok=True)
    if full:
        h = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 2400)")
        driver.set_window_size(1440, max(900, h))
    driver.save_screenshot(str(Path(out) / f"{name}.png"))
    driver.set_window_size(1440, 1000)


def wait_for(predicate, timeout: float = 10.0, what: str = "condition"):
    from selenium.common.exceptions import WebDriverException

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except WebDriverException as exc:  # element not there yet, page still loading
            last, value = exc, None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f" (last error: {last.msg})" if last else ""))


def click(driver, element) -> None:
    """Scroll the element to the middle of the window (clear of the sticky bars) and click it."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def sign_in(driver, base: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + "/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "signin").click()
    wait_for(lambda: "/login" not in driver.current_url, what="sign-in")


def test_sign_in_is_required_and_wrong_password_is_refused(browser, server, fx):
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(server + "/queue")
    assert "/login" in browser.current_url
    shot(browser, "login", full=False)
    browser.find_element(By.ID, "username").send_keys("alice")
    browser.find_element(By.ID, "password").send_keys("not-her-password")
    browser.find_element(By.ID, "signin").click()
    assert "Wrong user name or password" in wait_for(lambda: browser.find_element(By.CSS_SELECTOR, ".flash-error").text)
    browser.find_element(By.ID, "password").send_keys(fx.passwords["alice"][1])
    browser.find_element(By.ID, "signin").click()
    wait_for(lambda: browser.current_url.endswith("/queue"), what="queue after sign-in")


def test_specialist_queue_call_play_seek_override_review(browser, server, fx):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    f = fx.featured
    sign_in(browser, server, "alice", fx.passwords["alice"][1])
    browser.get(server + "/queue")
    rows = browser.find_elements(By.CSS_SELECTOR, "#queue-table tbody tr")
    assert len(rows) == sum(c.flagged for c in fx.calls)
    shot(browser, "queue")

    # Filter by agent through the form.
    Select(browser.find_element(By.ID, "f-agent")).select_by_value("A101")
    browser.find_element(By.ID, "apply-filters").click()
    wait_for(lambda: "agent=A101" in browser.current_url, what="filtered queue")
    rows = browser.find_elements(By.CSS_SELECTOR, "#queue-table tbody tr")
    assert len(rows) == sum(c.flagged and c.agent_id == "A101" for c in fx.calls)
    assert all("Sam Lee" in r.text for r in rows)

    # Open the featured call from the queue.
    link = next(r for r in rows if f.call_id in r.text).find_element(By.CSS_SELECTOR, "a.call-link")
    link.click()
    wait_for(lambda: f"/calls/{f.call_id}" in browser.current_url, what="call page")
    score = browser.find_element(By.CSS_SELECTOR, "[data-testid=final-score]")
    assert score.text == "54.2"
    utts = browser.find_elements(By.CSS_SELECTOR, "#transcript .utt")
    assert len(utts) == len(f.utts)
    assert "Agent" in utts[0].text and "Customer" in utts[2].text
    assert browser.find_element(By.CSS_SELECTOR, "mark.pii").text == "[CARD]"
    assert browser.find_elements(By.CSS_SELECTOR, "#u-2 .senti-negative")  # the angry customer line

    # The recording loads in the page; clicking an utterance seeks the audio there and plays.
    duration = wait_for(
        lambda: browser.execute_script(
            "const a = document.getElementById('player'); return a.readyState >= 1 ? a.duration : 0;"
        ),
        what="audio metadata",
    )
    assert duration == pytest.approx(f.utts[-1].end_s + 0.5, abs=0.1)
    target = f.utts[5]
    click(browser, browser.find_element(By.CSS_SELECTOR, f"#u-{target.idx} .utt-text"))
    t0 = wait_for(
        lambda: browser.execute_script("return document.getElementById('player').currentTime") or None, what="seek"
    )
    assert t0 == pytest.approx(target.start_s, abs=0.35)
    t1 = wait_for(
        lambda: (lambda t: t if t > t0 + 0.2 else None)(
            browser.execute_script("return document.getElementById('player').currentTime")
        ),
        what="playback advancing",
    )
    assert t1 > t0
    assert browser.execute_script("return document.getElementById('player').paused") is False
    wait_for(
        lambda: (
            "playing" in browser.find_element(By.ID, f"u-{target.idx}").get_attribute("class")
            or "playing" in browser.find_element(By.ID, f"u-{target.idx + 1}").get_attribute("class")
        ),
        what="current utterance highlighted",
    )
    browser.execute_script("document.getElementById('player').pause()")

    # Selecting a criterion highlights its evidence in the transcript.
    crit = browser.find_element(By.ID, f"crit-{SCORECARD_ID}-empathy")
    click(browser, crit.find_element(By.CSS_SELECTOR, ".crit-head"))
    evidence = crit.get_attribute("data-evidence").split()
    assert evidence
    wait_for(
        lambda: all("hl" in browser.find_element(By.ID, f"u-{i}").get_attribute("class") for i in evidence),
        what="evidence highlighted",
    )
    others = [
        u for u in browser.find_elements(By.CSS_SELECTOR, ".utt.hl") if u.get_attribute("data-idx") not in evidence
    ]
    assert not others
    browser.execute_script("window.scrollTo(0, 0)")
    shot(browser, "call")

    # Override the empathy verdict with a reason; the score changes.
    click(browser, crit.find_element(By.CSS_SELECTOR, "details.override summary"))
    click(browser, crit.find_element(By.CSS_SELECTOR, "input[name=verdict][value=pass]"))
    crit.find_element(By.CSS_SELECTOR, "textarea[name=reason]").send_keys("Agent apologised in other words at 0:09.")
    click(browser, crit.find_element(By.CSS_SELECTOR, "form.override-form button"))
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".flash-ok"), what="override saved")
    assert "Final score 54.2 → 87.5" in browser.find_element(By.CSS_SELECTOR, ".flash-ok").text
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=final-score]").text == "87.5"
    crit = browser.find_element(By.ID, f"crit-{SCORECARD_ID}-empathy")
    assert crit.find_element(By.CSS_SELECTOR, ".verdict").text == "Pass"
    assert "auto fail" in crit.find_element(By.CSS_SELECTOR, ".was").text
    assert "alice" in crit.find_element(By.CSS_SELECTOR, ".history").text
    shot(browser, "call-after-override", full=False)
    with connect(fx.db, read_only=True) as con:
        assert con.execute(
            "SELECT original_verdict, new_verdict, username FROM overrides WHERE call_id = ?", [f.call_id]
        ).fetchall() == [("fail", "pass", "alice")]
        assert con.execute("SELECT score, final_score FROM call_scores WHERE call_id = ?", [f.call_id]).fetchone() == (
            pytest.approx(score_of(f.verdicts)[0], abs=1e-3),
            pytest.approx(87.5),
        )

    # Mark it reviewed: it leaves the open queue.
    click(browser, browser.find_element(By.ID, "mark-reviewed"))
    wait_for(lambda: "Call marked as reviewed" in browser.page_source, what="reviewed")
    browser.get(server + "/queue")
    assert f.call_id not in browser.find_element(By.TAG_NAME, "main").text


def test_coach_sees_agent_summary_with_chart_and_exports(browser, server, fx):
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "carl", fx.passwords["carl"][1])
    assert browser.current_url.endswith("/coach")
    shot(browser, "coach", full=False)
    browser.get(server + "/queue")
    assert "Not for your role" in browser.page_source
    browser.get(server + "/coach?since=2025-01-01")
    next(a for a in browser.find_elements(By.CSS_SELECTOR, "a.agent-link") if a.text == "Sam Lee").click()
    wait_for(lambda: "/coach/agents/A101" in browser.current_url, what="agent page")
    sam = [c for c in fx.calls if c.agent_id == "A101"]
    assert browser.find_element(By.ID, "kpi-calls").text == str(len(sam))
    chart = browser.find_element(By.CSS_SELECTOR, "#trend svg")
    assert len(chart.find_elements(By.TAG_NAME, "polyline")) == 2  # agent and team
    assert len(chart.find_elements(By.TAG_NAME, "circle")) >= 8
    weak = browser.find_element(By.CSS_SELECTOR, ".weak-grid").text
    assert "Acknowledges the customer's frustration" in weak
    assert browser.find_elements(By.CSS_SELECTOR, ".weak .quote")  # evidence to coach from
    rows = browser.find_elements(By.CSS_SELECTOR, "#rates-criterion tbody tr")
    assert len(rows) == 7
    shot(browser, "agent")
    # Downloads use the same session cookie.
    s = requests.Session()
    for ck in browser.get_cookies():
        s.cookies.set(ck["name"], ck["value"])
    href = browser.find_element(By.ID, "export-rates-csv").get_attribute("href")
    r = s.get(href, timeout=10)
    assert r.status_code == 200 and r.text.startswith("agent_id,scorecard_id")
    r = s.get(browser.find_element(By.ID, "export-calls-parquet").get_attribute("href"), timeout=10)
    assert r.status_code == 200 and r.content[:4] == b"PAR1"
    r = s.get(browser.find_element(By.ID, "export-report").get_attribute("href"), timeout=10)
    assert r.status_code == 200 and "Sam Lee" in r.text and "<svg" in r.text
    # Learn from a peer: the best call opens at the utterance that passed the criterion.
    assert "Dana Ortiz" in browser.find_element(By.CSS_SELECTOR, "#peers-empathy .top-performers").text
    assert browser.find_element(By.ID, "strengths").text
    link = browser.find_element(By.CSS_SELECTOR, "#peers-empathy .best-call a")
    idx = link.get_attribute("href").rsplit("#u-", 1)[1]
    click(browser, link)
    wait_for(lambda: "/calls/" in browser.current_url, what="call page")
    assert browser.current_url.endswith(f"#u-{idx}")
    utt = browser.find_element(By.ID, f"u-{idx}")
    assert "frustrating" in utt.text
    assert browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return r.top < window.innerHeight;", utt
    )


def test_supervisor_sees_run_history(browser, server, fx):
    from selenium.webdriver.common.by import By

    sign_in(browser, server, "sue", fx.passwords["sue"][1])
    assert browser.current_url.endswith("/runs")
    rows = browser.find_elements(By.CSS_SELECTOR, "#runs-table tr.run-row")
    assert len(rows) == 3
    text = browser.find_element(By.ID, "runs-table").text
    assert "partial" in text and "truncated upload" in text
    shot(browser, "runs")
    browser.get(server + "/calibration")
    assert browser.find_element(By.ID, "calibration-table")
    shot(browser, "calibration", full=False)
