"""The bundled scorecards give hand-written dialogues the verdicts they were written for."""

from __future__ import annotations

import pytest
from scorecard_dialogues import BAD_CALL, GOOD_CALL, build

from qa_pipeline.scorecard import compute_metrics, evaluate_flags, find_scorecard, load_flag_rules, score_call


def verdicts(card_id: str, turns, **kw):
    conv, labs = build(turns, **kw)
    metrics = compute_metrics(conv, labs)
    result = score_call(conv, labs, metrics, find_scorecard(card_id))
    return result, {c.criterion_id: c.verdict for c in result.criteria}, (conv, labs, metrics)


def test_customer_service_good_call():
    result, v, _ = verdicts("customer_service", GOOD_CALL)
    assert v == {
        "greeting": "pass",
        "introduction": "pass",
        "prompt_answer": "pass",
        "recording_disclosure": "pass",
        "identity_verification": "pass",
        "active_listening": "pass",
        "empathy": "pass",
        "patience": "pass",
        "lets_customer_finish": "pass",
        "talk_listen_balance": "pass",
        "speaking_rate": "pass",
        "commitment": "pass",
        "resolution_check": "pass",
        "customer_not_negative_at_end": "pass",
        "recovered_upset_customer": "pass",
        "hold_etiquette": "na",
        "no_unannounced_hold": "na",
        "hold_length": "na",
        "dead_air": "pass",
        "closing": "pass",
        "prohibited_language": "pass",
    }
    assert result.score == 100.0 and result.passed and not result.auto_failed


def test_customer_service_bad_call_and_its_flags():
    result, v, (conv, labs, metrics) = verdicts("customer_service", BAD_CALL, call_id="bad")
    assert v == {
        "greeting": "fail",
        "introduction": "fail",
        "prompt_answer": "pass",
        "recording_disclosure": "fail",
        "identity_verification": "fail",
        "active_listening": "fail",
        "empathy": "fail",
        "patience": "fail",
        "lets_customer_finish": "pass",
        "talk_listen_balance": "pass",
        "speaking_rate": "pass",
        "commitment": "fail",
        "resolution_check": "fail",
        "customer_not_negative_at_end": "fail",
        "recovered_upset_customer": "fail",
        "hold_etiquette": "na",
        "no_unannounced_hold": "na",
        "hold_length": "na",
        "dead_air": "pass",
        "closing": "fail",
        "prohibited_language": "fail",
    }
    assert result.auto_failed and result.score == 0.0 and not result.passed
    assert "damn fault" in result.auto_fail_reasons[0]
    flags = {f.rule_id: f for f in evaluate_flags(conv, labs, metrics, [result], load_flag_rules())}
    assert set(flags) == {"auto_fail", "low_score", "escalation_requested", "customer_negative_end"}
    assert flags["auto_fail"].severity == "high" and flags["auto_fail"].scorecard_id == "customer_service"
    assert flags["escalation_requested"].scorecard_id == "" and "manager" in flags["escalation_requested"].reason
    assert "-0.90" in flags["customer_negative_end"].reason


def test_low_asr_confidence_and_dead_air_flags():
    conv, labs = build(
        [("agent", 0.0, 3.0, "hello"), ("customer", 80.0, 82.0, "hello?")], confidence=0.4, call_id="quiet"
    )
    flags = {f.rule_id for f in evaluate_flags(conv, labs, compute_metrics(conv, labs), [], load_flag_rules())}
    # 77 s of silence is an unannounced hold, not dead air; the transcript confidence is low
    assert flags == {"low_asr_confidence"}
    conv2, labs2 = build(
        [
            ("agent", 0.0, 3.0, "hello", "hold_request"),
            ("customer", 3.5, 4.0, "ok"),
            ("agent", 30.0, 33.0, "back"),
            ("customer", 95.0, 96.0, "hello?"),
        ],
        call_id="gap",
    )
    m2 = compute_metrics(conv2, labs2)
    assert m2.unannounced_hold_count == 1
    assert {f.rule_id for f in evaluate_flags(conv2, labs2, m2, [])} == set()


