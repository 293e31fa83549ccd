"""Results of an EHCP sample audit, and the letter's audit section built from them.

:func:`audit_results` counts grades, criteria met and timeliness over the plans (one record per
plan, see :attr:`toolkit.inputs.audit.AuditData.plans`). :func:`summarise_for_letter` reduces that to
what a letter may say: counts and statements backed by counts, never a case-level row.
Sentence patterns live in the letter style's ``audit.html.j2``; charts come from
:mod:`toolkit.letter.charts` with a data table beside each.

Which criteria the letter calls strong or missing (documented in ``docs/audit.md``): a criterion
of a section with positive weight that applied to at least ``max(3, a quarter of the plans)``
plans is *consistently strong* when met in at least 75% of them and *too often missing* when met
in at most 50%; at most four of each, strongest (or weakest) first, framework order on ties.
"""

from __future__ import annotations

import functools
import math
import os
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup

from toolkit import wording
from toolkit.inputs.audit import (
    MET,
    NA,
    AuditData,
    AuditFramework,
    PlanRecord,
    applies,
    criterion_status,
    grade_plan,
    read_audit,
)
from toolkit.letter.charts import figure_to_svg, new_figure
from toolkit.letter.performance_charts import Chart

GRADES = (4, 3, 2, 1)
GRADE_LABELS = {4: "Outstanding", 3: "Good", 2: "Requires improvement", 1: "Inadequate"}
#: Okabe-Ito colours, dark blue for outstanding to vermillion for inadequate.
GRADE_COLOURS = {4: "#0072B2", 3: "#56B4E9", 2: "#E69F00", 1: "#D55E00"}
#: Timeliness bars: on time (Okabe-Ito blue), late (vermillion), not recorded (light grey).
TIMELY_COLOURS = {"met": "#0072B2", "not met": "#D55E00", "unknown": "#BBBBBB"}
#: The groupings of the results: name -> the plan record attribute.
GROUPINGS = {"phase": "phase", "need": "primary_need", "setting": "setting_type"}
STAGE_ORDER = ("new", "annual review", "transfer")
STRONG_SHARE, MISSING_SHARE, MAX_STATEMENTS = 0.75, 0.5, 4
STYLES_DIR = Path(__file__).parents[1] / "styles"


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
        for p, g in zip(plans, grades):
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


# --- the letter's summary ----------------------------------------------------------------------


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


def _environment(style: str | Path | None) -> jinja2.Environment:
    folder = STYLES_DIR / "standard" if style is None else Path(style)
    if not folder.is_dir():
        folder = STYLES_DIR / str(style)
    return _environment_for(str(folder))


@functools.lru_cache(maxsize=16)
def _environment_for(folder: str) -> jinja2.Environment:
    """One environment per style folder, so its compiled templates are reused between letters."""
    loaders = [jinja2.FileSystemLoader(folder), jinja2.FileSystemLoader(str(STYLES_DIR / "standard"))]
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number_words=wording.number_words, plural=wording.plural,
                       join_words=wording.join_words)
    return env


def _plain(markup: Any) -> str:
    return " ".join(Markup(str(markup)).striptags().split())


def _pick(result: AuditResult) -> tuple[list[CriterionCount], list[CriterionCount]]:
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


def _macros(style: str | Path | None) -> Any:
    """The sentence and chart-text macros of the style's ``audit.html.j2``."""
    return _environment(style).get_template("audit.html.j2").module


def _section_chart(result: AuditResult, columns: tuple[str, ...],
                   rows: tuple[tuple[str, ...], ...], macros: Any) -> Chart:
    """Stacked bars per section; its data table is the grade distribution table."""
    fw = result.framework
    rows_src = [(s, result.section_grades[s.code]) for s in fw.sections
                if sum(result.section_grades[s.code].values())]
    fig, ax = new_figure(6.5, 0.32 * len(rows_src) + 1.4)
    labels = [f"{s.code}: {s.title}" if len(s.title) < 34 else f"{s.code}: {s.title[:32]}…"
              for s, _ in rows_src]
    y = list(range(len(rows_src)))[::-1]
    left = [0] * len(rows_src)
    for g in GRADES:
        values = [counts[g] for _, counts in rows_src]
        ax.barh(y, values, left=left, color=GRADE_COLOURS[g], label=GRADE_LABELS[g],
                edgecolor="white", linewidth=0.6)
        for yi, x0, v in zip(y, left, values):
            if v:
                ax.text(x0 + v / 2, yi, str(v), ha="center", va="center", fontsize=8,
                        color="white" if g in (4, 1) else "black")
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(y, labels)
    ax.set_xlabel("Number of plans")
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.4, -0.12 - 1.2 / (len(y) + 4)),
              frameon=False, fontsize=8)
    title = _plain(macros.section_chart_title())
    best = max(rows_src, key=lambda r: (r[1][4] + r[1][3]) / max(1, sum(r[1].values())))[0]
    worst = min(rows_src, key=lambda r: (r[1][4] + r[1][3]) / max(1, sum(r[1].values())))[0]
    alt = _plain(macros.section_chart_alt(result.plans, best, worst))
    return Chart("audit-sections", title, alt, figure_to_svg(fig, "audit-sections", title, alt),
                 list(columns), [list(r) for r in rows])


