"""Text clean-up applied to every utterance before it is embedded or matched.

Transcripts need little, but QA specialists also paste chat and social-media
lines into ``qa-pipeline classify``: HTML entities are decoded, links and
``@handles`` removed (they carry no sentiment and waste tokens), ``#tags``
keep their word, a leading retweet marker goes, and whitespace is collapsed.
PII placeholders such as ``[DOB]`` are kept as they are.
"""

from __future__ import annotations

import html
import re

MAX_CHARS = 2000

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w{1,30}")
_RETWEET = re.compile(r"^\s*RT\b[\s:]*", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """The text the heads see.  Idempotent."""
    text = html.unescape(text)
    text = _URL.sub(" ", text)
    text = _RETWEET.sub("", text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(r"\1", text)
    text = _SPACE.sub(" ", text).strip(" :")
    return text[:MAX_CHARS]
