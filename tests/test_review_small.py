"""The smaller items of issue #14 point 10, through the real app and CLI on a real DuckDB file."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest
from review_fixture import SCORECARD_ID, build_review_db, csrf_of
from starlette.testclient import TestClient
from typer.testing import CliRunner

from qa_pipeline.cli import app as cli_app
from qa_pipeline.review.app import ServerConfig, create_app
from qa_pipeline.store.db import connect


@pytest.fixture(scope="module")
def base_fx(tmp_path_factory):
    return build_review_db(tmp_path_factory.mktemp("review"), tmp_path_factory.mktemp("clips"))


@pytest.fixture()
def fx(base_fx, tmp_path):
    db = tmp_path / "qa.duckdb"
    shutil.copy(base_fx.db, db)
    return type(base_fx)(db, base_fx.recordings, base_fx.calls, base_fx.featured, base_fx.passwords)


def signed_in(fx, username: str = "alice") -> TestClient:
    c = TestClient(create_app(ServerConfig(fx.db)), follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"csrf": tok, "username": username, "password": fx.passwords[username][1]})
    assert r.status_code == 303
    return c


def _override(c: TestClient, fx, criterion: str, verdict: str, reason: str):
    page = c.get(f"/calls/{fx.featured.call_id}")
    return c.post(
        f"/calls/{fx.featured.call_id}/override",
        data={
            "csrf": csrf_of(page.text),
            "scorecard_id": SCORECARD_ID,
            "criterion_id": criterion,
            "verdict": verdict,
            "reason": reason,
        },
    )


def _crit_html(html: str, criterion: str) -> str:
    start = html.index(f'id="crit-{SCORECARD_ID}-{criterion}"')
    return html[start : html.index("</li>", start)]


def test_reopen_keeps_the_review_in_the_audit_trail(fx):
    c = signed_in(fx)
    cid = fx.featured.call_id
    page = c.get(f"/calls/{cid}")
    assert (
        c.post(f"/calls/{cid}/review", data={"csrf": csrf_of(page.text), "note": "checked the hold"}).status_code == 303
    )
    page = c.get(f"/calls/{cid}")
    assert c.post(f"/calls/{cid}/review", data={"csrf": csrf_of(page.text), "action": "unmark"}).status_code == 303
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reviews WHERE call_id = ?", [cid]).fetchone()[0] == 0
        trail = con.execute(
            "SELECT kind, username, detail FROM audit_events WHERE call_id = ? AND kind LIKE 'review%' ORDER BY occurred_at",
            [cid],
        ).fetchall()
    assert [t[:2] for t in trail] == [("review_marked", "alice"), ("review_reopened", "alice")]
    assert trail[0][2] == "checked the hold"
    assert trail[1][2].startswith("reviewed by alice at ") and trail[1][2].endswith(": checked the hold")


def test_a_form_with_more_than_50_fields_is_a_clear_400(fx):
    c = signed_in(fx)
    page = c.get(f"/calls/{fx.featured.call_id}")
    data = {"csrf": csrf_of(page.text), **{f"f{i}": "x" for i in range(60)}}
    r = c.post(f"/calls/{fx.featured.call_id}/override", data=data)
    assert r.status_code == 400 and "more than 50 fields" in r.text


def test_an_agent_id_with_a_slash_opens_and_exports(fx):
    with connect(fx.db) as con:
        con.execute("UPDATE calls SET agent_id = 'north/A101' WHERE agent_id = 'A101'")
    c = signed_in(fx, "carl")
    coach = c.get("/coach")
    assert 'href="/coach/agents/north/A101?' in coach.text
    page = c.get("/coach/agents/north/A101")
    assert page.status_code == 200 and "Agent north/A101" in page.text
    assert c.get("/coach/agents/north%2FA101").status_code == 200
    csv = c.get("/coach/agents/north/A101/export", params={"format": "csv", "table": "calls"})
    assert csv.status_code == 200 and csv.text.count("\n") == 1 + sum(x.agent_id == "A101" for x in fx.calls)
    assert c.get("/coach/agents/north/A101/report").status_code == 200


def test_na_criteria_show_na_not_zero_points(fx):
    c = signed_in(fx)
    assert _override(c, fx, "dead_air", "na", "Hold music, not dead air.").status_code == 303
    crit = _crit_html(c.get(f"/calls/{fx.featured.call_id}").text, "dead_air")
    pts = re.search(r'class="pts"[^>]*>([^<]*)<', crit).group(1)
    assert pts == "N/A"


def test_python_none_never_shows_in_criterion_values(fx):
    with connect(fx.db) as con:
        con.execute(
            "UPDATE criterion_results SET evidence = ? WHERE call_id = ? AND criterion_id = 'empathy'",
            [
                '{"utterances": [], "values": {"best_score": null, "labels_seen": ["empathy", null], "hit": false,'
                ' "limits": {"min": 0.5, "max": null}}}',
                fx.featured.call_id,
            ],
        )
    crit = _crit_html(signed_in(fx).get(f"/calls/{fx.featured.call_id}").text, "empathy")
    values = crit[crit.index('<dl class="values') :]
    assert "None" not in values and "True" not in values and "False" not in values
    assert "<dd>—</dd>" in values and "<dd>empathy, —</dd>" in values and "<dd>no</dd>" in values


def test_flags_follow_the_final_score_after_an_override(fx):
    cid = fx.featured.call_id
    with connect(fx.db, read_only=True) as con:
        before = con.execute(
            "SELECT rule_id FROM flags WHERE call_id = ? AND scorecard_id = ?", [cid, SCORECARD_ID]
        ).fetchall()
    assert before == [("low_score",)]
    c = signed_in(fx)
    assert _override(c, fx, "empathy", "pass", "Apologised in other words.").status_code == 303  # 54.2 -> 87.5
    with connect(fx.db, read_only=True) as con:
        after = con.execute(
            "SELECT rule_id FROM flags WHERE call_id = ? AND scorecard_id = ?", [cid, SCORECARD_ID]
        ).fetchall()
        call_level = con.execute(
            "SELECT count(*) FROM flags WHERE call_id = ? AND scorecard_id = ''", [cid]
        ).fetchone()[0]
    assert after == [] and call_level == 1  # the score flag is gone; the call-level flag stays
    assert _override(c, fx, "empathy", "fail", "On second listen, no apology.").status_code == 303  # back to 54.2
    with connect(fx.db, read_only=True) as con:
        again = con.execute(
            "SELECT rule_id, reason FROM flags WHERE call_id = ? AND scorecard_id = ?", [cid, SCORECARD_ID]
        ).fetchall()
    assert [r[0] for r in again] == ["low_score"] and "54.2 below 70" in again[0][1]


@pytest.mark.parametrize("bad", ["fine\x00hidden", "ok \u202eevil\u202c text", "x\u2066y\u2069", "bell\x07"])
def test_override_reasons_refuse_nul_and_bidi_controls(fx, bad):
    c = signed_in(fx)
    r = _override(c, fx, "empathy", "pass", bad)
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    assert "invisible control character" in page
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM overrides").fetchone()[0] == 0
    # Right-to-left text itself is fine.
    assert _override(c, fx, "empathy", "pass", "ملاحظة: the agent apologised").status_code == 303
    with connect(fx.db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM overrides").fetchone()[0] == 1


def test_export_snapshot_writes_parquet_for_bi_tools_without_raw_text(fx, tmp_path):
    with connect(fx.db) as con:  # the unredacted copy a run with keep_raw writes
        con.execute(
            "INSERT INTO raw_utterances (call_id, idx, text, words, written_at)"
            " SELECT call_id, idx, 'the password is marmalade', [], now() FROM utterances LIMIT 1"
        )
    out = tmp_path / "bi"
    r = CliRunner().invoke(cli_app, ["export", "snapshot", "--db", str(fx.db), "--out", str(out)])
    assert r.exit_code == 0, r.output
    files = {p.name for p in out.iterdir()}
    assert {
        "calls.parquet",
        "call_scores.parquet",
        "criterion_results.parquet",
        "final_verdicts.parquet",
        "flags.parquet",
        "overrides.parquet",
        "snapshot.json",
    } <= files
    assert not files & {"raw_utterances.parquet", "users.parquet", "web_sessions.parquet", "audit_events.parquet"}
    assert not any(p.name.startswith(".snapshot-") for p in out.iterdir())
    bi = duckdb.connect()
    with connect(fx.db, read_only=True) as con:
        for table in ("calls", "utterances", "call_scores", "criterion_results", "flags"):
            want = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            got = bi.execute(f"SELECT count(*) FROM read_parquet('{out / (table + '.parquet')}')").fetchone()[0]
            assert got == want > 0, table
    texts = " ".join(
        r[0] for r in bi.execute(f"SELECT text FROM read_parquet('{out / 'utterances.parquet'}')").fetchall()
    )
    assert "marmalade" not in texts
    # The database is free again at once: a writer can open it.
    with connect(fx.db, busy_timeout_s=1) as con:
        con.execute("SELECT 1")
    r = CliRunner().invoke(cli_app, ["export", "snapshot", "--db", str(tmp_path / "missing.duckdb"), "--out", str(out)])
    assert r.exit_code != 0 and "does not exist" in r.output
