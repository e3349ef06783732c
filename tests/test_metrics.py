"""Conversation metrics on hand-built conversations with known answers."""

from __future__ import annotations

import json

import pytest
from scorecard_dialogues import GOOD_CALL, build

from qa_pipeline.conversation import Conversation, Utterance, Word, speech_timing
from qa_pipeline.metrics import METRICS, MetricsOptions, compute_metrics


def test_talk_time_ratio_silence_and_overtalk():
    conv, labs = build(
        [
            ("agent", 0.0, 10.0, "one two three four five six seven eight nine ten"),
            ("agent", 8.0, 12.0, "overlapping agent turn"),  # same party: counted once (0-12 s)
            ("customer", 11.0, 16.0, "customer speaks over the end of it"),  # 1 s overtalk
            ("agent", 20.0, 24.0, "after a silence of four seconds"),
        ],
        duration=30.0,
    )
    m = compute_metrics(conv, labs)
    assert m.handle_time_s == 30.0
    assert m.agent_talk_s == pytest.approx(16.0)
    assert m.customer_talk_s == pytest.approx(5.0)
    assert m.agent_talk_ratio == pytest.approx(16 / 21, abs=1e-4)
    assert m.talk_listen_ratio == pytest.approx(16 / 5, abs=1e-4)
    assert m.overtalk_s == pytest.approx(1.0)
    # speech covers 0-16 and 20-24: 20 s; non-talk 10 s (4 s gap + 6 s after the last turn)
    assert m.non_talk_s == pytest.approx(10.0)
    assert m.longest_silence_s == pytest.approx(4.0)
    assert (m.longest_silence.before_idx, m.longest_silence.after_idx) == (2, 3)
    assert m.first_agent_response_s == 0.0


def test_interruptions_who_interrupted_whom_and_backchannels():
    conv, labs = build(
        [
            (
                "customer",
                0.0,
                8.0,
                "I have been waiting for a refund for weeks and nobody tells me anything",
                (),
                "negative",
            ),
            (
                "agent",
                6.0,
                11.0,
                "Let me stop you there, I need your reference number first",
            ),  # interrupts an upset customer
            ("customer", 11.5, 14.0, "It is on the letter somewhere"),
            ("agent", 14.5, 22.0, "Okay so what I will do now is check the refund queue for your account"),
            ("customer", 16.0, 16.8, "mm-hmm"),  # backchannel inside the agent turn: not an interruption
            ("customer", 21.0, 25.0, "Sorry but can you just tell me when"),  # interrupts the agent
        ]
    )
    m = compute_metrics(conv, labs)
    assert m.agent_interruptions == 1
    assert m.customer_interruptions == 1
    assert m.agent_interruptions_of_negative_customer == 1
    agent_int = next(i for i in m.interruptions if i.by == "agent")
    assert (agent_int.of, agent_int.interrupter_idx, agent_int.interrupted_idx) == ("customer", 1, 0)
    assert agent_int.overlap_s == pytest.approx(2.0)
    assert agent_int.interrupted_sentiment == "negative"
    cust_int = next(i for i in m.interruptions if i.by == "customer")
    assert (cust_int.interrupter_idx, cust_int.interrupted_idx) == (5, 3)


def test_small_overlap_below_threshold_is_not_an_interruption():
    conv, labs = build(
        [
            ("customer", 0.0, 5.0, "that is all I wanted to say about it"),
            ("agent", 4.8, 9.0, "thanks, I can help with that today"),
        ]
    )
    assert compute_metrics(conv, labs).agent_interruptions == 0
    assert compute_metrics(conv, labs, MetricsOptions(interruption_min_overlap_s=0.1)).agent_interruptions == 1


def test_speaking_rate_words_per_minute():
    text = " ".join(["word"] * 20)
    twelve = " ".join(["said"] * 12)
    conv, labs = build([("agent", 0.0, 8.0, text), ("agent", 9.0, 11.0, "five more words said here")])
    conv2, _ = build([("customer", 0.0, 12.0, twelve), ("customer", 12.5, 13.0, "ok")])
    m = compute_metrics(conv, labs)
    assert m.agent_wpm == pytest.approx(25 * 60 / 10)  # 25 timed words over 10 s of speech
    assert m.agent_words == 25
    assert compute_metrics(conv2, ()).customer_wpm == pytest.approx(13 * 60 / 12.5)
    assert m.customer_wpm is None  # no customer speech


