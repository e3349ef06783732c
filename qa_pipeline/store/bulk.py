"""Bulk reads: many calls' conversations and labels in a few queries (rescoring reads with these)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import fields
from typing import Any

import duckdb

from qa_pipeline.classify.result import UtteranceLabels
from qa_pipeline.conversation import Conversation, Utterance
from qa_pipeline.ingest import CallMetadata
from qa_pipeline.store.codec import loads


def scorable_call_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Calls that can be scored from storage: complete, or with stored labels."""
    return [
        r[0]
        for r in con.execute(
            "SELECT call_id FROM calls WHERE status = 'complete'"
            " OR call_id IN (SELECT DISTINCT call_id FROM utterance_labels) ORDER BY call_id"
        ).fetchall()
    ]


def read_metadata_bulk(con: duckdb.DuckDBPyConnection, call_ids: Sequence[str]) -> dict[str, CallMetadata]:
    """What scorecard targeting reads of many stored calls: queue, direction, the manifest's extra
    columns (team…) and the call's channel (``voice`` / ``chat``, as ``extra["channel"]`` unless the
    manifest named one)."""
    if not call_ids:
        return {}
    out: dict[str, CallMetadata] = {}
    for call_id, queue, direction, extra_json, channel in con.execute(
        "SELECT call_id, queue, direction, manifest_extra, channel FROM calls"
        " WHERE call_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(call_ids)],
    ).fetchall():
        extra = dict(loads(extra_json)) if extra_json else {}
        if channel and "channel" not in extra:
            extra["channel"] = channel
        out[call_id] = CallMetadata(queue=queue, direction=direction, extra=extra)
    return out


# read_calls_bulk makes these without calling their __init__ (it sets the fields' values directly, a third of
# the reading time for a chunk's tens of thousands of utterances): it has to set every field, and nothing may
# depend on __init__ running
_FAST = {
    Utterance: (
        "idx",
        "speaker",
        "start_s",
        "end_s",
        "text",
        "words",
        "asr_confidence",
        "channel",
        "timed_words",
        "speech_s",
    ),
    UtteranceLabels: ("idx", "sentiment", "sentiment_score", "labels", "detected"),
}
for _cls, _names in _FAST.items():
    if tuple(f.name for f in fields(_cls)) != _names or hasattr(_cls, "__post_init__") or hasattr(_cls, "__slots__"):
        raise TypeError(f"read_calls_bulk builds {_cls.__name__} field by field: update it for the changed class")


class LazyLabelScores(Mapping[str, float]):
    """``UtteranceLabels.labels`` read from its stored JSON text on first use.

    Scoring looks up label scores of only some utterances (evidence, near misses, ``min_score``); parsing
    every utterance's 14 scores into a dict up front was a third of reading a chunk.  A read-only mapping
    that equals the dict it stands for; :meth:`as_dict` gives that dict (for JSON)."""

    __slots__ = ("_dict", "_raw")

    def __init__(self, raw: str | bytes) -> None:
        self._raw: str | bytes | None = raw
        self._dict: dict[str, float] | None = None

    def as_dict(self) -> dict[str, float]:
        d = self._dict
        if d is None:
            d = self._dict = loads(self._raw)  # type: ignore[arg-type]  # set until parsed
            self._raw = None
        return d

    # the look-ups scoring makes (per cited utterance and label) skip the call to as_dict once parsed
    def __getitem__(self, key: str) -> float:
        d = self._dict
        return (d if d is not None else self.as_dict())[key]

    def get(self, key: str, default: Any = None) -> Any:
        d = self._dict
        return (d if d is not None else self.as_dict()).get(key, default)

    def __contains__(self, key: object) -> bool:
        d = self._dict
        return key in (d if d is not None else self.as_dict())

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyLabelScores):
            other = other.as_dict()
        return self.as_dict() == other

    __hash__ = None  # type: ignore[assignment]  # like a dict

    def __repr__(self) -> str:
        return repr(self.as_dict())


def read_calls_bulk(
    con: duckdb.DuckDBPyConnection, call_ids: Sequence[str], *, lazy_label_scores: bool = False
) -> list[tuple[Conversation, dict[int, UtteranceLabels]]]:
    """Conversations and labels of many calls in three queries.

    Word timings are not read (slow), so ``Utterance.words`` is empty; the
    speech timing derived from them (``timed_words``, ``speech_s``, written with
    the call) is, so words per minute come out as in the run.  ``lazy_label_scores``:
    each ``UtteranceLabels.labels`` is a :class:`LazyLabelScores` (rescoring, which only reads them).
    """
    if not call_ids:
        return []
    ids = list(call_ids)
    calls = con.execute(
        "SELECT call_id, duration_s, language, queue, channel FROM calls WHERE call_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids],
    ).fetchall()
    utts: dict[str, list[Utterance]] = defaultdict(list)
    new = object.__new__
    for call_id, idx, speaker, start_s, end_s, text, conf, channel, n_timed, speech_s in con.execute(
        "SELECT call_id, idx, speaker, start_s, end_s, text, asr_confidence, channel, timed_words, speech_s"
        " FROM utterances"
        " WHERE call_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY call_id, idx",
        [ids],
    ).fetchall():
        u = new(Utterance)  # Utterance(idx, speaker, …) without the frozen dataclass's field-by-field __init__
        u.__dict__.update(
            idx=idx,
            speaker=speaker,
            start_s=start_s,
            end_s=end_s,
            text=text,
            words=(),
            asr_confidence=conf if conf is not None else 1.0,
            channel=channel,
            timed_words=n_timed,
            speech_s=speech_s,
        )
        utts[call_id].append(u)
    labs: dict[str, dict[int, UtteranceLabels]] = defaultdict(dict)
    # detected comes back joined with commas (label names are lower_snake_case): converting a
    # VARCHAR[] per row costs more than the whole rest of the query
    for call_id, idx, sentiment, sscore, scores, detected in con.execute(
        "SELECT call_id, idx, sentiment, sentiment_score, label_scores, array_to_string(detected, ',')"
        " FROM utterance_labels WHERE call_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids],
    ).fetchall():
        lab = new(UtteranceLabels)  # as above
        lab.__dict__.update(
            idx=idx,
            sentiment=sentiment,
            sentiment_score=sscore,
            labels=(
                (LazyLabelScores(scores) if lazy_label_scores else loads(scores))
                if isinstance(scores, (str, bytes))
                else (scores or {})
            ),
            detected=tuple(detected.split(",")) if detected else (),
        )
        labs[call_id][idx] = lab
    order = {cid: i for i, cid in enumerate(ids)}
    out = []
    for call_id, duration, language, queue, channel in sorted(calls, key=lambda r: order[r[0]]):
        conv = Conversation(
            call_id,
            tuple(utts.get(call_id, ())),
            float(duration or 0.0),
            language or "en",
            timed=channel != "chat",
            queue=queue,
        )
        out.append((conv, labs.get(call_id, {})))
    return out
