"""Which scorecards score a call: ``applies_to`` (queue, direction, team, channel globs) and the default card.

Rules (docs/scorecards.md#which-calls-a-scorecard-scores):

* a card with ``applies_to`` scores the calls whose every named field matches one of its globs
  (shell wildcards, case-insensitive); a call without that field does not match;
* a card with ``default: true`` scores the calls no targeted card applies to;
* a card with neither scores every call (the behaviour before targeting existed).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence

from qa_pipeline.scorecard.loader import Scorecard

__all__ = ["TARGET_FIELDS", "applicable_scorecards", "applies", "call_attributes"]

TARGET_FIELDS = ("queue", "direction", "team", "channel")


def call_attributes(metadata: object | None) -> dict[str, str | None]:
    """The fields targeting reads, from a call's manifest metadata (``channel`` is ``voice`` when not given).

    ``team`` and ``channel`` are read from the metadata's own field when it has one, else from the
    manifest's extra columns (``metadata.extra``)."""
    extra: Mapping[str, object] = getattr(metadata, "extra", None) or {}
    out: dict[str, str | None] = {}
    for key in TARGET_FIELDS:
        value = getattr(metadata, key, None) if metadata is not None else None
        if value is None:
            value = extra.get(key)
        out[key] = str(value).strip().lower() if value not in (None, "") else None
    out["channel"] = out["channel"] or "voice"
    return out


def applies(card: Scorecard, attrs: Mapping[str, str | None]) -> bool:
    """Whether a targeted card's ``applies_to`` matches these call attributes (False for untargeted cards)."""
    target = card.spec.applies_to
    if target is None:
        return False
    for key in TARGET_FIELDS:
        globs = getattr(target, key)
        if globs is None:
            continue
        value = attrs.get(key)
        if value is None or not any(fnmatch.fnmatchcase(value, g.lower()) for g in globs):
            return False
    return True


def applicable_scorecards(cards: Iterable[Scorecard], metadata: object | None) -> list[Scorecard]:
    """The cards that score a call with this metadata, in the order given."""
    cards = list(cards)
    attrs = call_attributes(metadata)
    targeted = [c for c in cards if applies(c, attrs)]
    fallback: Sequence[Scorecard] = [] if targeted else [c for c in cards if c.spec.default]
    chosen = {id(c) for c in targeted} | {id(c) for c in fallback}
    return [c for c in cards if id(c) in chosen or (c.spec.applies_to is None and not c.spec.default)]
