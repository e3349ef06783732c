"""Each criterion kind, N/A conditions, auto-fail, weighting, evidence and overrides on hand-built calls."""

from __future__ import annotations

import textwrap

import pytest
from scorecard_dialogues import build

from qa_pipeline.metrics import compute_metrics
from qa_pipeline.scorecard import apply_overrides, parse_scorecard, score_call


def card(criteria_yaml: str, *, topics: str = "", extra_sections: str = "", pass_threshold: float = 80):
    text = f"""
id: t
title: Test card
pass_threshold: {pass_threshold}
{topics}
sections:
  - id: main
    weight: 1
    criteria:
{textwrap.indent(textwrap.dedent(criteria_yaml).strip(), "      ")}
{extra_sections}
"""
    return parse_scorecard(text, "test.yaml")


def score(c, turns, **kw):
    conv, labs = build(turns, **kw)
    return score_call(conv, labs, compute_metrics(conv, labs), c)


OPENING = [
    ("agent", 1.0, 3.0, "Good morning, thanks for calling.", "greeting"),
    ("customer", 3.5, 6.0, "Hi, I have a question about my bill."),
    ("agent", 6.5, 9.0, "Sure, can you confirm your date of birth?", "identity_verification"),
    ("customer", 9.5, 11.0, "[DOB]"),
    ("agent", 11.5, 15.0, "Thanks. Your balance is [ACCOUNT] as of today."),
    ("agent", 40.0, 43.0, "Hello again, thanks for calling.", "greeting"),
]


# --------------------------------------------------------------------------- label_present


def test_label_present_pass_with_evidence():
    c = card("""
        - id: greet
          kind: label_present
          label: greeting
          points: 5
    """)
    r = score(c, OPENING)
    res = r.criterion("greet")
    assert res.verdict == "pass" and res.points == 5 and res.max_points == 5
    assert r.score == 100.0 and r.passed
    ev = res.evidence
    assert [u["idx"] for u in ev["utterances"]] == [0, 5]
    first = ev["utterances"][0]
    assert first["role"] == "match" and first["speaker"] == "agent"
    assert (first["start_s"], first["end_s"]) == (1.0, 3.0)
    assert first["text"].startswith("Good morning")
    assert first["scores"] == {"greeting": 0.9}
    assert "00:01 (utterance 0)" in res.reason


def test_label_present_within_first_seconds():
    c = card("""
        - id: greet_early
          kind: label_present
          label: greeting
          within_first_s: 30
          points: 5
    """)
    late = [("agent", 0.5, 20.0, "Let me just pull up my screen."), ("agent", 40.0, 43.0, "Good morning.", "greeting")]
    res = score(c, late).criterion("greet_early")
    assert res.verdict == "fail"
    # the not-found verdict carries the window that was searched
    assert res.evidence["window"]["end_s"] == 30.0
    assert res.evidence["window"]["utterances_searched"] == 1
    assert res.evidence["window"]["first_idx"] == 0
    assert "first 30 s" in res.reason
    assert score(c, OPENING).criterion("greet_early").verdict == "pass"


def test_label_present_by_party():
    c = card("""
        - id: customer_greets
          kind: label_present
          label: greeting
          speaker: customer
          points: 1
    """)
    assert score(c, OPENING).criterion("customer_greets").verdict == "fail"
    turns = OPENING + [("customer", 44.0, 45.0, "Hello!", "greeting")]
    assert score(c, turns).criterion("customer_greets").verdict == "pass"


def test_not_found_evidence_lists_near_misses_with_scores():
    c = card("""
        - id: empathy
          kind: label_present
          label: empathy
          points: 5
    """)
    turns = [
        ("agent", 0.0, 2.0, "Okay.", (), "neutral", {"empathy": 0.41}),
        ("agent", 3.0, 5.0, "Right.", (), "neutral", {"empathy": 0.12}),
        ("agent", 6.0, 8.0, "Noted.", ()),
    ]
    res = score(c, turns).criterion("empathy")
    assert res.verdict == "fail"
    near = res.evidence["utterances"]
    assert [u["idx"] for u in near] == [0, 1]
    assert near[0]["role"] == "near_miss" and near[0]["scores"] == {"empathy": 0.41}
    assert res.evidence["window"]["utterances_searched"] == 3


def test_min_score_overrides_the_detection_threshold():
    c = card("""
        - id: empathy_loose
          kind: label_present
          label: empathy
          min_score: 0.4
          points: 5
    """)
    turns = [("agent", 0.0, 2.0, "I see.", (), "neutral", {"empathy": 0.45})]
    assert score(c, turns).criterion("empathy_loose").verdict == "pass"


