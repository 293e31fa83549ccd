"""The themes report's indicator charts: for each indicator, one row per reviewed area showing
every local authority's value in that area's period (small grey ticks), the area's own value
(a black diamond) and England's (a blue bar), so each reviewed area is seen among all authorities.

Drawn with :func:`toolkit.letter.charts.figure_to_svg` (repeatable bytes, an accessible name and
description); the words of the title, the description and the axis come from the style's
``themes_indicators.html.j2`` macros, as the audit charts' do.
"""

from __future__ import annotations

import math
from typing import Any

from toolkit.analysis.indicators import format_number
from toolkit.analysis.round_model import IndicatorRound, RoundReview
from toolkit.letter.audit_charts import plain
from toolkit.letter.charts import PALETTE, figure_to_svg, new_figure
from toolkit.letter.performance_charts import Chart

OTHERS, AREA, ENGLAND = "#6f6f6f", PALETTE[0], PALETTE[4]
ROW_INCHES = 0.5
TICK = 0.17  # half the height of an authority's tick, in rows


def shown(ind: IndicatorRound, value: float | None, missing: str) -> str:
    """A value as the report writes it (the indicator's unit and decimals; ``missing`` for none)."""
    if value is None:
        return missing
    text = format_number(value, ind.decimals)
    return f"{text}%" if ind.unit == "percent" else text


def indicator_rows(ind: IndicatorRound, reviews: dict[str, RoundReview], macros: Any) -> list[list[str]]:
    """The chart's data as table rows: area (and period), its value, England's, authorities compared."""
    missing = plain(macros.not_published())
    return [[plain(macros.area_label(reviews[rid], fig.period)), shown(ind, fig.value, missing),
             shown(ind, fig.england, missing), str(len(fig.authorities))] for rid, fig in ind.figures]


def indicator_chart(ind: IndicatorRound, reviews: dict[str, RoundReview], macros: Any) -> Chart:
    """One row per reviewed area: every authority's value, the area's, England's."""
    figures = list(ind.figures)
    fig, ax = new_figure(6.0, ROW_INCHES * len(figures) + 1.1)
    for row, (_, figure) in enumerate(reversed(figures)):
        # every authority's tick in one path (a marker each would be a <use> each: 4 times the bytes)
        xs = [x for a in figure.authorities for x in (a.value, a.value, math.nan)]
        ys = [y for _ in figure.authorities for y in (row - TICK, row + TICK, math.nan)]
        ax.plot(xs, ys, linewidth=0.8, color=OTHERS)
        if figure.england is not None:
            ax.plot([figure.england], [row], linestyle="none", marker="|", markersize=18, markeredgewidth=3,
                    color=ENGLAND)
        if figure.value is not None:
            ax.plot([figure.value], [row], linestyle="none", marker="D", markersize=8, color=AREA)
    labels = [plain(macros.area_label(reviews[rid], f.period)) for rid, f in reversed(figures)]
    ax.set_yticks(range(len(figures)), labels)
    ax.set_ylim(-0.6, len(figures) - 0.4)
    ax.set_xlabel(plain(macros.axis_label(ind)))
    ax.set_title(plain(macros.chart_heading(ind)), loc="left")
    rows = indicator_rows(ind, reviews, macros)
    title = plain(macros.chart_title(ind))
    desc = plain(macros.chart_description(ind, rows))
    chart_id = f"themes-indicator-{ind.id}"
    columns = [plain(c) for c in macros.table_columns()]
    return Chart(chart_id, title, desc, figure_to_svg(fig, chart_id, title, desc), columns, rows)
