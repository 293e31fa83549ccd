"""The audit's charts: grades per section and overall for the letter, grades per group and
timeliness for the team's notebook too, each drawn as SVG with its data table beside it.

Titles, alternative text and the labels drawn are the letter style's words (``charts:`` in
words.yaml, :mod:`toolkit.letter.style_words`); colours are Okabe-Ito (distinguishable under the
common forms of colour-blindness).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from toolkit.analysis.audit_results import GRADES, AuditResult
from toolkit.letter.charts import CHART_TEXT_PT, figure_to_svg, label_colour, new_figure
from toolkit.letter.performance_charts import Chart
from toolkit.letter.style_words import ChartWords, chart_words
from toolkit.letter.templates import environment

GRADE_LABELS = {4: "Outstanding", 3: "Good", 2: "Requires improvement", 1: "Inadequate"}
#: Okabe-Ito colours, dark blue for outstanding to vermillion for inadequate.
GRADE_COLOURS = {4: "#0072B2", 3: "#56B4E9", 2: "#E69F00", 1: "#D55E00"}
#: Timeliness bars: on time (Okabe-Ito blue), late (vermillion), not recorded (light grey).
TIMELY_COLOURS = {"met": "#0072B2", "not met": "#D55E00", "unknown": "#BBBBBB"}
GROUP_LABELS = {"phase": "Phase", "need": "Primary need", "setting": "Setting type"}


def plain(markup: Any) -> str:
    return " ".join(Markup(str(markup)).striptags().split())


def _said(words: ChartWords, key: str, **values: object) -> str:
    """A chart's words on one line (a word's Jinja blocks may leave runs of spaces)."""
    return " ".join(words(key, **values).split())


def style_macros(style: str | Path | None) -> Any:
    """The sentence macros of the style's ``audit.html.j2`` (and ``chart_figure``, a chart with its table)."""
    return environment(style).get_template("audit.html.j2").module


def timeliness_rows(result: AuditResult) -> list[tuple[str, int, int, int, int]]:
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


def section_chart(result: AuditResult, columns: tuple[str, ...],
                  rows: tuple[tuple[str, ...], ...], words: ChartWords) -> Chart:
    """Stacked bars per section; its data table is the grade distribution table."""
    fw = result.framework
    rows_src = [(s, result.section_grades[s.code]) for s in fw.sections
                if sum(result.section_grades[s.code].values())]
    fig, ax = new_figure(6.5, 0.32 * len(rows_src) + 1.4)
    labels = [s.title if len(s.title) < 40 else f"{s.title[:38]}…"
              for s, _ in rows_src]
    y = list(range(len(rows_src)))[::-1]
    left = [0] * len(rows_src)
    for g in GRADES:
        values = [counts[g] for _, counts in rows_src]
        ax.barh(y, values, left=left, color=GRADE_COLOURS[g], label=GRADE_LABELS[g],
                edgecolor="white", linewidth=0.6)
        for yi, x0, v in zip(y, left, values, strict=True):
            if v:
                ax.text(x0 + v / 2, yi, str(v), ha="center", va="center", fontsize=CHART_TEXT_PT,
                        color=label_colour(GRADE_COLOURS[g]))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(y, labels)
    ax.set_xlabel(words("audit_plans_axis"))
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.4, -0.12 - 1.2 / (len(y) + 4)),
              frameon=False, fontsize=CHART_TEXT_PT)
    title = _said(words, "audit_sections_title")
    best = max(rows_src, key=lambda r: (r[1][4] + r[1][3]) / max(1, sum(r[1].values())))[0]
    worst = min(rows_src, key=lambda r: (r[1][4] + r[1][3]) / max(1, sum(r[1].values())))[0]
    alt = _said(words, "audit_sections_alt", plans=result.plans, best=best, worst=worst)
    return Chart("audit-sections", title, alt, figure_to_svg(fig, "audit-sections", title, alt),
                 list(columns), [list(r) for r in rows])


def overall_chart(result: AuditResult, words: ChartWords) -> Chart:
    fig, ax = new_figure(5.0, 2.6)
    values = [result.overall_grades[g] for g in GRADES]
    ax.bar([GRADE_LABELS[g].replace(" ", "\n", 1) for g in GRADES], values, color=[GRADE_COLOURS[g] for g in GRADES])
    for i, v in enumerate(values):
        ax.text(i, v, str(v), ha="center", va="bottom", fontsize=CHART_TEXT_PT)
    ax.set_ylabel(words("audit_plans_axis"))
    title = _said(words, "audit_overall_title")
    parts = [(GRADE_LABELS[g].lower(), result.overall_grades[g]) for g in GRADES]
    alt = _said(words, "audit_overall_alt", graded=result.graded, parts=parts)
    rows = [[GRADE_LABELS[g], str(result.overall_grades[g])] for g in GRADES]
    return Chart("audit-overall", title, alt, figure_to_svg(fig, "audit-overall", title, alt),
                 ["Overall grade", "Plans"], rows)


