"""Change a findings file in place (CSV or XLSX), keeping its layout: the absorb's writes.

A coordinator's edits to letter.docx are written back to the file each finding was read from
(:mod:`toolkit.capture.absorb_write`), which may be a reviewer's own CSV or workbook, so the
file must come back as its owner left it, apart from the cells that changed:

* **CSV**: every record that does not change keeps its bytes (quoting, spacing, line endings,
  a byte-order mark); a changed record is written again with the CSV writer and its own line
  ending; the header keeps its names and gains at the end any column the change needs
  (``include``, ``order``, ``edited_by`` ...). New findings are appended with the header's line
  ending.
* **XLSX**: the workbook is opened with openpyxl and only the changed cells are set (as text,
  never as a formula: :func:`toolkit.inputs.xlsx.set_text`); styles, column widths, data
  validations, frozen panes and the other sheets are kept. A new row takes the style of the row
  above it.

Rows are numbered as :func:`toolkit.inputs.tables.read_table` numbers them (the header is row 1),
so a :class:`RowEdit` names the row a finding was read from. Every write holds the file's lock
(:func:`toolkit.capture.files.locked`, the one the capture app takes) and replaces the file
atomically: a reader sees the old file or the new one, never half of it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.capture.files import atomic_write_bytes, atomic_write_text, locked
from toolkit.errors import StoreError
from toolkit.inputs.tables import column_key
from toolkit.inputs.xlsx import cell_text, set_text

BOM = "\ufeff"
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclass(frozen=True)
class RowEdit:
    """New text for some cells of one row (``row``: as read_table numbers it, the header is 1)."""
    row: int
    cells: Mapping[str, str]
    id: str = ""  # the finding's id: a row whose id cell holds another id is refused (the file changed)


def edit_findings_file(path: Path, edits: Sequence[RowEdit], added: Sequence[Mapping[str, str]] = (),
                       sheet: str = "Findings") -> None:
    """Apply ``edits`` and append the ``added`` rows (column -> text), under the file's lock."""
    if not edits and not added:
        return
    with locked(path):
        if path.suffix.lower() == ".csv":
            _edit_csv(path, edits, added)
        else:
            _edit_xlsx(path, edits, added, sheet)


def _check_id(path: Path, edit: RowEdit, found: str) -> None:
    """Refuse to change a row that now holds another finding (the file was edited meanwhile)."""
    if edit.id and found.strip() and found.strip() != edit.id:
        raise StoreError(f"{path.name}: row {edit.row} now holds another finding than the one read a moment "
                         "ago (the file was changed meanwhile): nothing was written; run absorb again")


# -- CSV -----------------------------------------------------------------------------------------
@dataclass
class _Record:
    cells: list[str]
    raw: str  # the record's text as in the file, its line ending included
    changed: bool = False


def _ending(raw: str) -> str:
    return "\r\n" if raw.endswith("\r\n") else "\n" if raw.endswith("\n") else ""


def _records(text: str) -> list[_Record]:
    """The file's records, each with the exact text it was read from."""
    lines = _LINE.findall(text)
    reader = csv.reader(iter(lines))
    records: list[_Record] = []
    used = 0
    for cells in reader:
        raw = "".join(lines[used:reader.line_num])
        used = reader.line_num
        records.append(_Record(cells, raw))
    return records


def _format(cells: Sequence[str], ending: str) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator=ending or "\n").writerow(cells)
    text = buf.getvalue()
    return text if ending else text[:-1]


def _column(header: list[str], name: str) -> int:
    """The index of ``name`` in the header, the column added at the end if the file lacks it."""
    keys = [column_key(h) for h in header]
    if name in keys:
        return keys.index(name)
    header.append(name)
    return len(header) - 1


def _cell_of(header: list[str], cells: list[str], name: str) -> str:
    keys = [column_key(h) for h in header]
    i = keys.index(name) if name in keys else len(cells)
    return cells[i] if i < len(cells) else ""


def _set(cells: list[str], index: int, value: str) -> bool:
    while len(cells) <= index:
        cells.append("")
    if cells[index] == value:
        return False
    cells[index] = value
    return True


