"""Review workspace: sign-in, roles, CSRF, overrides and scores, queue filters, audio, calibration, coach summary.

Runs the real Starlette app in-process (Starlette's TestClient) on a real DuckDB
file with real recordings built by ``review_fixture``.  The real server in a
subprocess is exercised by test_review_concurrency.py and the browser tests.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import wave
from datetime import date

import duckdb
import numpy as np
import pytest
from review_fixture import SCORECARD_ID, build_review_db, csrf_of, score_of
from starlette.testclient import TestClient
from typer.testing import CliRunner

from qa_pipeline.cli import app as cli_app
from qa_pipeline.errors import InputError, NotFoundError
from qa_pipeline.review import actions, auth, export, peers, queries, summary
from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.review.playback import parse_range, resolve_recording
from qa_pipeline.store.db import connect


@pytest.fixture(scope="module")
def base_fx(tmp_path_factory):
    return build_review_db(tmp_path_factory.mktemp("review"), tmp_path_factory.mktemp("clips"))


@pytest.fixture()
def fx(base_fx, tmp_path):
    """The fixture with a private copy of the database (tests change it)."""
    db = tmp_path / "qa.duckdb"
    shutil.copy(base_fx.db, db)
    return type(base_fx)(db, base_fx.recordings, base_fx.calls, base_fx.featured, base_fx.passwords)


def client_for(fx, **cfg) -> TestClient:
    return TestClient(create_app(ServerConfig(fx.db, **cfg)), follow_redirects=False)


def signed_in(fx, username: str, **cfg) -> TestClient:
    c = client_for(fx, **cfg)
    r = c.get("/login")
    r = c.post(
        "/login",
        data={"csrf": csrf_of(r.text), "username": username, "password": fx.passwords[username][1], "next": ""},
    )
    assert r.status_code == 303, r.text
    return c


# --------------------------------------------------------------------------- passwords and users


def test_password_hash_is_salted_argon2id_and_verifies():
    h1, h2 = auth.hash_password("s3cret-words"), auth.hash_password("s3cret-words")
    assert h1 != h2  # salted
    assert h1.startswith("$argon2id$v=19$m=65536,t=3,p=1$")
    assert auth.verify_password("s3cret-words", h1)
    assert not auth.verify_password("s3cret-wordz", h1)
    assert not auth.verify_password("s3cret-words", "garbage")


def test_users_cli_add_list_set_role_disable(tmp_path):
    db = tmp_path / "u.duckdb"
    runner = CliRunner()
    r = runner.invoke(
        cli_app,
        ["users", "add", "erin", "--role", "coach", "--password-stdin", "--db", str(db)],
        input="long-enough-pw\n",
    )
    assert r.exit_code == 0, r.output
    with connect(db) as con:
        stored = con.execute("SELECT password_hash, role FROM users WHERE username = 'erin'").fetchone()
    assert stored[0].startswith("$argon2id$") and "long-enough-pw" not in stored[0] and stored[1] == "coach"
    r = runner.invoke(
        cli_app,
        ["users", "add", "erin", "--role", "coach", "--password-stdin", "--db", str(db)],
        input="long-enough-pw\n",
    )
    assert r.exit_code != 0 and "already exists" in r.output
    r = runner.invoke(
        cli_app, ["users", "add", "fred", "--role", "boss", "--password-stdin", "--db", str(db)], input="x" * 12 + "\n"
    )
    assert r.exit_code == 2 and "'boss' is not one of" in r.output and "'qa_specialist'" in r.output
    r = runner.invoke(
        cli_app, ["users", "add", "fred", "--role", "coach", "--password-stdin", "--db", str(db)], input="short\n"
    )
    assert r.exit_code != 0 and "too short" in r.output
    assert runner.invoke(cli_app, ["users", "set-role", "erin", "supervisor", "--db", str(db)]).exit_code == 0
    assert runner.invoke(cli_app, ["users", "disable", "erin", "--db", str(db)]).exit_code == 0
    r = runner.invoke(cli_app, ["users", "list", "--db", str(db)])
    assert re.search(r"erin\s+supervisor\s+disabled", r.output), r.output
    r = runner.invoke(cli_app, ["users", "disable", "nobody", "--db", str(db)])
    assert r.exit_code == 5 and "no user 'nobody'" in r.output


# --------------------------------------------------------------------------- sign-in and roles


def test_pages_require_sign_in(fx):
    c = client_for(fx)
    for url in [
        "/queue",
        f"/calls/{fx.featured.call_id}",
        f"/calls/{fx.featured.call_id}/audio",
        "/coach",
        "/runs",
        "/calibration",
        "/coach/agents/A101/export?format=csv",
    ]:
        r = c.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), url


def test_wrong_password_and_disabled_user_are_refused(fx):
    c = client_for(fx)
    tok = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"csrf": tok, "username": "alice", "password": "nope-nope-nope"})
    assert r.status_code == 401 and "Wrong user name or password" in r.text
    r = c.post("/login", data={"csrf": tok, "username": "dora", "password": fx.passwords["dora"][1]})
    assert r.status_code == 401
    r = c.post("/login", data={"csrf": tok, "username": "ghost", "password": "whatever-pw"})
    assert r.status_code == 401
    assert "qa_session" not in c.cookies


def test_login_is_throttled_after_repeated_failures(fx):
    c = client_for(fx)
    tok = csrf_of(c.get("/login").text)
    for _ in range(5):
        c.post("/login", data={"csrf": tok, "username": "alice", "password": "wrong-guess"})
    r = c.post("/login", data={"csrf": tok, "username": "alice", "password": fx.passwords["alice"][1]})
    assert r.status_code == 401 and "Too many failed attempts" in r.text


def test_login_redirects_only_to_local_paths(fx):
    c = client_for(fx)
    tok = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={"csrf": tok, "username": "alice", "password": fx.passwords["alice"][1], "next": "//evil.example/steal"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/queue"


ROLE_MATRIX = {
    # path: roles that may open it
    "/queue": {"alice", "sue", "adam"},
    "/calls/{call}": {"alice", "carl", "sue", "adam"},
    "/calibration": {"alice", "sue", "adam"},
    "/coach": {"carl", "sue", "adam"},
    "/coach/agents/A101": {"carl", "sue", "adam"},
    "/runs": {"sue", "adam"},
}


@pytest.mark.parametrize("user", ["alice", "carl", "sue", "adam"])
def test_each_role_sees_only_its_pages(fx, user):
    c = signed_in(fx, user)
    for path, allowed in ROLE_MATRIX.items():
        r = c.get(path.format(call=fx.featured.call_id))
        expected = 200 if user in allowed else 403
        assert r.status_code == expected, (user, path, r.status_code)
    # Only specialists and admins get the override form.
    page = c.get(f"/calls/{fx.featured.call_id}")
    assert ('action="/calls/' + fx.featured.call_id + '/override"' in page.text) == (user in {"alice", "adam"})


def test_coach_cannot_override_even_with_a_valid_token(fx):
    c = signed_in(fx, "carl")
    page = c.get(f"/calls/{fx.featured.call_id}")
    r = c.post(
        f"/calls/{fx.featured.call_id}/override",
        data={
            "csrf": csrf_of(page.text),
            "scorecard_id": SCORECARD_ID,
            "criterion_id": "empathy",
            "verdict": "pass",
            "reason": "try",
        },
    )
    assert r.status_code == 403
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM overrides").fetchone()[0] == 0


def test_role_change_and_disable_apply_on_next_request(fx):
    c = signed_in(fx, "alice")
    assert c.get("/queue").status_code == 200
    with connect(fx.db) as con:
        auth.set_role(con, "alice", "coach")
    assert c.get("/queue").status_code == 403
    assert c.get("/coach").status_code == 200
    with connect(fx.db) as con:
        auth.set_disabled(con, "alice", True)
    r = c.get("/coach")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_sign_out_ends_the_session(fx):
    c = signed_in(fx, "alice")
    page = c.get("/queue")
    r = c.post("/logout", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 303
    assert c.get("/queue").status_code == 303


def test_sessions_survive_a_server_restart_and_sign_out_reaches_every_server(fx):
    """Sessions are kept in web_sessions (token hashed): a new server process on the same file knows them."""
    c = signed_in(fx, "alice")
    token = c.cookies.get("qa_session")
    with connect(fx.db, read_only=True) as con:
        rows = con.execute("SELECT token_sha256, username FROM web_sessions").fetchall()
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), "alice")]  # never the token itself
    restarted = client_for(fx)
    restarted.cookies.set("qa_session", token)
    page = restarted.get("/queue")
    assert page.status_code == 200
    # the CSRF token travelled with the session: a form posted to the new server is accepted
    r = restarted.post("/logout", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 303
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == 0
    fresh = client_for(fx)
    fresh.cookies.set("qa_session", token)
    assert fresh.get("/queue").status_code == 303  # signed out everywhere
    assert c.get("/queue").status_code == 303  # also on the first server, which still had it in memory
    assert c.get("/").status_code == 303 and c.get("/").headers["location"] == "/login"


def test_expired_sessions_are_refused_and_cleaned_up(fx):
    c = signed_in(fx, "alice")
    token = c.cookies.get("qa_session")
    with connect(fx.db) as con:
        con.execute(
            "UPDATE web_sessions SET last_seen_at = last_seen_at - INTERVAL 9 HOUR, created_at = created_at - INTERVAL 9 HOUR"
        )
    later = client_for(fx)
    later.cookies.set("qa_session", token)
    assert later.get("/queue").status_code == 303
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == 0


def test_a_stale_copy_in_memory_does_not_expire_a_session_used_on_another_server(fx):
    from qa_pipeline.review.auth import SessionStore

    a, b = SessionStore(opener=lambda: connect(fx.db)), SessionStore(opener=lambda: connect(fx.db))
    s = a.create("alice")
    assert b.get(s.token) is not None
    a._sessions[s.token].last_seen -= 9 * 3600  # server A last saw it 9 h ago; the table says just now
    assert a.get(s.token) is not None
    a._sessions[s.token].last_seen -= 9 * 3600
    with connect(fx.db) as con:  # idle everywhere for 9 h: expired, and the row goes
        con.execute("UPDATE web_sessions SET last_seen_at = last_seen_at - INTERVAL 9 HOUR")
    assert a.get(s.token) is None
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == 0


# --------------------------------------------------------------------------- CSRF


def _override_form(c, fx, **changes):
    page = c.get(f"/calls/{fx.featured.call_id}")
    data = {
        "csrf": csrf_of(page.text),
        "scorecard_id": SCORECARD_ID,
        "criterion_id": "empathy",
        "verdict": "pass",
        "reason": "Agent said sorry in other words.",
    }
    data.update(changes)
    return data


def test_posts_without_the_session_csrf_token_are_refused(fx):
    c = signed_in(fx, "alice")
    url = f"/calls/{fx.featured.call_id}/override"
    assert c.post(url, data=_override_form(c, fx, csrf="")).status_code == 403
    assert c.post(url, data=_override_form(c, fx, csrf="forged-token")).status_code == 403
    data = _override_form(c, fx)
    del data["csrf"]
    assert c.post(url, data=data).status_code == 403
    # A valid token sent from another origin is refused too.
    r = c.post(url, data=_override_form(c, fx), headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    # The login form has its own token, bound to a cookie.
    fresh = client_for(fx)
    r = fresh.post("/login", data={"csrf": "x", "username": "alice", "password": fx.passwords["alice"][1]})
    assert r.status_code == 403
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM overrides").fetchone()[0] == 0
    assert c.post(url, data=_override_form(c, fx)).status_code == 303


def test_security_headers_are_set(fx):
    c = signed_in(fx, "alice")
    r = c.get("/queue")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
    cookie = client_for(fx).get("/login").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


# --------------------------------------------------------------------------- overrides and scores


def test_override_keeps_automatic_verdict_logs_who_and_recomputes_score(fx):
    f = fx.featured
    expected_before = score_of(f.verdicts)[0]
    expected_after = score_of({**f.verdicts, "empathy": "pass"})[0]
    assert round(expected_before, 2) == 54.17 and expected_after == 87.5
    c = signed_in(fx, "alice")
    r = c.post(f"/calls/{f.call_id}/override", data=_override_form(c, fx))
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert "Final score 54.2 → 87.5" in page.text
    assert re.search(r'data-testid="final-score">87.5<', page.text)
    with connect(fx.db, read_only=True) as con:
        o = con.execute("SELECT original_verdict, new_verdict, username, reason FROM overrides").fetchall()
        cr = con.execute(
            "SELECT verdict FROM criterion_results WHERE call_id = ? AND criterion_id = 'empathy'", [f.call_id]
        ).fetchone()
        sc = con.execute("SELECT score, final_score FROM call_scores WHERE call_id = ?", [f.call_id]).fetchone()
    assert o == [("fail", "pass", "alice", "Agent said sorry in other words.")]
    assert cr == ("fail",)
    assert sc[0] == pytest.approx(expected_before, abs=1e-3) and sc[1] == pytest.approx(expected_after, abs=1e-3)


def test_overrides_stack_newest_wins_and_can_be_undone(fx):
    f = fx.featured
    with connect(fx.db) as con:
        r1 = actions.override_verdict(
            con,
            call_id=f.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="resolution_check",
            new_verdict="pass",
            reason="asked 'all good?'",
            username="alice",
        )
        assert r1.score_after == pytest.approx(score_of({**f.verdicts, "resolution_check": "pass"})[0], abs=1e-3)
        r2 = actions.override_verdict(
            con,
            call_id=f.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="resolution_check",
            new_verdict="na",
            reason="customer hung up",
            username="adam",
        )
        assert r2.score_after == pytest.approx(score_of({**f.verdicts, "resolution_check": "na"})[0], abs=1e-3)
        r3 = actions.override_verdict(
            con,
            call_id=f.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="resolution_check",
            new_verdict="fail",
            reason="back to automatic",
            username="adam",
        )
        assert r3.score_after == pytest.approx(f.score, abs=1e-3)
        # Failing an auto-fail criterion zeroes the call.
        r4 = actions.override_verdict(
            con,
            call_id=f.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="recording_disclosure",
            new_verdict="fail",
            reason="disclosure came after 2 minutes",
            username="alice",
        )
        assert r4.score_after == 0.0
        assert con.execute("SELECT count(*) FROM overrides WHERE call_id = ?", [f.call_id]).fetchone()[0] == 4


def test_override_input_is_validated(fx):
    f = fx.featured
    with connect(fx.db) as con:
        with pytest.raises(InputError, match="needs a reason"):
            actions.override_verdict(
                con,
                call_id=f.call_id,
                scorecard_id=SCORECARD_ID,
                criterion_id="empathy",
                new_verdict="pass",
                reason="   ",
                username="alice",
            )
        with pytest.raises(InputError, match="'maybe' is not one of"):
            actions.override_verdict(
                con,
                call_id=f.call_id,
                scorecard_id=SCORECARD_ID,
                criterion_id="empathy",
                new_verdict="maybe",
                reason="x",
                username="alice",
            )
        with pytest.raises(NotFoundError, match="no result for criterion 'nope'"):
            actions.override_verdict(
                con,
                call_id=f.call_id,
                scorecard_id=SCORECARD_ID,
                criterion_id="nope",
                new_verdict="pass",
                reason="x",
                username="alice",
            )
        assert con.execute("SELECT count(*) FROM overrides").fetchone()[0] == 0
    c = signed_in(fx, "alice")
    r = c.post(f"/calls/{f.call_id}/override", data=_override_form(c, fx, reason=""))
    assert r.status_code == 303
    assert "needs a reason" in c.get(r.headers["location"]).text


def test_mark_reviewed_moves_call_out_of_the_open_queue(fx):
    f = fx.featured
    c = signed_in(fx, "alice")
    assert f.call_id in c.get("/queue").text
    page = c.get(f"/calls/{f.call_id}")
    r = c.post(f"/calls/{f.call_id}/review", data={"csrf": csrf_of(page.text), "note": "checked the refund"})
    assert r.status_code == 303
    assert "Reviewed" in c.get(f"/calls/{f.call_id}").text
    assert f.call_id not in c.get("/queue").text
    assert f.call_id in c.get("/queue?status=reviewed").text
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT username, note FROM reviews").fetchall() == [("alice", "checked the refund")]


# --------------------------------------------------------------------------- queue filters and injection


def test_queue_lists_flagged_calls_and_filters(fx):
    flagged = [c for c in fx.calls if c.flagged]
    with connect(fx.db, read_only=True) as con:
        page = queries.review_queue(con, queries.QueueFilters())
        assert page.total == len(flagged) and {r["call_id"] for r in page.rows} == {c.call_id for c in flagged}
        sam = queries.review_queue(con, queries.QueueFilters(agent="A101"))
        assert {r["call_id"] for r in sam.rows} == {c.call_id for c in flagged if c.agent_id == "A101"}
        billing = queries.review_queue(con, queries.QueueFilters(queue="billing"))
        assert {r["call_id"] for r in billing.rows} == {c.call_id for c in flagged if c.queue == "billing"}
        day = fx.featured.started_at.date()
        one_day = queries.review_queue(con, queries.QueueFilters(date_from=day, date_to=day))
        assert fx.featured.call_id in {r["call_id"] for r in one_day.rows}
        assert all(r["at"].date() == day for r in one_day.rows)
        auto = queries.review_queue(con, queries.QueueFilters(rule="auto_fail"))
        auto_ids = {c.call_id for c in fx.calls if score_of(c.verdicts)[1]}
        assert auto_ids and {r["call_id"] for r in auto.rows} == auto_ids
        assert queries.review_queue(con, queries.QueueFilters(scorecard="other_card")).total == 0
        # High-severity flags come first.
        sev = [r["sev"] for r in page.rows]
        assert sev == sorted(sev, reverse=True)


def test_filters_cannot_inject_sql(fx):
    c = signed_in(fx, "alice")
    for evil in ["' OR '1'='1", "A101' --", "x'); DROP TABLE calls; --", "%' OR 1=1 OR agent_id LIKE '%"]:
        r = c.get("/queue", params={"agent": evil, "queue": evil, "rule": evil, "scorecard": evil, "status": "all"})
        assert r.status_code == 200 and "No calls match" in r.text
    r = c.get("/queue", params={"date_from": "2025-01-01' OR 1=1 --"})
    assert r.status_code == 200 and "is not a date" in r.text
    r = c.get("/calibration", params={"scorecard": "x' OR '1'='1"})
    assert r.status_code == 200 and "No scored calls" in r.text
    carl = signed_in(fx, "carl")
    assert carl.get("/coach/agents/A101' OR '1'='1").status_code == 404
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM calls").fetchone()[0] == len(fx.calls)


# --------------------------------------------------------------------------- audio


def _wav_samples(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        ch, rate = w.getnchannels(), w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, ch).T
    return pcm, rate


def test_audio_is_served_with_redacted_span_silenced_and_supports_ranges(fx):
    f = fx.featured
    assert f.redaction is not None
    c = signed_in(fx, "alice")
    r = c.get(f"/calls/{f.call_id}/audio")
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav" and r.headers["accept-ranges"] == "bytes"
    pcm, rate = _wav_samples(r.content)
    assert rate == 16000 and pcm.shape[0] == 2
    a, b = int(f.redaction[0] * rate), int(f.redaction[1] * rate)
    assert np.abs(pcm[:, a:b]).max() == 0  # the spoken card number is silent
    orig, _ = _wav_samples(f.path.read_bytes())
    assert np.abs(orig[:, a:b]).max() > 1000  # …and it was not silent in the recording
    card = next(u for u in f.utts if u.key == "card")
    s0 = int(card.start_s * rate)
    assert np.abs(pcm[:, s0:a]).max() > 1000  # the rest of the utterance still plays
    # Range requests (what the browser uses to seek).
    size = len(r.content)
    part = c.get(f"/calls/{f.call_id}/audio", headers={"range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == r.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    tail = c.get(f"/calls/{f.call_id}/audio", headers={"range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == r.content[-10:]
    assert c.get(f"/calls/{f.call_id}/audio", headers={"range": f"bytes={size + 5}-"}).status_code == 416


def test_audio_route_never_serves_files_outside_the_recordings_folder(fx, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.wav"
    shutil.copy(fx.featured.path, secret)
    link_dir = tmp_path / "linkrec"
    shutil.copytree(fx.recordings, link_dir)
    (link_dir / "sneaky.wav").symlink_to(secret)
    victims = [c.call_id for c in fx.calls[:4]]
    with connect(fx.db) as con:
        con.execute("UPDATE calls SET source_path = ? WHERE call_id = ?", [str(secret), victims[0]])
        con.execute(
            "UPDATE calls SET source_path = ? WHERE call_id = ?",
            [str(fx.recordings / ".." / "outside" / "secret.wav"), victims[1]],
        )
        con.execute("UPDATE calls SET source_path = ? WHERE call_id = ?", ["/etc/passwd", victims[2]])
        con.execute("UPDATE calls SET source_path = ? WHERE call_id = ?", [str(link_dir / "sneaky.wav"), victims[3]])
    c = signed_in(fx, "alice")
    for cid in victims:
        r = c.get(f"/calls/{cid}/audio")
        assert r.status_code == 404 and b"RIFF" not in r.content[:4], cid
    for path in [
        "/calls/..%2F..%2Fetc%2Fpasswd/audio",
        "/calls/../../etc/passwd/audio",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2Fapp.py",
    ]:
        r = c.get(path)
        assert r.status_code in (303, 404) and b"import" not in r.content, path
    # With --recordings the root is that folder: a symlink inside it that leaves it is refused.
    c2 = signed_in(fx, "alice", recordings=link_dir.resolve())
    assert c2.get(f"/calls/{victims[3]}/audio").status_code == 404
    ok = fx.calls[5]
    assert c2.get(f"/calls/{ok.call_id}/audio").status_code == 200  # remapped from the run's folder


def test_resolve_recording_rules(tmp_path):
    root = tmp_path / "rec"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.wav").write_bytes(b"RIFF")
    assert resolve_recording(str(root / "sub" / "a.wav"), str(root), None) == (root / "sub" / "a.wav").resolve()
    assert resolve_recording("sub/a.wav", str(root), None) == (root / "sub" / "a.wav").resolve()
    with pytest.raises(NotFoundError):
        resolve_recording(str(root / "sub" / ".." / ".." / "x.wav"), str(root), None)
    with pytest.raises(NotFoundError):
        resolve_recording(str(root / "sub" / "a.wav"), None, None)  # no root at all: refused
    moved = tmp_path / "moved"
    shutil.copytree(root, moved)
    assert resolve_recording(str(root / "sub" / "a.wav"), str(root), moved) == (moved / "sub" / "a.wav").resolve()


def test_range_parsing():
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=-5", 100) == (95, 99)
    assert parse_range("bytes=50-500", 100) == (50, 99)
    for bad in ["bytes=100-", "bytes=5-1", "items=0-1", "bytes=0-1,3-4", "bytes=a-b", "bytes=-0"]:
        with pytest.raises(ValueError):
            parse_range(bad, 100)


# --------------------------------------------------------------------------- calibration


def test_calibration_counts_agreement_per_criterion(fx):
    f = fx.featured
    other = next(c for c in fx.calls if c.flagged and c.call_id != f.call_id and c.verdicts["empathy"] != "na")
    with connect(fx.db) as con:
        actions.override_verdict(
            con,
            call_id=f.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="empathy",
            new_verdict="pass",
            reason="apologised",
            username="alice",
        )
        actions.mark_reviewed(con, call_id=f.call_id, username="alice")
        actions.mark_reviewed(con, call_id=other.call_id, username="alice")
        rows = {r["criterion_id"]: r for r in queries.calibration(con)}
    emp = rows["empathy"]
    assert emp["reviewed"] == 2 and emp["agreed"] == 1 and emp["fail_to_pass"] == 1 and emp["pass_to_fail"] == 0
    assert emp["agreement"] == pytest.approx(0.5)
    assert rows["greeting"]["reviewed"] == 2 and rows["greeting"]["agreement"] == 1.0
    assert emp["results"] == len(fx.calls)
    c = signed_in(fx, "alice")
    page = c.get(f"/calibration/{SCORECARD_ID}/empathy")
    assert page.status_code == 200 and "apologised (alice)" in page.text and "Best score" in page.text
    assert c.get(f"/calibration/{SCORECARD_ID}/nope").status_code == 404


# --------------------------------------------------------------------------- coach summary, export, report


def _expected_rate(calls, cid):
    passed = sum(1 for c in calls if c.verdicts[cid] == "pass")
    applicable = sum(1 for c in calls if c.verdicts[cid] in ("pass", "fail"))
    return passed, applicable


def test_agent_summary_matches_the_data(fx):
    since = min(c.started_at for c in fx.calls).date()
    with connect(fx.db, read_only=True) as con:
        s = summary.agent_summary(con, "A101", since)
    sam = [c for c in fx.calls if c.agent_id == "A101"]
    assert s.n_calls == len(sam) and s.team_n_calls == len(fx.calls)
    assert s.avg_final == pytest.approx(np.mean([c.score for c in sam]), abs=1e-6)
    assert s.team_avg_final == pytest.approx(np.mean([c.score for c in fx.calls]), abs=1e-6)
    crit = {r.criterion_id: r for r in s.criteria}
    for cid in ("greeting", "empathy", "resolution_check", "closing"):
        assert (crit[cid].agent_passed, crit[cid].agent_applicable) == _expected_rate(sam, cid), cid
        assert (crit[cid].team_passed, crit[cid].team_applicable) == _expected_rate(fx.calls, cid), cid
    # Weakest skills: the lowest agent pass rates, each with failed example calls and their evidence.
    rates = sorted(r.agent_rate for r in s.criteria if r.agent_applicable >= 2 and r.agent_rate < 1)
    assert [w.agent_rate for w in s.weakest] == rates[: len(s.weakest)] and s.weakest
    weakest_ids = {w.criterion_id for w in s.weakest}
    assert s.examples and all(e.criterion_id in weakest_ids and e.verdict == "fail" for e in s.examples)
    assert any(e.utterances for e in s.examples)
    assert s.bucket == "week" and sum(p.agent_n for p in s.trend) == len(sam)
    assert s.criterion_name("empathy") == "Acknowledges the customer's frustration"
    assert s.section_name("closing") == "Closing" and s.criterion_name("closing") == "Closes the call politely"


def test_summary_uses_final_verdicts_after_override(fx):
    f = fx.featured
    since = f.started_at.date()
    with connect(fx.db) as con:
        before_s = summary.agent_summary(con, "A101", since)
        actions.override_verdict(
            con,
            call_id=f.call_id,
            scorecard_id=SCORECARD_ID,
            criterion_id="empathy",
            new_verdict="pass",
            reason="ok",
            username="alice",
        )
        after_s = summary.agent_summary(con, "A101", since)
    before = {r.criterion_id: r for r in before_s.criteria}["empathy"]
    after = {r.criterion_id: r for r in after_s.criteria}["empathy"]
    assert after.agent_passed == before.agent_passed + 1 and after.agent_applicable == before.agent_applicable
    assert before_s.n_overridden == 0 and after_s.n_overridden == 1
    assert after_s.avg_final == pytest.approx(before_s.avg_final + (87.5 - f.score) / before_s.n_calls, abs=1e-6)
    assert after_s.avg_auto == pytest.approx(before_s.avg_auto, abs=1e-9)


def test_export_csv_and_parquet_round_trip(fx, tmp_path):
    since = date(2025, 1, 1)
    with connect(fx.db, read_only=True) as con:
        s = summary.agent_summary(con, "A101", since)
    csv_bytes = export.export_bytes(s, "rates", "csv")
    lines = csv_bytes.decode().splitlines()
    assert lines[0].startswith("agent_id,scorecard_id,since,until,level,section_id,criterion_id")
    assert len(lines) == 1 + len(s.sections) + len(s.criteria)
    pq = tmp_path / "r.parquet"
    pq.write_bytes(export.export_bytes(s, "calls", "parquet"))
    rows = duckdb.sql(f"SELECT call_id, final_score FROM read_parquet('{pq}') ORDER BY call_id").fetchall()
    assert sorted((c["call_id"], c["final_score"]) for c in s.calls) == rows
    # Through the web: the coach downloads both formats.
    carl = signed_in(fx, "carl")
    r = carl.get("/coach/agents/A101/export", params={"since": "2025-01-01", "format": "csv", "table": "rates"})
    assert r.status_code == 200 and r.content == csv_bytes and "attachment" in r.headers["content-disposition"]
    r = carl.get("/coach/agents/A101/export", params={"since": "2025-01-01", "format": "parquet", "table": "rates"})
    assert r.status_code == 200 and r.content[:4] == b"PAR1"
    assert carl.get("/coach/agents/A101/export", params={"format": "xlsx"}).status_code == 400


def test_report_cli_writes_a_self_contained_html_file(fx, tmp_path):
    out = tmp_path / "sam.html"
    runner = CliRunner()
    r = runner.invoke(
        cli_app, ["report", "agent", "A101", "--since", "2025-01-01", "--db", str(fx.db), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert "Sam Lee" in html and "<svg" in html and "Weakest skills" in html and "<style>" in html
    assert "<script" not in html and not re.search(r'(src|href)="(https?:)?//', html)
    assert "/static/" not in html
    r = runner.invoke(cli_app, ["report", "agent", "A101", "--since", "March 1", "--db", str(fx.db)])
    assert r.exit_code != 0 and "is not a date" in r.output
    r = runner.invoke(
        cli_app, ["report", "agent", "NOPE", "--since", "2025-01-01", "--db", str(fx.db), "--out", str(out)]
    )
    assert r.exit_code == 5 and "no calls for agent 'NOPE'" in r.output
    r = runner.invoke(
        cli_app,
        [
            "export",
            "agent",
            "A101",
            "--since",
            "2025-01-01",
            "--db",
            str(fx.db),
            "--format",
            "parquet",
            "--table",
            "calls",
            "--out",
            str(tmp_path / "c.parquet"),
        ],
    )
    assert r.exit_code == 0 and (tmp_path / "c.parquet").read_bytes()[:4] == b"PAR1"


def test_runs_page_shows_history_with_failure_reasons(fx):
    c = signed_in(fx, "sue")
    page = c.get("/runs").text
    assert "partial" in page and "failed" in page and "run-0002"[:12] in page
    assert "the file ends after 44 bytes (truncated upload?)" in page
    assert "no speech found in 62.0 s of audio" in page
    with connect(fx.db, read_only=True) as con:
        runs = queries.run_history(con)
    assert [r["run_id"] for r in runs] == ["run-0003", "run-0002", "run-0001"]
    assert [len(r["failures"]) for r in runs] == [1, 2, 0]
    assert runs[1]["duration_s"] == pytest.approx(62.0)


def test_weakest_skills_come_with_top_performers_best_calls_and_strengths(fx):
    since = min(c.started_at for c in fx.calls).date()
    with connect(fx.db, read_only=True) as con:
        s = summary.agent_summary(con, "A101", since)
    assert "empathy" in {w.criterion_id for w in s.weakest}
    for w in s.weakest:
        # Top performers from the fixture's own verdicts: other agents, >= 3 applicable, better than Sam.
        per: dict[str, list[int]] = {}
        for c in fx.calls:
            if c.agent_id != "A101" and c.verdicts[w.criterion_id] in ("pass", "fail"):
                per.setdefault(c.agent_name, [0, 0])
                per[c.agent_name][0] += c.verdicts[w.criterion_id] == "pass"
                per[c.agent_name][1] += 1
        expected = sorted(
            ((p / n, n, name) for name, (p, n) in per.items() if n >= 3 and p / n > w.agent_rate),
            key=lambda t: (-t[0], -t[1], t[2]),
        )[:3]
        got = s.peers[w.criterion_id]
        assert [(p.rate, p.applicable, p.agent_name) for p in got.top] == expected, w.criterion_id
        for b in got.best_calls:
            call = fx.call(b.call_id)
            assert call.agent_id != "A101" and call.verdicts[w.criterion_id] == "pass"
            assert call.utts[b.idx].text == b.text
    # Dana Ortiz is the clear top performer on empathy; her passing call shows her empathy line.
    emp = s.peers["empathy"]
    assert emp.top[0].agent_name == "Dana Ortiz" and emp.top[0].rate == 1.0
    best = emp.best_calls[0]
    assert best.agent_name == "Dana Ortiz" and fx.call(best.call_id).utts[best.idx].key == "empathy"
    assert len({b.agent_id for b in emp.best_calls}) == len(emp.best_calls)
    # Strengths: the best criteria that are not weak, highest pass rate first.
    weak = {w.criterion_id for w in s.weakest}
    assert s.strengths and all(r.criterion_id not in weak and r.agent_applicable >= 2 for r in s.strengths)
    rates = [r.agent_rate for r in s.strengths]
    assert rates == sorted(rates, reverse=True)
    assert rates[0] == max(r.agent_rate for r in s.criteria if r.criterion_id not in weak and r.agent_applicable >= 2)
    # The coach page shows them, linking the best call to the moment of the evidence utterance.
    page = signed_in(fx, "carl").get("/coach/agents/A101", params={"since": since.isoformat()})
    assert page.status_code == 200
    peers_html = page.text.split('id="peers-empathy"', 1)[1].split("</article>", 1)[0]
    assert "Dana Ortiz" in peers_html and 'href="/coach/agents/A100?' in peers_html
    assert f"/calls/{best.call_id}?back=" in peers_html and f'#u-{best.idx}"' in peers_html
    assert "I understand how frustrating that must be" in peers_html
    strengths_html = page.text.split('id="strengths"', 1)[1].split("</ul>", 1)[0]
    assert all(s.criterion_name(r.criterion_id) in strengths_html for r in s.strengths)
    # The self-contained report carries the same, without links.
    report = signed_in(fx, "carl").get("/coach/agents/A101/report", params={"since": since.isoformat()})
    assert 'id="peers-empathy"' in report.text and 'id="strengths"' in report.text
    assert "#u-" not in report.text


def test_top_performers_never_pool_different_scorecards(fx):
    """Results on another scorecard (Priya passes empathy everywhere, Dana fails) must not leak into
    the support_core peers, and on that card Priya is the top performer."""
    since = min(c.started_at for c in fx.calls).date()
    with connect(fx.db) as con:
        before = summary.agent_summary(con, "A101", since).peers["empathy"]
        con.execute(
            """INSERT INTO criterion_results
               SELECT r.call_id, 'other_card', r.scorecard_version, r.section_id, r.criterion_id, r.kind,
                      CASE WHEN c.agent_id = 'A102' THEN 'pass' ELSE 'fail' END, r.points, r.max_points,
                      FALSE, r.reason, r.evidence
               FROM criterion_results r JOIN calls c ON c.call_id = r.call_id
               WHERE r.scorecard_id = ? AND r.criterion_id = 'empathy' AND c.agent_id <> 'A101'""",
            [SCORECARD_ID],
        )
        after = summary.agent_summary(con, "A101", since).peers["empathy"]
        other = peers.skill_peers(con, "A101", "other_card", {"empathy": 0.0}, since)["empathy"]
    assert after == before
    n_priya = sum(1 for c in fx.calls if c.agent_id == "A102")
    assert [(p.agent_name, p.rate, p.applicable) for p in other.top] == [("Priya Nair", 1.0, n_priya)]
    assert other.best_calls and {b.agent_name for b in other.best_calls} == {"Priya Nair"}
