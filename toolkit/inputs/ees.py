"""DfE Explore Education Statistics (EES) open-data CSVs, as published.

One row per time period and geography, geography columns in any order (``time_period``,
``time_identifier``, ``geographic_level``, ``country_*``, ``region_*``, ``new_la_code``,
``old_la_code``, ``la_name``…), one column per measure and optionally *filter* columns (text
categories, usually with a ``Total`` row). :func:`read_ees_csv` classifies the columns;
:meth:`EESFile.observations` gives one measure's values, row by row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.errors import InputError
from toolkit.inputs.observations import (
    LOCAL_AUTHORITY,
    MISSING_CODES,
    NATIONAL,
    NUMBER,
    REGIONAL,
    THOUSANDS,
    Observation,
    Period,
    canonical_level,
    is_number,
    parse_number,
    parse_period,
)
from toolkit.inputs.performance_columns import (
    GEOGRAPHY_ALIASES,
    REQUIRED_GEOGRAPHY,
    Filters,
    filter_specs,
    find_column,
    no_layout,
    read_strings,
    shown_path,
)
from toolkit.inputs.privacy import quote

_GEO_SUFFIXES = ("_code", "_name", "_urn", "_ukprn", "_laestab", "_id")


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
    #: observations already read, by column, filters and measure: every review of a round (or a
    #: batch worker) over the same DfE file asks for the same indicators
    _observed: dict[str, tuple[Observation, ...]] = field(default_factory=dict, repr=False)

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
        (column names, value names) when the column and its value have aliases. Read once per
        file and question (a problem is raised each time, never kept)."""
        key = repr((column, filter_specs(filters), measure))
        if key not in self._observed:
            self._observed[key] = tuple(self._observations(column, filters, measure))
        return list(self._observed[key])

    def _observations(self, column: str, filters: Filters | None, measure: str | None) -> list[Observation]:
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
    frame = read_strings(path, file).reset_index(drop=True)
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
        numeric = present.str.fullmatch(NUMBER.pattern) | present.str.fullmatch(THOUSANDS.pattern)
        (measures if bool(numeric.all()) else filters).append(column)
    ees = EESFile(path, file, frame, geography, measures, filters)
    ident_col = geography.get("time_identifier")
    texts = ees.values(geography["time_period"])
    idents = ees.values(ident_col) if ident_col else [""] * len(texts)
    for idx, (text, ident) in enumerate(zip(texts, idents, strict=True)):
        try:
            ees.periods[idx] = parse_period(text, ident)
        except ValueError as exc:
            raise InputError(file, str(exc), int(idx) + 2, geography["time_period"]) from None
    return ees
