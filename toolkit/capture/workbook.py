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
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.capture.records import (
    CapturedFinding,
    ChecklistEntry,
    FindingDraft,
    merge_three_way,
    new_finding_id,
    normalise_kind,
)
from toolkit.capture.store import CaptureStore
from toolkit.capture.validate import screen_args, text_messages, validate_draft
from toolkit.errors import Conflict, InputError, ValidationFailed, display_path
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import CHECKLIST_COLUMNS, STATUSES, ChecklistStatus
from toolkit.inputs.files import regular_file
from toolkit.inputs.findings import COLUMNS, EVIDENCE_ALIASES, EVIDENCE_KINDS, Kind
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.limits import check_workbook
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.tables import parse_bool

FINDINGS_SHEET = "Findings"
CHECKLIST_SHEET = "Checklist"
LISTS_SHEET = "Lists"
EXPORTED_SHEET = "Exported"
VERSION = "version"
#: The cells of a finding the workbook may change (id and reviewer are fixed).
MERGE_FIELDS = ("kloe", "kind", "headline", "statement", "detail", "evidence", "indicator", "include", "order",
                "withdrawn")
BLANK_ROWS = 300
WIDTHS = {"statement": 60, "detail": 60, "evidence": 28, "kind": 24, "kloe": 22, "reviewer": 20,
          "prompt": 70, "notes": 50, "id": 14, "prompt_id": 18}


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    checklist: int


def _validation(ws: object, formula: str, column: int, last_row: int) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{last_row}")
    ws.add_data_validation(dv)  # type: ignore[attr-defined]


def export_workbook(params: ReviewParams, scope: KloeScope, root: Path, reviewer: str, out: Path,
                    blank: bool = False) -> Path:
    """Write the reviewer's workbook (blank, or filled from their capture files) to ``out``."""
    if reviewer not in [m.name for m in params.team]:
        raise InputError("--reviewer", f"{privacy.quote(reviewer, *screen_args(params))} is not in the review team "
                                       f"({', '.join(m.name for m in params.team)})")
    store = CaptureStore(root, params, scope, reviewer)
    if not blank:
        store.ensure_files()  # a reviewer's first export carries their findings from the listed files
    wb = Workbook()
    ws = wb.active
    ws.title = FINDINGS_SHEET
    ws.append([*COLUMNS, VERSION])
    exported = wb.create_sheet(EXPORTED_SHEET)
    exported.append([VERSION, *COLUMNS])
    if not blank:
        for f in store.findings():
            row = f.to_row()
            ws.append([row[c] for c in COLUMNS] + [f.version])
            exported.append([f.version] + [row[c] for c in COLUMNS])
    exported.sheet_state = "hidden"
    cl = wb.create_sheet(CHECKLIST_SHEET)
    cl.append([*CHECKLIST_COLUMNS, "prompt", VERSION])
    done = {} if blank else store.checklist()
    for k in scope.kloes:
        for p in k.prompts:
            e = done.get(p.id)
            status, notes = (e.status, e.notes) if e else (ChecklistStatus.NOT_YET.value, "")
            # the hidden version of a filled workbook is the entry as exported: the import's merge base
            cl.append([p.id, k.id, status, notes, reviewer, p.text, "" if blank else json.dumps([status, notes])])
    lists = wb.create_sheet(LISTS_SHEET)
    columns = {
        "kloe": scope.ids(), "kind": [k.value for k in Kind], "status": list(STATUSES),
        "yes/no": ["yes", "no"], "evidence kinds": list(EVIDENCE_KINDS), "reviewer": [reviewer],
        "kloe title": [k.title for k in scope.kloes],
    }
    for i, (name, values) in enumerate(columns.items(), start=1):
        lists.cell(row=1, column=i, value=name)
        for j, v in enumerate(values, start=2):
            lists.cell(row=j, column=i, value=v)
    lists.sheet_state = "hidden"
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
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(wb: object, name: str, shown: str, columns: tuple[str, ...],
                errors: list[InputError], hidden_ok: bool = False) -> list[tuple[int, dict[str, str]]] | None:
    """The rows of sheet ``name`` (None when there is none). A hidden sheet is read only when it is
    one the export hides on purpose (``hidden_ok``); otherwise it is an error, never read silently."""
    ws = next((s for s in wb.worksheets if s.title.lower() == name.lower()), None)  # type: ignore[attr-defined]
    if ws is None:
        return None
    where = f"{shown} [{name}]"
    if not hidden_ok and getattr(ws, "sheet_state", "visible") != "visible":
        errors.append(InputError(where, "this sheet is hidden, so what it holds cannot be seen before it is "
                                        "imported: unhide it (or delete it), check it, and import again"))
        return []
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return []
    header = [" ".join(_text(h).lower().replace("_", " ").split()).replace(" ", "_") for h in rows[0]]
    header = [h.replace("not_yet", "not yet") for h in header]
    missing = [c for c in columns if c not in header]
    for c in missing:
        errors.append(InputError(where, "required column missing", row=1, column=c))
    if missing:
        return []
    out = []
    for n, cells in enumerate(rows[1:], start=2):
        values = {h: _text(v) for h, v in zip(header, cells, strict=False) if h}
        out.append((n, values))
    return out