COLLECTIONS_GOOD = [
    (
        "agent",
        1.0,
        5.0,
        "Hello, this is Sam from Acme Recoveries, this call is recorded.",
        ("greeting", "agent_introduction", "recording_disclosure"),
    ),
    ("agent", 5.5, 9.0, "Am I speaking with Jordan? Can you confirm your date of birth?", "identity_verification"),
    ("customer", 9.5, 11.0, "Yes, [DOB]."),
    (
        "agent",
        11.5,
        16.0,
        "Thank you. This is an attempt to collect a debt and any information obtained will be used for that purpose.",
    ),
    ("agent", 16.5, 20.0, "The outstanding balance on the account is [ACCOUNT]."),
    (
        "customer",
        20.5,
        29.0,
        "I lost my job last month and with the rent going up I really can't pay all of that at once.",
        (),
        "negative",
    ),
    ("agent", 29.5, 33.0, "I'm sorry to hear that, that sounds really hard.", "empathy"),
    ("customer", 33.5, 38.5, "I do want to sort it out, I just need something manageable each month."),
    ("agent", 39.0, 43.5, "We can set up a payment plan of twenty pounds a month if that helps."),
    ("customer", 44.0, 46.5, "That would work, thank you.", (), "positive"),
    ("agent", 47.0, 50.5, "Done, you'll get a letter confirming the plan this week.", "commitment"),
    ("customer", 51.0, 52.5, "Thanks.", (), "positive"),
    ("agent", 53.0, 55.5, "Thanks for your time, goodbye.", "closing"),
]


def test_collections_good_call():
    result, v, _ = verdicts("collections", COLLECTIONS_GOOD)
    assert set(v.values()) == {"pass"}, v
    assert result.score == 100.0


def test_collections_threat_and_missing_disclosure_fail_the_call():
    turns = [
        (
            "agent",
            1.0,
            4.0,
            "This is Acme Recoveries, calls are recorded.",
            ("agent_introduction", "recording_disclosure"),
        ),
        ("agent", 4.5, 8.0, "You owe us [ACCOUNT] and it's long past due."),
        ("customer", 8.5, 12.0, "I told you I can't pay right now.", (), "negative"),
        ("agent", 12.5, 17.0, "If you don't pay by Friday we'll tell your employer about it."),
        ("customer", 17.5, 19.0, "That's outrageous.", (), "negative"),
    ]
    result, v, _ = verdicts("collections", turns)
    assert v["no_threats"] == "fail" and v["debt_collection_disclosure"] == "fail"
    assert v["identity_before_account"] == "fail" and v["recording_disclosure"] == "pass"
    assert result.auto_failed and result.score == 0.0
    reasons = " | ".join(result.auto_fail_reasons)
    assert "no_threats: threats by the agent at 00:12 (utterance 3)" in reasons
    assert "debt_collection_disclosure:" in reasons and "identity_before_account:" in reasons


SALES_GOOD = [
    ("agent", 1.0, 4.0, "Hi, thanks for calling Brightline, I'm Chris.", ("greeting", "agent_introduction")),
    ("agent", 4.5, 7.0, "This call may be recorded for quality.", "recording_disclosure"),
    ("customer", 7.5, 14.0, "Hi, my router keeps dropping and I'd like a replacement sent out please."),
    ("agent", 14.5, 18.0, "Of course. So the connection drops a few times a day?", "active_listening"),
    ("customer", 18.5, 24.0, "Yes, mostly in the evenings when we're all streaming."),
    ("agent", 24.5, 28.0, "Got it. Can I ask what you mostly use the connection for?"),
    ("customer", 28.5, 34.0, "Work calls during the day and films at night, four of us in the house."),
    ("agent", 34.5, 38.0, "A new router is on its way. Does that sort out the problem for you?", "resolution_check"),
    ("customer", 38.5, 41.0, "Yes, that's great, thanks.", (), "positive"),
    (
        "agent",
        41.5,
        46.5,
        "While I have you, with four people streaming the faster plan might suit you, it's three pounds more.",
        "upsell_offer",
    ),
    ("customer", 47.0, 51.0, "Actually that sounds good, let's do it.", (), "positive"),
    ("agent", 51.5, 55.0, "Done, the upgrade starts on Monday and I'll email the details.", "commitment"),
    ("customer", 55.5, 57.0, "Perfect, thank you.", (), "positive"),
    ("agent", 57.5, 60.0, "Thanks for calling, have a great evening.", "closing"),
]


def test_sales_good_call():
    result, v, _ = verdicts("sales", SALES_GOOD)
    assert set(v.values()) == {"pass"}, v
    assert result.score == 100.0


def test_sales_upsell_before_resolution_check_fails_service_first():
    turns = [t for t in SALES_GOOD if t[4:5] != ("resolution_check",)]
    turns.append(("agent", 61.0, 63.0, "Anything else I can do for you?", "resolution_check"))
    result, v, _ = verdicts("sales", turns)
    assert v["service_before_sale"] == "fail" and v["upsell_offered"] == "pass"
    assert result.score == pytest.approx(100 - 35 * 5 / 25, abs=1e-3)  # offer section 20/25, weight 35 of 100
