"""Synthetic stored calls for the rescoring benchmark and tests.

Each call is a plausible customer-service dialogue of 30-50 utterances
(opening, verification, discussion, an optional hold, resolution, closing)
with timings, overlaps, per-utterance sentiment and label scores.  Some calls
carry faults a scorecard should catch: no recording disclosure, account
details before verification, an agent interrupting an upset customer, an
unannounced hold, prohibited language, an escalation request.  The sentences
are written for this project.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from qa_pipeline.classify.result import LABELS, UtteranceLabels
from qa_pipeline.conversation import Conversation, Speaker, Utterance
from qa_pipeline.kpi.rollup import keep_rollups
from qa_pipeline.store.db import connect, transaction, utcnow

_T = {
    "greeting": [
        "Good morning, thanks for calling.",
        "Hello and thank you for calling us today.",
        "Hi there, thanks for getting in touch.",
    ],
    "intro": [
        "My name is Dana and I'll be helping you.",
        "You're speaking with Sam from the support team.",
        "This is Alex in customer care.",
    ],
    "disclosure": [
        "Just so you know, this call is recorded for quality and training.",
        "Please note calls are recorded and monitored.",
    ],
    "problem_neutral": [
        "I'm calling about a charge I don't recognise.",
        "I wanted to change the address on my plan.",
        "My internet keeps dropping in the evenings.",
        "I'd like to ask about my last bill.",
    ],
    "problem_upset": [
        "This is the third time I've called and nobody has fixed it.",
        "I'm really frustrated, I was charged twice and I'm angry about it.",
        "Honestly this service has been terrible all month.",
    ],
    "verify": [
        "Before we go on, can you confirm your full name and date of birth?",
        "For security, could you verify the postcode and the last four digits of the card?",
    ],
    "verify_answer": [
        "Sure, it's [NAME], born [DOB].",
        "Yes, the postcode is [ADDRESS] and the card ends [CARD].",
        "It's [NAME] and my date of birth is [DOB].",
    ],
    "account": [
        "I can see your balance is [ACCOUNT] and your last payment was on the fifth.",
        "Your current balance is forty two pounds and the amount due is next week.",
    ],
    "listen": [
        "So if I understand correctly, the charge appeared after the upgrade?",
        "Let me make sure I've got this right, it drops every evening around eight?",
        "Okay, I hear you, so the address change didn't go through.",
    ],
    "empathy": [
        "I'm so sorry about that, I understand how frustrating this must be.",
        "That sounds really annoying, and I'm sorry you've had to call again.",
    ],
    "agent_filler": [
        "Let me take a look at that for you now.",
        "I can see the order on the system here.",
        "That should only take a moment to update.",
        "The engineer notes say the line was checked last week.",
        "I'm going to apply a credit for the duplicate charge.",
        "The change will show on the next statement.",
    ],
    "customer_filler": [
        "Okay.",
        "Right, that makes sense.",
        "Yes, that's the one.",
        "No, I haven't tried that yet.",
        "It started about two weeks ago.",
        "I just want it sorted out.",
        "Fine, go ahead.",
    ],
    "customer_negative": [
        "That's not good enough, I've heard that before.",
        "I don't understand why this keeps happening.",
        "I'm still not happy about this.",
    ],
    "hold": [
        "Would you mind if I place you on a brief hold while I check?",
        "Can I put you on hold for a minute or two?",
    ],
    "hold_ok": ["Sure, no problem.", "Okay, I'll wait."],
    "hold_back": ["Thanks for holding, I've got the answer now.", "Thank you for waiting, I appreciate your patience."],
    "commitment": [
        "I've raised a ticket and you'll get an email confirmation within the hour.",
        "I'll send the engineer on Thursday and call you back on Friday to check.",
    ],
    "upsell": [
        "While I have you, there's a faster plan for two pounds more a month if you're interested.",
        "You might also like our device protection add-on.",
    ],
    "resolution": ["Is there anything else I can help you with today?", "Does that fully resolve the issue for you?"],
    "customer_thanks": [
        "No, that's everything, thank you so much.",
        "That's great, thanks for your help.",
        "Brilliant, that's sorted then.",
    ],
    "closing": ["Thanks for calling, have a lovely day.", "You're welcome, take care and goodbye."],
    "escalation": ["I want to speak to a manager right now.", "Can you put me through to your supervisor please?"],
    "prohibited": ["Look, that's your own stupid fault.", "Frankly I don't care, that's not my problem."],
}


@dataclass
class _Turn:
    speaker: Speaker
    text: str
    labels: tuple[str, ...]
    sentiment: str
    gap: float | None = None  # seconds after the previous turn ends; None = a natural pause


def _turns(rng: random.Random, target: int) -> list[_Turn]:
    upset = rng.random() < 0.35
    resolved = rng.random() < 0.75
    pick = rng.choice
    t: list[_Turn] = []
    a = lambda key, labels=(), s="neutral": t.append(_Turn("agent", pick(_T[key]), tuple(labels), s))  # noqa: E731
    c = lambda key, labels=(), s="neutral": t.append(_Turn("customer", pick(_T[key]), tuple(labels), s))  # noqa: E731

    a("greeting", ["greeting"], "positive")
    a("intro", ["agent_introduction"])
    if rng.random() < 0.9:
        a("disclosure", ["recording_disclosure"])
    c("problem_upset" if upset else "problem_neutral", (), "negative" if upset else "neutral")
    early_account = rng.random() < 0.05
    if early_account:
        a("account")
    if rng.random() < 0.92:
        a("verify", ["identity_verification"])
        c("verify_answer")
    if not early_account and rng.random() < 0.6:
        a("account")
    if upset and rng.random() < 0.8:
        a("empathy", ["empathy", "apology"])
    interrupt_upset = upset and rng.random() < 0.3
    hold = rng.random() < 0.3
    hold_at = rng.randint(len(t) + 2, len(t) + 10) if hold else -1
    escalation = rng.random() < 0.05
    prohibited = rng.random() < 0.02
    while len(t) < target - 7:
        if hold and len(t) >= hold_at:
            hold = False
            announced = rng.random() < 0.85
            if announced:
                a("hold", ["hold_request"])
                c("hold_ok")
            t.append(_Turn("agent", pick(_T["hold_back"]), (), "positive", gap=rng.uniform(25, 120)))
            continue
        if rng.random() < 0.15:
            a("listen", ["active_listening"])
        else:
            a("agent_filler")
        neg = upset and len(t) < target * 0.5
        c(
            "customer_negative" if neg and rng.random() < 0.5 else "customer_filler",
            (),
            "negative" if neg else "neutral",
        )
        if interrupt_upset and neg:
            t.append(
                _Turn("agent", "Sorry, let me just stop you there, I need to check something.", (), "neutral", gap=-1.5)
            )
            interrupt_upset = False
        if escalation and len(t) > target * 0.6:
            c("escalation", ["escalation_request"], "negative")
            escalation = False
        if prohibited and len(t) > target * 0.5:
            a("prohibited", ["prohibited_language"], "negative")
            prohibited = False
    a("commitment", ["commitment"])
    if rng.random() < 0.2:
        a("upsell", ["upsell_offer"])
        c("customer_filler")
    if rng.random() < 0.85:
        a("resolution", ["resolution_check"])
    c("customer_thanks" if resolved else "customer_negative", (), "positive" if resolved else "negative")
    if rng.random() < 0.9:
        a("closing", ["closing"], "positive")
    return t


def synthetic_call(
    call_id: str, seed: int, target_utterances: int = 40
) -> tuple[Conversation, list[UtteranceLabels], float]:
    """One synthetic call: conversation, labels and the mean ASR confidence."""
    rng = random.Random(seed)
    turns = _turns(rng, max(12, int(rng.gauss(target_utterances, 5))))
    utts: list[Utterance] = []
    labs: list[UtteranceLabels] = []
    clock = rng.uniform(0.5, 4.0)
    low_conf = rng.random() < 0.03
    for i, turn in enumerate(turns):
        start = max(0.0, clock + (turn.gap if turn.gap is not None else rng.uniform(0.2, 1.4)))
        words = len(turn.text.split())
        dur = max(0.6, words / rng.uniform(2.2, 3.0))
        conf = rng.uniform(0.35, 0.6) if low_conf else rng.uniform(0.8, 0.98)
        utts.append(
            Utterance(i, turn.speaker, round(start, 3), round(start + dur, 3), turn.text, (), round(conf, 4), None)
        )
        clock = max(clock, start + dur)
        scores = {}
        for name in LABELS:
            if name in turn.labels:
                scores[name] = round(rng.uniform(0.62, 0.99), 4)
            else:
                scores[name] = round(min(0.45, abs(rng.gauss(0, 0.08))), 4)
        detected = tuple(n for n in LABELS if scores[n] >= 0.5)
        labs.append(UtteranceLabels(i, turn.sentiment, round(rng.uniform(0.6, 0.97), 4), scores, detected))  # type: ignore[arg-type]
    duration = round(clock + rng.uniform(0.5, 3.0), 3)
    return Conversation(call_id, tuple(utts), duration), labs, sum(u.asr_confidence for u in utts) / len(utts)


def insert_calls(con, batch: Sequence[tuple[Conversation, Sequence[UtteranceLabels], float]], now=None) -> None:
    """Store complete calls with utterances and labels in bulk (no word timings); caller holds the transaction."""
    with keep_rollups(con, [conv.call_id for conv, _, _ in batch]):
        _insert_calls(con, batch, now)


def _insert_calls(con, batch: Sequence[tuple[Conversation, Sequence[UtteranceLabels], float]], now=None) -> None:
    import json

    now = now or utcnow()
    ids = [conv.call_id for conv, _, _ in batch]
    agents = [f"agent{sum(map(ord, i)) % 25:02d}" for i in ids]
    con.execute(
        """INSERT INTO calls (call_id, source_path, file_sha256, format, source_rate, channels, duration_s, agent_id,
               agent_name, queue, started_at, attribution, asr_backend, asr_model, language, asr_confidence, status,
               created_at, updated_at)
           SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), 'wav', 16000, 2,
                  unnest(?::DOUBLE[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), 'support', unnest(?::TIMESTAMP[]),
                  'stereo', 'synthetic', 'none', 'en', unnest(?::DOUBLE[]), 'complete', ?, ?""",
        [
            ids,
            [f"synthetic/{i}.wav" for i in ids],
            [i * 4 for i in ids],
            [conv.duration_s for conv, _, _ in batch],
            agents,
            [a.replace("agent", "Agent ") for a in agents],
            [now - timedelta(minutes=k) for k in range(len(ids))],
            [conf for _, _, conf in batch],
            now,
            now,
        ],
    )
    u_cols: list[list] = [[] for _ in range(9)]
    l_cols: list[list] = [[] for _ in range(6)]
    for conv, labs, _ in batch:
        for u in conv.utterances:
            row = (conv.call_id, u.idx, u.speaker, u.start_s, u.end_s, u.text, u.asr_confidence, *u.speech_timing())
            for col, v in zip(u_cols, row):
                col.append(v)
        for lab in labs:
            for col, value in zip(
                l_cols,
                (
                    conv.call_id,
                    lab.idx,
                    lab.sentiment,
                    lab.sentiment_score,
                    json.dumps(dict(lab.labels)),
                    list(lab.detected),
                ),
            ):
                col.append(value)
    con.execute(
        """INSERT INTO utterances (call_id, idx, speaker, start_s, end_s, text, asr_confidence, timed_words, speech_s)
           SELECT unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),
                  unnest(?::DOUBLE[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]), unnest(?::INTEGER[]),
                  unnest(?::DOUBLE[])""",
        u_cols,
    )
    con.execute(
        """INSERT INTO utterance_labels (call_id, idx, model_version, sentiment, sentiment_score, label_scores,
               detected, classified_at)
           SELECT unnest(?::VARCHAR[]), unnest(?::INTEGER[]), 'synthetic', unnest(?::VARCHAR[]), unnest(?::DOUBLE[]),
                  unnest(?::VARCHAR[])::JSON, unnest(?::VARCHAR[][]), ?""",
        l_cols + [now],
    )


def build_synthetic_db(path: str | Path, n_calls: int, *, seed: int = 7, batch: int = 2000) -> int:
    """Create (or extend) a DuckDB file with ``n_calls`` synthetic complete calls; returns utterances written."""
    now = utcnow()
    written = 0
    with connect(path) as con:
        for start in range(0, n_calls, batch):
            calls = [
                synthetic_call(f"{seed:04x}{k:012x}", seed * 1_000_003 + k)
                for k in range(start, min(n_calls, start + batch))
            ]
            with transaction(con):
                insert_calls(con, calls, now)
            written += sum(len(c.utterances) for c, _, _ in calls)
    return written