def _default_reviewer(wb: object) -> str:
    ws = next((s for s in wb.worksheets if s.title == LISTS_SHEET), None)  # type: ignore[attr-defined]
    if ws is None:
        return ""
    rows = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    if len(rows) < 2:
        return ""
    for name, value in zip(rows[0], rows[1], strict=False):
        if name == "reviewer":
            return _text(value)
    return ""


FIELD_COLUMN = {"statement": "statement", "detail": "detail", "kloe": "kloe", "kind": "kind",
                "evidence": "evidence", "reviewer": "reviewer", "indicator": "indicator"}


def _parse_finding(n: int, v: dict[str, str], where: str, params: ReviewParams, scope: KloeScope,
                   default_reviewer: str, errors: list[InputError]) -> CapturedFinding | None:
    before = len(errors)
    allow, year = screen_args(params)
    reviewer = v.get("reviewer") or default_reviewer
    for m in text_messages({"id": v.get("id", "")}, params, "a finding's id"):
        errors.append(InputError(where, m.text.rstrip("."), row=n, column="id"))
    flags: dict[str, bool] = {}
    for c, default in (("headline", False), ("include", True), ("withdrawn", False)):
        b = parse_bool(v.get(c, ""), default)
        if b is None:
            errors.append(InputError(where, f"{privacy.quote(v.get(c), allow, year)} is not yes or no", row=n,
                                     column=c))
        flags[c] = bool(b) if b is not None else default
    evidence: list[str] = []
    for part in v.get("evidence", "").replace(",", ";").split(";"):
        word = " ".join(part.lower().split())
        word = EVIDENCE_ALIASES.get(word, word)
        if word and word not in evidence:
            evidence.append(word)
    order: float | None = None
    if v.get("order"):
        try:
            order = float(v["order"])
        except ValueError:
            errors.append(InputError(where, f"{privacy.quote(v['order'], allow, year)} is not a number", row=n,
                                     column="order"))
    draft = FindingDraft(kloe=v.get("kloe", ""), kind=v.get("kind", ""), statement=v.get("statement", ""),
                         detail=v.get("detail", ""), evidence=tuple(evidence), headline=flags["headline"],
                         indicator=v.get("indicator", ""))
    for m in validate_draft(draft, params, scope, reviewer):
        errors.append(InputError(where, m.text.rstrip("."), row=n, column=FIELD_COLUMN.get(m.field, m.field)))
    if len(errors) > before:
        return None
    return CapturedFinding(
        id=v.get("id", ""), kloe=draft.kloe, kind=normalise_kind(draft.kind) or draft.kind,
        statement=draft.statement, reviewer=reviewer, detail=draft.detail, evidence=draft.evidence,
        headline=flags["headline"], include=flags["include"], order=order, indicator=draft.indicator,
        withdrawn=flags["withdrawn"])


def _exported_rows(wb: object, shown: str, errors: list[InputError]) -> dict[str, dict[str, str]]:
    """The findings as they were at export, by version (empty for a workbook without the sheet)."""
    rows = _sheet_rows(wb, EXPORTED_SHEET, shown, (VERSION, "id"), errors, hidden_ok=True) or []
    return {v[VERSION]: CapturedFinding.from_row({c: v.get(c, "") for c in COLUMNS}).to_row()
            for _, v in rows if v.get(VERSION)}


@dataclass(frozen=True)
class _Planned:
    """One workbook finding row and what importing it does."""
    row: int
    finding: CapturedFinding
    base: dict[str, str] | None  # the row as exported (None: a new finding)


