"""Phone numbers: North-American, + international and UK mobiles by form; 7–13 digits when a
phone number was asked for."""

from __future__ import annotations

from qa_pipeline.redact.detectors.window import Scored, Window
from qa_pipeline.redact.forms import nanp_ok
from qa_pipeline.redact.state import DetectorState

_PHONE_GROUPS = ((3, 3, 4), (1, 3, 3, 4), (10,), (11,), (3, 7), (6, 4))
_UK_MOBILE_GROUPS = ((5, 6), (5, 3, 3), (11,), (4, 3, 4))


def phone_scores(st: DetectorState, w: Window) -> Scored:
    n, d, labels, plus = w.n, w.digits, w.labels, w.plus
    if "PHONE" in labels and (nanp_ok(d) or n in (7, 10) or (n == 11 and d[0] in "01") or (plus and 10 <= n <= 13)):
        return [("PHONE", 2.5 * n)]
    if "PHONE" in labels and 8 <= n <= 13 and not ({"ACCOUNT", "CARD", "SSN"} & labels):
        return [("PHONE", 2.3 * n)]  # a phone number with a digit too many or too few (ASR slip)
    if "PHONE" in labels:
        return []
    if nanp_ok(d) and (w.groups in _PHONE_GROUPS or plus):
        return [("PHONE", 1.5 * n)]
    if n == 11 and d.startswith("07") and w.groups in _UK_MOBILE_GROUPS:
        return [("PHONE", 1.5 * n)]
    if plus and 11 <= n <= 13 and not d.startswith("1"):
        return [("PHONE", 1.5 * n)]
    return []
