"""Excel round trip for reviewers who prefer a workbook to the capture app.

:func:`export_workbook` writes ``Findings`` (the findings columns, then a hidden ``version``
column) and ``Checklist`` sheets (``prompt_id, kloe, status, notes, reviewer`` and the prompt's
text, for reading only), blank or filled from the reviewer's capture files, with drop-down lists
(data validation) for KLOE, kind, status and the yes/no columns. A hidden ``Lists`` sheet holds
the choices and the name of the reviewer the workbook was exported for; a hidden ``Exported``
sheet holds each finding as it was at export, under its version (a short hash of the row).

:func:`import_workbook` validates every row first and reports every problem with the file, sheet,
row and column; on any problem it writes nothing. A workbook belongs to the reviewer it was
exported for: a row naming another reviewer is refused. A row with an id is merged three ways:
the row as exported (its version) is the base, the workbook row is "mine", the capture file now is
"current"; only the cells the workbook changed are applied, changes made in the app since the
export are kept, and a cell changed differently on both sides is refused, naming the cell. So an
unchanged row never undoes an edit made in the app, and a finding withdrawn in the app stays
withdrawn unless the workbook itself changed its ``withdrawn`` cell. Rows without an id are added
with a new id (unless a finding with the same KLOE, kind and statement is already there, so
importing twice adds nothing twice); findings not in the workbook are left as they are. A
checklist row left at "not yet" with no notes is taken as untouched and never resets a prompt
already ticked. Changes are written through :class:`toolkit.capture.store.CaptureStore` (atomic, locked,
journalled).

Every cell of the export that holds text a spreadsheet would take for a formula (``=``, ``+``,
``-``, ``@``) is written as text (:func:`toolkit.inputs.xlsx.append_text_row`), so the unchanged
workbook imports back to the same text. On import the sheets are read by
:mod:`toolkit.capture.workbook_sheet` (columns matched, renamed columns said, unknown, missing,
merged and formula cells refused) and the rows planned by :mod:`toolkit.capture.workbook_plan`;
only the columns the sheet has can change a finding. ``dry_run`` lists every change and writes
nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.capture.records import CapturedFinding, ChecklistEntry, new_finding_id
from toolkit.capture.store import CaptureStore
from toolkit.capture.validate import screen_args, text_messages
from toolkit.capture.workbook_plan import (
    CHECKLIST_FIELDS,
    CHECKLIST_SHEET,
    CHECKLIST_SPEC,
    EXPORTED_SHEET,
    EXPORTED_SPEC,
    FINDINGS_SHEET,
    FINDINGS_SPEC,
    LISTS_SHEET,
    MERGE_FIELDS,
    VERSION,
    CheckRow,
    Planned,
    Screen,
    checklist_base,
    checklist_changes,
    checklist_target,
    exported_rows,
    finding_changes,
    parse_finding,
    plan_findings,
    same,
    twin_of,
)
from toolkit.capture.workbook_sheet import SheetRows, find_sheet, read_sheet
from toolkit.errors import Conflict, InputError, ValidationFailed, display_path
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import CHECKLIST_COLUMNS, STATUSES, ChecklistStatus
from toolkit.inputs.files import regular_file
from toolkit.inputs.findings import COLUMNS, EVIDENCE_KINDS, Kind
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.limits import check_workbook
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.xlsx import append_text_row, cell_text, message, set_text

__all__ = ["CHECKLIST_SHEET", "EXPORTED_SHEET", "FINDINGS_SHEET", "LISTS_SHEET", "MERGE_FIELDS", "VERSION",
           "ImportResult", "export_workbook", "import_workbook"]
BLANK_ROWS = 300
WIDTHS = {"statement": 60, "detail": 60, "evidence": 28, "kind": 24, "kloe": 22, "reviewer": 20,
          "prompt": 70, "notes": 50, "id": 14, "prompt_id": 18}


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, in a dry run, would do): counts, notes on the columns (renamed,
    absent) and every change, one line each."""
    added: int
    updated: int
    unchanged: int
    checklist: int
    notes: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()
    dry_run: bool = False
    file: str = ""  # the workbook, as messages name it

    def lines(self) -> list[str]:
        """What ``capture-import`` prints: the notes, each change, then the counts."""
        key = "dry_run" if self.dry_run else "imported"
        return [*self.notes, *self.changes, message(key, file=self.file, added=self.added, updated=self.updated,
                                                    unchanged=self.unchanged, checklist=self.checklist)]


