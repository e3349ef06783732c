"""Who spoke: map ASR segments to the agent and the customer.

Stereo recordings carry one party per channel.  Which channel is the agent is
decided per call (:func:`decide_agent_channel`): a channel given in the
manifest (``agent_channel`` column) wins, then a configured one
(``--agent-channel 0|1``), else ``auto`` — from what each side says, with the
cue lists of the mono role decision (:data:`qa_pipeline.diarize.AGENT_CUES`,
``CUSTOMER_CUES``: greeting, "how can I help", introducing oneself, asking for
verification, closing).  The decision, its method and a 0..1 confidence are
stored on the call.  Mono recordings — and stereo files whose two channels
carry the same signal — go through the diarization fallback in
:mod:`qa_pipeline.diarize`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from qa_pipeline.asr.base import AsrSegment
from qa_pipeline.conversation import PartySegment, Speaker, Word, mean_confidence
from qa_pipeline.diarize import cue_score

Attribution = Literal["stereo", "diarized"]
ChannelMethod = Literal["manifest", "configured", "cues", "default"]

# auto: below this confidence the call is flagged for review (scorecards/flags.yaml)
LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class AttributionOptions:
    agent_channel: int | None = None  # None: decided per call from what each side says
    duplicate_channel_corr: float = 0.98
    fallback_channel: int = 0  # auto with no cue on either side: the left channel, confidence 0
    cue_scale: float = 3.0  # cue margin giving confidence 1 - 1/e (one "how can I help" against nothing)


@dataclass(frozen=True)
class ChannelDecision:
    """Which stereo channel is the agent, how that was decided, and how sure (0..1)."""

    agent_channel: int
    method: ChannelMethod
    confidence: float
    cue_scores: tuple[float, float] = (0.0, 0.0)  # agent-minus-customer cue weight of channel 0 and 1


def _channel_text(segments: Sequence[AsrSegment]) -> str:
    return " ".join(s.text.strip() for s in segments if s.text.strip())


def decide_agent_channel(
    left: Sequence[AsrSegment],
    right: Sequence[AsrSegment],
    options: AttributionOptions = AttributionOptions(),
    *,
    manifest_channel: int | None = None,
) -> ChannelDecision:
    """The agent's channel of a stereo call: the manifest's, else the configured one, else from the words.

    ``auto`` compares the agent-minus-customer cue weight of everything each
    channel says (:func:`qa_pipeline.diarize.cue_score`): the channel that
    sounds more like the agent is the agent; confidence is
    ``1 - exp(-margin / cue_scale)``.  With no cue at all the call gets
    ``fallback_channel`` and confidence 0 (flagged for review).
    """
    from qa_pipeline.errors import ConfigError

    scores = (cue_score(_channel_text(left)), cue_score(_channel_text(right)))
    for given, method in ((manifest_channel, "manifest"), (options.agent_channel, "configured")):
        if given is None:
            continue
        if given not in (0, 1):
            raise ConfigError(
                f"agent channel {given} ({method}) does not exist in a stereo call; use 0 (left) or 1 (right)"
            )
        return ChannelDecision(int(given), method, 1.0, scores)  # type: ignore[arg-type]
    margin = scores[0] - scores[1]
    if margin == 0:
        return ChannelDecision(options.fallback_channel, "default", 0.0, scores)
    confidence = float(1.0 - np.exp(-abs(margin) / options.cue_scale))
    return ChannelDecision(0 if margin > 0 else 1, "cues", round(confidence, 3), scores)


def attribution_options(agent_channel: str | int | None, **kwargs: object) -> AttributionOptions:
    """Options from a ``--agent-channel`` value: ``auto`` (decided per call), ``0`` (left) or ``1`` (right)."""
    from qa_pipeline.errors import ConfigError

    text = "auto" if agent_channel is None else str(agent_channel).strip().lower()
    if text in ("auto", ""):
        return AttributionOptions(agent_channel=None, **kwargs)  # type: ignore[arg-type]
    if text in ("0", "1", "left", "right"):
        return AttributionOptions(agent_channel=0 if text in ("0", "left") else 1, **kwargs)  # type: ignore[arg-type]
    raise ConfigError(f"agent channel {agent_channel!r} is not auto, 0 (left) or 1 (right)")


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
            out.append(
                PartySegment(
                    speaker=speaker,
                    start_s=s.start,
                    end_s=s.end,
                    text=s.text.strip(),
                    words=s.words,
                    asr_confidence=mean_confidence(s.words, default=default_conf),
                    channel=channel,
                )
            )
            continue
        for run in runs:
            out.append(
                PartySegment(
                    speaker=speaker,
                    start_s=run[0].start,
                    end_s=max(w.end for w in run),
                    text=" ".join(w.text.strip() for w in run),
                    words=run,
                    asr_confidence=mean_confidence(run, default=default_conf),
                    channel=channel,
                )
            )
    return out


def speaker_for_channel(channel: int, agent_channel: int) -> Speaker:
    return "agent" if channel == agent_channel else "customer"
