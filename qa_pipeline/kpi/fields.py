"""The KPI metadata fields of a manifest row or a transcript file, each validated on its own.

``team``, ``csat`` (1–5), ``nps`` (0–10), ``wrap_s`` (after-call work, seconds), ``transferred`` (yes/no)
and ``hold_s`` (hold time from the phone system, seconds).  A bad value never fails the row: the field
is left empty and :func:`parse_kpi_fields` returns a message naming the row, column, value and fix, which
the caller records as a ``failures`` row (stage ``manifest``).  The raw values stay in ``manifest_extra``
as exported, like any other column qa-pipeline does not otherwise use.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

KPI_FIELDS = ("team", "csat", "nps", "wrap_s", "transferred", "hold_s")
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "f"})
_MAX_S = 24 * 3600.0


class _Bad(ValueError):
    pass


def _number(value: object, lo: float, hi: float, fix: str, *, whole: bool = False) -> float:
    if isinstance(value, bool):
        raise _Bad(fix)
    try:
        x = float(str(value).strip().replace(",", ".")) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise _Bad(fix) from None
    if math.isnan(x) or not lo <= x <= hi or (whole and x != int(x)):
        raise _Bad(fix)
    return x


def _team(value: object) -> str:
    return str(value).strip()


def _csat(value: object) -> float:
    return _number(value, 1, 5, "write a whole number from 1 (very dissatisfied) to 5 (very satisfied)", whole=True)


def _nps(value: object) -> float:
    return _number(value, 0, 10, "write a whole number from 0 to 10 (the 'would you recommend us' answer)", whole=True)


def _seconds(value: object) -> float:
    return _number(value, 0, _MAX_S, "write seconds as a number from 0 to 86400, e.g. 42.5")


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _Bad("write yes or no (also accepted: true/false, 1/0)")


PARSERS: dict[str, Callable[[object], Any]] = {
    "team": _team,
    "csat": _csat,
    "nps": _nps,
    "wrap_s": _seconds,
    "transferred": _bool,
    "hold_s": _seconds,
}


def parse_kpi_fields(row: Mapping[str, object], where: str) -> tuple[dict[str, Any], list[str]]:
    """``({field: value} of the valid non-empty KPI fields, [one message per bad value])``.

    ``where`` names the file and row (``manifest.csv line 4``) for the messages.
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, parse in PARSERS.items():
        raw = row.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            value = parse(raw)
        except _Bad as exc:
            problems.append(
                f"{where}: column {name!r} has {raw!r}, which is not valid; {exc} — the field is left empty"
            )
            continue
        if value != "":
            values[name] = value
    return values, problems
