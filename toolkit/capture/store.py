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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.analysis.coverage import RANK, read_checklist_file
from toolkit.capture.files import StoreError, atomic_write_text, locked, read_rows, rows_to_csv
from toolkit.errors import InputError, display_path
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import (
    CHECKLIST_COLUMNS,
    STATUSES,
    capture_folder,
    checklist_path,
    findings_path,
    reviewer_slug,
)
from toolkit.inputs.findings import COLUMNS, EVIDENCE_KINDS, KIND_ALIASES, Kind, read_findings_file
from toolkit.inputs.frameworks import KloeScope, resolve_scope
from toolkit.inputs.params import ReviewParams, load_params, project_root_for
from toolkit.inputs.tables import CELL_LIMIT, parse_bool

CONTENT_FIELDS = ("kloe", "kind", "headline", "statement", "detail", "evidence", "indicator")
#: The free-text fields the personal-data screen reads before anything is saved.
FINDING_TEXT_FIELDS = ("statement", "detail")
CHECKLIST_TEXT_FIELDS = ("notes",)


def new_finding_id(reviewer: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """``<initials>-<8 random hex digits>`` from ``os.urandom``: unique across tabs and kernels."""
    initials = "".join(p[0] for p in re.findall(r"[A-Za-z]+", reviewer)).lower() or "r"
    while True:
        fid = f"{initials}-{os.urandom(4).hex()}"
        if fid not in taken:
            return fid


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _order_text(order: float | None) -> str:
    if order is None:
        return ""
    return str(int(order)) if float(order).is_integer() else repr(float(order))


@dataclass(frozen=True)
class FormMessage:
    """A message for the form: ``field`` names the input it is about ("" for the whole form)."""
    field: str
    text: str


@dataclass(frozen=True)
class FindingDraft:
    """What a reviewer typed in the finding form."""
    kloe: str
    kind: str
    statement: str
    detail: str = ""
    evidence: tuple[str, ...] = ()
    headline: bool = False
    indicator: str = ""


@dataclass(frozen=True)
class CapturedFinding:
    """One finding as stored in a reviewer's capture file."""
    id: str
    kloe: str
    kind: str
    statement: str
    reviewer: str
    detail: str = ""
    evidence: tuple[str, ...] = ()
    headline: bool = False
    include: bool = True
    order: float | None = None
    indicator: str = ""
    withdrawn: bool = False

    def to_row(self) -> dict[str, str]:
        return {
            "id": self.id, "kloe": self.kloe, "kind": self.kind, "headline": _flag(self.headline),
            "statement": self.statement, "detail": self.detail, "evidence": ";".join(self.evidence),
            "reviewer": self.reviewer, "include": _flag(self.include), "order": _order_text(self.order),
            "indicator": self.indicator, "withdrawn": _flag(self.withdrawn),
        }

    @classmethod
    def from_row(cls, row: dict[str, str]) -> CapturedFinding:
        order: float | None
        try:
            order = float(row.get("order", "")) if row.get("order", "").strip() else None
        except ValueError:
            order = None
        return cls(
            id=row.get("id", ""), kloe=row.get("kloe", ""), kind=row.get("kind", ""),
            statement=row.get("statement", ""), reviewer=row.get("reviewer", ""),
            detail=row.get("detail", ""),
            evidence=tuple(e.strip() for e in re.split(r"[;,]", row.get("evidence", "")) if e.strip()),
            headline=bool(parse_bool(row.get("headline", ""), False)),
            include=parse_bool(row.get("include", ""), True) is not False,
            order=order, indicator=row.get("indicator", ""),
            withdrawn=bool(parse_bool(row.get("withdrawn", ""), False)),
        )

    @property
    def version(self) -> str:
        """A short hash of the stored values: changes whenever anything in the row changes."""
        text = json.dumps(self.to_row(), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def draft(self) -> FindingDraft:
        return FindingDraft(self.kloe, self.kind, self.statement, self.detail, self.evidence,
                            self.headline, self.indicator)


@dataclass(frozen=True)
class ChecklistEntry:
    prompt_id: str
    kloe: str
    status: str = "not yet"
    notes: str = ""
    reviewer: str = ""

    def to_row(self) -> dict[str, str]:
        return {"prompt_id": self.prompt_id, "kloe": self.kloe, "status": self.status,
                "notes": self.notes, "reviewer": self.reviewer}

    @classmethod
    def from_row(cls, row: dict[str, str]) -> ChecklistEntry:
        status = " ".join(row.get("status", "").lower().split()) or "not yet"
        return cls(row.get("prompt_id", ""), row.get("kloe", ""), status, row.get("notes", ""),
                   row.get("reviewer", ""))


@dataclass(frozen=True)
class SaveResult:
    """The outcome of a save: ``ok`` with what is now stored, or messages for the form."""
    ok: bool
    messages: tuple[FormMessage, ...] = ()
    finding: CapturedFinding | None = None
    entry: ChecklistEntry | None = None
    conflict: bool = False


class Conflict(Exception):
    """Both this tab and another changed the same fields differently since this tab loaded them."""
    def __init__(self, fields: Sequence[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = tuple(fields)


def merge_three_way(base: dict[str, str], mine: dict[str, str], current: dict[str, str],
                    fields: Sequence[str]) -> dict[str, str]:
    """Apply the fields this tab changed (mine vs base) to what is stored now (current)."""
    out = dict(current)
    clashes = []
    for f in fields:
        if mine.get(f, "") == base.get(f, ""):
            continue
        if current.get(f, "") in (base.get(f, ""), mine.get(f, "")):
            out[f] = mine.get(f, "")
        else:
            clashes.append(f)
    if clashes:
        raise Conflict(clashes)
    return out


def normalise_kind(text: str) -> str | None:
    kind = KIND_ALIASES.get(" ".join(text.lower().split()))
    return kind.value if kind is not None else None


def screen_args(params: ReviewParams) -> tuple[list[str], int]:
    """The allow list and reference year of the personal-data screen, as validation uses them."""
    return params.allowed_phrases(), params.visit.dates[0].year


def text_messages(values: dict[str, str], params: ReviewParams, holder: str) -> list[FormMessage]:
    """Messages for free text that is too long or looks like a child's personal data.

    ``values`` maps a field name to its text; ``holder`` says what must not hold the data ("a
    finding", "checklist notes"). A message names the kind of data found, never the data itself.
    """
    allow, year = screen_args(params)
    msgs: list[FormMessage] = []
    for name, text in values.items():
        if len(text) > CELL_LIMIT:
            msgs.append(FormMessage(name, (
                f"This text is {len(text):,} characters long; it may be at most {CELL_LIMIT:,} "
                "characters. Shorten it.")))
            continue
        hits = privacy.screen_text(text, allow, year)
        if hits:
            hint = privacy.NAME_HINT if any(h.kind == "name" for h in hits) else ""
            kinds = privacy.describe_hits(hits)
            msgs.append(FormMessage(name, (
                f"This looks like {kinds}, which {holder} must not hold: refer to a child by "
                f"their case reference only.{hint}")))
    return msgs


def passes_screen(values: dict[str, str], params: ReviewParams) -> bool:
    """True when none of ``values`` looks like a child's personal data."""
    allow, year = screen_args(params)
    return not any(privacy.screen_text(v or "", allow, year) for v in values.values())


def validate_draft(draft: FindingDraft, params: ReviewParams, scope: KloeScope, reviewer: str,
                   indicators: set[str] | None = None) -> list[FormMessage]:
    """Everything wrong with a form entry, as messages for the form (empty when it can be saved).

    The statement and detail are screened for a child's personal data (names, dates of birth, NHS
    numbers, UPNs) exactly as validation screens the findings files, and held to
    :data:`toolkit.inputs.tables.CELL_LIMIT` characters; values are quoted only through
    :func:`toolkit.inputs.privacy.quote`.
    """
    msgs: list[FormMessage] = []
    allow, year = screen_args(params)
    team = [m.name for m in params.team]
    if reviewer not in team:
        msgs.append(FormMessage("reviewer", f"{privacy.quote(reviewer, allow, year)} is not in the review team "
                                f"({', '.join(team)})."))
    kind = normalise_kind(draft.kind)
    if kind is None:
        msgs.append(FormMessage("kind", "Choose strength, area for consideration or urgent action."))
    if not draft.statement.strip():
        msgs.append(FormMessage("statement", "Write the lead statement: it cannot be empty."))
    msgs += text_messages({"statement": draft.statement, "detail": draft.detail,
                           "indicator": draft.indicator}, params, "a finding")
    kloe = draft.kloe.strip()
    if not kloe and not draft.headline and kind != Kind.URGENT.value:
        msgs.append(FormMessage("kloe", "Choose the KLOE this finding belongs to (only headlines and urgent actions may have none)."))
    elif kloe and kloe not in scope:
        msgs.append(FormMessage("kloe", f"{privacy.quote(kloe, allow, year)} is not a KLOE of this review ({', '.join(scope.ids())})."))
    if not draft.evidence:
        msgs.append(FormMessage("evidence", "Give at least one kind of evidence the finding rests on (documents, interview, ...)."))
    for e in draft.evidence:
        if e not in EVIDENCE_KINDS:
            msgs.append(FormMessage("evidence", f"{privacy.quote(e, allow, year)} is not an evidence kind ({', '.join(EVIDENCE_KINDS)})."))
    ind = draft.indicator.strip()
    if ind and indicators is not None and ind not in indicators:
        msgs.append(FormMessage("indicator", f"{privacy.quote(ind, allow, year)} is not an indicator in the catalogue."))
    return msgs


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
        return self.folder / f".journal_{reviewer_slug(self.reviewer)}.jsonl"

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
                    indicator=f.indicator or "", withdrawn=f.withdrawn).to_row())
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

    # -- findings ------------------------------------------------------------------------------
    def findings(self, include_withdrawn: bool = True) -> list[CapturedFinding]:
        found = [CapturedFinding.from_row(r) for r in read_rows(self.findings_path, COLUMNS)]
        return [f for f in found if include_withdrawn or not f.withdrawn]

    def get(self, finding_id: str) -> CapturedFinding | None:
        return next((f for f in self.findings() if f.id == finding_id), None)

    def _journal(self, op: str, row: dict[str, str]) -> None:
        """Append one save to the journal (under the journal's own lock, so a purge never loses it).

        New text has passed the screen before it gets here; a value that still fails it (a row
        saved before the screen existed, carried along by a withdrawal or the team's refinement)
        is journalled as :data:`toolkit.inputs.privacy.REDACTED`, never as it is.
        """
        allow, year = screen_args(self.params)
        safe = {k: (privacy.REDACTED if isinstance(v, str) and privacy.screen_text(v, allow, year) else v)
                for k, v in row.items()}
        record = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                  "session": self.session, "op": op, "row": safe}
        with locked(self.journal_path), open(self.journal_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

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
                "headline": _flag(draft.headline), "statement": draft.statement.strip(),
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
                            lambda cur: {**cur, "withdrawn": _flag(withdrawn)})

    def set_flags(self, finding_id: str, *, headline: bool | None = None, include: bool | None = None,
                  order: float | None | str = "keep", evidence: Sequence[str] | None = None) -> SaveResult:
        """The team's refinement: headline, include, order (``None`` clears it), evidence."""
        def apply(cur: dict[str, str]) -> dict[str, str]:
            out = dict(cur)
            if headline is not None:
                out["headline"] = _flag(headline)
            if include is not None:
                out["include"] = _flag(include)
            if order != "keep":
                out["order"] = _order_text(order if isinstance(order, (int, float)) else None)
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
        allow, year = screen_args(self.params)
        msgs = []
        if kloe is None:
            msgs.append(FormMessage("prompt", f"{privacy.quote(prompt_id, allow, year)} is not a prompt of a KLOE "
                                    "in this review."))
        if status not in STATUSES:
            msgs.append(FormMessage("status", f"Choose {', '.join(STATUSES)}."))
        if self.reviewer not in [m.name for m in self.params.team]:
            msgs.append(FormMessage("reviewer", f"{privacy.quote(self.reviewer, allow, year)} is not in the review team."))
        msgs += text_messages({"notes": notes.strip()}, self.params, "checklist notes")
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


JOURNAL_GLOB = ".journal_*.jsonl"
#: The capture files whose current rows :func:`purge_journals` checks, and the text columns it reads.
CURRENT_FILES = ("findings_*.csv", "checklist_*.csv", "audit_*.csv", "audit.csv")
CURRENT_TEXT = ("statement", "detail", "notes")


@dataclass(frozen=True)
class JournalPurge:
    """What :func:`purge_journals` did to one journal: counts only, never the text."""
    path: Path
    kept: int
    removed: int


@dataclass(frozen=True)
class PurgeReport:
    """The journals rewritten, and the current rows that still look like personal data."""
    folder: Path
    journals: tuple[JournalPurge, ...]
    still_current: tuple[InputError, ...]

    @property
    def removed(self) -> int:
        return sum(j.removed for j in self.journals)


def _entry_passes(line: str, allow: Sequence[str], year: int) -> bool:
    """A journal line passes when no text in its row (or, if it cannot be read, in the line) fails
    the screen."""
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return not privacy.screen_text(line, allow, year)
    row = record.get("row")
    values = list(row.values()) if isinstance(row, dict) else [row]
    return not any(isinstance(v, str) and privacy.screen_text(v, allow, year) for v in values)


def purge_journal(path: Path, allow: Sequence[str], year: int) -> JournalPurge:
    """Rewrite one journal atomically, keeping only the entries whose text passes the screen.

    The journal is history only (nothing merges from it), so dropping entries changes no finding,
    prompt or plan. Its lock is held throughout, so an entry appended meanwhile is never lost.
    """
    with locked(path):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return JournalPurge(path, 0, 0)
        lines = [line for line in text.splitlines() if line.strip()]
        kept = [line for line in lines if _entry_passes(line, allow, year)]
        if len(kept) != len(lines):
            atomic_write_text(path, "".join(line + "\n" for line in kept))
    return JournalPurge(path, len(kept), len(lines) - len(kept))


def _current_problems(folder: Path, root: Path, allow: Sequence[str], year: int) -> list[InputError]:
    """Rows of the capture files, as they are now, whose free text still fails the screen."""
    import csv
    import io

    problems: list[InputError] = []
    paths = sorted({p for pattern in CURRENT_FILES for p in folder.glob(pattern)})
    for path in paths:
        try:
            with locked(path):
                text = path.read_text(encoding="utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        except (OSError, UnicodeDecodeError, csv.Error):
            problems.append(InputError(display_path(path, root), "cannot be read, so it was not checked"))
            continue
        for n, row in enumerate(rows, start=2):
            for column in CURRENT_TEXT:
                hits = privacy.screen_text(row.get(column) or "", allow, year)
                if hits:
                    problems.append(InputError(display_path(path, root), (
                        f"still looks like {privacy.describe_hits(hits)}: change it in the capture app "
                        "(or the Excel round trip), then run capture-purge again"), row=n, column=column))
    return problems


def purge_journals(params: ReviewParams, root: Path) -> PurgeReport:
    """Remove from every journal of the review's capture folder each entry whose text fails the
    personal-data screen (with the review's allow list and reference year, as validation does).

    The capture files themselves are left exactly as they are; the report lists, by file, row and
    column, the current rows that still fail the screen (to be changed first, then purged again).
    """
    root = Path(root)
    folder = capture_folder(root, params.review_id)
    allow, year = screen_args(params)
    if not folder.is_dir():
        return PurgeReport(folder, (), ())
    journals = tuple(purge_journal(p, allow, year) for p in sorted(folder.glob(JOURNAL_GLOB)))
    return PurgeReport(folder, journals, tuple(_current_problems(folder, root, allow, year)))


def purge_lines(report: PurgeReport, root: Path) -> list[str]:
    """What ``peer-review capture-purge`` prints: counts per journal, never any text."""
    folder = display_path(report.folder, root)
    if not report.journals:
        return [f"{folder}: no capture journals, nothing to purge"]
    lines = [f"{display_path(j.path, root)}: {j.removed} of {j.kept + j.removed} entries removed"
             for j in report.journals]
    lines.append(f"{report.removed} journal entries removed in all; the findings, checklist and audit "
                 "files were not changed")
    if report.still_current:
        lines.append(f"{len(report.still_current)} saved entries still look like personal data "
                     "(listed below): change them, then run capture-purge again")
    return lines


def open_review(params_path: str | Path) -> tuple[ReviewParams, KloeScope, Path]:
    """A review's parameters, KLOE scope and project root (raises ``ValidationFailed``).

    Only the parameters and frameworks are checked, not the inputs they name: capture must work
    before any findings file exists.
    """

    path = Path(params_path)
    params = load_params(path)
    root = project_root_for(path)
    return params, resolve_scope(params, root, display_path(path)), root
