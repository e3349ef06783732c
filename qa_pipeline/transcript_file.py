"""Transcript files (``<name>.transcript.json``): chats and transcripts from other speech systems.

A transcript file stands beside the recordings in the input folder and goes
through every stage after ASR (redaction, classification, metrics, scoring,
flags).  Format (documented in ``docs/ingest.md``)::

    {"turns": [{"speaker": "agent", "text": "hello ...", "start_s": 1.2, "end_s": 3.4}, ...],
     "agent_id": "...", "queue": "...", "started_at": "2026-11-20T09:15:00", ...}

* ``speaker`` is ``agent`` or ``customer``; ``text`` a non-empty string.
* ``start_s``/``end_s`` are optional, but all turns have them or none does.
  Without times (a chat) each turn is placed on a nominal timeline of
  :data:`CHAT_TURN_S` seconds per turn, so a scorecard's time window becomes
  a window of turn positions (``within_first_s: 30`` = the first 6 turns);
  the conversation is marked untimed and time-based metrics are N/A.
* Optional top-level keys have the names and meaning of the manifest columns
  (:data:`qa_pipeline.ingest.MANIFEST_FIELDS` minus ``file``, plus the KPI fields
  :data:`qa_pipeline.kpi.fields.KPI_FIELDS`; a bad KPI value is left empty and
  recorded as a failure, the call is still taken).

Nothing here raises anything but :class:`~qa_pipeline.errors.InputError`,
whose message names the file, the value seen and the fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa_pipeline.conversation import Conversation, Utterance
from qa_pipeline.errors import InputError
from qa_pipeline.ingest import MANIFEST_FIELDS, TRANSCRIPT_SUFFIX, CallMetadata, parse_metadata_row
from qa_pipeline.kpi.fields import KPI_FIELDS

CHAT_TURN_S = 5.0
SPEAKERS = ("agent", "customer")
METADATA_KEYS = tuple(f for f in MANIFEST_FIELDS if f != "file") + KPI_FIELDS
TOP_LEVEL_KEYS = frozenset({"turns", "language", *METADATA_KEYS})
TURN_KEYS = frozenset({"speaker", "text", "start_s", "end_s"})


@dataclass(frozen=True)
class TranscriptFile:
    """A parsed transcript: the conversation, its metadata and whether it was a chat (no times)."""

    conversation: Conversation
    metadata: CallMetadata
    channel: str  # "voice" (turns have times) or "chat" (they do not)


def is_transcript(path: Path) -> bool:
    return path.name.lower().endswith(TRANSCRIPT_SUFFIX)


def _bad(path: Path, what: str) -> InputError:
    return InputError(f"{path}: {what}; see docs/ingest.md (transcript files)", path=str(path), stage="transcript")


def _time(path: Path, i: int, turn: dict[str, Any], key: str) -> float:
    value = turn[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != value:
        raise _bad(path, f"turn {i}: {key} {value!r} is not a time in seconds ≥ 0; write a number such as 12.5")
    return float(value)


def parse_transcript(path: Path, call_id: str, data: bytes | None = None) -> TranscriptFile:
    """Read and validate one transcript file (``data``: its bytes when already read)."""
    try:
        raw = data if data is not None else path.read_bytes()
        doc = json.loads(raw.decode("utf-8-sig"))
    except OSError as exc:
        raise _bad(path, f"cannot read the file ({exc.strerror or exc}); check its permissions") from exc
    except UnicodeDecodeError as exc:
        raise _bad(path, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise _bad(path, f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); fix the JSON") from exc
    if not isinstance(doc, dict):
        raise _bad(path, f"expected a JSON object with a 'turns' list, got {type(doc).__name__}")
    unknown = sorted(set(doc) - TOP_LEVEL_KEYS)
    if unknown:
        raise _bad(path, f"unknown key(s) {unknown}; allowed: turns, language, {', '.join(METADATA_KEYS)}")
    turns = doc.get("turns")
    if not isinstance(turns, list) or not turns:
        raise _bad(
            path, f"'turns' is {'missing' if turns is None else repr(turns)[:40]}; give a non-empty list of turns"
        )
    language = doc.get("language", "en")
    if not isinstance(language, str) or not language.strip():
        raise _bad(path, f'language {language!r} is not a language code; write e.g. "en"')
    meta_row = {k: doc[k] for k in METADATA_KEYS if k in doc}
    for k, v in meta_row.items():
        if v is not None and not isinstance(v, (str, int, float)):
            raise _bad(path, f"{k} {v!r} is not a text value; write it as a string")
    meta_row["file"] = path.name
    try:
        _, metadata = parse_metadata_row(meta_row, str(path))
    except InputError as exc:
        raise InputError(f"{exc}; see docs/ingest.md (transcript files)", path=str(path), stage="transcript") from None

    timed_flags = set()
    utterances: list[Utterance] = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict):
            raise _bad(path, f"turn {i} is {type(turn).__name__}, not an object with speaker and text")
        extra = sorted(set(turn) - TURN_KEYS)
        if extra:
            raise _bad(path, f"turn {i}: unknown key(s) {extra}; allowed: speaker, text, start_s, end_s")
        speaker = turn.get("speaker")
        if speaker not in SPEAKERS:
            raise _bad(path, f"turn {i}: speaker {speaker!r} is not one of agent, customer")
        text = turn.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad(path, f"turn {i}: text {text!r} is empty or not a string; drop the turn or give its words")
        has = ("start_s" in turn, "end_s" in turn)
        if has[0] != has[1]:
            raise _bad(path, f"turn {i}: has only one of start_s/end_s; give both or neither")
        timed_flags.add(has[0])
        if len(timed_flags) > 1:
            raise _bad(
                path, f"turn {i}: some turns have start_s/end_s and some do not; give times on every turn or on none"
            )
        if has[0]:
            start, end = _time(path, i, turn, "start_s"), _time(path, i, turn, "end_s")
            if end < start:
                raise _bad(path, f"turn {i}: end_s {end:g} is before start_s {start:g}; swap or fix them")
        else:
            start, end = i * CHAT_TURN_S, (i + 1) * CHAT_TURN_S
        utterances.append(Utterance(idx=i, speaker=speaker, start_s=start, end_s=end, text=" ".join(text.split())))
    timed = timed_flags == {True}
    if timed:
        order = sorted(range(len(utterances)), key=lambda k: (utterances[k].start_s, k))
        utterances = [
            Utterance(
                idx=n,
                speaker=utterances[k].speaker,
                start_s=utterances[k].start_s,
                end_s=utterances[k].end_s,
                text=utterances[k].text,
            )
            for n, k in enumerate(order)
        ]
    duration = max(u.end_s for u in utterances)
    conversation = Conversation(
        call_id=call_id, utterances=tuple(utterances), duration_s=duration, language=language.strip(), timed=timed
    )
    return TranscriptFile(conversation=conversation, metadata=metadata, channel="voice" if timed else "chat")
