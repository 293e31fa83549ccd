"""Charts of an authority's indicators: against its comparators, and over time.

Each chart comes with its alternative text and the same numbers as a table (a header and rows
of text) so a template can show the table beside, or instead of, the picture. Colours come from
the colour-blind-safe :data:`toolkit.letter.charts.PALETTE`, and the lines of the trend chart also
differ by marker and dash so no reader depends on colour alone. Their titles, alternative text and
labels are the style's words (``charts:`` in words.yaml, :mod:`toolkit.letter.style_words`).
"""

from __future__ import annotations

from dataclasses import dataclass

from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.indicators import Indicator, format_value
from toolkit.inputs.observations import Period
from toolkit.letter.charts import CHART_TEXT_PT, PALETTE, figure_to_svg, new_figure
from toolkit.letter.style_words import ChartWords, chart_words

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


def _unit_label(indicator: Indicator, words: ChartWords) -> str:
    return words.labels("units")[indicator.unit]


#: The comparators' keys in the style's words (``charts.comparators``) by the kind of benchmark.
_COMPARATOR_KEYS = {"england": "England", "England": "England", "england_average": "England_average",
                    "England_average": "England_average", "region": "region", "region_average": "region_average",
                    "neighbours": "neighbours"}


def _comparator_label(words: ChartWords, kind: str, name: str, n: int = 0) -> str:
    text = words.labels("comparators")[_COMPARATOR_KEYS[kind]]
    return words.render(text, name=name, n=n)


def comparators(comp: Comparison, words: ChartWords | None = None) -> list[tuple[str, float, str]]:
    """``(label, value, colour)`` for the area and each comparator that has a value."""
    words = words or chart_words()
    colours = {"england": ENGLAND, "england_average": ENGLAND, "region": REGION,
               "region_average": REGION, "neighbours": NEIGHBOURS}
    out = [(comp.area.name, comp.value, AREA)] if comp.value is not None else []
    out += [(_comparator_label(words, kind, name, len(comp.neighbours)), value, colours[kind])
            for kind, name, value in comp.benchmarks()]
    return out


def comparison_chart(comp: Comparison, chart_id: str | None = None, words: ChartWords | None = None) -> Chart | None:
    """Horizontal bars: the area, England, its region and its neighbours' average (``None`` if
    the area has no value); ``words``: the style's chart words (the standard style's by default)."""
    if comp.value is None:
        return None
    words = words or chart_words()
    ind = comp.indicator
    bars = comparators(comp, words)
    chart_id = chart_id or f"perf-compare-{ind.id}"
    named = {"indicator": ind.short_title, "period": comp.period.label, "area": comp.area.name}
    title = words("comparison_title", **named)
    fig, ax = new_figure(6.0, 0.45 * len(bars) + 1.0)
    labels = [b[0] for b in bars][::-1]
    values = [b[1] for b in bars][::-1]
    ax.barh(range(len(bars)), values, color=[b[2] for b in bars][::-1], height=0.6)
    ax.set_yticks(range(len(bars)), labels)
    top = max(max(values), 0.0)
    ax.set_xlim(0, 100 if ind.unit == "percent" and top <= 100 else (top * 1.2 or 1))
    for y, v in enumerate(values):
        ax.text(v + (ax.get_xlim()[1] * 0.01), y, format_value(ind, v), va="center", fontsize=CHART_TEXT_PT)
    ax.set_xlabel(_unit_label(ind, words))
    ax.set_title(words("comparison_heading", **named), fontsize=CHART_TEXT_PT + 1, loc="left")
    rows = [[label, format_value(ind, value)] for label, value, _ in bars]
    alt = words("comparison_alt", rows=rows, **named)
    columns = [words("comparison_area"), words("comparison_value")]
    return Chart(chart_id, title, alt, figure_to_svg(fig, chart_id, title, alt), columns, rows)


def trend_series(comp: Comparison, letter: bool = False,
                 words: ChartWords | None = None) -> dict[str, list[tuple[Period, float]]]:
    """The series drawn on the trend chart, by legend label (area first).

    Beside the area: England and its region, as the bar chart shows them. For counts, whose
    England and region rows are totals, that is the average local authority in each period
    (labelled so), as in the bar chart; in the letter (``letter``) a count is drawn alone, never
    beside other authorities' counts, and every line keeps its latest five periods."""
    words = words or chart_words()
    recent = -5 if letter else 0
    series = {comp.area.name: list(comp.trend.points)[recent:]}
    if letter and comp.averages_stand_in:
        return series
    england, region = ("England_average", "region_average") if comp.averages_stand_in else ("England", "region")
    if comp.series.get(england):
        series[_comparator_label(words, england, "England")] = comp.series[england][recent:]
    if comp.series.get(region) and comp.area.region_name:
        series[_comparator_label(words, region, comp.area.region_name)] = comp.series[region][recent:]
    return series


def trend_chart(comp: Comparison, chart_id: str | None = None, letter: bool = False,
                words: ChartWords | None = None) -> Chart | None:
    """Lines over time for the area, England and its region (``None`` with under two points);
    ``letter``: as the letter draws it (:func:`trend_series`); ``words``: as for the bar chart."""
    if len(comp.trend.points) < 2:
        return None
    words = words or chart_words()
    ind = comp.indicator
    series = trend_series(comp, letter, words)
    periods = sorted({p for points in series.values() for p, _ in points})
    x = {p: i for i, p in enumerate(periods)}
    chart_id = chart_id or f"perf-trend-{ind.id}"
    title = words("trend_title", indicator=ind.short_title, area=comp.area.name)
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
    ax.set_ylabel(_unit_label(ind, words))
    ax.set_title(words("trend_heading", indicator=ind.short_title), fontsize=CHART_TEXT_PT + 1, loc="left")
    ax.legend(frameon=False, fontsize=CHART_TEXT_PT, loc="best")
    columns = [words("trend_period"), *series.keys()]
    values = {label: dict(points) for label, points in series.items()}
    rows = [[p.label, *(format_value(ind, values[label].get(p), "–") for label in series)] for p in periods]
    area_pts = series[comp.area.name]
    lines = [(label, format_value(ind, pts[0][1]), format_value(ind, pts[-1][1]))
             for label, pts in list(series.items())[1:]]
    alt = words("trend_alt", indicator=ind.short_title, first=periods[0].label, last=periods[-1].label,
                area=comp.area.name, start=format_value(ind, area_pts[0][1]), start_period=area_pts[0][0].label,
                end=format_value(ind, area_pts[-1][1]), end_period=area_pts[-1][0].label, lines=lines)
    return Chart(chart_id, title, alt, figure_to_svg(fig, chart_id, title, alt), columns, rows)
