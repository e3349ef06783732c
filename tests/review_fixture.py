"""A real DuckDB file and real recordings for the review-workspace tests.

Builds 24 calls of three agents over eight weeks with SQL that follows the
migrations: calls with stereo WAV recordings (agent left, customer right;
speech from espeak-ng when installed, tone bursts otherwise), utterances,
per-utterance labels, metrics, a registered scorecard, call/section/criterion
scores with evidence, flags, redactions, runs and failures, and users.

Scores follow the scoring engine's rule (section points/max weighted by
section weight, N/A excluded, a failed auto-fail criterion makes the call 0),
so ``recompute_final_score`` agrees with the stored automatic score.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from qa_pipeline.kpi.rollup import rebuild as rebuild_rollups
from qa_pipeline.review import auth
from qa_pipeline.review.launch import free_port, server_command, wait_until_healthy
from qa_pipeline.store.db import connect, transaction

RATE = 16_000
BASE_DAY = datetime(2025, 3, 24, 9, 0, 0)  # a Monday; calls go back eight weeks from here

SCORECARD_ID = "support_core"
SCORECARD_YAML = """\
id: support_core
title: Customer support core
description: What every support call should have.
pass_threshold: 80
sections:
  - id: opening
    title: Opening
    weight: 1
    criteria:
      - id: greeting
        title: Greets the customer
        kind: label_present
        label: greeting
        speaker: agent
        within_first_s: 30
        points: 5
      - id: recording_disclosure
        title: Says the call is recorded
        kind: label_present
        label: recording_disclosure
        speaker: agent
        within_first_s: 60
        points: 5
        auto_fail: true
  - id: handling
    title: Handling
    weight: 2
    criteria:
      - id: empathy
        title: Acknowledges the customer's frustration
        kind: label_present
        label: empathy
        speaker: agent
        points: 10
        na_when:
          - no_negative_customer: true
      - id: no_prohibited_language
        title: No prohibited language
        kind: label_absent
        label: prohibited_language
        speaker: agent
        points: 0
        auto_fail: true
      - id: dead_air
        title: No long dead air
        kind: metric
        metric: longest_dead_air_s
        max: 20
        points: 5
  - id: closing
    title: Closing
    weight: 1
    criteria:
      - id: resolution_check
        title: Checks the issue is resolved
        kind: label_present
        label: resolution_check
        speaker: agent
        within_last_s: 90
        points: 5
      - id: closing
        title: Closes the call politely
        kind: label_present
        label: closing
        speaker: agent
        within_last_s: 60
        points: 5
