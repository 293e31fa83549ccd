"""A plan's audit record, the audit file's records, and the grades derived from them.

Grades follow the rule documented in the framework file's header and in ``docs/audit.md``:

- a section's grade comes from the weighted share of its applicable criteria that were met
  (banded into 4 outstanding, 3 good, 2 requires improvement, 1 inadequate), unless the team
  scored the section directly;
- a plan's grade is the section-weighted mean of its section grades rounded down, capped when a
  key section is inadequate.

Results and the letter summary (:mod:`toolkit.letter.audit`) and moderation
(:mod:`toolkit.analysis.moderation`) build on these records; :mod:`toolkit.inputs.audit` reads
them from the audit file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from toolkit.inputs.audit_framework import MET, NA, AuditFramework, Criterion

#: Phases that count as Year 9 or above (True), below it (False) when no year group is given.
_PHASE_FROM_YEAR9 = {"early years": False, "KS1": False, "KS2": False, "KS4": True, "KS5": True,
                     "post-16": True, "post-19": True}
PHASES_YEAR11_PLUS = {"KS5", "post-16", "post-19"}


@dataclass(frozen=True)
class PlanRecord:
    """One auditor's audit of one plan (one row of the audit file)."""
    row: int
    case_ref: str
    auditor: str
    phase: str
    primary_need: str
    setting_type: str
    plan_stage: str
    year_group: int | None = None
    weeks_to_issue: float | None = None
    values: Mapping[str, str] = field(default_factory=dict)  # criterion id -> met / not met / n/a
    section_scores: Mapping[str, int] = field(default_factory=dict)  # direct scores 1-4
    agreed: bool = False
    notes: str = ""
    criterion_notes: Mapping[str, str] = field(default_factory=dict)
    blank: frozenset[str] = frozenset()  # criterion ids whose cell was left empty (read as n/a)

    @property
    def year11_plus(self) -> bool:
        """Year 11 or above (by year group, else by phase: KS5, post-16, post-19)."""
        if self.year_group is not None:
            return self.year_group >= 11
        return self.phase in PHASES_YEAR11_PLUS


@dataclass(frozen=True)
class AuditData:
    """A validated audit file: every row, and the framework it was read against."""
    file: str
    framework: AuditFramework
    records: tuple[PlanRecord, ...]

    @property
    def plans(self) -> tuple[PlanRecord, ...]:
        """One record per plan: the row marked ``agreed`` if any, else the first in the file."""
        chosen: dict[str, PlanRecord] = {}
        for r in self.records:
            if r.case_ref not in chosen or (r.agreed and not chosen[r.case_ref].agreed):
                chosen[r.case_ref] = r
        return tuple(chosen.values())

    def by_case(self) -> dict[str, list[PlanRecord]]:
        cases: dict[str, list[PlanRecord]] = {}
        for r in self.records:
            cases.setdefault(r.case_ref, []).append(r)
        return cases


# --- grading -------------------------------------------------------------------------------


def applies(criterion: Criterion, record: PlanRecord) -> bool | None:
    """Whether the framework's conditions admit this plan (None: the auditor's entry decides)."""
    rule = criterion.applies
    if rule.plan_stages is not None and record.plan_stage not in rule.plan_stages:
        return False
    if rule.min_year_group is not None:
        if record.year_group is not None:
            return record.year_group >= rule.min_year_group
        if rule.min_year_group == 9:
            return _PHASE_FROM_YEAR9.get(record.phase)
        return None
    return True


def criterion_status(criterion: Criterion, record: PlanRecord) -> str | None:
    """``met`` or ``not met`` when the criterion applies to the plan, else None."""
    value = record.values.get(criterion.id, NA)
    if value == NA or applies(criterion, record) is False:
        return None
    return value


def grade_from_share(share: float, framework: AuditFramework, checks: int | None = None) -> int:
    """The section grade for a weighted share of criteria met: the first band reached whose
    ``min_checks`` the section's ``checks`` (applicable criteria; None: enough) meet, else 1."""
    for band in sorted(framework.grading.section_bands, key=lambda b: -b.min_share):
        if share >= band.min_share - 1e-9 and (checks is None or checks >= band.min_checks):
            return band.grade
    return 1


def section_checks(record: PlanRecord, code: str, framework: AuditFramework) -> int:
    """How many of the section's criteria applied to the plan."""
    return sum(criterion_status(c, record) is not None for c in framework.criteria_in(code))


def section_share(record: PlanRecord, code: str, framework: AuditFramework) -> float | None:
    """Weighted share of the section's applicable criteria met (None: none applied)."""
    total = met = 0.0
    for c in framework.criteria_in(code):
        status = criterion_status(c, record)
        if status is not None:
            total += c.weight
            met += c.weight if status == MET else 0.0
    return None if total == 0 else met / total


@dataclass(frozen=True)
class PlanGrades:
    """A plan's derived grades: per section (graded sections only) and overall."""
    section_grades: Mapping[str, int]
    section_shares: Mapping[str, float]
    direct: frozenset[str]
    weighted_mean: float | None
    plan_grade: int | None
    capped: bool


def grade_plan(record: PlanRecord, framework: AuditFramework) -> PlanGrades:
    """Section grades and the plan grade for one record, by the documented rule."""
    grades: dict[str, int] = {}
    weighed: dict[str, int] = {}  # the grades the plan grade weighs: before the min_checks cap
    shares: dict[str, float] = {}
    for s in framework.sections:
        share = section_share(record, s.code, framework)
        if share is not None:
            shares[s.code] = share
            grades[s.code] = grade_from_share(share, framework, section_checks(record, s.code, framework))
            weighed[s.code] = grade_from_share(share, framework)
        if s.code in record.section_scores:
            grades[s.code] = weighed[s.code] = record.section_scores[s.code]
    weights = {s.code: s.weight for s in framework.sections}
    counted = {c: g for c, g in weighed.items() if weights[c] > 0}
    if not counted:
        return PlanGrades(grades, shares, frozenset(record.section_scores), None, None, False)
    mean = sum(g * weights[c] for c, g in counted.items()) / sum(weights[c] for c in counted)
    plan = max(1, math.floor(mean + 1e-9))
    capped = False
    cap = framework.grading.key_cap
    if cap is not None:
        key_low = [g for c, g in grades.items() if framework.section(c).key and g <= cap.when_at_most]
        if key_low and plan > cap.cap:
            plan, capped = cap.cap, True
    return PlanGrades(grades, shares, frozenset(record.section_scores), mean, plan, capped)
