"""Two optional inputs of a review: the area's improvement plan and the visit timetable.

**Improvement plan** (``inputs.improvement_plan``, CSV or XLSX, sheet ``Plan``): the columns
councils use for a written statement of action or improvement plan, a row per action:

| column | meaning |
|---|---|
| `theme` | the workstream or theme the action belongs to |
| `action` | what will be done |
| `owner` | who is accountable (a role, or a named officer) |
| `due_date` | when it is due (`YYYY-MM-DD`, or day first as `31/03/2025`) |
| `rag` | `red`, `amber`, `green` or `complete` (also `blue` for complete) |
| `evidence` | evidence of impact so far (optional) |
| `kloes` | optional: ids of the KLOEs in scope the action bears on, separated by `;` |
| `items` | optional: in a follow-up, ids of the previous review's items the action serves, separated by `;` |

An action is **overdue** when its due date is before the first day of the visit and it is not
complete: always the visit's date, never today's, so a draft is the same whenever it is built.

**Timetable** (``inputs.timetable``, CSV or XLSX, sheet ``Timetable``): `day` (a visit date or
the day number, 1 = the first visit day), `time`, `activity`, `reviewers` (team members, `;`
separated; blank: the whole team), optional `kloes` and `location`. The presentation day counts as
the day after the last visit day when it is another day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.privacy import quote, screen_table
from toolkit.inputs.screening import screened_columns
from toolkit.inputs.tables import Row, Table, header_errors, read_table
from toolkit.messages import Messages

#: This module's messages (docs/messages.md).
message = Messages("plans.yaml")

PLAN_COLUMNS = ("theme", "action", "owner", "due_date", "rag", "evidence", "kloes", "items")
PLAN_ALIASES = {"due": "due_date", "rag_status": "rag", "status": "rag", "evidence_of_impact": "evidence",
                "workstream": "theme"}
PLAN_REQUIRED = ("theme", "action", "owner", "due_date", "rag")
RAG = {"red": "red", "amber": "amber", "green": "green", "complete": "complete", "completed": "complete",
       "blue": "complete"}
TIMETABLE_COLUMNS = ("day", "time", "activity", "reviewers", "kloes", "location")
#: Columns the personal-data screen leaves out, with the reason (every other column of the
#: improvement plan and of the timetable is screened).
NOT_SCREENED: dict[str, str] = {
    "due_date": "read as a date or refused; the letter prints the date read, never the cell, and a due "
                "date years before the visit is not a date of birth",
}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class PlanAction:
    theme: str
    action: str
    owner: str
    due: dt.date
    rag: str
    evidence: str = ""
    kloes: tuple[str, ...] = ()
    row: int = 0
    items: tuple[str, ...] = ()  # the previous review's items it serves (checked by the review)

    def overdue_at(self, day: dt.date) -> bool:
        return self.due < day and self.rag != "complete"


@dataclass(frozen=True)
class ImprovementPlan:
    actions: tuple[PlanAction, ...]
    file: str = ""

    def overdue(self, visit_day: dt.date) -> list[PlanAction]:
        """Actions not complete whose due date is before ``visit_day`` (the first visit day)."""
        return [a for a in self.actions if a.overdue_at(visit_day)]

    def themes(self) -> list[str]:
        return list(dict.fromkeys(a.theme for a in self.actions))

    def themes_for_kloe(self, kloe_id: str) -> list[str]:
        """The themes whose actions bear on a KLOE (their ``kloes`` column names it)."""
        return list(dict.fromkeys(a.theme for a in self.actions if kloe_id in a.kloes))


@dataclass(frozen=True)
class Session:
    day: dt.date
    time: str
    activity: str
    reviewers: tuple[str, ...] = ()  # empty: the whole team
    kloes: tuple[str, ...] = ()
    location: str = ""


def parse_date(text: str) -> dt.date | None:
    """``2025-03-31`` (also as a workbook writes it, with a midnight time) or ``31/03/2025``."""
    text = text.strip()
    m = _ISO.match(text)
    n = _DAY_FIRST.match(text)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if n:
            return dt.date(int(n[3]), int(n[2]), int(n[1]))
    except ValueError:
        return None
    return None


def _read(path: Path, root: Path, sheet: str, columns: Sequence[str], required: Sequence[str],
          aliases: dict[str, str] | None = None) -> tuple[str, Table, list[Row]]:
    shown = display_path(path, root)
    try:
        table = read_table(path, shown, sheet=sheet, expected=columns)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    aliases = aliases or {}
    errors = header_errors(table, columns, required, aliases)
    if errors:
        raise ValidationFailed(errors)
    rows = [Row(r.number, {aliases.get(k, k): v for k, v in r.values.items()}) for r in table.rows]
    return shown, table, rows


def _ids(text: str) -> tuple[str, ...]:
    return tuple(i.strip() for i in text.split(";") if i.strip())


_Bad = Callable[[str, str], None]


def read_improvement_plan(path: Path, root: Path, kloe_ids: Collection[str], allow: Sequence[str] = (),
                          reference_year: int | None = None) -> ImprovementPlan:
    """Read and check the improvement plan; raise :class:`ValidationFailed` listing every problem."""
    shown, _, rows = _read(path, root, "Plan", PLAN_COLUMNS, PLAN_REQUIRED, PLAN_ALIASES)
    errors = screen_table(((r.number, r.values) for r in rows), shown, screened_columns(PLAN_COLUMNS, NOT_SCREENED),
                          allow, reference_year)
    actions = []
    for row in rows:
        def bad(column: str, message: str, number: int = row.number) -> None:
            errors.append(InputError(shown, message, row=number, column=column))

        action = _plan_action(row, kloe_ids, bad)
        if action is not None:
            actions.append(action)
    if errors:
        raise ValidationFailed(errors)
    return ImprovementPlan(tuple(actions), shown)


def _plan_action(row: Row, kloe_ids: Collection[str], bad: _Bad) -> PlanAction | None:
    """One row of the plan as an action (None when a cell it needs is wrong; each problem to ``bad``)."""
    for c in PLAN_REQUIRED:
        if not row.get(c).strip():
            bad(c, message("empty", column=c.replace("_", " ")))
    due = parse_date(row.get("due_date")) if row.get("due_date").strip() else None
    if row.get("due_date").strip() and due is None:
        bad("due_date", message("due_date", value=quote(row.get("due_date"))))
    rag = RAG.get(row.get("rag").strip().lower())
    if row.get("rag").strip() and rag is None:
        bad("rag", message("rag", value=quote(row.get("rag"))))
    kloes = _kloes(row, kloe_ids, bad)
    if due is None or rag is None or not all(row.get(c).strip() for c in PLAN_REQUIRED):
        return None
    return PlanAction(" ".join(row.get("theme").split()), " ".join(row.get("action").split()),
                      row.get("owner").strip(), due, rag, " ".join(row.get("evidence").split()),
                      kloes, row.number, _ids(row.get("items")))


def _kloes(row: Row, kloe_ids: Collection[str], bad: _Bad) -> tuple[str, ...]:
    kloes = _ids(row.get("kloes"))
    for k in kloes:
        if k not in kloe_ids:
            bad("kloes", message("kloe", value=quote(k), kloes=", ".join(kloe_ids)))
    return kloes


def read_timetable(path: Path, root: Path, visit_days: Sequence[dt.date], team: Collection[str],
                   kloe_ids: Collection[str], allow: Sequence[str] = (),
                   reference_year: int | None = None) -> tuple[Session, ...]:
    """Read and check the visit timetable (in day and file order); raise :class:`ValidationFailed`."""
    shown, _, rows = _read(path, root, "Timetable", TIMETABLE_COLUMNS, ("day", "time", "activity"))
    errors = screen_table(((r.number, r.values) for r in rows), shown,
                          screened_columns(TIMETABLE_COLUMNS, NOT_SCREENED), allow, reference_year)
    sessions = []
    for row in rows:
        def bad(column: str, message: str, number: int = row.number) -> None:
            errors.append(InputError(shown, message, row=number, column=column))

        session = _session(row, visit_days, team, kloe_ids, bad)
        if session is not None:
            sessions.append(session)
    if errors:
        raise ValidationFailed(errors)
    return tuple(sorted(sessions, key=lambda s: s.day))


def _session(row: Row, visit_days: Sequence[dt.date], team: Collection[str], kloe_ids: Collection[str],
             bad: _Bad) -> Session | None:
    """One row of the timetable as a session (None without a day; each problem to ``bad``)."""
    text = row.get("day").strip()
    day = visit_days[int(text) - 1] if text.isdigit() and 1 <= int(text) <= len(visit_days) else parse_date(text)
    if day is None or day not in visit_days:
        bad("day", message("day", value=quote(text), days=len(visit_days)))
    if not row.get("activity").strip():
        bad("activity", message("activity"))
    reviewers = _ids(row.get("reviewers"))
    for name in reviewers:
        if name not in team:
            bad("reviewers", message("reviewer", value=quote(name)))
    kloes = _kloes(row, kloe_ids, bad)
    if day is None:
        return None
    return Session(day, row.get("time").strip(), " ".join(row.get("activity").split()), reviewers,
                   kloes, row.get("location").strip())
