"""Word lists and the validity checks of each PII form (card schemes, SSN, NANP, dates)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from stdnum.us import ssn as stdnum_ssn

CURRENT_YEAR = date.today().year


UNIT_WORDS = frozenset(
    [
        "dollar",
        "dollars",
        "buck",
        "bucks",
        "cent",
        "cents",
        "pound",
        "pounds",
        "pence",
        "quid",
        "euro",
        "euros",
        "yen",
        "percent",
        "minute",
        "minutes",
        "min",
        "mins",
        "hour",
        "hours",
        "hr",
        "hrs",
        "second",
        "seconds",
        "sec",
        "secs",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "yr",
        "yrs",
        "item",
        "items",
        "box",
        "boxes",
        "piece",
        "pieces",
        "unit",
        "units",
        "time",
        "times",
        "people",
        "person",
        "persons",
        "kid",
        "kids",
        "children",
        "child",
        "mile",
        "miles",
        "km",
        "kilometers",
        "kilometres",
        "kg",
        "kilos",
        "lb",
        "lbs",
        "gb",
        "mb",
        "tb",
        "gig",
        "gigs",
        "gigabytes",
        "megabytes",
        "terabytes",
        "inch",
        "inches",
        "foot",
        "feet",
        "meter",
        "meters",
        "metre",
        "metres",
        "calls",
        "orders",
        "tickets",
        "bags",
        "pairs",
        "pack",
        "packs",
        "bottles",
        "liters",
        "litres",
        "gallons",
        "ounces",
        "oz",
        "points",
        "stars",
        "star",
        "degrees",
        "floors",
        "rooms",
        "rows",
        "seats",
        "cards",
        "accounts",
        "devices",
        "lines",
        "phones",
        "users",
        "licenses",
        "licences",
        "emails",
        "messages",
        "texts",
        "attempts",
        "tries",
        "pages",
        "copies",
        "weeks'",
        "grand",
        "k",
        "million",
        "billion",
        "thousand",
        "o'clock",
        "am",
        "pm",
        "a.m.",
        "p.m.",
        "each",
        "apiece",
        "off",
        "percent%",
        "mbps",
        "gbps",
        "hz",
        "watts",
        "volts",
        "amps",
        "calories",
        "nights",
        "guests",
        "adults",
        "tablets",
        "pills",
        "mg",
        "ml",
        "business",
        "working",
        "sq",
        "ft",
    ]
)
TIME_WORDS = frozenset({"am", "pm", "a.m.", "p.m.", "o'clock", "oclock", "noon", "midnight", "tonight"})
TIME_PREPS = frozenset({"at", "by", "around", "until", "till", "before", "after", "from", "past", "between", "about"})
YEAR_PREPS = frozenset({"in", "since", "from", "until", "till", "year", "by", "of", "back", "around", "model", "circa"})
CURRENCY = frozenset({"$", "\u00a3", "\u20ac", "\u00a5"})
STOP_WORDS = frozenset(
    [
        "i",
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "is",
        "it",
        "it's",
        "its",
        "my",
        "your",
        "our",
        "their",
        "his",
        "her",
        "we",
        "you",
        "they",
        "he",
        "she",
        "me",
        "us",
        "them",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "as",
        "into",
        "than",
        "then",
        "that",
        "this",
        "these",
        "those",
        "there",
        "here",
        "was",
        "were",
        "be",
        "been",
        "am",
        "are",
        "do",
        "did",
        "does",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "yes",
        "yeah",
        "no",
        "not",
        "okay",
        "ok",
        "please",
        "thanks",
        "thank",
        "sorry",
        "uh",
        "um",
        "well",
        "just",
        "also",
        "only",
        "very",
    ]
)

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTHS_NEED_CAPITAL = frozenset(
    {"may", "march", "mar", "jan", "jun", "jul", "aug", "dec", "oct", "nov", "sep", "sept", "feb", "apr"}
)

STREET_SUFFIXES = frozenset(
    [
        "street",
        "st",
        "avenue",
        "ave",
        "av",
        "road",
        "rd",
        "drive",
        "dr",
        "lane",
        "ln",
        "boulevard",
        "blvd",
        "court",
        "ct",
        "place",
        "pl",
        "way",
        "terrace",
        "ter",
        "circle",
        "cir",
        "parkway",
        "pkwy",
        "highway",
        "hwy",
        "crescent",
        "cres",
        "close",
        "square",
        "sq",
        "trail",
        "trl",
        "row",
        "alley",
        "grove",
        "gardens",
        "mews",
        "plaza",
        "loop",
        "pike",
        "expressway",
        "freeway",
        "turnpike",
        "broadway",
    ]
)
DIRECTIONS = frozenset(
    [
        "n",
        "s",
        "e",
        "w",
        "ne",
        "nw",
        "se",
        "sw",
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ]
)
UNIT_DESIGNATORS = frozenset(
    {"apartment", "apt", "unit", "suite", "ste", "flat", "#", "number", "floor", "building", "bldg", "room"}
)
US_STATES = frozenset(
    [
        "alabama",
        "alaska",
        "arizona",
        "arkansas",
        "california",
        "colorado",
        "connecticut",
        "delaware",
        "florida",
        "georgia",
        "hawaii",
        "idaho",
        "illinois",
        "indiana",
        "iowa",
        "kansas",
        "kentucky",
        "louisiana",
        "maine",
        "maryland",
        "massachusetts",
        "michigan",
        "minnesota",
        "mississippi",
        "missouri",
        "montana",
        "nebraska",
        "nevada",
        "ohio",
        "oklahoma",
        "oregon",
        "pennsylvania",
        "tennessee",
        "texas",
        "utah",
        "vermont",
        "virginia",
        "washington",
        "wisconsin",
        "wyoming",
    ]
) | frozenset({"new", "north", "south", "west", "rhode"})
UK_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
UK_INWARD = re.compile(r"^\d[A-Z]{2}$")

EMAIL_PROVIDERS = frozenset(
    [
        "gmail",
        "googlemail",
        "yahoo",
        "ymail",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "aol",
        "icloud",
        "me",
        "mac",
        "protonmail",
        "proton",
        "gmx",
        "mail",
        "yandex",
        "zoho",
        "comcast",
        "verizon",
        "att",
        "sbcglobal",
        "btinternet",
        "sky",
        "virginmedia",
        "bellsouth",
        "cox",
        "charter",
        "earthlink",
        "fastmail",
        "hey",
        "tutanota",
    ]
)
# providers that are also everyday words ("yelling at me", "at live"): an address needs a TLD after them
EMAIL_PROVIDERS_NEED_TLD = frozenset({"me", "mac", "live", "mail", "hey", "sky", "cox", "charter", "proton", "att"})
TLDS = frozenset(
    [
        "com",
        "net",
        "org",
        "edu",
        "gov",
        "mil",
        "io",
        "co",
        "uk",
        "us",
        "ca",
        "au",
        "de",
        "fr",
        "es",
        "it",
        "nl",
        "ie",
        "nz",
        "in",
        "info",
        "biz",
        "me",
        "tv",
        "ai",
        "app",
        "dev",
    ]
)
EMAIL_CONNECTORS = {
    "dot": ".",
    "period": ".",
    "point": ".",
    ".": ".",
    "underscore": "_",
    "_": "_",
    "dash": "-",
    "hyphen": "-",
    "-": "-",
    "plus": "+",
    "+": "+",
}
EMAIL_STOP = STOP_WORDS | frozenset(
    [
        "email",
        "e-mail",
        "mail",
        "address",
        "is",
        "it's",
        "its",
        "try",
        "use",
        "send",
        "write",
        "reach",
        "contact",
        "me",
        "at",
        "sure",
        "yes",
        "yeah",
        "okay",
        "ok",
        "that's",
        "thats",
        "mine",
        "his",
        "hers",
        "work",
        "personal",
        "gmail",
    ]
) - frozenset({"me"})
LAST_FOUR = ("ending in", "ending with", "ends in", "ends with", "last four", "last 4", "ending", "last four digits")
TOLL_FREE = frozenset({"800", "888", "877", "866", "855", "844", "833"})
# area codes of business lines, never a person's number: toll-free and premium-rate
NOT_PERSONAL_AREA_CODES = TOLL_FREE | {"900"}
JOIN_WORDS = frozenset({"and", "then", "uh", "um", "sorry", "okay", "ok", "next", "so", "er"})
LEAD_WORDS = frozenset(
    [
        "and",
        "then",
        "yes",
        "yeah",
        "yep",
        "okay",
        "ok",
        "so",
        "sorry",
        "uh",
        "um",
        "er",
        "it's",
        "its",
        "it",
        "is",
        "next",
        "the",
        "rest",
        "after",
        "that",
        "continuing",
        "right",
        "alright",
        "all",
        "followed",
        "by",
    ]
)
WH_WORDS = frozenset({"how", "what", "which", "when", "where", "why", "who", "whose"})
TRAIL_WORDS = frozenset({"and", "then", "okay", "ok", "so", "uh", "um", "er"})


def issuer_ok(digits: str) -> bool:
    """A known card-scheme prefix for the number's length (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay)."""
    n = len(digits)
    if digits.startswith("4"):
        return n in (13, 16, 19)
    if digits[:2] in ("51", "52", "53", "54", "55") or 2221 <= int(digits[:4]) <= 2720:
        return n == 16
    if digits[:2] in ("34", "37"):
        return n == 15
    if digits.startswith("6011") or digits[:2] == "65" or 644 <= int(digits[:3]) <= 649:
        return n in (16, 19)
    if digits[:2] == "35":
        return n in (16, 19)
    if digits[:2] in ("36", "38") or 300 <= int(digits[:3]) <= 305:
        return n in (14, 16)
    if digits[:2] == "62":
        return 16 <= n <= 19
    return False


