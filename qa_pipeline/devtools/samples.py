"""The bundled sample calls: written dialogues rendered to recordings with espeak-ng.

``samples/dialogues.yaml`` holds 8–10 invented contact-centre calls (see
``docs/samples.md``).  :func:`make_samples` renders each one:

1. every turn is spoken by ``espeak-ng`` (one voice per party) into a WAV,
   trimmed of its leading and trailing silence, peak-normalised and resampled
   to the call's rate (8 kHz telephone or 16 kHz);
2. the turns are laid on a timeline (:func:`layout`): a pause before each turn,
   a silent hold where ``hold_s`` says, or an overlap into the previous turn
   where ``overlap_s`` says (an interruption);
3. the agent goes on channel 0 (left) and the customer on channel 1 (right), or
   both are mixed into one channel for ``channels: mono``;
4. FFmpeg encodes FLAC / MP3 / Ogg-Opus (bit-exact flags, so a rerun writes the
   same bytes); WAV is written directly.

Besides the recordings it writes ``manifest.csv`` (the ingest manifest) and
``timelines.json`` (ground truth: every turn's speaker, start, end, text and
tags, and every hold) into the output folder.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile as sf
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy.signal import resample_poly

from qa_pipeline.classify.result import LABELS
from qa_pipeline.errors import ConfigError, InputError

logger = logging.getLogger("qa_pipeline.devtools.samples")

Party = Literal["agent", "customer"]
Sentiment = Literal["negative", "neutral", "positive"]
AudioFormat = Literal["flac", "mp3", "ogg", "wav"]

MANIFEST_COLUMNS = ("file", "agent_id", "agent_name", "queue", "started_at", "direction", "customer_ref")
TIMELINES_NAME = "timelines.json"
MANIFEST_NAME = "manifest.csv"
EXTENSIONS: dict[str, str] = {"flac": ".flac", "mp3": ".mp3", "ogg": ".ogg", "wav": ".wav"}

#: Turn tags.  The first group are the classifier's label names
#: (:data:`qa_pipeline.classify.result.LABELS`); the rest mark facts the
#: scorecard and redaction tests check.
TAGS: frozenset[str] = frozenset(LABELS) | frozenset(
    {
        # facts that are not classifier labels
        "account_details",  # the agent reveals or discusses account-specific details
        "hold_return",  # first words after a hold
        "resolution",  # the agent resolves the issue
        "interruption",  # this turn starts while the other party is still speaking
        "card_number",
        "card_expiry",
        "date_of_birth",
        "email",
    }
)

# expected flag -> the tag whose presence it must match
_FLAG_TAGS: dict[str, str] = {
    "greeting": "greeting",
    "agent_introduction": "agent_introduction",
    "disclosure": "recording_disclosure",
    "identity_verified": "identity_verification",
    "active_listening": "active_listening",
    "empathy": "empathy",
    "apology": "apology",
    "resolution_check": "resolution_check",
    "resolved": "resolution",
    "commitment": "commitment",
    "closing": "closing",
    "upsell": "upsell_offer",
    "escalation": "escalation_request",
    "prohibited_language": "prohibited_language",
}
_CUSTOMER_TAGS = frozenset({"escalation_request", "card_number", "card_expiry", "date_of_birth"})
_DIGITS = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_TEENS = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
}
_TENS = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
}


# --------------------------------------------------------------------------- the dialogue file


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VoiceSpec(_Model):
    """An espeak-ng voice: ``voice`` (e.g. ``en-gb+f2``), words per minute, pitch 0–99."""

    voice: str = Field(pattern=r"^[a-z][a-z0-9-]*(\+[a-z0-9]+)?$")
    speed: int = Field(default=150, ge=80, le=300)
    pitch: int = Field(default=50, ge=0, le=99)


class RenderSpec(_Model):
    format: AudioFormat = "flac"
    channels: Literal["stereo", "mono"] = "stereo"
    sample_rate: Literal[8000, 16000] = 8000
    agent_voice: VoiceSpec
    customer_voice: VoiceSpec


class CallMetadataSpec(_Model):
    agent_id: str
    agent_name: str
    queue: str
    direction: Literal["inbound", "outbound"]
    started_at: datetime
    customer_ref: str

    @field_validator("started_at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-03-02T09:14:05Z")
        return v.astimezone(UTC)


class TurnSpec(_Model):
    speaker: Party
    text: str = Field(min_length=1)
    pause_before_s: float | None = Field(default=None, ge=0.0, le=30.0)
    overlap_s: float | None = Field(default=None, gt=0.0, le=10.0)
    hold_s: float | None = Field(default=None, gt=0.0, le=300.0)
    tags: tuple[str, ...] = ()
    sentiment: Sentiment | None = None

    @model_validator(mode="after")
    def _check(self) -> TurnSpec:
        timing = [n for n in ("pause_before_s", "overlap_s", "hold_s") if getattr(self, n) is not None]
        if len(timing) > 1:
            raise ValueError(f"give at most one of pause_before_s, overlap_s, hold_s (got {', '.join(timing)})")
        unknown = sorted(set(self.tags) - TAGS)
        if unknown:
            raise ValueError(f"unknown tag(s) {unknown}; known tags: {', '.join(sorted(TAGS))}")
        if self.sentiment is not None and self.speaker != "customer":
            raise ValueError("sentiment is written for customer turns only")
        return self


class ExpectedSpec(_Model):
    """What a dialogue was written to show; cross-checked against its turns."""

    greeting: bool
    agent_introduction: bool
    disclosure: bool
    identity_verified: bool
    identity_verified_before_account: bool | None
    active_listening: bool
    empathy: bool
    apology: bool
    hold: bool
    hold_request_before_hold: bool | None
    resolution_check: bool
    resolved: bool
    commitment: bool
    closing: bool
    upsell: bool
    escalation: bool
    prohibited_language: bool
    agent_interruptions: int = Field(ge=0)
    customer_interruptions: int = Field(ge=0)
    customer_start_sentiment: Sentiment
    customer_end_sentiment: Sentiment
    card_number_spoken: str | None = Field(default=None, pattern=r"^\d{12,19}$")
    card_expiry_spoken: str | None = Field(default=None, pattern=r"^\d\d/\d\d$")
    date_of_birth_spoken: str | None = Field(default=None, pattern=r"^\d{4}-\d\d-\d\d$")
    email_spoken: str | None = None


class DialogueSpec(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$")
    summary: str
    metadata: CallMetadataSpec
    render: RenderSpec
    turns: tuple[TurnSpec, ...] = Field(min_length=2)
    expected: ExpectedSpec

    @property
    def filename(self) -> str:
        return self.id + EXTENSIONS[self.render.format]

    @model_validator(mode="after")
    def _cross_check(self) -> DialogueSpec:
        problems = _expectation_problems(self)
        if problems:
            raise ValueError("expected block disagrees with the turns: " + "; ".join(problems))
        return self


class DialogueFile(_Model):
    version: Literal[1] = 1
    default_pause_s: float = Field(default=0.6, ge=0.0, le=10.0)
    dialogues: tuple[DialogueSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> DialogueFile:
        seen: set[str] = set()
        for d in self.dialogues:
            if d.id in seen:
                raise ValueError(f"dialogue id {d.id!r} is used twice; ids name the recordings and must be unique")
            seen.add(d.id)
        return self

    def get(self, dialogue_id: str) -> DialogueSpec:
        for d in self.dialogues:
            if d.id == dialogue_id:
                return d
        raise ConfigError(f"no dialogue {dialogue_id!r}; known: {', '.join(d.id for d in self.dialogues)}")


def spoken_digits(text: str) -> str:
    """Numbers spoken as words, as a digit string: "four one one one, oh eight, twenty seven" -> "4111" "08" "27"."""
    tokens = re.findall(r"[a-z]+|\d+", text.lower())
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.isdigit():
            out.append(tok)
        elif tok in _TEENS:
            out.append(_TEENS[tok])
        elif tok in _TENS:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt in _DIGITS and _DIGITS[nxt] != "0":
                out.append(_TENS[tok] + _DIGITS[nxt])
                i += 1
            else:
                out.append(_TENS[tok] + "0")
        elif tok in _DIGITS:
            out.append(_DIGITS[tok])
        i += 1
    return "".join(out)


def _expectation_problems(d: DialogueSpec) -> list[str]:
    exp = d.expected
    turns = d.turns
    problems: list[str] = []

    def tagged(tag: str) -> list[int]:
        return [i for i, t in enumerate(turns) if tag in t.tags]

    for flag, tag in _FLAG_TAGS.items():
        if getattr(exp, flag) != bool(tagged(tag)):
            problems.append(f"{flag} is {getattr(exp, flag)} but {len(tagged(tag))} turn(s) carry tag {tag!r}")
    for i, t in enumerate(turns):
        wrong = set(t.tags) & (
            _CUSTOMER_TAGS if t.speaker == "agent" else set(_FLAG_TAGS.values()) - _CUSTOMER_TAGS - {"resolution"}
        )
        if wrong:
            problems.append(f"turn {i} ({t.speaker}) carries tag(s) {sorted(wrong)} that belong to the other party")

    account, ident = tagged("account_details"), tagged("identity_verification")
    before = None if not account else bool(ident) and ident[0] < account[0]
    if exp.identity_verified_before_account != before:
        problems.append(
            f"identity_verified_before_account is {exp.identity_verified_before_account} but the turns give {before}"
        )

    holds = [i for i, t in enumerate(turns) if t.hold_s is not None]
    if exp.hold != bool(holds):
        problems.append(f"hold is {exp.hold} but {len(holds)} turn(s) have hold_s")
    request = None
    if holds:
        request = any("hold_request" in turns[j].tags for j in range(max(0, holds[0] - 2), holds[0]))
    if exp.hold_request_before_hold != request:
        problems.append(f"hold_request_before_hold is {exp.hold_request_before_hold} but the turns give {request}")

    interruptions = {"agent": 0, "customer": 0}
    for i, t in enumerate(turns):
        is_overlap = t.overlap_s is not None
        if is_overlap != ("interruption" in t.tags):
            problems.append(f"turn {i}: overlap_s and the 'interruption' tag must go together")
        if is_overlap:
            if i == 0:
                problems.append("turn 0 cannot overlap a previous turn")
            elif turns[i - 1].speaker != t.speaker:
                interruptions[t.speaker] += 1
            else:
                problems.append(f"turn {i} overlaps a turn of the same speaker")
    if exp.agent_interruptions != interruptions["agent"]:
        problems.append(
            f"agent_interruptions is {exp.agent_interruptions} but {interruptions['agent']} agent turn(s) overlap a customer turn"
        )
    if exp.customer_interruptions != interruptions["customer"]:
        problems.append(
            f"customer_interruptions is {exp.customer_interruptions} but {interruptions['customer']} customer turn(s) overlap an agent turn"
        )

    sentiments = [t.sentiment for t in turns if t.speaker == "customer" and t.sentiment is not None]
    if sentiments and (sentiments[0] != exp.customer_start_sentiment or sentiments[-1] != exp.customer_end_sentiment):
        problems.append(
            f"customer sentiment runs {sentiments[0]} -> {sentiments[-1]} in the turns but expected says "
            f"{exp.customer_start_sentiment} -> {exp.customer_end_sentiment}"
        )

    card = tagged("card_number")
    spoken_card = spoken_digits(" ".join(turns[i].text for i in card)) if card else None
    if exp.card_number_spoken != spoken_card:
        problems.append(
            f"card_number_spoken is {exp.card_number_spoken!r} but the card_number turns say {spoken_card!r}"
        )
    expiry = tagged("card_expiry")
    if (exp.card_expiry_spoken is None) != (not expiry):
        problems.append("card_expiry_spoken and the 'card_expiry' tag must go together")
    elif expiry and spoken_digits(turns[expiry[0]].text) != exp.card_expiry_spoken.replace("/", ""):  # type: ignore[union-attr]
        problems.append(f"card_expiry_spoken {exp.card_expiry_spoken!r} is not what turn {expiry[0]} says")
    if (exp.date_of_birth_spoken is None) != (not tagged("date_of_birth")):
        problems.append("date_of_birth_spoken and the 'date_of_birth' tag must go together")
    email = tagged("email")
    if (exp.email_spoken is None) != (not email):
        problems.append("email_spoken and the 'email' tag must go together")
    elif email:
        user, _, domain = exp.email_spoken.partition("@")  # type: ignore[union-attr]
        said = " ".join(user.split(".")) + " at " + " ".join(domain.split("."))
        for i in email:
            if said not in re.sub(r"[^a-z ]", "", turns[i].text.lower()).replace(" dot ", " "):
                problems.append(f"turn {i} does not spell out {exp.email_spoken!r}")
    return problems


def _format_validation(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = " -> ".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{path}: [{loc}] {err['msg']}")
    return "\n".join(lines)


def load_dialogues(path: str | Path) -> DialogueFile:
    """Read and validate a dialogue file; raises :class:`ConfigError` as ``FILE: [path -> field] message``."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the dialogue file ({exc}); give an existing YAML file") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}); fix the syntax") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [(top level)] expected a mapping with 'dialogues', got {type(raw).__name__}")
    try:
        return DialogueFile.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_validation(path, exc)) from None


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class RenderOptions:
    """How calls are rendered (defaults give the bundled samples)."""

    agent_channel: int = 0  # 0 = left; the documented default of the pipeline
    lead_in_s: float = 0.0  # extra silence before the first turn's pause
    tail_s: float = 0.8  # silence after the last turn
    peak: float = 0.45  # each turn's peak level (two overlapping turns stay below full scale)
    trim_threshold: float = 0.02  # of the turn's peak: what counts as silence when trimming
    trim_pad_s: float = 0.02
    mp3_bitrate: str = "32k"
    opus_bitrate: str = "24k"