def _overall_chart(result: AuditResult, macros: Any) -> Chart:
    fig, ax = new_figure(5.0, 2.6)
    values = [result.overall_grades[g] for g in GRADES]
    ax.bar([GRADE_LABELS[g].replace(" ", "\n", 1) for g in GRADES], values, color=[GRADE_COLOURS[g] for g in GRADES])
    for i, v in enumerate(values):
        ax.text(i, v, str(v), ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("Number of plans")
    title = _plain(macros.overall_chart_title())
    parts = [(GRADE_LABELS[g].lower(), result.overall_grades[g]) for g in GRADES]
    alt = _plain(macros.overall_chart_alt(result.graded, parts))
    rows = [[GRADE_LABELS[g], str(result.overall_grades[g])] for g in GRADES]
    return Chart("audit-overall", title, alt, figure_to_svg(fig, "audit-overall", title, alt),
                 ["Overall grade", "Plans"], rows)


def summarise_for_letter(result: AuditResult, style: str | Path | None = None) -> AuditSummary:
    """What the letter says about the audit: counts, statements backed by counts, and charts."""
    env = _environment(style)
    macros = env.get_template("audit.html.j2").module
    fw = result.framework
    strong, missing = _pick(result)

    def statement(kind: str, c: CriterionCount) -> Statement:
        st = Statement(kind, c.id, c.section, c.finding, c.met, c.applicable, result.plans, "")
        text = _plain((macros.strength if kind == "strength" else macros.gap)(st))  # type: ignore[attr-defined]
        return Statement(kind, c.id, c.section, c.finding, c.met, c.applicable, result.plans, text)

    stage_phrases = tuple(_plain(macros.stage_phrase(n, s))  # type: ignore[attr-defined]
                          for s, n in result.by_stage.items() if n)
    table_rows = []
    for s in fw.sections:
        counts = result.section_grades[s.code]
        total = sum(counts.values())
        if total:
            table_rows.append((f"{s.code}: {s.title}", *[str(counts[g]) for g in GRADES],
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
        charts=(_section_chart(result, columns, tuple(table_rows), macros), _overall_chart(result, macros),
                *([timeliness_chart(result, style)] if result.new_with_timing or result.reviews_checked else []))
        if result.graded else (),
        opening="", closing="",
    )
    draft = AuditSummary(**fields)
    fields["opening"] = _plain(macros.plans_read(draft))  # type: ignore[attr-defined]
    fields["closing"] = _plain(f"{macros.overall(draft)} {macros.timeliness(draft)}")  # type: ignore[attr-defined]
    return AuditSummary(**fields)


def render_audit_section(summary: AuditSummary, style: str | Path | None = None,
                         heading: str = "EHC plan sample audit") -> str:
    """The letter's audit section as an HTML fragment (from the style's ``audit.html.j2``)."""
    return _environment(style).get_template("audit.html.j2").render(s=summary, heading=heading)


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


# --- working views (tables for the team's notebook) and the group and timeliness charts ----------

GROUP_LABELS = {"phase": "Phase", "need": "Primary need", "setting": "Setting type"}


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


def _timeliness_rows(result: AuditResult) -> list[tuple[str, int, int, int, int]]:
    """(measure, plans, met, not met, not recorded) for new plans and plans at annual review."""
    weeks = f"{result.framework.grading.timeliness_weeks:g}"
    out = []
    if result.framework.grading.timeliness_criterion and result.new_plans:
        out.append((f"New plans issued within {weeks} weeks", result.new_plans, result.new_within,
                    result.new_with_timing - result.new_within, result.new_plans - result.new_with_timing))
    if result.framework.grading.review_criterion and result.by_stage.get("annual review"):
        reviews = result.by_stage["annual review"]
        out.append(("Annual review up to date", reviews, result.reviews_current,
                    result.reviews_checked - result.reviews_current, reviews - result.reviews_checked))
    return out


def timeliness_table(data: AuditData | None) -> pd.DataFrame:
    """New plans issued within the framework's limit (20 weeks) and annual reviews up to date:
    plans, met, not met, not recorded and percent met of those recorded."""
    if data is None:
        return _note("This review names no EHC plan audit file.")
    rows = [{"measure": m, "plans": n, "met": met, "not met": late, "not recorded": unknown,
             "% met (of those recorded)": _pct(met, met + late)}
            for m, n, met, late, unknown in _timeliness_rows(audit_results(data))]
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


def group_chart(result: AuditResult, by: str, style: str | Path | None = None) -> Chart:
    """Stacked bars of the overall grades of the plans in each group of ``by`` (phase, need or
    setting), with the same counts as a table beside it."""
    macros = _macros(style)
    groups = [(k, g) for k, g in result.breakdowns[by].items() if g.graded]
    fig, ax = new_figure(6.5, 0.32 * max(1, len(groups)) + 1.4)
    y = list(range(len(groups)))[::-1]
    left = [0] * len(groups)
    for grade in GRADES:
        values = [g.grades[grade] for _, g in groups]
        ax.barh(y, values, left=left, color=GRADE_COLOURS[grade], label=GRADE_LABELS[grade],
                edgecolor="white", linewidth=0.6)
        for yi, x0, v in zip(y, left, values):
            if v:
                ax.text(x0 + v / 2, yi, str(v), ha="center", va="center", fontsize=8,
                        color="white" if grade in (4, 1) else "black")
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(y, [k for k, _ in groups])
    ax.set_xlabel("Number of plans")
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.4, -0.12 - 1.2 / (len(y) + 4)),
              frameon=False, fontsize=8)
    label = GROUP_LABELS[by]
    title = _plain(macros.group_chart_title(label))
    ranked = sorted(groups, key=lambda kg: (-(kg[1].good_or_better / kg[1].graded), kg[0]))
    alt = _plain(macros.group_chart_alt(label, result.graded, ranked))
    columns = [label, *[f"{GRADE_LABELS[g]} ({g})" for g in GRADES], "Good or better"]
    rows = [[k, *[str(g.grades[x]) for x in GRADES], f"{g.good_or_better} of {g.graded}"] for k, g in groups]
    chart_id = f"audit-by-{by}"
    return Chart(chart_id, title, alt, figure_to_svg(fig, chart_id, title, alt), columns, rows)


