"""Excel round trip for reviewers who prefer a workbook to the capture app.

:func:`export_workbook` writes ``Findings`` (the findings columns) and ``Checklist`` sheets
(``prompt_id, kloe, status, notes, reviewer`` and the prompt's text, for reading only), blank or
filled from the reviewer's capture files, with drop-down lists (data validation) for KLOE, kind,
status and the yes/no columns. A hidden ``Lists`` sheet holds the choices and the reviewer's name.

:func:`import_workbook` validates every row first and reports every problem with the file, sheet,
row and column; on any problem it writes nothing. Otherwise it merges the rows into each
reviewer's capture files through :class:`toolkit.store.CaptureStore` (atomic, locked, journalled):
rows with a known id replace that finding, rows without an id are added with a new id (unless a
finding with the same KLOE, kind and statement is already there, so importing twice adds nothing
twice), and findings not in the workbook are left as they are. A checklist row left at "not yet"
with no notes is taken as untouched and never resets a prompt already ticked.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.findings import COLUMNS, EVIDENCE_ALIASES, EVIDENCE_KINDS, Kind
from toolkit.frameworks import KloeScope
from toolkit.params import ReviewParams
from toolkit.store import (CHECKLIST_COLUMNS, STATUSES, CapturedFinding, CaptureStore, FindingDraft,
                           new_finding_id, normalise_kind, validate_draft)
from toolkit.tables import parse_bool

FINDINGS_SHEET = "Findings"
CHECKLIST_SHEET = "Checklist"
LISTS_SHEET = "Lists"
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
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    letter = get_column_letter(column)
    dv.add(f"{letter}2:{letter}{last_row}")
    ws.add_data_validation(dv)  # type: ignore[attr-defined]


def export_workbook(params: ReviewParams, scope: KloeScope, root: Path, reviewer: str, out: Path,
                    blank: bool = False) -> Path:
    """Write the reviewer's workbook (blank, or filled from their capture files) to ``out``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    if reviewer not in [m.name for m in params.team]:
        raise InputError("--reviewer", f"'{reviewer}' is not in the review team ({', '.join(m.name for m in params.team)})")
    store = CaptureStore(root, params, scope, reviewer)
    wb = Workbook()
    ws = wb.active
    ws.title = FINDINGS_SHEET
    ws.append(list(COLUMNS))
    if not blank:
        for f in store.findings():
            row = f.to_row()
            ws.append([row[c] for c in COLUMNS])
    cl = wb.create_sheet(CHECKLIST_SHEET)
    cl.append([*CHECKLIST_COLUMNS, "prompt"])
    done = {} if blank else store.checklist()
    for k in scope.kloes:
        for p in k.prompts:
            e = done.get(p.id)
            cl.append([p.id, k.id, e.status if e else "not yet", e.notes if e else "", reviewer, p.text])
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
                errors: list[InputError]) -> list[tuple[int, dict[str, str]]] | None:
    ws = next((s for s in wb.worksheets if s.title.lower() == name.lower()), None)  # type: ignore[attr-defined]
    if ws is None:
        return None
    where = f"{shown} [{name}]"
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
        values = {h: _text(v) for h, v in zip(header, cells) if h}
        out.append((n, values))
    return out


def _default_reviewer(wb: object) -> str:
    ws = next((s for s in wb.worksheets if s.title == LISTS_SHEET), None)  # type: ignore[attr-defined]
    if ws is None:
        return ""
    rows = list(ws.iter_rows(min_row=1, max_row=2, values_only=True))
    if len(rows) < 2:
        return ""
    for name, value in zip(rows[0], rows[1]):
        if name == "reviewer":
            return _text(value)
    return ""


FIELD_COLUMN = {"statement": "statement", "kloe": "kloe", "kind": "kind", "evidence": "evidence",
                "reviewer": "reviewer", "indicator": "indicator"}


def _parse_finding(n: int, v: dict[str, str], where: str, params: ReviewParams, scope: KloeScope,
                   default_reviewer: str, errors: list[InputError]) -> CapturedFinding | None:
    before = len(errors)
    reviewer = v.get("reviewer") or default_reviewer
    flags: dict[str, bool] = {}
    for c, default in (("headline", False), ("include", True), ("withdrawn", False)):
        b = parse_bool(v.get(c, ""), default)
        if b is None:
            errors.append(InputError(where, f"'{v.get(c)}' is not yes or no", row=n, column=c))
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
            errors.append(InputError(where, f"'{v['order']}' is not a number", row=n, column="order"))
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


