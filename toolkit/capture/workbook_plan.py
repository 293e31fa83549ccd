"""What importing a capture workbook changes: each row checked, merged three ways, listed.

The sheets are read by :mod:`toolkit.capture.workbook_sheet`; here each finding row becomes a
:class:`~toolkit.capture.records.CapturedFinding` (every cell checked as the app checks it), each
row with an id is checked against the capture file as it is now (:func:`plan_findings`: a cell
changed both here and in the app since the export is refused, naming the cell), and
:func:`finding_changes` / :func:`checklist_changes` list every change the import makes, finding
by finding and field by field (``--dry-run`` prints them and writes nothing). Only the columns the
sheet has take part in the merge (``fields``): a column that is not there never changes a finding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from toolkit.capture.records import CapturedFinding, FindingDraft, merge_three_way, normalise_kind
from toolkit.capture.validate import text_messages, validate_draft
from toolkit.capture.workbook_sheet import SheetSpec
from toolkit.errors import Conflict, InputError
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import CHECKLIST_COLUMNS, ChecklistStatus
from toolkit.inputs.findings import COLUMNS, EVIDENCE_ALIASES
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.tables import parse_bool
from toolkit.inputs.xlsx import message

FINDINGS_SHEET = "Findings"
CHECKLIST_SHEET = "Checklist"
LISTS_SHEET = "Lists"
EXPORTED_SHEET = "Exported"
VERSION = "version"
#: The cells of a finding the workbook may change (id and reviewer are fixed).
MERGE_FIELDS = ("kloe", "kind", "headline", "statement", "detail", "evidence", "indicator", "include", "order",
                "withdrawn")
CHECKLIST_FIELDS = ("status", "notes")
FINDINGS_SPEC = SheetSpec(FINDINGS_SHEET, (*COLUMNS, VERSION), ("kloe", "kind", "statement", "evidence"),
                          late=("edited_by",))
CHECKLIST_SPEC = SheetSpec(CHECKLIST_SHEET, (*CHECKLIST_COLUMNS, VERSION), ("prompt_id", "status"),
                           ignored=("prompt",))
EXPORTED_SPEC = SheetSpec(EXPORTED_SHEET, (VERSION, *COLUMNS), (VERSION, "id"), late=("edited_by",))
FIELD_COLUMN = {"statement": "statement", "detail": "detail", "kloe": "kloe", "kind": "kind",
                "evidence": "evidence", "reviewer": "reviewer", "indicator": "indicator"}
Screen = tuple[list[str], int]


@dataclass(frozen=True)
class Change:
    """One field an import changes: ``where`` is the finding or prompt and its row."""
    where: str
    field: str
    old: str
    new: str

    def line(self, screen: Screen) -> str:
        def shown(v: str) -> str:
            return privacy.quote(v, *screen) if v else message("empty_value")
        return message("change", where=self.where, field=self.field, old=shown(self.old), new=shown(self.new))


def parse_finding(n: int, v: dict[str, str], where: str, params: ReviewParams, scope: KloeScope,
                  default_reviewer: str, errors: list[InputError], screen: Screen) -> CapturedFinding | None:
    """The finding on row ``n`` (None, with its problems in ``errors``, when a cell is wrong)."""
    before = len(errors)
    reviewer = v.get("reviewer") or default_reviewer
    for m in text_messages({"id": v.get("id", "")}, params, "a finding's id"):
        errors.append(InputError(where, m.text.rstrip("."), row=n, column="id"))
    flags: dict[str, bool] = {}
    for c, default in (("headline", False), ("include", True), ("withdrawn", False)):
        b = parse_bool(v.get(c, ""), default)
        if b is None:
            errors.append(InputError(where, f"{privacy.quote(v.get(c), *screen)} is not yes or no", row=n, column=c))
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
            errors.append(InputError(where, f"{privacy.quote(v['order'], *screen)} is not a number", row=n,
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


def exported_rows(rows: list[tuple[int, dict[str, str]]]) -> dict[str, dict[str, str]]:
    """The findings as they were at export, by version."""
    return {v[VERSION]: CapturedFinding.from_row({c: v.get(c, "") for c in COLUMNS}).to_row()
            for _, v in rows if v.get(VERSION)}


def same(a: dict[str, str], b: dict[str, str], fields: Sequence[str]) -> bool:
    """True when ``a`` and ``b`` agree on every one of ``fields``."""
    return all(a.get(f, "") == b.get(f, "") for f in fields)


@dataclass(frozen=True)
class Planned:
    """One workbook finding row and what importing it does."""
    row: int
    finding: CapturedFinding
    base: dict[str, str] | None  # the row as exported (None: a new finding)


def plan_findings(rows: list[tuple[int, CapturedFinding, str]], exported: dict[str, dict[str, str]],
                  current: dict[str, dict[str, str]], where: str, errors: list[InputError],
                  other_ids: dict[str, str], fields: Sequence[str], screen: Screen) -> list[Planned]:
    """Check each row against the capture file as it is now; a clash is an error naming the cell."""
    out = []
    for n, f, version in rows:
        if not f.id:
            out.append(Planned(n, f, None))
            continue
        if f.id in other_ids:
            errors.append(InputError(where, f"id {privacy.quote(f.id, *screen)} is a finding of "
                                     f"{other_ids[f.id]}, not {f.reviewer}", row=n, column="id"))
            continue
        base = exported.get(version)
        if base is None or base["id"] != f.id:
            if f.id in current:
                errors.append(InputError(where, f"finding {privacy.quote(f.id, *screen)} has no export "
                                         "version in this workbook, so changes made in the app since cannot be "
                                         "told apart: export a fresh workbook and make the change there",
                                         row=n, column=VERSION))
                continue
            out.append(Planned(n, f, None))
            continue
        if f.id in current:
            try:
                merge_three_way(base, f.to_row(), current[f.id], fields)
            except Conflict as exc:
                for c in exc.fields:
                    errors.append(InputError(where, f"changed here and, differently, in the app since this workbook "
                                             f"was exported (now {privacy.quote(current[f.id][c], *screen)}): "
                                             "export a fresh workbook", row=n, column=c))
                continue
        out.append(Planned(n, f, base))
    return out


def twin_of(f: CapturedFinding, existing: Sequence[CapturedFinding]) -> CapturedFinding | None:
    """A finding already saved with the same KLOE, kind and statement (importing twice adds nothing twice)."""
    return next((e for e in existing if (e.kloe, e.kind, e.statement) == (f.kloe, f.kind, f.statement)), None)


def finding_changes(plan: Sequence[Planned], existing: Sequence[CapturedFinding], fields: Sequence[str],
                    sheet: str) -> list[Change]:
    """Every field each planned row changes in the capture file as it is now (``sheet``: the
    workbook and sheet, as messages name them)."""
    current = {e.id: e.to_row() for e in existing}
    blank = CapturedFinding(id="", kloe="", kind="", statement="", reviewer="").to_row()
    out: list[Change] = []
    for item in plan:
        mine = item.finding.to_row()
        if not item.finding.id and twin_of(item.finding, existing) is not None:
            continue
        if item.finding.id not in current:
            where = (message("finding", where=sheet, id=item.finding.id, row=item.row) if item.finding.id
                     else message("new_finding", where=sheet, row=item.row))
            out += [Change(where, f, "", mine[f]) for f in MERGE_FIELDS if mine[f] != blank[f]]
            continue
        if item.base is None:
            continue  # a row with an id and no export version for a finding not saved: added above
        now = current[item.finding.id]
        merged = merge_three_way(item.base, mine, now, fields)
        where = message("finding", where=sheet, id=item.finding.id, row=item.row)
        out += [Change(where, f, now[f], merged[f]) for f in fields if merged[f] != now[f]]
    return out


@dataclass(frozen=True)
class CheckRow:
    """One checklist row: ``notes`` is None when the sheet has no notes column."""
    row: int
    prompt_id: str
    status: str
    notes: str | None
    base: tuple[str, str] | None  # (status, notes) as exported; None when not known


def checklist_target(check: CheckRow, stored: tuple[str, str] | None) -> tuple[str, str] | None:
    """The (status, notes) this row saves, or None when it changes nothing."""
    now = stored or (ChecklistStatus.NOT_YET.value, "")
    notes = check.notes if check.notes is not None else (check.base[1] if check.base is not None else now[1])
    mine = (check.status, notes)
    if check.base is not None:
        if mine == check.base:
            return None  # unchanged in the workbook: whatever the app holds now stays
        merged = merge_three_way(dict(zip(CHECKLIST_FIELDS, check.base, strict=True)),
                                 dict(zip(CHECKLIST_FIELDS, mine, strict=True)),
                                 dict(zip(CHECKLIST_FIELDS, now, strict=True)), CHECKLIST_FIELDS)
        target = (merged["status"], merged["notes"])
    else:
        if check.status == ChecklistStatus.NOT_YET and not notes:
            return None  # an untouched row (a blank workbook's default) never resets a ticked prompt
        target = mine
    return None if target == now else target


def checklist_changes(checks: Sequence[CheckRow], stored: dict[str, tuple[str, str]], sheet: str) -> list[Change]:
    """Every status and note the checklist rows change."""
    out: list[Change] = []
    for c in checks:
        target = checklist_target(c, stored.get(c.prompt_id))
        if target is None:
            continue
        now = stored.get(c.prompt_id) or (ChecklistStatus.NOT_YET.value, "")
        where = message("prompt", where=sheet, id=c.prompt_id, row=c.row)
        out += [Change(where, f, old, new) for f, old, new in zip(CHECKLIST_FIELDS, now, target, strict=True)
                if old != new]
    return out


def checklist_base(version: str) -> tuple[str, str] | None:
    """The (status, notes) a filled workbook's checklist row was exported with (None: not known)."""
    if not version:
        return None
    try:
        status, notes = json.loads(version)
    except (ValueError, TypeError):
        return None
    return str(status), str(notes)
