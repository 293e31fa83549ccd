"""How large an input may be, checked before it is parsed (docs/inputs.md, "Size limits").

A review's inputs are small: a team records tens to a few hundred findings, and the largest real
DfE open-data file a review reads (SEN2, every authority over nine years) is half a megabyte. A file
many times larger is a mistake or an attack, and parsing it first would take minutes and gigabytes
before saying so. So every reader checks, before it parses:

* the file's size in bytes (:func:`check_size`, called by :func:`toolkit.inputs.files.regular_file`
  for every input, by the limit of its kind: :func:`byte_limit`);
* for a workbook (XLSX), the size of its parts once inflated (a zip bomb is a few megabytes that
  inflate to gigabytes) and each sheet's declared dimension (one cell at XFD1048576 makes a
  sheet of 17 billion cells) (:func:`check_workbook`), and after loading, the cells it really holds
  (:func:`check_sheet_extent`);
* rows and columns as the table is read (:data:`TABLE_ROWS`, :data:`TABLE_COLUMNS`), and for
  performance data before pandas reads it (:func:`check_performance_shape`).

Each refusal is one line naming the file, the limit and what to do.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from toolkit.errors import InputError

MB = 1024 * 1024

#: A parameters file, a review's catalogue, an audit or progress file in YAML.
YAML_BYTES = 5 * MB
#: A CSV file: findings, checklists, audits, plans, timetables, progress marks, performance data
#: (40 times the real SEN2 file; a 50 MB performance file takes about 45 s to read on a loaded
#: two-core machine, this one under 20 s).
CSV_BYTES = 20 * MB
#: A workbook (XLSX) as saved, and the total of its parts once inflated. openpyxl reads about
#: 6,000 cells a second on a loaded two-core machine, and a table is read twice (values, then
#: formulas): a capture workbook of 200 findings is under 1 MB inflated.
WORKBOOK_BYTES = 10 * MB
WORKBOOK_INFLATED_BYTES = 10 * MB
#: A JSON file (a kept report's manifest, the capture app's files).
JSON_BYTES = 20 * MB
#: One file of a letter style: a template, the stylesheet, its words.
TEMPLATE_BYTES = 1 * MB
#: The deck's template (slides.pptx) and any other file.
OTHER_BYTES = 50 * MB

#: Data rows of one table (findings, checklist, audit, plan, timetable, progress), and its columns.
TABLE_ROWS = 10_000
TABLE_COLUMNS = 200
#: Cells of one sheet of a workbook, counted over its declared or real extent (rows x columns).
SHEET_CELLS = 150_000
#: Findings of one review, over all its files.
REVIEW_FINDINGS = 5_000
#: Rows and columns of one performance-data file (DfE open data, local measures, an area lookup).
PERFORMANCE_ROWS = 1_000_000
PERFORMANCE_COLUMNS = 1_000

_BY_SUFFIX = {".yaml": YAML_BYTES, ".yml": YAML_BYTES, ".csv": CSV_BYTES, ".xlsx": WORKBOOK_BYTES,
              ".xlsm": WORKBOOK_BYTES, ".json": JSON_BYTES, ".j2": TEMPLATE_BYTES, ".css": TEMPLATE_BYTES}


def byte_limit(path: Path) -> int:
    """The most bytes a file of ``path``'s kind may hold (by its suffix)."""
    return _BY_SUFFIX.get(path.suffix.lower(), OTHER_BYTES)


def _size(n: int) -> str:
    return f"{n / MB:,.1f} MB" if n >= MB else f"{n:,} bytes"


def check_size(path: Path, shown: str, limit: int | None = None) -> None:
    """Refuse a file larger than ``limit`` bytes (by default its kind's) before it is read."""
    limit = byte_limit(path) if limit is None else limit
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says why it cannot be read
    if size > limit:
        raise InputError(shown, f"the file is {_size(size)}; an input of this kind may be at most {_size(limit)} "
                         "(docs/inputs.md, 'Size limits'): check it is the right file, or split it into smaller "
                         "ones")


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{0,3})(\d*)(?::([A-Z]{1,3})(\d+))?\"")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _too_big(shown: str, where: str, rows: int, columns: int) -> InputError | None:
    if rows > TABLE_ROWS + 1 or columns > TABLE_COLUMNS or rows * columns > SHEET_CELLS:
        return InputError(shown, f"{where} spans {rows:,} rows and {columns:,} columns; a sheet may have at most "
                          f"{TABLE_ROWS + 1:,} rows (with its header), {TABLE_COLUMNS} columns and "
                          f"{SHEET_CELLS:,} cells: delete the rows and columns below and to the right of the table "
                          "(select them, then Delete), save, and try again")
    return None


def check_workbook(path: Path, shown: str, *, dimensions: bool = True) -> None:
    """Refuse a workbook whose parts inflate beyond :data:`WORKBOOK_INFLATED_BYTES`, or (with
    ``dimensions``) whose sheet declares a dimension beyond the table limits, before any parser
    reads it. A zip member's declared size is what Python's zip reader will inflate at most, so
    the total is a bound."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            inflated = sum(m.file_size for m in members)
            if inflated > WORKBOOK_INFLATED_BYTES:
                raise InputError(shown, f"the workbook's parts inflate to {_size(inflated)}; a workbook may hold at "
                                 f"most {_size(WORKBOOK_INFLATED_BYTES)} once unzipped (docs/inputs.md, 'Size "
                                 "limits'): save the table alone in a new workbook, or as CSV")
            for member in members if dimensions else ():
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    with archive.open(member) as fh:
                        head = fh.read(64 * 1024)
                    found = _DIMENSION.search(head)
                    if found is None or not found[4]:
                        continue
                    rows = int(found[4])
                    columns = _column_number(found[3].decode("ascii"))
                    problem = _too_big(shown, f"a sheet ({Path(member.filename).stem})", rows, columns)
                    if problem is not None:
                        raise problem
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return  # not a readable zip: the workbook reader says so in its own words


def check_sheet_extent(shown: str, title: str, rows: int, columns: int) -> None:
    """Refuse a loaded sheet whose cells reach beyond the table limits, before its rows are read."""
    problem = _too_big(shown, f"the sheet '{title}'", rows, columns)
    if problem is not None:
        raise problem


def check_performance_shape(path: Path, shown: str) -> None:
    """Refuse a performance-data file with more rows or columns than a review can use, counted
    before pandas parses it (its lines, and the commas of its header)."""
    try:
        with path.open("rb") as fh:
            header = fh.readline(1 * MB)
            lines = 1 + sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(4 * MB), b""))
    except OSError:
        return
    columns = header.count(b",") + 1
    if columns > PERFORMANCE_COLUMNS:
        raise InputError(shown, f"the header names {columns:,} columns; a performance-data file may have at most "
                         f"{PERFORMANCE_COLUMNS:,}: keep the columns the review uses", row=1)
    if lines > PERFORMANCE_ROWS + 1:
        raise InputError(shown, f"the file has {lines - 1:,} rows; a performance-data file may have at most "
                         f"{PERFORMANCE_ROWS:,}: keep the rows of the geographic levels and years the review "
                         "compares (national, regional and local authority)")
