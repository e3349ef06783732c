"""Split one utterance's text into tokens that keep their character offsets.

Kinds:

* ``email`` — a written address (``john.smith@example.com``)
* ``num``   — digits, possibly with inner separators (``4111-1111``, ``3:30``,
  ``1/5/1985``, ``25.99``, ``1,200``) or an ordinal/plural suffix (``5th``, ``1980s``)
* ``code``  — letters and digits mixed (``UA123``, ``XR-5000``, ``12B``)
* ``word``  — letters (hyphenated words are split at the hyphen)
* ``punct`` — any other single character
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN_RE = re.compile(
    r"(?P<email>[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
    r"|(?P<ampm>\b[AaPp]\.[Mm]\.)"
    r"|(?P<num>\d(?:\d|[\-./:,](?=\d))*(?:st|nd|rd|th|s)?\b)"
    r"|(?P<code>\b(?:[A-Za-z]+\d[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|[A-Za-z]{1,4}-\d[A-Za-z0-9\-]*"
    r"|\d[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)\b)"
    r"|(?P<word>[A-Za-z]+(?:['\u2019][A-Za-z]+)*)"
    r"|(?P<punct>\S)"
)

_SEP_RE = re.compile(r"[\-./:,]")


@dataclass(frozen=True)
class Token:
    """One token; ``start``/``end`` are character offsets in the utterance text."""

    text: str
    kind: str
    start: int
    end: int
    lower: str = ""

    def __post_init__(self) -> None:
        if not self.lower:
            object.__setattr__(self, "lower", self.text.lower().replace("\u2019", "'"))

    @property
    def is_ordinal_num(self) -> bool:
        return self.kind == "num" and self.text[-2:].lower() in ("st", "nd", "rd", "th")

    @property
    def is_plural_num(self) -> bool:
        return self.kind == "num" and self.text[-1:].lower() == "s"

    def num_groups(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Digit groups and the separators between them, for ``num`` tokens."""
        core = self.text
        while core and not core[-1].isdigit():
            core = core[:-1]
        groups = tuple(g for g in _SEP_RE.split(core))
        seps = tuple(_SEP_RE.findall(core))
        return groups, seps

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.text if ch.isdigit())


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` in order, whitespace dropped."""
    out: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "punct"
        if kind == "ampm":
            kind = "word"
        text_ = m.group()
        out.append(Token(text_, kind, m.start(), m.end(), text_.lower().replace("\u2019", "'")))
    return out
