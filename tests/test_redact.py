"""Line-level PII redaction: each type, each spoken/written form, Luhn, look-alikes."""

from __future__ import annotations

import re

import pytest

from qa_pipeline.errors import ConfigError
from qa_pipeline.redact import RedactionOptions, options_from_mapping, redact_lines, redact_text
from qa_pipeline.redact.numbers import aba_ok, find_runs, group_lengths, luhn_ok
from qa_pipeline.redact.tokens import tokenize


def red(text: str, *context: str) -> str:
    return redact_text(text, context=context).text


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


# --------------------------------------------------------------------------- spoken-number normaliser
@pytest.mark.parametrize(
    "text, digits",
    [
        ("4111 1111 1111 1111", "4111111111111111"),
        ("four one one one, one one one one", "41111111"),
        ("double five oh six", "5506"),
        ("triple seven", "777"),
        ("forty one eleven", "4111"),
        ("nineteen eighty-five", "1985"),
        ("twenty twenty six", "2026"),
        ("two thousand and five", "2005"),
        ("five hundred and twelve", "512"),
        ("twelve hundred", "1200"),
        ("oh five twenty six", "0526"),
        ("4 1 1 1 one one one one", "41111111"),
        ("three oh, four", "304"),
        ("one hundred twenty three", "123"),
        ("seven to nine", "729"),
    ],
)
def test_spoken_numbers_normalise_to_digits(text: str, digits: str) -> None:
    runs = find_runs(tokenize(text))
    assert len(runs) == 1
    assert runs[0].digits == digits


def test_runs_keep_group_layout_and_source_tokens() -> None:
    toks = tokenize("it's one two three, four five, six seven eight nine thanks")
    (run,) = find_runs(toks)
    assert group_lengths(run.chunks) == (3, 2, 4)
    assert toks[run.tok_start].text == "one" and toks[run.tok_end - 1].text == "nine"


def test_interjection_oh_is_not_a_zero() -> None:
    assert [r.digits for r in find_runs(tokenize("Oh, I see 5 items"))] == ["5"]


def test_luhn_and_aba_checks() -> None:
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert aba_ok("011000015") and not aba_ok("011000016")


# --------------------------------------------------------------------------- card numbers
@pytest.mark.parametrize(
    "text",
    [
        "My card number is 4111 1111 1111 1111.",
        "It's 4111-1111-1111-1111.",
        "Yeah, 4111111111111111.",
        "Four one one one, one one one one, one one one one, one one one one.",
        "four double one one, triple one one, one one one one, one one one one",
        "forty-one eleven, eleven eleven, eleven eleven, eleven eleven",
        "4 1 1 1 one one one one 1111 one one one one",
        "The Amex is 3782 822463 10005.",
        "Five four two five, two three three four, three oh one oh, nine nine oh three.",
    ],
)
def test_card_numbers_in_every_form_are_redacted(text: str) -> None:
    out = red(text)
    assert "[CARD]" in out
    assert not re.search(r"\d", out)
    assert not re.search(r"\b(one|four|eleven|forty)\b", out, re.I)


def test_luhn_failure_without_card_context_is_not_a_card() -> None:
    assert red("The tracking reference came to 4111 1111 1111 1112 I think.") == (
        "The tracking reference came to 4111 1111 1111 1112 I think."
    )
    # same digits, valid Luhn: a card even without any card words
    assert "[CARD]" in red("I think it is 4111 1111 1111 1111.")


def test_luhn_failure_with_card_context_is_still_removed() -> None:
    # the agent asked for the card: a misheard digit must not leave the number in clear
    out = red("4111 1111 1111 1112", "Can I take the card number please?")
    assert out == "[CARD]"


def test_card_last_four_is_kept() -> None:
    assert red("The card ending in 4 4 2 1 was charged.") == "The card ending in 4 4 2 1 was charged."


# --------------------------------------------------------------------------- CVV / expiry
@pytest.mark.parametrize("answer", ["seven two nine", "729", "7 2 9", "seven twenty-nine"])
def test_cvv_after_security_code_question(answer: str) -> None:
    assert red(f"It's {answer}.", "And the three digit security code on the back?") == "It's [CVV]."


def test_three_digits_without_cvv_context_survive() -> None:
    assert red("It's 729.", "How many did you order?") == "It's 729."


