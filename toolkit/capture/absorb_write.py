"""A coordinator's edits to letter.docx become the review's record (``peer-review absorb``).

:func:`write_back` takes what absorb read from an edited copy
(:class:`~toolkit.inputs.letter_changes.LetterChanges`), plans it
(:mod:`toolkit.capture.absorb_plan`), checks it, and writes it where each part lives:

* a finding's cells go to the file the letter reads it from: its reviewer's capture file
  (``data/<review>/capture/findings_<reviewer>.csv``) when it has one, else the listed findings
  file (CSV or XLSX), in place and keeping its layout (:mod:`toolkit.capture.findings_file`);
  the finding's ``edited_by`` names the coordinator, and the letter never prints it;
* every finding changed is journalled first in its reviewer's capture journal (``op: absorb``,
  ``was``: the row as it stood, the reviewer's words; ``row``: as written; ``by``: the editor;
  ``copy``: the copy's name), so the reviewer's original is never lost;
* a new finding goes to the coordinator's own capture file (``findings_<coordinator>.csv``,
  which the letter reads after the team's), with a new id, ``reviewer`` and ``edited_by`` the
  coordinator and ``evidence: documents`` (the honest minimum: docs/inputs.md);
* the letter's own words go into the parameters' ``letter_text`` (:mod:`toolkit.capture.params_words`).

Every text the copy brings is screened for a child's personal data with the review's allow list
and year, as every other door screens it; one hit refuses the whole copy and nothing is written
(the lines name the part, never the data). A conflict (:mod:`toolkit.capture.absorb_plan`) is
listed and not written unless ``force``. Writing is idempotent: a cell already holding the copy's
value is not written, a file with nothing to change is not touched, so absorbing the same copy
twice leaves every file's bytes as they were. ``dry_run`` plans and lists, and writes nothing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from toolkit.analysis.coverage import review_findings, review_sources
from toolkit.capture.absorb_plan import Plan, Skipped, current_cell, plan_writes
from toolkit.capture.files import atomic_write_text, locked, rows_to_csv
from toolkit.capture.findings_file import RowEdit, edit_findings_file
from toolkit.capture.journal import append_journal, journal_path
from toolkit.capture.params_words import set_own_words
from toolkit.capture.records import new_finding_id
from toolkit.capture.validate import screen_args
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import findings_path
from toolkit.inputs.findings import COLUMNS, Finding
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.letter_changes import LetterChanges
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.tables import CELL_LIMIT

MESSAGES = Path(__file__).resolve().parents[1] / "catalogue" / "absorb_write.yaml"
#: The evidence of a coordinator's new finding: what a letter's words rest on when no visit is named.
ADDED_EVIDENCE = "documents"


@functools.cache
def _messages() -> dict[str, str]:
    data: Any = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def message(name: str, **values: object) -> str:
    """A message of ``catalogue/absorb_write.yaml`` with its values filled in."""
    return _messages()[name].format(**values)


@dataclass(frozen=True)
class WriteResult:
    """What :func:`write_back` wrote (or, in a dry run, would write): one line each."""
    written: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    not_absorbed: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # the files changed, as messages name them
    summary: str = ""
    dry_run: bool = False

    def lines(self) -> list[str]:
        return [*self.written, *self.conflicts, *self.not_absorbed, self.summary]


@dataclass
class _Review:
    params: ReviewParams
    params_file: Path
    scope: KloeScope
    root: Path
    findings: dict[str, Finding] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)  # a finding's file as shown -> its path


def _open(params: ReviewParams, params_file: Path, scope: KloeScope, root: Path) -> _Review:
    review = _Review(params, params_file, scope, root)
    sources = review_sources(params, root)
    review.paths = {display_path(p, root): p for p in (*sources.listed_findings, *sources.capture_findings)}
    found, _problems, _shown = review_findings(params, scope, root, sources)
    review.findings = {f.id: f for f in found}
    return review


def _screen(plan: Plan, params: ReviewParams, shown: str) -> list[InputError]:
    """Each text the plan writes that looks like personal data or is too long (never quoted)."""
    allow, year = screen_args(params)
    texts: list[tuple[str, str]] = [(f"finding:{fid}.{c}", v) for fid, cells in plan.cells.items()
                                    for c, v in cells.items() if c in ("statement", "detail")]
    texts += [(f"{new['part'] or 'paragraph'}.{c}", new[c]) for new in plan.added for c in ("statement", "detail")]
    texts += [(f"text:{key}", v) for key, v in plan.words.items()]
    errors = []
    for where, text in texts:
        if len(text) > CELL_LIMIT:
            errors.append(InputError(shown, message("too_long", length=len(text), limit=CELL_LIMIT), column=where))
            continue
        hits = privacy.screen_text(text, allow, year)
        if hits:
            hint = privacy.NAME_HINT if any(h.kind == "name" for h in hits) else ""
            errors.append(InputError(shown, message("personal_data", kinds=privacy.describe_hits(hits), hint=hint),
                                     column=where))
    return errors


def row_of(f: Finding) -> dict[str, str]:
    """A finding as a findings file's row (the journal's record of it)."""
    row = {c: current_cell(f, c) for c in COLUMNS}
    row.update(id=f.id, evidence=";".join(f.evidence), reviewer=f.reviewer, indicator=f.indicator or "",
               withdrawn="yes" if f.withdrawn else "no")
    return row


def _shown(value: str, screen: tuple[list[str], int]) -> str:
    return privacy.quote(value, *screen) if value else message("empty_value")


def _finding_lines(review: _Review, plan: Plan) -> list[str]:
    screen = screen_args(review.params)
    lines = []
    for fid, cells in plan.cells.items():
        f = review.findings[fid]
        for column, value in cells.items():
            lines.append(message("written", part=f"finding:{fid}", field=column,
                                 old=_shown(current_cell(f, column), screen), new=_shown(value, screen), file=f.file))
    return lines


def _new_rows(review: _Review, plan: Plan, editor: str) -> list[dict[str, str]]:
    taken = set(review.findings)
    rows = []
    for new in plan.added:
        fid = new_finding_id(editor, taken)
        taken.add(fid)
        rows.append({"id": fid, "kloe": new["kloe"], "kind": new["kind"], "headline": new["headline"],
                     "statement": new["statement"], "detail": new["detail"], "evidence": ADDED_EVIDENCE,
                     "reviewer": editor, "include": "yes", "order": new.get("order", ""), "indicator": "",
                     "withdrawn": "no", "edited_by": editor})
    return rows


def _journal(review: _Review, reviewer: str, row: Mapping[str, str], was: Mapping[str, str] | None,
             editor: str, copy: str, session: str) -> None:
    allow, year = screen_args(review.params)
    append_journal(journal_path(review.root, review.params.review_id, reviewer), session, "absorb", dict(row),
                   allow, year, was=was, extra={"by": editor, "copy": copy})


def _write_findings(review: _Review, plan: Plan, editor: str, copy: str, session: str) -> list[str]:
    """Journal, then write, every finding's cells, file by file; the files changed."""
    by_file: dict[str, list[RowEdit]] = {}
    for fid, cells in plan.cells.items():
        f = review.findings[fid]
        cells = {**cells, "edited_by": editor} if fid in plan.edited else dict(cells)
        _journal(review, f.reviewer, {**row_of(f), **cells}, row_of(f), editor, copy, session)
        by_file.setdefault(f.file, []).append(RowEdit(f.row, cells, f.id))
    for shown, edits in by_file.items():
        edit_findings_file(review.paths[shown], edits)
    return list(by_file)


