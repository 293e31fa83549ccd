"""Read performance data: recognise a file's layout from its header and read it.

Three layouts are read:

* **EES open data** as published (:mod:`toolkit.inputs.ees`).
* **Local long format**: ``indicator, period, area_code, value`` with optional ``area_name``,
  ``geographic_level``, ``old_la_code``, ``region_code`` and ``region_name``.
* **An area lookup** (DfE's ``region_la_hierarchy.csv``): local authorities with their ONS
  codes, former codes and regions.

Every file is read with ``dtype=str`` and converted, so nothing is coerced silently: the
DfE codes ``z``, ``x``, ``c``, ``u``, ``low``, ``:`` (and ``..``, ``~``, ``k``) and empty cells
become missing values that remember their code; numbers may carry stray spaces; any other text
in a measure is an :class:`~toolkit.errors.InputError` naming the file, row and column
(:mod:`toolkit.inputs.observations`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit.errors import InputError
from toolkit.inputs.cache import Cache
from toolkit.inputs.ees import EESFile, read_ees_csv
from toolkit.inputs.files import regular_file
from toolkit.inputs.observations import (
    LOCAL_AUTHORITY,
    MISSING_CODES,
    NATIONAL,
    REGIONAL,
    Observation,
    canonical_level,
    parse_number,
    parse_period,
)
from toolkit.inputs.performance_columns import (
    GEOGRAPHY_ALIASES,
    LONG_OPTIONAL,
    LONG_REQUIRED,
    LOOKUP_REQUIRED,
    Filters,
    columns_found,
    find_column,
    no_layout,
    read_strings,
    shown_path,
)


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
    frame = read_strings(path, file).reset_index(drop=True)
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
            measure=indicator, period=period,
            level=canonical_level(cell(idx, "geographic_level")) or _level_from_code(code),
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
    frame = read_strings(path, file).reset_index(drop=True)
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


def read_performance_files(paths: Sequence[str | Path], root: str | Path | None = None,
                           hashes: Sequence[str] | None = None) -> list[PerformanceSource]:
    """Read several files in order (the first file providing an indicator is the one used).

    With ``hashes`` (the sha256 of each file's bytes, just read), a file this process has
    already read with the same content, path and shown name is not parsed again: a batch worker
    reads the shared DfE files once. A file that cannot be read is never kept."""
    if hashes is None:
        return [read_performance_file(p, root) for p in paths]
    out = []
    for path, digest in zip(paths, hashes, strict=True):
        key = "\0".join((os.path.abspath(path), shown_path(path, root), digest))
        source = PARSED.get_memory(key)
        if source is None:
            source = read_performance_file(path, root)
            PARSED.put_memory(key, source)
        out.append(source)
    return out


#: Files parsed in this process, by path, shown name and content hash (the parsers' code cannot
#: change while the process runs).
PARSED = Cache("parsed", memory_entries=32)
