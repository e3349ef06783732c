"""Scores, evidence, flags and overrides in a real DuckDB file; rescoring from stored rows."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pytest
from scorecard_dialogues import BAD_CALL, GOOD_CALL, build
from typer.testing import CliRunner

from qa_pipeline.cli import app
from qa_pipeline.devtools.synthetic import build_synthetic_db, insert_calls
from qa_pipeline.paths import scorecards_dir
from qa_pipeline.records import CallAnalysis
from qa_pipeline.rescore import rescore
from qa_pipeline.scorecard import (
    find_scorecard,
    load_flag_rules,
    load_scorecard,
    recompute_final_score,
)
from qa_pipeline.scorecard.overrides import store_analysis
from qa_pipeline.stages import score_stage
from qa_pipeline.store.bulk import read_calls_bulk, scorable_call_ids
from qa_pipeline.store.db import connect, transaction, utcnow


@pytest.fixture
def cs():
    return find_scorecard("customer_service")


@pytest.fixture
def stored(db_path, cs):
    """Two hand-built calls stored with utterances and labels, then scored and stored as the nightly run does."""
    good = build(GOOD_CALL, call_id="good")
    bad = build(BAD_CALL, call_id="bad")
    with connect(db_path) as con, transaction(con):
        insert_calls(con, [(good[0], good[1], 0.95), (bad[0], bad[1], 0.95)])
    rules = load_flag_rules()
    scored = [score_stage(CallAnalysis(None, conv, labels=tuple(labs)), [cs], rules) for conv, labs in (good, bad)]
    with connect(db_path) as con:
        for analysis in scored:  # the labels are stored already (insert_calls): write the scoring's rows
            store_analysis(con, replace(analysis, labels=()), run_id=None)
    return db_path


def _override(con, call_id, criterion_id, new, scorecard_id="customer_service", n=0):
    old = con.execute(
        "SELECT verdict FROM criterion_results WHERE call_id = ? AND scorecard_id = ? AND criterion_id = ?",
        [call_id, scorecard_id, criterion_id],
    ).fetchone()[0]
    con.execute(
        "INSERT INTO overrides VALUES (?, ?, ?, ?, ?, ?, 'test', 'reviewer', ?)",
        [f"o{n}-{call_id}-{criterion_id}", call_id, scorecard_id, criterion_id, old, new, utcnow()],
    )


def test_stage_writes_every_table(stored, cs):
    with connect(stored, read_only=True) as con:
        scores = dict(con.execute("SELECT call_id, score FROM call_scores").fetchall())
        assert scores == {"good": 100.0, "bad": 0.0}
        row = con.execute(
            "SELECT scorecard_version, auto_failed, auto_fail_reasons, passed, final_score FROM call_scores WHERE call_id = 'bad'"
        ).fetchone()
        assert row[0] == cs.version and row[1] is True and not row[3] and row[4] == 0.0
        assert row[2][0].startswith("prohibited_language: prohibited_language by the agent")
        assert con.execute("SELECT count(*) FROM scorecards WHERE scorecard_id = 'customer_service'").fetchone()[0] == 1
        n_crit = con.execute("SELECT count(*) FROM criterion_results WHERE call_id = 'good'").fetchone()[0]
        assert n_crit == cs.criteria_count
        sections = con.execute(
            "SELECT section_id, weight, max_points, score FROM section_scores WHERE call_id = 'good' ORDER BY section_id"
        ).fetchall()
        assert len(sections) == len(cs.spec.sections)
        ev = json.loads(
            con.execute(
                "SELECT evidence FROM criterion_results WHERE call_id = 'bad' AND criterion_id = 'identity_verification'"
            ).fetchone()[0]
        )
        assert {u["role"]: u["idx"] for u in ev["utterances"]} == {"late_match": 4, "marker": 2}
        assert ev["utterances"][0]["text"] == BAD_CALL[4][3]
        flags = {
            r[0]: r
            for r in con.execute(
                "SELECT rule_id, scorecard_id, severity, reason FROM flags WHERE call_id = 'bad'"
            ).fetchall()
        }
        assert set(flags) == {"auto_fail", "low_score", "escalation_requested", "customer_negative_end"}
        assert flags["auto_fail"][1] == "customer_service" and flags["escalation_requested"][1] == ""
        assert con.execute("SELECT count(*) FROM flags WHERE call_id = 'good'").fetchone()[0] == 0
        m = con.execute("SELECT agent_interruptions, metrics FROM call_metrics WHERE call_id = 'bad'").fetchone()
        assert m[0] == 1 and json.loads(m[1])["interruptions"][0]["interrupted_idx"] == 1


def test_bulk_read_round_trips_conversations(stored):
    with connect(stored, read_only=True) as con:
        assert scorable_call_ids(con) == ["bad", "good"]
        calls = {conv.call_id: (conv, labs) for conv, labs in read_calls_bulk(con, ["good", "bad"])}
    conv, labs = calls["good"]
    orig, orig_labs = build(GOOD_CALL, call_id="good")
    assert conv.queue == "support" and conv.timed  # the call's queue comes back for queue-scoped N/A conditions
    # word timings are not read back, the speech timing derived from them is (words per minute)
    assert replace(conv, queue=None) == replace(
        orig,
        utterances=tuple(
            replace(u, words=(), timed_words=len(u.words), speech_s=pytest.approx(u.speech_timing()[1]))
            for u in orig.utterances
        ),
    )
    assert [labs[i] for i in sorted(labs)] == orig_labs


def test_override_recompute_final_score_and_rescore_keeps_it(stored, cs):
    with connect(stored) as con, transaction(con):
        _override(con, "bad", "prohibited_language", "pass")  # the reviewer heard it differently
        final = recompute_final_score(con, "bad", "customer_service")
    assert final > 0
    with connect(stored, read_only=True) as con:
        score, fin = con.execute("SELECT score, final_score FROM call_scores WHERE call_id = 'bad'").fetchone()
    assert score == 0.0 and fin == pytest.approx(final)
    verdict = None
    with connect(stored, read_only=True) as con:
        verdict = con.execute(
            "SELECT verdict FROM criterion_results WHERE call_id = 'bad' AND criterion_id = 'prohibited_language'"
        ).fetchone()[0]
    assert verdict == "fail"  # the automatic verdict is kept

    summary = rescore(stored, "customer_service")
    assert summary.calls == 2 and summary.changed == 0 and summary.overrides_applied == 1
    with connect(stored, read_only=True) as con:
        assert con.execute("SELECT final_score FROM call_scores WHERE call_id = 'bad'").fetchone()[0] == pytest.approx(
            final
        )


def test_final_score_follows_the_scoring_rule(stored):
    with connect(stored) as con, transaction(con):
        assert recompute_final_score(con, "good", "customer_service") == 100.0  # no override: the automatic score
        _override(con, "good", "empathy", "fail")
        # communication (weight 25 of 100) drops to 18/23 of its points; every other section stays at 100
        assert recompute_final_score(con, "good", "customer_service") == pytest.approx(75 + 25 * 18 / 23, abs=1e-3)
        _override(con, "good", "empathy", "na", n=1)  # the newest override counts: N/A leaves the criterion out
        assert recompute_final_score(con, "good", "customer_service") == 100.0
        _override(con, "good", "prohibited_language", "fail")  # an auto-fail item failed by a reviewer
        assert recompute_final_score(con, "good", "customer_service") == 0.0
        score = con.execute("SELECT score FROM call_scores WHERE call_id = 'good'").fetchone()[0]
    assert score == 100.0


def test_rescore_with_a_changed_scorecard_records_the_new_version(stored, cs, tmp_path):
    changed = (
        (scorecards_dir() / "customer_service.yaml")
        .read_text()
        .replace("within_first_s: 60\n        points: 10", "within_first_s: 60\n        points: 20")
    )
    path = tmp_path / "customer_service.yaml"
    path.write_text(changed)
    card = load_scorecard(path)
    assert card.version != cs.version
    with connect(stored) as con, transaction(con):
        _override(con, "good", "greeting", "fail")
        _override(con, "good", "greeting", "na", n=1)  # the newest override wins
        # a flag of another scorecard must survive
        con.execute("INSERT INTO flags VALUES ('good', 'low_score', 'sales', 'x', 'low', ?)", [utcnow()])
    summary = rescore(stored, scorecard=card)
    assert summary.version == card.version and summary.previous_versions == (cs.version,)
    assert summary.changed == 0  # bad still auto-fails; good still 100
    with connect(stored, read_only=True) as con:
        assert con.execute("SELECT DISTINCT scorecard_version FROM call_scores").fetchall() == [(card.version,)]
        assert con.execute("SELECT DISTINCT scorecard_version FROM criterion_results").fetchall() == [(card.version,)]
        versions = {
            r[0]
            for r in con.execute("SELECT version FROM scorecards WHERE scorecard_id = 'customer_service'").fetchall()
        }
        assert versions == {cs.version, card.version}
        assert con.execute("SELECT source FROM scorecards WHERE version = ?", [card.version]).fetchone()[0] == changed
        max_points = con.execute(
            "SELECT max_points FROM criterion_results WHERE call_id = 'good' AND criterion_id = 'recording_disclosure'"
        ).fetchone()[0]
        assert max_points == 20
        assert con.execute("SELECT count(*) FROM flags WHERE scorecard_id = 'sales'").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM flags WHERE call_id = 'bad'").fetchone()[0] == 4
        # good: greeting overridden to N/A -> still 100
        assert con.execute("SELECT final_score FROM call_scores WHERE call_id = 'good'").fetchone()[0] == 100.0


def test_rescore_many_calls_matches_direct_scoring(db_path, cs):
    build_synthetic_db(db_path, 300, seed=3)
    summary = rescore(db_path, "customer_service", chunk_size=64)
    assert summary.calls == 300 and summary.changed == 300
    with connect(db_path, read_only=True) as con:
        stored_scores = dict(con.execute("SELECT call_id, score FROM call_scores").fetchall())
        calls = read_calls_bulk(con, scorable_call_ids(con))
        n_results = con.execute("SELECT count(*) FROM criterion_results").fetchone()[0]
    assert n_results == 300 * cs.criteria_count
    rules = load_flag_rules()
    for conv, labs in calls[:60]:
        analysis = score_stage(CallAnalysis(None, conv, labels=tuple(labs.values())), [cs], rules)
        assert analysis.scores[0].score == stored_scores[conv.call_id]
    again = rescore(db_path, "customer_service", chunk_size=1000)
    assert again.changed == 0 and again.calls == 300


def test_rescore_cli_and_missing_db(stored, tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["rescore", "--db", str(stored), "--scorecard", "customer_service"])
    assert res.exit_code == 0, res.output
    assert "rescored 2 call(s) with customer_service@" in res.output and "calls/s" in res.output
    missing = runner.invoke(app, ["rescore", "--db", str(tmp_path / "none.duckdb"), "--scorecard", "customer_service"])
    assert missing.exit_code == 4 and "does not exist" in missing.output
    unknown = runner.invoke(app, ["rescore", "--db", str(stored), "--scorecard", "nope"])
    assert unknown.exit_code == 5 and "no scorecard with id 'nope'" in unknown.output


def test_bench_rescore_prints_throughput():
    res = CliRunner().invoke(app, ["bench", "rescore", "--calls", "150", "--min-seconds", "0.5"])
    assert res.exit_code == 0, res.output
    assert "RESULT rescore: 150 calls, " in res.output and "calls/s (" in res.output and " run" in res.output
    assert "load average before" in res.output and "kB per call" in res.output


def test_other_scorecard_files_score_stored_calls(stored, tmp_path):
    shutil.copy(scorecards_dir() / "sales.yaml", tmp_path / "sales.yaml")
    assert rescore(stored, "sales", scorecards_directory=tmp_path).not_applicable == 2  # support calls: not sales
    with connect(stored) as con:
        con.execute("UPDATE calls SET queue = 'sales-uk', direction = 'outbound'")
    summary = rescore(stored, "sales", scorecards_directory=tmp_path)
    assert summary.calls == 2
    with connect(stored, read_only=True) as con:
        ids = {r[0] for r in con.execute("SELECT DISTINCT scorecard_id FROM call_scores").fetchall()}
    assert ids == {"customer_service", "sales"}


def test_per_call_writes_register_the_version_and_keep_overrides(db_path, cs):
    from qa_pipeline.scorecard import compute_metrics, evaluate_flags, score_call
    from qa_pipeline.scorecard.overrides import write_score
    from qa_pipeline.store.flags import write_flags
    from qa_pipeline.store.metrics import write_metrics

    conv, labs = build(BAD_CALL, call_id="bad")
    metrics = compute_metrics(conv, labs)
    result = score_call(conv, labs, metrics, cs)
    flags = evaluate_flags(conv, labs, metrics, [result])
    with connect(db_path) as con, transaction(con):
        insert_calls(con, [(conv, labs, 0.9)])
        write_metrics(con, "bad", metrics)
        assert write_score(con, "bad", result) == 0.0
        write_flags(con, "bad", flags)
    with connect(db_path) as con, transaction(con):
        assert con.execute("SELECT version FROM scorecards").fetchall() == [(cs.version,)]
        _override(con, "bad", "prohibited_language", "na")
        final = recompute_final_score(con, "bad", "customer_service")
        # the nightly run analyses the call again: same rows, the override survives
        write_metrics(con, "bad", metrics)
        assert write_score(con, "bad", result) == pytest.approx(final) and final > 0
        write_flags(con, "bad", flags[:1])
        assert con.execute("SELECT count(*) FROM call_scores").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM call_metrics").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM flags").fetchone()[0] == 1
        with pytest.raises(ValueError):
            write_score(con, "other", result)


def test_rescore_rewrites_call_metrics_from_the_stored_labels(stored):
    """After a re-classification changes sentiments, rescore brings call_metrics up to date."""
    with connect(stored, read_only=True) as con:
        before = con.execute("SELECT customer_sentiment_end FROM call_metrics WHERE call_id = 'bad'").fetchone()[0]
    assert before is not None and before < 0
    with connect(stored) as con, transaction(con):
        con.execute(
            "UPDATE utterance_labels SET sentiment = 'positive', sentiment_score = 0.9 "
            "WHERE call_id = 'bad' AND idx IN (SELECT idx FROM utterances WHERE call_id = 'bad' AND speaker = 'customer')"
        )
    rescore(stored, "customer_service")
    with connect(stored, read_only=True) as con:
        after, computed = con.execute(
            "SELECT customer_sentiment_end, metrics->>'customer_sentiment_end' FROM call_metrics WHERE call_id = 'bad'"
        ).fetchone()
        rows = con.execute("SELECT count(*) FROM call_metrics").fetchone()[0]
    assert after > 0 and float(computed) == after
    assert rows == 2
