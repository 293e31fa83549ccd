"""The capture store: each reviewer's findings and checklist files, saved at once and never lost.

Files live under ``data/<review_id>/capture/``: ``findings_<reviewer>.csv`` (the findings columns
of ``docs/inputs.md``, ``id`` and ``withdrawn`` included) and ``checklist_<reviewer>.csv``
(``prompt_id, kloe, status, notes, reviewer``). The letter reads them where they are, next to the
files the parameters list (:mod:`toolkit.review`); a new file is seeded with the reviewer's rows
from the listed files (:meth:`CaptureStore.ensure_files`), which it then supersedes.

Every save is one locked read-modify-write (:mod:`toolkit.capture.files`): take the file's
exclusive lock, re-read the file, apply only this caller's change, append it to the reviewer's
journal (``.journal_<reviewer>.jsonl``), replace the file atomically, release the lock. Two tabs
(two kernels) for the same reviewer therefore never overwrite each other's entries. An edit
carries the finding as the tab last saw it (its *base*); a three-way merge keeps fields changed
elsewhere and refuses the save, naming the fields, only when both sides changed the same field
differently (the tab keeps its text in the form). Withdrawn findings stay in the file.

The rows and the merge are in :mod:`toolkit.capture.records`, the checks a form entry must pass in
:mod:`toolkit.capture.validate`, the journal and its purge in :mod:`toolkit.capture.journal`, the
file primitives in :mod:`toolkit.capture.files`. :func:`open_review` opens a review for capture.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.analysis.coverage import RANK, read_checklist_file
from toolkit.capture.files import atomic_write_text, locked, read_rows, rows_to_csv
from toolkit.capture.journal import append_journal, journal_path
from toolkit.capture.records import (
    CONTENT_FIELDS,
    CapturedFinding,
    ChecklistEntry,
    FindingDraft,
    FormMessage,
    SaveResult,
    flag_text,
    merge_three_way,
    new_finding_id,
    normalise_kind,
    order_text,
)
from toolkit.capture.validate import passes_screen, screen_args, validate_draft, validate_prompt
from toolkit.errors import Conflict, StoreError, display_path
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import CHECKLIST_COLUMNS, capture_folder, checklist_path, findings_path
from toolkit.inputs.findings import COLUMNS, read_findings_file
from toolkit.inputs.frameworks import KloeScope, resolve_scope
from toolkit.inputs.params import ReviewParams, load_params, project_root_for


@dataclass
class CaptureStore:
    """One reviewer's capture files for one review. Cheap to create; holds no open files."""
    root: Path
    params: ReviewParams
    scope: KloeScope
    reviewer: str
    indicators: set[str] | None = None
    session: str = field(default_factory=lambda: os.urandom(4).hex())

    @property
    def folder(self) -> Path:
        return capture_folder(self.root, self.params.review_id)

    @property
    def findings_path(self) -> Path:
        return findings_path(self.root, self.params.review_id, self.reviewer)

    @property
    def checklist_path(self) -> Path:
        return checklist_path(self.root, self.params.review_id, self.reviewer)

    @property
    def journal_path(self) -> Path:
        return journal_path(self.root, self.params.review_id, self.reviewer)

    def ensure_files(self) -> None:
        """Create the reviewer's files if they do not exist yet, seeded from the listed files.

        A new capture findings file starts with this reviewer's valid findings from the files
        ``inputs.findings`` names (ids kept; a row without an id keeps the id the letter gives it,
        ``<file stem>-<row>``), and a new checklist file with their rows from ``inputs.checklist``
        (the best status per prompt). From then on the capture copy is the one the app, the Excel
        round trip and the team's refinement change, and the letter reads it in place of the
        listed rows with the same id (:func:`toolkit.analysis.coverage.review_findings`). Existing files
        are never touched.
        """
        for path, columns, seed in ((self.findings_path, COLUMNS, self._seed_findings),
                                    (self.checklist_path, CHECKLIST_COLUMNS, self._seed_checklist)):
            with locked(path):
                if not path.exists():
                    rows = seed()
                    for row in rows:
                        self._journal("seed", row)
                    atomic_write_text(path, rows_to_csv(rows, columns))

    def _listed(self, names: Sequence[str]) -> list[Path]:
        mine = {self.findings_path.resolve(), self.checklist_path.resolve()}
        folder = self.folder.resolve()
        return [p for p in (self.root / rel for rel in names)
                if p.is_file() and p.resolve() not in mine and p.resolve().parent != folder]

    def _seed_findings(self) -> list[dict[str, str]]:

        rows: list[dict[str, str]] = []
        ids: set[str] = set()
        for path in self._listed(self.params.inputs.findings):
            got, _ = read_findings_file(path, display_path(path, self.root), self.params, self.scope)
            for f in got:
                if f.reviewer != self.reviewer or f.id in ids:
                    continue
                if not passes_screen({"statement": f.statement, "detail": f.detail}, self.params):
                    continue  # never copied: validation names the listed file's row, where it is mended
                ids.add(f.id)
                rows.append(CapturedFinding(
                    id=f.id, kloe=f.kloe or "", kind=f.kind.value, statement=f.statement, reviewer=f.reviewer,
                    detail=f.detail, evidence=f.evidence, headline=f.headline, include=f.include, order=f.order,
                    indicator=f.indicator or "", withdrawn=f.withdrawn, edited_by=f.edited_by).to_row())
        return rows

    def _seed_checklist(self) -> list[dict[str, str]]:

        best: dict[str, ChecklistEntry] = {}
        for path in self._listed(self.params.inputs.checklist):
            got, _ = read_checklist_file(path, display_path(path, self.root), self.params, self.scope)
            for c in got:
                if not passes_screen({"notes": c.notes}, self.params):
                    continue  # never copied: the listed row stays where it is, to be mended there
                if c.reviewer == self.reviewer and (c.prompt_id not in best
                                                    or RANK[c.status] > RANK[best[c.prompt_id].status]):
                    best[c.prompt_id] = ChecklistEntry(c.prompt_id, c.kloe, c.status, c.notes, c.reviewer)
        return [e.to_row() for e in best.values()]

    def findings_or_seed(self) -> list[CapturedFinding]:
        """The reviewer's findings, or those a new file would be seeded with (nothing is written)."""
        if self.findings_path.exists():
            return self.findings()
        return [CapturedFinding.from_row(r) for r in self._seed_findings()]

    def checklist_or_seed(self) -> dict[str, ChecklistEntry]:
        """The reviewer's checklist, or the one a new file would be seeded with (nothing is written)."""
        if self.checklist_path.exists():
            return self.checklist()
        return {e.prompt_id: e for e in (ChecklistEntry.from_row(r) for r in self._seed_checklist())}

    # -- findings ------------------------------------------------------------------------------
    def findings(self, include_withdrawn: bool = True) -> list[CapturedFinding]:
        found = [CapturedFinding.from_row(r) for r in read_rows(self.findings_path, COLUMNS)]
        return [f for f in found if include_withdrawn or not f.withdrawn]

    def get(self, finding_id: str) -> CapturedFinding | None:
        return next((f for f in self.findings() if f.id == finding_id), None)

    def _journal(self, op: str, row: dict[str, str]) -> None:
        """Append one save to the reviewer's journal (:func:`toolkit.capture.journal.append_journal`)."""
        append_journal(self.journal_path, self.session, op, row, *screen_args(self.params))

    def transaction(self, path: Path, columns: Sequence[str], op: str,
                     change: Callable[[list[dict[str, str]]], dict[str, str]]) -> dict[str, str]:
        """Locked read-modify-write: ``change`` edits the freshly read rows, returns its row."""
        with locked(path):
            rows = read_rows(path, columns)
            row = change(rows)
            self._journal(op, row)
            atomic_write_text(path, rows_to_csv(rows, columns))
        return row

    def _content(self, draft: FindingDraft) -> dict[str, str]:
        return {"kloe": draft.kloe.strip(), "kind": normalise_kind(draft.kind) or draft.kind,
                "headline": flag_text(draft.headline), "statement": draft.statement.strip(),
                "detail": draft.detail.strip(), "evidence": ";".join(draft.evidence),
                "indicator": draft.indicator.strip()}

    def _invalid(self, draft: FindingDraft) -> SaveResult | None:
        msgs = validate_draft(draft, self.params, self.scope, self.reviewer, self.indicators)
        return SaveResult(False, tuple(msgs)) if msgs else None

    def add(self, draft: FindingDraft) -> SaveResult:
        """Save a new finding (validated first; nothing is written when it is invalid)."""
        if (bad := self._invalid(draft)) is not None:
            return bad

        def change(rows: list[dict[str, str]]) -> dict[str, str]:
            taken = {r["id"] for r in rows} | self._other_ids()
            row = CapturedFinding(id=new_finding_id(self.reviewer, taken), kloe="", kind="", statement="",
                                  reviewer=self.reviewer).to_row()
            row.update(self._content(draft))
            rows.append(row)
            return row

        row = self.transaction(self.findings_path, COLUMNS, "add", change)
        return SaveResult(True, finding=CapturedFinding.from_row(row))

    def _other_ids(self) -> set[str]:
        ids: set[str] = set()
        for path in self.folder.glob("findings_*.csv"):
            if path != self.findings_path:
                try:
                    ids.update(r["id"] for r in read_rows(path, COLUMNS))
                except StoreError:
                    continue
        return ids

    def _update(self, finding_id: str, op: str, apply: Callable[[dict[str, str]], dict[str, str]]) -> SaveResult:
        def change(rows: list[dict[str, str]]) -> dict[str, str]:
            for i, r in enumerate(rows):
                if r["id"] == finding_id:
                    rows[i] = apply(r)
                    return rows[i]
            raise KeyError(finding_id)

        try:
            row = self.transaction(self.findings_path, COLUMNS, op, change)
        except Conflict as exc:
            return SaveResult(False, (FormMessage("", (
                f"This finding was changed in another window since you opened it ({', '.join(exc.fields)}). "
                "Nothing was saved and your text is still in the form: copy it, reload the finding, "
                "and apply your change again.")),), conflict=True)
        except KeyError:
            shown = privacy.quote(finding_id, *screen_args(self.params))
            return SaveResult(False, (FormMessage("", f"There is no finding {shown} in your file."),))
        return SaveResult(True, finding=CapturedFinding.from_row(row))

    def edit(self, base: CapturedFinding, draft: FindingDraft) -> SaveResult:
        """Save changes to a finding; ``base`` is the finding as this tab loaded it."""
        if (bad := self._invalid(draft)) is not None:
            return bad
        mine = {**base.to_row(), **self._content(draft)}
        return self._update(base.id, "edit",
                            lambda cur: merge_three_way(base.to_row(), mine, cur, CONTENT_FIELDS))

    def set_withdrawn(self, finding_id: str, withdrawn: bool) -> SaveResult:
        """Withdraw a finding (it stays in the file, out of the letter) or restore it."""
        return self._update(finding_id, "withdraw" if withdrawn else "restore",
                            lambda cur: {**cur, "withdrawn": flag_text(withdrawn)})

    def set_flags(self, finding_id: str, *, headline: bool | None = None, include: bool | None = None,
                  order: float | None | str = "keep", evidence: Sequence[str] | None = None) -> SaveResult:
        """The team's refinement: headline, include, order (``None`` clears it), evidence."""
        def apply(cur: dict[str, str]) -> dict[str, str]:
            out = dict(cur)
            if headline is not None:
                out["headline"] = flag_text(headline)
            if include is not None:
                out["include"] = flag_text(include)
            if order != "keep":
                out["order"] = order_text(order if isinstance(order, (int, float)) else None)
            if evidence is not None:
                out["evidence"] = ";".join(evidence)
            return out

        return self._update(finding_id, "refine", apply)

    def import_row(self, base: dict[str, str] | None, mine: dict[str, str],
                   fields: Sequence[str]) -> str:
        """Merge an already validated finding row from a workbook (Excel import) under the lock.

        ``base`` is the row as it was exported (None for a finding new to this file): only the
        ``fields`` the workbook changed from it are applied to the row as stored now; a field
        changed differently on both sides raises :class:`Conflict`. Returns "added", "updated" or
        "unchanged" (nothing is written then).
        """
        outcome = "unchanged"

        def change(rows: list[dict[str, str]]) -> dict[str, str]:
            nonlocal outcome
            full = CapturedFinding.from_row({c: mine.get(c, "") for c in COLUMNS}).to_row()
            for i, r in enumerate(rows):
                if r["id"] == full["id"]:
                    current = CapturedFinding.from_row(r).to_row()
                    merged = merge_three_way(base if base is not None else current, full, current, fields)
                    if merged != current:
                        rows[i] = merged
                        outcome = "updated"
                    return rows[i]
            rows.append(full)
            outcome = "added"
            return full

        with locked(self.findings_path):
            rows = read_rows(self.findings_path, COLUMNS)
            row = change(rows)
            if outcome != "unchanged":
                self._journal("import", row)
                atomic_write_text(self.findings_path, rows_to_csv(rows, COLUMNS))
        return outcome

    # -- checklist -----------------------------------------------------------------------------
    def checklist(self) -> dict[str, ChecklistEntry]:
        """The reviewer's checklist by prompt id (prompts never touched are absent)."""
        return {e.prompt_id: e for e in (ChecklistEntry.from_row(r)
                                         for r in read_rows(self.checklist_path, CHECKLIST_COLUMNS))}

    def _prompt_kloe(self, prompt_id: str) -> str | None:
        for k in self.scope.kloes:
            if any(p.id == prompt_id for p in k.prompts):
                return k.id
        return None

    def set_prompt(self, prompt_id: str, status: str, notes: str,
                   base: ChecklistEntry | None = None) -> SaveResult:
        """Save a prompt's status and notes; ``base`` is the entry as this tab loaded it."""
        kloe = self._prompt_kloe(prompt_id)
        status = " ".join(status.lower().split())
        msgs = validate_prompt(prompt_id, kloe, status, notes.strip(), self.params, self.reviewer)
        if msgs or kloe is None:
            return SaveResult(False, tuple(msgs))
        start = base or ChecklistEntry(prompt_id, kloe, reviewer=self.reviewer)
        mine = replace(start, status=status, notes=notes.strip(), reviewer=self.reviewer).to_row()

        def change(rows: list[dict[str, str]]) -> dict[str, str]:
            for i, r in enumerate(rows):
                if r["prompt_id"] == prompt_id:
                    current = ChecklistEntry.from_row(r).to_row()
                    rows[i] = merge_three_way(start.to_row(), mine, current, ("status", "notes"))
                    return rows[i]
            rows.append(mine)
            return mine

        try:
            row = self.transaction(self.checklist_path, CHECKLIST_COLUMNS, "checklist", change)
        except Conflict as exc:
            return SaveResult(False, (FormMessage("", (
                f"This prompt was changed in another window ({', '.join(exc.fields)}); nothing was saved. "
                "Reload to see it, then apply your change again.")),), conflict=True)
        return SaveResult(True, entry=ChecklistEntry.from_row(row))


#: A review as capture opens it: its parameters, KLOE scope and project root.
OpenReview = tuple[ReviewParams, KloeScope, Path]


def open_review(params_path: str | Path) -> OpenReview:
    """A review's parameters, KLOE scope and project root (raises ``ValidationFailed``).

    Only the parameters and frameworks are checked, not the inputs they name: capture must work
    before any findings file exists.
    """
    path = Path(params_path)
    params = load_params(path)
    root = project_root_for(path)
    return params, resolve_scope(params, root, display_path(path)), root