@pytest.mark.parametrize(
    "answer", ["oh five twenty six", "05/26", "May 2026", "May twenty twenty-six", "five twenty six"]
)
def test_expiry_after_expiry_question(answer: str) -> None:
    assert red(answer, "What's the expiry date on the card?") == "[EXPIRY]"


def test_card_expiry_and_cvv_read_in_one_breath() -> None:
    out = red("4111 1111 1111 1111, 08/27, 431.", "Card number, expiry and security code please.")
    assert out == "[CARD], [EXPIRY], [CVV]."


# --------------------------------------------------------------------------- SSN
@pytest.mark.parametrize(
    "text, context",
    [
        ("412-56-7781", ""),
        ("My social is five three one, two two, eight oh four six.", ""),
        ("six one two four four nine three seven one", "I'll need your social security number."),
        ("Two one two, double four, five nine six eight", "Social security number, please."),
    ],
)
def test_ssn_forms(text: str, context: str) -> None:
    out = red(text, *([context] if context else []))
    assert "[SSN]" in out and not re.search(r"\d", out)


def test_ssn_last_four_with_context() -> None:
    assert red("6 6 1 9.", "And the last four of your social?") == "[SSN]."


def test_nine_digits_without_context_or_layout_survive() -> None:
    assert red("Your confirmation code is 8 8 4 1 2 7 9 3 5.") == "Your confirmation code is 8 8 4 1 2 7 9 3 5."


# --------------------------------------------------------------------------- DOB
@pytest.mark.parametrize(
    "answer, expected",
    [
        ("March 3rd, 1975.", "[DOB]."),
        ("The fifth of January, nineteen eighty-five.", "The [DOB]."),
        ("oh four, twelve, eighty-eight.", "[DOB]."),
        ("11/02/1969.", "[DOB]."),
        ("Nineteen sixty-four.", "[DOB]."),
        ("September twenty-first, nineteen seventy-two.", "[DOB]."),
    ],
)
def test_dob_after_date_of_birth_question(answer: str, expected: str) -> None:
    assert red(answer, "Can you confirm your date of birth?") == expected


def test_born_on_is_context_in_the_same_line() -> None:
    assert red("I was born on July 14th, 1990.") == "I was born on [DOB]."


def test_dates_that_are_not_birth_dates_survive() -> None:
    for line in (
        "The delivery is scheduled for March 3rd, 2025.",
        "I bought it on 04/15/2024.",
        "I've been a customer since 2009.",
    ):
        assert red(line) == line


# --------------------------------------------------------------------------- phone, email, address
@pytest.mark.parametrize(
    "text",
    ["555-203-4471", "(312) 555-0198", "+1 646 555 0177", "four one five, five five five, two six three eight"],
)
def test_phone_forms(text: str) -> None:
    out = red(f"You can call me on {text}.")
    assert out == "You can call me on [PHONE]."


def test_toll_free_company_number_survives() -> None:
    assert red("Please call us back at 1-800-555-0199.") == "Please call us back at 1-800-555-0199."


@pytest.mark.parametrize(
    "text",
    [
        "john dot smith at gmail dot com",
        "jsmith85@yahoo.com",
        "mary underscore jones at hotmail dot co dot uk",
        "k l e e at outlook dot com",
        "tom.baker73 at gmail.com",
        "noah dot lopez 88 at gmail dot com",
    ],
)
def test_email_forms(text: str) -> None:
    assert red(f"My email is {text}.") == "My email is [EMAIL]."


def test_shop_website_is_not_an_email() -> None:
    assert red("I shop at amazon dot com all the time.") == "I shop at amazon dot com all the time."


@pytest.mark.parametrize(
    "text, context",
    [
        ("I live at 42 Elm Street, Springfield, Illinois 62704.", ""),
        ("Ship it to twelve thirty-four Oak Drive, Austin, Texas.", ""),
        ("It's 221B Baker Street, London.", ""),
        ("My address is P.O. Box 5521, Tulsa, Oklahoma.", ""),
        ("nine oh two one oh", "And the zip code?"),
        ("SW1A 2AA", "And the postcode?"),
    ],
)
def test_address_forms(text: str, context: str) -> None:
    out = red(text, *([context] if context else []))
    assert "[ADDRESS]" in out
    assert not re.search(r"\d|Elm|Oak|Baker|Tulsa|Springfield|nine", out)


