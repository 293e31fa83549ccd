"""A review's performance data: its comparisons, the letter's data section, the team's checks.

Reads the performance files a review names, compares its authority with England, its region and
its statistical neighbours (``toolkit.comparisons``), and prepares what the letter, the briefing
pack and the working notebook show. Consistency flags are for the team only: they never reach
the letter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from toolkit.comparisons import Comparison, compare_all, comparator_cells, describe, direction_text, not_published
from toolkit.errors import InputError, ToolkitError, ValidationFailed
from toolkit.indicators import check_consistency, data_warnings, format_value, indicator_data, load_catalogue
from toolkit.params import ReviewParams
from toolkit.perfcharts import Chart, comparison_chart, trend_chart
from toolkit.performance import read_performance_files, shown_path
from toolkit.privacy import quote

if TYPE_CHECKING:
    from toolkit.findings import Finding
    from toolkit.review import Review


@dataclass(frozen=True)
class PerformanceData:
    """Every catalogue indicator found for the review's authority, in catalogue order."""

    comparisons: tuple[Comparison, ...]
    neighbours: tuple[str, ...]
    letter_ids: tuple[str, ...] | None = None  # the review's choice for the letter (None: all)
    warnings: tuple[InputError, ...] = ()  # catalogue indicators a file was meant to provide but does not

    def get(self, indicator_id: str) -> Comparison | None:
        return next((c for c in self.comparisons if c.indicator.id == indicator_id), None)

    @property
    def with_values(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.value is not None]

    @property
    def for_letter(self) -> list[Comparison]:
        """The indicators the letter states: the review's list (in its order), else all with a value.

        An indicator the review names whose figure is not published (a code such as ``c``) stays,
        so the letter says it is not published and why, rather than leaving it out."""
        return self.letter_comparisons()

    def letter_comparisons(self, linked: Sequence[str] = ()) -> list[Comparison]:
        """:attr:`for_letter`, with the indicators findings link to (``linked``) kept too when the
        review names no list, even where their figure is not published."""
        if self.letter_ids is None:
            return [c for c in self.comparisons if c.value is not None or c.indicator.id in linked]
        chosen = [self.get(i) for i in self.letter_ids]
        return [c for c in chosen if c is not None]


def load_performance(params: ReviewParams, root: Path, params_file: str) -> PerformanceData | None:
    """Compare the review's authority on every indicator its files provide (None without files).

    An indicator the review names (``performance.indicators``) that no file provides is refused
    naming the file and the column looked for; catalogue indicators left out otherwise are kept
    as warnings for the working notebook (:func:`warnings_table`)."""
    if not params.inputs.performance:
        return None
    paths = [root / p for p in params.inputs.performance]
    catalogue = load_catalogue()
    try:
        sources = read_performance_files(paths, root)
        comparisons = compare_all(
            sources, params.authority.ons_code, catalogue=catalogue, period=params.performance.period,
            visit_date=params.visit.dates[0], neighbours=params.performance.neighbours,
            period_source=params_file, period_column="performance.period",
        )
        warnings = tuple(data_warnings(sources, catalogue))
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    except ToolkitError as exc:
        raise ValidationFailed([InputError(params_file, str(exc), column="inputs.performance")]) from None
    errors = []
    for i, code in enumerate(params.performance.neighbours, start=1):
        if all(code in c.neighbours_unknown for c in comparisons):
            errors.append(InputError(params_file, f"statistical neighbour {quote(code)} is not a local authority in "
                                     "the performance files", column=f"performance.neighbours[{i}]"))
        elif all(code in c.neighbours_unknown or code in c.neighbours_missing for c in comparisons):
            errors.append(InputError(params_file, f"statistical neighbour {quote(code)} has no value for any indicator "
                                     "in the period used", column=f"performance.neighbours[{i}]"))
    known = {c.indicator.id for c in comparisons}
    for i, ind in enumerate(params.performance.indicators or [], start=1):
        if ind in known:
            continue
        where = f"performance.indicators[{i}]"
        if ind not in catalogue.ids:
            errors.append(InputError(params_file, f"indicator {quote(ind)} is not in the catalogue", column=where))
            continue
        try:
            indicator_data(sources, catalogue.get(ind), required=True)
        except InputError as exc:
            errors.append(InputError(params_file, f"{where}: {exc}"))
            continue
        errors.append(InputError(params_file, f"indicator {quote(ind)} has no period published before the visit "
                                 "(or none matching performance.period)", column=where))
    if errors:
        raise ValidationFailed(errors)
    letter_ids = tuple(params.performance.indicators) if params.performance.indicators is not None else None
    return PerformanceData(tuple(comparisons), tuple(params.performance.neighbours), letter_ids, warnings)


