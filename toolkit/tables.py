"""Reading the tables reviewers fill in (CSV or XLSX) with row numbers kept for messages.

Every cell is read as text; callers parse and validate values themselves, so nothing is silently
coerced (a leading zero, a date, a code like ``z``). Rows are numbered as a spreadsheet user sees
them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import InputError

#: The longest text one cell may hold, whatever the source (CSV, XLSX, the capture app or its
#: Excel import): about 1,500 words, far more than any finding needs, and well under the CSV
#: reader's own field limit, so every source refuses the same text in the same words.
CELL_LIMIT = 10_000

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


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path, shown: str) -> Table:
    """Read a CSV (UTF-8, with or without BOM) or XLSX file (first sheet) as text cells."""
    if not path.is_file():
        raise InputError(shown, "file not found")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            raw = list(csv.reader(io.StringIO(text, newline="")))
        elif suffix in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                ws = wb.worksheets[0]
                raw = [[_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
            finally:
                wb.close()
        else:
            raise InputError(shown, f"unsupported file type '{suffix}' (use .csv or .xlsx)")
    except UnicodeDecodeError:
        raise InputError(shown, "not UTF-8 text (save the CSV as UTF-8)") from None
    except csv.Error as exc:
        raise InputError(shown, f"not a readable CSV file ({exc})") from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # what openpyxl raises for broken workbooks
        raise InputError(shown, f"cannot read the workbook ({exc.__class__.__name__}: {exc})") from None
    if not raw or not any(c.strip() for c in raw[0]):
        raise InputError(shown, "the file is empty: expected a header row", row=1)
    header = [_norm(h) for h in raw[0]]
    while header and not header[-1]:
        header.pop()
    seen: set[str] = set()
    for i, h in enumerate(header, start=1):
        if not h:
            raise InputError(shown, f"column {i} has no name", row=1)
        if h in seen:
            raise InputError(shown, "this column appears twice", row=1, column=h)
        seen.add(h)
    rows = []
    for n, cells in enumerate(raw[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue  # blank lines are ignored
        extra = [c for c in cells[len(header):] if str(c).strip()]
        if extra:
            raise InputError(shown, f"more cells than columns in the header ({len(cells)})", row=n)
        values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
        rows.append(Row(n, values))
    return Table(shown, tuple(header), tuple(rows))


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