def test_street_without_house_number_survives() -> None:
    line = "My son was born in the hospital on Main Street."
    assert red(line) == line


# --------------------------------------------------------------------------- account / routing
def test_routing_and_account_in_one_answer() -> None:
    out = red(
        "Routing is one oh three, one three nine, two two one and the account is four four seven, two one nine, oh oh six.",
        "I'll need the routing and account numbers.",
    )
    assert out == "Routing is [ROUTING] and the account is [ACCOUNT]."


def test_account_number_with_letter_prefix() -> None:
    assert red("P O L 4 4 8 2 1 9 7 3.", "Can I get your policy number?") == "[ACCOUNT]."


# --------------------------------------------------------------------------- look-alikes
@pytest.mark.parametrize(
    "line",
    [
        "My order number is 4521 8876 3310.",
        "Your case number is 5 5 5 1 2 3 4 5 6 7.",
        "It was $49.99 plus tax.",
        "That comes to one hundred twenty-five dollars and forty cents.",
        "I'll be home after 3:30 p.m.",
        "Your flight is UA 1472 departing at 6:45.",
        "The model number is XR-5000.",
        "I ordered 3 boxes, but only 2 arrived.",
        "The total is 1,249 dollars.",
        "The serial number is 4 7 1 1 9 2 8 3 3 0 5 6 1 2 7 8.",
        "A: What's the ticket number? || C: Two one four, five five two, nine nine one eight.",
        "A: And the case number? || C: Six one two, four four, nine three seven one.",
    ],
)
def test_look_alikes_survive(line: str) -> None:
    lines = [p.strip() for p in line.split("||")]
    assert [r.text for r in redact_lines(lines)] == lines


# --------------------------------------------------------------------------- results and options
def test_spans_locate_placeholders_in_the_redacted_text() -> None:
    res = redact_text("Card 4111 1111 1111 1111 and phone 555-203-4471.")
    assert res.text == "Card [CARD] and phone [PHONE]."
    assert [(s.pii_type, res.text[s.char_start : s.char_end]) for s in res.spans] == [
        ("CARD", "[CARD]"),
        ("PHONE", "[PHONE]"),
    ]
    assert [s.span_no for s in res.spans] == [0, 1]
    assert all(s.start_s is None for s in res.spans)


def test_types_option_limits_detection_and_disabled_returns_text() -> None:
    line = "Card 4111 1111 1111 1111 and phone 555-203-4471."
    assert (
        redact_text(line, RedactionOptions.from_types(["PHONE"])).text == "Card 4111 1111 1111 1111 and phone [PHONE]."
    )
    assert redact_text(line, RedactionOptions(enabled=False)).text == line


def test_options_validation() -> None:
    with pytest.raises(ConfigError, match="unknown PII type"):
        RedactionOptions.from_types(["CARD", "PASSPORT"])
    with pytest.raises(ConfigError, match=r"cfg.yaml: \[redaction -> keep_rawx\]"):
        options_from_mapping({"keep_rawx": True}, source="cfg.yaml")
    opts = options_from_mapping({"types": ["card", "ssn"], "keep_raw": True})
    assert opts.types == frozenset({"CARD", "SSN"}) and opts.keep_raw and opts.enabled


def test_redact_lines_uses_previous_lines_as_context_and_keeps_speaker_prefix() -> None:
    out = redact_lines(["Agent: and the security code?", "Customer: seven two nine"])
    assert [r.text for r in out] == ["Agent: and the security code?", "Customer: [CVV]"]
    assert out[1].spans[0].char_start == len("Customer: ")
    independent = redact_lines(["Agent: and the security code?", "Customer: seven two nine"], independent=True)
    assert independent[1].text == "Customer: seven two nine"


# --------------------------------------------------------------------------- rules from the third held-out batch
def spans_of(text: str, *context: str) -> list[str]:
    return [s.pii_type for s in redact_text(text, context=context).spans]


def test_card_read_across_a_long_aside_keeps_the_aside() -> None:
    out = red("5425 2334, hang on my dog is barking at the door, 3010 9903.", "Card number please?")
    assert out == "[CARD], hang on my dog is barking at the door, [CARD]."


