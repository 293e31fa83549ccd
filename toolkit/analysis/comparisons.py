"""An authority's indicators against England, its region and its statistical neighbours.

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
  with the period used (no direction when the area has no value in it): the least-squares slope across them times the number of steps. A change
  within the catalogue's ``stable_within`` threshold (by default 2 percentage points for
  percentages, 1 point for scores, 5% of the window's mean for counts and rates) is *stable*;
  otherwise *improving* or *declining* (polarity-aware), or *rising* / *falling* for neutral
  indicators. Fewer than three values: no direction.
* **Comparators**: England's and the region's published rows; for counts, whose published rows
  are totals, the average (mean) local authority in England and in the region instead, in the
  sentences, the tables and both charts alike. Statistical neighbours: the mean and median of
  those with a value in the period.

See ``docs/performance-data.md`` for the whole set of rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from toolkit.analysis.indicators import (
    Catalogue,
    Indicator,
    IndicatorData,
    Threshold,
    collect,
    data_warnings,
    format_value,
    load_catalogue,
    plain_number,
    round_half_up,
)
from toolkit.errors import InputError
from toolkit.inputs.params import parse_yaml
from toolkit.inputs.performance import (
    MISSING_CODES,
    NATIONAL,
    REGIONAL,
    AreaEntry,
    AreaLookup,
    Observation,
    PerformanceSource,
    Period,
    parse_period,
    read_performance_files,
)
from toolkit.inputs.privacy import quote
from toolkit.wording import ordinal

BANDS = "ABCD"
_ONS = re.compile(r"^[EWSN]\d{8}$", re.IGNORECASE)
_OLD = re.compile(r"^\d{3}$")


class NoPeriod(InputError):
    """No period of an indicator fits the pin or the visit date."""


@dataclass(frozen=True)
class Area:
    """A local authority, with every code (and name) it has been published under."""
    name: str
    code: str
    old_code: str
    region_code: str
    region_name: str
    codes: frozenset[str] = frozenset()
    old_codes: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # normalised names, for rows that carry no code at all

    def matches(self, obs: Observation) -> bool:
        """Whether ``obs`` is a local authority row for this area: by its ONS or old LA code, or
        by name when the row has neither code."""
        if not obs.is_local_authority:
            return False
        if _real(obs.code) or _real(obs.old_code):
            return obs.code in self.codes or obs.old_code in self.old_codes
        return _norm(obs.name) in (self.names or {_norm(self.name)})


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


def _entry_hits(query: str, entry: AreaEntry) -> bool:
    return (any(_hits(query, c, "", "") for c in entry.codes) or any(_hits(query, "", c, "") for c in entry.old_codes)
            or _hits(query, "", "", entry.name))


def find_authority(query: str, data: Sequence[IndicatorData],
                   lookups: Sequence[AreaLookup] = ()) -> Area:
    """The local authority named by ``query``: its name, ONS code or old three-digit LA code.

    Codes an authority was published under in other periods (the same old LA code with a new ONS
    code, or single-authority lookup rows sharing a code) are gathered so its trend spans the
    change. A joint lookup row ("E09000021 / E09000027") names two authorities: its codes are
    never merged into one identity.
    """
    query = query.strip()
    rows = [o for d in data for o in d.observations if o.is_local_authority]
    found = [o for o in rows if _hits(query, o.code, o.old_code, o.name)]
    singles = [e for lk in lookups for e in lk.entries if e.is_area and not e.joint]
    entries = [e for e in singles if _entry_hits(query, e)]
    if not found and not entries:
        files = ", ".join(sorted({d.source for d in data} | {lk.display for lk in lookups})) or "performance data"
        joint = next(((lk, e) for lk in lookups for e in lk.entries if e.joint and _entry_hits(query, e)), None)
        if joint is not None:
            lk, e = joint
            raise InputError(lk.display, f"{quote(query)} is only in a joint row naming several authorities "
                             f"({e.name}); give one authority's own code or name", row=e.row)
        raise InputError(files, f"no local authority matches {quote(query)} "
                         "(give its name, ONS code such as E08000034, or three-digit LA code)")
    codes = {o.code for o in found if _real(o.code)} | {c for e in entries for c in e.codes}
    old = {o.old_code for o in found if _real(o.old_code)} | {c for e in entries for c in e.old_codes}
    for entry in singles:
        if codes & set(entry.codes) or old & set(entry.old_codes):
            codes |= set(entry.codes)
            old |= set(entry.old_codes)
    related = [o for o in rows if (_real(o.code) and o.code in codes) or (_real(o.old_code) and o.old_code in old)]
    codes |= {o.code for o in related if _real(o.code)}
    names = frozenset(_norm(o.name) for o in [*found, *related] if o.name) | {_norm(e.name) for e in entries}
    if found or related:
        latest = max(found or related, key=lambda o: o.period)
        region = next((o for o in sorted(related, key=lambda o: o.period, reverse=True) if o.region_code), latest)
        return Area(latest.name, latest.code, latest.old_code, region.region_code, region.region_name,
                    frozenset(codes), frozenset(old), names)
    entry = entries[-1]
    return Area(entry.name, entry.codes[0] if entry.codes else "", entry.old_codes[0] if entry.old_codes else "",
                entry.region_code, entry.region_name, frozenset(codes), frozenset(old), names)


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
    if _real(obs.code) or _real(obs.old_code):
        return wanted in (obs.code, obs.old_code)
    return _norm(wanted) == _norm(obs.name)


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
                    and (o.code == area.region_code or _norm(o.name) == _norm(area.region_name)))
    wanted = [n.strip() for n in neighbours if n.strip()]

    near = [(o.code or o.old_code, o.name, o.value) for o in las if any(_names(w, o) for w in wanted)]
    got = {w for w in wanted if any(_names(w, o) for o in las)}
    known = {w for w in wanted if any(_names(w, o) for o in data.observations if o.is_local_authority)}
    values = [v for _, _, v in near if v is not None]
    in_region = [o.value for o in las if area.region_code and o.region_code == area.region_code]
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
        source=data.source, series=series,
        england_la_mean=statistics.fmean(o.value for o in las) if las else None,
        region_la_mean=statistics.fmean(in_region) if in_region else None,
        tied=tied, neighbours_unknown=[n for n in wanted if n not in known], no_row=own is None,
    )


@dataclass(frozen=True)
class ComparisonSet:
    """The comparisons made, and the indicators found but left out for want of a period."""
    comparisons: list[Comparison]
    no_period: list[tuple[IndicatorData, NoPeriod]]


def check_period(period: str | int | None, source: str = "--period", column: str | None = None) -> None:
    """InputError unless ``period`` is empty or a period such as 2023, 202223 or 2022/23."""
    if period is None or not str(period).strip():
        return
    try:
        parse_period(period)
    except ValueError as exc:
        raise InputError(source, str(exc), column=column) from None


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
                         f"{catalogue.indicators[0].source.column}, or its indicator ids in a local measures file)")
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


# --- Sentences ------------------------------------------------------------------------------

WORDING_PATH = Path(__file__).parents[1] / "catalogue" / "wording.yaml"


@functools.cache
def wording() -> dict[str, Any]:
    """The sentence patterns in ``catalogue/wording.yaml``."""
    return parse_yaml(WORDING_PATH.read_text(encoding="utf-8"))


def relation(indicator: Indicator, value: float, other: float) -> str:
    """``better than`` / ``worse than`` / ``above`` / ``below`` / ``the same as``, compared as
    rounded for display so the words never contradict the numbers printed beside them."""
    mine, theirs = round_half_up(value, indicator.decimals), round_half_up(other, indicator.decimals)
    key = "same" if mine == theirs else ("higher" if mine > theirs else "lower")
    return wording()["relation"][indicator.polarity][key]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def missing_reason(comp: Comparison) -> str:
    """Why the authority has no figure, in plain words, from the code its cell holds
    ("the figure is suppressed to protect confidentiality" for ``c``)."""
    if comp.value is not None:
        return ""
    words = wording()
    if comp.no_row:
        return words["no_row"]
    meanings = {str(code).casefold(): text for code, text in words["missing_codes"].items()}
    return meanings.get(" ".join(comp.raw.split()).casefold(), meanings[""])


def not_published(comp: Comparison) -> str:
    """A table cell for an authority with no figure: "not published (the figure is …)"."""
    return wording()["not_published"].format(reason=missing_reason(comp))


def comparison_sentence(comp: Comparison) -> str:
    """The value with its comparators: "…: 92.0% in 2022, better than England (49.2%), …"; for
    a figure not published, what its code means ("…: not published for X in 2022 (the figure is
    suppressed to protect confidentiality).")."""
    ind, words = comp.indicator, wording()
    fill = {"title": ind.title, "period": comp.period.label, "area": comp.area.name}
    if comp.value is None:
        return words["missing"].format(reason=missing_reason(comp), **fill)
    parts = [relation(ind, comp.value, other) + " "
             + words["comparator"][kind].format(name=name, value=format_value(ind, other))
             for kind, name, other in comp.benchmarks()]
    fill["value"] = format_value(ind, comp.value)
    if not parts:
        return words["value_alone"].format(**fill)
    return words["value"].format(comparisons=_join(parts), **fill)