def _plan_findings(rows: list[tuple[int, CapturedFinding, str]], exported: dict[str, dict[str, str]],
                   store: CaptureStore, where: str, errors: list[InputError],
                   other_ids: dict[str, str]) -> list[_Planned]:
    """Check each row against the capture file as it is now; a clash is an error naming the cell."""
    current = {f.id: f.to_row() for f in store.findings()}
    allow, year = screen_args(store.params)
    out = []
    for n, f, version in rows:
        if not f.id:
            out.append(_Planned(n, f, None))
            continue
        if f.id in other_ids:
            errors.append(InputError(where, f"id {privacy.quote(f.id, allow, year)} is a finding of "
                                     f"{other_ids[f.id]}, not {f.reviewer}",
                                     row=n, column="id"))
            continue
        base = exported.get(version)
        if base is None or base["id"] != f.id:
            if f.id in current:
                errors.append(InputError(where, f"finding {privacy.quote(f.id, allow, year)} has no export "
                                         "version in this workbook, so changes made in the app since cannot be "
                                         "told apart: export a fresh workbook and make the change there",
                                         row=n, column=VERSION))
                continue
            out.append(_Planned(n, f, None))
            continue
        if f.id in current:
            try:
                merge_three_way(base, f.to_row(), current[f.id], MERGE_FIELDS)
            except Conflict as exc:
                for c in exc.fields:
                    errors.append(InputError(where, f"changed here and, differently, in the app since this workbook "
                                             f"was exported (now {privacy.quote(current[f.id][c], allow, year)}): "
                                             "export a fresh workbook",
                                             row=n, column=c))
                continue
        out.append(_Planned(n, f, base))
    return out


