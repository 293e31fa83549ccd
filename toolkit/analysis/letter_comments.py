"""What a copy of the letter did with the draft's comments (issue 28).

The draft's "Check before sending" items are Word comments (:mod:`toolkit.letter.docx`). A copy's
comment is the draft's when its author and words are (Word and LibreOffice renumber comments, so
the id says nothing). For each of the draft's comments :func:`comment_changes` reports whether
the copy deleted it, resolved it (Word's "Resolve", kept as ``done`` in ``commentsExtended``) or
answered it (a reply: Word's ``paraIdParent``, or another author's comment on the same
paragraph); and each new comment that answers none. A comment whose anchor is gone from the
text is a comment deleted, as Word drops it on opening.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from toolkit.inputs.letter_changes import ChangeKind, LetterChange, normalise_text
from toolkit.inputs.letter_copy import CopyComment, LetterCopy


def _key(comment: CopyComment) -> tuple[str, str]:
    return comment.author, normalise_text(comment.text)


def _part_at(copy: LetterCopy, index: int | None, names: Mapping[str, str]) -> str:
    if index is None or index >= len(copy.paragraphs):
        return ""
    mark = copy.paragraphs[index].mark
    return names.get(mark.part, "") if mark is not None else ""


def _replies(drafted: CopyComment, kept: CopyComment, copy: LetterCopy,
             others: Sequence[CopyComment]) -> list[CopyComment]:
    """The copy's answers to one of the draft's comments (kept in the copy as ``kept``)."""
    return [c for c in others if c.parent == kept.id
            or (c.parent is None and c.author != drafted.author and c.paragraph is not None
                and c.paragraph == kept.paragraph)]


def comment_changes(current: LetterCopy, copy: LetterCopy, names: Mapping[str, str]) -> list[LetterChange]:
    """The comment changes of ``copy`` against the draft ``current`` (``names``: a bookmark's id
    hash to its part id)."""
    drafted = list(current.comments)
    anchored = [c for c in copy.comments if c.paragraph is not None]  # Word drops a comment with no anchor
    by_key: dict[tuple[str, str], list[CopyComment]] = {}
    for comment in anchored:
        by_key.setdefault(_key(comment), []).append(comment)
    matched: dict[str, CopyComment] = {}  # the draft comment's id -> the copy's
    for comment in drafted:
        found = by_key.get(_key(comment))
        if found:
            matched[comment.id] = found.pop(0)
    kept_ids = {c.id for c in matched.values()}
    others = [c for c in anchored if c.id not in kept_ids]
    out: list[LetterChange] = []
    answered: set[str] = set()
    for comment in drafted:
        part = _part_at(current, comment.paragraph, names)
        kept = matched.get(comment.id)
        if kept is None:
            out.append(LetterChange(ChangeKind.COMMENT_DELETED, part_id=part, finding_id=_finding(part),
                                    old_text=comment.text, comment_id=comment.id))
            continue
        for reply in _replies(comment, kept, copy, others):
            answered.add(reply.id)
            out.append(LetterChange(ChangeKind.COMMENT_ANSWERED, part_id=part, finding_id=_finding(part),
                                    old_text=comment.text, new_text=reply.text, comment_id=kept.id,
                                    comment_author=reply.author))
        if kept.done:
            out.append(LetterChange(ChangeKind.COMMENT_RESOLVED, part_id=part, finding_id=_finding(part),
                                    old_text=comment.text, comment_id=kept.id))
    for comment in others:
        if comment.id not in answered and comment.parent not in answered:
            part = _part_at(copy, comment.paragraph, names)
            out.append(LetterChange(ChangeKind.COMMENT_ADDED, part_id=part, finding_id=_finding(part),
                                    new_text=comment.text, comment_id=comment.id, comment_author=comment.author))
    return out


def _finding(part: str) -> str | None:
    return part[len("finding:"):] if part.startswith("finding:") else None