def test_min_count():
    c = card("""
        - id: listen_twice
          kind: label_present
          label: active_listening
          min_count: 2
          points: 5
    """)
    once = [("agent", 0.0, 2.0, "So you mean the bill?", "active_listening")]
    twice = once + [("agent", 3.0, 5.0, "If I understand, twice?", "active_listening")]
    res = score(c, once).criterion("listen_twice")
    assert res.verdict == "fail" and "needs 2" in res.reason
    assert score(c, twice).criterion("listen_twice").verdict == "pass"


ACCOUNT_TOPIC = """
topics:
  account_details:
    phrases: [your balance, amount due]
    patterns: ['\\[(ACCOUNT|CARD)\\]']
"""

VERIFY_BEFORE = """
- id: verify_first
  kind: label_present
  label: identity_verification
  before: account_details
  before_speaker: agent
  na_when:
    - absent: account_details
      speaker: agent
  points: 10
"""


def test_label_before_another_label_or_topic():
    c = card(VERIFY_BEFORE, topics=ACCOUNT_TOPIC)
    ok = score(c, OPENING).criterion("verify_first")
    assert ok.verdict == "pass"
    roles = {u["role"]: u["idx"] for u in ok.evidence["utterances"]}
    assert roles == {"match": 2, "marker": 4}
    assert ok.evidence["window"]["before_idx"] == 4

    late = [
        ("agent", 1.0, 3.0, "Hi, your balance is [ACCOUNT].", ()),
        ("agent", 4.0, 6.0, "Oh, can you confirm your date of birth?", "identity_verification"),
    ]
    bad = score(c, late).criterion("verify_first")
    assert bad.verdict == "fail"
    assert "after account_details" in bad.reason
    assert {u["role"] for u in bad.evidence["utterances"]} == {"late_match", "marker"}


def test_before_marker_by_the_customer_does_not_count_when_agent_side_is_asked():
    c = card(VERIFY_BEFORE, topics=ACCOUNT_TOPIC)
    turns = [
        ("customer", 1.0, 3.0, "My card is [CARD] and it was declined.", ()),
        ("agent", 4.0, 6.0, "Can you confirm your date of birth?", "identity_verification"),
        ("agent", 7.0, 9.0, "Thanks, the amount due is forty pounds.", ()),
    ]
    assert score(c, turns).criterion("verify_first").verdict == "pass"


def test_na_when_topic_absent():
    c = card(VERIFY_BEFORE, topics=ACCOUNT_TOPIC)
    turns = [("agent", 1.0, 3.0, "Hello, how can I help?", "greeting")]
    r = score(c, turns)
    res = r.criterion("verify_first")
    assert res.verdict == "na" and res.max_points == 0 and res.points == 0
    assert "N/A" in res.reason
    # nothing applicable at all: the score is 100 by definition
    assert r.max_points == 0 and r.score == 100.0


# --------------------------------------------------------------------------- label_absent, auto-fail


def test_label_absent_and_auto_fail_zeroes_the_call():
    c = card("""
        - id: greet
          kind: label_present
          label: greeting
          points: 5
        - id: no_swearing
          title: No prohibited language
          kind: label_absent
          label: prohibited_language
          speaker: agent
          auto_fail: true
          points: 5
    """)
    clean = score(c, OPENING)
    assert clean.criterion("no_swearing").verdict == "pass"
    assert not clean.auto_failed and clean.score == 100.0

    turns = OPENING + [("agent", 50.0, 53.0, "That's your own stupid fault.", "prohibited_language")]
    r = score(c, turns)
    res = r.criterion("no_swearing")
    assert res.verdict == "fail" and res.auto_fail
    assert [u["idx"] for u in res.evidence["utterances"]] == [6]
    assert res.evidence["utterances"][0]["role"] == "violation"
    assert r.auto_failed and r.score == 0.0 and not r.passed
    assert r.points == 5  # the greeting still earned its points; the call score is zero anyway
    assert len(r.auto_fail_reasons) == 1
    assert r.auto_fail_reasons[0].startswith("no_swearing: prohibited_language by the agent at 00:50 (utterance 6)")


def test_label_absent_customer_side_and_last_window():
    c = card("""
        - id: no_late_escalation
          kind: label_absent
          label: escalation_request
          speaker: customer
          within_last_s: 10
          points: 2
    """)
    early = [("customer", 1.0, 3.0, "Get me a manager.", "escalation_request"), ("agent", 30.0, 40.0, "Okay.")]
    assert score(c, early, duration=42.0).criterion("no_late_escalation").verdict == "pass"
    late = [("agent", 1.0, 3.0, "Hello."), ("customer", 35.0, 38.0, "Get me a manager.", "escalation_request")]
    assert score(c, late, duration=42.0).criterion("no_late_escalation").verdict == "fail"


