"""Who-said-what on real calls: score the pipeline's speaker attribution against reference turns.

``qa-pipeline bench attribution DIR`` reads every call in ``DIR`` that has a
reference next to its audio — ``<stem>.turns.json`` (a list of ``{speaker,
start, end, text}``; speaker ``agent`` / ``customer`` / anything else for a
third voice) or ``<stem>.rttm`` (timing only: no WER) — runs the real
pipeline stage (:func:`qa_pipeline.pipeline.transcribe_recording`) and scores:

* **per-role WER** — the reference words of each role against the recognised
  words given that role (``unknown`` words are in neither): a word on the
  wrong role is a deletion on one side and an insertion on the other, so a
  role error counts as word errors.  Summed edits over all reference words.
* **speaker-blind WER** — all reference words against all recognised words.
* **turns on the right role** — a reference turn is right when most of the
  recognised words whose midpoint lies inside it (±0.3 s) carry its role;
  turns with no recognised word count as wrong (reported apart as *empty*).
* **DER** — frame-based (10 ms) diarization error rate, see :func:`der`.

Each stereo call can be scored three ways (``--variants``): as recorded,
with its channels swapped, and mixed down to mono.  Wall time and peak RSS of
the process are reported per variant.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np

from qa_pipeline.asr.evaluate import WordErrors, normalize, word_errors
from qa_pipeline.audio import DecodedAudio, decode
from qa_pipeline.conversation import Conversation
from qa_pipeline.errors import InputError

logger = logging.getLogger("qa_pipeline.attribution_eval")

Variant = Literal["stereo", "swapped", "mono"]
VARIANTS: tuple[Variant, ...] = ("stereo", "swapped", "mono")
ROLES = ("agent", "customer")
AUDIO_SUFFIXES = (".wav", ".mp3", ".flac", ".ogg", ".m4a")


@dataclass(frozen=True)
class RefTurn:
    speaker: str
    start: float
    end: float
    text: str = ""


@dataclass(frozen=True)
class RefCall:
    name: str
    audio: Path
    turns: tuple[RefTurn, ...]
    has_text: bool


# --------------------------------------------------------------------------- references


def read_turns_json(path: Path) -> tuple[RefTurn, ...]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{path}: not a readable turns JSON ({exc}); expected a list of {{speaker, start, end, text}}"
        ) from exc
    if isinstance(data, dict):
        data = data.get("turns", data)
    if not isinstance(data, list):
        raise InputError(
            f"{path}: top level is {type(data).__name__}; expected a list of turns {{speaker, start, end, text}}"
        )
    turns = []
    for i, t in enumerate(data):
        try:
            turns.append(RefTurn(str(t["speaker"]).lower(), float(t["start"]), float(t["end"]), str(t.get("text", ""))))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: turn {i} is {t!r}; every turn needs speaker, start and end (seconds)") from exc
    return tuple(sorted(turns, key=lambda t: (t.start, t.end)))


def read_rttm(path: Path) -> tuple[RefTurn, ...]:
    turns = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts or parts[0] != "SPEAKER":
            continue
        try:
            start, dur, spk = float(parts[3]), float(parts[4]), parts[7].lower()
        except (IndexError, ValueError) as exc:
            raise InputError(
                f"{path}:{n}: {line!r} is not an RTTM SPEAKER line (onset in field 4, duration in 5, name in 8)"
            ) from exc
        turns.append(RefTurn(spk, start, start + dur))
    return tuple(sorted(turns, key=lambda t: (t.start, t.end)))


def find_reference_calls(folder: Path) -> list[RefCall]:
    """Every ``<stem>.turns.json`` / ``<stem>.rttm`` in ``folder`` with an audio file of the same stem."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            f"{folder}: not a folder; give a folder of audio files with <stem>.turns.json or <stem>.rttm references"
        )
    calls = []
    for ref in sorted([*folder.glob("*.turns.json"), *folder.glob("*.rttm")]):
        stem = ref.name[: -len(".turns.json")] if ref.name.endswith(".turns.json") else ref.stem
        audio = next((folder / f"{stem}{s}" for s in AUDIO_SUFFIXES if (folder / f"{stem}{s}").exists()), None)
        if audio is None:
            raise InputError(
                f"{ref}: no audio next to it ({stem}.wav / .mp3 / .flac / .ogg / .m4a); put the recording beside its reference"
            )
        turns = read_turns_json(ref) if ref.name.endswith(".json") else read_rttm(ref)
        calls.append(RefCall(stem, audio, turns, has_text=any(t.text.strip() for t in turns)))
    if not calls:
        raise InputError(f"{folder}: no <stem>.turns.json or <stem>.rttm references found")
    return calls


