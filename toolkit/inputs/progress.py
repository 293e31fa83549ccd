"""The team's marks on the previous review's items: progress since the last peer challenge.

One CSV or XLSX file (sheet ``Progress``; ``peer-review progress-export`` writes one filled with
the previous review's items), a row per previous area for consideration or urgent action:

| column | meaning |
|---|---|
| `id` | the previous finding's id (as the export lists it) |
| `kind`, `statement` | the item as the previous letter gave it (for the reader; not read) |
| `area_status` | optional: the status the area itself reported before the visit |
| `status` | the team's mark: `addressed`, `progressing`, `not yet addressed`, `no longer relevant`; blank: unmarked |
| `evidence` | what the mark rests on (screened for a child's personal data) |
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.privacy import quote, screen_table
from toolkit.inputs.tables import read_table

COLUMNS = ("id", "kind", "statement", "area_status", "status", "evidence")
FREE_TEXT = ("evidence",)
SHEET = "Progress"


class Status(Enum):
    ADDRESSED = "addressed"
    PROGRESSING = "progressing"
    NOT_YET = "not yet addressed"
    NO_LONGER = "no longer relevant"


STATUS_WORDS = tuple(s.value for s in Status)
ALIASES = {"not addressed": Status.NOT_YET, "not yet": Status.NOT_YET, "in progress": Status.PROGRESSING,
           "done": Status.ADDRESSED, "met": Status.ADDRESSED, "not relevant": Status.NO_LONGER}


def parse_status(text: str) -> Status | None:
    key = " ".join(text.lower().split())
    return next((s for s in Status if s.value == key), None) or ALIASES.get(key)


@dataclass(frozen=True)
class Mark:
    id: str
    status: Status | None  # None: not yet marked
    evidence: str = ""
    area_status: Status | None = None
    row: int = 0


@dataclass(frozen=True)
class ProgressMarks:
    marks: dict[str, Mark]
    file: str = ""

    def get(self, item_id: str) -> Mark | None:
        return self.marks.get(item_id)


def read_progress(path: Path, root: Path, known_ids: Collection[str], allow: Sequence[str] = (),
                  reference_year: int | None = None) -> ProgressMarks:
    """Read and check the marks; ``known_ids`` are the previous review's item ids. Raise
    :class:`ValidationFailed` listing every problem."""
    shown = display_path(path, root)
    try:
        table = read_table(path, shown, sheet=SHEET, expected=COLUMNS)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    errors = [InputError(shown, f"unknown column (expected: {', '.join(COLUMNS)})", row=1, column=c)
              for c in table.columns if c not in COLUMNS]
    errors += [InputError(shown, "required column missing", row=1, column=c)
               for c in ("id", "status") if c not in table.columns]
    if errors:
        raise ValidationFailed(errors)
    errors += screen_table(((r.number, r.values) for r in table.rows), shown, FREE_TEXT, allow, reference_year)
    marks: dict[str, Mark] = {}
    choices = ", ".join(STATUS_WORDS)
    for row in table.rows:
        item = row.get("id").strip()
        if not item:
            errors.append(InputError(shown, "empty: every row names a previous item by its id", row=row.number,
                                     column="id"))
        elif item not in known_ids:
            errors.append(InputError(shown, f"{quote(item)} is not an area for consideration or urgent action of "
                                     "the previous review", row=row.number, column="id"))
        elif item in marks:
            errors.append(InputError(shown, f"marked twice (first on row {marks[item].row})", row=row.number,
                                     column="id"))
        found: dict[str, Status | None] = {}
        for column in ("status", "area_status"):
            text = row.get(column).strip()
            found[column] = parse_status(text) if text else None
            if text and found[column] is None:
                errors.append(InputError(shown, f"{quote(text)} is not one of: {choices}", row=row.number,
                                         column=column))
        if found["status"] is not None and not row.get("evidence").strip():
            errors.append(InputError(shown, "empty: say what the mark rests on", row=row.number, column="evidence"))
        if item and item not in marks:
            marks[item] = Mark(item, found["status"], " ".join(row.get("evidence").split()), found["area_status"],
                               row.number)
    if errors:
        raise ValidationFailed(errors)
    return ProgressMarks(marks, shown)