@dataclass(frozen=True)
class PlacedTurn:
    """One turn on the call's timeline (seconds from the start of the recording)."""

    idx: int
    speaker: Party
    start_s: float
    end_s: float
    text: str
    tags: tuple[str, ...] = ()
    sentiment: Sentiment | None = None
    hold_before_s: float | None = None
    overlap_s: float | None = None


@dataclass(frozen=True)
class RenderedCall:
    id: str
    file: str
    format: AudioFormat
    channels: int
    sample_rate: int
    agent_channel: int | None
    duration_s: float
    size_bytes: int
    turns: tuple[PlacedTurn, ...]
    holds: tuple[tuple[float, float], ...]

    def timeline_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "format": self.format,
            "channels": self.channels,
            "sample_rate": self.sample_rate,
            "agent_channel": self.agent_channel,
            "duration_s": self.duration_s,
            "holds": [list(h) for h in self.holds],
            "turns": [
                {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(t).items() if v is not None}
                for t in self.turns
            ],
        }


def require_tools(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} not found on PATH; the sample calls are rendered with espeak-ng and encoded "
            "with ffmpeg — install them (Debian/Ubuntu: apt-get install espeak-ng ffmpeg)"
        )


def espeak_version() -> str:
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=False).stdout
    m = re.search(r"eSpeak NG text-to-speech: (\S+)", out)
    return m.group(1) if m else "unknown"


