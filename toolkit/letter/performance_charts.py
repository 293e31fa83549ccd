"""Charts of an authority's indicators: against its comparators, and over time.

Each chart comes with its alternative text and the same numbers as a table (a header and rows
of text) so a template can show the table beside, or instead of, the picture. Colours come from
the colour-blind-safe :data:`toolkit.letter.charts.PALETTE`, and the lines of the trend chart also
differ by marker and dash so no reader depends on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.indicators import Indicator, format_value
from toolkit.inputs.observations import Period
from toolkit.letter.charts import CHART_TEXT_PT, PALETTE, figure_to_svg, new_figure

AREA, ENGLAND, REGION, NEIGHBOURS = PALETTE[0], PALETTE[4], PALETTE[1], PALETTE[3]
_LINE_STYLES = {"area": ("-", "o"), "England": ("--", "s"), "region": (":", "^")}


@dataclass(frozen=True)
class Chart:
    """An inline SVG chart with its accessible text and its data as a table."""
    id: str
    title: str
    alt: str  # the description a screen reader announces (also the SVG's <desc>)
    svg: str
    columns: list[str]
    rows: list[list[str]]


def _unit_label(indicator: Indicator) -> str:
    return {"percent": "Per cent", "count": "Number", "rate": "Rate", "score": "Average score"}[indicator.unit]


#: Legend and table labels of the comparators (``{name}``: England or the region's name).
_LABELS = {"england": "England", "England": "England", "england_average": "England (local authority average)",
           "England_average": "England (local authority average)", "region": "{name}", "region_average":
           "{name} (local authority average)"}


def comparators(comp: Comparison) -> list[tuple[str, float, str]]:
    """``(label, value, colour)`` for the area and each comparator that has a value."""
    labels = {**_LABELS, "neighbours": f"Statistical neighbours (average of {len(comp.neighbours)})"}
    colours = {"england": ENGLAND, "england_average": ENGLAND, "region": REGION,
               "region_average": REGION, "neighbours": NEIGHBOURS}
    out = [(comp.area.name, comp.value, AREA)] if comp.value is not None else []
    out += [(labels[kind].format(name=name), value, colours[kind]) for kind, name, value in comp.benchmarks()]
    return out


def comparison_chart(comp: Comparison, chart_id: str | None = None) -> Chart | None:
    """Horizontal bars: the area, England, its region and its neighbours' average (``None`` if
    the area has no value)."""
    if comp.value is None:
        return None
    ind = comp.indicator
    bars = comparators(comp)
    chart_id = chart_id or f"perf-compare-{ind.id}"
    title = f"{ind.short_title}, {comp.period.label}: {comp.area.name} and comparators"
    fig, ax = new_figure(6.0, 0.45 * len(bars) + 1.0)
    labels = [b[0] for b in bars][::-1]
    values = [b[1] for b in bars][::-1]
    ax.barh(range(len(bars)), values, color=[b[2] for b in bars][::-1], height=0.6)
    ax.set_yticks(range(len(bars)), labels)
    top = max(max(values), 0.0)
    ax.set_xlim(0, 100 if ind.unit == "percent" and top <= 100 else (top * 1.2 or 1))
    for y, v in enumerate(values):
        ax.text(v + (ax.get_xlim()[1] * 0.01), y, format_value(ind, v), va="center", fontsize=CHART_TEXT_PT)
    ax.set_xlabel(_unit_label(ind))
    ax.set_title(f"{ind.short_title} ({comp.period.label})", fontsize=CHART_TEXT_PT + 1, loc="left")
    rows = [[label, format_value(ind, value)] for label, value, _ in bars]
    alt = (f"Bar chart of {ind.short_title} in {comp.period.label}: "
           + "; ".join(f"{r[0]} {r[1]}" for r in rows) + ".")
    return Chart(chart_id, title, alt, figure_to_svg(fig, chart_id, title, alt), ["Area", "Value"], rows)


def trend_series(comp: Comparison, letter: bool = False) -> dict[str, list[tuple[Period, float]]]:
    """The series drawn on the trend chart, by legend label (area first).

    Beside the area: England and its region, as the bar chart shows them. For counts, whose
    England and region rows are totals, that is the average local authority in each period
    (labelled so), as in the bar chart; in the letter (``letter``) a count is drawn alone, never
    beside other authorities' counts, and every line keeps its latest five periods."""
    recent = -5 if letter else 0
    series = {comp.area.name: list(comp.trend.points)[recent:]}
    if letter and comp.averages_stand_in:
        return series
    england, region = ("England_average", "region_average") if comp.averages_stand_in else ("England", "region")
    if comp.series.get(england):
        series[_LABELS[england].format(name="England")] = comp.series[england][recent:]
    if comp.series.get(region) and comp.area.region_name:
        series[_LABELS[region].format(name=comp.area.region_name)] = comp.series[region][recent:]
    return series


def trend_chart(comp: Comparison, chart_id: str | None = None, letter: bool = False) -> Chart | None:
    """Lines over time for the area, England and its region (``None`` with under two points);
    ``letter``: as the letter draws it (:func:`trend_series`)."""
    if len(comp.trend.points) < 2:
        return None
    ind = comp.indicator
    series = trend_series(comp, letter)
    periods = sorted({p for points in series.values() for p, _ in points})
    x = {p: i for i, p in enumerate(periods)}
    chart_id = chart_id or f"perf-trend-{ind.id}"
    title = f"{ind.short_title}: {comp.area.name} over time"
    fig, ax = new_figure(6.0, 3.2)
    colours = [AREA, ENGLAND, REGION]
    styles = [_LINE_STYLES["area"], _LINE_STYLES["England"], _LINE_STYLES["region"]]
    for (label, points), colour, (dash, marker) in zip(series.items(), colours, styles, strict=False):
        ax.plot([x[p] for p, _ in points], [v for _, v in points], linestyle=dash, marker=marker,
                color=colour, label=label, linewidth=2 if colour == AREA else 1.5)
    ax.set_xticks(range(len(periods)), [p.label for p in periods])
    if ind.unit == "percent":
        ax.set_ylim(0, 100)
    else:
        ax.set_ylim(bottom=0)
    ax.set_ylabel(_unit_label(ind))
    ax.set_title(ind.short_title, fontsize=CHART_TEXT_PT + 1, loc="left")
    ax.legend(frameon=False, fontsize=CHART_TEXT_PT, loc="best")
    columns = ["Period", *series.keys()]
    values = {label: dict(points) for label, points in series.items()}
    rows = [[p.label, *(format_value(ind, values[label].get(p), "–") for label in series)] for p in periods]
    area_pts = series[comp.area.name]
    parts = [f"{comp.area.name} went from {format_value(ind, area_pts[0][1])} in {area_pts[0][0].label} "
             f"to {format_value(ind, area_pts[-1][1])} in {area_pts[-1][0].label}"]
    for label in list(series)[1:]:
        pts = series[label]
        parts.append(f"{label} from {format_value(ind, pts[0][1])} to {format_value(ind, pts[-1][1])}")
    alt = f"Line chart of {ind.short_title} from {periods[0].label} to {periods[-1].label}: " + "; ".join(parts) + "."
    return Chart(chart_id, title, alt, figure_to_svg(fig, chart_id, title, alt), columns, rows)
