"""The progress workbook: the previous review's items for the team to mark in Excel.

``peer-review progress-export PARAMS --out progress.xlsx`` writes one sheet, ``Progress``, a row
per area for consideration and urgent action of the review this one follows (``id``, ``kind``,
``statement``), with drop-down lists for ``area_status`` (what the area reported before the visit)
and ``status`` (the team's mark), and a column for the ``evidence``. Marks already in the
review's progress file are filled in, so the workbook can be exported again at any point. Name
the saved workbook in ``inputs.progress`` and the letter reads it as it stands
(:mod:`toolkit.inputs.progress` checks every cell, with its row and column).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.errors import InputError
from toolkit.inputs.progress import COLUMNS, SHEET, STATUS_WORDS, message
from toolkit.inputs.xlsx import append_text_row
from toolkit.review import Review

WIDTHS = {"id": 14, "kind": 24, "statement": 70, "area_status": 20, "status": 20, "evidence": 70,
          "repeated_in": 24}


def progress_rows_for_export(review: Review) -> list[dict[str, str]]:
    """One row per previous item, with the marks the review's progress file already holds."""
    out = []
    for row in review.progress_rows():
        mark = row.mark
        out.append({
            "id": row.item.id, "kind": row.item.kind.value, "statement": row.item.statement,
            "area_status": mark.area_status.value if mark and mark.area_status else "",
            "status": mark.status.value if mark and mark.status else "",
            "evidence": mark.evidence if mark else "",
            "repeated_in": "; ".join(mark.repeated_in) if mark else "",
        })
    return out


def export_progress_workbook(review: Review, out: Path) -> Path:
    """Write the progress workbook to ``out`` (atomically); raise :class:`InputError` when the
    review follows none."""
    if review.previous is None:
        raise InputError(review.params_file, message("no_previous"), column="inputs.previous_review")
    rows = progress_rows_for_export(review)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(list(COLUMNS))
    for r in rows:
        append_text_row(ws, [r[c] for c in COLUMNS])  # text typed as "=..." stays text
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = WIDTHS[column]
        ws[f"{letter}1"].font = Font(bold=True)
        if column in ("statement", "evidence"):
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column in ("area_status", "status"):
            dv = DataValidation(type="list", formula1=f'"{",".join(STATUS_WORDS)}"', allow_blank=True,
                                showErrorMessage=True)
            dv.add(f"{letter}2:{letter}{len(rows) + 1}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
