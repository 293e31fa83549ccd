"""The letter's audit section, and the audit's working tables and charts for the team's notebook.

:func:`summarise_for_letter` reduces the results (:mod:`toolkit.analysis.audit_results`) to what a
letter may say: counts and statements backed by counts, never a case-level row. Sentence patterns
live in the letter style's ``audit.html.j2``; charts come from :mod:`toolkit.letter.audit_charts`
with a data table beside each.

The letter notebook calls this module as ``auditreport`` (``auditreport.grades_by_group_table``,
``most_unmet_table``, ``timeliness_table``, ``audit_charts``, ``blank_entries_table``), and the
names of the results and charts it builds on stay importable from here.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.analysis.audit_results import (
    GRADES,
    GROUPINGS,
    MAX_STATEMENTS,
    MISSING_SHARE,
    STAGE_ORDER,
    STRONG_SHARE,
    AuditResult,
    CriterionCount,
    GroupGrades,
    audit_results,
    strong_and_missing,
)
from toolkit.inputs.audit import read_audit
from toolkit.inputs.audit_framework import NA, AuditFramework
from toolkit.inputs.audit_grades import AuditData, applies
from toolkit.letter.audit_charts import (
    GRADE_COLOURS,
    GRADE_LABELS,
    GROUP_LABELS,
    TIMELY_COLOURS,
    ChartPanel,
    group_chart,
    overall_chart,
    plain,
    section_chart,
    style_macros,
    timeliness_chart,
    timeliness_rows,
)
from toolkit.letter.performance_charts import Chart
from toolkit.letter.style_words import chart_words
from toolkit.letter.templates import environment, template_errors

__all__ = [
    "GRADES", "GRADE_COLOURS", "GRADE_LABELS", "GROUPINGS", "GROUP_LABELS", "MAX_STATEMENTS",
    "MISSING_SHARE", "STAGE_ORDER", "STRONG_SHARE", "TIMELY_COLOURS", "AuditResult", "AuditSummary",
    "ChartPanel", "CriterionCount", "GroupGrades", "Statement", "audit_charts", "audit_results",
    "blank_entries_table", "build_audit_section", "grades_by_group_table", "group_chart",
    "most_unmet_table", "render_audit_section", "summarise_for_letter", "timeliness_chart",
    "timeliness_table",
]


@dataclass(frozen=True)
class Statement:
    """A sentence the letter makes about one criterion, with the counts behind it."""
    kind: str  # "strength" or "gap"
    criterion_id: str
    section: str
    finding: str
    met: int
    applicable: int
    plans: int
    text: str


@dataclass(frozen=True)
class AuditSummary:
    """Everything the letter's audit section says: counts, statements and charts only."""
    plans: int
    by_stage: dict[str, int]
    stage_phrases: tuple[str, ...]
    year11_plus: int
    double_audited: int
    overall: dict[int, int]
    graded: int
    good_or_better: int
    new_plans: int
    new_with_timing: int
    new_within: int
    timeliness_weeks: str
    reviews_checked: int
    reviews_current: int
    strengths: tuple[Statement, ...]
    gaps: tuple[Statement, ...]
    table_columns: tuple[str, ...]
    table_rows: tuple[tuple[str, ...], ...]
    charts: tuple[Chart, ...]
    opening: str  # "We read 18 plans: ..."
    closing: str  # the overall and timeliness sentences


def summarise_for_letter(result: AuditResult, style: str | Path | None = None) -> AuditSummary:
    """What the letter says about the audit: counts, statements backed by counts, and charts."""
    macros = style_macros(style)
    fw = result.framework
    strong, missing = strong_and_missing(result)

    def statement(kind: str, c: CriterionCount) -> Statement:
        st = Statement(kind, c.id, c.section, c.finding, c.met, c.applicable, result.plans, "")
        text = plain((macros.strength if kind == "strength" else macros.gap)(st))
        return Statement(kind, c.id, c.section, c.finding, c.met, c.applicable, result.plans, text)

    stage_phrases = tuple(plain(macros.stage_phrase(n, s))
                          for s, n in result.by_stage.items() if n)
    table_rows = []
    for s in fw.sections:
        counts = result.section_grades[s.code]
        total = sum(counts.values())
        if total:
            table_rows.append((s.title, *[str(counts[g]) for g in GRADES],
                               f"{counts[4] + counts[3]} of {total}"))
    table_rows.append(("Plan overall", *[str(result.overall_grades[g]) for g in GRADES],
                       f"{result.good_or_better} of {result.graded}"))
    weeks = fw.grading.timeliness_weeks
    columns = ("Section", *[f"{GRADE_LABELS[g]} ({g})" for g in GRADES], "Good or better")
    fields: dict[str, Any] = dict(
        plans=result.plans, by_stage=dict(result.by_stage), stage_phrases=stage_phrases,
        year11_plus=result.year11_plus, double_audited=result.double_audited,
        overall=dict(result.overall_grades), graded=result.graded,
        good_or_better=result.good_or_better, new_plans=result.new_plans,
        new_with_timing=result.new_with_timing, new_within=result.new_within,
        timeliness_weeks=f"{weeks:g}", reviews_checked=result.reviews_checked,
        reviews_current=result.reviews_current,
        strengths=tuple(statement("strength", c) for c in strong),
        gaps=tuple(statement("gap", c) for c in missing),
        table_columns=columns,
        table_rows=tuple(table_rows),
        charts=(section_chart(result, columns, tuple(table_rows), chart_words(style)),
                overall_chart(result, chart_words(style)),
                *([timeliness_chart(result, style)] if result.new_with_timing or result.reviews_checked else []))
        if result.graded else (),
        opening="", closing="",
    )
    draft = AuditSummary(**fields)
    fields["opening"] = plain(macros.plans_read(draft))
    fields["closing"] = plain(f"{macros.overall(draft)} {macros.timeliness(draft)}")
    return AuditSummary(**fields)


