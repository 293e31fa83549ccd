"""Which period a review uses, and an authority's rank, band and direction in it.

Definitions (the letter and the briefing rely on them):

* **Period**: the latest period published before the visit: a period counts as published
  ``publication_lag_months`` after it ends (31 December for a calendar year such as ``2023``,
  31 August for an academic year such as ``202223``, 31 March for a financial year). A review
  may pin a period instead; a pinned year such as ``2025`` also picks an academic year ending in
  it (``202425``) when the indicator has no calendar year 2025.
* **Rank**: among all local authorities with a value in that period; 1 is the best (the highest
  value when higher is better, the lowest when lower is better; the highest for neutral
  indicators). Only local authority rows count, and only those with a value (not a code such as
  ``x``). Ties share the best rank ("1, 2, 2, 4") and are written "joint".
* **Band**: the ranked list cut into quarters, ``band = "ABCD"[(rank - 1) * 4 // count]``;
  A is always the best quarter. Neutral indicators (volumes) get no band.
* **Direction**: over the latest ``trend.periods`` periods with a value (at least three), ending
  with the period used (no direction when the area has no value in it): the least-squares slope
  across them times the number of steps. A change
  within the catalogue's ``stable_within`` threshold (by default 2 percentage points for
  percentages, 1 point for scores, 5% of the window's mean for counts and rates) is *stable*;
  otherwise *improving* or *declining* (polarity-aware), or *rising* / *falling* for neutral
  indicators. Fewer than three values: no direction.

See ``docs/performance-data.md`` for the whole set of rules.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from toolkit.analysis.indicators import Indicator, Threshold
from toolkit.errors import InputError, NoPeriod
from toolkit.inputs.observations import Period, parse_period

BANDS = "ABCD"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by ``months`` (clamped to the end of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")  # unreachable


def published_on(period: Period, lag_months: int) -> dt.date:
    """When a period's statistics are taken to be published."""
    return add_months(period.end, lag_months)


def choose_period(periods: Iterable[Period], *, pinned: str | int | None = None,
                  visit_date: dt.date | None = None, lag_months: int = 0, source: str = "",
                  column: str | None = None) -> Period:
    """The period a review uses: the pinned one, else the latest published before the visit."""
    available = sorted(set(periods))
    if not available:
        raise NoPeriod(source or "performance data", "no periods", column=column)
    if pinned is not None and str(pinned).strip():
        try:
            want = parse_period(pinned)
        except ValueError as exc:
            raise NoPeriod("review parameters", str(exc), column="performance.period") from None
        exact = [p for p in available if p.text == want.text]
        ending = [p for p in available if want.kind == "calendar" and p.end.year == want.end.year]
        if exact or ending:
            return (exact or ending)[-1]
        raise NoPeriod(source, f"no data for period {want.label}; periods in the file: "
                       f"{available[0].label} to {available[-1].label}", column=column)
    if visit_date is None:
        return available[-1]
    ready = [p for p in available if published_on(p, lag_months) < visit_date]
    if not ready:
        raise NoPeriod(source, f"no period was published before {visit_date.isoformat()} "
                       f"(the first, {available[0].label}, is taken as published "
                       f"{published_on(available[0], lag_months).isoformat()})", column=column)
    return ready[-1]


def check_period(period: str | int | None, source: str = "--period", column: str | None = None) -> None:
    """InputError unless ``period`` is empty or a period such as 2023, 202223 or 2022/23."""
    if period is None or not str(period).strip():
        return
    try:
        parse_period(period)
    except ValueError as exc:
        raise InputError(source, str(exc), column=column) from None


def rank_value(value: float, others: Sequence[float], polarity: str) -> int:
    """Competition rank of ``value`` among ``others`` (which include it); 1 = best."""
    if polarity == "lower_better":
        return 1 + sum(1 for v in others if v < value)
    return 1 + sum(1 for v in others if v > value)


def band_for(rank: int, count: int) -> str:
    """Quartile band of a rank: A is the best quarter, D the worst."""
    return BANDS[min(3, (rank - 1) * 4 // count)]


@dataclass(frozen=True)
class Trend:
    """The area's values over time and the direction of the latest few."""
    points: list[tuple[Period, float]]  # every period with a value, up to the period used
    window: list[tuple[Period, float]]  # the latest ones the direction rests on
    change: float | None  # fitted change across the window, in the indicator's unit
    direction: str | None  # improving / declining / stable / rising / falling; None if too few


def fitted_change(values: Sequence[float]) -> float:
    """Least-squares slope through equally spaced ``values``, times the number of steps."""
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, statistics.fmean(values)
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den * (n - 1)


def direction_of(change: float, threshold: Threshold, reference: float, polarity: str) -> str:
    """Name the direction of a fitted change (see the module notes)."""
    if abs(change) < threshold.limit(reference) or change == 0:
        return "stable"
    if polarity == "neutral":
        return "rising" if change > 0 else "falling"
    better = change > 0 if polarity == "higher_better" else change < 0
    return "improving" if better else "declining"


def trend_for(points: list[tuple[Period, float]], indicator: Indicator, threshold: Threshold,
              periods: int = 3) -> Trend:
    """The trend of ``points`` (oldest first) over the latest ``periods`` (three or more)."""
    window = points[-max(3, periods):]
    if len(window) < 3:
        return Trend(points, window, None, None)
    values = [v for _, v in window]
    change = fitted_change(values)
    return Trend(points, window, change,
                 direction_of(change, threshold, statistics.fmean(values), indicator.polarity))