def synthesize(text: str, voice: VoiceSpec) -> tuple[np.ndarray, int]:
    """Speak ``text`` with espeak-ng; returns (float32 mono samples, sample rate)."""
    with tempfile.TemporaryDirectory(prefix="qa-tts-") as tmp:
        wav = Path(tmp) / "turn.wav"
        cmd = [
            "espeak-ng",
            "-v",
            voice.voice,
            "-s",
            str(voice.speed),
            "-p",
            str(voice.pitch),
            "-w",
            str(wav),
            "--",
            text,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not wav.exists():
            raise ConfigError(
                f"espeak-ng failed for voice {voice.voice!r} (exit {proc.returncode}: {proc.stderr.strip()}); "
                "check the voice name with `espeak-ng --voices=en`"
            )
        samples, rate = sf.read(wav, dtype="float32", always_2d=False)
    if samples.ndim > 1:
        samples = samples.mean(axis=1)
    return samples.astype(np.float32), int(rate)


def trim_and_level(samples: np.ndarray, rate: int, options: RenderOptions) -> np.ndarray:
    """Cut leading/trailing silence (keeping a short pad) and scale to ``options.peak``."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak == 0.0:
        raise ConfigError("espeak-ng produced silence for a turn; check that its text is speakable")
    loud = np.flatnonzero(np.abs(samples) > options.trim_threshold * peak)
    pad = int(options.trim_pad_s * rate)
    start, end = max(0, int(loud[0]) - pad), min(samples.size, int(loud[-1]) + pad + 1)
    return (samples[start:end] * (options.peak / peak)).astype(np.float32)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    if src_rate == dst_rate:
        return samples
    g = np.gcd(src_rate, dst_rate)
    return resample_poly(samples, dst_rate // g, src_rate // g).astype(np.float32)


def layout(
    turns: Sequence[TurnSpec],
    lengths: Sequence[int],
    rate: int,
    *,
    default_pause_s: float = 0.6,
    lead_in_s: float = 0.0,
) -> list[tuple[int, int]]:
    """Start and end sample of every turn, given each turn's length in samples.

    A turn starts ``pause_before_s`` (or ``hold_s``, or ``default_pause_s``)
    after the latest end so far, or ``overlap_s`` before the end of the turn
    just before it.  Pure: used by the renderer and by tests.
    """
    placed: list[tuple[int, int]] = []
    cursor = round(lead_in_s * rate)
    for _i, (turn, n) in enumerate(zip(turns, lengths, strict=True)):
        if turn.overlap_s is not None and placed:
            prev_start, prev_end = placed[-1]
            start = max(prev_start + 1, prev_end - round(turn.overlap_s * rate))
        else:
            gap = (
                turn.hold_s
                if turn.hold_s is not None
                else (turn.pause_before_s if turn.pause_before_s is not None else default_pause_s)
            )
            start = cursor + round(gap * rate)
        placed.append((start, start + n))
        cursor = max(cursor, start + n)
    return placed


def render_audio(
    dialogue: DialogueSpec, *, default_pause_s: float = 0.6, options: RenderOptions = RenderOptions()
) -> tuple[np.ndarray, list[PlacedTurn], list[tuple[float, float]]]:
    """Render a dialogue to ``(channels, n)`` float32 at its sample rate, with its timeline."""
    rate = dialogue.render.sample_rate
    voices = {"agent": dialogue.render.agent_voice, "customer": dialogue.render.customer_voice}
    clips: list[np.ndarray] = []
    for turn in dialogue.turns:
        raw, tts_rate = synthesize(turn.text, voices[turn.speaker])
        clips.append(resample(trim_and_level(raw, tts_rate, options), tts_rate, rate))
    spans = layout(
        dialogue.turns, [c.size for c in clips], rate, default_pause_s=default_pause_s, lead_in_s=options.lead_in_s
    )
    total = max(end for _, end in spans) + round(options.tail_s * rate)
    stereo = np.zeros((2, total), dtype=np.float32)
    agent_ch = options.agent_channel
    for turn, clip, (start, end) in zip(dialogue.turns, clips, spans):
        ch = agent_ch if turn.speaker == "agent" else 1 - agent_ch
        stereo[ch, start:end] += clip
    audio = stereo if dialogue.render.channels == "stereo" else stereo.sum(axis=0, keepdims=True)
    placed = [
        PlacedTurn(
            idx=i,
            speaker=t.speaker,
            start_s=round(s / rate, 4),
            end_s=round(e / rate, 4),
            text=t.text,
            tags=t.tags,
            sentiment=t.sentiment,
            hold_before_s=t.hold_s,
            overlap_s=t.overlap_s,
        )
        for i, (t, (s, e)) in enumerate(zip(dialogue.turns, spans))
    ]
    holds = []
    for i, t in enumerate(dialogue.turns):
        if t.hold_s is not None:
            before = max((e for _, e in spans[:i]), default=0)
            holds.append((round(before / rate, 4), round(spans[i][0] / rate, 4)))
    return np.clip(audio, -1.0, 1.0), placed, holds


def encode(
    audio: np.ndarray, rate: int, fmt: AudioFormat, path: Path, options: RenderOptions = RenderOptions()
) -> None:
    """Write ``(channels, n)`` float audio to ``path`` (atomically), bit-exact where the codec allows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = np.round(np.clip(audio.T, -1.0, 1.0) * 32767).astype("<i2")
    tmp = path.with_name(f".{path.name}.tmp{EXTENSIONS[fmt]}")
    try:
        if fmt == "wav":
            sf.write(tmp, pcm, rate, subtype="PCM_16", format="WAV")
        else:
            codec = {
                "flac": ["-c:a", "flac", "-compression_level", "12"],
                "mp3": ["-c:a", "libmp3lame", "-b:a", options.mp3_bitrate],
                "ogg": ["-c:a", "libopus", "-b:a", options.opus_bitrate, "-application", "voip"],
            }[fmt]
            buf = io.BytesIO()
            sf.write(buf, pcm, rate, subtype="PCM_16", format="WAV")
            cmd = [
                "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "wav", "-i", "pipe:0", "-map_metadata", "-1",
                *codec, "-fflags", "+bitexact", "-flags:a", "+bitexact", str(tmp),
            ]  # fmt: skip
            proc = subprocess.run(cmd, input=buf.getvalue(), capture_output=True, check=False)
            if proc.returncode != 0:
                raise ConfigError(f"ffmpeg could not write {path} ({proc.stderr.decode(errors='replace').strip()})")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def render_call(
    dialogue: DialogueSpec, out_dir: Path, *, default_pause_s: float = 0.6, options: RenderOptions = RenderOptions()
) -> RenderedCall:
    audio, placed, holds = render_audio(dialogue, default_pause_s=default_pause_s, options=options)
    path = out_dir / dialogue.filename
    encode(audio, dialogue.render.sample_rate, dialogue.render.format, path, options)
    logger.info("rendered %s (%.1f s)", path, audio.shape[1] / dialogue.render.sample_rate)
    return RenderedCall(
        id=dialogue.id,
        file=dialogue.filename,
        format=dialogue.render.format,
        channels=audio.shape[0],
        sample_rate=dialogue.render.sample_rate,
        agent_channel=options.agent_channel if audio.shape[0] == 2 else None,
        duration_s=round(audio.shape[1] / dialogue.render.sample_rate, 4),
        size_bytes=path.stat().st_size,
        turns=tuple(placed),
        holds=tuple(holds),
    )


def write_manifest(dialogues: Iterable[DialogueSpec], path: Path) -> None:
    """The ingest manifest: one row per recording, columns :data:`MANIFEST_COLUMNS`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for d in dialogues:
        m = d.metadata
        writer.writerow(
            [
                d.filename,
                m.agent_id,
                m.agent_name,
                m.queue,
                m.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                m.direction,
                m.customer_ref,
            ]
        )
    path.write_text(buf.getvalue(), encoding="utf-8")


def make_samples(
    dialogue_path: str | Path,
    out_dir: str | Path,
    *,
    only: Sequence[str] = (),
    options: RenderOptions = RenderOptions(),
) -> list[RenderedCall]:
    """Render the dialogues to ``out_dir`` with ``manifest.csv`` and ``timelines.json``.

    ``only`` renders a subset; the manifest and timelines then still list every
    dialogue whose recording exists in ``out_dir`` (timelines of calls not
    re-rendered are kept from the existing file).
    """
    require_tools("espeak-ng", "ffmpeg")
    spec = load_dialogues(dialogue_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chosen = [spec.get(i) for i in only] if only else list(spec.dialogues)
    rendered = [render_call(d, out, default_pause_s=spec.default_pause_s, options=options) for d in chosen]

    timelines_path = out / TIMELINES_NAME
    old: dict[str, object] = {}
    if only and timelines_path.exists():
        try:
            old = json.loads(timelines_path.read_text(encoding="utf-8")).get("calls", {})
        except (OSError, ValueError):
            old = {}
    calls = {d.id: old[d.id] for d in spec.dialogues if d.id in old and (out / d.filename).exists()}
    calls.update({r.id: r.timeline_json() for r in rendered})
    ordered = {d.id: calls[d.id] for d in spec.dialogues if d.id in calls}
    doc = {"generator": f"qa-pipeline samples make (espeak-ng {espeak_version()})", "calls": ordered}
    timelines_path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    write_manifest([d for d in spec.dialogues if d.id in ordered], out / MANIFEST_NAME)
    return rendered


def load_timelines(out_dir: str | Path) -> dict[str, dict[str, object]]:
    """The ground truth written by :func:`make_samples`, keyed by dialogue id."""
    path = Path(out_dir) / TIMELINES_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))["calls"]
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"{path}: cannot read the sample timelines ({exc}); run `qa-pipeline samples make --out {path.parent}`",
            path=str(path),
        ) from exc
