"""One sheet of a capture workbook, read so that only what a reviewer can see and typed is taken.

:func:`read_sheet` finds the sheet (any case), refuses a hidden one the export did not hide, and
locates the header row (a blank or title row above it is named as such:
:func:`toolkit.inputs.tables.check_header_row`). Each header is matched to the sheet's columns up
to case, spacing and a plural (:func:`toolkit.inputs.xlsx.match_header`): ``Details`` is read as
``detail`` and the rename is said in a warning; a header that is no column of the sheet (a
reviewer's own ``My notes``), that could be two columns, or that repeats a column, is refused with
its name. A missing required column is refused; so is any missing column of a workbook the toolkit
exported (``complete``), whose every column the import compares with the export, so that a
deleted ``detail`` column is never taken for sixteen details emptied. In another workbook a
missing optional column is said in a warning and changes nothing: :attr:`SheetRows.present`
lists the columns that may; a renamed column is said in a warning too.

A sheet whose used range reaches past :data:`MAX_CELLS` cells (a stray entry at ``XFD1048576``)
is refused naming its last cell before a cell is read. Merged cells are refused naming their
range, a formula cell naming the cell and its formula (one that reads another workbook as that),
a spreadsheet error (``#REF!``) as that: a formula's saved value is never read as what a
reviewer typed. Every message names the file, the sheet, the row and the column, and says what to
do; all are collected in ``errors`` (the caller writes nothing while there are any).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from toolkit.errors import InputError, InputWarning
from toolkit.inputs.privacy import quote
from toolkit.inputs.tables import check_header_row
from toolkit.inputs.xlsx import (
    cell_text,
    closest_column,
    formula_of,
    match_header,
    message,
    reads_other_workbook,
)

#: The most cells (rows times columns of the used range) a capture sheet is read with: a workbook of
#: a thousand findings has 13,000; the export's own blank rows have no cells.
MAX_CELLS = 1_000_000


@dataclass(frozen=True)
class SheetRows:
    """A sheet's data rows (row number, values by column name), the columns it has, and notes."""
    rows: list[tuple[int, dict[str, str]]]
    present: frozenset[str]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SheetSpec:
    """What a sheet may hold: its ``columns``, those it must have (``required``), and those that
    are read for nothing (``ignored``: an export's text for reading only)."""
    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    #: Columns an exported workbook may lack (added to the toolkit after it was exported).
    late: tuple[str, ...] = ()


def find_sheet(wb: Any, name: str) -> Any | None:
    return next((s for s in wb.worksheets if s.title.lower() == name.lower()), None)


def _header_columns(header: list[str], where: str, spec: SheetSpec, data_letters: set[int],
                    screen: tuple[Sequence[str], int], errors: list[InputError], notes: list[str],
                    guessed: set[str]) -> dict[int, str]:
    """Column index (1-based) -> column name, for every header matched; problems in ``errors``, the
    columns an unknown header seems to misspell in ``guessed``."""
    known = (*spec.columns, *spec.ignored)
    names = ", ".join(spec.columns)
    taken: dict[str, str] = {}
    out: dict[int, str] = {}
    for i, text in enumerate(header, start=1):
        if not text:
            if i in data_letters:
                errors.append(InputError(where, message("column_no_name", letter=get_column_letter(i), columns=names),
                                         row=1, column=get_column_letter(i)))
            continue
        shown = quote(text, *screen)
        found = match_header(text, known)
        if not found:
            guess = closest_column(text, spec.columns)
            hint = message("column_hint", column=guess) if guess else ""
            errors.append(InputError(where, message("column_unknown", hint=hint, columns=names), row=1, column=shown))
            if guess:
                guessed.add(guess)
            continue
        if len(found) > 1:
            errors.append(InputError(where, message("column_ambiguous", columns=" or ".join(found)), row=1,
                                     column=shown))
            continue
        column = found[0]
        if column in taken:
            errors.append(InputError(where, message("column_twice", header=shown, other=taken[column],
                                                    column=column), row=1, column=column))
            continue
        taken[column] = shown
        out[i] = column
        if text != column:
            notes.append(str(InputWarning(where, message("column_renamed", column=column), row=1, column=shown)))
    return out


