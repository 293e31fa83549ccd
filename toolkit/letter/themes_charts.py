"""The themes report's indicator charts: for each indicator, one row per reviewed area showing
every local authority's value in that area's period (small grey ticks), the area's own value
(a black diamond) and England's (a blue bar), so each reviewed area is seen among all authorities.
A round with more reviewed areas than ``chart_rows`` (``toolkit/catalogue/themes.yaml``) gets a
row per period instead, every reviewed area's diamond on it; the table beside names them all.

Drawn with :func:`toolkit.letter.charts.figure_to_svg` (repeatable bytes, an accessible name and
description); the words of the title, the description and the axis come from the style's
``themes_indicators.html.j2`` macros, as the audit charts' do.
"""

from __future__ import annotations

import math
from typing import Any

from toolkit.analysis.indicators import format_number
from toolkit.analysis.round_model import IndicatorFigure, IndicatorRound, RoundReview
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


def _strip(ax: Any, row: int, figure: IndicatorFigure, areas: list[float]) -> None:
    """One row: every authority's value as a tick, England's as a bar (on top), the reviewed areas'
    as diamonds (hollow and smaller when several share the row)."""
    # every authority's tick in one path (a marker each would be a <use> each: 4 times the bytes)
    xs = [x for a in figure.authorities for x in (a.value, a.value, math.nan)]
    ys = [y for _ in figure.authorities for y in (row - TICK, row + TICK, math.nan)]
    ax.plot(xs, ys, linewidth=0.8, color=OTHERS)
    if figure.england is not None:
        ax.plot([figure.england], [row], linestyle="none", marker="|", markersize=18, markeredgewidth=3,
                color=ENGLAND, zorder=3)
    if len(areas) == 1:
        ax.plot(areas, [row], linestyle="none", marker="D", markersize=8, color=AREA)
    elif areas:
        ax.plot(areas, [row] * len(areas), linestyle="none", marker="D", markersize=6, markerfacecolor="none",
                markeredgecolor=AREA, markeredgewidth=1)


def _rows(ind: IndicatorRound, reviews: dict[str, RoundReview], macros: Any,
          most: int) -> list[tuple[str, IndicatorFigure, list[float]]]:
    """The chart's rows, top first: one per reviewed area, or with more areas than ``most``, one
    per period (its reviewed areas all on it)."""
    if len(ind.figures) <= most:
        return [(plain(macros.area_label(reviews[rid], f.period)), f, [] if f.value is None else [f.value])
                for rid, f in ind.figures]
    periods: dict[str, list[IndicatorFigure]] = {}
    for _, f in ind.figures:
        periods.setdefault(f.period, []).append(f)
    return [(plain(macros.period_label(period, len(found))), found[0],
             [f.value for f in found if f.value is not None]) for period, found in sorted(periods.items())]


def indicator_chart(ind: IndicatorRound, reviews: dict[str, RoundReview], macros: Any, most: int) -> Chart:
    """Every authority's value, England's and the reviewed areas', a row per area (or per period)."""
    rows_drawn = _rows(ind, reviews, macros, most)
    fig, ax = new_figure(6.0, ROW_INCHES * len(rows_drawn) + 1.1)
    for row, (_, figure, areas) in enumerate(reversed(rows_drawn)):
        _strip(ax, row, figure, areas)
    ax.set_yticks(range(len(rows_drawn)), [label for label, _, _ in reversed(rows_drawn)])
    ax.set_ylim(-0.6, len(rows_drawn) - 0.4)
    ax.set_xlabel(plain(macros.axis_label(ind)))
    ax.set_title(plain(macros.chart_heading(ind)), loc="left")
    rows = indicator_rows(ind, reviews, macros)
    title = plain(macros.chart_title(ind))
    desc = plain(macros.chart_description(ind, rows) if len(ind.figures) <= most
                 else macros.chart_description_many(ind, len(ind.figures), sorted({f.period for _, f in ind.figures})))
    chart_id = f"themes-indicator-{ind.id}"
    columns = [plain(c) for c in str(macros.table_columns()).split("|")]
    return Chart(chart_id, title, desc, figure_to_svg(fig, chart_id, title, desc), columns, rows)