def rank_sentence(comp: Comparison) -> str:
    """"This ranks 12th of 150 local authorities (band A, the best quarter)." ("joint 12th" when
    another authority has the same value; "the highest" for the top of a neutral measure) or empty."""
    if comp.rank is None:
        return ""
    words = wording()
    tie = "joint" if comp.tied else "single"
    if comp.band is None:
        key = ("first_" + tie if comp.tied else "first") if comp.rank == 1 else tie
        return words["rank_neutral"][key].format(ordinal=ordinal(comp.rank), count=comp.count)
    return words["rank"][tie].format(ordinal=ordinal(comp.rank), count=comp.count, band=comp.band,
                                     band_text=words["bands"][comp.band])


def trend_sentence(comp: Comparison) -> str:
    """"It has fallen from 16.3% in 2019 to 9.9% in 2022." over the trend window, or empty."""
    window, ind = comp.trend.window, comp.indicator
    if comp.trend.direction is None or len(window) < 2:
        return ""
    (p0, v0), (p1, v1) = window[0], window[-1]
    r0, r1 = round_half_up(v0, ind.decimals), round_half_up(v1, ind.decimals)
    key = "stable" if comp.trend.direction == "stable" or r0 == r1 else ("rose" if r1 > r0 else "fell")
    return wording()["trend"][key].format(start=format_value(ind, v0), end=format_value(ind, v1),
                                          start_period=p0.label, end_period=p1.label)


