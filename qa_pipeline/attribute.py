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
from qa_pipeline.conversation import PartySegment, Speaker, mean_confidence

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


def channel_segments(segments: Sequence[AsrSegment], speaker: Speaker, channel: int) -> list[PartySegment]:
    """One party's ASR segments as :class:`PartySegment`."""
    return [
        PartySegment(
            speaker=speaker,
            start_s=s.start,
            end_s=s.end,
            text=s.text.strip(),
            words=s.words,
            asr_confidence=mean_confidence(s.words, default=float(np.exp(s.avg_logprob))),
            channel=channel,
        )
        for s in segments
        if s.text.strip()
    ]


def speaker_for_channel(channel: int, agent_channel: int) -> Speaker:
    return "agent" if channel == agent_channel else "customer"
