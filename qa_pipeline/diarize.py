"""Mono diarization fallback: who said each word when both parties share one channel.

Stereo calls carry one party per channel; mono recordings (and stereo files
whose channels hold the same mix) come here.  :func:`attribute_mono`

1. finds speech with Silero VAD (shipped in the faster-whisper wheel) and cuts
   it into pieces of at most 3 s that never span a pause;
2. describes each piece's voice: mean and spread of MFCCs (computed here with
   numpy/scipy, telephone band) and the median pitch (autocorrelation);
3. clusters the pieces into two voices with k-means, then refines that split
   with one small GMM per voice on the MFCC frames (re-segmentation) — or
   decides there is only one voice when the k-means clusters are not well
   separated (silhouette) or there is too little speech;
4. gives every Whisper word the voice of the piece(s) it overlaps, and splits
   ASR segments where the voice changes;
5. decides which voice is the agent from what each voice says (greeting,
   "thank you for calling", "my name is", the recording disclosure, "how can I
   help", …) against customer phrases, with who speaks first (the agent on an
   inbound call, the customer on an outbound one) as a tie-breaker.

Words whose voice is unclear, and every word of a call whose roles cannot be
told apart (one voice, or no cue and no opening speaker), get speaker
``"unknown"``.  No model is downloaded.  Measured accuracy and limits are in
``docs/diarization.md``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from scipy.fft import dct

from qa_pipeline.asr.base import SAMPLE_RATE, AsrSegment
from qa_pipeline.audio import Samples
from qa_pipeline.conversation import PartySegment, Speaker, Word, mean_confidence

logger = logging.getLogger("qa_pipeline.diarize")

RoleMethod = Literal["cues", "first_speaker", "cues_and_first_speaker", "undecided", "no_speech", "utterance_cues"]

# (pattern, weight): phrases that mark the agent's or the customer's side of a call
AGENT_CUES: tuple[tuple[str, float], ...] = (
    (r"\bthank(s| you) (you )?for (calling|holding|waiting|your patience)\b", 3.0),
    (r"\b(how|what) (can|may|could) i (help|do for you|assist)\b", 3.0),
    (r"\bcall (may|will|might) be recorded\b", 3.0),
    (r"\brecorded for (quality|training)\b", 2.0),
    (r"\bmy name is\b", 1.5),
    (r"\b(this is|you're speaking (to|with)|you are speaking (to|with))\b", 1.0),
    (r"^\W*(hello|hi|good (morning|afternoon|evening))?\W*[a-z]+ speaking\b", 1.5),
    (r"\bcalling from\b", 2.0),
    (
        r"\b(can|could|may) (i|you) (take|have|confirm|give me|verify)\b.{0,30}\b(name|password|date of birth|postcode|security)\b",
        2.5,
    ),
    (r"\b(put|place) you on hold\b", 2.0),
    (r"\bis there anything else\b", 2.0),
    (r"\b(i can see|on the account|on your account|your account)\b", 1.0),
    (r"\b(you're|you are) verified\b", 2.0),
    (r"\bhave a (lovely|good|great|nice) (day|afternoon|evening)\b", 1.0),
    (r"\b(did|does|has) that (solve|sort|fix|resolve)\b", 2.0),
    (r"\bi'?ll transfer you\b|\bi will transfer you\b", 1.5),
    # task-oriented service calls (bookings, orders, information desks)
    (r"\blet me (just )?(check|see|look|find|pull)\b", 1.0),
    (r"\b(your|the) (booking|reservation|reference|confirmation|order|ticket) (number |code )?(is|will be)\b", 1.5),
    (r"\bwould you like (me to|to (book|make|reserve|order))\b", 1.0),
    (r"\b(sure|certainly|of course),? (you can |please )?go ahead\b", 1.0),
    (r"\banything else (i|we) can (help|do|assist)\b", 1.5),
)
CUSTOMER_CUES: tuple[tuple[str, float], ...] = (
    (r"\bi('m| am) calling (about|because|to)\b", 2.5),
    (r"\bi('d| would) like to (cancel|change|pay|complain|close|move|report)\b", 1.5),
    (r"\b(speak|talk) to (a|your) (supervisor|manager)\b", 2.5),
    (r"\bmy (bill|internet|phone|line|box|contract|broadband|account|payment|router|signal)\b", 1.0),
    (r"\b(the|my) password is\b", 2.0),
    (r"\bmy date of birth is\b", 2.0),
    (r"\bthat's (everything|all)\b", 1.0),
    (r"\bthanks for your help\b|\bthank you for your help\b", 1.5),
    (r"\bi('m| am) (looking for|trying to (find|book|get))\b", 1.5),
    (r"\bi need (your|some) (help|assistance)\b|\bcan you help me\b", 2.0),
    (r"\bi (want|need|would like|'d like) to (book|reserve|order|know|find)\b", 1.5),
)


@dataclass(frozen=True)
class DiarizeOptions:
    """Settings of the mono fallback (defaults measured on the sample calls, see docs/diarization.md)."""

    # speech detection (Silero)
    vad_threshold: float = 0.5
    min_silence_ms: int = 200
    speech_pad_ms: int = 30
    # voice pieces: speech stretches cut to at most this length
    unit_max_s: float = 3.0
    unit_min_s: float = 1.0
    min_units: int = 16
    n_mels: int = 40
    n_mfcc: int = 20
    fmin_hz: float = 60.0
    fmax_hz: float = 3800.0  # telephone band: an 8 kHz recording has nothing above 4 kHz
    pitch_share: float = 0.5  # variance of the pitch feature against all MFCCs together (1 = as much)
    # voice features: "ge2e" (resemblyzer's speaker encoder, see qa_pipeline/speaker_embed.py) or
    # "mfcc" (the hand-made MFCC mean/spread + pitch of this module); measured in docs/diarization.md
    voice_features: Literal["ge2e", "mfcc"] = "ge2e"
    # two voices or one: silhouette of the MFCC split (also with GE2E labels)
    min_silhouette: float = 0.2
    min_speech_s: float = 20.0  # less speech than this is not split into two voices
    min_minor_share: float = 0.08
    # GMM re-segmentation after k-means (0 rounds = off)
    reseg_rounds: int = 4
    gmm_components: int = 8
    gmm_max_frames: int = 20000
    # word attribution
    min_word_margin: float = 0.15
    max_snap_s: float = 0.6
    # roles
    single_voice: Literal["unknown", "cues"] = "unknown"  # one voice found: all unknown, or a party if cues are clear
    direction: Literal["inbound", "outbound"] | None = None
    first_speaker_weight: float = 1.0
    min_role_score: float = 0.9
    role_turns: int = 8  # cues are read from each voice's first N stretches of speech
    # per-utterance text cues: a sentence whose own cue weight reaches this is given that role
    # whatever its voice says (a strong "how can I help" is the agent's), and when the voices
    # cannot be told apart or their roles not decided, every sentence with cues gets its role alone
    utterance_cue: float = 2.5
    undecided_utterance_cue: float = 1.0


@dataclass(frozen=True)
class VoicePiece:
    """A piece of speech (≤ ``unit_max_s``) and the voice it was given, with a 0..1 margin."""

    start_s: float
    end_s: float
    voice: int
    margin: float


@dataclass(frozen=True)
class RoleDecision:
    """Which voice is the agent, and why."""

    agent_voice: int | None
    method: RoleMethod
    score: float  # > 0 favours the decision taken; compared with min_role_score
    cue_scores: tuple[float, float] = (0.0, 0.0)  # agent-minus-customer cue weight per voice
    first_voice: int | None = None


@dataclass(frozen=True)
class MonoDiarization:
    segments: tuple[PartySegment, ...]
    voices: int  # 0 (no speech), 1 or 2
    silhouette: float | None
    pieces: tuple[VoicePiece, ...]
    roles: RoleDecision
    speech_s: float
    voice_share: tuple[float, ...] = field(default=())
    pitch_gap_st: float | None = None  # median pitch difference of the two clusters, in semitones


# --------------------------------------------------------------------------- speech and features


VAD_WINDOW_S = 20 * 60.0  # Silero runs on at most this much audio at once (a shorter call: all of it)


def speech_regions(audio: Samples, options: DiarizeOptions = DiarizeOptions()) -> list[tuple[float, float]]:
    """Speech stretches (seconds) found by Silero VAD, split at pauses of ``min_silence_ms``.

    A long recording is read :data:`VAD_WINDOW_S` at a time; a stretch cut by a window edge is joined again."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    vad = VadOptions(
        threshold=options.vad_threshold,
        min_speech_duration_ms=100,
        min_silence_duration_ms=options.min_silence_ms,
        speech_pad_ms=options.speech_pad_ms,
    )
    window = int(VAD_WINDOW_S * SAMPLE_RATE)
    regions: list[tuple[float, float]] = []
    for a in range(0, audio.size, window):
        chunk = np.ascontiguousarray(audio[a : a + window], dtype=np.float32)
        for k, st in enumerate(get_speech_timestamps(chunk, vad)):
            start, end = (a + st["start"]) / SAMPLE_RATE, (a + st["end"]) / SAMPLE_RATE
            if k == 0 and a > 0 and regions and start - regions[-1][1] < options.min_silence_ms / 1000:
                regions[-1] = (regions[-1][0], end)
            else:
                regions.append((start, end))
    return regions