def test_speaking_rate_leaves_out_pauses_and_short_speech():
    # 20 words over 10 s of speech inside one 40 s turn with a 30 s pause: the pause is not speech
    words = tuple(Word(float(k) * 0.5, float(k) * 0.5 + 0.5, "w") for k in range(10)) + tuple(
        Word(35.0 + k * 0.5, 35.5 + k * 0.5, "w") for k in range(10)
    )
    assert speech_timing(words) == (20, pytest.approx(10.0))
    utt = Utterance(0, "agent", 0.0, 40.0, " ".join("w" * 20), words)
    m = compute_metrics(Conversation("c", (utt,), 40.0), ())
    assert m.agent_wpm == pytest.approx(120.0)  # the span-based rate would say 30
    # a gap under 1 s between words is speech; one of exactly 1 s is a pause
    assert speech_timing((Word(0.0, 1.0, "a"), Word(1.9, 2.0, "b")))[1] == pytest.approx(2.0)
    assert speech_timing((Word(0.0, 1.0, "a"), Word(2.0, 3.0, "b")))[1] == pytest.approx(2.0)
    # under 10 s of timed speech, or no word timings (an imported transcript): N/A
    short, _ = build([("agent", 0.0, 9.5, "nine and a half seconds of talk")])
    assert compute_metrics(short, ()).agent_wpm is None
    untimed = Conversation("t", (Utterance(0, "agent", 0.0, 60.0, " ".join(["word"] * 150)),), 60.0)
    assert compute_metrics(untimed, ()).agent_wpm is None


def test_announced_and_unannounced_holds_and_dead_air():
    conv, labs = build(
        [
            ("agent", 0.0, 3.0, "hello thanks for calling"),
            ("customer", 3.5, 6.0, "hi I need to check an order"),
            ("agent", 6.5, 9.0, "can I put you on hold for a minute", "hold_request"),
            ("customer", 9.5, 10.0, "sure"),
            ("agent", 70.0, 73.0, "thanks for holding I found it"),  # announced hold 9.0-70.0
            ("customer", 73.5, 75.0, "great"),
            ("agent", 95.0, 98.0, "the parcel left this morning"),  # 20 s dead air, too short for a hold
            ("customer", 150.0, 152.0, "hello are you still there"),  # 52 s of unannounced silence
        ],
        duration=155.0,
    )
    m = compute_metrics(conv, labs)
    assert m.hold_count == 2
    announced = [h for h in m.holds if h.announced]
    unannounced = [h for h in m.holds if not h.announced]
    assert len(announced) == 1 and len(unannounced) == 1
    assert (announced[0].start_s, announced[0].end_s, announced[0].request_idx) == (9.0, 70.0, 2)
    assert (unannounced[0].start_s, unannounced[0].end_s) == (98.0, 150.0)
    assert m.unannounced_hold_count == 1
    assert m.hold_s == pytest.approx(61.0 + 52.0)
    assert m.longest_silence_s == pytest.approx(60.0)  # 10.0-70.0, inside the announced hold
    assert m.longest_dead_air_s == pytest.approx(20.0)  # 75.0-95.0


def test_hold_request_without_a_long_gap_is_no_hold():
    conv, labs = build(
        [
            ("agent", 0.0, 3.0, "one moment while I check, can I put you on hold", "hold_request"),
            ("customer", 3.5, 4.0, "sure"),
            ("agent", 8.0, 11.0, "no need actually, I have it here"),
        ]
    )
    m = compute_metrics(conv, labs)
    assert m.hold_count == 0 and m.hold_s == 0.0


