"""DfE's published statistical neighbours, read from the workbook the user downloaded.

DfE publishes each authority's ten statistical neighbours in its Children's Services Statistical
Neighbour Benchmarking Tool (``sn_may_2025.xlsx``, sheet ``LA SN Groups``): a header row
``LA num, LA Name, ..., SN1, SNP, SN2, SNP, ... SN10, SNP``, then one row an authority, its
neighbours by old three-digit LA number, closest first. The same sheet saved as CSV reads the
same. The toolkit ships none of it: the user points ``performance.neighbours_file`` (or
``peer-review new --neighbours-file``) at their copy.

Rows end at the first empty row after the header (the sheet's "Old SNs" block of authorities
reorganised away follows it).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from toolkit.errors import InputError, display_path
from toolkit.inputs.authorities import Authorities, message

SHEET = "LA SN Groups"
_LA = re.compile(r"^\d{3}$")
_RANK = re.compile(r"^SN(\d+)$", re.IGNORECASE)


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _sheet_rows(path: Path) -> Iterator[list[str]]:
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        import openpyxl  # only where a workbook is read: it costs a second to import

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
            for row in sheet.iter_rows(values_only=True):
                yield [_cell(v) for v in row]
        finally:
            book.close()
    else:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                yield [c.strip() for c in row]


def _table(rows: Iterable[list[str]]) -> dict[str, tuple[str, ...]]:
    header: list[str] | None = None
    table: dict[str, tuple[str, ...]] = {}
    for row in rows:
        if header is None:
            if row and row[0].casefold() == "la num" and any(_RANK.match(c) for c in row):
                header = row
            continue
        if not any(row):
            break
        if not row or not _LA.match(row[0]):
            continue
        ranked = sorted((int(m.group(1)), row[i]) for i, c in enumerate(header)
                        if (m := _RANK.match(c)) and i < len(row) and _LA.match(row[i]))
        table[row[0]] = tuple(code for _, code in ranked)
    return table


def read_neighbours_file(path: Path, root: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Each authority's neighbours (old LA numbers, closest first) by its old LA number; raise
    :class:`InputError` in one line for a file that is absent or not in DfE's layout."""
    shown = display_path(path, root)
    if not path.is_file():
        raise InputError(shown, message("neighbours_file_missing"), column="performance.neighbours_file")
    try:
        table = _table(_sheet_rows(path))
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, ValueError) as exc:
        raise InputError(shown, message("neighbours_file_bad", problem=exc.__class__.__name__),
                         column="performance.neighbours_file") from None
    if not table:
        raise InputError(shown, message("neighbours_file_bad", problem=message("neighbours_file_no_header")),
                         column="performance.neighbours_file")
    return table


def published_neighbours(la_code: str, table: dict[str, tuple[str, ...]], authorities: Authorities,
                         where: str) -> tuple[str, ...]:
    """The neighbours of the authority with old LA number ``la_code``, closest first, as ONS codes
    where ``authorities`` knows them (else as their old LA numbers, which the performance files
    also carry); raise :class:`InputError` for an authority the file has no row for."""
    found = table.get(la_code.strip())
    if not found:
        raise InputError(where, message("neighbours_none", code=la_code), column="performance.neighbours")
    codes = []
    for n in found:
        a = authorities.by_la_code(n)
        codes.append(a.ons_code if a is not None and a.current else n)
    return tuple(codes)