"""

# (section, criterion, kind, nominal points, auto-fail capable)
CRITERIA = [
    ("opening", "greeting", "label_present", 5.0, False),
    ("opening", "recording_disclosure", "label_present", 5.0, True),
    ("handling", "empathy", "label_present", 10.0, False),
    ("handling", "no_prohibited_language", "label_absent", 0.0, True),
    ("handling", "dead_air", "metric", 5.0, False),
    ("closing", "resolution_check", "label_present", 5.0, False),
    ("closing", "closing", "label_present", 5.0, False),
]
WEIGHTS = {"opening": 1.0, "handling": 2.0, "closing": 1.0}

AGENTS = [
    (
        "A100",
        "Dana Ortiz",
        {
            "greeting": 0.95,
            "recording_disclosure": 1.0,
            "empathy": 0.9,
            "resolution_check": 0.9,
            "closing": 0.95,
            "dead_air": 0.95,
        },
    ),
    (
        "A101",
        "Sam Lee",
        {
            "greeting": 0.9,
            "recording_disclosure": 0.95,
            "empathy": 0.3,
            "resolution_check": 0.5,
            "closing": 0.8,
            "dead_air": 0.8,
        },
    ),
    (
        "A102",
        "Priya Nair",
        {
            "greeting": 0.8,
            "recording_disclosure": 0.8,
            "empathy": 0.7,
            "resolution_check": 0.8,
            "closing": 0.9,
            "dead_air": 0.9,
        },
    ),
]
QUEUES = ["billing", "tech_support"]

# Lines written for these tests.  (speaker, text spoken, text stored, labels detected, sentiment)
LINES = {
    "greet": (
        "agent",
        "Thank you for calling Northwind support, this is {first}. How can I help you today?",
        None,
        ["greeting", "agent_introduction"],
        "positive",
    ),
    "open_curt": ("agent", "Support, go ahead.", None, [], "neutral"),
    "disclosure": (
        "agent",
        "Just so you know, this call is recorded for quality and training.",
        None,
        ["recording_disclosure"],
        "neutral",
    ),
    "problem": ("customer", "Hi, I was charged twice for my subscription this month.", None, [], "neutral"),
    "angry": (
        "customer",
        "This is the third time I am calling about this and nobody has fixed it!",
        None,
        [],
        "negative",
    ),
    "empathy": (
        "agent",
        "I am sorry about the trouble, I understand how frustrating that must be.",
        None,
        ["empathy", "apology"],
        "positive",
    ),
    "ack": ("agent", "Okay. Let me look at the account.", None, [], "neutral"),
    "verify": ("agent", "Can I have the card on the account, please?", None, ["identity_verification"], "neutral"),
    "card": (
        "customer",
        "My card number is four one one one, two two two two, three three three three.",
        "My card number is [CARD].",
        [],
        "neutral",
    ),
    "fix": (
        "agent",
        "I have removed the duplicate charge, you will see the refund in three to five days.",
        None,
        ["commitment"],
        "positive",
    ),
    "resolve": (
        "agent",
        "Is there anything else I can help you with, or is that all sorted?",
        None,
        ["resolution_check"],
        "positive",
    ),
    "all_good": ("customer", "No, that is everything.", None, [], "neutral"),
    "thanks": ("customer", "Great, thank you so much for sorting that out.", None, [], "positive"),
    "unhappy": ("customer", "Fine. I still think this is ridiculous.", None, [], "negative"),
    "close": ("agent", "Thanks for calling Northwind, have a good day.", None, ["closing"], "positive"),
    "bye": ("agent", "Okay, bye.", None, [], "neutral"),
}
PASSWORDS = {
    "alice": ("qa_specialist", "alice-review-pw"),
    "carl": ("coach", "carl-coach-pw1"),
    "sue": ("supervisor", "sue-super-pw1"),
    "adam": ("admin", "adam-admin-pw1"),
    "dora": ("qa_specialist", "dora-disabled-pw"),
}


@dataclass
class Utt:
    idx: int
    speaker: str
    start_s: float
    end_s: float
    text: str
    key: str
    labels: list[str]
    sentiment: str


@dataclass
class FixtureCall:
    call_id: str
    path: Path
    agent_id: str
    agent_name: str
    queue: str
    started_at: datetime
    verdicts: dict[str, str]
    utts: list[Utt]
    score: float
    flagged: bool
    redaction: tuple[float, float] | None = None


@dataclass
class ReviewFixture:
    db: Path
    recordings: Path
    calls: list[FixtureCall]
    featured: FixtureCall
    passwords: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(PASSWORDS))

    def call(self, call_id: str) -> FixtureCall:
        return next(c for c in self.calls if c.call_id == call_id)


# --------------------------------------------------------------------------- audio


def _speech_clip(text: str, cache: Path) -> np.ndarray:
    """Mono float32 at 16 kHz: espeak-ng speech when installed, tone bursts otherwise."""
    key = hashlib.sha1(text.encode()).hexdigest()[:16]
    npy = cache / f"{key}.npy"
    if npy.exists():
        return np.load(npy)
    espeak = shutil.which("espeak-ng")
    clip = None
    if espeak:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "x.wav"
            r = subprocess.run(
                [espeak, "-v", "en-us", "-s", "175", "-w", str(out), text], capture_output=True, timeout=60
            )
            if r.returncode == 0 and out.exists():
                with wave.open(str(out)) as w:
                    sr = w.getframerate()
                    raw = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
                n_out = int(len(raw) * RATE / sr)
                clip = np.interp(np.linspace(0, len(raw) - 1, n_out), np.arange(len(raw)), raw).astype(np.float32)
                nz = np.flatnonzero(np.abs(clip) > 0.01)  # trim espeak's silence
                if nz.size:
                    clip = clip[max(0, nz[0] - 800) : nz[-1] + 800]
    if clip is None:
        words = max(1, len(text.split()))
        t = np.arange(int(RATE * 0.28 * words)) / RATE
        clip = (0.3 * np.sin(2 * np.pi * (300 + 40 * (len(text) % 7)) * t) * (np.sin(2 * np.pi * 3 * t) > -0.3)).astype(
            np.float32
        )
    np.save(npy, clip)
    return clip


def _write_stereo(path: Path, left: np.ndarray, right: np.ndarray) -> bytes:
    pcm = (np.clip(np.stack([left, right]), -1, 1) * 32767).round().astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.ascontiguousarray(pcm.T).tobytes())
    return path.read_bytes()


# --------------------------------------------------------------------------- scoring (engine's rule)


def score_of(verdicts: dict[str, str]) -> tuple[float, bool, dict[str, tuple[float, float]]]:
    per: dict[str, list[float]] = {s: [0.0, 0.0] for s in WEIGHTS}
    auto = False
    for section, cid, _kind, nominal, capable in CRITERIA:
        v = verdicts[cid]
        if v == "pass":
            per[section][0] += nominal
            per[section][1] += nominal
        elif v == "fail":
            per[section][1] += nominal
            auto = auto or capable
    num = den = 0.0
    for s, (p, m) in per.items():
        if m > 0:
            num += WEIGHTS[s] * p / m
            den += WEIGHTS[s]
    score = 0.0 if auto else (round(100.0 * num / den, 4) if den else 100.0)
    return score, auto, {s: (p, m) for s, (p, m) in per.items()}


# --------------------------------------------------------------------------- build


def _script(first: str, v: dict[str, str], negative_start: bool, card: bool, positive_end: bool) -> list[str]:
    keys = ["greet" if v["greeting"] == "pass" else "open_curt"]
    if v["recording_disclosure"] == "pass":
        keys.append("disclosure")
    keys.append("angry" if negative_start else "problem")
    if negative_start:
        keys.append("empathy" if v["empathy"] == "pass" else "ack")
    keys.append("verify")
    if card:
        keys.append("card")
    keys.append("fix")
    if v["resolution_check"] == "pass":
        keys += ["resolve", "all_good"]
    keys.append("thanks" if positive_end else "unhappy")
    keys.append("close" if v["closing"] == "pass" else "bye")
    return keys


def build_review_db(root: Path, clip_cache: Path | None = None, seed: int = 7) -> ReviewFixture:
    rng = random.Random(seed)
    recordings = root / "recordings"
    recordings.mkdir(parents=True, exist_ok=True)
    cache = clip_cache or (root / "clips")
    cache.mkdir(parents=True, exist_ok=True)
    db = root / "qa.duckdb"

    run_ok = "run-0001"
    calls: list[FixtureCall] = []
    featured: FixtureCall | None = None
    n = 0
    for week in range(8):
        for agent_id, agent_name, probs in AGENTS:
            n += 1
            is_featured = agent_id == "A101" and week == 7
            if is_featured:
                v = {
                    "greeting": "pass",
                    "recording_disclosure": "pass",
                    "empathy": "fail",
                    "no_prohibited_language": "pass",
                    "dead_air": "pass",
                    "resolution_check": "fail",
                    "closing": "pass",
                }
                negative_start, card, positive_end = True, True, False
            else:
                negative_start = rng.random() < 0.6
                v = {cid: ("pass" if rng.random() < probs.get(cid, 1.0) else "fail") for _, cid, *_ in CRITERIA}
                v["no_prohibited_language"] = "pass"
                if agent_id == "A102" and week in (2, 5):
                    v["recording_disclosure"] = "fail"  # auto-fail: the call scores 0
                if not negative_start:
                    v["empathy"] = "na"
                card = rng.random() < 0.25
                positive_end = rng.random() < 0.7
            first = agent_name.split()[0]
            keys = _script(first, v, negative_start, card, positive_end)
            t = 0.5 + 0.013 * n  # distinct lead-in: every recording (and so every call_id) differs
            left: list[np.ndarray] = []
            right: list[np.ndarray] = []
            utts: list[Utt] = []
            redaction = None
            for idx, key in enumerate(keys):
                speaker, spoken, stored, labels, senti = LINES[key]
                spoken = spoken.format(first=first)
                clip = _speech_clip(spoken, cache)
                start = t
                end = t + len(clip) / RATE
                gap = np.zeros(round((start - sum(len(x) for x in left) / RATE) * RATE), dtype=np.float32)
                left.append(gap)
                right.append(gap)
                silent = np.zeros_like(clip)
                (left if speaker == "agent" else right).append(clip)
                (right if speaker == "agent" else left).append(silent)
                text = stored or spoken
                if key == "card":
                    redaction = (round(start + (end - start) * 0.35, 3), round(end, 3))
                utts.append(Utt(idx, speaker, round(start, 3), round(end, 3), text, key, labels, senti))
                t = end + 0.45
            left_a = np.concatenate(left + [np.zeros(RATE // 2, np.float32)])
            right_a = np.concatenate(right + [np.zeros(RATE // 2, np.float32)])
            started = (
                BASE_DAY
                - timedelta(weeks=7 - week)
                + timedelta(days=rng.randrange(0, 5), hours=rng.randrange(0, 8), minutes=rng.randrange(0, 60))
            )
            tmp_path = recordings / f"tmp-{n}.wav"
            data = _write_stereo(tmp_path, left_a, right_a)
            call_id = hashlib.sha256(data).hexdigest()[:16]
            path = recordings / f"{started:%Y%m%d-%H%M}-{agent_id}-{n:02d}.wav"
            tmp_path.rename(path)
            score, auto, _ = score_of(v)
            flagged = auto or score < 80 or not positive_end
            fc = FixtureCall(
                call_id, path, agent_id, agent_name, QUEUES[n % 2], started, v, utts, score, flagged, redaction
            )
            calls.append(fc)
            if is_featured:
                featured = fc
    assert featured is not None

    with connect(db) as con:
        with transaction(con):
            _insert_all(con, calls, recordings, run_ok)
            rebuild_rollups(con)  # the rows were inserted with SQL: compute the KPI roll-ups from them
        for name, (role, pw) in PASSWORDS.items():
            auth.add_user(con, name, pw, role)
        auth.set_disabled(con, "dora", True)
    return ReviewFixture(db, recordings, calls, featured)


def _scorecard_version() -> str:
    try:
        from qa_pipeline.scorecard.loader import scorecard_messages

        card, _messages = scorecard_messages(SCORECARD_YAML, "review_fixture")
        if card is not None:
            return card.version
    except ImportError:
        pass
    return hashlib.sha256(SCORECARD_YAML.encode()).hexdigest()[:12]


def _insert_all(con, calls: list[FixtureCall], recordings: Path, run_ok: str) -> None:
    now = BASE_DAY + timedelta(days=5)
    version = _scorecard_version()
    con.execute(
        "INSERT INTO scorecards VALUES (?, ?, ?, ?, ?)",
        [SCORECARD_ID, version, "Customer support core", SCORECARD_YAML, now - timedelta(days=70)],
    )
    # Runs: an ok one that ingested everything, a partial one with failures, a failed one.
    con.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, 'ok', ?, ?, 0, 0, ?, ?, 'faster-whisper', 'tiny.en', NULL)",
        [
            run_ok,
            now - timedelta(days=3),
            now - timedelta(days=3) + timedelta(minutes=4),
            str(recordings),
            len(calls),
            len(calls),
            24 * 40.0,
            241.5,
        ],
    )
    con.execute(
        "INSERT INTO runs VALUES ('run-0002', ?, ?, ?, 'partial', 5, 2, 1, 2, 95.0, 62.0, 'faster-whisper', 'tiny.en', NULL)",
        [now - timedelta(days=2), now - timedelta(days=2) + timedelta(seconds=62), str(recordings)],
    )
    con.execute(
        "INSERT INTO runs VALUES ('run-0003', ?, ?, ?, 'failed', 1, 0, 0, 1, 0, 3.2, 'faster-whisper', 'tiny.en', NULL)",
        [now - timedelta(days=1), now - timedelta(days=1) + timedelta(seconds=3), str(recordings)],
    )
    failures = [
        (
            "f1",
            "run-0002",
            str(recordings / "broken-0412.wav"),
            "decode",
            "AudioDecodeError",
            "broken-0412.wav: the file ends after 44 bytes (truncated upload?); re-export the recording",
        ),
        (
            "f2",
            "run-0002",
            str(recordings / "silent-0413.wav"),
            "transcribe",
            "InputError",
            "silent-0413.wav: no speech found in 62.0 s of audio; check the recording level",
        ),
        (
            "f3",
            "run-0003",
            str(recordings / "empty.mp3"),
            "decode",
            "AudioDecodeError",
            "empty.mp3: the file has no audio stream (format 'mp3'); it is not a recording",
        ),
    ]
    for fid, rid, src, stage, et, reason in failures:
        con.execute("INSERT INTO failures VALUES (?, ?, ?, NULL, ?, ?, ?, ?)", [fid, rid, src, stage, et, reason, now])

    for c in calls:
        dur = c.utts[-1].end_s + 0.5
        con.execute(
            "INSERT INTO calls (call_id, source_path, file_sha256, format, source_rate, channels, duration_s, agent_id,"
            " agent_name, queue, started_at, direction, customer_ref, attribution, agent_channel, asr_backend, asr_model,"
            " language, asr_confidence, status, run_id, created_at, updated_at)"
            " VALUES (?, ?, ?, 'wav', 16000, 2, ?, ?, ?, ?, ?, 'inbound', NULL, 'stereo', 0, 'faster-whisper', 'tiny.en',"
            " 'en', 0.93, 'complete', ?, ?, ?)",
            [
                c.call_id,
                str(c.path),
                hashlib.sha256(c.path.read_bytes()).hexdigest(),
                dur,
                c.agent_id,
                c.agent_name,
                c.queue,
                c.started_at,
                run_ok,
                c.started_at + timedelta(hours=20),
                c.started_at + timedelta(hours=20),
            ],
        )
        for u in c.utts:
            con.execute(
                "INSERT INTO utterances (call_id, idx, speaker, start_s, end_s, text, words, asr_confidence, channel)"
                " VALUES (?, ?, ?, ?, ?, ?, [], 0.9, ?)",
                [c.call_id, u.idx, u.speaker, u.start_s, u.end_s, u.text, 0 if u.speaker == "agent" else 1],
            )
            scores = {
                lab: (0.93 if lab in u.labels else 0.04)
                for lab in [
                    "greeting",
                    "agent_introduction",
                    "recording_disclosure",
                    "empathy",
                    "apology",
                    "identity_verification",
                    "commitment",
                    "resolution_check",
                    "closing",
                    "prohibited_language",
                ]
            }
            con.execute(
                "INSERT INTO utterance_labels VALUES (?, ?, 'heads-test', ?, ?, ?, ?, ?)",
                [
                    c.call_id,
                    u.idx,
                    u.sentiment,
                    0.88 if u.sentiment != "neutral" else 0.71,
                    json.dumps(scores),
                    u.labels,
                    c.started_at + timedelta(hours=20),
                ],
            )
        if c.redaction is not None:
            card_u = next(u for u in c.utts if u.key == "card")
            cs = card_u.text.index("[CARD]")
            con.execute(
                "INSERT INTO redactions VALUES (?, ?, 0, 'CARD', ?, ?, ?, ?)",
                [c.call_id, card_u.idx, cs, cs + len("[CARD]"), c.redaction[0], c.redaction[1]],
            )
        cust = [u for u in c.utts if u.speaker == "customer"]
        sig = {"negative": -0.8, "neutral": 0.0, "positive": 0.8}
        dead_air = 27.5 if c.verdicts["dead_air"] == "fail" else 4.0
        con.execute(
            "INSERT INTO call_metrics (call_id, handle_time_s, agent_talk_s, customer_talk_s, agent_talk_ratio, non_talk_s,"
            " longest_silence_s, overtalk_s, agent_interruptions, customer_interruptions, agent_wpm,"
            " first_agent_response_s, hold_s, customer_sentiment_start, customer_sentiment_end, metrics, computed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0.4, 0, 1, 162, 0.6, 0, ?, ?, ?, ?)",
            [
                c.call_id,
                dur,
                dur * 0.55,
                dur * 0.3,
                0.65,
                dur * 0.15,
                dead_air,
                sig[cust[0].sentiment],
                sig[cust[-1].sentiment],
                json.dumps({"longest_dead_air_s": dead_air}),
                c.started_at + timedelta(hours=20),
            ],
        )
        score, auto, per = score_of(c.verdicts)
        reasons = []
        for section, cid, kind, nominal, capable in CRITERIA:
            v = c.verdicts[cid]
            pts, mx = (nominal, nominal) if v == "pass" else ((0.0, nominal) if v == "fail" else (0.0, 0.0))
            ev_utts, values, reason = _evidence(c, cid, v, dead_air)
            if capable and v == "fail":
                reasons.append(f"{cid}: {reason}")
            con.execute(
                "INSERT INTO criterion_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    c.call_id,
                    SCORECARD_ID,
                    version,
                    section,
                    cid,
                    kind,
                    v,
                    pts,
                    mx,
                    capable and v == "fail",
                    reason,
                    json.dumps({"utterances": ev_utts, "values": values, "nominal_points": nominal}),
                ],
            )
        for section, (p, m) in per.items():
            con.execute(
                "INSERT INTO section_scores VALUES (?, ?, ?, ?, ?, ?, ?)",
                [c.call_id, SCORECARD_ID, section, WEIGHTS[section], p, m, round(100 * p / m, 4) if m else None],
            )
        con.execute(
            "INSERT INTO call_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            [
                c.call_id,
                SCORECARD_ID,
                version,
                score,
                score,
                sum(p for p, _ in per.values()),
                sum(m for _, m in per.values()),
                auto,
                reasons,
                (not auto) and score >= 80,
                c.started_at + timedelta(hours=20),
            ],
        )
        if auto:
            con.execute(
                "INSERT INTO flags VALUES (?, 'auto_fail', ?, ?, 'high', ?)",
                [c.call_id, SCORECARD_ID, "Auto-fail: " + "; ".join(reasons), now],
            )
        elif score < 80:
            con.execute(
                "INSERT INTO flags VALUES (?, 'low_score', ?, ?, 'medium', ?)",
                [c.call_id, SCORECARD_ID, f"Score {score:.1f} is under the pass mark 80", now],
            )
        if cust[-1].sentiment == "negative":
            con.execute(
                "INSERT INTO flags VALUES (?, 'negative_end', '', ?, 'low', ?)",
                [c.call_id, "The customer sounded negative at the end of the call", now],
            )


def _ev(u: Utt, label: str | None) -> dict:
    return {
        "idx": u.idx,
        "speaker": u.speaker,
        "start_s": u.start_s,
        "end_s": u.end_s,
        "text": u.text,
        "scores": {label: 0.93 if label in u.labels else 0.12} if label else {},
    }


def _evidence(c: FixtureCall, cid: str, verdict: str, dead_air: float) -> tuple[list[dict], dict, str]:
    by_key = {u.key: u for u in c.utts}
    agent = [u for u in c.utts if u.speaker == "agent"]
    if cid == "greeting":
        if verdict == "pass":
            return [_ev(by_key["greet"], "greeting")], {}, f"Agent greeted at {by_key['greet'].start_s:.0f} s."
        return [_ev(agent[0], "greeting")], {"best_score": 0.12}, "No agent greeting in the first 30 s."
    if cid == "recording_disclosure":
        if verdict == "pass":
            return [_ev(by_key["disclosure"], "recording_disclosure")], {}, "Agent said the call is recorded."
        return (
            [_ev(u, "recording_disclosure") for u in agent[:2]],
            {"best_score": 0.08},
            "No recording disclosure in the first 60 s.",
        )
    if cid == "empathy":
        if verdict == "na":
            return [], {}, "Not applicable: the customer was never negative."
        angry = by_key["angry"]
        if verdict == "pass":
            return [_ev(angry, None), _ev(by_key["empathy"], "empathy")], {}, "Agent acknowledged the frustration."
        return (
            [_ev(angry, None), _ev(by_key["ack"], "empathy")],
            {"best_score": 0.31, "min_score": 0.5},
            "Customer was negative but the agent showed no empathy (best score 0.31 < 0.50).",
        )
    if cid == "no_prohibited_language":
        return [], {}, "No prohibited language."
    if cid == "dead_air":
        return (
            [],
            {"longest_dead_air_s": dead_air, "max": 20.0},
            f"Longest dead air {dead_air:.1f} s ({'within' if verdict == 'pass' else 'over'} the 20 s limit).",
        )
    if cid == "resolution_check":
        if verdict == "pass":
            return [_ev(by_key["resolve"], "resolution_check")], {}, "Agent checked the issue was resolved."
        return (
            [_ev(u, "resolution_check") for u in agent[-2:]],
            {"best_score": 0.2},
            "No resolution check in the last 90 s.",
        )
    if cid == "closing":
        if verdict == "pass":
            return [_ev(by_key["close"], "closing")], {}, "Agent closed the call politely."
        return [_ev(by_key["bye"], "closing")], {"best_score": 0.2}, "No polite closing in the last 60 s."
    raise KeyError(cid)


# --------------------------------------------------------------------------- a real server in a subprocess


def start_server(db: Path, *extra: str, timeout_s: float = 30.0):
    """``qa-pipeline serve`` on 127.0.0.1 and a free port; returns ``(process, base_url)``."""
    import os

    port = free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(server_command(db, port, *extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(proc, base, timeout_s)
    return proc, base


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def sign_in(session, base: str, username: str, password: str):
    """Sign a ``requests.Session`` in through the real login form; returns the final response."""
    import re

    r = session.get(base + "/login")
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    return session.post(base + "/login", data={"csrf": token, "username": username, "password": password, "next": ""})


def csrf_of(html: str) -> str:
    import re

    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


# --------------------------------------------------------------------------- a concurrent writer (the nightly run's pattern)


def hammer(db: str, stop_file: str, out_json: str, max_seconds: float = 120.0) -> None:
    """Re-score every call over and over until ``stop_file`` exists, one short transaction per call, like a nightly run.

    Each unit: open (retrying while the server holds the file), read the stored
    result, apply the newest overrides, rewrite the call's scores, add a run
    heartbeat row, commit, close.  After every unit the counts are written to
    ``out_json`` (units, units that applied overrides, longest unit).
    """
    import time
    import uuid

    from qa_pipeline.scorecard.overrides import final_scores_with_overrides, stored_call_score
    from qa_pipeline.store.db import utcnow
    from qa_pipeline.store.overrides import latest_overrides
    from qa_pipeline.store.scores import write_scores

    with connect(db, read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT call_id FROM calls ORDER BY call_id").fetchall()]
    deadline = time.monotonic() + max_seconds
    units = with_overrides = 0
    longest = 0.0
    stop = Path(stop_file)
    while not stop.exists() and time.monotonic() < deadline:
        cid = ids[units % len(ids)]
        t0 = time.monotonic()
        with connect(db) as con, transaction(con):
            stored = stored_call_score(con, cid, SCORECARD_ID)
            ovr = latest_overrides(con, [SCORECARD_ID], [cid])
            finals, applied, _ = final_scores_with_overrides([stored], ovr)
            write_scores(con, [stored], finals)
            con.execute(
                "INSERT INTO runs (run_id, started_at, input_dir, status) VALUES (?, ?, 'hammer', 'running')",
                [uuid.uuid4().hex, utcnow()],
            )
        longest = max(longest, time.monotonic() - t0)
        units += 1
        with_overrides += 1 if applied else 0
        tmp = Path(out_json + ".tmp")
        tmp.write_text(
            json.dumps({"units": units, "with_overrides": with_overrides, "longest_s": longest, "calls": len(ids)})
        )
        tmp.replace(out_json)
        time.sleep(0.005)