def test_pieces_across_a_long_aside_must_pass_luhn() -> None:
    # 5425 2334 3010 9904 fails the Luhn sum: two unrelated numbers with chatter in between
    line = "It was 5425 2334, then the lady in the shop said the new one is 3010 9904."
    assert red(line) == line


def test_correction_after_a_card_number_is_part_of_the_card() -> None:
    text = "5425 2334 3010 9908, no sorry, 9903 at the end."
    assert red(text, "What's the long number on the card?") == "[CARD], no sorry, [CARD] at the end."
    assert set(spans_of(text, "What's the long number on the card?")) == {"CARD"}


def test_digits_after_a_card_without_correction_words_are_the_cvv() -> None:
    assert spans_of("5425 2334 3010 9903, and 4170.", "Card details please.") == ["CARD", "CVV"]


@pytest.mark.parametrize("lead", ["and the three on the back are", "the four on the front are", "last three"])
def test_cvv_phrasings(lead: str) -> None:
    assert red(f"{lead} eight one four", "Can I take the card details?") == f"{lead} [CVV]"


def test_number_word_inside_a_context_phrase_is_not_redacted() -> None:
    assert (
        red("The three digits on the back are 4 4 1.", "Card number please?")
        == "The three digits on the back are [CVV]."
    )


def test_clipped_year_in_a_date_of_birth() -> None:
    assert red("June 9th, '71.", "And your date of birth?") == "[DOB]."


def test_spoken_number_inside_an_email_local_part() -> None:
    assert red("It's b dot nguyen seventy-two at gmail dot com.", "Email address?") == "It's [EMAIL]."


def test_everyday_words_after_at_are_not_mail_providers() -> None:
    assert red("My kid was yelling at me the whole time.") == "My kid was yelling at me the whole time."
    assert red("It's tom at me dot com.", "Email?") == "It's [EMAIL]."


def test_mac_and_ip_addresses_are_not_postal_addresses() -> None:
    assert (
        red("C 4, 9 2, A 7, 3 3, 0 1, E 8.", "What's the MAC address on the sticker?")
        == "C 4, 9 2, A 7, 3 3, 0 1, E 8."
    )
    assert red("10 0 0 1.", "What's the IP address of the router?") == "10 0 0 1."


@pytest.mark.parametrize(
    "line",
    [
        "I rang the number on the back of the card, 1-888-555-0142, and got nobody.",
        "You can call eight hundred, five five five, oh one nine nine.",
        "The security team is on 877 555 0123.",
    ],
)
def test_toll_free_numbers_are_never_pii(line: str) -> None:
    assert red(line) == line


def test_unit_number_and_letter_alone_is_not_an_address() -> None:
    assert red("I'm in apartment 4 B, near the lift.") == "I'm in apartment 4 B, near the lift."
    assert "[ADDRESS]" in red("I live at 42 Elmwood, Springfield.")


def test_money_words_do_not_veto_a_whole_valid_card_number() -> None:
    assert (
        red("Can you charge the balance to 4111 1111 1111 1111 please?")
        == "Can you charge the balance to [CARD] please?"
    )
    # they still veto what is not a valid card number after them
    line = "The charge was 4111 1111 1111 1112, I don't recognise it."
    assert red(line) == line
    assert red("The deposit was 250 and the fee 4 0 0.") == "The deposit was 250 and the fee 4 0 0."


@pytest.mark.parametrize(
    "line",
    ["The deal is good through May 2026.", "My passport expires 06/27.", "The warranty expires in March of 2027."],
)
def test_other_things_that_expire_are_not_card_expiry_dates(line: str) -> None:
    assert red(line) == line


def test_card_expiry_still_found_without_a_named_subject_or_when_asked() -> None:
    assert red("It expires 06/27.") == "It expires [EXPIRY]."
    assert red("June 2027.", "And when does the card expire?") == "[EXPIRY]."
    assert red("My Visa expires June 2027.") == "My Visa expires [EXPIRY]."


# --------------------------------------------------------------------------- rules from the fifth held-out batch
def test_card_read_across_an_aside_turn_of_the_reader() -> None:
    lines = [
        "Agent: What's the card number?",
        "Customer: 5425 2334",
        "Customer: hang on my kid's yelling",
        "Customer: okay 3010 9903",
    ]
    out = [r.text for r in redact_lines(lines)]
    assert out == [
        "Agent: What's the card number?",
        "Customer: [CARD]",
        "Customer: hang on my kid's yelling",
        "Customer: okay [CARD]",
    ]
    assert {s.pii_type for r in redact_lines(lines) for s in r.spans} == {"CARD"}


