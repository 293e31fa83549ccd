"""Which themes of the area's improvement plan each finding touches.

A finding is linked to the plan through its KLOE: an action bears on the KLOEs its ``kloes``
column names (:mod:`toolkit.inputs.plans`), so a finding touches the themes of the actions that
name its KLOE, in the plan's order. A finding with no KLOE (a headline or an urgent action given
none) touches no theme. The working notebook's table and the letter's option ``plan_themes``
both ask here.
"""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.inputs.findings import Finding, Kind
from toolkit.inputs.plans import ImprovementPlan


def finding_themes(finding: Finding, plan: ImprovementPlan | None) -> tuple[str, ...]:
    """The plan themes a finding touches (empty without a plan or a KLOE)."""
    if plan is None or not finding.kloe:
        return ()
    return tuple(plan.themes_for_kloe(finding.kloe))


def area_themes(findings: Iterable[Finding], plan: ImprovementPlan | None) -> dict[str, tuple[str, ...]]:
    """Each area for consideration's id with the plan themes it touches (only those touching one)."""
    out = {}
    for f in findings:
        if f.kind is Kind.AREA and (themes := finding_themes(f, plan)):
            out[f.id] = themes
    return out


def themes_touched(findings: Iterable[Finding], plan: ImprovementPlan | None) -> tuple[str, ...]:
    """The plan themes any of these areas for consideration touches, in the plan's order (the
    letter names them under a KLOE's areas)."""
    touched = {t for themes in area_themes(findings, plan).values() for t in themes}
    return tuple(t for t in plan.themes() if t in touched) if plan else ()
