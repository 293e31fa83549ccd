"""Each reviewer's capture journal: every save appended as one JSON line, and its purge.

``data/<review_id>/capture/.journal_<reviewer>.jsonl`` is history only: nothing is merged or
restored from it. Each line records when (UTC), which app session, the operation ("add", "edit",
"import", "absorb" ...) and the row as saved (an absorb also ``was``, the row before the
coordinator's edit, ``by`` and ``copy``: docs/word-round-trip.md); a value that fails the
personal-data screen is written as :data:`toolkit.inputs.privacy.REDACTED`. ``peer-review
capture-purge`` (:func:`purge_journals`) rewrites the journals without the entries whose text fails
the screen and lists, by file, row and column, the current rows that still fail it. Appends and
purges hold the journal's own lock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.capture.files import atomic_write_text, locked
from toolkit.capture.validate import screen_args
from toolkit.errors import InputError, display_path
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import capture_folder, reviewer_slug
from toolkit.inputs.params import ReviewParams

JOURNAL_GLOB = ".journal_*.jsonl"
#: The capture files whose current rows :func:`purge_journals` checks, and the text columns it reads.
CURRENT_FILES = ("findings_*.csv", "checklist_*.csv", "audit_*.csv", "audit.csv", "progress_*.csv")
CURRENT_TEXT = ("statement", "detail", "notes")
#: Text columns of particular capture files beyond those (a progress mark's evidence).
CURRENT_TEXT_OF = {"progress_": ("evidence",)}


def journal_path(root: Path, review_id: str, reviewer: str) -> Path:
    return capture_folder(root, review_id) / f".journal_{reviewer_slug(reviewer)}.jsonl"


def _safe(row: Mapping[str, str], allow: Sequence[str], year: int) -> dict[str, str]:
    return {k: (privacy.REDACTED if isinstance(v, str) and privacy.screen_text(v, allow, year) else v)
            for k, v in row.items()}


def append_journal(path: Path, session: str, op: str, row: dict[str, str], allow: Sequence[str],
                   year: int, *, was: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None) -> None:
    """Append one save to the journal (under the journal's own lock, so a purge never loses it).

    New text has passed the screen before it gets here; a value that still fails it (a row
    saved before the screen existed, carried along by a withdrawal or the team's refinement)
    is journalled as :data:`toolkit.inputs.privacy.REDACTED`, never as it is. ``was``: the row
    before this change (``peer-review absorb`` keeps the reviewer's original words so), screened
    the same way; ``extra``: what else the entry records (who edited, from which copy).
    """
    record: dict[str, object] = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                                 "session": session, "op": op, "row": _safe(row, allow, year)}
    if was is not None:
        record["was"] = _safe(was, allow, year)
    record.update(_safe(extra or {}, allow, year))
    with locked(path), open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())



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
    values: list[object] = []
    for key in ("row", "was"):
        row = record.get(key)
        values += list(row.values()) if isinstance(row, dict) else [row]
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
        columns = CURRENT_TEXT + next((c for prefix, c in CURRENT_TEXT_OF.items() if path.name.startswith(prefix)), ())
        for n, row in enumerate(rows, start=2):
            for column in columns:
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
