"""Read performance data: DfE Explore Education Statistics (EES) open-data CSVs and local files.

Two layouts are read:

* **EES open data** as published: one row per time period and geography, geography columns in
  any order (``time_period``, ``time_identifier``, ``geographic_level``, ``country_*``,
  ``region_*``, ``new_la_code``, ``old_la_code``, ``la_name``…), one column per measure and
  optionally *filter* columns (text categories, usually with a ``Total`` row).
* **Local long format**: ``indicator, period, area_code, value`` with optional ``area_name``,
  ``geographic_level``, ``old_la_code``, ``region_code`` and ``region_name``.

Every file is read with ``dtype=str`` and converted here, so nothing is coerced silently: the
DfE codes ``z``, ``x``, ``c``, ``u``, ``low``, ``:`` (and ``..``, ``~``, ``k``) and empty cells
become missing values that remember their code; numbers may carry stray spaces; any other text
in a measure is an :class:`~toolkit.errors.InputError` naming the file, row and column.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.errors import InputError, display_path
from toolkit.inputs.files import regular_file
from toolkit.inputs.privacy import quote

#: Cell values that mean "no value" in DfE statistics (compared case-insensitively, stripped).
MISSING_CODES = frozenset({"", "z", "x", "c", "u", "low", ":", "..", "~", "k", "n/a", "na"})
#: The codes as a message lists them (what a measure cell may hold besides a number).
CODES_SHOWN = "c, x, z, low, u, k, :, .., ~, n/a"
NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
_LEVELS = {"national": NATIONAL, "regional": REGIONAL, "localauthority": LOCAL_AUTHORITY}


def canonical_level(text: str) -> str:
    """A geographic level as the toolkit names it, whatever its case and spacing (``NATIONAL``,
    ``regional``, ``Local Authority``, ``local_authority``); other levels are kept as published."""
    return _LEVELS.get(re.sub(r"[\s_\-]+", "", str(text)).casefold(), str(text).strip())

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")

#: EES geography columns, by canonical name, with the spellings seen across releases.
GEOGRAPHY_ALIASES: dict[str, tuple[str, ...]] = {
    "time_period": ("time_period", "TimePeriod"),
    "time_identifier": ("time_identifier", "TimeIdentifier"),
    "geographic_level": ("geographic_level", "GeographicLevel", "geog_level"),
    "country_code": ("country_code",),
    "country_name": ("country_name",),
    "region_code": ("region_code",),
    "region_name": ("region_name",),
    "new_la_code": ("new_la_code", "la_code_new", "new_la"),
    "old_la_code": ("old_la_code", "la_code_old", "old_la", "la_code", "LA_Code"),
    "la_name": ("la_name", "LAName", "local_authority_name"),
}
REQUIRED_GEOGRAPHY = ("time_period", "geographic_level")
LONG_REQUIRED = ("indicator", "period", "area_code", "value")
LONG_OPTIONAL = ("area_name", "geographic_level", "old_la_code", "region_code", "region_name")
_GEO_SUFFIXES = ("_code", "_name", "_urn", "_ukprn", "_laestab", "_id")
LOOKUP_REQUIRED = ("region_code", "region_name", "la_name", "new_la_code")
#: The layouts the importer reads, and the columns each needs (as a message lists them).
LAYOUTS = (
    ("an EES open-data file", REQUIRED_GEOGRAPHY),
    ("a long-format local measures file", LONG_REQUIRED),
    ("an area lookup", LOOKUP_REQUIRED),
)
_COLUMNS_SHOWN = 12


def columns_found(columns: Sequence[str]) -> str:
    """``its columns are a, b, c, … (20 in all)``: the first dozen, each quoted."""
    shown = ", ".join(quote(c) for c in columns[:_COLUMNS_SHOWN])
    more = f", … ({len(columns)} in all)" if len(columns) > _COLUMNS_SHOWN else ""
    return f"its columns are {shown}{more}" if columns else "it has no columns"


def no_layout(columns: Sequence[str], hint: str = "") -> str:
    """The message for a file whose header fits none of :data:`LAYOUTS`."""
    needs = "; ".join(f"{name} needs {', '.join(cols)}" for name, cols in LAYOUTS)
    return ("fits none of the layouts the toolkit reads" + (f" ({hint})" if hint else "")
            + f": {columns_found(columns)}; {needs}. Rename the columns to match one of these.")


def normalise_name(name: str) -> str:
    """A column name for matching: case, spaces, underscores and hyphens ignored."""
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def find_column(columns: Sequence[str], names: Sequence[str]) -> str | None:
    """The first of ``columns`` matching any of ``names`` (case- and underscore-insensitive)."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(normalise_name(column), column)
    for name in names:
        hit = by_norm.get(normalise_name(name))
        if hit is not None:
            return hit
    return None


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """A time period as published (``text``), its kind, and when it ends.

    ``202223`` is the academic year 2022/23 (ending 31 August 2023, or 31 March for a financial
    year); ``2023`` is the calendar year 2023. Periods sort by their end date.
    """

    text: str
    kind: str  # "academic", "financial" or "calendar"
    end: dt.date
    identifier: str = ""

    @property
    def label(self) -> str:
        """How a letter writes the period: ``2022/23`` or ``2023``."""
        return f"{self.text[:4]}/{self.text[4:]}" if len(self.text) == 6 else self.text

    @property
    def key(self) -> tuple[str, str]:
        """A sortable key: the end date, then the published text."""
        return (self.end.isoformat(), self.text)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.key < other.key

    def __str__(self) -> str:
        return self.label


