"""An authority's indicators against England, its region and its statistical neighbours.

:func:`compare_all` compares the authority (:mod:`toolkit.analysis.areas`) on every indicator
the files provide, one :class:`Comparison` each: its value in the period used, its rank, band
and direction (:mod:`toolkit.analysis.ranks` holds those definitions) and its comparators:

* **Comparators**: England's and the region's published rows; for counts, whose published rows
  are totals, the average (mean) local authority in England and in the region instead, in the
  sentences, the tables and both charts alike. Statistical neighbours: the mean and median of
  those with a value in the period.

What a letter writes of a comparison is in :mod:`toolkit.letter.performance_sentences`. See
``docs/performance-data.md`` for the whole set of rules.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.analysis.areas import Area, find_authority, norm_name, real_code
from toolkit.analysis.indicators import Catalogue, Indicator, IndicatorData, collect, load_catalogue
from toolkit.analysis.ranks import Trend, band_for, check_period, choose_period, rank_value, trend_for
from toolkit.errors import InputError, NoPeriod
from toolkit.inputs.authorities import same_authority_codes
from toolkit.inputs.observations import NATIONAL, REGIONAL, Observation, Period, parse_period
from toolkit.inputs.performance import AreaLookup, PerformanceSource


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
    neighbours_missing: list[str]  # neighbour codes in this indicator's data with no value in the period
    rank: int | None
    count: int  # local authorities with a value in the period
    band: str | None
    trend: Trend
    source: str
    series: dict[str, list[tuple[Period, float]]] = field(default_factory=dict)  # England, region
    england_la_mean: float | None = None  # mean of every LA's value
    region_la_mean: float | None = None  # mean of the values of the LAs in the area's region
    tied: bool = False  # another local authority has exactly the same value (a shared rank)
    neighbours_unknown: list[str] = field(default_factory=list)  # codes in no row of this indicator
    no_row: bool = False  # the file has no row at all for the area in the period (not even a code)
    local: bool = False  # read from a local long-format file, not a published one

    @property
    def averages_stand_in(self) -> bool:
        """Whether the comparators are average local authorities (counts: England's and the
        region's published rows are totals)."""
        return self.indicator.unit == "count"

    def benchmarks(self) -> list[tuple[str, str, float]]:
        """``(kind, name, value)`` of each comparator with a value, in the order letters use.

        Kinds: ``england``, ``region``, ``neighbours``; for counts, whose England and region rows
        are totals, ``england_average`` and ``region_average`` (means of LA values) instead.
        """
        counts = self.indicator.unit == "count"
        found = [("england_average", "England", self.england_la_mean) if counts
                 else ("england", "England", self.england)]
        if self.area.region_name:
            found.append(("region_average", self.area.region_name, self.region_la_mean) if counts
                         else ("region", self.area.region_name, self.region))
        found.append(("neighbours", "", self.neighbours_mean))
        return [(kind, name, value) for kind, name, value in found if value is not None]


def _value(rows: Iterable[Observation]) -> Observation | None:
    return next(iter(rows), None)


def _names(wanted: str, obs: Observation) -> bool:
    """Whether a neighbour given as ``wanted`` (a code, or a name for rows without codes) is ``obs``."""
    if real_code(obs.code) or real_code(obs.old_code):
        return obs.code in same_authority_codes(wanted) or wanted == obs.old_code
    return norm_name(wanted) == norm_name(obs.name)


def _own_rows(data: IndicatorData, area: Area, upto: Period) -> dict[Period, Observation]:
    """The area's row in each period up to ``upto``; InputError when two rows match it in one
    period (two authorities sharing an identity would otherwise swap figures silently)."""
    own: dict[Period, Observation] = {}
    for obs in data.observations:
        if obs.period > upto or not area.matches(obs):
            continue
        first = own.get(obs.period)
        if first is not None:
            raise InputError(obs.source, f"two local authority rows match {area.name} in {obs.period.label}: "
                             f"row {first.row} ({first.name}, {first.code or first.old_code or 'no code'}) and "
                             f"row {obs.row} ({obs.name}, {obs.code or obs.old_code or 'no code'}); "
                             "give the authority's own code", obs.row)
        own[obs.period] = obs
    return own


def _la_means(observations: Iterable[Observation], upto: Period,
              keep: Any = lambda o: True) -> list[tuple[Period, float]]:
    """Per period up to ``upto``, the mean of the local authorities' values (those ``keep`` allows)."""
    by_period: dict[Period, list[float]] = {}
    for o in observations:
        if o.is_local_authority and o.value is not None and o.period <= upto and keep(o):
            by_period.setdefault(o.period, []).append(o.value)
    return sorted((p, statistics.fmean(v)) for p, v in by_period.items())


def compare(data: IndicatorData, area: Area, *, catalogue: Catalogue, period: str | int | None = None,
            visit_date: dt.date | None = None, neighbours: Sequence[str] = ()) -> Comparison:
    """Compare ``area`` on one indicator (see the module notes for the definitions)."""
    ind = data.indicator
    chosen = choose_period(data.periods, pinned=period, visit_date=visit_date,
                           lag_months=ind.publication_lag_months, source=data.source, column=data.column)
    rows = [o for o in data.observations if o.period == chosen]
    las = [o for o in rows if o.is_local_authority and o.value is not None]
    mine = _own_rows(data, area, chosen)
    own = mine.get(chosen)
    england = _value(o for o in rows if o.level == NATIONAL)
    region = _value(o for o in rows if o.level == REGIONAL
                    and (o.code == area.region_code or norm_name(o.name) == norm_name(area.region_name)))
    wanted = [n.strip() for n in neighbours if n.strip()]

    near = [(o.code or o.old_code, o.name, o.value) for o in las if any(_names(w, o) for w in wanted)]
    got = {w for w in wanted if any(_names(w, o) for o in las)}
    known = {w for w in wanted if any(_names(w, o) for o in data.observations if o.is_local_authority)}
    values = [v for _, _, v in near if v is not None]
    in_region = [o.value for o in las
                 if o.value is not None and area.region_code and o.region_code == area.region_code]
    rank = band = None
    tied = False
    if own is not None and own.value is not None:
        all_values = [o.value for o in las if o.value is not None]
        rank = rank_value(own.value, all_values, ind.polarity)
        band = band_for(rank, len(las)) if ind.banded else None
        tied = sum(1 for v in all_values if v == own.value) > 1
    points = sorted((p, o.value) for p, o in mine.items() if o.value is not None)
    series = {
        "England": sorted((o.period, o.value) for o in data.observations
                          if o.level == NATIONAL and o.value is not None and o.period <= chosen),
        "region": sorted((o.period, o.value) for o in data.observations if o.level == REGIONAL
                         and o.code == area.region_code and o.value is not None and o.period <= chosen),
        "England_average": _la_means(data.observations, chosen),
        "region_average": (_la_means(data.observations, chosen, lambda o: o.region_code == area.region_code)
                           if area.region_code else []),
    }
    return Comparison(
        indicator=ind, area=area, period=chosen, value=None if own is None else own.value,
        raw="" if own is None else own.raw, england=None if england is None else england.value,
        region=None if region is None else region.value,
        neighbours_mean=statistics.fmean(values) if values else None,
        neighbours_median=statistics.median(values) if values else None,
        neighbours=sorted((c, n, v) for c, n, v in near if v is not None),
        neighbours_missing=[n for n in wanted if n in known and n not in got], rank=rank, count=len(las), band=band,
        trend=(trend_for(points, ind, catalogue.threshold(ind), catalogue.trend.periods)
               if points and points[-1][0] == chosen else Trend(points, [], None, None)),
        source=data.source, series=series, local=data.local,
        england_la_mean=statistics.fmean(o.value for o in las if o.value is not None) if las else None,
        region_la_mean=statistics.fmean(in_region) if in_region else None,
        tied=tied, neighbours_unknown=[n for n in wanted if n not in known], no_row=own is None,
    )


@dataclass(frozen=True)
class ComparisonSet:
    """The comparisons made, and the indicators found but left out for want of a period."""
    comparisons: list[Comparison]
    no_period: list[tuple[IndicatorData, NoPeriod]]


def _available(data: Sequence[IndicatorData]) -> str:
    periods = sorted({p for d in data for p in d.periods})
    return ", ".join(p.label for p in periods) or "none"


def compare_set(sources: Sequence[PerformanceSource], authority: str, *, catalogue: Catalogue | None = None,
                ids: Sequence[str] | None = None, period: str | int | None = None,
                visit_date: dt.date | None = None, neighbours: Sequence[str] = (),
                period_source: str = "--period", period_column: str | None = None) -> ComparisonSet:
    """Like :func:`compare_all`, also returning what was left out and why."""
    catalogue = catalogue or load_catalogue()
    check_period(period, period_source, period_column)
    data = collect(sources, catalogue, ids)
    files = ", ".join(s.display for s in sources) or "no performance files given"
    if not data:
        raise InputError(files, "no indicator of the catalogue is in these files (it looks for columns such as "
                         f"{catalogue.indicators[0].source.column}, or its indicator ids in a local measures file): "
                         "`peer-review indicators FILE` without --authority lists the file's measure columns "
                         "and prints catalogue entries to start from")
    lookups = [s for s in sources if isinstance(s, AreaLookup)]
    area = find_authority(authority, data, lookups)
    out, skipped = [], []
    for item in data:
        try:
            out.append(compare(item, area, catalogue=catalogue, period=period,
                               visit_date=visit_date, neighbours=neighbours))
        except NoPeriod as exc:
            if ids is not None:
                raise
            skipped.append((item, exc))
    if not out:
        if period is not None and str(period).strip():
            raise InputError(period_source, f"no data for period {parse_period(period).label} in {files}; "
                             f"the periods available are {_available(data)}", column=period_column)
        raise InputError(files, "no indicator has a period published before the visit"
                         + (f" ({visit_date.isoformat()})" if visit_date else "")
                         + f"; the periods available are {_available(data)}")
    return ComparisonSet(out, skipped)


def compare_all(sources: Sequence[PerformanceSource], authority: str, *, catalogue: Catalogue | None = None,
                ids: Sequence[str] | None = None, period: str | int | None = None,
                visit_date: dt.date | None = None, neighbours: Sequence[str] = (),
                period_source: str = "--period", period_column: str | None = None) -> list[Comparison]:
    """Every indicator the files provide (or ``ids``, each required) for ``authority``.

    With ``ids`` unset, an indicator with no period fitting the pin or the visit is left out;
    with ``ids`` set, that is an InputError. A pinned period that is not a period, or that no
    indicator has, is an InputError naming ``period_source`` (and ``period_column``) and listing
    the periods the files do have; so is a set of files holding no catalogue indicator.
    """
    return compare_set(sources, authority, catalogue=catalogue, ids=ids, period=period, visit_date=visit_date,
                       neighbours=neighbours, period_source=period_source, period_column=period_column).comparisons
