"""The SEND indicator catalogue and the values it finds in performance files.

The catalogue (``toolkit/catalogue/indicators.yaml``) names each indicator's title, unit,
polarity, display precision, publication lag and source column (with the names the same column
had in other DfE releases). :func:`indicator_data` finds an indicator in a list of files read by
:mod:`toolkit.performance`; :func:`format_value` writes a value the way a letter does.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toolkit.errors import InputError, display_path
from toolkit.params import parse_yaml
from toolkit.performance import EESFile, LongFile, Observation, Period, PerformanceSource, find_column

if TYPE_CHECKING:
    from toolkit.comparisons import Comparison

CATALOGUE_PATH = Path(__file__).parent / "catalogue" / "indicators.yaml"

Unit = Literal["percent", "count", "rate", "score"]
Polarity = Literal["higher_better", "lower_better", "neutral"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Model):
    """How big a change over the trend window must be to count as a movement."""

    points: float | None = Field(default=None, ge=0)  # in the indicator's own unit
    relative: float | None = Field(default=None, ge=0)  # a fraction of the window's mean

    @model_validator(mode="after")
    def _one(self) -> "Threshold":
        if (self.points is None) == (self.relative is None):
            raise ValueError("give exactly one of points or relative")
        return self

    def limit(self, reference: float) -> float:
        """The threshold in the indicator's unit, for a window whose mean is ``reference``."""
        return self.points if self.points is not None else abs(reference) * float(self.relative or 0)


class TrendSettings(_Model):
    periods: int = Field(default=3, ge=3)
    stable_within: dict[Unit, Threshold]


class Source(_Model):
    files: str = Field(min_length=1)  # glob on the file name
    column: str = Field(min_length=1)
    aliases: list[str] = []
    filters: dict[str, str] = {}

    @property
    def names(self) -> list[str]:
        return [self.column, *self.aliases]


class Indicator(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1)
    unit: Unit
    polarity: Polarity
    decimals: int = Field(ge=0, le=4)
    publication_lag_months: int = Field(ge=0, le=36)
    source: Source
    stable_within: Threshold | None = None

    @property
    def banded(self) -> bool:
        """Neutral indicators (volumes) get a rank but no quartile band."""
        return self.polarity != "neutral"


