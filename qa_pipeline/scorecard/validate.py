"""Checking a scorecard or flag-rules file without loading it into a run (``qa-pipeline scorecard validate``)."""

from __future__ import annotations

from pathlib import Path

from qa_pipeline.errors import ConfigError
from qa_pipeline.scorecard.flags import flag_rules_messages
from qa_pipeline.scorecard.loader import _read_text, is_flags_document, read_yaml, scorecard_messages

__all__ = ["validate_file"]


def validate_file(path: str | Path) -> list[str]:
    """Every problem of one scorecard or flag-rules file (empty list when valid)."""
    path = Path(path)
    try:
        text = _read_text(path)
        raw = read_yaml(text, str(path))
    except ConfigError as exc:
        return [str(exc)]
    if is_flags_document(path, raw):
        return flag_rules_messages(text, str(path))[1]
    return scorecard_messages(text, str(path))[1]