def _validation(ws: object, formula: str, column: int, last_row: int) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{last_row}")
    ws.add_data_validation(dv)  # type: ignore[attr-defined]


def export_workbook(params: ReviewParams, scope: KloeScope, root: Path, reviewer: str, out: Path,
                    blank: bool = False) -> Path:
    """Write the reviewer's workbook (blank, or filled from their capture files) to ``out``."""
    if out.suffix.lower() != ".xlsx":
        raise InputError("--out", message("out_not_xlsx", out=privacy.quote(out.name, *screen_args(params))))
    if reviewer not in [m.name for m in params.team]:
        shown = privacy.quote(reviewer, *screen_args(params))
        raise InputError("--reviewer", message("reviewer_not_in_team", reviewer=shown,
                                               team=", ".join(m.name for m in params.team)))
    store = CaptureStore(root, params, scope, reviewer)
    if not blank:
        store.ensure_files()  # a reviewer's first export carries their findings from the listed files
    wb = Workbook()
    ws = _findings_sheets(wb, [] if blank else store.findings())
    cl = _checklist_sheet(wb, scope, reviewer, None if blank else store.checklist())
    _lists_sheet(wb, scope, reviewer)
    _lay_out(ws, cl, scope)
    _save(wb, out)
    return out


def _findings_sheets(wb: Workbook, findings: Sequence[CapturedFinding]) -> Any:
    """The Findings sheet (each row with its version in a hidden column) and the hidden Exported
    sheet, the rows as exported: the import's merge base."""
    ws = wb.active
    ws.title = FINDINGS_SHEET
    ws.append([*COLUMNS, VERSION])
    exported = wb.create_sheet(EXPORTED_SHEET)
    exported.append([VERSION, *COLUMNS])
    for f in findings:
        row = f.to_row()
        append_text_row(ws, [row[c] for c in COLUMNS] + [f.version])
        append_text_row(exported, [f.version] + [row[c] for c in COLUMNS])
    exported.sheet_state = "hidden"
    return ws


def _checklist_sheet(wb: Workbook, scope: KloeScope, reviewer: str, done: Mapping[str, Any] | None) -> Any:
    """Every prompt of the scope with the reviewer's mark (``done`` None: a blank workbook)."""
    cl = wb.create_sheet(CHECKLIST_SHEET)
    cl.append([*CHECKLIST_COLUMNS, "prompt", VERSION])
    for k in scope.kloes:
        for p in k.prompts:
            e = (done or {}).get(p.id)
            status, notes = (e.status, e.notes) if e else (ChecklistStatus.NOT_YET.value, "")
            # the hidden version of a filled workbook is the entry as exported: the import's merge base
            append_text_row(cl, [p.id, k.id, status, notes, reviewer, p.text,
                                 "" if done is None else json.dumps([status, notes])])
    return cl


def _lists_sheet(wb: Workbook, scope: KloeScope, reviewer: str) -> None:
    """The hidden sheet the drop-down lists read."""
    lists = wb.create_sheet(LISTS_SHEET)
    columns = {
        "kloe": scope.ids(), "kind": [k.value for k in Kind], "status": list(STATUSES),
        "yes/no": ["yes", "no"], "evidence kinds": list(EVIDENCE_KINDS), "reviewer": [reviewer],
        "kloe title": [k.title for k in scope.kloes],
    }
    for i, (name, values) in enumerate(columns.items(), start=1):
        lists.cell(row=1, column=i, value=name)
        for j, v in enumerate(values, start=2):
            set_text(lists.cell(row=j, column=i), v)
    lists.sheet_state = "hidden"


def _lay_out(ws: Any, cl: Any, scope: KloeScope) -> None:
    """Drop-down lists, bold frozen headings, column widths, the version columns hidden."""
    last = ws.max_row + BLANK_ROWS
    col = {c: i for i, c in enumerate(COLUMNS, start=1)}
    _validation(ws, f"={LISTS_SHEET}!$A$2:$A${len(scope.ids()) + 1}", col["kloe"], last)
    _validation(ws, f"={LISTS_SHEET}!$B$2:$B$4", col["kind"], last)
    for c in ("headline", "include", "withdrawn"):
        _validation(ws, '"yes,no"', col[c], last)
    _validation(cl, f"={LISTS_SHEET}!$C$2:$C$4", 3, cl.max_row)
    for sheet in (ws, cl):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            sheet.column_dimensions[cell.column_letter].width = WIDTHS.get(str(cell.value), 12)
        sheet.freeze_panes = "A2"
    ws.column_dimensions[ws.cell(row=1, column=len(COLUMNS) + 1).column_letter].hidden = True
    cl.column_dimensions[cl.cell(row=1, column=len(CHECKLIST_COLUMNS) + 2).column_letter].hidden = True