@functools.lru_cache(maxsize=4096)  # a file repeats a handful of periods on every row
def parse_period(value: str | int, identifier: str = "") -> Period:
    """Parse ``2023``, ``202223``, ``2022/23`` or ``2022-23``; ``ValueError`` if none of these."""
    text = str(value).strip()
    split = re.fullmatch(r"(\d{4})[/-](\d{2})", text)
    if split:
        text = split.group(1) + split.group(2)
    ident = (identifier or "").strip()
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        if "financial" in ident.casefold():
            return Period(text, "financial", dt.date(year + 1, 3, 31), ident)
        return Period(text, "calendar", dt.date(year, 12, 31), ident or "Calendar year")
    if re.fullmatch(r"\d{6}", text) and (int(text[:4]) + 1) % 100 == int(text[4:]):
        year = int(text[:4])
        if "financial" in ident.casefold():
            return Period(text, "financial", dt.date(year + 1, 3, 31), ident)
        return Period(text, "academic", dt.date(year + 1, 8, 31), ident or "Academic year")
    raise ValueError(f"{quote(value)} is not a time period (expected a year such as 2023 or 202223)")


@dataclass(frozen=True)
class Observation:
    """One published value: a measure for one area in one period."""
    measure: str  # the column (EES) or indicator (long format) it was read from
    period: Period
    level: str  # National, Regional, Local authority (as published)
    code: str  # ONS code of the area (country, region or LA); may be empty for old LA-only files
    name: str
    value: float | None
    raw: str  # the cell as published, stripped (a code such as "x" when the value is missing)
    source: str  # file as the user should see it
    row: int  # spreadsheet row (header = 1)
    old_code: str = ""
    region_code: str = ""
    region_name: str = ""

    @property
    def is_local_authority(self) -> bool:
        return self.level == LOCAL_AUTHORITY


def parse_number(text: str, file: str, row: int, column: str) -> float | None:
    """A measure cell as a number, ``None`` for a missing-value code; InputError otherwise."""
    cell = str(text).replace("\u00a0", " ").strip()
    if cell.casefold() in MISSING_CODES:
        return None
    if _THOUSANDS.match(cell):
        cell = cell.replace(",", "")
    if not _NUMBER.match(cell):
        raise InputError(file, not_a_number(text), row, column)
    return float(cell)


def not_a_number(text: str) -> str:
    """What a message says of a measure cell that is neither a number nor a missing-value code."""
    return (f"{quote(text)} is not a number or a DfE missing-value code ({CODES_SHOWN}): write the "
            "figure, or the DfE code for a suppressed value (c)")


def is_number(text: str) -> bool:
    """Whether a cell reads as a number (stray spaces and thousands separators allowed)."""
    cell = str(text).replace("\u00a0", " ").strip()
    return bool(_NUMBER.match(cell) or _THOUSANDS.match(cell))


def shown_path(path: str | Path, root: str | Path | None = None) -> str:
    """A path as messages show it; the path as given when it cannot be resolved (a link loop)."""
    try:
        return display_path(path, root)
    except (OSError, RuntimeError):  # Path.resolve raises RuntimeError on a symbolic-link loop
        pass
    plain = Path(os.path.abspath(path))  # the same, with no link followed
    for base in (root, Path.cwd()):
        if base is not None and plain.is_relative_to(os.path.abspath(base)):
            return plain.relative_to(os.path.abspath(base)).as_posix()
    return Path(path).as_posix()


