"""Honest run states: the Prefect flow run ends Completed, Partial (a COMPLETED-type state) or Failed,
so Prefect automations can react to ``prefect.flow-run.Failed`` / ``prefect.flow-run.Partial``.

A broken file fails at decode and a stored transcript is analysed without ASR, so these run the real
flow against a real Prefect API and a real DuckDB file without transcribing anything.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from test_run import _stored_transcript


def _server_state(state) -> tuple[str, str]:
    """The flow run's final state as the Prefect API stored it: (type, name)."""
    from prefect.client.orchestration import get_client

    async def read() -> tuple[str, str]:
        async with get_client() as client:
            run = await client.read_flow_run(state.state_details.flow_run_id)
            return run.state.type.value, run.state.name

    return asyncio.run(read())


def _flow(folder: Path, db: Path):
    from flows.nightly import nightly_flow

    return nightly_flow(str(folder), str(db), settle_s=0, return_state=True)


def test_nothing_processed_ends_failed_and_partial_ends_partial(prefect_harness, tmp_path: Path) -> None:
    from flows.nightly import PARTIAL_STATE, summary_of

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.wav").write_bytes(b"RIFF not really a wave file" * 10)
    state = _flow(bad, tmp_path / "a.duckdb")
    assert _server_state(state) == ("FAILED", "Failed")
    assert summary_of(state).status == "failed" and "failed" in (state.message or "")

    db = tmp_path / "b.duckdb"
    _stored_transcript(tmp_path / "mixed", db)  # one call the run can finish without ASR …
    (tmp_path / "mixed" / "broken.wav").write_bytes(b"RIFF not really a wave file" * 10)  # … and one it cannot
    state = _flow(tmp_path / "mixed", db)
    assert _server_state(state) == ("COMPLETED", PARTIAL_STATE)
    summary = summary_of(state)
    assert (summary.status, summary.calls_done, summary.calls_failed) == ("partial", 1, 1)

    state = _flow(tmp_path / "mixed", db)  # nothing new, the broken file fails again: still partial
    assert _server_state(state) == ("COMPLETED", PARTIAL_STATE)

    ok = tmp_path / "ok"
    ok.mkdir()
    state = _flow(ok, db)
    assert _server_state(state) == ("COMPLETED", "Completed") and summary_of(state).status == "ok"


def test_the_dask_runner_is_a_run_parameter_not_an_import_time_variable(monkeypatch) -> None:
    """The deployment carries the Dask address as a parameter; nothing is read from the environment when
    the flow module is imported (a work-pool worker does not have the serving shell's variables)."""
    import importlib

    from prefect.task_runners import ThreadPoolTaskRunner

    import flows.scale
    from flows.schedule import deployment_parameters

    monkeypatch.setenv("QA_DASK_ADDRESS", "not-an-address")  # would be refused if read at import time
    scale = importlib.reload(flows.scale)
    assert isinstance(scale.nightly_dask_flow.task_runner, ThreadPoolTaskRunner)
    assert "dask" in scale.nightly_dask_flow.parameters.properties
    from flows.nightly import nightly_flow

    assert {"dask", "dask_workers"} <= set(nightly_flow.parameters.properties)
    params = deployment_parameters("/in", "/db", dask="tcp://scheduler:8786")
    assert params["dask"] == "tcp://scheduler:8786"