def _save(wb: Workbook, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:  # never a half-written workbook where the reviewer's last one was
        wb.save(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _default_reviewer(wb: object) -> str:
    ws = find_sheet(wb, LISTS_SHEET)
    if ws is None:
        return ""
    rows = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    if len(rows) < 2:
        return ""
    for name, value in zip(rows[0], rows[1], strict=False):
        if name == "reviewer":
            return cell_text(value)
    return ""


def _read(file: Path, shown: str, screen: Screen,
          errors: list[InputError]) -> tuple[str, SheetRows | None, SheetRows | None, SheetRows | None]:
    """The workbook's reviewer and its Findings, Checklist and Exported sheets (None: no such sheet)."""
    if file.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValidationFailed([InputError(shown, message("not_xlsx"))])
    try:
        # a zip bomb, before openpyxl reads it; a sheet's extent is checked by its reader (workbook_sheet)
        check_workbook(regular_file(file, shown), shown, dimensions=False)
        wb = openpyxl.load_workbook(file, data_only=False)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, SyntaxError,  # XML ParseError
            zipfile.BadZipFile, InvalidFileException) as exc:
        raise ValidationFailed([InputError(shown, message("unreadable", problem=exc.__class__.__name__))]) from None
    try:
        complete = find_sheet(wb, EXPORTED_SHEET) is not None  # exported by the toolkit: every column compared
        reviewer = _default_reviewer(wb)
        f_spec, c_spec = FINDINGS_SPEC, CHECKLIST_SPEC
        if not reviewer:  # no export's Lists sheet to say whose workbook it is: each row says it
            f_spec = replace(f_spec, required=(*f_spec.required, "reviewer"))
            c_spec = replace(c_spec, required=(*c_spec.required, "reviewer"))
        f_rows = read_sheet(wb, f_spec, shown, errors, screen=screen, complete=complete)
        c_rows = read_sheet(wb, c_spec, shown, errors, screen=screen, complete=complete)
        e_rows = read_sheet(wb, EXPORTED_SPEC, shown, errors, screen=screen, hidden_ok=True)
        return reviewer, f_rows, c_rows, e_rows
    finally:
        wb.close()


class _Owner:
    """A workbook is one reviewer's: the one it was exported for (else the first row's)."""

    def __init__(self, team: Sequence[str], default: str, errors: list[InputError]) -> None:
        self.team = team
        self.name = default if default in team else ""
        self.errors = errors

    def belongs(self, reviewer: str, at: str, n: int) -> bool:
        if reviewer not in self.team:
            return True  # reported by the row's own validation
        if not self.name:
            self.name = reviewer
        if reviewer != self.name:
            self.errors.append(InputError(at, message("other_owner", owner=self.name, reviewer=reviewer), row=n,
                                          column="reviewer"))
            return False
        return True


def import_workbook(params: ReviewParams, scope: KloeScope, root: Path, file: Path,
                    dry_run: bool = False) -> ImportResult:
    """Validate the workbook, then merge it into its reviewer's capture files (nothing is written on
    error, nor in a ``dry_run``, which lists the changes the import would make)."""
    shown = display_path(file, root)
    screen = screen_args(params)
    errors: list[InputError] = []
    default_reviewer, f_sheet, c_sheet, e_sheet = _read(file, shown, screen, errors)
    if f_sheet is None or c_sheet is None:
        missing = [name for name, rows in ((FINDINGS_SHEET, f_sheet), (CHECKLIST_SHEET, c_sheet)) if rows is None]
        raise ValidationFailed([InputError(shown, message("sheets_missing", missing=" or ".join(missing),
                                                          findings=FINDINGS_SHEET, checklist=CHECKLIST_SHEET))])
    team = [m.name for m in params.team]
    where = f"{shown} [{FINDINGS_SHEET}]"
    cwhere = f"{shown} [{CHECKLIST_SHEET}]"
    owner = _Owner(team, default_reviewer, errors)
    parsed = _parsed_findings(f_sheet, where, params, scope, default_reviewer, errors, screen, owner)
    checks = _checklist_rows(c_sheet, cwhere, params, scope, default_reviewer, errors, screen, owner.belongs)
    if errors:
        raise ValidationFailed(errors)
    notes = tuple(f_sheet.notes + c_sheet.notes)
    if not owner.name:
        return ImportResult(0, 0, 0, 0, notes, dry_run=dry_run, file=shown)
    fields = [c for c in MERGE_FIELDS if c in f_sheet.present]
    store = CaptureStore(root, params, scope, owner.name)
    existing = store.findings_or_seed()  # seeded from the listed files first, so they are matched, never added twice
    others = {f.id: name for name in team if name != owner.name
              for f in CaptureStore(root, params, scope, name).findings()}
    plan = plan_findings(parsed, exported_rows(e_sheet.rows if e_sheet else []), {e.id: e.to_row() for e in existing},
                         where, errors, others, fields, screen)
    stored = {pid: (e.status, e.notes) for pid, e in store.checklist_or_seed().items()}
    errors += _checklist_conflicts(checks, stored, cwhere, screen)
    if errors:
        raise ValidationFailed(errors)
    changes = tuple(c.line(screen) for c in [*finding_changes(plan, existing, fields, where),
                                             *checklist_changes(checks, stored, cwhere)])
    if dry_run:
        return replace(_counted(plan, existing, fields, checks, stored, notes, changes), file=shown)
    store.ensure_files()
    added, updated, unchanged = _apply_findings(store, plan, fields, others, where)
    n_checks = _apply_checklist(store, checks, scope, owner.name, cwhere)
    return ImportResult(added, updated, unchanged, n_checks, notes, changes, file=shown)


def _parsed_findings(sheet: SheetRows, where: str, params: ReviewParams, scope: KloeScope, default_reviewer: str,
                     errors: list[InputError], screen: Screen, owner: _Owner) -> list[tuple[int, CapturedFinding, str]]:
    """The Findings sheet's rows as findings with their exported versions (problems in ``errors``)."""
    parsed: list[tuple[int, CapturedFinding, str]] = []
    seen_ids: dict[str, int] = {}
    for n, v in sheet.rows:
        if not any(val for col, val in v.items() if col not in ("reviewer", VERSION)):
            continue
        f = parse_finding(n, v, where, params, scope, default_reviewer, errors, screen)
        if f is None:
            continue
        if f.id and f.id in seen_ids:
            errors.append(InputError(where, message("id_twice", id=privacy.quote(f.id, *screen), row=seen_ids[f.id]),
                                     row=n, column="id"))
        if f.id:
            seen_ids[f.id] = n
        if owner.belongs(f.reviewer, where, n):
            parsed.append((n, f, v.get(VERSION, "")))
    return parsed


def _checklist_conflicts(checks: Sequence[CheckRow], stored: Mapping[str, tuple[str, str]], cwhere: str,
                         screen: Screen) -> list[InputError]:
    """A prompt changed in the workbook and, differently, in the app since the export."""
    errors: list[InputError] = []
    for c in checks:
        try:
            checklist_target(c, stored.get(c.prompt_id))
        except Conflict as exc:
            now = dict(zip(CHECKLIST_FIELDS, stored.get(c.prompt_id) or (ChecklistStatus.NOT_YET.value, ""),
                           strict=True))
            errors.extend(InputError(cwhere, message("changed_both", now=privacy.quote(now[f], *screen)),
                                     row=c.row, column=f) for f in exc.fields)
    return errors


def _checklist_rows(sheet: SheetRows, cwhere: str, params: ReviewParams, scope: KloeScope, default_reviewer: str,
                    errors: list[InputError], screen: Screen,
                    belongs: Callable[[str, str, int], bool]) -> list[CheckRow]:
    """The checklist rows, each checked (problems in ``errors``)."""
    prompt_kloe = {p.id: k.id for k in scope.kloes for p in k.prompts}
    team = [m.name for m in params.team]
    checks: list[CheckRow] = []
    for n, v in sheet.rows:
        if not v.get("prompt_id"):
            continue
        status = " ".join(v.get("status", "").lower().split()) or ChecklistStatus.NOT_YET.value
        reviewer = v.get("reviewer") or default_reviewer
        before = len(errors)
        if v["prompt_id"] not in prompt_kloe:
            errors.append(InputError(cwhere, message("not_a_prompt", value=privacy.quote(v["prompt_id"], *screen)),
                                     row=n, column="prompt_id"))
        if status not in STATUSES:
            errors.append(InputError(cwhere, message("not_a_status", value=privacy.quote(v.get("status"), *screen),
                                                     statuses=", ".join(STATUSES)), row=n, column="status"))
        for m in text_messages({"notes": v.get("notes", "")}, params, "checklist notes"):
            errors.append(InputError(cwhere, m.text.rstrip("."), row=n, column="notes"))
        if reviewer not in team:
            errors.append(InputError(cwhere, message("not_in_team", value=privacy.quote(reviewer, *screen)),
                                     row=n, column="reviewer"))
        elif not belongs(reviewer, cwhere, n):
            continue
        if len(errors) == before:
            notes = v.get("notes", "") if "notes" in sheet.present else None
            checks.append(CheckRow(n, v["prompt_id"], status, notes, checklist_base(v.get(VERSION, ""))))
    return checks


def _counted(plan: list[Planned], existing: list[CapturedFinding], fields: list[str], checks: list[CheckRow],
             stored: dict[str, tuple[str, str]], notes: tuple[str, ...], changes: tuple[str, ...]) -> ImportResult:
    """A dry run's counts: what the import would add, update and leave."""
    current = {e.id: e.to_row() for e in existing}
    added = updated = 0
    for item in plan:
        f = item.finding
        if (not f.id and twin_of(f, existing) is None) or (f.id and f.id not in current):
            added += 1
        elif f.id and item.base is not None and finding_changes([item], existing, fields, ""):
            updated += 1
    n_checks = sum(checklist_target(c, stored.get(c.prompt_id)) is not None for c in checks)
    return ImportResult(added, updated, len(plan) - added - updated, n_checks, notes, changes, dry_run=True)


def _apply_findings(store: CaptureStore, plan: list[Planned], fields: list[str], others: dict[str, str],
                    where: str) -> tuple[int, int, int]:
    """Write the planned findings through the store; (added, updated, unchanged)."""
    added = updated = unchanged = 0
    for item in plan:
        f = item.finding
        existing = {e.id: e for e in store.findings()}
        if not f.id:
            if twin_of(f, list(existing.values())) is not None:
                unchanged += 1
                continue
            f = CapturedFinding(**{**f.__dict__, "id": new_finding_id(f.reviewer, set(existing) | set(others))})
        if f.id in existing and (item.base is None or same(existing[f.id].to_row(), f.to_row(), fields)
                                 or same(f.to_row(), item.base, fields)):
            unchanged += 1  # nothing changed in the workbook (or it already matches)
            continue
        try:
            changed = store.import_row(item.base, f.to_row(), fields)
        except Conflict as exc:  # changed in the app between the check above and now
            raise ValidationFailed([InputError(where, message("changed_during_import"),
                                               row=item.row, column=c) for c in exc.fields]) from None
        added += changed == "added"
        updated += changed == "updated"
        unchanged += changed == "unchanged"
    return added, updated, unchanged


def _apply_checklist(store: CaptureStore, checks: list[CheckRow], scope: KloeScope, owner: str, cwhere: str) -> int:
    """Save the checklist rows that change something; the number saved."""
    prompt_kloe = {p.id: k.id for k in scope.kloes for p in k.prompts}
    saved = 0
    for c in checks:
        entry = store.checklist().get(c.prompt_id)
        try:
            target = checklist_target(c, (entry.status, entry.notes) if entry else None)
        except Conflict:
            raise ValidationFailed([InputError(cwhere, message("changed_during_import"),
                                               row=c.row, column="status")]) from None
        if target is None:
            continue
        start = (ChecklistEntry(c.prompt_id, prompt_kloe[c.prompt_id], c.base[0], c.base[1], owner)
                 if c.base is not None else entry)
        result = store.set_prompt(c.prompt_id, target[0], target[1], base=start)
        if result.conflict:
            raise ValidationFailed([InputError(cwhere, message("changed_during_import"),
                                               row=c.row, column="status")])
        saved += result.ok
    return saved