def _read_strings(path: Path, file: str) -> pd.DataFrame:
    regular_file(path, file)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(file, "file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(file, f"not a readable CSV file ({str(exc).splitlines()[0]})") from None
    except OSError as exc:
        raise InputError(file, f"cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.astype(object).map(lambda v: str(v).strip())


#: Filters choosing rows: ``{column: value}``, or ``[(column and its aliases, value and its aliases)]``.
Filters = Mapping[str, str] | Sequence[tuple[Sequence[str], Sequence[str]]]


def filter_specs(filters: Filters | None) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Filters as ``(column names, value names)`` pairs, the first name of each the main one."""
    if not filters:
        return []
    if isinstance(filters, Mapping):
        return [((str(k),), (str(v),)) for k, v in filters.items()]
    return [(tuple(names), tuple(values)) for names, values in filters]


def _value_key(value: str) -> str:
    """A filter value for matching: case and runs of spaces ignored."""
    return " ".join(str(value).split()).casefold()


@dataclass
class EESFile:
    """One EES open-data CSV, read as text, with its columns classified."""
    path: Path
    display: str
    frame: pd.DataFrame
    geography: dict[str, str]  # canonical name -> column as published
    measures: list[str]
    filters: list[str]
    periods: dict[int, Period] = field(default_factory=dict)  # frame index -> period
    _lists: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _areas: dict[int, _RowArea] = field(default_factory=dict, repr=False)

    def values(self, column: str) -> list[str]:
        """A column's cells as stripped text, by row position (cached)."""
        if column not in self._lists:
            self._lists[column] = [str(v) for v in self.frame[column].tolist()]
        return self._lists[column]

    def find_measure(self, names: Sequence[str]) -> str | None:
        """The measure column matching any of ``names`` (aliases allowed), or ``None``."""
        return find_column(self.measures + self.filters, names)

    def _col(self, key: str) -> str | None:
        return self.geography.get(key)

    def _cell(self, idx: int, key: str) -> str:
        column = self._col(key)
        return "" if column is None else self.values(column)[idx]

    def _area(self, idx: int) -> _RowArea:
        """Who a row is about (level, codes, names): the same for every measure, so worked out once."""
        area = self._areas.get(idx)
        if area is None:
            level = canonical_level(self._cell(idx, "geographic_level"))
            code, name = _area_identity(self, idx, level)
            area = self._areas[idx] = _RowArea(
                level, code, name, self._cell(idx, "old_la_code") if level == LOCAL_AUTHORITY else "",
                self._cell(idx, "region_code"), self._cell(idx, "region_name"))
        return area

    def filter_column(self, names: Sequence[str]) -> str | None:
        """The filter column matching any of ``names`` (aliases allowed), or ``None``."""
        return find_column(self.filters, names)

    def filter_values(self, column: str) -> list[str]:
        """The distinct values of a filter column, in file order."""
        return list(dict.fromkeys(self.values(column)))

    def unmatched_filter(self, filters: Filters) -> tuple[str, str, list[str]] | None:
        """``(column, wanted value, values present)`` for the first filter whose value (and every
        alias of it) is absent from its column, or ``None`` when every filter value is present."""
        for names, wanted in filter_specs(filters):
            column = self.filter_column(names)
            if column is None:
                continue
            present = self.filter_values(column)
            if not {_value_key(v) for v in wanted} & {_value_key(v) for v in present}:
                return column, wanted[0], present
        return None

    def _selected_rows(self, filters: Filters) -> pd.Index:
        mask = pd.Series(True, index=self.frame.index)
        chosen: dict[str, set[str]] = {}
        for names, wanted in filter_specs(filters):
            column = self.filter_column(names)
            if column is None:
                also = f" (or {', '.join(names[1:])})" if len(names) > 1 else ""
                raise InputError(self.display, f"no filter column {quote(names[0])}{also} in this file")
            chosen[column] = {_value_key(v) for v in wanted}
        for column in self.filters:
            values = self.frame[column].map(_value_key)
            choice = chosen.get(column)
            if choice is not None:
                mask &= values.isin(choice)
            elif (values == "total").any():
                mask &= values == "total"
            elif values.nunique() > 1:
                self._refuse_marks(column)
                raise InputError(
                    self.display,
                    "filter column has several values and no Total row; name the one to use",
                    column=column,
                )
        return self.frame.index[mask]

    def _refuse_marks(self, column: str) -> None:
        """InputError at the first cell that is not a number when ``column`` holds numbers in
        most of its cells: a measure with a mark such as ``<5`` or ``*`` in it, not a filter."""
        cells = [c for c in self.values(column) if c.replace("\u00a0", " ").strip().casefold() not in MISSING_CODES]
        numbers = sum(1 for c in cells if is_number(c))
        if not numbers or numbers * 2 < len(cells):
            return
        for idx, cell in enumerate(self.values(column)):
            parse_number(cell, self.display, idx + 2, column)

    def observations(self, column: str, filters: Filters | None = None,
                     measure: str | None = None) -> list[Observation]:
        """Every row's value of ``column`` (Total rows of other filters only), in file order.

        ``filters`` choose rows by filter column: ``{"sen_status": "EHC plan"}``, or pairs of
        (column names, value names) when the column and its value have aliases."""
        if column not in self.frame.columns:
            raise InputError(self.display, f"no column {quote(column)} in this file")
        if column in self.filters:  # text where numbers belong: name the first such cell
            for idx, cell in enumerate(self.values(column)):
                parse_number(cell, self.display, idx + 2, column)
        out: list[Observation] = []
        seen: dict[tuple[str, str, str, str], int] = {}
        cells = self.values(column)
        for idx in self._selected_rows(filters or {}):
            row = int(idx) + 2
            area = self._area(idx)
            period = self.periods[idx]
            key = (period.text, period.identifier, area.level.casefold(), area.code or area.name)
            if key in seen:
                raise InputError(self.display, f"a second row for {area.name or area.code} in {period.label} "
                                 f"(first at row {seen[key]}); add a filter to tell them apart", row)
            seen[key] = row
            raw = cells[idx]
            out.append(Observation(
                measure=measure or column, period=period, level=area.level, code=area.code, name=area.name,
                value=parse_number(raw, self.display, row, column), raw=raw, source=self.display,
                row=row, old_code=area.old_code, region_code=area.region_code, region_name=area.region_name,
            ))
        return out


@dataclass(frozen=True)
class _RowArea:
    level: str
    code: str
    name: str
    old_code: str
    region_code: str
    region_name: str


def _area_identity(ees: EESFile, idx: int, level: str) -> tuple[str, str]:
    if level == NATIONAL:
        return ees._cell(idx, "country_code"), ees._cell(idx, "country_name") or "England"
    if level == REGIONAL:
        return ees._cell(idx, "region_code"), ees._cell(idx, "region_name")
    if level == LOCAL_AUTHORITY:
        code = ees._cell(idx, "new_la_code")
        return ("" if code.casefold() in MISSING_CODES else code), ees._cell(idx, "la_name")
    # another level (district, constituency...): first *_code / *_name pair that is not region
    code = name = ""
    for column in ees.frame.columns:
        low = column.casefold()
        if low.endswith("_code") and not code and not low.startswith(("country", "region")):
            code = ees.values(column)[idx]
        if low.endswith("_name") and not name and not low.startswith(("country", "region")):
            name = ees.values(column)[idx]
    return code, name


def _is_geography(column: str, known: set[str]) -> bool:
    return column in known or column.casefold().endswith(_GEO_SUFFIXES)


def read_ees_csv(path: str | Path, root: str | Path | None = None) -> EESFile:
    """Read an EES open-data CSV; InputError if it lacks the geography columns or a bad period."""
    path = Path(path)
    file = shown_path(path, root)
    frame = _read_strings(path, file).reset_index(drop=True)
    columns = list(frame.columns)
    geography = {key: col for key, names in GEOGRAPHY_ALIASES.items()
                 if (col := find_column(columns, names)) is not None}
    missing = [key for key in REQUIRED_GEOGRAPHY if key not in geography]
    if missing:
        raise InputError(file, no_layout(columns, f"an EES open-data file without {', '.join(missing)}"))
    # An unqualified "la_code" holding ONS codes is the new code, not the old three-digit one.
    old = geography.get("old_la_code")
    if old and "new_la_code" not in geography and frame[old].str.match(r"^E\d{8}$").any():
        geography["new_la_code"] = geography.pop("old_la_code")
    levels = frame[geography["geographic_level"]].map(canonical_level)
    if (levels == LOCAL_AUTHORITY).any() and not (
            {"new_la_code", "old_la_code", "la_name"} & geography.keys()):
        raise InputError(file, "local authority rows but no new_la_code, old_la_code or la_name column")
    known = set(geography.values())
    measures: list[str] = []
    filters: list[str] = []
    for column in columns:
        if _is_geography(column, known):
            continue
        cells = frame[column].str.replace("\u00a0", " ").str.strip()
        present = cells[~cells.str.casefold().isin(MISSING_CODES)]
        numeric = present.str.fullmatch(_NUMBER.pattern) | present.str.fullmatch(_THOUSANDS.pattern)
        (measures if bool(numeric.all()) else filters).append(column)
    ees = EESFile(path, file, frame, geography, measures, filters)
    ident_col = geography.get("time_identifier")
    texts = ees.values(geography["time_period"])
    idents = ees.values(ident_col) if ident_col else [""] * len(texts)
    for idx, (text, ident) in enumerate(zip(texts, idents)):
        try:
            ees.periods[idx] = parse_period(text, ident)
        except ValueError as exc:
            raise InputError(file, str(exc), int(idx) + 2, geography["time_period"]) from None
    return ees


@dataclass
class LongFile:
    """A local long-format file: one row per indicator, period and area."""
    path: Path
    display: str
    rows: list[Observation]

    def find_measure(self, names: Sequence[str]) -> str | None:
        """The indicator name in this file matching any of ``names``, or ``None``."""
        return find_column(sorted({o.measure for o in self.rows}), names)

    def observations(self, column: str, filters: Filters | None = None,
                     measure: str | None = None) -> list[Observation]:
        """Rows of one indicator (``filters`` do not apply to long-format files)."""
        if measure is None or measure == column:
            return [o for o in self.rows if o.measure == column]
        return [_renamed(o, measure) for o in self.rows if o.measure == column]


def _renamed(obs: Observation, measure: str) -> Observation:
    from dataclasses import replace

    return replace(obs, measure=measure)


def _level_from_code(code: str) -> str:
    if code.startswith("E92"):
        return NATIONAL
    if code.startswith("E12"):
        return REGIONAL
    return LOCAL_AUTHORITY


def read_long_csv(path: str | Path, root: str | Path | None = None) -> LongFile:
    """Read a local long-format CSV (indicator, period, area_code, value, …)."""
    path = Path(path)
    file = shown_path(path, root)
    frame = _read_strings(path, file).reset_index(drop=True)
    cols = {key: find_column(list(frame.columns), [key]) for key in LONG_REQUIRED + LONG_OPTIONAL}
    missing = [key for key in LONG_REQUIRED if cols[key] is None]
    if missing:
        raise InputError(file, "a local measures file needs the columns " + ", ".join(LONG_REQUIRED)
                         + "; missing " + ", ".join(missing) + "; " + columns_found(list(frame.columns)))
    rows: list[Observation] = []
    seen: dict[tuple[str, str, str], int] = {}

    lists = {key: [str(v) for v in frame[col].tolist()] for key, col in cols.items() if col is not None}

    def cell(idx: int, key: str) -> str:
        return lists[key][idx] if key in lists else ""

    for idx in frame.index:
        row = int(idx) + 2
        indicator, code = cell(idx, "indicator"), cell(idx, "area_code")
        if not indicator:
            raise InputError(file, "no indicator", row, cols["indicator"])
        if not code:
            raise InputError(file, "no area code", row, cols["area_code"])
        try:
            period = parse_period(cell(idx, "period"))
        except ValueError as exc:
            raise InputError(file, str(exc), row, cols["period"]) from None
        key = (indicator, period.text, code)
        if key in seen:
            raise InputError(file, f"a second value for {indicator}, {period.label}, {code} "
                             f"(first at row {seen[key]})", row)
        seen[key] = row
        raw = cell(idx, "value")
        rows.append(Observation(
            measure=indicator, period=period, level=canonical_level(cell(idx, "geographic_level")) or _level_from_code(code),
            code=code, name=cell(idx, "area_name") or code,
            value=parse_number(raw, file, row, str(cols["value"])), raw=raw, source=file, row=row,
            old_code=cell(idx, "old_la_code"), region_code=cell(idx, "region_code"),
            region_name=cell(idx, "region_name"),
        ))
    return LongFile(path, file, rows)


@dataclass(frozen=True)
class AreaEntry:
    """One row of a DfE area lookup (``region_la_hierarchy.csv``): an LA and its codes.

    Joint rows ("E06000063 / E06000064") list every code; ``x``/``z`` codes are left out, so rows
    such as "Unknown" or "Outside of England" have no codes and :attr:`is_area` is false.
    """

    name: str
    codes: tuple[str, ...]
    old_codes: tuple[str, ...]
    region_code: str
    region_name: str
    row: int

    @property
    def is_area(self) -> bool:
        return bool(self.codes or self.old_codes) and bool(self.region_code)

    @property
    def joint(self) -> bool:
        return len(self.codes) > 1 or len(self.old_codes) > 1


@dataclass
class AreaLookup:
    """A lookup of local authorities with ONS codes, former codes and regions."""
    path: Path
    display: str
    entries: list[AreaEntry]

    def find_measure(self, names: Sequence[str]) -> str | None:
        """A lookup holds no measures."""
        return None

    def observations(self, column: str, filters: Filters | None = None,
                     measure: str | None = None) -> list[Observation]:
        """A lookup holds no observations."""
        return []


def _codes(cell: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in cell.split("/") if c.strip().casefold() not in MISSING_CODES)


def read_area_lookup(path: str | Path, root: str | Path | None = None) -> AreaLookup:
    """Read a DfE LA lookup (region_code, region_name, old_la_code, la_name, new_la_code)."""
    path = Path(path)
    file = shown_path(path, root)
    frame = _read_strings(path, file).reset_index(drop=True)
    needed = LOOKUP_REQUIRED
    cols = {key: find_column(list(frame.columns), GEOGRAPHY_ALIASES[key]) for key in needed + ("old_la_code",)}
    missing = [key for key in needed if cols[key] is None]
    if missing:
        raise InputError(file, "an area lookup needs the columns " + ", ".join(needed)
                         + "; missing " + ", ".join(missing) + "; " + columns_found(list(frame.columns)))

    lists = {key: [str(v) for v in frame[col].tolist()] for key, col in cols.items() if col is not None}

    def cell(idx: int, key: str) -> str:
        return lists[key][idx] if key in lists else ""

    entries = []
    for idx in frame.index:
        region = cell(idx, "region_code")
        entries.append(AreaEntry(
            name=cell(idx, "la_name"), codes=_codes(cell(idx, "new_la_code")),
            old_codes=_codes(cell(idx, "old_la_code")),
            region_code="" if region.casefold() in MISSING_CODES else region,
            region_name=cell(idx, "region_name"), row=int(idx) + 2,
        ))
    return AreaLookup(path, file, entries)


PerformanceSource = EESFile | LongFile | AreaLookup


def read_performance_file(path: str | Path, root: str | Path | None = None) -> PerformanceSource:
    """Read either layout, recognised from its header; InputError if it fits none of them.

    A header with ``time_period`` is an EES open-data file; with ``indicator`` and ``area_code``,
    a local measures file; with every area-lookup column and no ``geographic_level`` or
    ``time_identifier`` (an open-data file whose ``time_period`` was renamed has those), an area
    lookup. Anything else is refused with the columns it has and what each layout needs.
    """
    path = Path(path)
    file = shown_path(path, root)
    regular_file(path, file)
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline()
    except FileNotFoundError:
        raise InputError(file, "file not found") from None
    except UnicodeDecodeError:
        raise InputError(file, "not a readable CSV file (it is not UTF-8 text)") from None
    except OSError as exc:
        raise InputError(file, f"cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    columns = [c.strip().strip('"').strip() for c in header.strip().split(",")] if header.strip() else []
    if find_column(columns, GEOGRAPHY_ALIASES["time_period"]) is not None:
        return read_ees_csv(path, root)
    if find_column(columns, ["indicator"]) and find_column(columns, ["area_code"]):
        return read_long_csv(path, root)
    ees_like = [key for key in ("geographic_level", "time_identifier")
                if find_column(columns, GEOGRAPHY_ALIASES[key]) is not None]
    if not ees_like and all(find_column(columns, GEOGRAPHY_ALIASES[key]) for key in LOOKUP_REQUIRED):
        return read_area_lookup(path, root)
    if not columns:
        raise InputError(file, "not a readable CSV file (it is empty: no header row)")
    hint = (f"it has {', '.join(ees_like)} but no time_period, so it looks like an EES open-data file whose "
            "time_period column was renamed or removed" if ees_like else "")
    raise InputError(file, no_layout(columns, hint))


def read_performance_files(paths: Sequence[str | Path], root: str | Path | None = None) -> list[PerformanceSource]:
    """Read several files in order (the first file providing an indicator is the one used)."""
    return [read_performance_file(p, root) for p in paths]
