"""``peer-review absorb``'s reading side: what a coordinator's copy of letter.docx changes (issue 28).

:func:`read_changes` reads the copy (:mod:`toolkit.inputs.letter_copy`), makes the review's
current draft in memory (its letter page and Word copy, with the record of its parts:
:mod:`toolkit.letter.docx_parts`) and compares the two (:mod:`toolkit.analysis.letter_diff`).
:func:`report_lines` words the result, one line per change, in the sentences of
``toolkit/catalogue/absorb.yaml``. Writing the changes back is the write-back's
(docs/word-round-trip.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.analysis.letter_diff import compare
from toolkit.inputs.letter_changes import ChangeKind, LetterChange, LetterChanges
from toolkit.inputs.letter_copy import LetterCopy, message, names, read_copy, read_copy_bytes
from toolkit.inputs.privacy import NOT_SHOWN, screen_text
from toolkit.letter.docx import letter_docx_parts
from toolkit.letter.sections import build_letter
from toolkit.review import Review

#: How many characters of a text a report line quotes.
QUOTE = 120


def current_draft(review: Review) -> tuple[LetterCopy, dict[str, object]]:
    """The review's draft letter.docx as it would be written now, read back, and its record of parts."""
    data, record = letter_docx_parts(build_letter(review))
    parsed: dict[str, object] = json.loads(record)
    return read_copy_bytes(data, "letter.docx"), parsed


def review_report(review: Review, changes: LetterChanges, *, dry_run: bool = False) -> list[str]:
    """:func:`report_lines` for the review, its adults allowed through the personal-data screen."""
    return report_lines(changes, review.params_file, dry_run=dry_run, allow=review.params.allowed_phrases(),
                        reference_year=review.params.letter_day.year)


def read_changes(review: Review, copy: Path, shown: str | None = None) -> LetterChanges:
    """What the copy at ``copy`` changes in the review's letter (nothing is written)."""
    edited = read_copy(copy, shown or str(copy))
    current, record = current_draft(review)
    return compare(current, record, edited, [f.id for f in review.findings.all])


#: Words of context kept either side of what changed in a long text.
CONTEXT = 4


@dataclass(frozen=True)
class _Screen:
    """The personal-data screen a report line's quotes pass: the adults the review names are allowed."""
    allow: tuple[str, ...] = ()
    year: int | None = None

    def quote(self, text: str) -> str:
        if text and screen_text(text, self.allow, self.year):
            return NOT_SHOWN
        return text


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE else flat[: QUOTE - 1].rstrip() + "\u2026"


def _differing(old: str, new: str) -> tuple[str, str]:
    """The two texts as a line quotes them: when either is long, the words that differ with a
    few words either side, so that a change at the end of a long detail shows."""
    a, b = old.split(), new.split()
    if len(" ".join(a)) <= QUOTE and len(" ".join(b)) <= QUOTE:
        return _quote(old), _quote(new)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    start = max(0, head - CONTEXT)

    def cut(words: list[str]) -> str:
        end = min(len(words), len(words) - tail + CONTEXT)
        text = ("\u2026 " if start else "") + " ".join(words[start:end]) + (" \u2026" if end < len(words) else "")
        return _quote(text)

    return cut(a), cut(b)


def _section(section: str | None) -> str:
    if section is None:
        return ""
    if section.startswith("kloe:"):
        return section
    return names("section_names").get(section, section)


def _where(change: LetterChange) -> str:
    return change.part_id or message("whole_letter")


_FINDING = {ChangeKind.STATEMENT_REWORDED: "statement_reworded", ChangeKind.DETAIL_REWORDED: "detail_reworded",
            ChangeKind.FINDING_DELETED: "finding_deleted"}


def change_line(change: LetterChange, screen: _Screen | None = None) -> str:
    """One change in the report's words; a quoted text the personal-data screen flags is not shown."""
    screen = screen or _Screen()
    kinds = names("kinds")
    old, new = (screen.quote(t) for t in _differing(change.old_text, change.new_text))
    values = {"finding": change.finding_id or "", "old": old, "new": new,
              "where": _where(change), "author": change.comment_author or "?",
              "before": _section(change.section_before), "after": _section(change.section_after)}
    what = change.what
    if what in _FINDING:
        line = message(_FINDING[what], **values)
    elif what is ChangeKind.REORDERED:
        line = message("reordered", **{**values, "before": change.order_before, "after": change.order_after})
    elif what is ChangeKind.KIND_CHANGED:
        line = message("kind_changed", **{**values, "before": kinds.get(change.kind_before.value, "")
                                          if change.kind_before else "",
                                          "after": kinds.get(change.kind_after.value, "") if change.kind_after else ""})
    elif what is ChangeKind.PARAGRAPH_ADDED:
        key = "paragraph_added_copy" if change.duplicate_of else "paragraph_added"
        line = message(key, **{**values, "where": change.duplicate_of or change.after_part
                               or message("start_of_letter")})
    else:
        line = message(what.value, **values)
    if change.pending:
        line += message("pending_suffix")
    if change.stale:
        line += message("stale_suffix")
    return line


def report_lines(changes: LetterChanges, review: str, *, dry_run: bool = False, allow: Sequence[str] = (),
                 reference_year: int | None = None) -> list[str]:
    """The report ``absorb`` prints: a head line, then one line per change, then the tracked
    changes still pending. Every quoted text passes the personal-data screen (``allow``: the
    adults the review names; a flagged text is not shown)."""
    screen = _Screen(tuple(allow), reference_year)
    count = len(changes.changes)
    head = message({0: "head_none", 1: "head_one"}.get(count, "head"), file=changes.file, count=count, review=review)
    out = [head]
    if changes.from_older_draft:
        out.append(message("older_draft", file=changes.file, draft=changes.draft_id, current=changes.current_id))
    out.extend(change_line(c, screen) for c in changes.changes)
    if changes.pending:
        key = "pending_head_one" if len(changes.pending) == 1 else "pending_head"
        out.append(message(key, file=changes.file, count=len(changes.pending)))
        out.extend(NOT_SHOWN if screen.quote(line) == NOT_SHOWN else line for line in changes.pending)
    if dry_run:
        out.append(message("dry_run"))
    return out