def test_customer_sentiment_by_quarter_start_and_end():
    conv, labs = build(
        [
            ("customer", 0.0, 8.0, "this is the worst service", (), "negative"),  # Q1
            ("agent", 9.0, 19.0, "I am sorry to hear that"),
            ("customer", 20.0, 28.0, "ok"),  # Q2 neutral
            ("agent", 29.0, 60.0, "long explanation"),
            ("customer", 62.0, 70.0, "thanks that is great", (), "positive"),  # Q4
            ("customer", 70.5, 78.0, "really helpful", (), "positive"),  # Q4
        ],
        duration=80.0,
    )
    m = compute_metrics(conv, labs)
    assert m.customer_sentiment_quarters == (-0.9, 0.0, None, 0.9)
    assert m.customer_sentiment_start == pytest.approx(-0.9)
    assert m.customer_sentiment_end == pytest.approx(0.9)
    assert m.customer_sentiment_change == pytest.approx(1.8)
    assert m.customer_negative_utterances == 1
    assert m.customer_start_idx == (0,) and m.customer_end_idx == (4, 5)


def test_sentiment_falls_back_to_first_and_last_turns():
    conv, labs = build(
        [
            ("agent", 0.0, 30.0, "a long opening"),
            ("customer", 31.0, 35.0, "I am annoyed", (), "negative"),
            ("customer", 36.0, 39.0, "fine", (), "neutral"),
            ("agent", 40.0, 80.0, "a long closing"),
        ],
        duration=80.0,
    )
    m = compute_metrics(conv, labs)
    assert m.customer_sentiment_quarters[0] is None and m.customer_sentiment_quarters[3] is None
    # word-weighted mean of the (only) two turns: 3 words at -0.9, 1 word at 0
    assert m.customer_sentiment_start == pytest.approx(-0.675)
    assert m.customer_sentiment_end == pytest.approx(-0.675)


def test_end_sentiment_not_decided_by_one_short_turn():
    conv, labs = build(
        [
            ("agent", 0.0, 50.0, "a long middle part of the call"),
            ("customer", 60.0, 64.0, "no that's all thank you so much", (), "positive"),
            ("customer", 65.0, 66.0, "bye", (), "negative"),
        ],
        duration=66.0,
    )
    m = compute_metrics(conv, labs)
    assert m.customer_sentiment_end is not None and m.customer_sentiment_end > 0


def test_empty_call_and_json_form():
    conv, labs = build([], duration=12.0)
    m = compute_metrics(conv, labs)
    assert m.handle_time_s == 12.0 and m.non_talk_s == 12.0
    assert m.agent_talk_ratio is None and m.agent_wpm is None and m.first_agent_response_s is None
    assert m.customer_sentiment_end is None and m.mean_asr_confidence is None
    json.dumps(m.to_dict())
    full = compute_metrics(*build(GOOD_CALL))
    d = json.loads(json.dumps(full.to_dict()))
    for name in METRICS:
        assert name in d
        assert full.value(name) is None or isinstance(full.value(name), float)
    with pytest.raises(KeyError):
        full.value("no_such_metric")


def test_mean_asr_confidence_is_duration_weighted():
    conv, labs = build([("agent", 0.0, 1.0, "a"), ("customer", 1.0, 4.0, "b")], confidence=0.5)
    assert compute_metrics(conv, labs).mean_asr_confidence == pytest.approx(0.5)


# blake2b (8 bytes) of the metrics of the calls below, as computed under METRICS_VERSION
METRICS_FINGERPRINT = {1: "e3e88ef389831e30"}


def _fingerprint() -> str:
    import hashlib
    from dataclasses import replace

    from qa_pipeline.devtools.synthetic import synthetic_call
    from qa_pipeline.store.codec import dumps

    calls = [synthetic_call(f"c{seed}", seed)[:2] for seed in range(40)]
    calls.append((replace(calls[0][0], timed=False), calls[0][1]))  # a chat: no times
    calls.append(build(GOOD_CALL, call_id="good"))
    text = dumps([compute_metrics(conv, labs).to_dict() for conv, labs in calls])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def test_the_metrics_fingerprint_is_pinned_to_the_version() -> None:
    """Stored metrics are reused while their inputs and METRICS_VERSION are unchanged (store/metrics.py):
    a change to what compute_metrics gives must come with a new version, or a rescore would keep old values."""
    from qa_pipeline.metrics import METRICS_VERSION

    got = _fingerprint()
    assert METRICS_FINGERPRINT.get(METRICS_VERSION) == got, (
        f"compute_metrics gives other values than METRICS_VERSION {METRICS_VERSION} did (fingerprint {got}): "
        "bump qa_pipeline.metrics.METRICS_VERSION and add {new_version: fingerprint} to METRICS_FINGERPRINT"
    )
