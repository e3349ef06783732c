"""Agreement between automatic verdicts and a reviewer's: one implementation for the benchmark and calibration.

``qa-pipeline bench agreement`` compares stored verdicts with a reference file;
the review workspace's calibration page compares them with reviewers'
overrides.  Both call :func:`criterion_agreement` and :func:`spearman`, so
the two show the same figures for the same pairs.

Figures per criterion, over the calls both sides judged:

* ``agreement``: share of calls where the 3-way verdict (pass/fail/na) is the same;
* ``kappa``: Cohen's kappa of the 3-way verdicts (``None`` when undefined:
  both sides gave one and the same verdict to every call);
* ``pass_precision`` / ``pass_recall``: of the automatic passes, the share
  the reviewer passed; of the reviewer's passes, the share found automatically;
* ``confusion``: counts by (reviewer verdict, automatic verdict).

Among several reviewers (blind calibration sessions of the review workspace), :func:`fleiss_kappa`
measures agreement beyond chance over items each judged by two or more of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score

VERDICTS: tuple[str, ...] = ("pass", "fail", "na")


@dataclass(frozen=True)
class CriterionAgreement:
    """How one criterion's automatic verdicts compare with a reviewer's."""

    criterion_id: str
    n: int
    agreed: int
    agreement: float | None
    kappa: float | None
    pass_precision: float | None
    pass_recall: float | None
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)  # (reviewer, automatic) -> calls

    def confusion_text(self) -> str:
        """Off-diagonal cells as ``reviewer→automatic ×n`` (what a reviewer changes), largest first."""
        cells = sorted(((v, k) for k, v in self.confusion.items() if k[0] != k[1] and v), reverse=True)
        return ", ".join(f"{ref}→{auto} ×{v}" for v, (ref, auto) in cells) or "none"


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def criterion_agreement(criterion_id: str, pairs: Iterable[tuple[str, str]]) -> CriterionAgreement:
    """``pairs``: ``(automatic, reviewer)`` verdicts of one criterion, one pair per call."""
    pairs = [(a, r) for a, r in pairs]
    for a, r in pairs:
        if a not in VERDICTS or r not in VERDICTS:
            raise ValueError(f"{criterion_id}: verdicts must be one of {VERDICTS}, got automatic {a!r}, reviewer {r!r}")
    n = len(pairs)
    agreed = sum(1 for a, r in pairs if a == r)
    confusion = {(r, a): 0 for r in VERDICTS for a in VERDICTS}
    for a, r in pairs:
        confusion[(r, a)] += 1
    kappa: float | None = None
    if n and len({a for a, _ in pairs} | {r for _, r in pairs}) > 1:
        value = float(cohen_kappa_score([r for _, r in pairs], [a for a, _ in pairs], labels=list(VERDICTS)))
        kappa = None if math.isnan(value) else value
    auto_pass = sum(1 for a, _ in pairs if a == "pass")
    ref_pass = sum(1 for _, r in pairs if r == "pass")
    both_pass = sum(1 for a, r in pairs if a == r == "pass")
    return CriterionAgreement(
        criterion_id=criterion_id,
        n=n,
        agreed=agreed,
        agreement=_ratio(agreed, n),
        kappa=kappa,
        pass_precision=_ratio(both_pass, auto_pass),
        pass_recall=_ratio(both_pass, ref_pass),
        confusion=confusion,
    )


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation (ties averaged); ``None`` with fewer than 3 pairs or a constant side."""
    if len(xs) != len(ys):
        raise ValueError(f"spearman needs pairs: {len(xs)} values against {len(ys)}")
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    value = float(spearmanr(xs, ys).statistic)
    return None if math.isnan(value) else value


def fleiss_kappa(items: Iterable[Sequence[str]], categories: Sequence[str] = VERDICTS) -> float | None:
    """Fleiss' kappa of ``items``, each the verdicts several raters gave one item.

    Items with fewer than two ratings are skipped; the number of raters may differ between items
    (per-item agreement ``(Σ n_ij² − n_i) / (n_i (n_i − 1))``, category shares over all ratings).
    ``None`` when no item has two ratings or every rating is one category (chance agreement is 1).
    """
    index = {c: i for i, c in enumerate(categories)}
    counts: list[list[int]] = []
    for ratings in items:
        row = [0] * len(categories)
        for r in ratings:
            if r not in index:
                raise ValueError(f"rating {r!r} is not one of {tuple(categories)}")
            row[index[r]] += 1
        if sum(row) >= 2:
            counts.append(row)
    if not counts:
        return None
    total = sum(sum(row) for row in counts)
    p_bar = sum((sum(x * x for x in row) - sum(row)) / (sum(row) * (sum(row) - 1)) for row in counts) / len(counts)
    p_e = sum((sum(row[j] for row in counts) / total) ** 2 for j in range(len(categories)))
    if p_e >= 1.0:
        return None
    return (p_bar - p_e) / (1.0 - p_e)
