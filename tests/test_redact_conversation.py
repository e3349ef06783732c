"""Conversation-level redaction: context across turns, split numbers, words, times, keep_raw."""

from __future__ import annotations

import re

from qa_pipeline.conversation import Conversation, Utterance, Word
from qa_pipeline.redact import RedactionOptions, redact_conversation


def utt(idx: int, speaker: str, start: float, text: str, *, spacing: float = 0.4, words: bool = True) -> Utterance:
    ws = []
    t = start
    for k, piece in enumerate(text.split()):
        ws.append(Word(round(t, 3), round(t + spacing * 0.8, 3), (" " if k else "") + piece, 0.9))
        t += spacing
    return Utterance(idx, speaker, start, round(t, 3), text, tuple(ws) if words else ())  # type: ignore[arg-type]


def conv(*utts: Utterance) -> Conversation:
    return Conversation("call-1", tuple(utts), utts[-1].end_s + 1.0)


def test_card_split_over_customer_turns_is_found_and_timed() -> None:
    c = conv(
        utt(0, "agent", 0.0, "Can I have the card number please?"),
        utt(1, "customer", 4.0, "Sure, four five three two, oh one five one"),
        utt(2, "agent", 9.0, "Okay."),
        utt(3, "customer", 10.0, "one two eight three, oh three six six."),
    )
    res = redact_conversation(c)
    texts = [u.text for u in res.conversation.utterances]
    assert texts == ["Can I have the card number please?", "Sure, [CARD]", "Okay.", "[CARD]."]
    spans = res.spans
    assert [(s.idx, s.span_no, s.pii_type) for s in spans] == [(1, 0, "CARD"), (3, 0, "CARD")]
    # times come from the replaced words: "four" is the 2nd word of utterance 1, "one" the 1st of utterance 3
    first = c.utterances[1].words
    assert spans[0].start_s == first[1].start and spans[0].end_s == first[-1].end
    third = c.utterances[3].words
    assert spans[1].start_s == third[0].start and spans[1].end_s == third[-1].end
    for s in spans:
        u = res.conversation.utterances[s.idx]
        assert u.text[s.char_start : s.char_end] == "[CARD]"


def test_no_digit_of_the_card_survives_in_text_or_words() -> None:
    c = conv(
        utt(0, "agent", 0.0, "What's the long number on the card?"),
        utt(1, "customer", 3.0, "It's 4532 0151 1283 0366, and it expires oh nine twenty seven."),
    )
    res = redact_conversation(c)
    u = res.conversation.utterances[1]
    assert u.text == "It's [CARD], and it expires [EXPIRY]."
    word_text = "".join(w.text for w in u.words)
    assert word_text.strip() == u.text
    assert not re.search(r"\d", word_text)
    assert "nine" not in word_text and "twenty" not in word_text


def test_replaced_words_are_merged_keeping_their_times() -> None:
    c = conv(utt(0, "customer", 2.0, "my cell is 555 203 4471 thanks"))
    res = redact_conversation(c)
    words = res.conversation.utterances[0].words
    assert [w.text for w in words] == ["my", " cell", " is", " [PHONE]", " thanks"]
    orig = c.utterances[0].words
    assert words[3].start == orig[3].start and words[3].end == orig[5].end
    assert words[4] == orig[6]
    (span,) = res.spans
    assert (span.start_s, span.end_s) == (orig[3].start, orig[5].end)


def test_context_comes_from_the_agents_question() -> None:
    c = conv(
        utt(0, "agent", 0.0, "And the three digit security code on the back?"),
        utt(1, "customer", 3.0, "seven two nine"),
        utt(2, "agent", 5.0, "Thanks. How many tickets did you want?"),
        utt(3, "customer", 8.0, "4 please, for the 7:30 show."),
    )
    res = redact_conversation(c)
    assert [u.text for u in res.conversation.utterances][1:] == [
        "[CVV]",
        "Thanks. How many tickets did you want?",
        "4 please, for the 7:30 show.",
    ]


def test_agent_read_back_is_redacted_too() -> None:
    c = conv(
        utt(0, "customer", 0.0, "It's 5425 2334 3010 9903."),
        utt(1, "agent", 4.0, "Let me read that back, 5425 2334 3010 9903, correct?"),
    )
    res = redact_conversation(c)
    assert [u.text for u in res.conversation.utterances] == ["It's [CARD].", "Let me read that back, [CARD], correct?"]


def test_utterance_without_words_gets_interpolated_times_inside_the_utterance() -> None:
    u = Utterance(0, "customer", 10.0, 20.0, "my social is 412-56-7781 okay", ())
    res = redact_conversation(conv(u))
    (span,) = res.spans
    assert res.conversation.utterances[0].text == "my social is [SSN] okay"
    assert 10.0 <= span.start_s < span.end_s <= 20.0
    assert span.start_s < 10.0 + 10.0 * 13 / 29 and span.end_s > 10.0 + 10.0 * 24 / 29


def test_words_that_do_not_match_the_text_are_used_as_the_text() -> None:
    words = (Word(0.0, 0.4, " My"), Word(0.4, 0.8, " SSN"), Word(0.8, 2.0, " 412-56-7781."))
    u = Utterance(0, "customer", 0.0, 2.0, "my ssn is four one two...", words)
    res = redact_conversation(conv(u))
    out = res.conversation.utterances[0]
    assert out.text == "My SSN [SSN]."
    assert [w.text for w in out.words] == [" My", " SSN", " [SSN]."]
    assert (res.spans[0].start_s, res.spans[0].end_s) == (0.8, 2.0)


def test_keep_raw_and_disabled() -> None:
    c = conv(utt(0, "customer", 0.0, "call me on 555-203-4471"))
    default = redact_conversation(c)
    assert default.raw is None
    kept = redact_conversation(c, RedactionOptions(keep_raw=True))
    assert kept.raw is c and kept.conversation.utterances[0].text == "call me on [PHONE]"
    off = redact_conversation(c, RedactionOptions(enabled=False))
    assert off.conversation is c and off.spans == ()


def test_clean_call_is_returned_unchanged() -> None:
    c = conv(
        utt(0, "agent", 0.0, "Your order number is 4521 8876 3310."),
        utt(1, "customer", 4.0, "Great, and it was $49.99 for 3 boxes, delivered March 3rd, 2025."),
    )
    res = redact_conversation(c)
    assert res.spans == () and res.conversation == c