def import_workbook(params: ReviewParams, scope: KloeScope, root: Path, file: Path) -> ImportResult:
    """Validate the workbook, then merge it into the capture files (nothing is written on error)."""
    import openpyxl

    shown = display_path(file, root)
    try:
        wb = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ValidationFailed([InputError(shown, "file not found")]) from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValidationFailed([InputError(shown, f"cannot read the workbook ({exc.__class__.__name__})")]) from None
    errors: list[InputError] = []
    try:
        default_reviewer = _default_reviewer(wb)
        f_rows = _sheet_rows(wb, FINDINGS_SHEET, shown, ("kloe", "kind", "statement", "evidence"), errors)
        c_rows = _sheet_rows(wb, CHECKLIST_SHEET, shown, ("prompt_id", "status"), errors)
    finally:
        wb.close()
    if f_rows is None and c_rows is None:
        raise ValidationFailed([InputError(shown, f"no '{FINDINGS_SHEET}' or '{CHECKLIST_SHEET}' sheet")])
    findings: list[tuple[int, CapturedFinding]] = []
    seen_ids: dict[str, int] = {}
    where = f"{shown} [{FINDINGS_SHEET}]"
    for n, v in f_rows or []:
        if not any(val for col, val in v.items() if col != "reviewer"):
            continue
        f = _parse_finding(n, v, where, params, scope, default_reviewer, errors)
        if f is not None and f.id:
            if f.id in seen_ids:
                errors.append(InputError(where, f"id '{f.id}' is also on row {seen_ids[f.id]}", row=n, column="id"))
            seen_ids[f.id] = n
        if f is not None:
            findings.append((n, f))
    stores = {m.name: CaptureStore(root, params, scope, m.name) for m in params.team}
    owner = {f.id: name for name, s in stores.items() for f in s.findings()}
    for n, f in findings:
        if f.id and f.id in owner and owner[f.id] != f.reviewer:
            errors.append(InputError(where, f"id '{f.id}' is a finding of {owner[f.id]}, not {f.reviewer}", row=n, column="id"))
    prompt_kloe = {p.id: k.id for k in scope.kloes for p in k.prompts}
    checks: list[tuple[str, str, str, str]] = []
    cwhere = f"{shown} [{CHECKLIST_SHEET}]"
    for n, v in c_rows or []:
        if not v.get("prompt_id"):
            continue
        status = " ".join(v.get("status", "").lower().split()) or "not yet"
        reviewer = v.get("reviewer") or default_reviewer
        before = len(errors)
        if v["prompt_id"] not in prompt_kloe:
            errors.append(InputError(cwhere, f"'{v['prompt_id']}' is not a prompt of a KLOE in scope", row=n, column="prompt_id"))
        if status not in STATUSES:
            errors.append(InputError(cwhere, f"'{v.get('status')}' is not {', '.join(STATUSES)}", row=n, column="status"))
        if reviewer not in stores:
            errors.append(InputError(cwhere, f"'{reviewer}' is not in the review team", row=n, column="reviewer"))
        if len(errors) == before:
            checks.append((reviewer, v["prompt_id"], status, v.get("notes", "")))
    if errors:
        raise ValidationFailed(errors)
    added = updated = unchanged = 0
    for _, f in findings:
        store = stores[f.reviewer]
        existing = {e.id: e for e in store.findings()}
        if not f.id:
            twin = next((e for e in existing.values() if (e.kloe, e.kind, e.statement) == (f.kloe, f.kind, f.statement)), None)
            if twin is not None:
                unchanged += 1
                continue
            taken = set(existing) | set(owner)
            f = CapturedFinding(**{**f.__dict__, "id": new_finding_id(f.reviewer, taken)})
        if f.id in existing and existing[f.id] == f:
            unchanged += 1
            continue
        updated += f.id in existing
        added += f.id not in existing
        store.upsert_row(f.to_row())
    n_checks = 0
    for reviewer, pid, status, notes in checks:
        store = stores[reviewer]
        current = store.checklist().get(pid)
        if status == "not yet" and not notes:
            continue  # an untouched row (a blank workbook's default) never resets a ticked prompt
        if current is not None and (current.status, current.notes) == (status, notes):
            continue
        result = store.set_prompt(pid, status, notes, base=current)
        n_checks += result.ok
    return ImportResult(added, updated, unchanged, n_checks)
