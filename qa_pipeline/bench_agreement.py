"""``qa-pipeline bench agreement``: stored verdicts against a QA reviewer's reference verdicts.

The reference is a JSON-lines file, one call a line::

    {"call": "<file name, path or call_id>", "criteria": {"<criterion_id>": "pass"|"fail"|"na", ...},
     "overall": 1-5, "customer_sentiment_end": "positive"|"neutral"|"negative"}

(``overall`` and ``customer_sentiment_end`` are optional.)  Figures per
criterion come from :func:`qa_pipeline.scorecard.agreement.criterion_agreement`
(the calibration page uses the same function); the call score is compared with
``overall`` by Spearman's rank correlation; the customer's end sentiment is
read from the ``customer_sentiment_end`` metric (:data:`POSITIVE_ABOVE`, :data:`NEGATIVE_BELOW`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from qa_pipeline.errors import InputError
from qa_pipeline.scorecard.agreement import VERDICTS, CriterionAgreement, criterion_agreement, spearman

SENTIMENTS = ("positive", "neutral", "negative")
# end sentiment above +0.10 positive, below -0.25 negative (the scorecard's negative threshold), else neutral;
# +0.10 chosen on hvb-dev's learning part (a thanking ending after detail turns averages 0.13-0.3, a bare one 0)
POSITIVE_ABOVE = 0.10
NEGATIVE_BELOW = -0.25
REFERENCE_KEYS = frozenset({"call", "criteria", "overall", "customer_sentiment_end"})


@dataclass(frozen=True)
class ReferenceCall:
    call: str
    criteria: dict[str, str]
    overall: float | None = None
    customer_sentiment_end: str | None = None


@dataclass(frozen=True)
class AgreementReport:
    scorecard_id: str
    calls: int  # reference calls found in the database
    missing: tuple[str, ...]  # reference calls not in the database
    criteria: tuple[CriterionAgreement, ...]
    spearman_overall: float | None  # call score vs overall
    overall_pairs: int
    sentiment: CriterionAgreement | None  # customer end sentiment, 3-way (positive/neutral/negative)

    @property
    def mean_agreement(self) -> float | None:
        vals = [c.agreement for c in self.criteria if c.agreement is not None]
        return sum(vals) / len(vals) if vals else None

    def as_text(self) -> str:
        def f(x: float | None, nd: int = 2) -> str:
            return "–" if x is None else f"{x:.{nd}f}"

        lines = [
            f"scorecard {self.scorecard_id}: {self.calls} reference calls scored"
            + (
                f" ({len(self.missing)} not in the database: {', '.join(self.missing[:5])}{' …' if len(self.missing) > 5 else ''})"
                if self.missing
                else ""
            ),
            f"{'criterion':<24} {'n':>3} {'agree':>6} {'kappa':>6} {'P(pass)':>8} {'R(pass)':>8}  reviewer→automatic",
        ]
        for c in self.criteria:
            lines.append(
                f"{c.criterion_id:<24} {c.n:>3} {f(c.agreement):>6} {f(c.kappa):>6} {f(c.pass_precision):>8} "
                f"{f(c.pass_recall):>8}  {c.confusion_text()}"
            )
        below = [c.criterion_id for c in self.criteria if c.agreement is not None and c.agreement < 0.8]
        lines.append(
            f"mean agreement {f(self.mean_agreement, 3)} over {len(self.criteria)} criteria; below 0.80: {', '.join(below) or 'none'}"
        )
        if self.sentiment is not None:
            s = self.sentiment
            lines.append(
                f"customer end sentiment: agreement {f(s.agreement, 3)} (n={s.n}, kappa {f(s.kappa)}); "
                f"reviewer→automatic {s.confusion_text()}"
            )
        lines.append(f"Spearman(call score, overall) {f(self.spearman_overall, 3)} over {self.overall_pairs} calls")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        def crit(c: CriterionAgreement) -> dict[str, Any]:
            return {
                "criterion_id": c.criterion_id,
                "n": c.n,
                "agreement": c.agreement,
                "kappa": c.kappa,
                "pass_precision": c.pass_precision,
                "pass_recall": c.pass_recall,
                "confusion": {f"{r}->{a}": v for (r, a), v in c.confusion.items()},
            }

        return {
            "scorecard_id": self.scorecard_id,
            "calls": self.calls,
            "missing": list(self.missing),
            "criteria": [crit(c) for c in self.criteria],
            "mean_agreement": self.mean_agreement,
            "spearman_overall": self.spearman_overall,
            "overall_pairs": self.overall_pairs,
            "sentiment": crit(self.sentiment) if self.sentiment is not None else None,
        }


def read_reference(path: Path) -> list[ReferenceCall]:
    """Parse and validate the reference file (:class:`InputError` naming the line and the fix)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read the reference file ({exc.strerror or exc}); pass an existing JSONL file",
            path=str(path),
        ) from exc
    out: list[ReferenceCall] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path} line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{where}: not valid JSON ({exc.msg}); write one JSON object per line", path=str(path)
            ) from None
        if (
            not isinstance(obj, dict)
            or not isinstance(obj.get("call"), str)
            or not isinstance(obj.get("criteria"), dict)
        ):
            raise InputError(
                f'{where}: needs "call" (a file name or call_id) and "criteria" (an object)', path=str(path)
            )
        unknown = sorted(set(obj) - REFERENCE_KEYS)
        if unknown:
            raise InputError(
                f"{where}: unknown key(s) {unknown}; allowed: {', '.join(sorted(REFERENCE_KEYS))}", path=str(path)
            )
        for cid, v in obj["criteria"].items():
            if v not in VERDICTS:
                raise InputError(
                    f"{where}: criterion {cid} has verdict {v!r}; write one of pass, fail, na", path=str(path)
                )
        overall = obj.get("overall")
        if overall is not None and (
            isinstance(overall, bool) or not isinstance(overall, (int, float)) or not 1 <= overall <= 5
        ):
            raise InputError(f"{where}: overall {overall!r} is not a grade from 1 to 5", path=str(path))
        sent = obj.get("customer_sentiment_end")
        if sent is not None and sent not in SENTIMENTS:
            raise InputError(
                f"{where}: customer_sentiment_end {sent!r} is not one of {', '.join(SENTIMENTS)}", path=str(path)
            )
        out.append(ReferenceCall(obj["call"], dict(obj["criteria"]), overall, sent))
    if not out:
        raise InputError(f"{path}: the reference file has no calls; write one JSON object per line", path=str(path))
    return out