def timeliness_chart(result: AuditResult, style: str | Path | None = None) -> Chart:
    """Bars of new plans issued on time (and late, or not recorded) and annual reviews up to date."""
    macros = _macros(style)
    measures = _timeliness_rows(result)
    fig, ax = new_figure(6.5, 0.45 * max(1, len(measures)) + 1.2)
    y = list(range(len(measures)))[::-1]
    left = [0] * len(measures)
    names = {"met": "On time or up to date", "not met": "Late or out of date", "unknown": "Not recorded"}
    for pos, key in enumerate(("met", "not met", "unknown"), start=2):
        values = [m[pos] for m in measures]
        if not any(values):
            continue
        ax.barh(y, values, left=left, color=TIMELY_COLOURS[key], label=names[key],
                edgecolor="white", linewidth=0.6, hatch="//" if key == "not met" else None)
        for yi, x0, v in zip(y, left, values):
            if v:
                ax.text(x0 + v / 2, yi, str(v), ha="center", va="center", fontsize=8,
                        color="white" if key != "unknown" else "black",
                        bbox={"boxstyle": "round,pad=0.15", "fc": TIMELY_COLOURS[key], "ec": "none"})
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(y, [m[0] for m in measures])
    ax.set_xlabel("Number of plans")
    ax.legend(ncols=3, loc="upper center", bbox_to_anchor=(0.4, -0.22 - 0.3 / (len(y) + 1)),
              frameon=False, fontsize=8)
    weeks = f"{result.framework.grading.timeliness_weeks:g}"
    title = _plain(macros.timeliness_chart_title(weeks))
    alt = _plain(macros.timeliness_chart_alt(measures))
    columns = ["Measure", "Plans", "On time or up to date", "Late or out of date", "Not recorded"]
    rows = [[m[0], *[str(v) for v in m[1:]]] for m in measures]
    return Chart("audit-timeliness", title, alt, figure_to_svg(fig, "audit-timeliness", title, alt), columns, rows)


@dataclass(frozen=True)
class ChartPanel:
    """Charts with their data tables, shown as HTML in the team's notebook."""
    charts: tuple[Chart, ...]
    style: str | Path | None = None

    def _repr_html_(self) -> str:
        macros = _macros(self.style)
        return "\n".join(str(macros.chart_figure(c)) for c in self.charts) or "<p>No charts.</p>"

    def __repr__(self) -> str:
        return f"<audit charts: {', '.join(c.id for c in self.charts)}>"


def audit_charts(data: AuditData | None, style: str | Path | None = None) -> ChartPanel:
    """Working view: grades by phase, primary need and setting, and timeliness, as SVG charts each
    with its data table (the same charts the letter's style would draw)."""
    if data is None:
        return ChartPanel(())
    result = audit_results(data)
    charts = [group_chart(result, by, style) for by in GROUPINGS if result.graded]
    if _timeliness_rows(result):
        charts.append(timeliness_chart(result, style))
    return ChartPanel(tuple(charts), style)
