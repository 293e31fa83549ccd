"""A review's performance data: its comparisons, the letter's data section, the team's checks.

Reads the performance files a review names, compares its authority with England, its region and
its statistical neighbours (``toolkit.analysis.comparisons``), and prepares what the letter, the
briefing pack and the working notebook show (its sentences: ``toolkit.letter.performance_sentences``).
Consistency flags are for the team only: the draft's panel shows them, the letter never does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.indicators import format_value
from toolkit.analysis.performance_data import PerformanceData
from toolkit.inputs.performance_columns import shown_path
from toolkit.letter.performance_charts import Chart, comparison_chart, trend_chart
from toolkit.letter.performance_sentences import comparator_cells, describe, direction_text, not_published
from toolkit.review import Review


@dataclass(frozen=True)
class IndicatorView:
    """One indicator as a letter or briefing shows it: a paragraph, optionally two charts, and
    its row of the summary table."""

    comparison: Comparison
    paragraph: str
    charts: tuple[Chart, ...]
    row: dict[str, str]


def _view(comp: Comparison, with_charts: bool, prefix: str) -> IndicatorView:
    charts: list[Chart] = []
    if with_charts:
        for make, kind in ((comparison_chart, "cmp"), (trend_chart, "trend")):
            chart = make(comp, chart_id=f"{prefix}-{kind}-{comp.indicator.id}")
            if chart is not None:
                charts.append(chart)
    return IndicatorView(comp, describe(comp), tuple(charts), summary_rows([comp])[0])


def linked_ids(review: Review) -> list[str]:
    """Indicators the team's included findings link to (their ``indicator`` column), in order."""
    data = review.performance
    if data is None:
        return []
    return list(dict.fromkeys(f.indicator for f in review.findings.included if f.indicator and data.get(f.indicator)))


def letter_comparisons(review: Review) -> list[Comparison]:
    """The indicators the letter states: the review's list, else every one with a value and every
    one a finding links to (one whose figure is not published says so)."""
    data = review.performance
    return [] if data is None else data.letter_comparisons(linked_ids(review))


def charted_ids(review: Review) -> list[str]:
    """Indicators the letter charts: those the team's included findings rest on, else the first."""
    shown = letter_comparisons(review)
    linked = linked_ids(review)
    ordered = [c.indicator.id for c in shown if c.indicator.id in linked]
    return ordered or [c.indicator.id for c in shown[:1]]


def letter_views(review: Review) -> list[IndicatorView]:
    """Each indicator the letter states, with its paragraph, charts and summary-table row."""
    charted = set(charted_ids(review))
    return [_view(c, c.indicator.id in charted, "letter") for c in letter_comparisons(review)]


def briefing_views(review: Review) -> list[IndicatorView]:
    data = review.performance
    return [] if data is None else [_view(c, True, "brief") for c in data.comparisons]


def summary_rows(comparisons: Sequence[Comparison]) -> list[dict[str, str]]:
    """The comparison table as rounded text, one row per indicator."""
    rows = []
    for c in comparisons:
        ind = c.indicator
        england, region = comparator_cells(c)
        rows.append({
            "indicator": ind.short_title,
            "period": c.period.label,
            "area": format_value(ind, c.value, not_published(c)),
            "england": england,
            "region": region,
            "neighbours": format_value(ind, c.neighbours_mean, "-"),
            "rank": "-" if c.rank is None else f"{'joint ' if c.tied else ''}{c.rank} of {c.count}",
            "band": c.band or "-",
            "direction": direction_text(c),
        })
    return rows


def to_test_on_site(data: PerformanceData | None) -> list[Comparison]:
    """Indicators the team may want to test: in the weakest quarter, or moving the wrong way."""
    if data is None:
        return []
    return [c for c in data.with_values if c.band == "D" or c.trend.direction == "declining"]


def indicator_table(review: Review) -> pd.DataFrame:
    """Working view: every indicator with its comparators, rank, band and direction."""
    data = review.performance
    if data is None:
        return pd.DataFrame({"note": ["This review names no performance files."]})
    return pd.DataFrame(summary_rows(data.comparisons)).set_index("indicator")


def consistency_table(review: Review) -> pd.DataFrame:
    """Findings the figures contradict, one row per contradiction with the finding's file and row:
    for the team (the draft shows them in its "Check before sending" panel, never in the letter)."""
    columns = ["finding", "file", "row", "kind", "statement", "indicator", "check", "band", "problem"]
    rows = [{"finding": f.finding.id, "file": f.finding.file, "row": f.finding.row, "kind": f.finding.kind.value,
             "statement": f.finding.statement, "indicator": f.indicator, "check": f.check, "band": f.band,
             "problem": f.message} for f in review.contradictions()]
    return pd.DataFrame(rows, columns=columns)


def warnings_table(review: Review) -> pd.DataFrame:
    """Catalogue indicators a performance file was meant to provide but does not (a column or a
    filter value missing, say), each with the file and column: for the team's working notebook."""
    data = review.performance
    rows = [] if data is None else [{"file": w.file, "column": w.column or "", "problem": w.message}
                                    for w in data.warnings]
    return pd.DataFrame(rows, columns=["file", "column", "problem"])


def source_names(review: Review) -> list[str]:
    return [shown_path(review.root / p, review.root) for p in review.params.inputs.performance]