def import_workbook(params: ReviewParams, scope: KloeScope, root: Path, file: Path) -> ImportResult:
    """Validate the workbook, then merge it into its reviewer's capture files (nothing is written on error)."""
    shown = display_path(file, root)
    try:
        check_workbook(regular_file(file, shown), shown)  # a zip bomb or a huge sheet, before openpyxl reads it
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValidationFailed([InputError(shown, f"cannot read the workbook ({exc.__class__.__name__})")]) from None
    errors: list[InputError] = []
    try:
        default_reviewer = _default_reviewer(wb)
        f_rows = _sheet_rows(wb, FINDINGS_SHEET, shown, ("kloe", "kind", "statement", "evidence"), errors)
        c_rows = _sheet_rows(wb, CHECKLIST_SHEET, shown, ("prompt_id", "status"), errors)
        exported = _exported_rows(wb, shown, errors)
    finally:
        wb.close()
    missing = [name for name, rows in ((FINDINGS_SHEET, f_rows), (CHECKLIST_SHEET, c_rows)) if rows is None]
    if missing:
        raise ValidationFailed([InputError(shown, (
            f"the workbook has no {' or '.join(missing)} sheet (it needs both {FINDINGS_SHEET} and "
            f"{CHECKLIST_SHEET}, under those names): rename the sheet back, or export a fresh workbook "
            "with peer-review capture-export"))])
    allow, year = screen_args(params)
    team = [m.name for m in params.team]
    where = f"{shown} [{FINDINGS_SHEET}]"
    cwhere = f"{shown} [{CHECKLIST_SHEET}]"
    owner_name = default_reviewer if default_reviewer in team else ""

    def belongs(reviewer: str, at: str, n: int) -> bool:
        """A workbook is one reviewer's: the one it was exported for (else the first row's)."""
        nonlocal owner_name
        if reviewer not in team:
            return True  # reported by the row's own validation
        if not owner_name:
            owner_name = reviewer
        if reviewer != owner_name:
            errors.append(InputError(at, f"this workbook belongs to {owner_name}; a finding or prompt of {reviewer} "
                                         f"goes in {reviewer}'s own workbook", row=n, column="reviewer"))
            return False
        return True

    parsed: list[tuple[int, CapturedFinding, str]] = []
    seen_ids: dict[str, int] = {}
    for n, v in f_rows or []:
        if not any(val for col, val in v.items() if col not in ("reviewer", VERSION)):
            continue
        f = _parse_finding(n, v, where, params, scope, default_reviewer, errors)
        if f is not None and f.id:
            if f.id in seen_ids:
                errors.append(InputError(where, f"id {privacy.quote(f.id, allow, year)} is also on row "
                                         f"{seen_ids[f.id]}", row=n, column="id"))
            seen_ids[f.id] = n
        if f is not None and belongs(f.reviewer, where, n):
            parsed.append((n, f, v.get(VERSION, "")))
    prompt_kloe = {p.id: k.id for k in scope.kloes for p in k.prompts}
    checks: list[tuple[int, str, str, str, tuple[str, str] | None]] = []
    for n, v in c_rows or []:
        if not v.get("prompt_id"):
            continue
        status = " ".join(v.get("status", "").lower().split()) or ChecklistStatus.NOT_YET.value
        reviewer = v.get("reviewer") or default_reviewer
        before = len(errors)
        if v["prompt_id"] not in prompt_kloe:
            errors.append(InputError(cwhere, f"{privacy.quote(v['prompt_id'], allow, year)} is not a prompt of a "
                                     "KLOE in scope", row=n, column="prompt_id"))
        if status not in STATUSES:
            errors.append(InputError(cwhere, f"{privacy.quote(v.get('status'), allow, year)} is not "
                                     f"{', '.join(STATUSES)}", row=n, column="status"))
        for m in text_messages({"notes": v.get("notes", "")}, params, "checklist notes"):
            errors.append(InputError(cwhere, m.text.rstrip("."), row=n, column="notes"))
        if reviewer not in team:
            errors.append(InputError(cwhere, f"{privacy.quote(reviewer, allow, year)} is not in the review team",
                                     row=n, column="reviewer"))
        elif not belongs(reviewer, cwhere, n):
            continue
        base = _checklist_base(v.get(VERSION, ""))
        if len(errors) == before:
            checks.append((n, v["prompt_id"], status, v.get("notes", ""), base))
    if errors:
        raise ValidationFailed(errors)
    if not owner_name:
        return ImportResult(0, 0, 0, 0)
    store = CaptureStore(root, params, scope, owner_name)
    store.ensure_files()  # seeded from the listed files first, so they are matched, never added twice
    others = {f.id: name for name in team if name != owner_name
              for f in CaptureStore(root, params, scope, name).findings()}
    plan = _plan_findings(parsed, exported, store, where, errors, others)
    ticked = store.checklist()
    for n, pid, status, notes, base in checks:
        now = ticked.get(pid)
        current = ({"status": now.status, "notes": now.notes} if now
                   else {"status": ChecklistStatus.NOT_YET.value, "notes": ""})
        if base is not None:
            try:
                merge_three_way({"status": base[0], "notes": base[1]}, {"status": status, "notes": notes},
                                current, ("status", "notes"))
            except Conflict as exc:
                errors.extend(InputError(cwhere, f"changed here and, differently, in the app since this workbook "
                                                 f"was exported (now {privacy.quote(current[c], allow, year)}): "
                                                 "export a fresh workbook",
                                         row=n, column=c) for c in exc.fields)
    if errors:
        raise ValidationFailed(errors)
    added = updated = unchanged = 0
    for item in plan:
        f = item.finding
        existing = {e.id: e for e in store.findings()}
        if not f.id:
            twin = next((e for e in existing.values()
                         if (e.kloe, e.kind, e.statement) == (f.kloe, f.kind, f.statement)), None)
            if twin is not None:
                unchanged += 1
                continue
            f = CapturedFinding(**{**f.__dict__, "id": new_finding_id(f.reviewer, set(existing) | set(others))})
        if f.id in existing and (item.base is None or existing[f.id].to_row() == f.to_row()
                                 or f.to_row() == item.base):
            unchanged += 1  # nothing changed in the workbook (or it already matches)
            continue
        try:
            changed = store.import_row(item.base, f.to_row(), MERGE_FIELDS)
        except Conflict as exc:  # changed in the app between the check above and now
            raise ValidationFailed([InputError(where, "changed in the app during the import: import again",
                                               row=item.row, column=c) for c in exc.fields]) from None
        if changed == "added":
            added += 1
        elif changed == "updated":
            updated += 1
        else:
            unchanged += 1
    n_checks = 0
    for _, pid, status, notes, base in checks:
        stored = store.checklist().get(pid)
        if base is not None and (status, notes) == base:
            continue  # unchanged in the workbook: whatever the app holds now stays
        if base is None and status == ChecklistStatus.NOT_YET and not notes:
            continue  # an untouched row (a blank workbook's default) never resets a ticked prompt
        if stored is not None and (stored.status, stored.notes) == (status, notes):
            continue
        kloe = prompt_kloe[pid]
        start = (ChecklistEntry(pid, kloe, base[0], base[1], owner_name) if base is not None else stored)
        result = store.set_prompt(pid, status, notes, base=start)
        if result.conflict:
            raise ValidationFailed([InputError(cwhere, "changed in the app during the import: import again",
                                               column="status")])
        n_checks += result.ok
    return ImportResult(added, updated, unchanged, n_checks)


def _checklist_base(version: str) -> tuple[str, str] | None:
    """The (status, notes) a filled workbook's checklist row was exported with (None: not known)."""
    if not version:
        return None
    try:
        status, notes = json.loads(version)
    except (ValueError, TypeError):
        return None
    return str(status), str(notes)