def direction_text(comp: Comparison) -> str:
    """The direction as a word for tables ("improving", …, "too few periods")."""
    return wording()["direction"][comp.trend.direction]


def describe(comp: Comparison) -> str:
    """All three sentences for one indicator, as a paragraph."""
    return " ".join(s for s in (comparison_sentence(comp), rank_sentence(comp), trend_sentence(comp)) if s)


# --- The desk-review report (``peer-review indicators``) ----------------------------------------

REPORT_COLUMNS = ("indicator", "title", "period", "authority", "authority_code", "value", "england",
                  "england_la_average", "region", "region_value", "region_la_average", "neighbours_mean",
                  "neighbours_median", "neighbours_with_value", "rank", "of", "joint_rank", "band", "direction",
                  "source")


def report_rows(comparisons: Sequence[Comparison]) -> list[dict[str, str]]:
    """One row per indicator with every number exactly as read (no re-rounding).

    ``england`` and ``region_value`` are the published England and region rows (totals, for
    counts); ``england_la_average`` and ``region_la_average`` the means of the local
    authorities' values, which the letter compares counts with."""
    rows = []
    for c in comparisons:
        rows.append({
            "indicator": c.indicator.id, "title": c.indicator.title, "period": c.period.text,
            "authority": c.area.name, "authority_code": c.area.code,
            "value": plain_number(c.value) if c.value is not None else c.raw,
            "england": plain_number(c.england), "england_la_average": plain_number(c.england_la_mean),
            "region": c.area.region_name, "region_value": plain_number(c.region),
            "region_la_average": plain_number(c.region_la_mean),
            "neighbours_mean": plain_number(c.neighbours_mean),
            "neighbours_median": plain_number(c.neighbours_median),
            "neighbours_with_value": str(len(c.neighbours)) if c.neighbours or c.neighbours_missing else "",
            "rank": "" if c.rank is None else str(c.rank), "of": str(c.count),
            "joint_rank": "yes" if c.rank is not None and c.tied else "", "band": c.band or "",
            "direction": c.trend.direction or "", "source": c.source,
        })
    return rows


def _exact(indicator: Indicator, value: float | None, missing: str) -> str:
    """A published value exactly as the file gives it (no rounding), with its unit."""
    if value is None:
        return missing
    return plain_number(value) + ("%" if indicator.unit == "percent" else "")


