"""The team's marks on the previous review's items, saved from the capture app.

A follow-up review (``inputs.previous_review``) lists the previous letter's areas for consideration
and urgent actions in the app's Progress tab. Each reviewer's marks live in
``data/<review_id>/capture/progress_<reviewer>.csv``
(:data:`toolkit.inputs.capture_layout.PROGRESS_COLUMNS`: ``id, status, evidence, reviewer,
saved_at``), one row per item they marked. Saves go through the capture store's locked
read-modify-write (:meth:`toolkit.capture.store.CaptureStore.transaction`: exclusive lock, re-read,
journal with operation ``progress``, atomic replace). A save carries the row as the tab loaded it
(its *base*); a three-way merge keeps what another window changed and refuses the save, naming the
fields, only when both changed the same field differently.

The letter reads every reviewer's file without the parameters naming it, combined with the progress
file by :func:`toolkit.analysis.previous.combine_marks` (the rule is documented there and in
docs/capture.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from toolkit.analysis.previous import PreviousReview
from toolkit.capture.files import read_rows
from toolkit.capture.records import FormMessage, merge_three_way
from toolkit.capture.store import CaptureStore
from toolkit.capture.ui import words
from toolkit.capture.validate import text_messages
from toolkit.errors import Conflict
from toolkit.inputs.capture_layout import PROGRESS_COLUMNS, progress_path
from toolkit.inputs.progress import STATUS_WORDS, parse_status

#: The fields a save may change (``saved_at`` and ``reviewer`` are set by the store).
MARK_FIELDS = ("status", "evidence")


@dataclass(frozen=True)
class ProgressEntry:
    """One reviewer's mark on one previous item, as stored (``status`` "" when cleared)."""
    id: str
    status: str = ""
    evidence: str = ""
    reviewer: str = ""
    saved_at: str = ""

    def to_row(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status, "evidence": self.evidence, "reviewer": self.reviewer,
                "saved_at": self.saved_at}

    @classmethod
    def from_row(cls, row: dict[str, str]) -> ProgressEntry:
        status = parse_status(row.get("status", ""))
        return cls(row.get("id", "").strip(), status.value if status else row.get("status", "").strip(),
                   row.get("evidence", ""), row.get("reviewer", ""), row.get("saved_at", ""))


@dataclass(frozen=True)
class ProgressSaveResult:
    ok: bool
    messages: tuple[FormMessage, ...] = ()
    entry: ProgressEntry | None = None
    conflict: bool = False


def now_text() -> str:
    """The time of a save, UTC to the microsecond (the later of two marks wins in the letter)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class ProgressStore:
    """One reviewer's progress marks for a follow-up review."""
    def __init__(self, store: CaptureStore, previous: PreviousReview) -> None:
        self.store, self.previous = store, previous
        self.params, self.root, self.reviewer = store.params, store.root, store.reviewer

    @property
    def path(self) -> Path:
        return progress_path(self.root, self.params.review_id, self.reviewer)

    def entries(self) -> dict[str, ProgressEntry]:
        """This reviewer's saved marks by item id (cleared ones included, with status "")."""
        return {e.id: e for e in (ProgressEntry.from_row(r) for r in read_rows(self.path, PROGRESS_COLUMNS))}

    def validate(self, item_id: str, status: str, evidence: str) -> list[FormMessage]:
        msgs: list[FormMessage] = []
        if self.previous.item(item_id) is None:
            msgs.append(FormMessage("", words("progress_unknown_item")))
        if self.reviewer not in [m.name for m in self.params.team]:
            msgs.append(FormMessage("reviewer", words("progress_not_in_team")))
        if status and status not in STATUS_WORDS:
            msgs.append(FormMessage("status", words("progress_choose_status", choices=", ".join(STATUS_WORDS))))
        if status and not evidence:
            msgs.append(FormMessage("evidence", words("progress_no_evidence")))
        return msgs + text_messages({"evidence": evidence}, self.params, "evidence of progress")

    def save(self, item_id: str, status: str, evidence: str, base: ProgressEntry | None = None) -> ProgressSaveResult:
        """Save this reviewer's mark on an item (``status`` "" clears it); ``base`` is the entry as
        the tab loaded it (None: the tab saw no mark). Nothing is written when it is refused."""
        parsed = parse_status(status)
        status = parsed.value if parsed is not None else status.strip()
        evidence = " ".join(evidence.split())
        msgs = self.validate(item_id, status, evidence)
        if msgs:
            return ProgressSaveResult(False, tuple(msgs))
        start = base or ProgressEntry(item_id, reviewer=self.reviewer)
        mine = ProgressEntry(item_id, status, "" if not status else evidence, self.reviewer).to_row()

        def change(rows: list[dict[str, str]]) -> dict[str, str]:
            for i, r in enumerate(rows):
                if r.get("id", "").strip() == item_id:
                    current = ProgressEntry.from_row(r).to_row()
                    merged = merge_three_way(start.to_row(), mine, current, MARK_FIELDS)
                    rows[i] = {**merged, "reviewer": self.reviewer, "saved_at": now_text()}
                    return rows[i]
            rows.append({**mine, "saved_at": now_text()})
            return rows[-1]

        try:
            row = self.store.transaction(self.path, PROGRESS_COLUMNS, "progress", change)
        except Conflict as exc:
            text = words("progress_conflict", fields=", ".join(exc.fields))
            return ProgressSaveResult(False, (FormMessage("", text),), conflict=True)
        return ProgressSaveResult(True, entry=ProgressEntry.from_row(row))
