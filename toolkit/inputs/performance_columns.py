"""The columns of performance files: their names across releases, the layouts they make, and
reading a file as text.

Every file is read with ``dtype=str`` (:func:`read_strings`) and converted by the reader of its
layout, so nothing is coerced silently. Column names match whatever their case, spaces,
underscores and hyphens (:func:`find_column`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from toolkit.errors import InputError, display_path
from toolkit.inputs.files import regular_file
from toolkit.inputs.limits import check_performance_shape
from toolkit.inputs.privacy import quote

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


def shown_path(path: str | Path, root: str | Path | None = None) -> str:
    """A path as messages and tables show it: relative to ``root`` when inside it; a file outside
    ``root`` by its name only, so no path of the machine reaches a notebook or a letter (without
    ``root``: relative to the working folder, else as given). The path as given when it cannot be
    resolved (a link loop)."""
    if root is not None:
        plain = Path(os.path.abspath(path))
        try:
            inside = Path(path).resolve().is_relative_to(Path(root).resolve())
        except (OSError, RuntimeError):  # Path.resolve raises RuntimeError on a symbolic-link loop
            inside = plain.is_relative_to(os.path.abspath(root))
        if not inside:
            return plain.name
    try:
        return display_path(path, root)
    except (OSError, RuntimeError):
        pass
    plain = Path(os.path.abspath(path))  # the same, with no link followed
    for base in (root, Path.cwd()):
        if base is not None and plain.is_relative_to(os.path.abspath(base)):
            return plain.relative_to(os.path.abspath(base)).as_posix()
    return Path(path).as_posix()


def read_strings(path: Path, file: str) -> pd.DataFrame:
    regular_file(path, file)
    check_performance_shape(path, file)
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
