"""JSON for the store's JSON columns: orjson when present (it ships with Prefect), else the standard library."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

loads: Callable[[str | bytes], Any]

try:  # four to seven times faster on evidence and label scores
    import orjson as _orjson

    def dumps(obj: Any) -> str:
        return _orjson.dumps(obj, option=_orjson.OPT_NON_STR_KEYS).decode("utf-8")

    loads = _orjson.loads
except ImportError:  # pragma: no cover - plain json fallback

    def dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    loads = json.loads

__all__ = ["dumps", "loads"]