def comparator_cells(comp: Comparison, exact: bool = False, missing: str = "-") -> tuple[str, str]:
    """The England and region cells of a table row. Counts show the average local authority,
    labelled as such (their published England and region rows are totals); other measures show
    the published rows, exactly as read when ``exact``, else rounded as a letter writes them."""
    ind = comp.indicator
    if comp.averages_stand_in:
        label = wording()["average_cell"]

        def average(value: float | None) -> str:
            return missing if value is None else label.format(value=format_value(ind, value))

        return average(comp.england_la_mean), average(comp.region_la_mean if comp.area.region_name else None)
    if exact:
        return _exact(ind, comp.england, missing), _exact(ind, comp.region, missing)
    return format_value(ind, comp.england, missing), format_value(ind, comp.region, missing)


def rank_cell(comp: Comparison, of: str = "/") -> str:
    """``12/150``, ``=12/150`` for a shared rank, ``-`` without a rank."""
    if comp.rank is None:
        return "-"
    return f"{'=' if comp.tied else ''}{comp.rank}{of}{comp.count}"


def _table(comparisons: Sequence[Comparison]) -> str:
    head = ("Indicator", "Period", "Value", "England", "Region", "Neighbours", "Rank", "Band", "Direction")
    body = []
    for c in comparisons:
        ind = c.indicator
        england, region = comparator_cells(c, exact=True)
        body.append((ind.short_title, c.period.label, _exact(ind, c.value, c.raw or "-"), england, region,
                     format_value(ind, c.neighbours_mean, "-"), rank_cell(c), c.band or "-", direction_text(c)))
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    right = {2, 3, 4, 5, 6}
    lines = ["  ".join(v.rjust(w) if i in right else v.ljust(w)
                       for i, (v, w) in enumerate(zip(row, widths))).rstrip() for row in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report_notes(result: ComparisonSet) -> list[str]:
    """Notes under the listing: counts' averages, neighbours not found or without a value, and
    indicators left out for want of the period."""
    words, comps = wording(), result.comparisons
    notes = []
    if any(c.averages_stand_in for c in comps):
        notes.append(words["average_note"])
    if any(c.tied for c in comps if c.rank is not None):
        notes.append(words["joint_note"])
    unknown = [code for code in (comps[0].neighbours_unknown if comps else [])
               if all(code in c.neighbours_unknown for c in comps)]
    if unknown:
        notes.append(words["neighbours_unknown"].format(codes=", ".join(unknown)))
    for c in comps:
        missing = [code for code in [*c.neighbours_missing, *c.neighbours_unknown] if code not in unknown]
        if missing:
            notes.append(words["neighbours_no_value"].format(indicator=c.indicator.short_title,
                                                             period=c.period.label, codes=", ".join(missing)))
    gaps = [c for c in comps if c.value is None]
    if gaps:
        notes.append(words["not_published_note"].format(area=gaps[0].area.name, items="; ".join(
            f"{c.indicator.short_title} ({c.raw + ': ' if c.raw else ''}{missing_reason(c)})" for c in gaps)))
    if result.no_period:
        notes.append(words["no_period"].format(indicators=", ".join(d.indicator.short_title for d, _ in result.no_period)))
    return notes


def indicators_report(files: Sequence[str | Path], authority: str, period: str | int | None = None,
                      neighbours: Sequence[str] = (), fmt: Literal["table", "csv"] = "table",
                      ids: Sequence[str] | None = None, root: str | Path | None = None,
                      warn: Callable[[str], None] | None = None) -> str:
    """The desk-review listing of an authority's indicators with comparators, rank, band and
    direction. Published values (the authority, England, the region) are printed exactly as
    read in both formats; only the neighbours' average (and, for counts, the average local
    authority) is rounded in the table. ``warn`` receives one line for each catalogue indicator
    a file was meant to provide but does not (see :func:`toolkit.analysis.indicators.data_warnings`)."""

    if fmt not in ("table", "csv"):
        raise ValueError(f"format must be table or csv, not {fmt!r}")
    sources = read_performance_files(files, root)
    catalogue = load_catalogue()
    if warn is not None and ids is None:
        for problem in data_warnings(sources, catalogue):
            warn(f"warning: {problem}")
    result = compare_set(sources, authority, catalogue=catalogue, ids=ids, period=period, neighbours=neighbours)
    comparisons = result.comparisons
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(report_rows(comparisons))
        return buf.getvalue()
    area = comparisons[0].area
    title = f"{area.name} ({area.code or area.old_code or 'no code'}), {area.region_name or 'region unknown'}"
    notes = report_notes(result)
    return "\n".join([title, "", _table(comparisons), *([""] + notes if notes else [])]) + "\n"