def group_chart(result: AuditResult, by: str, style: str | Path | None = None) -> Chart:
    """Stacked bars of the overall grades of the plans in each group of ``by`` (phase, need or
    setting), with the same counts as a table beside it."""
    words = chart_words(style)
    groups = [(k, g) for k, g in result.breakdowns[by].items() if g.graded]
    fig, ax = new_figure(6.5, 0.32 * max(1, len(groups)) + 1.4)
    y = list(range(len(groups)))[::-1]
    left = [0] * len(groups)
    for grade in GRADES:
        values = [g.grades[grade] for _, g in groups]
        ax.barh(y, values, left=left, color=GRADE_COLOURS[grade], label=GRADE_LABELS[grade],
                edgecolor="white", linewidth=0.6)
        for yi, x0, v in zip(y, left, values, strict=True):
            if v:
                ax.text(x0 + v / 2, yi, str(v), ha="center", va="center", fontsize=CHART_TEXT_PT,
                        color=label_colour(GRADE_COLOURS[grade]))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(y, [k for k, _ in groups])
    ax.set_xlabel(words("audit_plans_axis"))
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.4, -0.12 - 1.2 / (len(y) + 4)),
              frameon=False, fontsize=CHART_TEXT_PT)
    label = GROUP_LABELS[by]
    title = _said(words, "audit_group_title", label=label)
    ranked = sorted(groups, key=lambda kg: (-(kg[1].good_or_better / kg[1].graded), kg[0]))
    alt = _said(words, "audit_group_alt", label=label, graded=result.graded, ranked=ranked)
    columns = [label, *[f"{GRADE_LABELS[g]} ({g})" for g in GRADES], "Good or better"]
    rows = [[k, *[str(g.grades[x]) for x in GRADES], f"{g.good_or_better} of {g.graded}"] for k, g in groups]
    chart_id = f"audit-by-{by}"
    return Chart(chart_id, title, alt, figure_to_svg(fig, chart_id, title, alt), columns, rows)


def timeliness_chart(result: AuditResult, style: str | Path | None = None) -> Chart:
    """Bars of new plans issued on time (and late, or not recorded) and annual reviews up to date."""
    words = chart_words(style)
    measures = timeliness_rows(result)
    fig, ax = new_figure(6.5, 0.45 * max(1, len(measures)) + 1.2)
    y = list(range(len(measures)))[::-1]
    left = [0] * len(measures)
    names = words.labels("audit_timely")
    for pos, key in enumerate(("met", "not met", "unknown"), start=2):
        values = [int(m[pos]) for m in measures]
        if not any(values):
            continue
        ax.barh(y, values, left=left, color=TIMELY_COLOURS[key], label=names[key],
                edgecolor="white", linewidth=0.6, hatch="//" if key == "not met" else None)
        for yi, x0, v in zip(y, left, values, strict=True):
            if v:
                ax.text(x0 + v / 2, yi, str(v), ha="center", va="center", fontsize=CHART_TEXT_PT,
                        color=label_colour(TIMELY_COLOURS[key]),
                        bbox={"boxstyle": "round,pad=0.15", "fc": TIMELY_COLOURS[key], "ec": "none"})
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(y, [m[0] for m in measures])
    ax.set_xlabel(words("audit_plans_axis"))
    ax.legend(ncols=3, loc="upper center", bbox_to_anchor=(0.4, -0.22 - 0.3 / (len(y) + 1)),
              frameon=False, fontsize=CHART_TEXT_PT)
    weeks = f"{result.framework.grading.timeliness_weeks:g}"
    title = _said(words, "audit_timeliness_title", weeks=weeks)
    alt = _said(words, "audit_timeliness_alt", measures=measures)
    columns = ["Measure", "Plans", names["met"], names["not met"], names["unknown"]]
    rows = [[m[0], *[str(v) for v in m[1:]]] for m in measures]
    return Chart("audit-timeliness", title, alt, figure_to_svg(fig, "audit-timeliness", title, alt), columns, rows)


@dataclass(frozen=True)
class ChartPanel:
    """Charts with their data tables, shown as HTML in the team's notebook."""
    charts: tuple[Chart, ...]
    style: str | Path | None = None

    def _repr_html_(self) -> str:
        macros = style_macros(self.style)
        return "\n".join(str(macros.chart_figure(c)) for c in self.charts) or "<p>No charts.</p>"

    def __repr__(self) -> str:
        return f"<audit charts: {', '.join(c.id for c in self.charts)}>"
