"""Review assignment (weekly sample, claims, workload) and blind calibration sessions (issue #15)."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date

import pytest
from review_fixture import BASE_DAY, SCORECARD_ID, build_review_db, csrf_of
from starlette.testclient import TestClient
from typer.testing import CliRunner

from qa_pipeline.cli import app as cli_app
from qa_pipeline.errors import InputError
from qa_pipeline.review import assignment, audit, blind_calibration
from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.scorecard.agreement import fleiss_kappa
from qa_pipeline.store.db import connect

WEEK = BASE_DAY.date().isoformat()  # the fixture's last week (calls go back eight weeks from here)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_review_db(tmp_path_factory.mktemp("review"), tmp_path_factory.mktemp("clips"))


@pytest.fixture
def fx(built, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(built.db, db)
    return dataclasses.replace(built, db=db)


def _unflagged(con, start: date) -> dict[str, set[str]]:
    return {a: set(ids) for a, ids in assignment._eligible(con, start).items()}


def test_week_parsing() -> None:
    assert assignment.week_start("2025-03-19") == date(2025, 3, 17)
    assert assignment.week_start("2025-W12") == date(2025, 3, 17)
    with pytest.raises(InputError, match="YYYY-Www"):
        assignment.week_start("last week")


def test_weekly_sample_takes_unflagged_calls_per_agent_reproducibly(fx, tmp_path):
    copy = tmp_path / "again.duckdb"
    shutil.copy(fx.db, copy)
    picks = []
    for db in (fx.db, copy):
        with connect(db) as con:
            weeks = sorted({assignment.week_start(c.started_at.date()) for c in fx.calls})
            eligible = {w: _unflagged(con, w) for w in weeks}
            picks.append([assignment.draw_sample(con, week=w, quota=1, seed=3) for w in weeks])
    flagged = {c.call_id for c in fx.calls if c.flagged}
    total = 0
    for s in picks[0]:
        for agent_id, ids in s.picked.items():
            assert len(ids) == min(1, len(eligible[s.week_start][agent_id]))
            assert set(ids) <= eligible[s.week_start][agent_id] and not set(ids) & flagged
            total += len(ids)
    assert total > 0
    assert [s.picked for s in picks[0]] == [s.picked for s in picks[1]]  # same seed, same draw
    with connect(fx.db) as con:
        # Drawing the same week again adds only calls not yet in the pool; the pool is unassigned.
        again = assignment.draw_sample(con, week=picks[0][0].week_start, quota=1, seed=3)
        assert not set().union(*again.picked.values()) & set().union(*picks[0][0].picked.values())
        load = assignment.workload(con)
        assert load[0]["reviewer"] is None and load[0]["assigned"] == total + again.total
        assert len(audit.recent(con, kind="sample_drawn")) == len(picks[0]) + 1
        with pytest.raises(InputError, match="at least 1"):
            assignment.draw_sample(con, week=WEEK, quota=0, seed=0)


def test_claim_assign_and_workload(fx):
    a, b, c = (x.call_id for x in fx.calls[:3])
    with connect(fx.db) as con:
        assignment.claim(con, call_id=a, username="alice")
        with pytest.raises(InputError, match="already with alice"):
            assignment.claim(con, call_id=a, username="adam")
        assignment.assign(con, call_id=b, reviewer="adam", username="sue")
        assignment.assign(con, call_id=a, reviewer="adam", username="sue")  # a supervisor reassigns
        with pytest.raises(InputError, match="may review"):
            assignment.assign(con, call_id=c, reviewer="carl", username="sue")  # a coach does not review
        con.execute("INSERT INTO reviews VALUES (?, 'adam', now(), NULL)", [b])
        load = {w["reviewer"]: w for w in assignment.workload(con)}
        assert (load["adam"]["assigned"], load["adam"]["reviewed"], load["adam"]["to_do"]) == (2, 1, 1)
        assert next(r["call_id"] for r in assignment.assignments(con, reviewer="adam")) == a  # to do first
        assert {e.kind for e in audit.recent(con)} >= {"call_claimed", "call_assigned"}


def test_sample_cli_takes_quota_and_seed_from_the_settings_file(fx, tmp_path):
    cfg = tmp_path / "site.toml"
    cfg.write_text(f'db = "{fx.db}"\n[review]\nsample_quota = 2\nsample_seed = 11\n')
    out = CliRunner().invoke(cli_app, ["--config", str(cfg), "review", "sample", "--week", WEEK])
    assert out.exit_code == 0, out.output
    assert "quota 2 per agent, seed 11" in out.output
    with connect(fx.db, read_only=True) as con:
        n = con.execute("SELECT count(*) FROM review_assignments WHERE source = 'sample'").fetchone()[0]
    assert n == int(out.output.split(": ")[1].split()[0]) and n <= 2 * 3
    bad = CliRunner().invoke(cli_app, ["review", "sample", "--db", str(fx.db), "--week", "someday"])
    assert bad.exit_code != 0 and "YYYY-Www" in bad.output


def test_users_add_agent_cli(fx):
    r = CliRunner().invoke(
        cli_app,
        ["users", "add", "sam", "--role", "agent", "--agent-id", "A101", "--password-stdin", "--db", str(fx.db)],
        input="sam-agent-pw1\n",
    )
    assert r.exit_code == 0 and "agent A101" in r.output, r.output
    r = CliRunner().invoke(
        cli_app, ["users", "add", "ann", "--role", "agent", "--password-stdin", "--db", str(fx.db)], input="x" * 10
    )
    assert r.exit_code != 0 and "--agent-id" in r.output
    assert "agent A101" in CliRunner().invoke(cli_app, ["users", "list", "--db", str(fx.db)]).output


def test_blind_session_hides_verdicts_until_closed_and_reports_agreement(fx):
    call = fx.featured
    with connect(fx.db) as con:
        sid = blind_calibration.open_session(con, call_id=call.call_id, scorecard_id=SCORECARD_ID, username="alice")
        crits = list(call.verdicts)
        alice = dict(call.verdicts)  # agrees with the automatic verdicts
        adam = {**call.verdicts, "empathy": "pass"}
        blind_calibration.submit(con, session_id=sid, username="alice", verdicts=alice)
        blind_calibration.submit(con, session_id=sid, username="adam", verdicts=adam)
        with pytest.raises(InputError, match="not one of"):
            blind_calibration.submit(con, session_id=sid, username="adam", verdicts={"empathy": "maybe"})
        view = blind_calibration.session_view(con, sid, "adam")
        assert view["mine"] == adam and view["submitted"] == 2 and view["report"] is None
        blind_calibration.close_session(con, session_id=sid, username="alice")
        with pytest.raises(InputError, match="closed"):
            blind_calibration.submit(con, session_id=sid, username="adam", verdicts=adam)
        rep = blind_calibration.session_view(con, sid, "adam")["report"]
        assert rep.reviewers == ["adam", "alice"]
        assert rep.kappa == pytest.approx(fleiss_kappa([[alice[c], adam[c]] for c in crits]))
        assert rep.vs_automatic["alice"].agreement == 1.0
        assert rep.vs_automatic["adam"].agreed == len(crits) - 1
        empathy = next(r for r in rep.rows if r["criterion_id"] == "empathy")
        assert empathy["majority"] is None  # one pass, one fail: a tie
        assert {e.kind for e in audit.recent(con)} >= {"calibration_opened", "calibration_scored", "calibration_closed"}


def test_blind_session_pages_show_no_other_reviewers_verdicts_while_open(fx):
    call = fx.featured
    with connect(fx.db) as con:
        sid = blind_calibration.open_session(con, call_id=call.call_id, scorecard_id=SCORECARD_ID, username="alice")
        blind_calibration.submit(con, session_id=sid, username="adam", verdicts={"empathy": "na"})
    c = TestClient(create_app(ServerConfig(fx.db)), follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    c.post("/login", data={"csrf": tok, "username": "alice", "password": "alice-review-pw"})
    page = c.get(f"/sessions/{sid}")
    assert page.status_code == 200 and "1 reviewer submitted" in page.text
    assert "checked" not in page.text and "adam" not in page.text  # adam's na is not shown to alice
    r = c.post(f"/sessions/{sid}/score", data={"csrf": csrf_of(page.text), "v_empathy": "fail"})
    assert r.status_code == 303
    r = c.post(f"/sessions/{sid}/close", data={"csrf": csrf_of(page.text)})
    page = c.get(f"/sessions/{sid}")
    assert "Fleiss" in page.text and "adam" in page.text and "closed" in page.text
    assert c.get("/assignments").status_code == 200 and c.get("/sessions").status_code == 200


def test_assignment_routes_sample_claim_and_assign_by_role(fx):
    def client(user, pw):
        c = TestClient(create_app(ServerConfig(fx.db)), follow_redirects=False)
        tok = csrf_of(c.get("/login").text)
        c.post("/login", data={"csrf": tok, "username": user, "password": pw})
        return c, csrf_of(c.get("/assignments").text)

    sue, sue_tok = client("sue", "sue-super-pw1")
    alice, alice_tok = client("alice", "alice-review-pw")
    assert alice.post("/assignments/sample", data={"csrf": alice_tok, "week": WEEK, "quota": "2"}).status_code == 403
    for week in sorted({c.started_at.date().isoformat() for c in fx.calls})[::7]:  # dates across the eight weeks
        r = sue.post("/assignments/sample", data={"csrf": sue_tok, "week": week, "quota": "2"})
        assert r.status_code == 303
    with connect(fx.db, read_only=True) as con:
        pool = [r["call_id"] for r in assignment.assignments(con, unassigned=True)]
    assert len(pool) >= 2
    assert sue.post("/assignments/claim", data={"csrf": sue_tok, "call_id": pool[0]}).status_code == 403
    assert alice.post("/assignments/claim", data={"csrf": alice_tok, "call_id": pool[0]}).status_code == 303
    r = sue.post("/assignments/assign", data={"csrf": sue_tok, "call_id": pool[-1], "reviewer": "adam"})
    assert r.status_code == 303
    page = alice.get("/assignments?mine=1")
    assert pool[0] in page.text and pool[-1] not in page.text
    with connect(fx.db, read_only=True) as con:
        load = {w["reviewer"]: w["assigned"] for w in assignment.workload(con)}
    assert load == {None: len(pool) - 2, "alice": 1, "adam": 1} if len(pool) > 2 else {"alice": 1, "adam": 1}


def test_sample_form_offers_the_configured_quota_and_seed(fx, tmp_path):
    """`serve` passes the settings file's [review] sample_quota / sample_seed to the /assignments form."""
    import subprocess
    import sys
    from pathlib import Path

    c = TestClient(create_app(ServerConfig(fx.db, sample_quota=7, sample_seed=42)), follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    c.post("/login", data={"csrf": tok, "username": "sue", "password": "sue-super-pw1"})
    page = c.get("/assignments").text
    assert 'name="quota" value="7"' in page and 'name="seed" value="42"' in page

    # the serve command takes both from the settings file (shown without starting a server: --help lists them)
    (tmp_path / "qa-pipeline.toml").write_text("[review]\nsample_quota = 9\nsample_seed = 3\n", encoding="utf-8")
    bin_ = Path(sys.executable).parent / "qa-pipeline"
    done = subprocess.run([str(bin_), "serve", "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0 and "--sample-quota" in done.stdout
    assert "default: 9" in done.stdout.replace("\n", " ").split("--sample-quota", 1)[1][:300]
