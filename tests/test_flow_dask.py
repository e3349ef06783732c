"""The nightly flow with its stages on a local Dask cluster of two worker processes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from flow_audio import espeak_available, render_calls

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not espeak_available(), reason="espeak-ng renders the test calls")]


def _worker_report() -> dict:
    import os as _os
    import sys as _sys

    runtime = _sys.modules.get("qa_pipeline.runtime")
    info = runtime._load_runtime_transcriber.cache_info() if runtime else None
    classify = _sys.modules.get("qa_pipeline.classify.classifier")
    return {
        "pid": _os.getpid(),
        "transcriber_loads": info.misses if info else 0,
        "transcriber_calls": (info.hits + info.misses) if info else 0,
        "classifier_loaded": classify is not None,
    }


def test_flow_runs_its_stages_on_two_dask_workers(prefect_harness, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from flows.nightly import run_nightly
    from qa_pipeline import runtime as runtime_module

    calls = render_calls(tmp_path / "spoken")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, path in calls.items():
        shutil.copy(path, inbox / f"{name}.wav")
    db = tmp_path / "qa.duckdb"
    local_loads = runtime_module._load_runtime_transcriber.cache_info().misses

    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = run_nightly(inbox, db, dask=cluster.scheduler_address, settle_s=0)
        reports = list(client.run(_worker_report).values())

    assert summary.status == "ok", summary
    assert summary.calls_done == 3
    # both worker processes transcribed, each with its own model; the flow process transcribed nothing
    assert len(reports) == 2 and all(r["pid"] != os.getpid() for r in reports)
    assert all(r["transcriber_loads"] == 1 and r["transcriber_calls"] >= 1 for r in reports), reports
    assert sum(r["transcriber_calls"] for r in reports) == 3
    assert all(r["classifier_loaded"] for r in reports)
    assert runtime_module._load_runtime_transcriber.cache_info().misses == local_loads

    con = duckdb.connect(str(db), read_only=True)
    try:
        statuses = [r[0] for r in con.execute("SELECT status FROM calls").fetchall()]
        labelled = con.execute("SELECT count(DISTINCT call_id) FROM utterance_labels").fetchone()[0]
        scored = con.execute("SELECT count(DISTINCT call_id) FROM call_scores").fetchone()[0]
    finally:
        con.close()
    assert statuses == ["complete"] * 3
    assert labelled == 3 and scored == 3


def test_deployment_flow_starts_its_own_local_cluster(prefect_harness, tmp_path: Path) -> None:
    """``flows.scale.nightly_dask_flow`` (what ``schedule --dask`` serves) with no address: prefect-dask starts
    and stops a LocalCluster of two worker processes itself."""
    pytest.importorskip("prefect_dask")
    from flows.scale import nightly_dask_flow

    calls = render_calls(tmp_path / "spoken", ["call_b"])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(calls["call_b"], inbox / "call_b.wav")
    db = tmp_path / "qa.duckdb"
    summary = nightly_dask_flow(str(inbox), str(db), settle_s=0)
    assert summary.status == "ok" and summary.calls_done == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT status FROM calls").fetchall() == [("complete",)]
    finally:
        con.close()