def sentiment_class(value: float | None) -> str | None:
    if value is None:
        return None
    return "positive" if value > POSITIVE_ABOVE else ("negative" if value < NEGATIVE_BELOW else "neutral")


def agreement_report(
    con: duckdb.DuckDBPyConnection, reference: list[ReferenceCall], scorecard_id: str = "customer_service"
) -> AgreementReport:
    """Compare the stored automatic verdicts of ``scorecard_id`` with ``reference``."""
    ids: dict[str, str] = {}
    for call_id, source in con.execute("SELECT call_id, source_path FROM calls").fetchall():
        ids[call_id] = call_id
        ids.setdefault(source, call_id)
        ids.setdefault(Path(source).name, call_id)
    verdicts: dict[tuple[str, str], str] = {
        (c, k): v
        for c, k, v in con.execute(
            "SELECT call_id, criterion_id, verdict FROM criterion_results WHERE scorecard_id = ?", [scorecard_id]
        ).fetchall()
    }
    scores = dict(
        con.execute("SELECT call_id, score FROM call_scores WHERE scorecard_id = ?", [scorecard_id]).fetchall()
    )
    if not scores:
        raise InputError(
            f"no call in the database is scored with scorecard {scorecard_id!r}; run `qa-pipeline run` first or pass --scorecard"
        )
    ends = dict(con.execute("SELECT call_id, customer_sentiment_end FROM call_metrics").fetchall())
    missing: list[str] = []
    pairs: dict[str, list[tuple[str, str]]] = {}
    score_xy: list[tuple[float, float]] = []
    sent_pairs: list[tuple[str, str]] = []
    found = 0
    for ref in reference:
        cid = ids.get(ref.call)
        if cid is None or cid not in scores:
            missing.append(ref.call)
            continue
        found += 1
        for crit, v in ref.criteria.items():
            auto = verdicts.get((cid, crit))
            if auto is None:
                raise InputError(
                    f"criterion {crit!r} of the reference is not in scorecard {scorecard_id!r}; use the scorecard's criterion ids"
                )
            pairs.setdefault(crit, []).append((auto, v))
        if ref.overall is not None:
            score_xy.append((float(scores[cid]), float(ref.overall)))
        auto_sent = sentiment_class(ends.get(cid))
        if ref.customer_sentiment_end is not None and auto_sent is not None:
            sent_pairs.append((auto_sent, ref.customer_sentiment_end))
    sentiment = None
    if sent_pairs:
        sentiment = _sentiment_agreement(sent_pairs)
    return AgreementReport(
        scorecard_id=scorecard_id,
        calls=found,
        missing=tuple(missing),
        criteria=tuple(criterion_agreement(c, p) for c, p in pairs.items()),
        spearman_overall=spearman([x for x, _ in score_xy], [y for _, y in score_xy]) if score_xy else None,
        overall_pairs=len(score_xy),
        sentiment=sentiment,
    )


def _sentiment_agreement(pairs: list[tuple[str, str]]) -> CriterionAgreement:
    # the same implementation, with the three sentiments in place of the three verdicts
    code = {"positive": "pass", "neutral": "na", "negative": "fail"}
    back = {v: k for k, v in code.items()}
    res = criterion_agreement("customer_sentiment_end", [(code[a], code[r]) for a, r in pairs])
    return CriterionAgreement(
        criterion_id=res.criterion_id,
        n=res.n,
        agreed=res.agreed,
        agreement=res.agreement,
        kappa=res.kappa,
        pass_precision=res.pass_precision,
        pass_recall=res.pass_recall,
        confusion={(back[r], back[a]): v for (r, a), v in res.confusion.items()},
    )