def check_indicator_ids(findings: Sequence["Finding"]) -> list[InputError]:
    """Findings may only link to indicators in the catalogue."""
    known = set(load_catalogue().ids)
    return [InputError(f.file, f"{quote(f.indicator)} is not an indicator in the catalogue ({', '.join(sorted(known))})",
                       row=f.row, column="indicator")
            for f in findings if f.indicator and f.indicator not in known]


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


def linked_ids(review: "Review") -> list[str]:
    """Indicators the team's included findings link to (their ``indicator`` column), in order."""
    data = review.performance
    if data is None:
        return []
    return list(dict.fromkeys(f.indicator for f in review.findings.included if f.indicator and data.get(f.indicator)))


def letter_comparisons(review: "Review") -> list[Comparison]:
    """The indicators the letter states: the review's list, else every one with a value and every
    one a finding links to (one whose figure is not published says so)."""
    data = review.performance
    return [] if data is None else data.letter_comparisons(linked_ids(review))


def charted_ids(review: "Review") -> list[str]:
    """Indicators the letter charts: those the team's included findings rest on, else the first."""
    shown = letter_comparisons(review)
    linked = linked_ids(review)
    ordered = [c.indicator.id for c in shown if c.indicator.id in linked]
    return ordered or [c.indicator.id for c in shown[:1]]


def letter_views(review: "Review") -> list[IndicatorView]:
    """Each indicator the letter states, with its paragraph, charts and summary-table row."""
    charted = set(charted_ids(review))
    return [_view(c, c.indicator.id in charted, "letter") for c in letter_comparisons(review)]


def briefing_views(review: "Review") -> list[IndicatorView]:
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


def indicator_table(review: "Review") -> pd.DataFrame:
    """Working view: every indicator with its comparators, rank, band and direction."""
    data = review.performance
    if data is None:
        return pd.DataFrame({"note": ["This review names no performance files."]})
    return pd.DataFrame(summary_rows(data.comparisons)).set_index("indicator")


def consistency_table(review: "Review") -> pd.DataFrame:
    """Findings whose linked indicator the data contradicts: for the team, never the letter."""
    data = review.performance
    columns = ["finding", "file", "row", "kind", "statement", "indicator", "band", "problem"]
    if data is None:
        return pd.DataFrame(columns=columns)
    rows = []
    for flag in check_consistency(review.findings.included, data.comparisons):
        f = flag.finding
        rows.append({"finding": f.id, "file": f.file, "row": f.row, "kind": f.kind.value,
                     "statement": f.statement, "indicator": f.indicator, "band": flag.band,
                     "problem": flag.message})
    return pd.DataFrame(rows, columns=columns)


def warnings_table(review: "Review") -> pd.DataFrame:
    """Catalogue indicators a performance file was meant to provide but does not (a column or a
    filter value missing, say), each with the file and column: for the team's working notebook."""
    data = review.performance
    rows = [] if data is None else [{"file": w.file, "column": w.column or "", "problem": w.message}
                                    for w in data.warnings]
    return pd.DataFrame(rows, columns=["file", "column", "problem"])


def source_names(review: "Review") -> list[str]:
    return [shown_path(review.root / p, review.root) for p in review.params.inputs.performance]