# --------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class CallScore:
    name: str
    variant: str
    role_errors: WordErrors | None  # None without reference text
    blind_errors: WordErrors | None
    turns: int
    turns_right: int
    turns_empty: int
    der: float
    utterances: int
    unknown_words: int
    words: int
    wall_s: float
    audio_s: float
    decision: str = ""
    cpu_s: float = 0.0  # process CPU seconds (all threads): robust to other jobs on the machine

    @property
    def turn_share(self) -> float:
        return self.turns_right / self.turns if self.turns else 0.0


def _hyp_words(conversation: Conversation) -> list[tuple[str, float, float, str]]:
    out: list[tuple[str, float, float, str]] = []
    for u in conversation.utterances:
        if u.words:
            out.extend((u.speaker, w.start, w.end, w.text.strip()) for w in u.words if w.text.strip())
        else:
            out.append((u.speaker, u.start_s, u.end_s, u.text))
    return out


def per_role_errors(turns: Sequence[RefTurn], conversation: Conversation) -> WordErrors:
    total = WordErrors(0, 0)
    for role in ROLES:
        ref = " ".join(normalize(t.text) for t in turns if t.speaker == role)
        hyp = " ".join(normalize(u.text) for u in conversation.utterances if u.speaker == role)
        total = total + word_errors(ref, hyp)
    # reference words of other voices (a third party) are scored against nothing: deletions
    other = " ".join(normalize(t.text) for t in turns if t.speaker not in ROLES)
    if other.strip():
        total = total + word_errors(other, "")
    return total


def blind_errors(turns: Sequence[RefTurn], conversation: Conversation) -> WordErrors:
    ref = " ".join(normalize(t.text) for t in turns)
    hyp = " ".join(normalize(u.text) for u in conversation.utterances)
    return word_errors(ref, hyp)


def turn_roles(
    turns: Sequence[RefTurn], words: Sequence[tuple[str, float, float, str]], tol: float = 0.3
) -> tuple[int, int]:
    """(right, empty): turns whose recognised words mostly carry the turn's role, and turns with none."""
    right = empty = 0
    mids = np.array([(s + e) / 2 for _, s, e, _ in words]) if words else np.zeros(0)
    for t in turns:
        idx = np.flatnonzero((mids >= t.start - tol) & (mids <= t.end + tol))
        if idx.size == 0:
            empty += 1
            continue
        votes: dict[str, int] = {}
        for i in idx.tolist():
            votes[words[i][0]] = votes.get(words[i][0], 0) + 1
        best = max(votes.items(), key=lambda kv: kv[1])
        if best[0] == t.speaker and list(votes.values()).count(best[1]) == 1:
            right += 1
    return right, empty


def der(
    turns: Sequence[RefTurn],
    hyp: Sequence[tuple[str, float, float]],
    duration_s: float,
    *,
    collar_s: float = 0.25,
    step_s: float = 0.01,
) -> float:
    """Diarization error rate on a 10 ms grid: (missed + false alarm + confusion) / reference speech.

    Reference speech is the union of the reference turns; hypothesis speech is
    each recognised word's span (``unknown`` words are speech of an unnamed
    voice).  Frames within ``collar_s`` of a reference turn boundary are not
    scored (the NIST convention).  Speakers are matched by role names (agent
    to agent): a swapped call is all confusion — which is the error that
    matters here, so no optimal relabelling is applied.  Overlapping
    reference speech counts once per speaker (each frame holds a set).
    """
    n = int(np.ceil(max(duration_s, max((t.end for t in turns), default=0.0)) / step_s)) + 1
    names = sorted({t.speaker for t in turns} | {h[0] for h in hyp})
    col = {s: i for i, s in enumerate(names)}
    ref = np.zeros((n, len(names)), dtype=bool)
    hy = np.zeros((n, len(names)), dtype=bool)
    scored = np.ones(n, dtype=bool)
    c = round(collar_s / step_s)
    for t in turns:
        a, b = int(t.start / step_s), int(np.ceil(t.end / step_s))
        ref[a:b, col[t.speaker]] = True
        if c:
            scored[max(0, a - c) : a + c] = False
            scored[max(0, b - c) : b + c] = False
    for spk, s, e in hyp:
        hy[int(s / step_s) : int(np.ceil(e / step_s)), col[spk]] = True
    ref, hy = ref[scored], hy[scored]
    nref, nhyp = ref.sum(axis=1), hy.sum(axis=1)
    correct = (ref & hy).sum(axis=1)
    total = nref.sum()
    if total == 0:
        return 0.0
    errors = np.maximum(nref, nhyp) - correct
    return float(errors.sum() / total)


