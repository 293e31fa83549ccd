"""Counts across a round: reviews by KLOE and local theme, self-evaluation accuracy by area and
review, progress on the previous review's items, and where findings and figures disagreed.

Every count is of reviews or of items, never of a review twice: a theme is counted once for each
review with the theme in scope, and a review "found a strength there" when at least one of its
letter's strengths sits under the theme (however many). The same rule is written out again, with
pandas, in the tests (``tests/analysis/test_round_counts.py``).
"""

from __future__ import annotations

from collections import Counter

from toolkit.analysis.round_model import (
    AREA,
    PROGRESS_STATUSES,
    STRENGTH,
    URGENT,
    DataFlag,
    ProgressRound,
    Round,
    SefRound,
    Theme,
    ThemeCount,
)
from toolkit.analysis.round_review import LOCAL


def _theme_key(theme: Theme) -> tuple[str, str]:
    return (theme.framework, theme.id)


def theme_counts(round_: Round) -> tuple[ThemeCount, ...]:
    """Every KLOE and local theme in any review's scope, grouped by framework (in the order the
    round first names each framework, then each theme; KLOEs reviews wrote inline last)."""
    themes: dict[tuple[str, str], Theme] = {}
    scoped: Counter[tuple[str, str]] = Counter()
    found: dict[str, Counter[tuple[str, str]]] = {STRENGTH: Counter(), AREA: Counter(), URGENT: Counter()}
    for review in round_.reviews:
        by_id = {t.id: t for t in review.themes}
        for theme in review.themes:
            themes.setdefault(_theme_key(theme), theme)
            scoped[_theme_key(theme)] += 1
        kinds_here = {(f.kind, _theme_key(by_id[f.theme])) for f in review.findings if f.theme in by_id}
        for kind, key in kinds_here:
            found[kind][key] += 1
    frameworks = [f for f in dict.fromkeys(key[0] for key in themes) if f != LOCAL] + [LOCAL]
    ordered = sorted(themes, key=lambda key: frameworks.index(key[0]))  # stable: the round's order within
    return tuple(ThemeCount(themes[k], scoped[k], found[STRENGTH][k], found[AREA][k], found[URGENT][k])
                 for k in ordered)


def sef_accuracy(round_: Round) -> tuple[SefRound, ...]:
    """Each review with a self-evaluation: its areas that concurred with the peers, rated
    themselves higher (over) and lower (under)."""
    out = []
    for review in round_.reviews:
        if not review.sef:
            continue
        over = tuple(r.area for r in review.sef if r.accuracy == "over")
        under = tuple(r.area for r in review.sef if r.accuracy == "under")
        out.append(SefRound(review.review_id, sum(r.accuracy == "concur" for r in review.sef), len(over),
                            len(under), over, under))
    return tuple(out)


def sef_by_area(round_: Round) -> tuple[tuple[str, int, int, int], ...]:
    """Each self-evaluation area across the round: ``(area, concur, over, under)`` reviews, in the
    order the round first names each area."""
    counts: dict[str, Counter[str]] = {}
    for review in round_.reviews:
        for row in review.sef:
            counts.setdefault(row.area, Counter())[row.accuracy] += 1
    return tuple((area, c["concur"], c["over"], c["under"]) for area, c in counts.items())


def progress_counts(round_: Round) -> tuple[ProgressRound, ...]:
    """Each follow-up review: how many of the previous review's items were addressed, progressing,
    not yet addressed, no longer relevant, or not yet marked."""
    out = []
    for review in round_.reviews:
        if review.previous_review is None:
            continue
        counts = Counter(item.status for item in review.progress)
        out.append(ProgressRound(review.review_id, review.previous_review,
                                 {status: counts.get(status, 0) for status in PROGRESS_STATUSES}))
    return tuple(out)


def round_flags(round_: Round) -> tuple[tuple[str, DataFlag], ...]:
    """Every finding a review's own figures or audit contradicted, review by review."""
    return tuple((review.review_id, flag) for review in round_.reviews for flag in review.flags)
