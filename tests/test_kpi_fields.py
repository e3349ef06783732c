"""KPI metadata fields: each validated on its own; a bad value is left empty and reported, never failing the row."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_pipeline.ingest import read_manifest
from qa_pipeline.kpi.fields import parse_kpi_fields


def test_valid_values_are_typed() -> None:
    values, problems = parse_kpi_fields(
        {"team": " Red ", "csat": "4", "nps": "10", "wrap_s": "42,5", "transferred": "Yes", "hold_s": "0"},
        "m.csv line 2",
    )
    assert problems == []
    assert values == {"team": "Red", "csat": 4.0, "nps": 10.0, "wrap_s": 42.5, "transferred": True, "hold_s": 0.0}


@pytest.mark.parametrize(
    "column, value, fix",
    [
        ("csat", "6", "1 (very dissatisfied) to 5"),
        ("csat", "3.5", "whole number"),
        ("nps", "-1", "0 to 10"),
        ("nps", "eleven", "0 to 10"),
        ("wrap_s", "-4", "seconds"),
        ("hold_s", "nan", "seconds"),
        ("transferred", "maybe", "yes or no"),
    ],
)
def test_a_bad_value_is_left_empty_with_a_message_naming_row_column_value_and_fix(column, value, fix) -> None:
    values, problems = parse_kpi_fields({column: value, "team": "Blue"}, "in/manifest.csv line 7")
    assert column not in values and values["team"] == "Blue"  # the other fields of the row are kept
    (message,) = problems
    assert "in/manifest.csv line 7" in message and repr(column) in message and repr(value) in message
    assert fix in message and "left empty" in message


def test_empty_cells_are_unknown_not_errors() -> None:
    assert parse_kpi_fields({"csat": "", "nps": "  ", "transferred": None}, "x") == ({}, [])


def test_manifest_keeps_the_row_records_the_problem_and_keeps_unknown_columns(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "file,agent_id,team,csat,nps,case_id\na.wav,A1,Red,great,9,C-1\nb.wav,A2,Blue,5,,C-2\n", encoding="utf-8"
    )
    metadata, problems = read_manifest(manifest)
    a = metadata[str((tmp_path / "a.wav").resolve())]
    assert a.agent_id == "A1" and a.kpi == {"team": "Red", "nps": 9.0}  # csat left empty, the row is kept
    assert a.extra["case_id"] == "C-1" and a.extra["csat"] == "great"  # unknown and raw columns kept as exported
    b = metadata[str((tmp_path / "b.wav").resolve())]
    assert b.kpi == {"team": "Blue", "csat": 5.0}
    (problem,) = problems
    assert problem.stage == "manifest" and problem.path == str(manifest)
    assert f"{manifest} line 2" in problem.reason and "'csat'" in problem.reason and "'great'" in problem.reason
