"""Reading the tables reviewers fill in (CSV or XLSX) with row numbers kept for messages.

Every cell is read as text; callers parse and validate values themselves, so nothing is silently
coerced (a leading zero, a date, a code like ``z``). Rows are numbered as a spreadsheet user sees
them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import difflib
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import InputError
from toolkit.inputs.files import regular_file
from toolkit.inputs.limits import TABLE_COLUMNS, TABLE_ROWS, check_sheet_extent, check_workbook
from toolkit.inputs.privacy import quote
from toolkit.inputs.screening import shown_header
from toolkit.inputs.xlsx import formula_of, message, reads_other_workbook

#: The longest text one cell may hold, whatever the source (CSV, XLSX, the capture app or its
#: Excel import): about 1,500 words, far more than any finding needs, and well under the CSV
#: reader's own field limit, so every source refuses the same text in the same words.
CELL_LIMIT = 10_000
# The CSV reader's own limit (128 KiB) would refuse a long cell in other words than CELL_LIMIT's.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

TRUE_WORDS = {"yes", "y", "true", "1", "x", "✓"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


@dataclass(frozen=True)
class Table:
    file: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def _norm(header: object) -> str:
    return " ".join(str(header or "").strip().lower().replace("_", " ").split()).replace(" ", "_")


def column_key(header: object) -> str:
    """A header as the readers match it: lower case, spaces and underscores alike ("Edited by" is
    ``edited_by``)."""
    return _norm(header)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _check_shape(shown: str, row: int, cells: int) -> None:
    """Refuse a table once it passes :data:`TABLE_ROWS` rows or :data:`TABLE_COLUMNS` columns."""
    if row > TABLE_ROWS + 1:
        raise InputError(shown, f"the table has more than {TABLE_ROWS:,} rows, the most one table may hold "
                         "(docs/inputs.md, 'Size limits'): check it is the right file, or split it", row=row)
    if cells > TABLE_COLUMNS:
        raise InputError(shown, f"this row has {cells:,} cells; a table may have at most {TABLE_COLUMNS} columns "
                         "(docs/inputs.md, 'Size limits'): remove the extra cells", row=row)


def _read_csv(path: Path, shown: str) -> list[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    if "\x00" in text:
        raise InputError(shown, "holds NUL characters, so it is not a CSV text file: save it again as CSV (UTF-8)")
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            _check_shape(shown, len(rows) + 1, len(cells))
            rows.append(cells)
    except csv.Error as exc:
        row = len(rows) + 1
        if "unexpected end of data" in str(exc):
            # Read leniently to find the cell the open quote starts (it swallowed the rest).
            lenient = list(csv.reader(io.StringIO(text, newline="")))
            last = lenient[len(rows)] if len(lenient) > len(rows) else []
            header = [_norm(h) for h in (rows[0] if rows else [])]
            where = next((i for i, c in enumerate(last) if "\n" in c or "\r" in c), len(last) - 1)
            column = header[where] if 0 <= where < len(header) else None
            raise InputError(shown, "a quote (\") opens this cell and is never closed, so the rest of the "
                             "file would be read into it: close the quote, or remove it", row=row,
                             column=column) from None
        raise InputError(shown, "a quote (\") inside a cell is not written as CSV expects: put the whole cell "
                         "in quotes and write each quote inside it twice (\"\")", row=row) from None
    return rows


def _read_xlsx(path: Path, shown: str, sheet: str | None) -> tuple[list[list[str]], list[InputError]]:
    """The cells of the sheet named ``sheet`` (any case), else of the first visible sheet."""
    import openpyxl  # only where a workbook is read: it costs a quarter of a second to import

    check_workbook(path, shown)  # a zip bomb or a sheet of billions of cells, before openpyxl reads it
    values = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path, data_only=False)
    try:
        visible = [ws for ws in values.worksheets if ws.sheet_state == "visible"]
        named = [ws for ws in values.worksheets if sheet is not None and ws.title.lower() == sheet.lower()]
        if named:
            ws = named[0]
            if ws.sheet_state != "visible":
                raise InputError(shown, f"the sheet {quote(ws.title)} is hidden: unhide it in the spreadsheet "
                                 "if it is the one to read, or delete it")
        elif visible:
            ws = visible[0]
        else:
            raise InputError(shown, "every sheet of this workbook is hidden: unhide the sheet to read")
        fws = formulas[ws.title]
        check_sheet_extent(shown, ws.title, ws.max_row, ws.max_column)
        merged = [InputError(shown, f"cells {m.coord} are merged: unmerge them and fill in each cell",
                             row=m.min_row, column=_column_letter(m.min_col))
                  for m in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))]
        raw: list[list[str]] = []
        for vrow, frow in zip(ws.iter_rows(), fws.iter_rows(), strict=False):
            cells = []
            for vc, fc in zip(vrow, frow, strict=False):
                formula = formula_of(fc)
                if formula is not None and reads_other_workbook(formula):
                    raise InputError(shown, message("formula_external", formula=quote(formula)), row=vc.row,
                                     column=_column_letter(vc.column))
                if vc.data_type == "e":  # #REF!, #NAME?: never read as what someone typed
                    raise InputError(shown, message("error_value", value=quote(vc.value)), row=vc.row,
                                     column=_column_letter(vc.column))
                if vc.value is None and isinstance(fc.value, str) and fc.value.startswith("="):
                    raise InputError(shown, "a formula with no saved value (the workbook was last saved "
                                     "by a program that does not calculate): open it in a spreadsheet, "
                                     "save it again, or type the value", row=vc.row,
                                     column=_column_letter(vc.column))
                cells.append(_cell(vc.value))
            raw.append(cells)
        return raw, merged
    finally:
        values.close()
        formulas.close()


def check_header_row(raw: list[list[str]], shown: str, expected: Sequence[str]) -> None:
    """Refuse a file whose first row is not its header: empty, blank or a title above it."""
    nonblank = [i for i, cells in enumerate(raw) if any(str(c).strip() for c in cells)]
    if not nonblank:
        raise InputError(shown, "the file is empty: expected a header row", row=1)
    first = nonblank[0]
    wanted = set(expected)
    header_at = next((i for i in nonblank[:10] if wanted & {_norm(c) for c in raw[i]}), None) if wanted else first
    if header_at is None:
        header_at = first
    if header_at != 0:
        names = ", ".join(expected[:4])
        if first == header_at:
            raise InputError(shown, f"row 1 is blank and the header row is row {header_at + 1}: "
                             f"delete the blank rows above the header", row=1)
        raise InputError(shown, f"row {first + 1} looks like a title above the header (the header row, "
                         f"with {names}, is row {header_at + 1}): delete the rows above the header",
                         row=first + 1)


def read_table(path: Path, shown: str, *, sheet: str | None = None,
               expected: Sequence[str] = ()) -> Table:
    """Read a CSV (UTF-8, with or without BOM) or XLSX file as text cells.

    A workbook is read from the sheet named ``sheet`` (any case) when it has one, else from its
    first visible sheet; a hidden sheet is never read. ``expected`` (column names the file should
    have) lets a title or blank row above the header be named as what it is. Every cell is
    checked against :data:`CELL_LIMIT`; a workbook cell whose formula reads another workbook, or
    that holds a spreadsheet error (``#REF!``), is refused with its row and column.
    """
    regular_file(path, shown)
    suffix = path.suffix.lower()
    merged: list[InputError] = []
    try:
        if suffix == ".csv":
            raw = _read_csv(path, shown)
        elif suffix in (".xlsx", ".xlsm"):
            raw, merged = _read_xlsx(path, shown, sheet)
        else:
            raise InputError(shown, f"unsupported file type {quote(suffix)} (use .csv or .xlsx)")
    except UnicodeDecodeError:
        raise InputError(shown, "not UTF-8 text (save the CSV as UTF-8)") from None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:  # openpyxl on a broken workbook
        raise InputError(shown, f"cannot read the workbook ({exc.__class__.__name__}): save it again from "
                         "a spreadsheet program as .xlsx") from None
    check_header_row(raw, shown, expected)
    if merged:
        raise merged[0]
    header = [_norm(h) for h in raw[0]]
    while header and not header[-1]:
        header.pop()
    seen: set[str] = set()
    for i, h in enumerate(header, start=1):
        if not h:
            raise InputError(shown, f"column {i} has no name: give it a header or delete it", row=1)
        if len(h) > 60:
            raise InputError(shown, f"column {i}'s header is {len(h)} characters long, which no column "
                             "name is: is row 1 the header row?", row=1)
        if h in seen:
            raise InputError(shown, "this column appears twice: delete one of them, or rename it", row=1,
                             column=shown_header(h))
        seen.add(h)
    rows = []
    for n, cells in enumerate(raw[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue  # blank lines are ignored
        extra = [c for c in cells[len(header):] if str(c).strip()]
        if extra:
            raise InputError(shown, f"this row has {len(cells)} cells but the header names {len(header)} columns: "
                             "remove the extra cells, or put text holding commas in quotes", row=n)
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
        for h, v in values.items():
            if len(v) > CELL_LIMIT:
                raise InputError(shown, f"this cell holds {len(v):,} characters; the limit for one cell is "
                                 f"{CELL_LIMIT:,}: shorten it or split the finding", row=n, column=h)
        rows.append(Row(n, values))
    return Table(shown, tuple(header), tuple(rows))


def header_errors(table: Table, known: Sequence[str], required: Sequence[str],
                  aliases: Mapping[str, str] | None = None) -> list[InputError]:
    """A line per column the reader does not know (its header quoted as the personal-data screen
    allows, with the nearest known name) and per required column missing, each saying what to do."""
    aliases = aliases or {}
    names = [aliases.get(c, c) for c in table.columns]
    errors = []
    for header, name in zip(table.columns, names, strict=True):
        if name in known:
            continue
        close = difflib.get_close_matches(header, known, n=1, cutoff=0.7)
        fix = (f"did you mean {close[0]}? Rename it" if close else
               f"rename it to one of {', '.join(known)} (docs/inputs.md), or delete the column")
        errors.append(InputError(table.file, f"unknown column: {fix}", row=1, column=shown_header(header)))
    errors += [InputError(table.file, f"required column missing: add a column headed {c}", row=1, column=c)
               for c in required if c not in names]
    return errors


def parse_bool(value: str, default: bool) -> bool | None:
    """yes/no style flags; ``None`` when the word is not recognised."""
    v = value.strip().lower()
    if v == "":
        return default
    if v in TRUE_WORDS:
        return True
    if v in FALSE_WORDS:
        return False
    return None
