"""Who spoke: map ASR segments to the agent and the customer.

Stereo recordings carry one party per channel; ``agent_channel`` (default 0,
the left channel) says which is the agent.  Mono recordings — and stereo files
whose two channels carry the same signal — go through the diarization
fallback in :mod:`qa_pipeline.diarize`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

import numpy as np

from qa_pipeline.asr.base import AsrSegment
from qa_pipeline.conversation import PartySegment, Speaker, Word, mean_confidence

Attribution = Literal["stereo", "diarized"]


@dataclass(frozen=True)
class AttributionOptions:
    agent_channel: int = 0
    duplicate_channel_corr: float = 0.98


def channels_are_duplicates(samples: np.ndarray, threshold: float = 0.98) -> bool:
    """True when a two-channel recording holds (nearly) the same signal twice."""
    if samples.shape[0] < 2:
        return True
    a, b = samples[0].astype(np.float64), samples[1].astype(np.float64)
    ea, eb = float(np.dot(a, a)), float(np.dot(b, b))
    if ea == 0.0 or eb == 0.0:
        return ea == eb
    return float(np.dot(a, b)) / np.sqrt(ea * eb) >= threshold


# Whisper (above all faster-whisper's batched pipeline, which joins the VAD speech chunks of a
# channel into 30 s windows) returns segments that run across the other party's turns: on a
# stereo channel, a gap of this long between two words is the other party talking.
SPLIT_GAP_S = 1.0


def _word_runs(words: Sequence[Word], gap_s: float) -> list[tuple[Word, ...]]:
    runs: list[list[Word]] = []
    for w in words:
        if runs and w.start - runs[-1][-1].end < gap_s:
            runs[-1].append(w)
        else:
            runs.append([w])
    return [tuple(r) for r in runs]


def channel_segments(
    segments: Sequence[AsrSegment], speaker: Speaker, channel: int, *, split_gap_s: float = SPLIT_GAP_S
) -> list[PartySegment]:
    """One party's ASR segments as :class:`PartySegment`, split where the words pause ``split_gap_s`` or longer."""
    out: list[PartySegment] = []
    for s in segments:
        if not s.text.strip():
            continue
        default_conf = float(np.exp(s.avg_logprob))
        runs = _word_runs(s.words, split_gap_s) if s.words else []
        if len(runs) <= 1:
            out.append(PartySegment(
                speaker=speaker, start_s=s.start, end_s=s.end, text=s.text.strip(), words=s.words,
                asr_confidence=mean_confidence(s.words, default=default_conf), channel=channel,
            ))
            continue
        for run in runs:
            out.append(PartySegment(
                speaker=speaker, start_s=run[0].start, end_s=max(w.end for w in run),
                text=" ".join(w.text.strip() for w in run), words=run,
                asr_confidence=mean_confidence(run, default=default_conf), channel=channel,
            ))
    return out


def speaker_for_channel(channel: int, agent_channel: int) -> Speaker:
    return "agent" if channel == agent_channel else "customer"
