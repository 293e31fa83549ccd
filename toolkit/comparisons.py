"""An authority's indicators against England, its region and its statistical neighbours.

Definitions (the letter and the briefing rely on them):

* **Period**: the latest period published before the visit: a period counts as published
  ``publication_lag_months`` after it ends (31 December for a calendar year such as ``2023``,
  31 August for an academic year such as ``202223``, 31 March for a financial year). A review
  may pin a period instead; a pinned year such as ``2025`` also picks an academic year ending in
  it (``202425``) when the indicator has no calendar year 2025.
* **Rank**: among all local authorities with a value in that period; 1 is the best (the highest
  value when higher is better, the lowest when lower is better; the highest for neutral
  indicators). Ties share the best rank ("1, 2, 2, 4").
* **Band**: the ranked list cut into quarters, ``band = "ABCD"[(rank - 1) * 4 // count]``;
  A is always the best quarter. Neutral indicators (volumes) get no band.
* **Direction**: over the latest ``trend.periods`` periods with a value (at least three) up to
  the period used: the least-squares slope across them times the number of steps. A change
  within the catalogue's ``stable_within`` threshold (by default 2 percentage points for
  percentages, 1 point for scores, 5% of the window's mean for counts and rates) is *stable*;
  otherwise *improving* or *declining* (polarity-aware), or *rising* / *falling* for neutral
  indicators. Fewer than three values: no direction.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import InputError
from toolkit.indicators import Catalogue, Indicator, IndicatorData, Threshold, collect, load_catalogue
from toolkit.performance import (
    MISSING_CODES,
    NATIONAL,
    REGIONAL,
    AreaLookup,
    Observation,
    Period,
    PerformanceSource,
    parse_period,
)

BANDS = "ABCD"
_ONS = re.compile(r"^[EWSN]\d{8}$", re.IGNORECASE)
_OLD = re.compile(r"^\d{3}$")


class NoPeriod(InputError):
    """No period of an indicator fits the pin or the visit date."""


@dataclass(frozen=True)
class Area:
    """A local authority, with every code it has been published under."""

    name: str
    code: str
    old_code: str
    region_code: str
    region_name: str
    codes: frozenset[str] = frozenset()
    old_codes: frozenset[str] = frozenset()

    def matches(self, obs: Observation) -> bool:
        """Whether ``obs`` is a local authority row for this area."""
        return obs.is_local_authority and (obs.code in self.codes or obs.old_code in self.old_codes)


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("&", "and")).strip().casefold()


def _real(code: str) -> bool:
    return bool(code) and code.casefold() not in MISSING_CODES


def _hits(query: str, code: str, old_code: str, name: str) -> bool:
    if _ONS.match(query):
        return code.upper() == query.upper()
    if _OLD.match(query):
        return old_code == query
    return _norm(name) == _norm(query)


def find_authority(query: str, data: Sequence[IndicatorData],
                   lookups: Sequence[AreaLookup] = ()) -> Area:
    """The local authority named by ``query``: its name, ONS code or old three-digit LA code.

    Codes an authority was published under in other periods (the same old LA code with a new ONS
    code, or a lookup row naming both) are gathered so its trend spans the change.
    """
    query = query.strip()
    rows = [o for d in data for o in d.observations if o.is_local_authority]
    found = [o for o in rows if _hits(query, o.code, o.old_code, o.name)]
    entries = [e for lk in lookups for e in lk.entries if e.is_area
               and any(_hits(query, c, oc, e.name) for c in (e.codes or ("",)) for oc in (e.old_codes or ("",)))]
    if not found and not entries:
        files = ", ".join(sorted({d.source for d in data} | {lk.display for lk in lookups})) or "performance data"
        raise InputError(files, f"no local authority matches '{query}' "
                         "(give its name, ONS code such as E08000034, or three-digit LA code)")
    codes = {o.code for o in found if _real(o.code)} | {c for e in entries for c in e.codes}
    old = {o.old_code for o in found if _real(o.old_code)} | {c for e in entries for c in e.old_codes}
    for entry in (e for lk in lookups for e in lk.entries if e.is_area):
        if codes & set(entry.codes) or old & set(entry.old_codes):
            codes |= set(entry.codes)
            old |= set(entry.old_codes)
    related = [o for o in rows if o.code in codes or (_real(o.old_code) and o.old_code in old)]
    codes |= {o.code for o in related if _real(o.code)}
    if found or related:
        latest = max(found or related, key=lambda o: o.period)
        region = next((o for o in sorted(related, key=lambda o: o.period, reverse=True) if o.region_code), latest)
        return Area(latest.name, latest.code, latest.old_code, region.region_code, region.region_name,
                    frozenset(codes), frozenset(old))
    entry = entries[-1]
    return Area(entry.name, entry.codes[0] if entry.codes else "", entry.old_codes[0] if entry.old_codes else "",
                entry.region_code, entry.region_name, frozenset(codes), frozenset(old))


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


@dataclass(frozen=True)
class Comparison:
    """One indicator for one authority in one period, with its comparators."""

    indicator: Indicator
    area: Area
    period: Period
    value: float | None
    raw: str  # the authority's cell as published (a code such as "x" when missing)
    england: float | None
    region: float | None
    neighbours_mean: float | None
    neighbours_median: float | None
    neighbours: list[tuple[str, str, float]]  # code, name, value of neighbours with a value
    neighbours_missing: list[str]  # neighbour codes with no value in the period
    rank: int | None
    count: int  # local authorities with a value in the period
    band: str | None
    trend: Trend
    source: str
    series: dict[str, list[tuple[Period, float]]] = field(default_factory=dict)  # England, region


def _value(rows: Iterable[Observation]) -> Observation | None:
    return next(iter(rows), None)


def compare(data: IndicatorData, area: Area, *, catalogue: Catalogue, period: str | int | None = None,
            visit_date: dt.date | None = None, neighbours: Sequence[str] = ()) -> Comparison:
    """Compare ``area`` on one indicator (see the module notes for the definitions)."""
    ind = data.indicator
    chosen = choose_period(data.periods, pinned=period, visit_date=visit_date,
                           lag_months=ind.publication_lag_months, source=data.source, column=data.column)
    rows = [o for o in data.observations if o.period == chosen]
    las = [o for o in rows if o.is_local_authority and o.value is not None]
    own = _value(o for o in rows if area.matches(o))
    england = _value(o for o in rows if o.level == NATIONAL)
    region = _value(o for o in rows if o.level == REGIONAL
                    and (o.code == area.region_code or _norm(o.name) == _norm(area.region_name)))
    wanted = [n.strip() for n in neighbours if n.strip()]
    near = [(o.code, o.name, o.value) for o in las if o.code in wanted or o.old_code in wanted]
    got = {c for c, _, _ in near} | {o.old_code for o in las if o.old_code in wanted}
    values = [v for _, _, v in near if v is not None]
    rank = band = None
    if own is not None and own.value is not None:
        rank = rank_value(own.value, [o.value for o in las if o.value is not None], ind.polarity)
        band = band_for(rank, len(las)) if ind.banded else None
    past = {o.period: o.value for o in data.observations
            if area.matches(o) and o.value is not None and o.period <= chosen}
    points = sorted(past.items())
    series = {
        "England": sorted((o.period, o.value) for o in data.observations
                          if o.level == NATIONAL and o.value is not None and o.period <= chosen),
        "region": sorted((o.period, o.value) for o in data.observations if o.level == REGIONAL
                         and o.code == area.region_code and o.value is not None and o.period <= chosen),
    }
    return Comparison(
        indicator=ind, area=area, period=chosen, value=None if own is None else own.value,
        raw="" if own is None else own.raw, england=None if england is None else england.value,
        region=None if region is None else region.value,
        neighbours_mean=statistics.fmean(values) if values else None,
        neighbours_median=statistics.median(values) if values else None,
        neighbours=sorted((c, n, v) for c, n, v in near if v is not None),
        neighbours_missing=[n for n in wanted if n not in got], rank=rank, count=len(las), band=band,
        trend=trend_for(points, ind, catalogue.threshold(ind), catalogue.trend.periods),
        source=data.source, series=series,
    )


def compare_all(sources: Sequence[PerformanceSource], authority: str, *, catalogue: Catalogue | None = None,
                ids: Sequence[str] | None = None, period: str | int | None = None,
                visit_date: dt.date | None = None, neighbours: Sequence[str] = ()) -> list[Comparison]:
    """Every indicator the files provide (or ``ids``, each required) for ``authority``.

    With ``ids`` unset, an indicator with no period fitting the pin or the visit is left out;
    with ``ids`` set, that is an InputError.
    """
    catalogue = catalogue or load_catalogue()
    data = collect(sources, catalogue, ids)
    lookups = [s for s in sources if isinstance(s, AreaLookup)]
    area = find_authority(authority, data, lookups)
    out = []
    for item in data:
        try:
            out.append(compare(item, area, catalogue=catalogue, period=period,
                               visit_date=visit_date, neighbours=neighbours))
        except NoPeriod:
            if ids is not None:
                raise
    return out


@dataclass(frozen=True)
class ConsistencyFlag:
    """A finding the data seems to contradict (for the team's working notebook only)."""

    finding: Any
    indicator: str
    band: str
    message: str


def check_consistency(findings: Iterable[Any], comparisons: Sequence[Comparison]) -> list[ConsistencyFlag]:
    """Flag a strength linked to an indicator in band D, or an area for consideration (or a
    recommended urgent action) linked to one in band A.

    ``findings`` are any objects with ``.kind`` and ``.indicator`` (an indicator id or empty).
    """
    by_id = {c.indicator.id: c for c in comparisons}
    flags = []
    for finding in findings:
        comp = by_id.get(str(getattr(finding, "indicator", "") or "").strip())
        kind = str(getattr(finding, "kind", "")).strip().casefold()
        if comp is None or comp.band is None:
            continue
        if kind == "strength" and comp.band == "D":
            said = "a strength"
        elif kind in ("area for consideration", "urgent action") and comp.band == "A":
            said = f"an {kind}" if kind.startswith(("a", "u")) else kind
        else:
            continue
        where = "the lowest quarter (band D)" if comp.band == "D" else "the best quarter (band A)"
        flags.append(ConsistencyFlag(finding, comp.indicator.id, comp.band, (
            f"Called {said}, but {comp.area.name} is in {where} of {comp.count} local authorities "
            f"for {comp.indicator.short_title} in {comp.period.label} (rank {comp.rank}).")))
    return flags
