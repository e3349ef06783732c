"""Words that say what a nearby number is: the agent's question or the customer's lead-in.

``"can I have the security code on the back?"`` makes the next customer
digits a CVV; ``"your order number is"`` makes them an order number (a
*veto*: a look-alike that must survive).  Phrases are matched on lowercased
word tokens, longest first; a phrase may name several types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa_pipeline.redact.tokens import Token

VETO = "VETO"
CODE_WORD = "CODE"  # bare "code": a CVV only when card details are being taken
AMOUNT = "AMOUNT"  # with VETO: a money word (price, charge, deposit…)

_PHRASES: dict[str, tuple[str, ...]] = {}


def _add(labels: tuple[str, ...], *phrases: str) -> None:
    for p in phrases:
        _PHRASES[p] = labels


_add(
    ("CARD",),
    "card",
    "cards",
    "card number",
    "credit card",
    "debit card",
    "visa",
    "mastercard",
    "master card",
    "amex",
    "american express",
    "discover card",
    "long number",
    "number on the front",
    "card details",
    "payment card",
    "card no",
    "diners",
    "jcb",
    "maestro",
    "credit",
    "debit",
)
_add(
    ("CVV", "CARD"),
    "security code",
    "cvv",
    "cvc",
    "cvv2",
    "cv2",
    "csc",
    "cid",
    "three digit code",
    "three digits on the back",
    "three digit number",
    "four digit code",
    "back of the card",
    "digits on the back",
    "code on the back",
    "number on the back",
    "numbers on the back",
    "last three digits",
    "security number",
    "card code",
    "security digits",
    "three digit security",
    "card verification",
    "three on the back",
    "four on the back",
    "four on the front",
    "digits on the front",
    "three digits",
    "last three",
    "verification code on the back",
)
_add(("CVV",), "pin", "pin number", "pin code", "passcode")
_add(
    ("EXPIRY", "CARD"),
    "expiry",
    "expiration",
    "expires",
    "expire",
    "expiring",
    "expired",
    "exp",
    "exp date",
    "valid thru",
    "valid through",
    "valid until",
    "good thru",
    "good through",
)
_add(
    ("DOB",),
    "date of birth",
    "birth date",
    "birthdate",
    "birthday",
    "born",
    "dob",
    "d o b",
    "birth",
    "year of birth",
    "d.o.b",
)
_add(
    ("SSN",),
    "social security",
    "social",
    "ssn",
    "s s n",
    "social security number",
    "tax id",
    "taxpayer id",
    "tax identification",
    "social insurance number",
    "national insurance",
)
_add(
    ("PHONE",),
    "phone",
    "phone number",
    "telephone",
    "cell",
    "cellphone",
    "cell phone",
    "mobile",
    "mobile number",
    "call you",
    "call you back",
    "callback",
    "call back",
    "call me",
    "call me back",
    "reach you",
    "reach me",
    "contact number",
    "text you",
    "text me",
    "landline",
    "best number",
    "home number",
    "work number",
    "number to reach",
    "daytime number",
)
_add(("EMAIL",), "email", "e mail", "mail", "email address", "e mail address", "gmail", "inbox")
_add(("ADDRESS", "EMAIL"), "address")
_add(
    ("ADDRESS",),
    "street",
    "zip",
    "zip code",
    "zipcode",
    "postcode",
    "post code",
    "postal code",
    "live at",
    "reside",
    "billing address",
    "shipping address",
    "mailing address",
    "home address",
    "delivery address",
    "ship it to",
    "house number",
    "postal address",
    "apartment",
    "moved to",
)
_add(
    ("ACCOUNT",),
    "account number",
    "account no",
    "account",
    "acct",
    "member number",
    "member id",
    "membership number",
    "customer number",
    "customer id",
    "policy number",
    "iban",
    "bank account",
    "checking account",
    "savings account",
    "loyalty number",
    "account id",
    "account is",
)
_add(
    ("ROUTING", "ACCOUNT"),
    "routing",
    "routing number",
    "aba",
    "aba number",
    "transit number",
    "sort code",
    "bank code",
    "routing and account",
)
_add((CODE_WORD,), "code", "the code", "digits")
_add(
    (VETO,),
    "order",
    "order number",
    "orders",
    "confirmation",
    "confirmation number",
    "confirmation code",
    "reference",
    "ref",
    "reference number",
    "tracking",
    "tracking number",
    "ticket",
    "ticket number",
    "case",
    "case number",
    "invoice",
    "receipt",
    "model",
    "model number",
    "serial",
    "serial number",
    "flight",
    "booking",
    "reservation",
    "item",
    "items",
    "sku",
    "part number",
    "product",
    "room",
    "gate",
    "seat",
    "extension",
    "ext",
    "page",
    "version",
    "step",
    "option",
    "transaction",
    "promo",
    "promo code",
    "coupon",
    "voucher",
    "discount code",
    "store",
    "aisle",
    "platform",
    "chapter",
    "floor",
    "claim",
    "claim number",
    "bus",
    "train",
    "batch",
    "lot",
    "rma",
    "work order",
    "quote",
    "quoted",
    "estimate",
    "size",
    "catalog",
    "catalogue",
    "warehouse",
    "locker",
    "shipment",
    "package",
    "parcel",
    "caller",
    "queue",
    "verification code",
    "one time code",
    "one-time code",
    "otp",
    "error code",
    "error",
    "plan",
    "ticket id",
    "order id",
    "incident",
    "request number",
    "version number",
    "device",
    "imei",
    "license plate",
    "plate",
    "tag",
    "limit",
    "points",
    "offer",
    "deal",
    "promotion",
    "contract",
    "warranty",
    "subscription",
    "trial",
    "passport",
    "license",
    "licence",
    "driver's license",
    "lease",
    "insurance",
    "coverage",
    "registration",
    "permit",
    "mac address",
    "ip address",
    "web address",
    "wallet address",
    "server address",
    "url",
)
# money words veto the amount that follows them ("a deposit of 250") but not a whole card number
# with a valid Luhn sum and scheme prefix ("charge the deposit to 4573 7561 3519 5929")
_add(
    (VETO, AMOUNT),
    "price",
    "costs",
    "cost",
    "total",
    "balance",
    "charge",
    "charged",
    "paid",
    "pay",
    "refund",
    "fee",
    "bill",
    "credited",
    "worth",
    "tip",
    "deposit",
)
# phrases that contain a keyword but mean something else
_add(
    (),
    "social media",
    "social worker",
    "in order",
    "in case",
    "just in case",
    "security guard",
    "security system",
    "security camera",
    "security question",
    "by mail",
    "voice mail",
    "voicemail",
    "e mail me",
    "card reader",
    "gift card",
    "the back office",
    "on the back burner",
    "cell tower",
    "store credit",
    "credit score",
    "credit limit",
    "credit report",
    "credit check",
    "on the account",
    "on your account",
    "on my account",
    "on this account",
    "account holder",
    "the account holder",
)

_MAX_WORDS = max(len(p.split()) for p in _PHRASES)


@dataclass(frozen=True)
class Hit:
    """A context phrase found at tokens ``start``..``end`` (end exclusive)."""

    labels: tuple[str, ...]
    start: int
    end: int

    @property
    def is_veto(self) -> bool:
        return VETO in self.labels

    @property
    def is_amount(self) -> bool:
        return AMOUNT in self.labels


def find_hits(toks: Sequence[Token]) -> list[Hit]:
    """Context phrases in one utterance, longest match first, left to right."""
    words = [(i, t.lower.replace("\u2019", "'")) for i, t in enumerate(toks) if t.kind == "word"]
    hits: list[Hit] = []
    k = 0
    while k < len(words):
        matched = False
        for n in range(min(_MAX_WORDS, len(words) - k), 0, -1):
            phrase = " ".join(w for _, w in words[k : k + n])
            labels = _PHRASES.get(phrase)
            if labels is not None:
                if labels:
                    hits.append(Hit(labels, words[k][0], words[k + n - 1][0] + 1))
                k += n
                matched = True
                break
        if not matched:
            k += 1
    return hits