# --------------------------------------------------------------------------- metric


def test_metric_within_bounds_and_missing_value():
    c = card("""
        - id: ratio
          kind: metric
          metric: agent_talk_ratio
          min: 0.3
          max: 0.7
          points: 4
        - id: prompt
          kind: metric
          metric: first_agent_response_s
          max: 5
          points: 1
          when_missing: fail
    """)
    balanced = [("agent", 0.0, 5.0, "a b c"), ("customer", 5.0, 10.0, "d e f")]
    r = score(c, balanced)
    assert r.criterion("ratio").verdict == "pass"
    assert r.criterion("ratio").evidence["values"]["agent_talk_ratio"] == 0.5
    assert r.criterion("ratio").evidence["values"]["agent_talk_s"] == 5.0
    lecture = [("agent", 0.0, 9.0, "a b c"), ("customer", 9.0, 10.0, "d")]
    res = score(c, lecture).criterion("ratio")
    assert res.verdict == "fail" and "outside 0.3–0.7" in res.reason
    silent_agent = [("customer", 0.0, 5.0, "hello? hello?")]
    r2 = score(c, silent_agent)
    assert r2.criterion("ratio").verdict == "fail"  # ratio 0.0 exists and is below 0.3
    assert r2.criterion("prompt").verdict == "fail" and "not available" in r2.criterion("prompt").reason


def test_metric_interruption_evidence_names_both_utterances():
    c = card("""
        - id: patience
          kind: metric
          metric: agent_interruptions_of_negative_customer
          max: 0
          points: 5
    """)
    turns = [
        ("customer", 0.0, 8.0, "I have been waiting for weeks and this is unacceptable", (), "negative"),
        ("agent", 6.0, 11.0, "Hold on, hold on, let me look at the account first"),
    ]
    res = score(c, turns).criterion("patience")
    assert res.verdict == "fail"
    assert [(u["idx"], u["role"]) for u in res.evidence["utterances"]] == [(0, "interrupted"), (1, "interrupter")]


# --------------------------------------------------------------------------- sentiment


SENTIMENT = """
- id: end_ok
  kind: sentiment
  condition: end_not_negative
  points: 5
- id: recovered
  kind: sentiment
  condition: improved_after_negative_start
  points: 5
"""


def test_sentiment_conditions():
    c = card(SENTIMENT)
    recovered = [
        ("customer", 0.0, 8.0, "This is a disgrace.", (), "negative"),
        ("agent", 9.0, 30.0, "I'm sorry, let me fix it."),
        ("customer", 32.0, 38.0, "Thank you, that's great.", (), "positive"),
    ]
    r = score(c, recovered, duration=40.0)
    assert r.criterion("end_ok").verdict == "pass"
    rec = r.criterion("recovered")
    assert rec.verdict == "pass" and rec.evidence["values"]["change"] == pytest.approx(1.8)
    assert {u["role"] for u in rec.evidence["utterances"]} == {"start", "end"}

    still_angry = [
        ("customer", 0.0, 8.0, "This is a disgrace.", (), "negative"),
        ("agent", 9.0, 30.0, "That's our policy."),
        ("customer", 32.0, 38.0, "Unbelievable, I'm cancelling.", (), "negative"),
    ]
    r = score(c, still_angry, duration=40.0)
    assert r.criterion("end_ok").verdict == "fail"
    assert r.criterion("end_ok").evidence["utterances"][0]["idx"] == 2
    assert r.criterion("recovered").verdict == "fail"

    calm = [("customer", 0.0, 8.0, "Hi, quick question.", ()), ("customer", 32.0, 38.0, "Thanks.", (), "positive")]
    r = score(c, calm, duration=40.0)
    assert r.criterion("recovered").verdict == "na"  # did not start negative: left out of the score
    assert r.criterion("end_ok").verdict == "pass"
    assert r.max_points == 5 and r.score == 100.0

    no_customer = [("agent", 0.0, 8.0, "Hello? Is anyone there?")]
    r = score(c, no_customer)
    assert r.criterion("end_ok").verdict == "na"


# --------------------------------------------------------------------------- N/A conditions