def ssn_valid(d: str) -> bool:
    """A structurally valid SSN (python-stdnum: no area 000/666/9xx, group 00 or serial 0000, and
    not one of the numbers published in advertisements)."""
    return len(d) == 9 and d.isdigit() and stdnum_ssn.is_valid(d)


def _nanp10(d: str) -> str:
    """A North-American number without its leading country code 1."""
    return d[1:] if len(d) == 11 and d[0] == "1" else d


def nanp_ok(d: str) -> bool:
    """A valid North-American number that can be a person's (not toll-free or premium-rate)."""
    d = _nanp10(d)
    return (
        len(d) == 10
        and d[0] in "23456789"
        and d[3] in "23456789"
        and d[:3] not in NOT_PERSONAL_AREA_CODES
        and d[1:3] != "11"
    )


def toll_free(d: str) -> bool:
    """A North-American toll-free number: 800/888/877/866/855/844/833 + 7 digits, optionally after a 1."""
    d = _nanp10(d)
    return len(d) == 10 and d[:3] in TOLL_FREE


def _year_ok(y: str, lo: int, hi: int) -> bool:
    if len(y) == 2:
        return True
    return len(y) == 4 and lo <= int(y) <= hi


def expiry_ok(digits: str, groups: Sequence[int]) -> bool:
    """MM/YY, M/YY, MM/YYYY: month 1-12, year 15-49 or 2015-2049."""
    n = len(digits)
    splits = [(1, n - 1), (2, n - 2)] if len(groups) != 2 else [(groups[0], groups[1])]
    for m_len, y_len in splits:
        if m_len < 1 or y_len not in (2, 4):
            continue
        m, y = int(digits[:m_len]), digits[m_len:]
        if not 1 <= m <= 12:
            continue
        yv = int(y)
        if (len(y) == 2 and 15 <= yv <= 49) or (len(y) == 4 and 2015 <= yv <= 2049):
            return True
    return False


