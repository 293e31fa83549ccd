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
| `repeated_in` | optional: ids of this review's findings that return to the item, `;`-separated |

The capture app keeps each reviewer's marks in ``data/<review_id>/capture/progress_<reviewer>.csv``
(:data:`toolkit.inputs.capture_layout.PROGRESS_COLUMNS`: ``id, status, evidence, reviewer,
saved_at``); :func:`read_captured_marks` reads one such file with the same checks. How the file's
marks and the app's are combined is :func:`toolkit.analysis.previous.team_marks`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from toolkit.errors import InputError, InputWarning, ValidationFailed, display_path
from toolkit.inputs.capture_layout import PROGRESS_COLUMNS
from toolkit.inputs.privacy import quote, screen_table
from toolkit.inputs.screening import screened_columns
from toolkit.inputs.tables import Table, header_errors, read_table
from toolkit.messages import Messages

COLUMNS = ("id", "kind", "statement", "area_status", "status", "evidence", "repeated_in")
#: Columns the personal-data screen leaves out, with the reason (every other column is screened).
NOT_SCREENED: dict[str, str] = {
    "statement": "the previous letter's own words, copied by progress-export for the reader and never "
                 "read: the letter prints the previous review's findings, screened when it was drafted",
    "saved_at": "the time the capture app saved a mark, written by the app and never printed",
}
SHEET = "Progress"


#: This module's messages (docs/messages.md).
message = Messages("progress.yaml")


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
    file: str = ""  # the file the mark was read from, as shown to the user
    reviewer: str = ""  # who marked it in the capture app ("" for the progress file)
    saved_at: str = ""  # when the capture app saved it (UTC, ISO 8601)
    repeated_in: tuple[str, ...] = ()  # this review's findings that return to the item (checked by the review)


@dataclass(frozen=True)
class ProgressMarks:
    marks: dict[str, Mark]
    file: str = ""
    notes: tuple[InputWarning, ...] = ()  # where the file and the app disagree (the rule's choice said)

    def get(self, item_id: str) -> Mark | None:
        return self.marks.get(item_id)


def _table(path: Path, shown: str, sheet: str | None, columns: Sequence[str]) -> Table:
    try:
        table = read_table(path, shown, sheet=sheet, expected=columns)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    errors = header_errors(table, columns, ("id", "status"))
    if errors:
        raise ValidationFailed(errors)
    return table


def _status(text: str, shown: str, row: int, column: str, errors: list[InputError]) -> Status | None:
    status = parse_status(text) if text.strip() else None
    if text.strip() and status is None:
        errors.append(InputError(shown, message("not_a_status", value=quote(text.strip()),
                                                choices=", ".join(STATUS_WORDS)), row=row, column=column))
    return status


def _item_id(item: str, shown: str, row: int, known_ids: Collection[str], marks: dict[str, Mark],
             errors: list[InputError]) -> bool:
    """Whether the row's id may be taken (problems join ``errors``)."""
    if not item:
        errors.append(InputError(shown, message("no_id"), row=row, column="id"))
    elif item not in known_ids:
        errors.append(InputError(shown, message("not_an_item", value=quote(item)), row=row, column="id"))
    elif item in marks:
        errors.append(InputError(shown, message("twice", row=marks[item].row), row=row, column="id"))
    else:
        return True
    return False


def read_progress(path: Path, root: Path, known_ids: Collection[str], allow: Sequence[str] = (),
                  reference_year: int | None = None) -> ProgressMarks:
    """Read and check the marks; ``known_ids`` are the previous review's item ids. Raise
    :class:`ValidationFailed` listing every problem."""
    shown = display_path(path, root)
    table = _table(path, shown, SHEET, COLUMNS)
    errors = screen_table(((r.number, r.values) for r in table.rows), shown,
                          screened_columns(table.columns, NOT_SCREENED), allow, reference_year)
    marks: dict[str, Mark] = {}
    for row in table.rows:
        item = row.get("id").strip()
        take = _item_id(item, shown, row.number, known_ids, marks, errors)
        status = _status(row.get("status"), shown, row.number, "status", errors)
        area_status = _status(row.get("area_status"), shown, row.number, "area_status", errors)
        if status is not None and not row.get("evidence").strip():
            errors.append(InputError(shown, message("no_evidence"), row=row.number, column="evidence"))
        if take:
            repeated = tuple(i.strip() for i in row.get("repeated_in").split(";") if i.strip())
            marks[item] = Mark(item, status, " ".join(row.get("evidence").split()), area_status, row.number, shown,
                               repeated_in=repeated)
    if errors:
        raise ValidationFailed(errors)
    return ProgressMarks(marks, shown)


def read_captured_marks(path: Path, root: Path, reviewer: str, known_ids: Collection[str],
                        allow: Sequence[str] = (), reference_year: int | None = None) -> ProgressMarks:
    """One reviewer's marks saved in the capture app (``progress_<reviewer>.csv``), checked like the
    progress file's; a row with no status (a mark cleared in the app) is no mark. Raise
    :class:`ValidationFailed` listing every problem."""
    shown = display_path(path, root)
    table = _table(path, shown, None, PROGRESS_COLUMNS)
    errors = screen_table(((r.number, r.values) for r in table.rows), shown,
                          screened_columns(table.columns, NOT_SCREENED), allow, reference_year)
    marks: dict[str, Mark] = {}
    for row in table.rows:
        item = row.get("id").strip()
        take = _item_id(item, shown, row.number, known_ids, marks, errors)
        status = _status(row.get("status"), shown, row.number, "status", errors)
        who = " ".join(row.get("reviewer").split())
        if who and who != reviewer:
            errors.append(InputError(shown, message("other_reviewer", value=quote(who, allow, reference_year),
                                                    reviewer=reviewer), row=row.number, column="reviewer"))
        if status is not None and not row.get("evidence").strip():
            errors.append(InputError(shown, message("no_evidence"), row=row.number, column="evidence"))
        if take:
            marks[item] = Mark(item, status, " ".join(row.get("evidence").split()), None, row.number, shown,
                               reviewer, row.get("saved_at").strip())
    if errors:
        raise ValidationFailed(errors)
    return ProgressMarks({k: m for k, m in marks.items() if m.status is not None}, shown)
