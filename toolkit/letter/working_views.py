"""Working views for the team (shown in the notebook, never in the letter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from toolkit.analysis.audit_results import audit_results
from toolkit.analysis.coverage import compute_coverage
from toolkit.analysis.moderation import disagreement_rows, moderate
from toolkit.analysis.plan_links import finding_themes
from toolkit.inputs.findings import Finding, Kind

if TYPE_CHECKING:
    from toolkit.review import Review


def findings_table(review: Review) -> pd.DataFrame:
    """Findings per KLOE and kind: how many were recorded and how many reach the letter."""
    rows = []
    keys: list[tuple[str, str]] = [("(headline)", "Headlines")]
    keys += [(k.id, k.title) for k in review.scope.kloes]
    if any(f.kloe is None and not f.headline for f in review.findings.all):
        keys.append(("(none)", "Urgent actions without a KLOE"))
    for kid, title in keys:
        row: dict[str, object] = {"KLOE": kid, "title": title}
        for kind in Kind:
            def match(f: Finding, kid: str = kid, kind: Kind = kind) -> bool:
                if kid == "(headline)":
                    return f.headline and f.kind is kind
                if kid == "(none)":
                    return f.kloe is None and not f.headline and f.kind is kind
                return f.kloe == kid and not f.headline and f.kind is kind
            raw = [f for f in review.findings.all if match(f) and not f.withdrawn]
            row[f"{kind.plural} (recorded)"] = len(raw)
            row[f"{kind.plural} (in letter)"] = sum(f.include for f in raw)
        rows.append(row)
    return pd.DataFrame(rows).set_index("KLOE")


def audit_grades_table(review: Review) -> pd.DataFrame:
    """Working view: plans per grade for each section and overall, with percent good or better."""
    if review.audit is None:
        return pd.DataFrame({"note": ["This review names no EHC plan audit file."]})

    result = audit_results(review.audit)
    rows = []
    for code, counts in result.section_grades.items():
        pct = result.section_percent_good(code)
        rows.append({"section": code, **{f"grade {g}": counts[g] for g in (4, 3, 2, 1)},
                     "% good or better": None if pct is None else round(pct, 1)})
    pct = result.percent_good_or_better
    rows.append({"section": "overall", **{f"grade {g}": result.overall_grades[g] for g in (4, 3, 2, 1)},
                 "% good or better": None if pct is None else round(pct, 1)})
    return pd.DataFrame(rows).set_index("section")


def moderation_summary(review: Review) -> pd.DataFrame:
    """Working view: how far two auditors reading the same plans agreed."""
    if review.audit is None:
        return pd.DataFrame()

    r = moderate(review.audit)
    return pd.DataFrame([{
        "plans read twice": r.plans,
        "section grade pairs": len(r.section_grade_pairs),
        "exact agreement %": None if r.exact_agreement is None else round(r.exact_agreement, 1),
        "weighted kappa": None if r.kappa is None else round(r.kappa, 3),
        "disagreements to settle": len(r.disagreements),
    }])


def moderation_disagreements(review: Review) -> pd.DataFrame:
    """Working view: every point where two auditors differ, for the team to settle."""
    if review.audit is None:
        return pd.DataFrame()

    return pd.DataFrame(disagreement_rows(moderate(review.audit)))


def coverage_table(review: Review) -> pd.DataFrame:
    """Working view: per KLOE, prompts covered, findings by kind, findings resting on one kind of
    evidence only (not yet triangulated) and the reviewers who contributed."""

    return compute_coverage(review.scope, review.findings.all, review.checklist).to_frame()


def improvement_plan_table(review: Review) -> pd.DataFrame:
    """The improvement plan's actions overdue at the first visit day (never today's date), each with
    how many of the letter's findings bear on its KLOEs."""
    plan = review.improvement_plan
    if plan is None:
        return pd.DataFrame({"note": ["This review names no improvement plan."]})
    day = review.params.visit.dates[0]
    included = review.findings.included
    rows = [{"theme": a.theme, "action": a.action, "owner": a.owner, "due": a.due.isoformat(), "RAG": a.rag,
             "overdue at the visit": a.overdue_at(day),
             "findings on its KLOEs": sum(1 for f in included if f.kloe in a.kloes)} for a in plan.actions]
    return pd.DataFrame(rows).sort_values(["overdue at the visit", "due"], ascending=[False, True],
                                          kind="stable").reset_index(drop=True)


def plan_themes_table(review: Review) -> pd.DataFrame:
    """Areas for consideration with the improvement-plan themes their KLOE touches."""
    plan = review.improvement_plan
    if plan is None:
        return pd.DataFrame({"note": ["This review names no improvement plan."]})
    rows = [{"area for consideration": f.statement, "KLOE": f.kloe or "",
             "plan themes": "; ".join(finding_themes(f, plan))}
            for f in review.findings.included if f.kind is Kind.AREA]
    return pd.DataFrame(rows)
