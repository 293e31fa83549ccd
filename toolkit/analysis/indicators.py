"""The SEND indicator catalogue and the values it finds in performance files.

The catalogue (``toolkit/catalogue/indicators.yaml``) names each indicator's title, unit,
polarity, display precision, publication lag and source column (with the names the same column
had in other DfE releases); ``toolkit/catalogue/wording.yaml`` the sentence patterns letters use
(:func:`wording`). :func:`indicator_data` finds an indicator in a list of files read by
:mod:`toolkit.inputs.performance`; :func:`format_value` writes a value the way a letter does.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toolkit.errors import InputError
from toolkit.inputs.ees import EESFile
from toolkit.inputs.files import regular_file
from toolkit.inputs.observations import Observation, Period
from toolkit.inputs.performance import LongFile, PerformanceSource
from toolkit.inputs.performance_columns import normalise_name, shown_path
from toolkit.inputs.privacy import NOT_SHOWN, quote
from toolkit.inputs.validation_lines import field_message, known_fields
from toolkit.inputs.yamlfiles import parse_yaml, yaml_error

CATALOGUE_PATH = Path(__file__).parents[1] / "catalogue" / "indicators.yaml"
WORDING_PATH = Path(__file__).parents[1] / "catalogue" / "wording.yaml"

Unit = Literal["percent", "count", "rate", "score"]
_M = TypeVar("_M", bound=BaseModel)
Polarity = Literal["higher_better", "lower_better", "neutral"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Model):
    """How big a change over the trend window must be to count as a movement."""
    points: float | None = Field(default=None, ge=0)  # in the indicator's own unit
    relative: float | None = Field(default=None, ge=0)  # a fraction of the window's mean

    @model_validator(mode="after")
    def _one(self) -> Threshold:
        if (self.points is None) == (self.relative is None):
            raise ValueError("give exactly one of points or relative: delete the other")
        return self

    def limit(self, reference: float) -> float:
        """The threshold in the indicator's unit, for a window whose mean is ``reference``."""
        return self.points if self.points is not None else abs(reference) * float(self.relative or 0)


class TrendSettings(_Model):
    periods: int = Field(default=3, ge=3)
    stable_within: dict[Unit, Threshold]


class FilterAliases(_Model):
    """Other names of filter columns and of their values, as they differ between DfE files."""
    columns: dict[str, list[str]] = {}  # e.g. characteristic_group: [breakdown_topic]
    values: dict[str, list[str]] = {}  # e.g. EHC plan: [EHCP, Education, health and care plan]

    def merged(self, other: FilterAliases) -> FilterAliases:
        """These aliases with ``other``'s added (this one's names first)."""
        def join(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, list[str]]:
            keys = list(dict.fromkeys([*a, *b]))
            return {k: list(dict.fromkeys([*a.get(k, []), *b.get(k, [])])) for k in keys}

        return FilterAliases(columns=join(self.columns, other.columns), values=join(self.values, other.values))


def _alias_lookup(table: dict[str, list[str]], name: str) -> list[str]:
    for key, names in table.items():
        if normalise_name(key) == normalise_name(name):
            return names
    return []


class Publication(_Model):
    """The publication a letter names as an indicator's source ("DfE, Education, health and
    care plans, 2023"): ``year`` defaults to the year the period used was published."""
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int | None = Field(default=None, ge=1990, le=2100)


class Source(_Model):
    files: str = Field(default="*.csv", min_length=1)  # glob on the file name
    publication: Publication | None = None
    column: str = Field(min_length=1)
    aliases: list[str] = []
    filters: dict[str, str] = {}
    filter_aliases: FilterAliases = FilterAliases()

    @property
    def names(self) -> list[str]:
        return [self.column, *self.aliases]

    @property
    def filter_specs(self) -> list[tuple[list[str], list[str]]]:
        """Each filter as (the column and its aliases, the value and its aliases)."""
        fa = self.filter_aliases
        return [([column, *_alias_lookup(fa.columns, column)], [value, *_alias_lookup(fa.values, value)])
                for column, value in self.filters.items()]


