"""One settings file: file, then QA_PIPELINE_* environment, then flags; --version; enums; --db everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from qa_pipeline.cli import app
from qa_pipeline.cli.docs import iter_commands


@pytest.fixture()
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    for name in ("QA_PIPELINE_CONFIG", "QA_PIPELINE_DB", "QA_PIPELINE_ASR__MODEL", "QA_PIPELINE_SCORECARDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no ./qa-pipeline.toml here
    return CliRunner()


def _config(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("qa-pipeline 0.")


def test_config_show_names_where_each_setting_came_from(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    cfg = _config(
        tmp_path,
        'db = "night.duckdb"\n[asr]\nmodel = "base"\n[redaction]\nkeep_raw = true\n'
        '[server]\nforwarded_allow_ips = "10.0.0.5"\n[manifest.columns]\nagent = "agent_id"\n',
    )
    monkeypatch.setenv("QA_PIPELINE_ASR__MODEL", "tiny.en")
    out = runner.invoke(app, ["--config", str(cfg), "config", "show"])
    assert out.exit_code == 0, out.output
    lines = {line.split()[0]: line for line in out.output.splitlines()[1:]}
    assert "night.duckdb" in lines["db"] and f"file {cfg}" in lines["db"]
    assert "tiny.en" in lines["asr.model"] and "env QA_PIPELINE_ASR__MODEL" in lines["asr.model"]  # env beats file
    assert "True" in lines["redaction.keep_raw"] and "file" in lines["redaction.keep_raw"]
    assert "10.0.0.5" in lines["server.forwarded_allow_ips"]
    assert lines["asr.backend"].rstrip().endswith("default")
    # ./qa-pipeline.toml is found without --config; QA_PIPELINE_CONFIG too
    _config(tmp_path, 'db = "here.duckdb"\n', "qa-pipeline.toml")
    assert "here.duckdb" in runner.invoke(app, ["config", "show"]).output
    monkeypatch.setenv("QA_PIPELINE_CONFIG", str(cfg))
    assert "night.duckdb" in runner.invoke(app, ["config", "show"]).output


def test_bad_settings_are_one_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    cfg = _config(tmp_path, '[asr]\nmodle = "base"\n[server]\nport = "http"\n')
    out = runner.invoke(app, ["--config", str(cfg), "config", "show"])
    assert out.exit_code != 0
    assert f"{cfg}: [asr -> modle] Extra inputs are not permitted" in out.output
    assert "[server -> port]" in out.output
    bad = _config(tmp_path, '[manifest.columns]\nagent = "agent_number"\n', "b.toml")
    assert "map to no manifest field" in runner.invoke(app, ["--config", str(bad), "config", "show"]).output
    assert "does not exist" in runner.invoke(app, ["--config", str(tmp_path / "nope.toml"), "config", "show"]).output


def test_db_works_the_same_in_every_command(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    """No command requires --db any more (serve and schedule did); the settings file's db is every default."""
    from qa_pipeline.cli.app import command_defaults
    from qa_pipeline.settings import load_settings

    for path, cmd in iter_commands(app_click()):
        for p in cmd.params:
            if p.name == "db":
                assert not p.required, f"{' '.join(path)} --db is required"
    cfg = _config(tmp_path, 'db = "from-settings.duckdb"\n')
    defaults = command_defaults(app_click(), load_settings(cfg).settings)
    for path in (
        ("serve",),
        ("schedule",),
        ("run",),
        ("reclassify",),
        ("rescore",),
        ("export", "snapshot"),
        ("users", "add"),
    ):
        node = defaults
        for part in path:
            node = node[part]
        assert node["db"] == "from-settings.duckdb", path
    assert "db" not in defaults["scorecard"].get("list", {})  # optional there: only when asked
    # through the real command: file, then environment, then the flag
    out = runner.invoke(app, ["--config", str(cfg), "reclassify"])
    assert "from-settings.duckdb does not exist" in out.output
    monkeypatch.setenv("QA_PIPELINE_DB", str(tmp_path / "from-env.duckdb"))
    assert "from-env.duckdb does not exist" in runner.invoke(app, ["--config", str(cfg), "reclassify"]).output
    out = runner.invoke(app, ["--config", str(cfg), "reclassify", "--db", "flag.duckdb"])
    assert "flag.duckdb does not exist" in out.output


