"""Results of an EHCP sample audit, and the letter's audit section built from them.

:func:`audit_results` counts grades, criteria met and timeliness over the plans (one record per
plan, see :attr:`toolkit.audit.AuditData.plans`). :func:`summarise_for_letter` reduces that to
what a letter may say: counts and statements backed by counts, never a case-level row.
Sentence patterns live in the letter style's ``audit.html.j2``; charts come from
:mod:`toolkit.charts` with a data table beside each.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from toolkit import wording
from toolkit.audit import MET, AuditData, AuditFramework, PlanRecord, criterion_status, grade_plan
from toolkit.charts import figure_to_svg, new_figure
from toolkit.perfcharts import Chart

GRADES = (4, 3, 2, 1)
GRADE_LABELS = {4: "Outstanding", 3: "Good", 2: "Requires improvement", 1: "Inadequate"}
#: Okabe-Ito colours, dark blue for outstanding to vermillion for inadequate.
GRADE_COLOURS = {4: "#0072B2", 3: "#56B4E9", 2: "#E69F00", 1: "#D55E00"}
STAGE_ORDER = ("new", "annual review", "transfer")
STRONG_SHARE, MISSING_SHARE, MAX_STATEMENTS = 0.75, 0.5, 4
STYLES_DIR = Path(__file__).parent / "styles"


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
    for name, attr in (("phase", "phase"), ("need", "primary_need"), ("setting", "setting_type")):
        groups: dict[str, list[int | None]] = {}
        for p, g in zip(plans, grades):
            groups.setdefault(getattr(p, attr), []).append(g.plan_grade)
        breakdowns[name] = {k: GroupGrades(len(v), sum(x is not None for x in v),
                                           sum(x is not None and x >= 3 for x in v))
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


def _section_chart(result: AuditResult, columns: tuple[str, ...],
                   rows: tuple[tuple[str, ...], ...]) -> Chart:
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
    title = "Grades given to the plans we read, by section of the plan"
    best = max(rows_src, key=lambda r: (r[1][4] + r[1][3]) / max(1, sum(r[1].values())))[0]
    worst = min(rows_src, key=lambda r: (r[1][4] + r[1][3]) / max(1, sum(r[1].values())))[0]
    alt = (f"Stacked bar chart of the grades given to each section of the {result.plans} plans "
           f"read. Section {best.code} ({best.title}) was most often good or better; section "
           f"{worst.code} ({worst.title}) least often. The table beside it gives every count.")
    return Chart("audit-sections", title, alt, figure_to_svg(fig, "audit-sections", title, alt),
                 list(columns), [list(r) for r in rows])


def _overall_chart(result: AuditResult) -> Chart:
    fig, ax = new_figure(5.0, 2.6)
    values = [result.overall_grades[g] for g in GRADES]
    ax.bar([GRADE_LABELS[g].replace(" ", "\n", 1) for g in GRADES], values, color=[GRADE_COLOURS[g] for g in GRADES])
    for i, v in enumerate(values):
        ax.text(i, v, str(v), ha="center", va="bottom", fontsize=9)
    ax.set_ylabel("Number of plans")
    title = "Overall grade of each plan"
    parts = ", ".join(f"{GRADE_LABELS[g].lower()} {result.overall_grades[g]}" for g in GRADES)
    alt = f"Bar chart of the overall grades of the {result.graded} plans graded: {parts}."
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
        charts=(_section_chart(result, columns, tuple(table_rows)), _overall_chart(result))
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
    from toolkit.audit import read_audit

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