def _cell_problems(ws: Any, cells: list[list[Any]], where: str, columns: dict[int, str],
                   screen: tuple[Sequence[str], int], errors: list[InputError]) -> None:
    """Merged ranges and formula cells, each named with its row and column."""
    def column(index: int) -> str:
        return columns.get(index) or str(get_column_letter(index))

    for m in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        errors.append(InputError(where, message("merged", cells=m.coord), row=m.min_row, column=column(m.min_col)))
    for row in cells:
        for cell in row:
            if cell.data_type == "e":  # #REF!, #N/A: what a broken formula leaves behind
                errors.append(InputError(where, message("error_value", value=quote(cell.value, *screen)),
                                         row=cell.row, column=column(cell.column)))
            formula = formula_of(cell)
            if formula is None:
                continue
            key = "formula_external" if reads_other_workbook(formula) else "formula"
            errors.append(InputError(where, message(key, formula=quote(formula, *screen)), row=cell.row,
                                     column=column(cell.column)))


def read_sheet(wb: Any, spec: SheetSpec, shown: str, errors: list[InputError], *,
               screen: tuple[Sequence[str], int], complete: bool = False,
               hidden_ok: bool = False) -> SheetRows | None:
    """The rows of ``spec``'s sheet of ``wb`` (None when there is no such sheet); see the module.

    ``wb`` is opened with formulas (``data_only=False``), never in read-only mode, so merged
    cells are known; ``screen`` is the personal-data screen's allow list and year for quoting.
    """
    ws = find_sheet(wb, spec.name)
    if ws is None:
        return None
    where = f"{shown} [{spec.name}]"
    empty = SheetRows([], frozenset())
    if not hidden_ok and ws.sheet_state != "visible":
        errors.append(InputError(where, "this sheet is hidden, so what it holds cannot be seen before it is "
                                        "imported: unhide it (or delete it), check it, and import again"))
        return empty
    if ws.max_row * ws.max_column > MAX_CELLS:  # one stray cell at XFD1048576 would make billions
        last = f"{get_column_letter(ws.max_column)}{ws.max_row}"
        errors.append(InputError(where, message("too_many_cells", last=last, limit=f"{MAX_CELLS:,}"),
                                 row=ws.max_row, column=get_column_letter(ws.max_column)))
        return empty
    cells = [list(r) for r in ws.iter_rows()]
    raw = [[formula_of(c) or cell_text(c.value) for c in r] for r in cells]
    if not any(any(r) for r in raw):
        return empty
    try:
        check_header_row(raw, where, spec.columns)
    except InputError as exc:
        errors.append(exc)
        return empty
    header = [cell_text(c.value) if formula_of(c) is None else "" for c in cells[0]]
    with_data = {c.column for r, texts in zip(cells[1:], raw[1:], strict=True) for c, t in zip(r, texts, strict=True)
                 if t}
    notes: list[str] = []
    before = len(errors)
    guessed: set[str] = set()
    columns = _header_columns(header, where, spec, with_data, screen, errors, notes, guessed)
    present = frozenset(columns.values())
    must = tuple(c for c in spec.columns if c not in spec.late) if complete else spec.required
    for c in must:
        if c not in present and c not in guessed:  # a misspelt header is named once, with its guess
            key = "column_required" if c in spec.required else "column_exported"
            errors.append(InputError(where, message(key, column=c), row=1, column=c))
    for c in spec.columns:
        if c not in present and c not in must:
            notes.append(str(InputWarning(where, message("column_absent", column=c), row=1, column=c)))
    _cell_problems(ws, cells, where, columns, screen, errors)
    if len(errors) > before:
        return empty
    rows = []
    for n, (row_cells, texts) in enumerate(zip(cells[1:], raw[1:], strict=True), start=2):
        values = {columns[c.column]: text for c, text in zip(row_cells, texts, strict=True)
                  if c.column in columns and columns[c.column] in spec.columns}
        rows.append((n, values))
    return SheetRows(rows, present - set(spec.ignored), notes)