class Denominator(_Model):
    """What a count is counted out of, so that claims about it are checked as a rate: another
    count of the catalogue (``indicator``), ``per`` so many of it (100: a share in percent),
    named in the check's words as ``of`` ("EHC plans")."""
    indicator: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    per: float = Field(default=100, gt=0)
    of: str = Field(min_length=1)


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
    denominator: Denominator | None = None  # counts only: compared with others as a rate of this

    @property
    def banded(self) -> bool:
        """Neutral indicators (volumes) get a rank but no quartile band."""
        return self.polarity != "neutral"


def _denominator_cycle(over: dict[str, str]) -> list[str]:
    """The first circle of denominators (``["a", "b", "a"]``: a is counted out of b, b out of a)."""
    for start in over:
        path = [start]
        while path[-1] in over:
            nxt = over[path[-1]]
            if nxt in path:
                return [*path[path.index(nxt):], nxt]
            path.append(nxt)
    return []


class Catalogue(_Model):
    version: int
    trend: TrendSettings
    filter_aliases: FilterAliases = FilterAliases()  # for every indicator's filters
    indicators: list[Indicator] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        ids = [i.id for i in self.indicators]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"indicator ids must be unique: {', '.join(dupes)} is used twice; give each "
                             "indicator an id of its own")
        return self

    @model_validator(mode="after")
    def _denominators(self) -> Catalogue:
        """A denominator is another count of the catalogue, and only counts have one."""
        units = {i.id: i.unit for i in self.indicators}
        for ind in self.indicators:
            den = ind.denominator
            if den is None:
                continue
            if ind.unit != "count":
                raise ValueError(f"indicator {ind.id}: only a count has a denominator (its unit is {ind.unit}): "
                                 "remove its denominator")
            if den.indicator == ind.id or units.get(den.indicator) != "count":
                raise ValueError(f"indicator {ind.id}: its denominator {den.indicator} must be another count "
                                 "indicator of the catalogue: name one, or remove the denominator")
        cycle = _denominator_cycle({i.id: i.denominator.indicator for i in self.indicators if i.denominator})
        if cycle:
            raise ValueError(f"indicator {cycle[0]}: the denominators go round in a circle ({' -> '.join(cycle)}), "
                             "so no rate can be worked out: remove the denominator of one of them")
        return self

    @model_validator(mode="after")
    def _share_filter_aliases(self) -> Catalogue:
        """Give every indicator's source the catalogue-wide filter aliases (its own come first)."""
        shared = self.filter_aliases
        if shared.columns or shared.values:
            indicators = [i.model_copy(update={"source": i.source.model_copy(
                update={"filter_aliases": i.source.filter_aliases.merged(shared)})}) for i in self.indicators]
            object.__setattr__(self, "indicators", indicators)
        return self

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]

    def get(self, indicator_id: str) -> Indicator:
        """The indicator with this id; InputError naming the catalogue if there is none."""
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise InputError("indicator catalogue", f"no indicator {quote(indicator_id)}; known: {', '.join(self.ids)}")

    def threshold(self, indicator: Indicator) -> Threshold:
        """The change below which this indicator's direction is "stable"."""
        if indicator.stable_within is not None:
            return indicator.stable_within
        return self.trend.stable_within.get(indicator.unit, Threshold(relative=0.05))


class CatalogueAddition(_Model):
    """A review's own catalogue, merged over the shipped one: its indicators replace those with
    the same id and join the rest; its filter aliases join the shipped ones; its ``trend``, when
    given, replaces the shipped settings."""
    version: int | None = None
    trend: TrendSettings | None = None
    filter_aliases: FilterAliases = FilterAliases()
    indicators: list[Indicator] = Field(default_factory=list)


