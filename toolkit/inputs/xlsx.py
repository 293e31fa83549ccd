"""Workbooks cell by cell: text written so that a spreadsheet keeps it text, formulas read as what
they are, and column headers matched to the names a sheet expects.

Writing: a cell whose text begins with ``=``, ``+``, ``-`` or ``@`` is one a spreadsheet would
take for a formula (formula injection, and a statement ``=HYPERLINK(...)`` that no longer reads
back). :func:`set_text` and :func:`append_text_row` write such text as a text cell (openpyxl's
data type ``s``) with Excel's *quote prefix* style, so it shows and stays text, even when the cell
is edited, and reads back as the same text.

Reading: :func:`formula_of` gives a cell's formula (``None`` for a value), and
:func:`reads_other_workbook` tells a formula that reads another file (``[1]Sheet1!A1``,
``'C:\\x\\[book.xlsx]Sheet1'!A1``). The toolkit never takes a formula's saved value for what a
reviewer typed.

Headers: :func:`match_header` matches a header to the expected column names up to case, spacing,
underscores, hyphens and a plural ``s``/``es`` (``Details`` and ``Head line`` are ``detail``
and ``headline``), answering the one column it means, or every column it could mean.

The sentences a reader sees come from ``toolkit/catalogue/workbook.yaml`` (:func:`message`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import ERROR_CODES

from toolkit.messages import Messages

#: The first characters that make a spreadsheet read typed text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")
# "[1]Sheet1!A1" (an external link by number) or "[book.xlsx]Sheet1!A1" / "'C:\x\[book.xlsx]S'!A1" (by name);
# a structured reference (Table1[[#This Row],[kind]]) has no "!" after its brackets.
_EXTERNAL = re.compile(r"\[[^\[\]\"]+\][^!\"()\[\],;]*!")
_STRINGS = re.compile(r'"(?:[^"]|"")*"')


#: This module's messages (docs/messages.md).
message = Messages("workbook.yaml")


def looks_like_formula(value: object) -> bool:
    """True for text a spreadsheet would take for a formula (or an error, ``#N/A``) when typed into a cell."""
    return isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value.strip() in ERROR_CODES)


def set_text(cell: Any, value: object) -> None:
    """Put ``value`` in ``cell``; text that a spreadsheet would take for a formula stays text."""
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"  # openpyxl made it a formula ("f") when it began with "=", an error ("e") for #N/A
        cell.quotePrefix = True  # Excel's own mark for "this is text", kept when the cell is edited


def append_text_row(ws: Any, values: Sequence[object]) -> None:
    """Append a row to ``ws`` with :func:`set_text` for each cell."""
    ws.append(list(values))
    row = ws.max_row
    for i, value in enumerate(values, start=1):
        if looks_like_formula(value):
            set_text(ws.cell(row=row, column=i), value)


def formula_of(cell: Any) -> str | None:
    """The formula ``cell`` holds (``=...``), or None when it holds a value (text, number, date)."""
    if getattr(cell, "data_type", None) != "f":
        return None
    value = cell.value
    text = getattr(value, "text", value)  # an array or data-table formula carries its text
    text = "" if text is None else str(text)
    return text if text.startswith("=") else f"={text}"


def reads_other_workbook(formula: str) -> bool:
    """True when ``formula`` refers to a cell of another workbook."""
    return bool(_EXTERNAL.search(_STRINGS.sub('""', formula)))


def cell_text(value: object) -> str:
    """A cell's value as the text a reviewer typed ("" for an empty cell, 3 for 3.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).strip()


def header_key(header: str) -> str:
    """A header with case, spacing, underscores, hyphens and other punctuation taken away."""
    return re.sub(r"[\W_]+", "", header.lower())


def match_header(header: str, columns: Sequence[str]) -> list[str]:
    """The columns ``header`` can mean: itself, or the one it names up to case, spacing and a
    plural ``s``/``es`` on either side; more than one when it is ambiguous, none when unknown."""
    if header in columns:
        return [header]
    key = header_key(header)
    if not key:
        return []
    out = []
    for c in columns:
        ck = header_key(c)
        if key == ck or key in (ck + "s", ck + "es") or ck in (key + "s", key + "es"):
            out.append(c)
    return out


def closest_column(header: str, columns: Sequence[str]) -> str | None:
    """The expected column a header most likely misspells (None when none is close)."""
    keys = {header_key(c): c for c in columns}
    key = header_key(header)
    found = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
    if found:
        return keys[found[0]]
    within = [c for k, c in keys.items() if len(k) > 3 and k in key]  # "Detail (optional)", "statement text"
    return within[0] if len(within) == 1 else None
