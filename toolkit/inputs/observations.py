"""One published value of performance data, and how its cells are read.

An :class:`Observation` is a measure for one area in one period. Its cells are converted here:
the period (:func:`parse_period`: ``2023``, ``202223``, ``2022/23``), the geographic level
(:func:`canonical_level`) and the value (:func:`parse_number`), where the DfE codes ``z``,
``x``, ``c``, ``u``, ``low``, ``:`` (and ``..``, ``~``, ``k``) and empty cells become missing
values that remember their code; any other text is an :class:`~toolkit.errors.InputError`
naming the file, row and column.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from toolkit.errors import InputError
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

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


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
        # the same order as ``key`` (dates compare as their ISO text does), without building it:
        # a comparison of every authority sorts periods hundreds of thousands of times
        return (self.end, self.text) < (other.end, other.text)

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
    raise ValueError(f"{quote(value)} is not a time period: write a year such as 2023, or an academic "
                     "year such as 202223")


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
    if THOUSANDS.match(cell):
        cell = cell.replace(",", "")
    if not NUMBER.match(cell):
        raise InputError(file, not_a_number(text), row, column)
    return float(cell)


def not_a_number(text: str) -> str:
    """What a message says of a measure cell that is neither a number nor a missing-value code."""
    return (f"{quote(text)} is not a number or a DfE missing-value code ({CODES_SHOWN}): write the "
            "figure, or the DfE code for a suppressed value (c)")


def is_number(text: str) -> bool:
    """Whether a cell reads as a number (stray spaces and thousands separators allowed)."""
    cell = str(text).replace("\u00a0", " ").strip()
    return bool(NUMBER.match(cell) or THOUSANDS.match(cell))
