"""KPIs on real sample calls through the real pipeline (Whisper, attribution, redaction, classifier, scorecards):
a manifest carrying team, csat, nps, wrap time, a transfer, one bad csat and a repeat contact; then the
``kpi`` command's CSV, Parquet and impact table."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from qa_pipeline.paths import samples_dir
from qa_pipeline.run import run
from qa_pipeline.store.db import connect

BIN = Path(sys.executable).parent / "qa-pipeline"
CALLS = ("sc02_rude_agent_angry_customer.flac", "sc09_house_move_no_checks.flac", "sc08_roaming_escalation.flac")
MANIFEST = """file,agent_id,queue,started_at,customer_ref,team,csat,nps,wrap_s,transferred
sc02_rude_agent_angry_customer.flac,A-1004,tech_support,2026-03-02T11:02:40Z,C-1,Red,1,2,30,no
sc09_house_move_no_checks.flac,A-1004,account_changes,2026-03-05T15:36:48Z,C-2,Red,4,9,20,no
sc08_roaming_escalation.flac,A-1002,billing,2026-03-05T08:51:14Z,C-1,Blue,seven,10,,yes
"""


def _cli(*args: str) -> str:
    done = subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kpis_on_the_sample_calls(tmp_path: Path) -> None:
    inbox, db = tmp_path / "in", tmp_path / "qa.duckdb"
    inbox.mkdir()
    for name in CALLS:
        shutil.copy(samples_dir() / "calls" / name, inbox / name)
    (inbox / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    summary = run(inbox, db, settle_s=0).summary
    assert (summary.calls_done, summary.calls_failed) == (3, 0)  # the bad csat never fails the call

    with connect(db, read_only=True) as con:
        calls = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT source_path, team, csat, nps, wrap_s, transferred, next_contact_s FROM calls"
            ).fetchall()
        }
        failures = con.execute("SELECT stage, reason FROM failures").fetchall()
    by_name = {Path(p).name: v for p, v in calls.items()}
    assert by_name["sc02_rude_agent_angry_customer.flac"][:5] == ("Red", 1.0, 2.0, 30.0, False)
    assert by_name["sc08_roaming_escalation.flac"][:5] == ("Blue", None, 10.0, None, True)  # csat left empty
    # the same customer (C-1) called again 2 days 21 h later: sc02 was not resolved at first contact
    assert by_name["sc02_rude_agent_angry_customer.flac"][5] == 2 * 86400 + 21 * 3600 + 48 * 60 + 34
    (failure,) = failures
    assert failure[0] == "manifest" and "line 4" in failure[1] and "'csat'" in failure[1] and "'seven'" in failure[1]

    rows = list(csv.DictReader(io.StringIO(_cli("kpi", "--db", str(db), "--by", "agent", "--format", "csv"))))
    assert [r["agent_id"] for r in rows] == ["A-1002", "A-1004"]
    need = {
        "agent_id",
        "calls",
        "aht_s",
        "first_response_s",
        "hold_s",
        "escalation_rate",
        "fcr_rate",
        "csat",
        "qa_score",
    }
    assert need <= set(rows[0])
    a1004, a1002 = rows[1], rows[0]
    assert a1004["calls"] == "2" and float(a1004["fcr_rate"]) == 0.5 and float(a1004["csat"]) == 2.5
    assert float(a1002["escalation_rate"]) == 1.0 and a1002["csat"] == ""  # transferred; no valid csat
    assert float(a1004["aht_s"]) > 50 and 0 <= float(a1004["qa_score"]) <= 100
    assert float(a1004["first_response_s"]) >= 0

    teams = list(csv.DictReader(io.StringIO(_cli("kpi", "--db", str(db), "--by", "team", "--format", "csv"))))
    assert {r["team"]: r["calls"] for r in teams} == {"Blue": "1", "Red": "2"}
    out = tmp_path / "kpi.parquet"
    _cli("kpi", "--db", str(db), "--by", "queue", "--format", "parquet", "--out", str(out))
    assert duckdb.sql(f"SELECT count(*) FROM '{out}'").fetchall() == [(3,)]
    impact = list(csv.DictReader(io.StringIO(_cli("kpi", "--db", str(db), "--impact", "--format", "csv"))))
    assert impact and {"criterion_id", "pass_calls", "fail_calls", "csat_pass", "csat_pass_lo", "fcr_fail"} <= set(
        impact[0]
    )
    assert "A-1004" in _cli("kpi", "--db", str(db))  # the default text table
    per_call = list(csv.DictReader(io.StringIO(_cli("kpi", "--db", str(db), "--by", "call", "--format", "csv"))))
    assert len(per_call) == 3 and {r["fcr"] for r in per_call} == {"false", "true"}
    sc08 = next(r for r in per_call if r["agent_id"] == "A-1002")
    assert sc08["escalated"] == "true" and sc08["csat"] == "" and float(sc08["aht_s"]) > 60