class Catalogue(_Model):
    version: int
    trend: TrendSettings
    indicators: list[Indicator] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "Catalogue":
        ids = [i.id for i in self.indicators]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"indicator ids must be unique: {', '.join(dupes)}")
        return self

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def get(self, indicator_id: str) -> Indicator:
        """The indicator with this id; InputError naming the catalogue if there is none."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise InputError("indicator catalogue", f"no indicator '{indicator_id}'; known: {', '.join(self.ids)}")

    def threshold(self, indicator: Indicator) -> Threshold:
        """The change below which this indicator's direction is "stable"."""
        if indicator.stable_within is not None:
            return indicator.stable_within
        return self.trend.stable_within.get(indicator.unit, Threshold(relative=0.05))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate an indicator catalogue (default: the one shipped with the toolkit)."""
    path = Path(path) if path is not None else CATALOGUE_PATH
    file = display_path(path)
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(file, "file not found") from None
    except yaml.YAMLError as exc:
        raise InputError(file, f"not valid YAML ({str(exc).splitlines()[0]})") from None
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if where.startswith("indicators.") and isinstance(data, dict):
            parts = where.split(".")
            try:
                ident = data["indicators"][int(parts[1])].get("id", parts[1])
                where = f"indicators[{ident}]" + ("." + ".".join(parts[2:]) if len(parts) > 2 else "")
            except (KeyError, IndexError, ValueError, AttributeError, TypeError):
                pass
        raise InputError(file, first["msg"], column=where or None) from None


@dataclass(frozen=True)
class IndicatorData:
    """Every published value of one indicator, from the file that provides it."""

    indicator: Indicator
    observations: list[Observation]
    source: str  # the file it came from, as the user sees it
    column: str  # the column (or long-format indicator name) it was read from

    @property
    def periods(self) -> list[Period]:
        """The periods with at least one row, oldest first."""
        return sorted({o.period for o in self.observations})


def _matches_pattern(source: PerformanceSource, pattern: str) -> bool:
    return fnmatch.fnmatch(source.path.name.casefold(), pattern.casefold())


def _find(source: PerformanceSource, indicator: Indicator) -> str | None:
    if isinstance(source, LongFile):
        names = [indicator.id] + ([] if indicator.source.filters else indicator.source.names)
        return source.find_measure(names)
    if isinstance(source, EESFile):
        return source.find_measure(indicator.source.names)
    return None


def _filters_available(source: EESFile, indicator: Indicator) -> bool:
    return all(find_column(source.filters, [name]) for name in indicator.source.filters)


def indicator_data(sources: Sequence[PerformanceSource], indicator: Indicator,
                   required: bool = False) -> IndicatorData | None:
    """The indicator's values from the first file that provides it.

    When ``required`` (the review asked for this indicator), a file that should hold it but lacks
    the column is refused with an InputError naming the file, the column and its aliases;
    otherwise an indicator no file provides is ``None``.
    """
    for source in sources:
        column = _find(source, indicator)
        if column is None:
            continue
        if isinstance(source, EESFile):
            if not _filters_available(source, indicator) and not required:
                continue
            observations = source.observations(column, indicator.source.filters, measure=indicator.id)
        else:
            observations = source.observations(column, measure=indicator.id)
        return IndicatorData(indicator, observations, source.display, column)
    if not required:
        return None
    names = indicator.source.names
    wanted = f"column '{names[0]}'" + (f" (or {', '.join(names[1:])})" if len(names) > 1 else "")
    for source in sources:
        if _matches_pattern(source, indicator.source.files):
            raise InputError(source.display, f"indicator {indicator.id} needs {wanted}, "
                             "which this file does not have", column=names[0])
    files = ", ".join(s.display for s in sources) or "no performance files given"
    raise InputError(files, f"indicator {indicator.id} needs {wanted} from a file like "
                     f"'{indicator.source.files}' or rows '{indicator.id}' in a local measures file; "
                     "none of these files provides it")


def collect(sources: Sequence[PerformanceSource], catalogue: Catalogue,
            ids: Sequence[str] | None = None) -> list[IndicatorData]:
    """Indicator data for ``ids`` (each required), or for every catalogue indicator found."""
    if ids is None:
        found = (indicator_data(sources, ind) for ind in catalogue.indicators)
        return [d for d in found if d is not None]
    return [d for d in (indicator_data(sources, catalogue.get(i), required=True) for i in ids) if d]


def round_half_up(value: float, decimals: int) -> Decimal:
    """``value`` rounded as people round (halves away from zero), on its shortest decimal form."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value: float, decimals: int) -> str:
    """``1234.5`` -> ``1,234.5`` at the given decimals (rounded half up)."""
    return f"{round_half_up(value, decimals):,.{decimals}f}"


def format_value(indicator: Indicator, value: float | None, missing: str = "not published") -> str:
    """A value as a letter writes it: ``59.2%``, ``1,234``, ``14.3``."""
    if value is None:
        return missing
    text = format_number(value, indicator.decimals)
    return f"{text}%" if indicator.unit == "percent" else text


def plain_number(value: float | None) -> str:
    """A value exactly as read, without re-rounding: ``59.2``, ``49.166``, ``1234``; empty if missing."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class ConsistencyFlag:
    """A finding the data seems to contradict (for the team's working notebook only)."""

    finding: Any
    indicator: str
    band: str
    message: str


def check_consistency(findings: Iterable[Any], comparisons: Sequence["Comparison"]) -> list[ConsistencyFlag]:
    """Flag a strength linked to an indicator in band D, or an area for consideration (or a
    recommended urgent action) linked to one in band A.

    ``findings`` are any objects with ``.kind`` and ``.indicator`` (an indicator id or empty).
    """
    by_id = {c.indicator.id: c for c in comparisons}
    flags = []
    for finding in findings:
        comp = by_id.get(str(getattr(finding, "indicator", "") or "").strip())
        raw_kind = getattr(finding, "kind", "")
        kind = " ".join(str(getattr(raw_kind, "value", raw_kind)).split()).casefold()
        kind = "urgent action" if kind == "recommended urgent action" else kind
        if comp is None or comp.band is None:
            continue
        if kind == "strength" and comp.band == "D":
            said = "a strength"
        elif kind in ("area for consideration", "urgent action") and comp.band == "A":
            said = "an area for consideration" if kind.startswith("area") else "a recommended urgent action"
        else:
            continue
        where = "the lowest quarter (band D)" if comp.band == "D" else "the best quarter (band A)"
        flags.append(ConsistencyFlag(finding, comp.indicator.id, comp.band, (
            f"Called {said}, but {comp.area.name} is in {where} of {comp.count} local authorities "
            f"for {comp.indicator.short_title} in {comp.period.label} (rank {comp.rank}).")))
    return flags
