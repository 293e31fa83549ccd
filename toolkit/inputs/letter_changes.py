"""What a coordinator changed in a copy of the draft letter.docx: the typed change model.

``peer-review absorb`` reads an edited copy of ``letter.docx`` into its identified parts
(:mod:`toolkit.inputs.letter_copy`), compares them with the review's current letter
(:mod:`toolkit.analysis.letter_diff`) and lists each difference as one :class:`LetterChange`; the
write-back (issue 28's findings files, journal and overrides) takes the same list. Field names are
stable: new fields are added with defaults, none renamed (docs/word-round-trip.md).

A *part* is one identified piece of the letter: a finding (its statement and its detail), one
boilerplate paragraph of a section, or one of the team's recommendations. Its id is
``finding:<finding id>``, ``text:<section>:<n>`` (the n-th boilerplate paragraph of a section,
from 1) or ``recommendation:<n>``. A *section* is where a part stands: ``kloe:<KLOE id>`` for a
KLOE's findings, ``headlines`` for the headline lists, ``urgent`` for the urgent actions,
``recommendations``, or the document section's name (``opening``, ``closing``...).

Hashes (:func:`part_hash`) are of a text with its white space collapsed, so the same words hash
the same in Word, LibreOffice and the HTML.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import Enum

from toolkit.inputs.findings import Kind

FINDING_PREFIX = "finding:"
TEXT_PREFIX = "text:"
RECOMMENDATION_PREFIX = "recommendation:"
_SPACE = re.compile(r"\s+")


class ChangeKind(str, Enum):  # noqa: UP042 - the value is what a report and a journal write
    """The kinds of change ``absorb`` reports (one :class:`LetterChange` each)."""
    STATEMENT_REWORDED = "statement_reworded"  # a finding's statement (its bold words) reworded
    DETAIL_REWORDED = "detail_reworded"  # a finding's detail (the words after the statement) reworded
    FINDING_DELETED = "finding_deleted"  # a finding of the draft no longer in the copy
    MOVED = "moved"  # a finding now under another section (KLOE, headlines, urgent actions)
    REORDERED = "reordered"  # a finding at another place in the same section
    KIND_CHANGED = "kind_changed"  # a strength now under an areas heading, or the other way
    PARAGRAPH_ADDED = "paragraph_added"  # a paragraph with no identity (or a duplicated one) in a section
    BOILERPLATE_CHANGED = "boilerplate_changed"  # a section's own paragraph reworded
    BOILERPLATE_DELETED = "boilerplate_deleted"  # a section's own paragraph removed
    RECOMMENDATION_CHANGED = "recommendation_changed"  # one of the team's recommendations reworded
    RECOMMENDATION_DELETED = "recommendation_deleted"
    COMMENT_ANSWERED = "comment_answered"  # a comment of the draft with a reply in the copy
    COMMENT_RESOLVED = "comment_resolved"  # a comment of the draft marked done (resolved)
    COMMENT_DELETED = "comment_deleted"  # a comment of the draft no longer in the copy
    COMMENT_ADDED = "comment_added"  # a new comment (not a reply) in the copy


@dataclass(frozen=True)
class LetterChange:
    """One change a copy makes to the letter it was drafted from.

    ``part_id``: the part changed (empty for a paragraph with no identity); ``finding_id``: the
    finding it is, if any. ``section_*``, ``kloe_*``, ``kind_*``, ``headline_*`` and ``order_*``
    (the 1-based place among the section's findings) are as drafted and as in the copy; for a
    paragraph added, ``*_after`` say where it stands and ``after_part`` the part just before it.
    ``old_text`` is the words as in the review now (the draft's, for a comment), ``new_text`` the
    copy's. ``pending``: a tracked change still pending (neither accepted nor rejected) touches the
    part; it is read as accepted. ``draft_hash``: the hash (:func:`part_hash`) of the part's words
    as drafted in the draft the copy came from ("" where the copy's draft is not known);
    ``current_hash``: of the part's words in the review now. They differ when the findings changed
    since that draft: then an edit of the part is a conflict (:attr:`stale`). For a statement or a
    detail reworded, both are of that text alone (:func:`sub_hash`, six digits); else of the whole
    part (:func:`part_hash`, ten).
    """
    what: ChangeKind
    part_id: str = ""
    finding_id: str | None = None
    section_before: str | None = None
    section_after: str | None = None
    kloe_before: str | None = None
    kloe_after: str | None = None
    kind_before: Kind | None = None
    kind_after: Kind | None = None
    headline_before: bool | None = None
    headline_after: bool | None = None
    order_before: int | None = None
    order_after: int | None = None
    old_text: str = ""
    new_text: str = ""
    pending: bool = False
    draft_hash: str = ""
    current_hash: str = ""
    after_part: str | None = None  # a paragraph added: the identified part just before it
    section_order_after: tuple[str, ...] = ()  # the finding ids of section_after, in the copy's order
    comment_id: str | None = None  # a comment change: the comment's id in the copy (or the draft)
    comment_author: str = ""  # a reply's or a new comment's author
    duplicate_of: str | None = None  # a paragraph added by copying a part: the part whose identity it carries

    @property
    def stale(self) -> bool:
        """The part's words changed in the review since the draft the copy came from."""
        return bool(self.draft_hash) and bool(self.current_hash) and self.draft_hash != self.current_hash


@dataclass(frozen=True)
class LetterChanges:
    """Everything ``absorb`` read from one copy: its changes in the letter's order.

    ``draft_id``: the id of the draft the copy came from (its recorded hash; "" when the copy
    carries none); ``current_id``: the current draft's. ``pending``: one line per tracked change
    still pending in the copy (each read as accepted).
    """
    file: str
    changes: tuple[LetterChange, ...] = ()
    draft_id: str = ""
    current_id: str = ""
    pending: tuple[str, ...] = field(default=())

    @property
    def from_older_draft(self) -> bool:
        return bool(self.draft_id) and bool(self.current_id) and self.draft_id != self.current_id

    @property
    def conflicts(self) -> tuple[LetterChange, ...]:
        """Changes to parts whose words changed in the review since the copy's draft."""
        return tuple(c for c in self.changes if c.stale)


def normalise_text(text: str) -> str:
    """A part's words with white space collapsed (line breaks, tabs and runs of spaces)."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def part_hash(text: str) -> str:
    """The hash recorded for a part's words: 10 hex digits of SHA-256 of :func:`normalise_text`
    (the draft's bookmarks carry it, so it is short)."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:10]


def sub_hash(text: str) -> str:
    """The shorter hash a finding's bookmark carries for its statement, and for its detail: six
    hex digits of :func:`part_hash` (a Word bookmark's name holds at most 40 characters)."""
    return part_hash(text)[:6]


def id_hash(part_id: str) -> str:
    """Ten hex digits naming a part in the draft's bookmarks (a finding's id may hold any character)."""
    return hashlib.sha256(part_id.encode("utf-8")).hexdigest()[:10]


def finding_part(finding_id: str) -> str:
    return FINDING_PREFIX + finding_id


def finding_of(part_id: str) -> str | None:
    """The finding id of a ``finding:<id>`` part, else None."""
    return part_id[len(FINDING_PREFIX):] if part_id.startswith(FINDING_PREFIX) else None
