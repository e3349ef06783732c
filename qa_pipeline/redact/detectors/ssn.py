"""US social security numbers: 9 digits with SSN context, a structurally valid 3-2-4 without,
the last four when asked for."""

from __future__ import annotations

from qa_pipeline.redact.detectors.window import Scored, Window
from qa_pipeline.redact.forms import ssn_valid
from qa_pipeline.redact.state import DetectorState


def ssn_scores(st: DetectorState, w: Window) -> Scored:
    n = w.n
    if n == 9:
        if "SSN" in w.labels:
            return [("SSN", 3.0 * n)]
        if w.groups == (3, 2, 4) and ssn_valid(w.digits):
            return [("SSN", 2.0 * n)]
    if n == 4 and "SSN" in w.labels:
        return [("SSN", 2.0 * n)]
    return []