def test_pieces_across_a_long_aside_turn_must_pass_luhn() -> None:
    # 7 words in the reader's own turn between the pieces: only a valid Luhn sum joins them
    aside = "Customer: sorry the baby just woke up upstairs again"
    ok = ["Agent: Card number please.", "Customer: 5425 2334", aside, "Customer: 3010 9903"]
    assert [r.text for r in redact_lines(ok)][1::2] == ["Customer: [CARD]", "Customer: [CARD]"]
    bad = ["Agent: Card number please.", "Customer: 5425 2334", aside, "Customer: 3010 9904"]
    assert [r.text for r in redact_lines(bad)] == bad


def test_a_question_or_a_long_turn_between_pieces_ends_the_number() -> None:
    question = [
        "Agent: Card number please.",
        "Customer: 5425 2334",
        "Customer: what do you need it for",
        "Customer: 3010 9903",
    ]
    assert [r.text for r in redact_lines(question)][1::2] == ["Customer: 5425 2334", "Customer: 3010 9903"]
    long_turn = [
        "Agent: Card number please.",
        "Customer: 5425 2334",
        "Customer: sorry I need to find my glasses they were here a minute ago on the table",
        "Customer: 3010 9903",
    ]
    assert [r.text for r in redact_lines(long_turn)][1::2] == ["Customer: 5425 2334", "Customer: 3010 9903"]


# --------------------------------------------------------------------------- checksums through python-stdnum
def test_checksums_come_from_python_stdnum_and_keep_the_project_rules() -> None:
    from qa_pipeline.redact.forms import ssn_valid

    assert luhn_ok("4539578763621486") and not luhn_ok("4539578763621487")
    assert not luhn_ok("0") and not luhn_ok("4539 5787")  # one digit, or not all digits
    assert aba_ok("021000021") and not aba_ok("021000022")
    assert not aba_ok("000000000")  # a valid sum, but "00" is no Federal Reserve district
    assert ssn_valid("412567781")
    for bad in ("000567781", "666567781", "912567781", "412007781", "412560000"):
        assert not ssn_valid(bad), bad


# --------------------------------------------------------------------------- secrets (issue 14)
def conv(*lines: str) -> list[str]:
    return [r.text for r in redact_lines(list(lines))]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Customer: the password is toffee apple", "Customer: the password is [SECRET]"),
        ("Customer: My memorable word's Gandalf.", "Customer: My memorable word's [SECRET]."),
        (
            "Customer: my mother's maiden name was Pennington, I think",
            "Customer: my mother's maiden name was [SECRET], I think",
        ),
        ("Customer: and the pin is 3 0 9 1", "Customer: and the pin is [SECRET]"),
    ],
)
def test_a_secret_named_in_the_same_turn_is_redacted(line: str, expected: str) -> None:
    assert conv(line) == [expected]


def test_a_short_reply_to_the_other_partys_secret_question_is_redacted() -> None:
    assert (
        conv("Agent: What was the name of your first pet?", "Customer: Oh, that'd be Pickles.")[1]
        == "Customer: Oh, that'd be [SECRET]."
    )
    assert conv("Agent: Can I take the four digit PIN?", "Customer: five five oh two")[1] == "Customer: [SECRET]"
    # a stall of the customer's own keeps the question open for the next turn
    assert conv("Agent: Could you confirm the password?", "Customer: Um, one second.", "Customer: It's quokka.")[
        1:
    ] == [
        "Customer: Um, one second.",
        "Customer: It's [SECRET].",
    ]


def test_whispers_in_for_is_names_the_secret_only_in_reply_to_the_question() -> None:
    # Whisper wrote "the password in Blue Harbor" for "the password is blue harbour" on a sample call
    asked = conv(
        "Agent: Your name and the password, please?", "Customer: It's Ana Silva and the password in Green Kettle."
    )
    assert asked[1] == "Customer: It's [NAME] and the password in [SECRET]."
    assert conv("Customer: I typed the password in Chrome and it failed.") == [
        "Customer: I typed the password in Chrome and it failed."
    ]