def test_na_no_hold_and_no_negative_customer_and_metric():
    c = card("""
        - id: hold_etiquette
          kind: label_present
          label: hold_request
          na_when:
            - no_hold: true
          points: 4
        - id: empathy
          kind: label_present
          label: empathy
          na_when:
            - no_negative_customer: true
          points: 4
        - id: closing
          kind: label_present
          label: closing
          na_when:
            - metric: handle_time_s
              below: 20
          points: 2
    """)
    short_calm = [("agent", 0.0, 3.0, "Hi."), ("customer", 3.5, 6.0, "Hi, all good.")]
    r = score(c, short_calm)
    assert {x.criterion_id: x.verdict for x in r.criteria} == {"hold_etiquette": "na", "empathy": "na", "closing": "na"}

    unannounced_hold_upset = [
        ("customer", 0.0, 5.0, "This is awful.", (), "negative"),
        ("agent", 6.0, 8.0, "Let me check."),
        ("agent", 70.0, 72.0, "I'm back. Goodbye.", "closing"),
    ]
    r = score(c, unannounced_hold_upset)
    v = {x.criterion_id: x.verdict for x in r.criteria}
    assert v == {"hold_etiquette": "fail", "empathy": "fail", "closing": "pass"}
    assert r.max_points == 10 and r.points == 2 and r.score == pytest.approx(20.0)


def test_na_present_condition():
    c = card("""
        - id: upsell
          kind: label_present
          label: upsell_offer
          na_when:
            - present: escalation_request
              speaker: customer
          points: 4
    """)
    res = score(c, [("customer", 0.0, 3.0, "Manager, now.", "escalation_request")]).criterion("upsell")
    assert res.verdict == "na" and res.evidence["utterances"][0]["idx"] == 0


# --------------------------------------------------------------------------- weighting and overrides


TWO_SECTIONS = """
  - id: second
    weight: 3
    criteria:
      - id: closing
        kind: label_present
        label: closing
        points: 10
      - id: commitment
        kind: label_present
        label: commitment
        points: 10
"""


def test_section_weights_and_pass_threshold():
    c = card(
        """
        - id: greet
          kind: label_present
          label: greeting
          points: 5
        - id: listen
          kind: label_present
          label: active_listening
          points: 15
    """,
        extra_sections=TWO_SECTIONS,
        pass_threshold=60,
    )
    turns = [
        ("agent", 0.0, 2.0, "Hello.", "greeting"),
        ("agent", 3.0, 5.0, "I'll call you back tomorrow.", "commitment"),
    ]
    r = score(c, turns)
    sec = {s.section_id: s for s in r.sections}
    assert sec["main"].score == pytest.approx(25.0) and sec["main"].max_points == 20
    assert sec["second"].score == pytest.approx(50.0) and sec["second"].weight == 3
    # (1 * 25 + 3 * 50) / 4
    assert r.score == pytest.approx(43.75)
    assert r.points == 15 and r.max_points == 40
    assert not r.passed


def test_apply_overrides_recomputes_and_lifts_auto_fail():
    c = card("""
        - id: greet
          kind: label_present
          label: greeting
          points: 5
        - id: listen
          kind: label_present
          label: active_listening
          points: 5
        - id: no_swearing
          kind: label_absent
          label: prohibited_language
          auto_fail: true
          points: 5
    """)
    turns = [("agent", 0.0, 2.0, "Hello.", "greeting"), ("agent", 3.0, 5.0, "Damn it.", "prohibited_language")]
    r = score(c, turns)
    assert r.auto_failed and r.score == 0.0
    # the reviewer decides the "profanity" was a misheard word: auto-fail lifted
    lifted = apply_overrides(r, {"no_swearing": "pass"})
    assert not lifted.auto_failed
    assert lifted.score == pytest.approx(100 * 10 / 15, abs=1e-3)
    assert lifted.criterion("no_swearing").verdict == "pass"
    # the automatic result is unchanged
    assert r.criterion("no_swearing").verdict == "fail" and r.score == 0.0
    # several overrides, as pairs; na removes a criterion from the score
    both = apply_overrides(r, [("no_swearing", "na"), ("listen", "pass")])
    assert both.score == 100.0 and both.max_points == 10
    # overriding a passed auto-fail criterion to fail zeroes the call
    clean = score(c, turns[:1])
    assert clean.score == pytest.approx(100 * 10 / 15, abs=1e-3)
    failed = apply_overrides(clean, {"no_swearing": "fail"})
    assert failed.auto_failed and failed.score == 0.0
    # unknown criteria are ignored; bad verdicts are errors
    assert apply_overrides(clean, {"gone": "pass"}).score == clean.score
    with pytest.raises(ValueError):
        apply_overrides(clean, {"greet": "maybe"})


def test_scoring_is_deterministic_and_pure():
    c = card(VERIFY_BEFORE, topics=ACCOUNT_TOPIC)
    conv, labs = build(OPENING)
    m = compute_metrics(conv, labs)
    a = score_call(conv, labs, m, c)
    b = score_call(conv, {lab.idx: lab for lab in labs}, None, c)
    assert a == b
    assert a.scorecard_version == c.version and a.scorecard_id == "t"