def _read_catalogue(path: Path, root: Path | None = None) -> tuple[Any, str]:
    file = shown_path(path, root)
    regular_file(path, file)
    try:
        return parse_yaml(path.read_text(encoding="utf-8")), file
    except FileNotFoundError:
        raise InputError(file, "file not found: check the path performance.catalogue gives (relative to the "
                         "project folder)") from None
    except UnicodeDecodeError:
        raise InputError(file, "not a readable YAML file (it is not UTF-8 text): save it as UTF-8") from None
    except OSError as exc:
        raise InputError(file, f"cannot be read ({exc.strerror or exc.__class__.__name__}): check that it "
                         "exists and can be read") from None
    except yaml.YAMLError as exc:
        raise yaml_error(exc, file) from None


def _validated(model: type[_M], data: Any, file: str) -> _M:
    """``data`` validated as ``model``; the first problem an InputError naming the field
    (``indicators[my_id].unit``)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if where.startswith("indicators.") and isinstance(data, dict):
            parts = where.split(".")
            try:
                ident = data["indicators"][int(parts[1])].get("id", parts[1])
                ident = ident if quote(ident) != NOT_SHOWN else int(parts[1]) + 1
                where = f"indicators[{ident}]" + ("." + ".".join(parts[2:]) if len(parts) > 2 else "")
            except (KeyError, IndexError, ValueError, AttributeError, TypeError):
                pass
        known = known_fields(model, first["loc"]) if first["type"] == "extra_forbidden" else []
        raise InputError(file, field_message(first, known), column=where or None) from None


def _merged(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    if own.get("trend") is not None:
        out["trend"] = own["trend"]
    aliases = {k: dict(v or {}) for k, v in (base.get("filter_aliases") or {}).items()}
    for kind, table in (own.get("filter_aliases") or {}).items():
        merged = aliases.setdefault(kind, {})
        for key, names in (table or {}).items():
            merged[key] = list(dict.fromkeys([*merged.get(key, []), *(names or [])]))
    out["filter_aliases"] = aliases
    theirs = {i.get("id"): i for i in own.get("indicators") or [] if isinstance(i, dict)}
    kept = [theirs.pop(i["id"], i) for i in base["indicators"]]
    out["indicators"] = [*kept, *theirs.values()]
    return out


@functools.cache
def _shipped_data() -> tuple[Any, str]:
    """The shipped catalogue as read (it is part of the toolkit: read once per process)."""
    return _read_catalogue(CATALOGUE_PATH)


@functools.cache
def _shipped() -> Catalogue:
    """The shipped catalogue, validated once (the model is frozen, so it is shared)."""
    data, file = _shipped_data()
    return _validated(Catalogue, data, file)


def load_catalogue(path: str | Path | None = None, own: str | Path | None = None,
                   root: str | Path | None = None) -> Catalogue:
    """Load and validate an indicator catalogue (default: the one shipped with the toolkit), with
    ``own`` (a review's or the command line's catalogue file, shown relative to ``root``) merged
    over it."""
    if path is None and own is None:
        return _shipped()
    base, file = _shipped_data() if path is None else _read_catalogue(Path(path))
    if own is None:
        return _validated(Catalogue, base, file)
    data, own_file = _read_catalogue(Path(own), Path(root) if root is not None else None)
    if not isinstance(data, dict):
        raise InputError(own_file, "expected a mapping with indicators: (a list of catalogue entries)")
    _validated(CatalogueAddition, data, own_file)
    return _validated(Catalogue, _merged(base, data), own_file)


@functools.cache
def wording() -> dict[str, Any]:
    """The sentence patterns in ``catalogue/wording.yaml``."""
    return cast(dict[str, Any], parse_yaml(WORDING_PATH.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class IndicatorData:
    """Every published value of one indicator, from the file that provides it."""
    indicator: Indicator
    observations: list[Observation]
    source: str  # the file it came from, as the user sees it
    column: str  # the column (or long-format indicator name) it was read from
    local: bool = False  # read from a local long-format file, not a published one

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
    return all(source.filter_column(names) for names, _ in indicator.source.filter_specs)


def _wanted(names: Sequence[str], what: str = "column") -> str:
    return f"{what} {quote(names[0])}" + (f" (or {', '.join(names[1:])})" if len(names) > 1 else "")


def _filter_value_error(source: EESFile, indicator: Indicator) -> InputError | None:
    """An InputError when a filter value the indicator keeps is absent from its column."""
    unmatched = source.unmatched_filter(indicator.source.filter_specs)
    if unmatched is None:
        return None
    column, value, present = unmatched
    shown = ", ".join(quote(v) for v in present[:8]) + (", …" if len(present) > 8 else "")
    return InputError(source.display, f"indicator {indicator.id} keeps the rows where {column} is {quote(value)}, "
                      f"but the column holds only {shown} (add the new name to filter_aliases in the "
                      "indicator catalogue)", column=column)


def indicator_data(sources: Sequence[PerformanceSource], indicator: Indicator,
                   required: bool = False) -> IndicatorData | None:
    """The indicator's values from the first file that provides it.

    A file provides it when it has the column (or an alias) and, for an open-data file, every
    filter column and filter value the indicator keeps. When ``required`` (the review asked for
    this indicator), a file that should hold it but lacks the column, a filter column or a filter
    value is refused with an InputError naming the file and the column; otherwise an indicator no
    file provides is ``None`` (:func:`data_warnings` says why).
    """
    for source in sources:
        column = _find(source, indicator)
        if column is None:
            continue
        if isinstance(source, EESFile):
            specs = indicator.source.filter_specs
            if not required and (not _filters_available(source, indicator) or _filter_value_error(source, indicator)):
                continue
            if required and _filters_available(source, indicator):
                problem = _filter_value_error(source, indicator)
                if problem is not None:
                    raise problem
            observations = source.observations(column, specs, measure=indicator.id)
        else:
            observations = source.observations(column, measure=indicator.id)
        return IndicatorData(indicator, observations, source.display, column, local=isinstance(source, LongFile))
    if not required:
        return None
    names = indicator.source.names
    wanted = _wanted(names)
    for source in sources:
        if _matches_pattern(source, indicator.source.files):
            raise InputError(source.display, f"indicator {indicator.id} needs {wanted}, "
                             "which this file does not have", column=names[0])
    files = ", ".join(s.display for s in sources) or "no performance files given"
    raise InputError(files, f"indicator {indicator.id} needs {wanted} from a file like "
                     f"{quote(indicator.source.files)} or rows {quote(indicator.id)} in a local measures file; "
                     "none of these files provides it")


def data_warnings(sources: Sequence[PerformanceSource], catalogue: Catalogue) -> list[InputError]:
    """Why catalogue indicators that some file was meant to provide are left out.

    For each indicator no file provides, each open-data file whose name matches the indicator's
    ``source.files`` pattern is examined: a missing column, a missing filter column, or a filter
    value (a renamed category, say) that no row carries, each named with the file and column.
    """
    out: list[InputError] = []
    for ind in catalogue.indicators:
        if indicator_data(sources, ind) is not None:
            continue
        for source in sources:
            if not isinstance(source, EESFile) or not _matches_pattern(source, ind.source.files):
                continue
            column = _find(source, ind)
            if column is None:
                out.append(InputError(source.display, f"indicator {ind.id} left out: this file matches "
                                      f"{quote(ind.source.files)} but has no {_wanted(ind.source.names)}",
                                      column=ind.source.column))
                continue
            missing = [names for names, _ in ind.source.filter_specs if source.filter_column(names) is None]
            if missing:
                out.append(InputError(source.display, f"indicator {ind.id} left out: no filter "
                                      f"{_wanted(missing[0])}", column=missing[0][0]))
                continue
            problem = _filter_value_error(source, ind)
            if problem is not None:
                out.append(InputError(problem.file, f"indicator {ind.id} left out: " + problem.message.replace(
                    f"indicator {ind.id} ", "it ", 1), column=problem.column))
    return out


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
