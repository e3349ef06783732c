"""``schedule`` deploys the nightly flow with the same parameters ``run`` uses for the same settings and
flags (column mapping, redaction with ``keep_raw``, scorecards folder, ASR and stereo options), and the
flow accepts them back: the options it validates score with the configured scorecards folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from scorecard_dialogues import GOOD_CALL, build

from qa_pipeline.attribute import AttributionOptions
from qa_pipeline.paths import scorecards_dir
from qa_pipeline.pipeline import PipelineOptions
from qa_pipeline.records import CallAnalysis
from qa_pipeline.redact.types import RedactionOptions
from qa_pipeline.stages import spine

SETTINGS = """\
db = "night.duckdb"
scorecards = "{cards}"
[asr]
model = "base"
beam_size = 3
[redaction]
keep_raw = true
types = ["CARD", "EMAIL"]
[manifest.columns]
agent = "agent_id"
"""


def _cli(cwd: Path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_PIPELINE_")}
    res = subprocess.run(
        [sys.executable, "-c", "from qa_pipeline.cli import main; main()", "--config", "site.toml", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _site(tmp_path: Path) -> Path:
    cards = tmp_path / "cards"
    cards.mkdir()
    shutil.copy(scorecards_dir() / "customer_service.yaml", cards)  # one card only, no flag rules
    (tmp_path / "site.toml").write_text(SETTINGS.format(cards=cards), encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    return cards


def test_schedule_parameters_equal_run_parameters(tmp_path):
    cards = _site(tmp_path)
    flags = ["--agent-channel", "1", "--no-redact", "--max-duration", "2", "--settle", "0"]
    run = _cli(tmp_path, "run", "inbox", *flags, "--print-parameters")
    scheduled = _cli(tmp_path, "schedule", "--cron", "0 2 * * *", "--input", "inbox", *flags, "--print-parameters")
    assert scheduled == run
    options = scheduled["options"]
    assert scheduled["db"] == str(tmp_path / "night.duckdb") and scheduled["input_dir"] == str(tmp_path / "inbox")
    assert options["redaction"] == {"enabled": True, "keep_raw": True, "types": ["CARD", "EMAIL"]}
    assert options["manifest_columns"] == [["agent", "agent_id"]]
    assert options["scorecards"] == str(cards)
    assert (options["model"], options["transcribe"]["beam_size"]) == ("base", 3)
    assert (options["attribution"]["agent_channel"], options["redact"], options["max_duration_s"]) == (1, False, 7200)
    assert scheduled["settle_s"] == 0


def test_the_scorecards_flag_wins_over_the_settings_file_in_run_and_schedule(tmp_path):
    _site(tmp_path)
    team = tmp_path / "team-cards"
    team.mkdir()
    shutil.copy(scorecards_dir() / "customer_service.yaml", team)
    flags = ["--scorecards", str(team), "--settle", "0"]
    run = _cli(tmp_path, "run", "inbox", *flags, "--print-parameters")
    scheduled = _cli(tmp_path, "schedule", "--cron", "0 2 * * *", "--input", "inbox", *flags, "--print-parameters")
    assert run["options"]["scorecards"] == scheduled["options"]["scorecards"] == str(team)


def test_the_flow_accepts_the_parameters_and_scores_with_the_configured_cards(tmp_path):
    from flows.nightly import nightly_flow

    cards = _site(tmp_path)
    params = _cli(tmp_path, "schedule", "--cron", "0 2 * * *", "--input", "inbox", "--print-parameters")
    validated = nightly_flow.validate_parameters(params)
    options = validated["options"]
    assert isinstance(options, PipelineOptions)
    assert options.redaction == RedactionOptions(types=frozenset({"CARD", "EMAIL"}), keep_raw=True)
    assert options.manifest_columns == (("agent", "agent_id"),)
    assert options.attribution == AttributionOptions(agent_channel=None)
    assert options.scorecards == str(cards)
    conv, labs = build(GOOD_CALL, call_id="c1")
    scored = spine(options).stage("score").run(CallAnalysis(None, conv, labels=tuple(labs)))
    assert [s.scorecard_id for s in scored.scores] == ["customer_service"]  # not the bundled folder's three


CHAT_ONLY = """\
id: chat_only
title: Chat only
sections:
  - id: s
    weight: 1
    criteria:
      - id: greeting
        kind: label_present
        label: greeting
        points: 1
"""


def test_a_night_run_with_the_deployment_parameters_uses_them(tmp_path):
    """The real flow, run with the parameters ``schedule`` stores: the configured scorecards folder scores
    the call (not the bundled one) and ``keep_raw`` from the settings file keeps the raw transcript."""
    from flows.nightly import nightly_flow, run_nightly
    from qa_pipeline.paths import samples_dir
    from qa_pipeline.store.db import connect

    cards = _site(tmp_path)
    (cards / "customer_service.yaml").unlink()
    (cards / "chat_only.yaml").write_text(CHAT_ONLY, encoding="utf-8")
    shutil.copy(samples_dir() / "transcripts" / "chat-card-replacement.transcript.json", tmp_path / "inbox")
    params = _cli(
        tmp_path, "schedule", "--cron", "0 2 * * *", "--input", "inbox", "--settle", "0", "--print-parameters"
    )
    p = nightly_flow.validate_parameters(params)
    summary = run_nightly(p["input_dir"], p["db"], options=p["options"], runtime=p["runtime"], settle_s=p["settle_s"])
    assert summary.status == "ok", summary.as_text()
    with connect(p["db"], read_only=True) as con:
        scored = [r[0] for r in con.execute("SELECT scorecard_id FROM call_scores").fetchall()]
        raw = con.execute("SELECT count(*) FROM raw_utterances").fetchone()[0]
    assert scored == ["chat_only"]
    assert raw > 0  # keep_raw = true in the settings file reached the run
