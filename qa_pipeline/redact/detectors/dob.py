"""Dates of birth read as numbers ("11/02/1969", "oh four, twelve, eighty-eight", a birth year)."""

from __future__ import annotations

from qa_pipeline.redact.detectors.window import Scored, Window
from qa_pipeline.redact.forms import dob_ok
from qa_pipeline.redact.state import DetectorState


def dob_scores(st: DetectorState, w: Window) -> Scored:
    return [("DOB", 2.5 * w.n)] if "DOB" in w.labels and dob_ok(w.digits, w.groups) else []