def _write_added(review: _Review, rows: Sequence[dict[str, str]], editor: str, copy: str, session: str) -> list[str]:
    if not rows:
        return []
    path = findings_path(review.root, review.params.review_id, editor)
    with locked(path):
        if not path.exists():
            atomic_write_text(path, rows_to_csv([], COLUMNS))
    for row in rows:
        _journal(review, editor, row, None, editor, copy, session)
    edit_findings_file(path, [], rows)
    return [display_path(path, review.root)]


def _skipped_lines(items: Sequence[Skipped]) -> tuple[str, ...]:
    return tuple(f"{s.part}: {message(s.key, **s.values)}" for s in items)


def write_back(params: ReviewParams, params_file: Path, scope: KloeScope, root: Path, changes: LetterChanges, *,
               force: bool = False, dry_run: bool = False) -> WriteResult:
    """Write ``changes`` into the review's findings files, journals and parameters (see the module).

    The edits are the coordinator's (``edited_by``; the parameters name them, so the
    personal-data screen allows the name in a findings file). Raises :class:`ValidationFailed`
    (nothing written) when a text the copy brings fails the personal-data screen or is too long.
    """
    editor = params.coordinator.name
    review = _open(params, params_file, scope, Path(root))
    plan = plan_writes(changes, list(review.findings.values()), scope.ids(), force)
    plan.words = {k: v for k, v in plan.words.items() if params.letter_text.get(k) != v}
    errors = _screen(plan, params, changes.file)
    if errors:
        raise ValidationFailed(errors)
    added = _new_rows(review, plan, editor)
    shown_params = display_path(params_file, review.root)
    written = _finding_lines(review, plan)
    written += [message("added", part=row["id"], editor=editor, kind=row["kind"], section=new["section"],
                        file=display_path(findings_path(review.root, params.review_id, editor), review.root))
                for row, new in zip(added, plan.added, strict=True)]
    written += [message("own_words", part=f"text:{k}", file=shown_params, key=k) for k in plan.words]
    files: list[str] = []
    if not dry_run:
        session = f"absorb-{os.urandom(4).hex()}"
        files += _write_findings(review, plan, editor, changes.file, session)
        files += _write_added(review, added, editor, changes.file, session)
        if set_own_words(params_file, plan.words):
            files.append(shown_params)
    key = "summary_dry_run" if dry_run else "summary"
    summary = message(key, findings=len(plan.cells), added=len(added), words=len(plan.words),
                      conflicts=len(plan.conflicts), skipped=len(plan.skipped))
    return WriteResult(tuple(written), _skipped_lines(plan.conflicts), _skipped_lines(plan.skipped), tuple(files),
                       summary, dry_run)