def dob_ok(digits: str, groups: Sequence[int]) -> bool:
    """A date of birth written or read as numbers: M/D/Y, D/M/Y, Y-M-D, MDDYY…, or a 4-digit year."""
    n = len(digits)
    if n == 4:
        return 1900 <= int(digits) <= CURRENT_YEAR
    if len(groups) == 3:
        a, b, c = groups
        parts = (digits[:a], digits[a : a + b], digits[a + b :])
        if a == 4:
            return 1900 <= int(parts[0]) <= CURRENT_YEAR and 1 <= int(parts[1]) <= 12 and 1 <= int(parts[2]) <= 31
        if c in (2, 4) and a <= 2 and b <= 2:
            x, y = int(parts[0]), int(parts[1])
            date_ok = (1 <= x <= 12 and 1 <= y <= 31) or (1 <= y <= 12 and 1 <= x <= 31)
            return date_ok and _year_ok(parts[2], 1900, CURRENT_YEAR)
        return False
    if not 5 <= n <= 8:
        return False
    for ml in (1, 2):
        for dl in (1, 2):
            yl = n - ml - dl
            if yl not in (2, 4):
                continue
            x, y, yr = int(digits[:ml]), int(digits[ml : ml + dl]), digits[ml + dl :]
            if ((1 <= x <= 12 and 1 <= y <= 31) or (1 <= y <= 12 and 1 <= x <= 31)) and _year_ok(
                yr, 1900, CURRENT_YEAR
            ):
                return True
    return False