def _frames(x: np.ndarray, size: int, hop: int) -> np.ndarray:
    if x.size < size:
        x = np.pad(x, (0, size - x.size))
    n = 1 + (x.size - size) // hop
    return np.lib.stride_tricks.sliding_window_view(x, size)[::hop][:n]


def _mel_filterbank(n_mels: int, n_fft: int, sr: int, fmin: float, fmax: float) -> np.ndarray:
    def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    bins = np.fft.rfftfreq(n_fft, 1.0 / sr)
    fb = np.zeros((n_mels, bins.size))
    for i in range(n_mels):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        up = (bins - lo) / (mid - lo)
        down = (hi - bins) / (hi - mid)
        fb[i] = np.maximum(0.0, np.minimum(up, down))
    return fb


@dataclass(frozen=True, eq=False)
class FrameFeatures:
    """Per-frame (10 ms hop) voice features of a whole recording."""

    hop_s: float
    mfcc: np.ndarray  # (frames, n_mfcc - 1), c0 dropped
    log_energy: np.ndarray  # (frames,)
    log_f0: np.ndarray  # (frames,), NaN where unvoiced


def frame_features(
    audio: Samples, options: DiarizeOptions = DiarizeOptions(), *, block_s: float = 60.0
) -> FrameFeatures:
    """MFCCs (25 ms frames) and autocorrelation pitch (40 ms frames), both on a 10 ms hop.

    Computed in blocks of ``block_s`` seconds so that an hour-long call never
    holds its whole frame matrix at once (peak memory: docs/diarization.md).
    """
    sr, hop = SAMPLE_RATE, SAMPLE_RATE // 100
    size = audio.size
    n_frames = 1 + max(0, size - 400) // hop
    per_block = max(1, int(block_s * 100))
    fb = _mel_filterbank(options.n_mels, 512, sr, options.fmin_hz, options.fmax_hz).T
    window = np.hanning(400).astype(np.float32)
    lo, hi = sr // 400, sr // 60
    lags = 1.0 - np.arange(lo, hi) / 640.0
    mfccs, energies, acs0, bests, peaks = [], [], [], [], []
    for a in range(0, n_frames, per_block):
        b = min(n_frames, a + per_block)
        # read only this block (plus the sample before it, for the pre-emphasis): a long call is never whole
        first, last = a * hop, (b - 1) * hop + 640
        xb = np.asarray(audio[max(0, first - 1) : last], dtype=np.float32)
        if first == 0:
            x = xb
            emph = np.append(xb[:1], xb[1:] - 0.97 * xb[:-1])
        else:
            x = xb[1:]
            emph = xb[1:] - 0.97 * xb[:-1]
        seg = emph[: (b - 1) * hop + 400 - first]
        frames = _frames(seg, 400, hop)[: b - a] * window
        power = np.abs(np.fft.rfft(frames, n=512)) ** 2
        log_mel = np.log(power @ fb + 1e-10)
        mfccs.append(dct(log_mel, type=2, axis=1, norm="ortho")[:, 1 : options.n_mfcc].astype(np.float32))
        energies.append(np.log(np.sum(frames.astype(np.float64) ** 2, axis=1) + 1e-10))
        # pitch: normalised autocorrelation peak between 60 and 400 Hz
        pf = _frames(x, 640, hop)[: b - a].astype(np.float64)
        pf = pf - pf.mean(axis=1, keepdims=True)
        ac = np.fft.irfft(np.abs(np.fft.rfft(pf, n=2048)) ** 2, n=2048)[:, :320]
        energy = ac[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            norm = ac[:, lo:hi] / (energy[:, None] * lags)
        best = np.nanargmax(np.where(np.isfinite(norm), norm, -np.inf), axis=1)
        acs0.append(energy.copy())  # a copy: a view would keep the block's whole autocorrelation alive
        bests.append(best)
        peaks.append(norm[np.arange(norm.shape[0]), best])
    mfcc = np.concatenate(mfccs) if mfccs else np.zeros((0, options.n_mfcc - 1), np.float32)
    log_energy = np.concatenate(energies) if energies else np.zeros(0)
    energy = np.concatenate(acs0) if acs0 else np.zeros(0)
    best = np.concatenate(bests) if bests else np.zeros(0, int)
    peak = np.concatenate(peaks) if peaks else np.zeros(0)
    loud = energy > (np.max(energy) * 1e-4 if energy.size else 0.0)
    voiced = loud & (peak > 0.5)
    log_f0 = np.where(voiced, np.log2(sr / (best + lo)), np.nan)
    n = min(mfcc.shape[0], log_f0.shape[0])
    return FrameFeatures(hop_s=hop / sr, mfcc=mfcc[:n], log_energy=log_energy[:n], log_f0=log_f0[:n])


def speech_pieces(regions: Sequence[tuple[float, float]], options: DiarizeOptions) -> list[tuple[float, float]]:
    """Speech stretches cut into equal pieces of at most ``unit_max_s`` (a short stretch stays whole).

    Short recordings get shorter pieces (down to ``unit_min_s``) so that there
    are enough of them to cluster.
    """
    speech = sum(e - s for s, e in regions)
    longest = min(options.unit_max_s, max(options.unit_min_s, speech / options.min_units))
    out: list[tuple[float, float]] = []
    for start, end in regions:
        n = max(1, int(np.ceil((end - start) / longest)))
        step = (end - start) / n
        out.extend((start + i * step, start + (i + 1) * step) for i in range(n))
    return out


def piece_features(feats: FrameFeatures, pieces: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Per piece: mean and spread of the MFCCs of its louder frames, and its median log2-pitch (NaN if unvoiced)."""
    rows: list[np.ndarray] = []
    pitches: list[float] = []
    for s, e in pieces:
        a = int(s / feats.hop_s)
        b = max(a + 1, int(np.ceil(e / feats.hop_s)))
        m = feats.mfcc[_loud_frames(feats, s, e)]
        rows.append(np.concatenate([m.mean(axis=0), m.std(axis=0)]))
        f0 = feats.log_f0[a:b]
        f0 = f0[np.isfinite(f0)]
        pitches.append(float(np.median(f0)) if f0.size >= 3 else np.nan)
    mfcc = np.vstack(rows) if rows else np.zeros((0, 2 * feats.mfcc.shape[1]))
    return mfcc, np.asarray(pitches, dtype=float)


def _loud_frames(feats: FrameFeatures, start_s: float, end_s: float) -> np.ndarray:
    """Indices of the frames of ``[start_s, end_s)`` within 30 dB of its loudest frame."""
    nfr = feats.mfcc.shape[0]
    a = min(nfr - 1, int(start_s / feats.hop_s))
    b = max(a + 1, min(nfr, int(np.ceil(end_s / feats.hop_s))))
    energy = feats.log_energy[a:b]
    return np.flatnonzero(energy >= np.max(energy) - np.log(1e3)) + a


def feature_matrix(mfcc: np.ndarray, log_f0: np.ndarray, options: DiarizeOptions) -> np.ndarray:
    """Standardised columns; the MFCC block scaled to total variance 1, the pitch column to ``pitch_share``."""
    pitch = log_f0
    if np.isfinite(pitch).any():
        pitch = np.where(np.isfinite(pitch), pitch, np.nanmedian(pitch))
    else:
        pitch = np.zeros_like(pitch)
    mfcc_z = _zscore(mfcc) / np.sqrt(max(1, mfcc.shape[1]))
    pitch_z = _zscore(pitch[:, None]) * np.sqrt(options.pitch_share)
    return np.hstack([mfcc_z, pitch_z])


def _zscore(m: np.ndarray) -> np.ndarray:
    if m.shape[0] == 0:
        return m
    sd = m.std(axis=0)
    return (m - m.mean(axis=0)) / np.where(sd > 1e-9, sd, 1.0)


# --------------------------------------------------------------------------- clustering


def two_voices(x: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, float | None]:
    """k-means with k=2 (deterministic); returns labels, margins in 0..1, and the silhouette score."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if x.shape[0] < 4:
        return np.zeros(x.shape[0], dtype=int), np.ones(x.shape[0]), None
    km = KMeans(n_clusters=2, n_init=10, random_state=0).fit(x, sample_weight=weights)
    labels = km.labels_.astype(int)
    if len(set(labels.tolist())) < 2:
        return labels, np.ones(x.shape[0]), None
    d = np.linalg.norm(x[:, None, :] - km.cluster_centers_[None, :, :], axis=2)
    own = d[np.arange(len(labels)), labels]
    other = d[np.arange(len(labels)), 1 - labels]
    margins = (other - own) / np.maximum(other + own, 1e-9)
    sil = float(silhouette_score(x, labels))
    return labels, margins, sil


def resegment(
    feats: FrameFeatures,
    pieces: Sequence[tuple[float, float]],
    labels: np.ndarray,
    margins: np.ndarray,
    options: DiarizeOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """Refine piece labels: fit a diagonal GMM on each voice's MFCC frames and re-assign every piece
    to the voice whose GMM explains its frames better (a few rounds, until nothing changes).

    Returns labels and margins in 0..1 (``tanh`` of the per-frame log-likelihood difference).
    """
    from sklearn.mixture import GaussianMixture

    frames = [_loud_frames(feats, s, e) for s, e in pieces]
    mfcc = feats.mfcc
    for _ in range(options.reseg_rounds):
        models = []
        for k in (0, 1):
            idx = [frames[i] for i in range(len(pieces)) if labels[i] == k]
            if not idx:
                return labels, margins
            rows = np.concatenate(idx)
            if rows.size < options.gmm_components * 10:
                return labels, margins
            step = max(1, rows.size // options.gmm_max_frames)
            models.append(
                GaussianMixture(
                    options.gmm_components, covariance_type="diag", reg_covar=1e-3, random_state=0, max_iter=100
                ).fit(mfcc[rows[::step]])
            )
        ll = np.array([[m.score(mfcc[f]) for m in models] for f in frames])
        new = ll.argmax(axis=1)
        margins = np.tanh(np.abs(ll[:, 0] - ll[:, 1]))
        if np.array_equal(new, labels) or len(set(new.tolist())) < 2:
            break
        labels = new
    return labels, margins


# --------------------------------------------------------------------------- words


def _word_voice(word: Word, voiced: Sequence[VoicePiece], options: DiarizeOptions) -> tuple[int, float]:
    votes = np.zeros(2)
    for w in voiced:
        if w.voice < 0:
            continue
        ov = min(word.end, w.end_s) - max(word.start, w.start_s)
        if ov > 0:
            votes[w.voice] += ov * (0.25 + w.margin)
    if votes.sum() == 0:  # the word sits outside detected speech: take the nearest window
        best, dist = None, options.max_snap_s
        mid = (word.start + word.end) / 2
        for w in voiced:
            if w.voice < 0:
                continue
            d = max(w.start_s - mid, mid - w.end_s, 0.0)
            if d <= dist:
                best, dist = w, d
        if best is None:
            return -1, 0.0
        return best.voice, best.margin
    voice = int(np.argmax(votes))
    return voice, float((votes[voice] - votes[1 - voice]) / votes.sum())


def _runs(seg: AsrSegment, voices: Sequence[int]) -> list[tuple[int, tuple[Word, ...]]]:
    runs: list[tuple[int, list[Word]]] = []
    for word, v in zip(seg.words, voices):
        if runs and runs[-1][0] == v:
            runs[-1][1].append(word)
        else:
            runs.append((v, [word]))
    return [(v, tuple(ws)) for v, ws in runs]


def _join_words(words: Sequence[Word]) -> str:
    """Words back into text (the ASR layer strips each word's leading space)."""
    return " ".join(w.text.strip() for w in words if w.text.strip())


def _opening_voice(regions: Sequence[tuple[float, float]], voiced: Sequence[VoicePiece]) -> int | None:
    """The voice holding most of the first stretch of speech (more robust than the first piece alone)."""
    if not regions or not voiced:
        return None
    start, end = regions[0]
    votes = np.zeros(2)
    for w in voiced:
        if w.voice >= 0 and w.start_s < end and w.end_s > start:
            votes[w.voice] += min(w.end_s, end) - max(w.start_s, start)
    return int(np.argmax(votes)) if votes.sum() > 0 else None


def _absorb_unknown(voices: list[int], words: Sequence[Word]) -> list[int]:
    """A word of unclear voice between two words of the same voice, close in time, takes that voice."""
    out = list(voices)
    for i in range(1, len(out) - 1):
        if out[i] < 0 and out[i - 1] >= 0 and out[i - 1] == out[i + 1] and words[i + 1].start - words[i - 1].end < 1.0:
            out[i] = out[i - 1]
    return out


SENTENCE_END = re.compile(r"[.?!]['\")\]]*$")


def sentence_runs(words: Sequence[Word], max_pause_s: float = 1.0) -> list[tuple[Word, ...]]:
    """Words cut after every sentence end (``.``, ``?``, ``!``) and at pauses of ``max_pause_s`` or longer."""
    out: list[list[Word]] = []
    ended = True
    for w in words:
        if ended or (out and w.start - out[-1][-1].end >= max_pause_s):
            out.append([w])
        else:
            out[-1].append(w)
        ended = bool(SENTENCE_END.search(w.text.strip()))
    return [tuple(r) for r in out]


# --------------------------------------------------------------------------- roles


def cue_score(text: str) -> float:
    """Agent-minus-customer cue weight of a piece of text."""
    t = re.sub(r"\s+", " ", text.lower().replace("’", "'")).strip()
    agent = sum(w * len(re.findall(p, t)) for p, w in AGENT_CUES)
    customer = sum(w * len(re.findall(p, t)) for p, w in CUSTOMER_CUES)
    return agent - customer


def decide_roles(
    stretches: Sequence[tuple[int, str]],
    voices: int,
    options: DiarizeOptions = DiarizeOptions(),
    *,
    first_voice: int | None = None,
) -> RoleDecision:
    """Which voice is the agent, from ``(voice, text)`` stretches in time order.

    ``first_voice`` is the voice that opened the call (default: the voice of
    the first stretch).
    """
    if voices == 0 or not stretches:
        return RoleDecision(None, "no_speech", 0.0)
    first = first_voice
    if first is None:
        first = next((v for v, text in stretches if v >= 0 and text.strip()), None)
    texts: dict[int, list[str]] = {0: [], 1: []}
    for v, text in stretches:
        if v >= 0 and len(texts[v]) < options.role_turns:
            texts[v].append(text)
    scores = (cue_score(" ".join(texts[0])), cue_score(" ".join(texts[1])))
    prior = 0.0
    if first is not None:
        first_is_agent = options.direction != "outbound"
        prior = options.first_speaker_weight * (1.0 if (first == 0) == first_is_agent else -1.0)
    if voices == 1:
        if options.single_voice == "unknown":
            return RoleDecision(None, "undecided", 0.0, scores, first)
        # one voice: it is the agent or the customer only if its own words say so clearly
        s = scores[0]
        if s >= options.min_role_score * 2:
            return RoleDecision(0, "cues", s, scores, first)
        if s <= -options.min_role_score * 2:
            return RoleDecision(1, "cues", -s, scores, first)  # voice 0 is the customer
        return RoleDecision(None, "undecided", abs(s), scores, first)
    cue = scores[0] - scores[1]  # > 0: voice 0 sounds like the agent
    total = cue + prior
    if abs(total) < options.min_role_score:
        return RoleDecision(None, "undecided", abs(total), scores, first)
    agent = 0 if total > 0 else 1
    if abs(cue) >= options.min_role_score and (prior == 0 or np.sign(cue) == np.sign(prior)):
        method: RoleMethod = "cues_and_first_speaker" if prior else "cues"
    elif abs(cue) >= options.min_role_score:
        method = "cues"
    else:
        method = "first_speaker"
    return RoleDecision(agent, method, abs(total), scores, first)


# --------------------------------------------------------------------------- the fallback


def diarize_mono(
    audio: Samples, segments: Sequence[AsrSegment], options: DiarizeOptions = DiarizeOptions()
) -> MonoDiarization:
    """Attribute a mono call's ASR segments to agent / customer / unknown, with diagnostics.

    ``audio`` is a float32 array, or a channel read on slicing (a spooled long recording)."""
    if isinstance(audio, np.ndarray):
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    regions = speech_regions(audio, options) if audio.size else []
    speech_s = float(sum(e - s for s, e in regions))
    spans = speech_pieces(regions, options)
    pitch_gap: float | None = None
    if spans:
        feats = frame_features(audio, options)
        mfcc, log_f0 = piece_features(feats, spans)
        x = feature_matrix(mfcc, log_f0, options)
        weights = np.array([e - s for s, e in spans])
        labels, margins, sil = two_voices(x, weights)
        min_sil = options.min_silhouette
        if options.voice_features == "ge2e":
            # one voice or two is still decided on the MFCC split (its silhouette separated a single
            # voice, 0.16, from real two-party calls, 0.25-0.53; GE2E's did not: 0.24 for one TTS voice
            # against 0.14-0.29 for two real parties); who is which voice comes from GE2E
            from qa_pipeline.speaker_embed import ge2e_embeddings

            labels, margins, _ = two_voices(ge2e_embeddings(audio, spans), weights)
        share = tuple(float(weights[labels == k].sum() / weights.sum()) for k in (0, 1))
        medians = [
            np.nanmedian(log_f0[labels == k]) if np.isfinite(log_f0[labels == k]).any() else np.nan for k in (0, 1)
        ]
        if np.isfinite(medians).all():
            pitch_gap = float(abs(medians[0] - medians[1]) * 12.0)
        voices = (
            2
            if (
                sil is not None
                and sil >= min_sil
                and min(share) >= options.min_minor_share
                and speech_s >= options.min_speech_s
            )
            else 1
        )
        if voices == 1:
            labels, margins = np.zeros_like(labels), np.ones_like(margins)
        else:
            if (
                options.reseg_rounds > 0 and options.voice_features == "mfcc"
            ):  # GMM on MFCC frames refines MFCC clusters only
                labels, margins = resegment(feats, spans, labels, margins, options)
                share = tuple(float(weights[labels == k].sum() / weights.sum()) for k in (0, 1))
    else:
        labels, margins, sil, share, voices = np.zeros(0, int), np.zeros(0), None, (), 0
    voiced = tuple(
        VoicePiece(round(s, 3), round(e, 3), int(lab), float(max(0.0, m)))
        for (s, e), lab, m in zip(spans, labels, margins)
    )
    logger.debug("%d speech stretches, %d pieces, silhouette %s, %d voice(s)", len(regions), len(voiced), sil, voices)

    # words -> voices -> runs
    runs: list[tuple[int, AsrSegment, tuple[Word, ...]]] = []
    for seg in segments:
        if not seg.text.strip():
            continue
        if not seg.words:
            v, m = _word_voice(Word(seg.start, seg.end, seg.text), voiced, options) if voiced else (-1, 0.0)
            runs.append((v if m >= options.min_word_margin or voices == 1 else -1, seg, ()))
            continue
        word_voices = []
        for w in seg.words:
            v, m = _word_voice(w, voiced, options) if voiced else (-1, 0.0)
            word_voices.append(v if (m >= options.min_word_margin or voices == 1) else -1)
        word_voices = _absorb_unknown(word_voices, seg.words)
        for v, ws in _runs(seg, word_voices):
            runs.append((v, seg, ws))

    stretches = [(v, _join_words(ws) if ws else seg.text.strip()) for v, seg, ws in runs]
    roles = decide_roles(stretches, voices if runs else 0, options, first_voice=_opening_voice(regions, voiced))

    def speaker_of(voice: int) -> Speaker:
        if voice < 0 or roles.agent_voice is None:
            return "unknown"
        if voices == 1:
            return "agent" if roles.agent_voice == 0 else "customer"
        return "agent" if voice == roles.agent_voice else "customer"

    def by_cues(text: str, speaker: Speaker) -> Speaker:
        # the sentence's own words: strong cues override the voice; with no role decided, any clear cue
        cue = cue_score(text)
        need = options.undecided_utterance_cue if speaker == "unknown" else options.utterance_cue
        if cue >= need:
            return "agent"
        if cue <= -need:
            return "customer"
        return speaker

    # utterances follow the speech whatever the speaker decision: every ASR segment, cut at voice
    # changes, sentence ends and pauses, stays its own piece (the pipeline does not join them back)
    out: list[PartySegment] = []
    for v, seg, ws in runs:
        if not ws:
            text = seg.text.strip()
            if text:
                out.append(
                    PartySegment(
                        by_cues(text, speaker_of(v)), seg.start, seg.end, text, (), float(np.exp(seg.avg_logprob)), None
                    )
                )
            continue
        for sent in sentence_runs(ws):
            text = _join_words(sent)
            if text:
                out.append(
                    PartySegment(
                        by_cues(text, speaker_of(v)),
                        sent[0].start,
                        sent[-1].end,
                        text,
                        sent,
                        mean_confidence(sent),
                        None,
                    )
                )
    if roles.agent_voice is None and any(p.speaker != "unknown" for p in out):
        roles = replace(roles, method="utterance_cues")
    return MonoDiarization(
        segments=tuple(out),
        voices=voices,
        silhouette=sil,
        pieces=voiced,
        roles=roles,
        speech_s=round(speech_s, 3),
        voice_share=share,
        pitch_gap_st=pitch_gap,
    )


def attribute_mono(
    audio: Samples, segments: Sequence[AsrSegment], *, options: DiarizeOptions = DiarizeOptions()
) -> list[PartySegment]:
    """Mono ASR segments as agent / customer / unknown :class:`PartySegment` (``channel=None``)."""
    result = diarize_mono(audio, segments, options)
    logger.info(
        "mono diarization: %d voice(s), silhouette %s, agent = voice %s by %s (score %.2f)",
        result.voices,
        None if result.silhouette is None else round(result.silhouette, 3),
        result.roles.agent_voice,
        result.roles.method,
        result.roles.score,
    )
    return list(result.segments)


__all__ = [
    "AGENT_CUES",
    "CUSTOMER_CUES",
    "DiarizeOptions",
    "MonoDiarization",
    "RoleDecision",
    "VoicePiece",
    "attribute_mono",
    "cue_score",
    "decide_roles",
    "diarize_mono",
    "frame_features",
    "speech_regions",
]