def score_call(
    call: RefCall,
    variant: str,
    conversation: Conversation,
    wall_s: float,
    audio_s: float,
    decision: str = "",
    cpu_s: float = 0.0,
) -> CallScore:
    words = _hyp_words(conversation)
    right, empty = turn_roles(call.turns, words)
    hyp_spans = [(spk, s, e) for spk, s, e, _ in words]
    return CallScore(
        name=call.name,
        variant=variant,
        role_errors=per_role_errors(call.turns, conversation) if call.has_text else None,
        blind_errors=blind_errors(call.turns, conversation) if call.has_text else None,
        turns=len(call.turns),
        turns_right=right,
        turns_empty=empty,
        der=der(call.turns, hyp_spans, audio_s),
        utterances=len(conversation.utterances),
        unknown_words=sum(1 for w in words if w[0] == "unknown"),
        words=len(words),
        wall_s=wall_s,
        audio_s=audio_s,
        decision=decision,
        cpu_s=cpu_s,
    )


# --------------------------------------------------------------------------- running


def variant_audio(audio: DecodedAudio, variant: str) -> DecodedAudio | None:
    """The recording as scored in ``variant`` (None: a mono file has no stereo / swapped variant)."""
    if variant == "mono":
        return replace(audio, samples=audio.mono()[None, :])
    if audio.channels != 2:
        return None
    if variant == "swapped":
        return replace(audio, samples=np.ascontiguousarray(audio.samples[::-1]))
    return audio


@dataclass(frozen=True)
class VariantSummary:
    variant: str
    calls: int
    role_wer: float | None
    blind_wer: float | None
    turns: int
    turns_right: int
    turns_empty: int
    der: float
    wall_s: float
    audio_s: float
    peak_rss_mb: float
    cpu_s: float
    scores: tuple[CallScore, ...] = field(default=())

    @property
    def turn_share(self) -> float:
        return self.turns_right / self.turns if self.turns else 0.0


def summarise(variant: str, scores: Sequence[CallScore], peak_rss_mb: float) -> VariantSummary:
    with_text = [(s.role_errors, s.blind_errors) for s in scores if s.role_errors is not None]
    role = sum((r for r, _ in with_text), WordErrors(0, 0))
    blind = sum((b for _, b in with_text if b is not None), WordErrors(0, 0))
    audio_s = sum(s.audio_s for s in scores)
    return VariantSummary(
        variant=variant,
        calls=len(scores),
        role_wer=role.wer if with_text else None,
        blind_wer=blind.wer if with_text else None,
        turns=sum(s.turns for s in scores),
        turns_right=sum(s.turns_right for s in scores),
        turns_empty=sum(s.turns_empty for s in scores),
        der=float(np.average([s.der for s in scores], weights=[s.audio_s for s in scores])) if scores else 0.0,
        wall_s=sum(s.wall_s for s in scores),
        audio_s=audio_s,
        peak_rss_mb=peak_rss_mb,
        cpu_s=sum(s.cpu_s for s in scores),
        scores=tuple(scores),
    )


def run_variant(
    calls: Iterable[RefCall],
    variant: str,
    transcriber: object,
    options: object,
    *,
    agent_channels: Mapping[str, int] | None = None,
) -> list[CallScore]:
    """Transcribe and attribute every call as ``variant`` through the pipeline stage; score each."""
    from qa_pipeline.ingest import CallMetadata, Recording
    from qa_pipeline.pipeline import transcribe_recording

    scores = []
    for call in calls:
        audio = variant_audio(decode(call.audio), variant)
        if audio is None:
            continue
        rec = Recording(
            path=call.audio, call_id=f"{call.name}-{variant}", file_sha256="0" * 64, size=0, metadata=CallMetadata()
        )
        t0, c0 = time.perf_counter(), time.process_time()
        tc = transcribe_recording(rec, transcriber, options, audio=audio)  # type: ignore[arg-type]
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        decision = _decision_text(tc.record)
        scores.append(score_call(call, variant, tc.conversation, wall, audio.duration_s, decision, cpu))
        logger.info("%s %s: %d utterances, %.1f s", call.name, variant, len(tc.conversation.utterances), wall)
    return scores


def _decision_text(record: object) -> str:
    ch = getattr(record, "agent_channel", None)
    method = getattr(record, "agent_channel_method", None)
    conf = getattr(record, "agent_channel_confidence", None)
    if ch is None:
        return getattr(record, "attribution", "")
    out = f"agent=ch{ch}"
    if method:
        out += f" {method}"
    if conf is not None:
        out += f" {conf:.2f}"
    return out