def app_click():
    import typer.main

    return typer.main.get_command(app)


def _flat(text: str) -> str:
    return "".join(text.replace("│", " ").split())


def test_fixed_choices_are_enums(runner: CliRunner) -> None:
    out = runner.invoke(app, ["run", "--backend", "whisper-cpp", "--db", "x.duckdb"])
    assert out.exit_code == 2 and "'faster-whisper','openai-whisper'" in _flat(out.output)
    out = runner.invoke(app, ["schedule", "--cron", "0 2 * * *", "--input", ".", "--model", "large"])
    assert out.exit_code == 2 and "'tiny.en','base'" in _flat(out.output)
    out = runner.invoke(app, ["export", "agent", "A1", "--since", "2026-01-01", "--format", "xlsx"])
    assert out.exit_code == 2 and "'csv','parquet'" in _flat(out.output)
    help_text = runner.invoke(app, ["--help"]).output
    assert "--install-completion" in help_text and "--version" in help_text and "--config" in help_text


def test_settings_reach_run_manifest_columns(runner: CliRunner, tmp_path: Path, prefect_harness) -> None:
    """The settings file's column mapping reaches the real run: a mapped 'Recording' column names the file."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "manifest.csv").write_text("Recording,agent\nmissing.wav,A1\n", encoding="utf-8")
    cfg = _config(
        tmp_path, f'db = "{tmp_path / "m.duckdb"}"\n[manifest.columns]\nRecording = "file"\nagent = "agent_id"\n'
    )
    out = runner.invoke(app, ["--config", str(cfg), "run", str(folder), "--settle", "0", "--no-progress"])
    assert "missing.wav names a recording that is not in the input folder" in out.output, out.output
    assert str(tmp_path / "m.duckdb") in out.output


def test_settings_redaction_keep_raw_reaches_the_run(runner: CliRunner, tmp_path: Path, prefect_harness) -> None:
    """``[redaction] keep_raw = true`` in the settings file: the real run (Prefect flow, Whisper) stores the
    unredacted transcript in raw_utterances; without it nothing raw is stored."""
    from flow_audio import espeak_available, render_calls

    from qa_pipeline.store.db import connect

    if not espeak_available():
        pytest.skip("needs espeak-ng to render the spoken test call")
    folder = tmp_path / "in"
    render_calls(folder, ["call_a"])
    db = tmp_path / "raw.duckdb"
    cfg = _config(tmp_path, f'db = "{db}"\n[redaction]\nkeep_raw = true\n')
    out = runner.invoke(app, ["--config", str(cfg), "run", str(folder), "--settle", "0", "--no-progress"])
    assert out.exit_code == 0, out.output
    with connect(db, read_only=True) as con:
        raw = con.execute("SELECT count(*) FROM raw_utterances").fetchone()[0]
        utts = con.execute("SELECT count(*) FROM utterances").fetchone()[0]
    assert raw == utts > 0


def test_every_door_decodes_with_the_same_beam() -> None:
    """The settings file, the library and each command that transcribes start from one default beam."""
    import inspect

    from qa_pipeline.asr.base import DEFAULT_BEAM_SIZE, TranscribeOptions
    from qa_pipeline.cli import asr as asr_cli
    from qa_pipeline.cli import diarize as diarize_cli
    from qa_pipeline.cli import ops as ops_cli
    from qa_pipeline.cli import run as run_cli
    from qa_pipeline.settings import AsrSettings

    assert TranscribeOptions().beam_size == AsrSettings().beam_size == DEFAULT_BEAM_SIZE
    for fn in (run_cli.run, ops_cli.schedule, asr_cli.bench_asr, diarize_cli.bench_attribution):
        option = inspect.signature(fn).parameters["beam_size"].default
        assert option.default == DEFAULT_BEAM_SIZE, fn.__name__
