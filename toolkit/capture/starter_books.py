"""The blank workbooks a new review starts with: the EHCP sample audit and the self-evaluation.

Each has the sheet its reader looks for (``Audit``, ``SEF``), the columns it expects
(``toolkit.inputs.audit``, ``toolkit.inputs.sef``) and drop-down lists of the values it accepts,
so the team types as little as possible and the reader refuses nothing it wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.inputs.audit import NEEDS, OPTIONAL_COLUMNS, PHASES, REQUIRED_COLUMNS, SETTINGS
from toolkit.inputs.audit_framework import PLAN_STAGES, AuditFramework
from toolkit.inputs.sef import COLUMNS as SEF_COLUMNS
from toolkit.inputs.sef import SefOptions
from toolkit.inputs.xlsx import set_text

LISTS = "Lists"
AUDIT_ROWS = 60
GRADES = ("met", "not met", "n/a")


def _lists(wb: Workbook, columns: dict[str, Sequence[str]]) -> dict[str, str]:
    """A hidden sheet of the lists; the range each drop-down reads, by list name."""
    sheet = wb.create_sheet(LISTS)
    ranges = {}
    for i, (name, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(i)
        sheet.cell(row=1, column=i, value=name)
        for j, v in enumerate(values, start=2):
            set_text(sheet.cell(row=j, column=i), v)
        ranges[name] = f"={LISTS}!${letter}$2:${letter}${len(values) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


def _drop_down(ws: object, formula: str, column: int, last_row: int) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{last_row}")
    ws.add_data_validation(dv)  # type: ignore[attr-defined]


def _header(ws: object, columns: Sequence[str]) -> None:
    ws.append(list(columns))  # type: ignore[attr-defined]
    for cell in ws[1]:  # type: ignore[index]
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = max(12, len(str(cell.value)) + 2)  # type: ignore[attr-defined]
    ws.freeze_panes = "A2"  # type: ignore[attr-defined]


def audit_workbook(out: Path, framework: AuditFramework, auditors: Sequence[str]) -> Path:
    """A blank audit workbook: one row a plan, a column a criterion, drop-downs for every list."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Audit"
    columns = [*REQUIRED_COLUMNS, "year_group", "weeks_to_issue", *(c.id for c in framework.criteria),
               *(c for c in OPTIONAL_COLUMNS if c not in ("year_group", "weeks_to_issue"))]
    _header(ws, columns)
    ranges = _lists(wb, {"auditor": list(auditors), "phase": list(dict.fromkeys(PHASES.values())),
                         "primary_need": list(dict.fromkeys(NEEDS.values())),
                         "setting_type": list(dict.fromkeys(SETTINGS.values())),
                         "plan_stage": list(dict.fromkeys(PLAN_STAGES.values())), "grade": list(GRADES)})
    criteria = {c.id for c in framework.criteria}
    for i, name in enumerate(columns, start=1):
        key = "grade" if name in criteria else name
        if key in ranges:
            _drop_down(ws, ranges[key], i, AUDIT_ROWS + 1)
    wb.save(out)
    return out


def sef_workbook(out: Path, options: SefOptions) -> Path:
    """A SEF workbook: a row for each of the review's areas, the scale as drop-downs."""
    wb = Workbook()
    ws = wb.active
    ws.title = "SEF"
    _header(ws, SEF_COLUMNS)
    for area in options.areas:
        row = ws.max_row + 1
        set_text(ws.cell(row=row, column=1), area)
    ws.column_dimensions["A"].width = max(len(a) for a in options.areas) + 2
    ws.column_dimensions["D"].width = 60
    ranges = _lists(wb, {"scale": list(options.scale)})
    for column in (2, 3):
        _drop_down(ws, ranges["scale"], column, len(options.areas) + 1)
    wb.save(out)
    return out
