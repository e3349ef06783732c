"""KPI roll-ups stay equal to a rebuild from scratch through every writer: the run (transcript files through
the real pipeline), a later call that changes an earlier call's FCR, a corrected manifest, a reviewer's
override and a rescore.  Real DuckDB file, real classifier and scorecards; no audio (transcript files)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from qa_pipeline.kpi.rollup import rebuild
from qa_pipeline.kpi.summary import criterion_impact, kpi_summary, mean_ci, score_summary, wilson_ci
from qa_pipeline.rescore import rescore
from qa_pipeline.review.actions import override_verdict
from qa_pipeline.run import run
from qa_pipeline.store.db import connect, transaction

TURNS = [
    {
        "speaker": "agent",
        "text": "Good morning, thank you for calling, my name is Ana, how can I help?",
        "start_s": 0.5,
        "end_s": 4.0,
    },
    {
        "speaker": "customer",
        "text": "My internet has been down since yesterday and I am really annoyed.",
        "start_s": 4.5,
        "end_s": 8.0,
    },
    {
        "speaker": "agent",
        "text": "I am sorry about that, I understand how frustrating it is. Let me check the line.",
        "start_s": 8.5,
        "end_s": 13.0,
    },
    {"speaker": "customer", "text": "Okay, thanks.", "start_s": 13.5, "end_s": 14.5},
    {
        "speaker": "agent",
        "text": "I have reset the connection from here, it should work now. Anything else?",
        "start_s": 30.0,
        "end_s": 35.0,
    },
    {"speaker": "customer", "text": "No, that's all, thank you.", "start_s": 35.5, "end_s": 37.0},
]
ESCALATE = {
    "speaker": "customer",
    "text": "This is not good enough, I want to speak to a supervisor right now.",
    "start_s": 15.0,
    "end_s": 19.0,
}
TABLES = ("kpi_daily", "score_daily", "criterion_daily")


def _transcript(folder: Path, name: str, *, turns: list[dict] | None = None, **meta: object) -> None:
    doc = {"turns": turns or TURNS, **meta}
    (folder / f"{name}.transcript.json").write_text(json.dumps(doc), encoding="utf-8")


def _rollups(db: Path) -> dict[str, list[tuple]]:
    with connect(db, read_only=True) as con:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def _assert_consistent(db: Path) -> None:
    """The incrementally kept roll-ups equal a rebuild from the stored calls (floating sums to 6 decimals)."""
    kept = _rollups(db)
    with connect(db) as con, transaction(con):
        rebuild(con)
    fresh = _rollups(db)
    for table in TABLES:
        assert len(kept[table]) == len(fresh[table]), table
        for a, b in zip(kept[table], fresh[table]):
            assert [round(x, 6) if isinstance(x, float) else x for x in a] == [
                round(x, 6) if isinstance(x, float) else x for x in b
            ], table


def _by_agent(db: Path) -> dict[str, dict]:
    with connect(db, read_only=True) as con:
        return {r["agent_id"]: r for r in kpi_summary(con, "agent")}


def test_rollups_follow_every_writer_and_a_later_call_changes_fcr(tmp_path: Path) -> None:
    inbox, db = tmp_path / "in", tmp_path / "qa.duckdb"
    inbox.mkdir()
    _transcript(
        inbox,
        "first",
        agent_id="A1",
        team="Red",
        customer_ref="C-1",
        started_at="2026-03-02T09:00:00",
        csat=2,
        nps=3,
        wrap_s=20,
    )
    _transcript(
        inbox,
        "other",
        agent_id="A2",
        team="Blue",
        customer_ref="C-2",
        started_at="2026-03-02T10:00:00",
        csat=5,
        nps=10,
        transferred="yes",
        hold_s=30,
    )
    assert run(inbox, db, settle_s=0).summary.calls_done == 2
    _assert_consistent(db)
    a1 = _by_agent(db)["A1"]
    assert (a1["calls"], a1["fcr_rate"], a1["csat"], a1["nps"]) == (1, 1.0, 2.0, -100.0)
    a2 = _by_agent(db)["A2"]
    assert a2["escalation_rate"] == 1.0 and a2["hold_s"] == 30.0  # transferred; the phone system's hold time

    # the same customer calls again two days later (an escalation): the first call is no longer resolved
    _transcript(
        inbox,
        "repeat",
        turns=[*TURNS[:4], ESCALATE],
        agent_id="A2",
        team="Blue",
        customer_ref="C-1",
        started_at="2026-03-04T09:00:00",
        csat=1,
    )
    assert run(inbox, db, settle_s=0).summary.calls_done == 1
    _assert_consistent(db)
    with connect(db, read_only=True) as con:
        nxt = dict(con.execute("SELECT agent_id, next_contact_s FROM calls WHERE customer_ref = 'C-1'").fetchall())
    assert nxt == {"A1": 2 * 86400.0, "A2": None}
    by_agent = _by_agent(db)
    assert by_agent["A1"]["fcr_rate"] == 0.0
    assert by_agent["A2"]["calls"] == 2 and by_agent["A2"]["fcr_rate"] == 1.0  # the repeat itself: no repeat yet
    assert by_agent["A2"]["escalation_rate"] == 1.0  # one transferred, one asked for a supervisor
    with connect(db, read_only=True) as con:
        by_team = {r["team"]: r for r in kpi_summary(con, "team")}
        assert by_team["Blue"]["csat"] == 3.0 and by_team["Red"]["calls"] == 1
        by_day = kpi_summary(con, "day", since=date(2026, 3, 3))
        assert [(r["day"], r["calls"]) for r in by_day] == [(date(2026, 3, 4), 1)]
        (week,) = kpi_summary(con, "week")
        assert week["week"] == date(2026, 3, 2) and week["calls"] == 3
        assert {r["agent_id"] for r in score_summary(con, "agent")} == {"A1", "A2"}

    # a corrected manifest the next night: the repeat was another customer after all -> the first call resolves
    # and another agent took it: A2's group of that day empties and is dropped (row counts equal a rebuild)
    (inbox / "manifest.csv").write_text(
        "file,customer_ref,csat,agent_id\nrepeat.transcript.json,C-3,4,A3\n", encoding="utf-8"
    )
    run(inbox, db, settle_s=0)
    _assert_consistent(db)
    by_agent = _by_agent(db)
    assert by_agent["A1"]["fcr_rate"] == 1.0
    assert by_agent["A2"]["calls"] == 1 and by_agent["A3"]["calls"] == 1 and by_agent["A3"]["csat"] == 4.0

    # a reviewer's override and a rescore keep criterion_daily / score_daily current
    with connect(db, read_only=True) as con:
        call_id, card, crit, verdict = con.execute(
            "SELECT call_id, scorecard_id, criterion_id, verdict FROM criterion_results WHERE verdict IN ('pass', 'fail')"
            " ORDER BY call_id, criterion_id LIMIT 1"
        ).fetchone()
    with connect(db) as con:
        override_verdict(
            con,
            call_id=call_id,
            scorecard_id=card,
            criterion_id=crit,
            new_verdict="fail" if verdict == "pass" else "pass",
            reason="test",
            username="qa",
        )
    _assert_consistent(db)
    rescore(db, card)
    _assert_consistent(db)
    with connect(db, read_only=True) as con:
        impact = criterion_impact(con, scorecard_id=card)
    assert impact and all(r["pass_calls"] + r["fail_calls"] >= 1 for r in impact)


def test_confidence_intervals() -> None:
    mean, lo, hi = mean_ci(4 + 5 + 3 + 4, 16 + 25 + 9 + 16, 4)
    assert mean == 4.0 and lo < 4.0 < hi and hi - 4.0 == pytest.approx(1.96 * (2 / 3) ** 0.5 / 2)
    p, lo, hi = wilson_ci(0, 10)
    assert p == 0.0 and lo == pytest.approx(0.0, abs=1e-12) and 0.27 < hi < 0.28  # Wilson, not a zero-width interval
    assert mean_ci(0, 0, 0) == (None, None, None) and mean_ci(5, 25, 1) == (5.0, None, None)
