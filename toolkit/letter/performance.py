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
from toolkit.letter.performance_charts import Chart, comparison_chart, trend_chart
from toolkit.letter.performance_sentences import (
    comparator_cells,
    describe,
    direction_text,
    letter_sentence,
    not_published,
    publication_name,
    rank_words,
)
from toolkit.letter.style_words import ChartWords, chart_words
from toolkit.review import Review


@dataclass(frozen=True)
class IndicatorView:
    """One indicator as a letter or briefing shows it: a paragraph, optionally two charts, and
    its row of the summary table."""

    comparison: Comparison
    paragraph: str
    charts: tuple[Chart, ...]
    row: dict[str, str]


def _view(comp: Comparison, charts: Sequence[str], prefix: str, words: ChartWords,
          letter: bool = False) -> IndicatorView:
    """An indicator's view: ``charts`` names the charts it gets (``cmp``, ``trend``), worded in the
    style's ``words``; in the letter (``letter``) one sentence and no comparison of a count with
    other authorities."""
    drawn = [comparison_chart(comp, f"{prefix}-cmp-{comp.indicator.id}", words) if kind == "cmp" else
             trend_chart(comp, f"{prefix}-trend-{comp.indicator.id}", letter, words) for kind in charts]
    paragraph = letter_sentence(comp) if letter else describe(comp)
    return IndicatorView(comp, paragraph, tuple(c for c in drawn if c is not None),
                         summary_rows([comp], letter=letter)[0])


def linked_ids(review: Review) -> list[str]:
    """Indicators the team's included findings link to (their ``indicator`` column), in order."""
    data = review.performance
    if data is None:
        return []
    return list(dict.fromkeys(f.indicator for f in review.findings.included if f.indicator and data.get(f.indicator)))


def letter_comparisons(review: Review, limit: int | None = None) -> list[Comparison]:
    """The indicators the letter states: those the team's findings link to, then the review's
    list (``performance.indicators``; without one, every indicator with a value), at most
    ``limit`` (the style's ``performance_indicators`` option, five by default). One whose figure
    is not published stays, saying so."""
    return _split(review, limit)[0]


def appendix_comparisons(review: Review, limit: int | None = None) -> list[Comparison]:
    """The indicators left out of the letter's performance section, for its appendix."""
    return _split(review, limit)[1]


def _split(review: Review, limit: int | None) -> tuple[list[Comparison], list[Comparison]]:
    data = review.performance
    if data is None:
        return [], []
    linked = linked_ids(review)
    chosen = data.letter_comparisons(linked)
    first = [c for i in linked for c in [data.get(i)] if c is not None]
    ordered = first + [c for c in chosen if c.indicator.id not in linked]
    if limit is None:
        limit = len(ordered)
    return ordered[:limit], ordered[limit:]


def charted_ids(review: Review, limit: int | None = None, charts: int | None = None) -> list[str]:
    """Indicators the letter charts: only those the team's included findings rest on, the first
    ``charts`` of them (the style's ``performance_charts`` option)."""
    linked = set(linked_ids(review))
    return [c.indicator.id for c in letter_comparisons(review, limit) if c.indicator.id in linked][:charts]


def letter_views(review: Review, limit: int | None = None, charts: int | None = None) -> list[IndicatorView]:
    """Each indicator the letter states, with its sentence, summary-table row and (for the first
    ``charts`` of those the findings rest on) its trend chart."""
    charted = set(charted_ids(review, limit, charts))
    words = _words(review)
    return [_view(c, ("trend",) if c.indicator.id in charted else (), "letter", words, letter=True)
            for c in letter_comparisons(review, limit)]


def appendix_views(review: Review, limit: int | None = None) -> list[IndicatorView]:
    """The indicators in the appendix: each with its paragraph and its summary-table row."""
    words = _words(review)
    return [_view(c, (), "appendix", words) for c in appendix_comparisons(review, limit)]


def briefing_views(review: Review) -> list[IndicatorView]:
    data = review.performance
    if data is None:
        return []
    words = _words(review)
    return [_view(c, ("cmp", "trend"), "brief", words) for c in data.comparisons]


def _words(review: Review) -> ChartWords:
    return chart_words(review.params.letter_style, review.root)


def summary_rows(comparisons: Sequence[Comparison], letter: bool = False) -> list[dict[str, str]]:
    """The comparison table as rounded text, one row per indicator: the comparators the data has
    (for a count, the average local authority, marked so, as the appendix shows it). In the letter
    (``letter``) a count has no rank: its place among other authorities' totals says little."""
    rows = []
    for c in comparisons:
        ind = c.indicator
        england, region = comparator_cells(c)
        apart = letter and c.averages_stand_in
        rows.append({
            "indicator": ind.short_title,
            "period": c.period.label,
            "area": format_value(ind, c.value, not_published(c)),
            "england": england,
            "region": region,
            "neighbours": format_value(ind, c.neighbours_mean, "-"),
            "rank": "-" if apart else rank_words(c),
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
    """Every claim the review's own evidence contradicts (``Review.contradictions``), one row each
    with where it is (a finding's, or the self-evaluation's or a progress mark's, file and row),
    how it reaches the figure (``link``: its indicator, its KLOE's, its words, the audit or the
    documents), the claim and the source: for the team (the draft shows them in its "Check before
    sending" panel, never in the letter)."""
    columns = ["finding", "file", "row", "kind", "statement", "indicator", "link", "check", "band", "problem",
               "claim", "source"]
    rows = [{"finding": f.finding.id, "file": f.finding.file, "row": f.finding.row,
             "kind": str(getattr(f.finding.kind, "value", f.finding.kind)),
             "statement": f.finding.statement, "indicator": f.indicator, "link": f.link, "check": f.check,
             "band": f.band, "problem": f.message, "claim": f.claim, "source": f.source}
            for f in review.contradictions()]
    return pd.DataFrame(rows, columns=columns)


def warnings_table(review: Review) -> pd.DataFrame:
    """Catalogue indicators a performance file was meant to provide but does not (a column or a
    filter value missing, say), each with the file and column: for the team's working notebook."""
    data = review.performance
    rows = [] if data is None else [{"file": w.file, "column": w.column or "", "problem": w.message}
                                    for w in data.warnings]
    return pd.DataFrame(rows, columns=["file", "column", "problem"])


def source_names(review: Review, comparisons: Sequence[Comparison] | None = None) -> list[str]:
    """The publications the figures come from (the letter's, unless ``comparisons`` are given),
    each named once, in order: never a file path, so the same inputs in another folder give the
    same words."""
    shown = letter_comparisons(review) if comparisons is None else comparisons
    return list(dict.fromkeys(publication_name(c) for c in shown))