def render_audit_section(summary: AuditSummary, style: str | Path | None = None,
                         heading: str = "EHC plan sample audit") -> str:
    """The letter's audit section as an HTML fragment (from the style's ``audit.html.j2``)."""
    with template_errors():
        return environment(style).get_template("audit.html.j2").render(s=summary, heading=heading)


def build_audit_section(audit_path: str | Path, out_file: Path, framework: AuditFramework | None = None,
                        root: Path | None = None, allow: tuple[str, ...] = ()) -> Path:
    """Read, grade, summarise and render an audit file to ``out_file``; nothing is written unless
    every step succeeds (the file is replaced atomically)."""

    html = render_audit_section(summarise_for_letter(audit_results(
        read_audit(audit_path, framework, root=root, allow=allow))))
    out_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_file.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html)
        os.replace(tmp, out_file)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out_file


# --- working views: tables and charts for the team's notebook --------------------------------


def _note(text: str) -> pd.DataFrame:
    return pd.DataFrame({"note": [text]})


def _pct(part: int, whole: int) -> float | None:
    return None if not whole else round(100.0 * part / whole, 1)


def grades_by_group_table(data: AuditData | None) -> pd.DataFrame:
    """Overall grade distribution per phase, primary need and setting type, with the number and
    percent of graded plans judged good or better (index: grouping, group)."""
    if data is None:
        return _note("This review names no EHC plan audit file.")
    result = audit_results(data)
    rows = []
    for by, groups in result.breakdowns.items():
        for group, g in groups.items():
            rows.append({"by": GROUP_LABELS[by], "group": group, "plans": g.plans, "graded": g.graded,
                         **{f"{GRADE_LABELS[k]} ({k})": g.grades[k] for k in GRADES},
                         "good or better": g.good_or_better,
                         "% good or better": _pct(g.good_or_better, g.graded)})
    return pd.DataFrame(rows).set_index(["by", "group"])


def most_unmet_table(data: AuditData | None, n: int = 10) -> pd.DataFrame:
    """The criteria most often not met (:meth:`AuditResult.most_unmet`): plans where each applied,
    how many did not meet it, and that as a percent of the plans where it applied."""
    if data is None:
        return _note("This review names no EHC plan audit file.")
    result = audit_results(data)
    rows = [{"criterion": c.id, "section": c.section, "what is checked": c.text,
             "plans where it applied": c.applicable, "not met": c.unmet,
             "% not met (of plans where it applied)": _pct(c.unmet, c.applicable)}
            for c in result.most_unmet(n)]
    if not rows:
        return _note("Every criterion that applied was met.")
    return pd.DataFrame(rows).set_index("criterion")


def timeliness_table(data: AuditData | None) -> pd.DataFrame:
    """New plans issued within the framework's limit (20 weeks) and annual reviews up to date:
    plans, met, not met, not recorded and percent met of those recorded."""
    if data is None:
        return _note("This review names no EHC plan audit file.")
    rows = [{"measure": m, "plans": n, "met": met, "not met": late, "not recorded": unknown,
             "% met (of those recorded)": _pct(met, met + late)}
            for m, n, met, late, unknown in timeliness_rows(audit_results(data))]
    if not rows:
        return _note("No new plans or plans at annual review were read.")
    return pd.DataFrame(rows).set_index("measure")


def blank_entries_table(data: AuditData | None) -> pd.DataFrame:
    """Warning, not an error: plans with criterion cells left blank where the framework says the
    criterion applies. A blank counts as n/a (not applicable), so each one is worth a check: type
    ``n/a`` where the criterion really does not apply, or met / not met. Criteria of a section the
    team scored directly, and timeliness derived from weeks_to_issue, are not listed."""
    if data is None:
        return _note("This review names no EHC plan audit file.")
    fw = data.framework
    rows = []
    for r in data.records:
        left = [c.id for c in fw.criteria
                if c.id in r.blank and r.values.get(c.id, NA) == NA and applies(c, r) is True
                and c.section not in r.section_scores]
        if left:
            rows.append({"row": r.row, "case_ref": r.case_ref, "auditor": r.auditor,
                         "blank criteria (read as n/a)": ", ".join(left), "count": len(left)})
    if not rows:
        return _note("No criterion was left blank where it applies.")
    return pd.DataFrame(rows).set_index("row")


def audit_charts(data: AuditData | None, style: str | Path | None = None) -> ChartPanel:
    """Working view: grades by phase, primary need and setting, and timeliness, as SVG charts each
    with its data table (the same charts the letter's style would draw)."""
    if data is None:
        return ChartPanel(())
    result = audit_results(data)
    charts = [group_chart(result, by, style) for by in GROUPINGS if result.graded]
    if timeliness_rows(result):
        charts.append(timeliness_chart(result, style))
    return ChartPanel(tuple(charts), style)
