"""After absorbing a copy: where the next draft will still differ from it, paragraph by paragraph.

``peer-review absorb`` writes a coordinator's edits back (:mod:`toolkit.capture.absorb_write`),
then drafts the letter in memory from the review as it is now and compares its paragraphs with
the copy's (:func:`differences`). Every paragraph that is not the same is listed as not absorbed,
with the words the next draft will have: words the letter computes (counts of findings, the
sentence a heading with no findings gets) and edits the write-back refused or held back. So what
absorb does not list, the next draft says exactly as the copy does.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

from toolkit.capture.absorb_write import message, write_back
from toolkit.inputs.letter_changes import LetterChanges, normalise_text
from toolkit.inputs.letter_copy import read_copy
from toolkit.letter.absorb import current_draft
from toolkit.review import Review

#: How many characters of a paragraph a line quotes.
QUOTE = 100


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE else text[: QUOTE - 1].rstrip() + "\u2026"


def differences(review: Review, copy: Path, shown: str) -> list[str]:
    """One line per paragraph where the review's draft now and the copy differ (none: they agree)."""
    edited = [t for t in (normalise_text(p.text) for p in read_copy(copy, shown).paragraphs) if t]
    drafted = [t for t in (normalise_text(p.text) for p in current_draft(review)[0].paragraphs) if t]
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, edited, drafted, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for n in range(max(a2 - a1, b2 - b1)):
            was = edited[a1 + n] if a1 + n < a2 else ""
            now = drafted[b1 + n] if b1 + n < b2 else ""
            out.append(_line(a1 + n + 1 if was else None, was, now))
    return out


def _line(paragraph: int | None, was: str, now: str) -> str:
    if not now:
        return message("differs_absent", paragraph=paragraph, copy=_quote(was))
    if not was:
        return message("differs_added", now=_quote(now))
    return message("differs", paragraph=paragraph, copy=_quote(was), now=_quote(now))


def absorb_copy(review: Review, params_file: Path, copy: Path, changes: LetterChanges, *, force: bool = False,
                dry_run: bool = False, load: Callable[[Path], Review] | None = None) -> tuple[list[str], bool]:
    """Write ``changes`` back (:func:`toolkit.capture.absorb_write.write_back`), then compare the
    next draft with the copy (``load`` reads the review again once it is written). Returns the
    lines to print and whether everything was absorbed without a conflict."""
    result = write_back(review.params, params_file, review.scope, review.root, changes, force=force, dry_run=dry_run)
    lines = result.lines()
    if dry_run or load is None:
        return lines, not result.conflicts
    after = differences(load(params_file), copy, changes.file)
    lines += after or [message("verified")]
    return lines, not result.conflicts
