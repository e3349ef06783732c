"""Final verdicts as reviewers see them: the automatic verdict with the newest override applied.

The automatic result is never changed (``criterion_results.verdict``,
``call_scores.score``); ``call_scores.final_score`` is recomputed by
:func:`qa_pipeline.scorecard.overrides.recompute_final_score` after every override.
These SQL fragments are shared by the call page, calibration and the coach
summary so all three count the same way.  Which override is the newest is
decided by one statement, :data:`qa_pipeline.store.overrides.LATEST_OVERRIDES_SQL`,
which ``final_score`` is computed from too; the final verdict of a criterion is
that override's verdict, else the automatic one — the per-criterion half of
:func:`qa_pipeline.scorecard.engine.apply_overrides`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from qa_pipeline.store.overrides import LATEST_OVERRIDES_SQL

VERDICTS = ("pass", "fail", "na")

# criterion_results plus override_verdict (newest override, NULL if none) and final_verdict.
FINAL_VERDICTS_SQL = f"""
SELECT cr.*, lo.new_verdict AS override_verdict, COALESCE(lo.new_verdict, cr.verdict) AS final_verdict
FROM criterion_results cr
LEFT JOIN ({LATEST_OVERRIDES_SQL}) lo
  ON lo.call_id = cr.call_id AND lo.scorecard_id = cr.scorecard_id AND lo.criterion_id = cr.criterion_id
"""


@dataclass(frozen=True)
class Outline:
    """Titles and document order of a scorecard's sections and criteria (ids may repeat across the two)."""

    section_titles: dict[str, str] = field(default_factory=dict)
    criterion_titles: dict[str, str] = field(default_factory=dict)
    section_order: dict[str, int] = field(default_factory=dict)
    criterion_order: dict[str, int] = field(default_factory=dict)


def outline(source: str | None) -> Outline:
    """Read ``sections[].id/title`` and ``sections[].criteria[].id/title`` from a scorecard's YAML text."""
    if not source:
        return Outline()
    try:
        doc = yaml.safe_load(source)
    except yaml.YAMLError:
        return Outline()
    out = Outline()
    sections = doc.get("sections") if isinstance(doc, dict) else None
    for sec in sections if isinstance(sections, list) else []:
        if not isinstance(sec, dict) or not isinstance(sec.get("id"), str):
            continue
        sid = sec["id"]
        out.section_order.setdefault(sid, len(out.section_order))
        if isinstance(sec.get("title"), str) and sec["title"].strip():
            out.section_titles[sid] = sec["title"].strip()
        crits = sec.get("criteria")
        for crit in crits if isinstance(crits, list) else []:
            if not isinstance(crit, dict) or not isinstance(crit.get("id"), str):
                continue
            cid = crit["id"]
            out.criterion_order.setdefault(cid, len(out.criterion_order))
            if isinstance(crit.get("title"), str) and crit["title"].strip():
                out.criterion_titles[cid] = crit["title"].strip()
    return out