@pytest.mark.parametrize(
    "lines",
    [
        ["Agent: Could you confirm the password?", "Customer: Sorry, I can't remember what I chose."],
        ["Agent: We've sent a passcode to your mobile.", "Customer: Okay, got it."],
        [
            "Agent: What's the password on the account?",
            "Customer: Daffodil.",
            "Agent: Thanks. Is that all okay?",
            "Customer: Yes, perfect.",
        ],
        ["Customer: Your PIN was changed 4 days ago, it said."],
        ["Agent: The password must have twelve characters."],
    ],
)
def test_talk_about_secrets_without_the_secret_survives(lines: list[str]) -> None:
    out = conv(*lines)
    kept = [a for a, b in zip(lines, out) if a == b]
    if lines[1:2] == ["Customer: Daffodil."]:
        assert out[1] == "Customer: [SECRET]." and out[2:] == lines[2:]  # only the answer itself
    else:
        assert kept == lines


# --------------------------------------------------------------------------- names (issue 14)
@pytest.mark.parametrize(
    "lines, expected",
    [
        (
            ["Agent: Hi, you're through to Northgate, my name is Kofi, how can I help?"],
            ["Agent: Hi, you're through to Northgate, my name is [NAME], how can I help?"],
        ),
        (
            ["Agent: Who am I speaking with?", "Customer: Rebecca Thornton."],
            ["Agent: Who am I speaking with?", "Customer: [NAME]."],
        ),
        (["Agent: Thanks, Mrs Abernathy, that's done."], ["Agent: Thanks, [NAME], that's done."]),
        (
            ["Customer: I spoke to someone called Gemma on Tuesday."],
            ["Customer: I spoke to someone called [NAME] on Tuesday."],
        ),
        (["Customer: hi this is gloria from flat nine"], ["Customer: hi this is [NAME] from flat nine"]),
        (
            ["Agent: my name is Oluwaseun.", "Customer: Hi Oluwaseun, thanks."],
            ["Agent: my name is [NAME].", "Customer: Hi [NAME], thanks."],
        ),
    ],
)
def test_people_s_names_after_a_cue_are_redacted(lines: list[str], expected: list[str]) -> None:
    assert conv(*lines) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Agent: Thank you for calling Northgate Telecom, this is the billing team.",
        "Customer: I'm on the Broadband Plus deal since May, and it drops every Monday.",
        "Customer: Will the engineer come on Friday?",
        "Agent: Is the account in your name?",
        "Customer: I bought it from Currys in June.",
    ],
)
def test_company_product_day_and_month_names_survive(line: str) -> None:
    assert conv(line) == [line]


# --------------------------------------------------------------------------- spelled e-mails and spoken addresses (issue 14)
def test_spelled_e_mails_are_redacted() -> None:
    assert (
        conv("Agent: What's your email?", "Customer: It's tom dot dot r brightmail dot com.")[1]
        == "Customer: It's [EMAIL]."
    )
    assert (
        conv("Agent: And the email address?", "Customer: k, l, e, e, at sign, quickpost dot net")[1]
        == "Customer: [EMAIL]"
    )
    assert conv("Agent: Your email?", "Customer: jo all one word at gmail dot com")[1] == "Customer: [EMAIL]"


def test_a_web_address_is_not_an_e_mail() -> None:
    lines = ["Agent: Did you get our email?", "Customer: No, I went to northgate dot com slash help instead."]
    assert conv(*lines) == lines


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Customer: it's 9 willow roads", "Customer: it's [ADDRESS]"),
        ("Customer: thirty three birch avenue", "Customer: [ADDRESS]"),
        ("Customer: flat 2 17 park road", "Customer: [ADDRESS]"),
        ("Customer: number four the close", "Customer: [ADDRESS]"),
    ],
)
def test_spoken_lower_case_addresses_are_redacted_when_asked(line: str, expected: str) -> None:
    assert conv("Agent: What's the address?", line)[1] == expected


def test_a_lower_case_street_with_a_clear_suffix_needs_no_question() -> None:
    assert conv("Customer: send it to 64 ash grove please") == ["Customer: send it to [ADDRESS] please"]
    assert conv("Customer: there are 22 flats on our road") == ["Customer: there are 22 flats on our road"]
