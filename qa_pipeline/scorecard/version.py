"""A scorecard's version: a hash of its normalised content.

The normalised form is the validated model with every default filled in,
dumped as JSON with sorted keys, so comments, key order, quoting and spelling
out a default do not change the version, while any change to what is scored
does.  ``active``, ``applies_to`` and ``default`` are left out: switching a
scorecard on or off, or changing which calls it scores, does not change how
it scores a call.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel

VERSION_LENGTH = 16


def normalised(spec: BaseModel) -> dict[str, Any]:
    data = spec.model_dump(mode="json", exclude={"active", "applies_to", "default"})
    return data


def content_version(spec: BaseModel) -> str:
    """First 16 hex digits of the SHA-256 of the normalised content."""
    text = json.dumps(normalised(spec), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:VERSION_LENGTH]
