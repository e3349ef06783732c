"""A night cannot be stopped or corrupted by its configuration or its database: broken scorecards stop
the run before any audio is read; a full disk stops it at once; corrupt or foreign database files are
refused untouched; the run lock follows the database's real path.  Real Prefect flow, real DuckDB file."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from qa_pipeline.paths import project_root, samples_dir


def _home_with(tmp_path: Path, extra_card: str | None = None) -> Path:
    """A QA_PIPELINE_HOME with the project's models and samples and a copy of its scorecards."""
    home = tmp_path / "home"
    home.mkdir()
    for name in ("models", "samples"):
        (home / name).symlink_to(project_root() / name)
    shutil.copytree(project_root() / "scorecards", home / "scorecards")
    if extra_card is not None:
        (home / "scorecards" / "broken.yaml").write_text(extra_card, encoding="utf-8")
    return home


def _inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(samples_dir() / "calls" / "sc07_mono_tv_box.wav", inbox / "call.wav")
    return inbox


BROKEN_CARD = """\
id: broken
name: Broken
version: "1"
sections:
  - id: s
    name: S
    weight: 1
    criteria:
      - id: c
        name: C
        type: label_presnt
        label: greeting
"""


def test_a_broken_scorecard_stops_the_run_before_any_audio(prefect_harness, tmp_path: Path, monkeypatch) -> None:
    from flows.nightly import run_nightly
    from qa_pipeline.errors import ConfigError

    monkeypatch.setenv("QA_PIPELINE_HOME", str(_home_with(tmp_path, BROKEN_CARD)))
    db = tmp_path / "qa.duckdb"
    t = time.perf_counter()
    with pytest.raises(ConfigError) as caught:
        run_nightly(_inbox(tmp_path), db, settle_s=0)
    elapsed = time.perf_counter() - t
    message = str(caught.value)
    assert "broken.yaml" in message and "nothing was read or transcribed" in message
    assert "qa-pipeline scorecard validate" in message
    assert not db.exists()  # stopped before the database (or any recording) was opened
    assert elapsed < 60  # no call was transcribed (Whisper on the sample call alone takes longer here)


def test_broken_flag_rules_stop_the_run_too(prefect_harness, tmp_path: Path, monkeypatch) -> None:
    from flows.nightly import run_nightly
    from qa_pipeline.errors import ConfigError

    home = _home_with(tmp_path)
    (home / "scorecards" / "flags.yaml").write_text("rules:\n  - id: x\n    kind: nonsense\n", encoding="utf-8")
    monkeypatch.setenv("QA_PIPELINE_HOME", str(home))
    with pytest.raises(ConfigError, match="flags.yaml"):
        run_nightly(_inbox(tmp_path), tmp_path / "qa.duckdb", settle_s=0)
    assert not (tmp_path / "qa.duckdb").exists()
