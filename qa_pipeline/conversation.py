"""The conversation model: words, utterances and the merge of both parties.

Everything downstream of ASR (redaction, classification, metrics, scoring,
storage) works on these frozen dataclasses and never on audio.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

Speaker = Literal["agent", "customer", "unknown"]
SPEAKERS: tuple[Speaker, ...] = ("agent", "customer", "unknown")


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span (seconds from call start)."""

    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True)
class Utterance:
    """One turn of one party.

    ``idx`` is the position in the time-ordered conversation (0-based).
    ``asr_confidence`` is the mean word probability (0..1).
    ``channel`` is the source channel index for stereo calls, ``None`` for mono.
    ``timed_words``/``speech_s`` carry :func:`speech_timing` as stored, for an
    utterance read back without its words (rescoring); ``None`` otherwise.
    """

    idx: int
    speaker: Speaker
    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...] = ()
    asr_confidence: float = 1.0
    channel: int | None = None
    timed_words: int | None = None
    speech_s: float | None = None

    @property
    def duration_s(self) -> float:
        return max(0.0, self.end_s - self.start_s)

    def speech_timing(self) -> tuple[int, float]:
        """``(timed words, seconds of speech)`` from the word timings (the stored figures when words are not loaded)."""
        if self.words:
            return speech_timing(self.words)
        return (self.timed_words or 0, self.speech_s or 0.0)


@dataclass(frozen=True)
class Conversation:
    """A whole call as a time-ordered list of utterances.

    ``timed`` is ``False`` for a chat transcript (no times): each turn then
    sits on a nominal timeline (:data:`qa_pipeline.transcript_file.CHAT_TURN_S`
    seconds per turn) so scorecard windows count turns.
    """

    call_id: str
    utterances: tuple[Utterance, ...]
    duration_s: float
    language: str = "en"
    timed: bool = True  # False for a chat: utterance times are nominal turn positions, time metrics are N/A
    queue: str | None = None  # the call's queue (metadata), for criteria N/A by queue configuration
    role_confidence: float | None = None  # 0..1: how sure the agent/customer decision is (None: not measured)

    def by_speaker(self, speaker: Speaker) -> tuple[Utterance, ...]:
        return tuple(u for u in self.utterances if u.speaker == speaker)


@dataclass(frozen=True)
class PartySegment:
    """A piece of one party's speech before the merge (from one ASR segment)."""

    speaker: Speaker
    start_s: float
    end_s: float
    text: str
    words: tuple[Word, ...] = field(default=())
    asr_confidence: float = 1.0
    channel: int | None = None


def merge_parties(
    call_id: str,
    segments: Iterable[PartySegment],
    duration_s: float,
    *,
    join_gap_s: float = 1.0,
    language: str = "en",
) -> Conversation:
    """Merge both parties' segments into one time-ordered conversation.

    Consecutive segments of the same speaker that are separated by less than
    ``join_gap_s`` seconds (and not interleaved with the other party) become
    one utterance, so a turn that Whisper split in two stays one turn.
    """
    ordered = sorted(
        (s for s in segments if s.text.strip()),
        key=lambda s: (s.start_s, s.end_s, s.speaker),
    )
    merged: list[PartySegment] = []
    for seg in ordered:
        if merged:
            last = merged[-1]
            if last.speaker == seg.speaker and last.channel == seg.channel and seg.start_s - last.end_s < join_gap_s:
                merged[-1] = _join(last, seg)
                continue
        merged.append(seg)
    utterances = tuple(
        Utterance(
            idx=i,
            speaker=s.speaker,
            start_s=round(s.start_s, 3),
            end_s=round(s.end_s, 3),
            text=s.text.strip(),
            words=s.words,
            asr_confidence=s.asr_confidence,
            channel=s.channel,
        )
        for i, s in enumerate(merged)
    )
    return Conversation(call_id=call_id, utterances=utterances, duration_s=duration_s, language=language)


def _join(a: PartySegment, b: PartySegment) -> PartySegment:
    words = a.words + b.words
    if words:
        conf = sum(w.probability for w in words) / len(words)
    else:
        conf = (a.asr_confidence + b.asr_confidence) / 2
    return replace(
        a,
        end_s=max(a.end_s, b.end_s),
        text=f"{a.text.strip()} {b.text.strip()}",
        words=words,
        asr_confidence=conf,
    )


PAUSE_S = 1.0  # a silence this long between two words is a pause, not speech


def speech_timing(words: Sequence[Word], pause_s: float = PAUSE_S) -> tuple[int, float]:
    """``(number of timed words, seconds of speech)`` of an utterance's words.

    Speech time is the sum of the word spans plus the short silences between
    consecutive words; a silence of ``pause_s`` or more is a pause and does not
    count (words per minute divide by this, see :mod:`qa_pipeline.metrics`).
    """
    total = 0.0
    prev_end: float | None = None
    for w in words:
        total += max(0.0, w.end - w.start)
        if prev_end is not None and 0.0 < w.start - prev_end < pause_s:
            total += w.start - prev_end
        prev_end = w.end
    return len(words), total


def mean_confidence(words: Sequence[Word], default: float = 1.0) -> float:
    """Mean word probability, or ``default`` when there are no words."""
    if not words:
        return default
    return sum(w.probability for w in words) / len(words)
