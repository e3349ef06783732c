"""Scorecard topic patterns on a regular-expression engine with linear-time matching (RE2).

Python's ``re`` backtracks: a pattern such as ``(\\w+\\s?)+$`` takes exponential time on an ordinary
sentence that does not end the way it expects, and a scorecard with one would hang a run.  RE2
(``google-re2``) matches in time linear in the text for every pattern it accepts; it refuses the
few constructs that need backtracking (look-around, back-references), which
``qa-pipeline scorecard validate`` and the run's start-up check report with the fix.
"""

from __future__ import annotations

from typing import Any

import re2

__all__ = ["compile_patterns", "pattern_problem"]


def _options() -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # the problem is reported to the user, not printed by the C++ library
    return options


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a topic pattern (None when it can)."""
    try:
        re2.compile(pattern, _options())
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return (
            f"invalid regular expression {pattern!r} for the linear-time engine (RE2): {detail}; "
            "look-around ((?=…), (?<!…)) and back-references (\\1) are not supported — match the words "
            "themselves, or use 'phrases' for whole words"
        )
    return None


def compile_patterns(patterns: list[str]) -> Any:
    """One case-insensitive RE2 expression matching any of ``patterns`` (validated beforehand)."""
    return re2.compile("|".join(f"(?:{p})" for p in patterns), _options())
