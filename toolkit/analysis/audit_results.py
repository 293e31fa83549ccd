"""Results of an EHCP sample audit: counts, grades per section and group, and the criteria that
were consistently strong or too often missing.

:func:`audit_results` counts grades, criteria met and timeliness over the plans (one record per
plan, see :attr:`toolkit.inputs.audit_grades.AuditData.plans`). What the letter says about them, and the
notebook's working tables and charts, are in :mod:`toolkit.letter.audit` and
:mod:`toolkit.letter.audit_charts`: nothing here holds HTML or a template's words.

Which criteria the letter calls strong or missing (documented in ``docs/audit.md``): a criterion
of a section with positive weight that applied to at least ``max(3, a quarter of the plans)``
plans is *consistently strong* when met in at least 75% of them and *too often missing* when met
in at most 50%; at most two of each, strongest (or weakest) first, framework order on ties.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from toolkit.inputs.audit_framework import MET, AuditFramework
from toolkit.inputs.audit_grades import AuditData, PlanRecord, criterion_status, grade_plan

GRADES = (4, 3, 2, 1)
#: The groupings of the results: name -> the plan record attribute.
GROUPINGS = {"phase": "phase", "need": "primary_need", "setting": "setting_type"}
STAGE_ORDER = ("new", "annual review", "transfer")
STRONG_SHARE, MISSING_SHARE, MAX_STATEMENTS = 0.75, 0.5, 2


@dataclass(frozen=True)
class CriterionCount:
    id: str
    section: str
    text: str
    finding: str
    applicable: int
    met: int

    @property
    def unmet(self) -> int:
        return self.applicable - self.met

    @property
    def share_met(self) -> float | None:
        return None if self.applicable == 0 else self.met / self.applicable


@dataclass(frozen=True)
class GroupGrades:
    """Plans in one group (a phase, a primary need, a setting type) and how they were graded."""
    plans: int
    graded: int
    good_or_better: int
    grades: Mapping[int, int] = field(default_factory=lambda: {g: 0 for g in GRADES})

    @property
    def percent_good_or_better(self) -> float | None:
        return None if not self.graded else 100.0 * self.good_or_better / self.graded


@dataclass(frozen=True)
class AuditResult:
    file: str
    framework: AuditFramework
    plans: int
    records: int
    double_audited: int
    year11_plus: int
    by_stage: dict[str, int]
    section_grades: dict[str, dict[int, int]]  # section code -> grade -> plans
    overall_grades: dict[int, int]
    breakdowns: dict[str, dict[str, GroupGrades]]  # "phase" | "need" | "setting" -> group -> counts
    criteria: tuple[CriterionCount, ...]
    new_plans: int
    new_with_timing: int
    new_within: int
    reviews_checked: int
    reviews_current: int

    @property
    def graded(self) -> int:
        return sum(self.overall_grades.values())

    @property
    def good_or_better(self) -> int:
        return self.overall_grades[4] + self.overall_grades[3]

    @property
    def percent_good_or_better(self) -> float | None:
        return None if not self.graded else 100.0 * self.good_or_better / self.graded

    def section_percent_good(self, code: str) -> float | None:
        counts = self.section_grades[code]
        total = sum(counts.values())
        return None if not total else 100.0 * (counts[4] + counts[3]) / total

    def most_unmet(self, n: int = 10) -> list[CriterionCount]:
        """Criteria most often not met: by number of plans, then by share."""
        ranked = [c for c in self.criteria if c.unmet > 0]
        ranked.sort(key=lambda c: (-c.unmet, c.share_met or 0.0))
        return ranked[:n]


def _status_count(data: AuditData, criterion_id: str | None, plans: list[PlanRecord]) -> tuple[int, int]:
    if criterion_id is None:
        return 0, 0
    c = data.framework.criterion(criterion_id)
    statuses = [criterion_status(c, p) for p in plans]
    return sum(s is not None for s in statuses), sum(s == MET for s in statuses)


def audit_results(data: AuditData) -> AuditResult:
    """Grade distributions, breakdowns, criteria met and timeliness over the audited plans."""
    fw = data.framework
    plans = list(data.plans)
    grades = [grade_plan(p, fw) for p in plans]
    sections = {s.code: {g: 0 for g in GRADES} for s in fw.sections}
    for g in grades:
        for code, value in g.section_grades.items():
            sections[code][value] += 1
    overall = {g: 0 for g in GRADES}
    for g in grades:
        if g.plan_grade is not None:
            overall[g.plan_grade] += 1
    breakdowns: dict[str, dict[str, GroupGrades]] = {}
    for name, attr in GROUPINGS.items():
        groups: dict[str, list[int | None]] = {}
        for p, g in zip(plans, grades, strict=True):
            groups.setdefault(getattr(p, attr), []).append(g.plan_grade)
        breakdowns[name] = {k: GroupGrades(len(v), sum(x is not None for x in v),
                                           sum(x is not None and x >= 3 for x in v),
                                           {grade: sum(x == grade for x in v) for grade in GRADES})
                            for k, v in sorted(groups.items())}
    criteria = []
    for c in fw.criteria:
        applicable, met = _status_count(data, c.id, plans)
        criteria.append(CriterionCount(c.id, c.section, c.text, c.finding, applicable, met))
    stages = Counter(p.plan_stage for p in plans)
    new = [p for p in plans if p.plan_stage == "new"]
    timed, within = _status_count(data, fw.grading.timeliness_criterion, new)
    reviews = [p for p in plans if p.plan_stage == "annual review"]
    checked, current = _status_count(data, fw.grading.review_criterion, reviews)
    return AuditResult(
        file=data.file, framework=fw, plans=len(plans), records=len(data.records),
        double_audited=sum(len({r.auditor.lower() for r in rs if not r.agreed}) > 1
                           for rs in data.by_case().values()),
        year11_plus=sum(p.year11_plus for p in plans),
        by_stage={s: stages.get(s, 0) for s in STAGE_ORDER},
        section_grades=sections, overall_grades=overall, breakdowns=breakdowns,
        criteria=tuple(criteria), new_plans=len(new), new_with_timing=timed, new_within=within,
        reviews_checked=checked, reviews_current=current,
    )


def strong_and_missing(result: AuditResult) -> tuple[list[CriterionCount], list[CriterionCount]]:
    """The criteria the letter calls consistently strong and too often missing (rule in the
    module docstring), at most :data:`MAX_STATEMENTS` of each, strongest (or weakest) first."""
    fw = result.framework
    weights = {s.code: s.weight for s in fw.sections}
    floor = max(3, math.ceil(result.plans / 4))
    eligible = [c for c in result.criteria if weights[c.section] > 0 and c.applicable >= floor]
    order = {c.id: i for i, c in enumerate(fw.criteria)}
    strong = sorted((c for c in eligible if (c.share_met or 0) >= STRONG_SHARE),
                    key=lambda c: (-(c.share_met or 0), -c.applicable, order[c.id]))
    missing = sorted((c for c in eligible if (c.share_met or 0) <= MISSING_SHARE),
                     key=lambda c: ((c.share_met or 0), -c.applicable, order[c.id]))
    return strong[:MAX_STATEMENTS], missing[:MAX_STATEMENTS]