def _read_records(path: Path) -> tuple[bytes, list[_Record]]:
    try:
        data = path.read_bytes()
        records = _records(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise StoreError(f"{path.name}: cannot read the file to change it ({exc.__class__.__name__})") from None
    if not records:
        raise StoreError(f"{path.name}: the file has no header row, so no finding can be written to it")
    return data, records


def _apply_edits(path: Path, records: list[_Record], edits: Sequence[RowEdit]) -> None:
    head = records[0]
    for edit in edits:
        if not 2 <= edit.row <= len(records):
            raise StoreError(f"{path.name}: row {edit.row} is not in the file (it has {len(records)} rows)")
        record = records[edit.row - 1]
        _check_id(path, edit, _cell_of(head.cells, record.cells, "id"))
        for name, value in edit.cells.items():
            record.changed |= _set(record.cells, _column(head.cells, name), value)


def _added_lines(head: list[str], added: Sequence[Mapping[str, str]], eol: str) -> list[str]:
    lines = []
    for row in added:
        cells = [""] * len(head)
        for name, value in row.items():
            cells[_column(head, name)] = value
        lines.append(_format(cells, eol))
    return lines


def _edit_csv(path: Path, edits: Sequence[RowEdit], added: Sequence[Mapping[str, str]]) -> None:
    data, records = _read_records(path)
    head = records[0]
    width = len(head.cells)
    _apply_edits(path, records, edits)
    for row in added:
        for name in row:
            _column(head.cells, name)
    head.changed = len(head.cells) != width
    eol = _ending(head.raw) or "\n"
    parts = [_format(r.cells, _ending(r.raw)) if r.changed else r.raw for r in records]
    if added and not _ending(parts[-1]):
        parts[-1] += eol
    parts += _added_lines(head.cells, added, eol)
    atomic_write_text(path, (BOM if data.startswith(BOM.encode()) else "") + "".join(parts))


# -- XLSX ----------------------------------------------------------------------------------------
def _sheet(wb: Any, name: str) -> Any:
    """The sheet read_table reads: the one named ``name`` (any case), else the first visible one."""
    named = [ws for ws in wb.worksheets if ws.title.lower() == name.lower()]
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    return named[0] if named else visible[0]


def _xlsx_columns(ws: Any) -> dict[str, int]:
    top, left = ws.min_row, ws.min_column
    return {column_key(cell_text(ws.cell(row=top, column=c).value)): c
            for c in range(left, ws.max_column + 1) if cell_text(ws.cell(row=top, column=c).value)}


def _xlsx_column(ws: Any, columns: dict[str, int], name: str) -> int:
    if name not in columns:
        column = max(columns.values(), default=ws.min_column - 1) + 1
        header = ws.cell(row=ws.min_row, column=column)
        left = ws.cell(row=ws.min_row, column=column - 1) if column > 1 else None
        set_text(header, name)
        if left is not None and left.has_style:
            header._style = left._style  # openpyxl's way to copy a cell's style
        columns[name] = column
    return columns[name]


def _last_row(ws: Any, columns: dict[str, int]) -> int:
    """The last row holding any text in the table's columns (styled blank rows below do not count)."""
    for r in range(ws.max_row, ws.min_row, -1):
        if any(cell_text(ws.cell(row=r, column=c).value).strip() for c in columns.values()):
            return int(r)
    return int(ws.min_row)


def _edit_xlsx(path: Path, edits: Sequence[RowEdit], added: Sequence[Mapping[str, str]], sheet: str) -> None:
    import openpyxl  # only where a workbook is written: it costs a quarter of a second to import

    keep_vba = path.suffix.lower() == ".xlsm"
    try:
        wb = openpyxl.load_workbook(path, keep_vba=keep_vba)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path.name}: cannot open the workbook to change it ({exc.__class__.__name__})") from None
    ws = _sheet(wb, sheet)
    columns = _xlsx_columns(ws)
    for edit in edits:
        r = ws.min_row + edit.row - 1
        _check_id(path, edit, cell_text(ws.cell(row=r, column=columns["id"]).value) if "id" in columns else "")
        for name, value in edit.cells.items():
            cell = ws.cell(row=r, column=_xlsx_column(ws, columns, name))
            if cell_text(cell.value) != value:
                set_text(cell, value or None)
    r = _last_row(ws, columns)
    for row in added:
        r += 1
        for name, value in row.items():
            column = _xlsx_column(ws, columns, name)
            cell, above = ws.cell(row=r, column=column), ws.cell(row=r - 1, column=column)
            if r - 1 > ws.min_row and above.has_style:
                cell._style = above._style
            set_text(cell, value or None)
    _save_atomically(wb, path)


def _save_atomically(wb: Any, path: Path) -> None:
    buffer = io.BytesIO()
    try:
        wb.save(buffer)
    finally:
        wb.close()
    atomic_write_bytes(path, buffer.getvalue())
