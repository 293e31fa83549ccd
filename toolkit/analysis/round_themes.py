"""The themes report's data (:class:`ThemesData`): every count, group and comparison the report
states about a round, computed from the round alone (:mod:`toolkit.analysis.round_model`).
"""

from __future__ import annotations

from toolkit.analysis.round_anonymise import hold_back
from toolkit.analysis.round_audit import missing_criteria, moderation, section_grades
from toolkit.analysis.round_counts import progress_counts, round_flags, sef_accuracy, theme_counts
from toolkit.analysis.round_groups import recurring_groups, settings
from toolkit.analysis.round_model import IndicatorFigure, IndicatorRound, Round, ThemesData


def indicators_round(round_: Round) -> tuple[IndicatorRound, ...]:
    """Each indicator any review's letter states, with every reviewed area's figure (in the
    order the round first names each indicator, the reviews in round order)."""
    figures: dict[str, list[tuple[str, IndicatorFigure]]] = {}
    for review in round_.reviews:
        for figure in review.indicators:
            figures.setdefault(figure.id, []).append((review.review_id, figure))
    out = []
    for found in figures.values():
        first = found[0][1]
        out.append(IndicatorRound(first.id, first.title, first.short_title, first.unit, first.decimals,
                                  first.polarity, tuple(found)))
    return tuple(out)


def themes_data(round_: Round) -> ThemesData:
    """Everything the themes report states about ``round_`` (for an anonymised round, without
    any group or figure that would identify an area: :func:`toolkit.analysis.round_anonymise.hold_back`)."""
    return hold_back(ThemesData(
        round=round_, themes=theme_counts(round_), groups=recurring_groups(round_),
        sections=section_grades(round_), missing_criteria=missing_criteria(round_, settings().missing_criteria),
        moderation=moderation(round_), indicators=indicators_round(round_), flags=round_flags(round_),
        sef=sef_accuracy(round_), progress=progress_counts(round_),
    ))


def figures_data(round_: Round) -> ThemesData:
    """The report's data for its charts only (the indicators, held back as :func:`themes_data`
    holds them back), without grouping the findings: what the Word copy's pictures need."""
    return hold_back(ThemesData(round=round_, themes=(), groups=(), sections=(), missing_criteria=(), moderation=(),
                                indicators=indicators_round(round_), flags=(), sef=(), progress=()))
