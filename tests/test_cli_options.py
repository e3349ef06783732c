"""Options with a fixed set of values are enums (qa_pipeline/cli/options.py): ``--help`` lists the choices
and a wrong value is refused with a message naming them."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from qa_pipeline.cli import app
from qa_pipeline.review.auth import ROLES

WIDE = {"COLUMNS": "300", "TERMINAL_WIDTH": "300", "NO_COLOR": "1"}


def _help(*command: str) -> str:
    res = CliRunner().invoke(app, [*command, "--help"], env=WIDE)
    assert res.exit_code == 0, res.output
    return re.sub(r"\s+", " ", res.output)


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        (("run",), ["<auto|0|1>", "<faster-whisper|openai-whisper>", "<tiny.en|base>"]),
        (("schedule",), ["<auto|0|1>", "<faster-whisper|openai-whisper>", "<tiny.en|base>"]),
        (("bench", "attribution"), ["<auto|0|1>", "<faster-whisper|openai-whisper>", "<tiny.en|base>"]),
        (("bench", "diarization"), ["<faster-whisper|openai-whisper>", "<tiny.en|base>"]),
        (("bench", "asr"), ["faster-whisper|openai-whisper]>", "<tiny.en|base>", "<int8|int8_float32|float32>"]),
        (("models", "convert"), ["<tiny.en|base>"]),
        (("classify",), ["<auto|float32|bfloat16>"]),
        (("reclassify",), ["<auto|float32|bfloat16>"]),
        (("export", "agent"), ["<csv|parquet>", "<rates|calls>"]),
        (("users", "add"), ["<" + "|".join(ROLES) + ">"]),
        (("users", "set-role"), ["<" + "|".join(ROLES) + ">"]),
    ],
)
def test_help_lists_the_choices(command, choices):
    text = _help(*command)
    for choice in choices:
        assert choice in text, f"{' '.join(command)} --help does not list {choice}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--agent-channel", "2"], "'2' is not one of 'auto', '0', '1'"),
        (["run", "--model", "large"], "'large' is not one of 'tiny.en', 'base'"),
        (["schedule", "--cron", "0 2 * * *", "--input", ".", "--backend", "whisperx"], "'whisperx' is not one of"),
        (["users", "add", "bob", "--role", "root"], "'root' is not one of 'qa_specialist'"),
        (
            ["export", "agent", "a1", "--since", "2026-01-01", "--format", "xlsx"],
            "'xlsx' is not one of 'csv', 'parquet'",
        ),
        (["classify", "--precision", "float16"], "'float16' is not one of 'auto', 'float32', 'bfloat16'"),
    ],
)
def test_a_bad_value_is_refused_with_the_choices(args, message):
    res = CliRunner().invoke(app, args, env=WIDE)
    assert res.exit_code == 2
    assert message in re.sub(r"\s+", " ", res.output).replace("│ ", "")
