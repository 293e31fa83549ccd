"""What ``peer-review indicators FILE`` prints without ``--authority``: the measure columns of
each open-data file, the catalogue indicator (if any) that reads each one, and a catalogue entry
to start from for every measure no indicator reads, as YAML that is itself a catalogue file.

The entries are guesses to be checked: the unit comes from the column's name (``_pc``,
``_rate``, ``percent``: a percentage) and its values (whole numbers: a count), the polarity is
neutral, and the publication is named after the file until the user writes its real title. The
template (``toolkit/catalogue/starter.yaml.j2``) holds every word of the output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from toolkit.analysis.indicators import CATALOGUE_PATH, Catalogue
from toolkit.inputs.ees import EESFile
from toolkit.inputs.observations import parse_number
from toolkit.inputs.performance import PerformanceSource
from toolkit.inputs.performance_columns import normalise_name

_TEMPLATE = CATALOGUE_PATH.parent / "starter.yaml.j2"
_PERCENT = re.compile(r"(^|_)(pc|pct|percent|percentage|rate|prop)($|_)", re.IGNORECASE)
_ID = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True)
class Measure:
    column: str
    indicator: str | None  # the id of the catalogue indicator that reads it


@dataclass(frozen=True)
class FileMeasures:
    name: str  # the file's name (no folder: the output is the same wherever the file is)
    measures: tuple[Measure, ...]
    filters: tuple[str, ...]


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True,  # YAML, not HTML
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    return env.from_string(_TEMPLATE.read_text(encoding="utf-8"))


def _reader(catalogue: Catalogue, column: str) -> str | None:
    key = normalise_name(column)
    return next((i.id for i in catalogue.indicators if key in {normalise_name(n) for n in i.source.names}), None)


def _unit(source: EESFile, column: str) -> tuple[str, int]:
    """A guess at the unit and decimals from the column's name and its values."""
    if _PERCENT.search(column):
        return "percent", 1
    numbers = [parse_number(v, source.display, 0, column) for v in source.values(column)]
    whole = all(n is None or float(n).is_integer() for n in numbers)
    return ("count", 0) if whole else ("rate", 2)


def _filters(source: EESFile) -> dict[str, str]:
    """Each filter column held at its ``Total`` row where it has one, else at its first value."""
    out = {}
    for column in source.filters:
        values = source.filter_values(column)
        out[column] = next((v for v in values if v.strip().casefold() == "total"), values[0] if values else "Total")
    return out


def _stem_pattern(path: Path) -> str:
    stem = re.sub(r"[\d_\-]+$", "", path.stem) or path.stem
    return f"{stem}*{path.suffix.lower()}"


def starter(sources: Sequence[PerformanceSource], catalogue: Catalogue) -> str:
    """The listing and the catalogue entries to start from, as YAML (see the module's doc)."""
    files: list[FileMeasures] = []
    entries: list[dict[str, Any]] = []
    taken = set(catalogue.ids)
    for source in sources:
        if not isinstance(source, EESFile):
            continue
        measures = tuple(Measure(m, _reader(catalogue, m)) for m in source.measures)
        files.append(FileMeasures(source.path.name, measures, tuple(source.filters)))
        filters = _filters(source)
        for m in measures:
            if m.indicator is not None:
                continue
            ident = _ID.sub("_", m.column.casefold()).strip("_") or "measure"
            ident = ident if ident[0].isalpha() else f"m_{ident}"
            while ident in taken:
                ident += "_2"
            taken.add(ident)
            unit, decimals = _unit(source, m.column)
            entries.append({"id": ident, "title": m.column, "unit": unit, "decimals": decimals,
                            "files": _stem_pattern(source.path), "column": m.column,
                            "publication": source.path.stem, "filters": filters})
    return _template().render(files=files, entries=entries)
