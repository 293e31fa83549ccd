"""Moderation of double-audited plans: agreement between two auditors, for the team to settle.

A plan is double-audited when its case reference appears on rows from two different auditors
(rows marked ``agreed`` in the ``moderation`` column are the settled outcome and are not compared).
When more than two auditors read a plan, the first two in file order are compared.

- **Per-criterion agreement**: for each criterion, the pairs in which at least one auditor
  recorded ``met`` or ``not met``, and how many of those recorded the same value (``n/a`` against
  ``met`` is a disagreement; both ``n/a`` is not counted).
- **Section grades**: every section graded by both auditors of a pair (derived or scored
  directly) gives one pair of grades; all are pooled for percent exact agreement and for Cohen's
  kappa with linear weights over the fixed categories 1-4.
- **Disagreements**: every criterion and section grade where the two differ.

Which record counts in the results is decided in :attr:`toolkit.inputs.audit_grades.AuditData.plans`: the row
marked ``agreed`` if there is one, else the first auditor's row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from toolkit.inputs.audit_framework import NA
from toolkit.inputs.audit_grades import AuditData, PlanRecord, grade_plan

GRADES = (1, 2, 3, 4)


@dataclass(frozen=True)
class ModerationPair:
    case_ref: str
    first: PlanRecord
    second: PlanRecord


@dataclass(frozen=True)
class CriterionAgreement:
    criterion_id: str
    compared: int
    agreed: int

    @property
    def percent(self) -> float | None:
        return None if self.compared == 0 else 100.0 * self.agreed / self.compared


@dataclass(frozen=True)
class Disagreement:
    """One point where two auditors differ (a criterion value or a section grade)."""
    case_ref: str
    level: str  # "criterion" or "section"
    item: str  # criterion id or section code
    auditor_a: str
    value_a: str
    auditor_b: str
    value_b: str


@dataclass(frozen=True)
class ModerationResult:
    pairs: tuple[ModerationPair, ...]
    criteria: tuple[CriterionAgreement, ...]
    section_grade_pairs: tuple[tuple[int, int], ...]
    exact_agreement: float | None  # percent of section grade pairs that are equal
    kappa: float | None  # linear-weighted Cohen's kappa on section grades
    disagreements: tuple[Disagreement, ...]

    @property
    def plans(self) -> int:
        return len(self.pairs)


def moderation_pairs(data: AuditData) -> list[ModerationPair]:
    """The double-audited plans: the first two different auditors of each case, in file order."""
    pairs = []
    for case_ref, records in data.by_case().items():
        audits = [r for r in records if not r.agreed]
        if not audits:
            continue  # read_audit refuses an agreed row with no auditors' rows; be safe anyway
        first = audits[0]
        second = next((r for r in audits[1:] if r.auditor.lower() != first.auditor.lower()), None)
        if second is not None:
            pairs.append(ModerationPair(case_ref, first, second))
    return pairs


def linear_weighted_kappa(
    a: Sequence[int], b: Sequence[int], categories: Sequence[int] = GRADES
) -> float | None:
    """Cohen's kappa with linear weights |i - j| / (k - 1) over fixed ordered ``categories``.

    kappa = 1 - sum(w * observed) / sum(w * expected), where observed is the joint distribution
    of the two raters' categories and expected the product of their marginals. None when it is
    undefined (no pairs, or both raters used a single and the same category throughout).
    """
    if len(a) != len(b):
        raise ValueError("the two raters must rate the same number of items")
    if not a:
        return None
    index = {c: i for i, c in enumerate(categories)}
    k = len(categories)
    observed = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        observed[index[x], index[y]] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    positions = np.arange(k)
    weights = np.abs(positions[:, None] - positions[None, :]) / (k - 1)
    denominator = float((weights * expected).sum())
    if denominator == 0:
        return None
    return 1.0 - float((weights * observed).sum()) / denominator


def moderate(data: AuditData) -> ModerationResult:
    """Agreement between the two auditors of every double-audited plan in ``data``."""
    fw = data.framework
    pairs = moderation_pairs(data)
    compared = {c.id: 0 for c in fw.criteria}
    agreed = {c.id: 0 for c in fw.criteria}
    grade_pairs: list[tuple[int, int]] = []
    disagreements: list[Disagreement] = []
    for pair in pairs:
        a, b = pair.first, pair.second
        for c in fw.criteria:
            va, vb = a.values.get(c.id, NA), b.values.get(c.id, NA)
            if va == NA and vb == NA:
                continue
            compared[c.id] += 1
            if va == vb:
                agreed[c.id] += 1
            else:
                disagreements.append(Disagreement(pair.case_ref, "criterion", c.id,
                                                  a.auditor, va, b.auditor, vb))
        ga, gb = grade_plan(a, fw).section_grades, grade_plan(b, fw).section_grades
        for s in fw.sections:
            if s.code in ga and s.code in gb:
                grade_pairs.append((ga[s.code], gb[s.code]))
                if ga[s.code] != gb[s.code]:
                    disagreements.append(Disagreement(pair.case_ref, "section", s.code, a.auditor,
                                                      str(ga[s.code]), b.auditor, str(gb[s.code])))
            elif (s.code in ga) != (s.code in gb):
                disagreements.append(Disagreement(
                    pair.case_ref, "section", s.code, a.auditor, str(ga.get(s.code, "not graded")),
                    b.auditor, str(gb.get(s.code, "not graded"))))
    exact = (100.0 * sum(x == y for x, y in grade_pairs) / len(grade_pairs)) if grade_pairs else None
    kappa = linear_weighted_kappa([x for x, _ in grade_pairs], [y for _, y in grade_pairs])
    return ModerationResult(
        pairs=tuple(pairs),
        criteria=tuple(CriterionAgreement(cid, compared[cid], agreed[cid]) for cid in compared),
        section_grade_pairs=tuple(grade_pairs),
        exact_agreement=exact,
        kappa=kappa,
        disagreements=tuple(disagreements),
    )


def disagreement_rows(result: ModerationResult) -> list[dict[str, str]]:
    """The disagreements as table rows (for the team's moderation sheet, never the letter)."""
    return [
        {"case_ref": d.case_ref, "level": d.level, "item": d.item, "auditor_a": d.auditor_a,
         "value_a": d.value_a, "auditor_b": d.auditor_b, "value_b": d.value_b}
        for d in result.disagreements
    ]
