"""What writing a coordinator's edits back changes, planned before anything is written.

``peer-review absorb`` reads an edited letter.docx into a list of
:class:`~toolkit.inputs.letter_changes.LetterChange` s. :func:`plan_writes` turns them into the
cells each finding's file needs, the coordinator's new findings, the review's own words for the
letter's own paragraphs, and the changes it will not make (conflicts, and what is not absorbed,
each with its reason). :mod:`toolkit.capture.absorb_write` checks and writes the plan.

* a reworded statement or detail: ``statement`` / ``detail``;
* a finding deleted: ``include: no`` (it stays in its file);
* a finding moved to another section, re-ordered or turned into another kind: ``kloe``,
  ``headline``, ``kind``, and ``order`` for every finding of the sections whose order the copy
  changed (1, 2, 3 ... in the copy's order), so the next draft lists them as the copy does;
* a paragraph added under a section: a new finding of the coordinator's (statement: its first
  sentence; detail: the rest), placed where the copy has it;
* a paragraph of the letter's own reworded or deleted: ``letter_text.<section>:<n>``.

A change to a part whose words changed in the review since the copy's draft (its recorded hash,
:attr:`LetterChange.stale`) is a conflict and is not planned unless ``force``; when the copy keeps
the draft's words for that part, it is no edit of the copy's, and the review's words are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from toolkit.inputs.findings import Finding, Kind
from toolkit.inputs.letter_changes import (
    TEXT_PREFIX,
    ChangeKind,
    LetterChange,
    LetterChanges,
    normalise_text,
    part_hash,
)

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=\S)")
#: Sections whose findings carry no KLOE of their own (the headline lists, the urgent actions).
UNKEYED = ("headlines", "urgent")
#: Sections whose own paragraphs are the letter's words about its lists ("The team recorded no ...").
LIST_SECTIONS = ("kloe", "headlines")
#: Changes after which the copy's order of the section is written as the findings' ``order``.
ORDERING = (ChangeKind.MOVED, ChangeKind.REORDERED, ChangeKind.KIND_CHANGED, ChangeKind.PARAGRAPH_ADDED)


@dataclass(frozen=True)
class Skipped:
    """A change not written: ``key`` names its reason in ``catalogue/absorb_write.yaml``."""
    part: str
    key: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    """The cells each finding's file gets (by finding id), the new findings, the own words."""
    cells: dict[str, dict[str, str]] = field(default_factory=dict)
    edited: set[str] = field(default_factory=set)  # findings the copy itself changed (edited_by)
    added: list[dict[str, str]] = field(default_factory=list)  # statement, detail, kloe, kind, headline, order
    words: dict[str, str] = field(default_factory=dict)
    conflicts: list[Skipped] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def set(self, finding_id: str, column: str, value: str, *, own: bool = True) -> None:
        self.cells.setdefault(finding_id, {})[column] = value
        if own:
            self.edited.add(finding_id)


def split_paragraph(text: str) -> tuple[str, str]:
    """A paragraph as a finding: its first sentence the statement, the rest the detail."""
    text = normalise_text(text)
    parts = _SENTENCE.split(text, maxsplit=1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def finding_words(statement: str, detail: str) -> str:
    """A finding's words as the letter prints them (the statement, then the detail)."""
    return normalise_text(f"{statement} {detail}")


def _copy_words(finding: Finding, changes: Sequence[LetterChange]) -> str:
    """The finding's words as the copy has them: its rewordings over the review's words."""
    statement, detail = finding.statement, finding.detail
    for c in changes:
        if c.what is ChangeKind.STATEMENT_REWORDED:
            statement = c.new_text
        elif c.what is ChangeKind.DETAIL_REWORDED:
            detail = c.new_text
    return finding_words(statement, detail)


def _section_kloe(section: str | None) -> str | None:
    return section[len("kloe:"):] if section and section.startswith("kloe:") else None


@dataclass
class _Context:
    findings: Mapping[str, Finding]
    by_finding: Mapping[str, list[LetterChange]]
    scope_ids: frozenset[str]
    force: bool
    plan: Plan = field(default_factory=Plan)

    def held_back(self, c: LetterChange, finding: Finding | None) -> bool:
        """True when ``c`` must not be written: a conflict, or the copy kept an older draft's words."""
        if not c.stale or self.force:
            return False
        copy = (_copy_words(finding, self.by_finding.get(finding.id, [])) if finding is not None
                else normalise_text(c.new_text))
        if part_hash(copy) == c.draft_hash:
            self.plan.skipped.append(Skipped(c.part_id, "kept_older"))
        else:
            key = "conflict_deleted" if c.what is ChangeKind.FINDING_DELETED else "conflict_words"
            self.plan.conflicts.append(Skipped(c.part_id, key))
        return True


def _finding(ctx: _Context, c: LetterChange) -> Finding | None:
    f = ctx.findings.get(c.finding_id or "")
    if f is None:
        ctx.plan.skipped.append(Skipped(c.part_id, "gone"))
    return f


def _reworded(ctx: _Context, c: LetterChange) -> None:
    f = _finding(ctx, c)
    if f is None or ctx.held_back(c, f):
        return
    column = "statement" if c.what is ChangeKind.STATEMENT_REWORDED else "detail"
    ctx.plan.set(f.id, column, c.new_text if column == "detail" else normalise_text(c.new_text))


def _deleted(ctx: _Context, c: LetterChange) -> None:
    f = _finding(ctx, c)
    if f is not None and not ctx.held_back(c, f):
        ctx.plan.set(f.id, "include", "no")


def _placed(ctx: _Context, c: LetterChange) -> None:
    """A move, a new place in the section or a new kind: kloe, headline and kind from the copy."""
    f = _finding(ctx, c)
    if f is None:
        return
    kloe = _section_kloe(c.section_after)
    if kloe is not None and kloe not in ctx.scope_ids:
        ctx.plan.skipped.append(Skipped(c.part_id, "unknown_section", {"section": c.section_after or ""}))
        return
    if kloe is not None:
        ctx.plan.set(f.id, "kloe", kloe)
    if c.headline_after is not None:
        ctx.plan.set(f.id, "headline", "yes" if c.headline_after else "no")
    kind = c.kind_after or (Kind.URGENT if c.section_after == "urgent" else None)
    if kind is not None:
        ctx.plan.set(f.id, "kind", kind.value)


def _added(ctx: _Context, c: LetterChange) -> None:
    kloe = _section_kloe(c.section_after)
    if (kloe is None and c.section_after not in UNKEYED) or (kloe is not None and kloe not in ctx.scope_ids):
        ctx.plan.skipped.append(Skipped(c.part_id or "paragraph", "unknown_section",
                                        {"section": c.section_after or ""}))
        return
    kind = c.kind_after or (Kind.URGENT if c.section_after == "urgent" else None)
    if kind is None:
        ctx.plan.skipped.append(Skipped(c.part_id or "paragraph", "no_kind"))
        return
    statement, detail = split_paragraph(c.new_text)
    words = finding_words(statement, detail)
    if any(finding_words(f.statement, f.detail) == words and f.kind is kind for f in ctx.findings.values()):
        return  # absorbed before: the review already has this finding
    headline = c.section_after == "headlines" if c.headline_after is None else c.headline_after
    ctx.plan.added.append({"statement": statement, "detail": detail, "kloe": kloe or "", "kind": kind.value,
                           "headline": "yes" if headline else "no", "section": c.section_after or "",
                           "after": c.after_part or "", "part": c.part_id})


def _own_words(ctx: _Context, c: LetterChange) -> None:
    key = c.part_id[len(TEXT_PREFIX):]
    if key.split(":")[0] in LIST_SECTIONS:
        ctx.plan.skipped.append(Skipped(c.part_id, "list_words"))
        return  # "The team recorded no strengths ...": the letter's own words about its lists of findings
    if ctx.held_back(c, None):
        return
    deleted = c.what is ChangeKind.BOILERPLATE_DELETED
    ctx.plan.words[key] = "" if deleted else normalise_text(c.new_text)


def _not_absorbed(key: str) -> Callable[[_Context, LetterChange], None]:
    def note(ctx: _Context, c: LetterChange) -> None:
        ctx.plan.skipped.append(Skipped(c.part_id or c.comment_id or "comment", key))
    return note


HANDLERS: dict[ChangeKind, Callable[[_Context, LetterChange], None]] = {
    ChangeKind.STATEMENT_REWORDED: _reworded,
    ChangeKind.DETAIL_REWORDED: _reworded,
    ChangeKind.FINDING_DELETED: _deleted,
    ChangeKind.MOVED: _placed,
    ChangeKind.REORDERED: _placed,
    ChangeKind.KIND_CHANGED: _placed,
    ChangeKind.PARAGRAPH_ADDED: _added,
    ChangeKind.BOILERPLATE_CHANGED: _own_words,
    ChangeKind.BOILERPLATE_DELETED: _own_words,
    ChangeKind.RECOMMENDATION_CHANGED: _not_absorbed("recommendation"),
    ChangeKind.RECOMMENDATION_DELETED: _not_absorbed("recommendation"),
    ChangeKind.COMMENT_ANSWERED: _not_absorbed("comment"),
    ChangeKind.COMMENT_RESOLVED: _not_absorbed("comment"),
    ChangeKind.COMMENT_DELETED: _not_absorbed("comment"),
    ChangeKind.COMMENT_ADDED: _not_absorbed("comment"),
}


def _list_key(section: str, kind: Kind | None) -> tuple[str, str]:
    return section, kind.value if kind is not None else ""


def _in_list(f: Finding, section: str, kind: str) -> bool:
    """The finding stands in the letter's list ``section`` / ``kind`` as the review is now."""
    if not f.in_letter or f.kind.value != kind:
        return False
    if section == "headlines":
        return f.headline
    if section == "urgent":
        return not f.headline and f.kind is Kind.URGENT
    return not f.headline and f.kloe == _section_kloe(section)


def _current_list(ctx: _Context, section: str, kind: str) -> list[str]:
    """The ids of a list's findings in the letter's order now (explicit order first, then reading order)."""
    items = [f for f in ctx.findings.values()
             if _in_list(f, section, kind) and ctx.plan.cells.get(f.id, {}).get("include") != "no"]
    items.sort(key=lambda f: (f.order is None, f.order if f.order is not None else 0.0))
    return [f.id for f in items]


def _orders(ctx: _Context, changes: Sequence[LetterChange]) -> None:
    """``order`` 1, 2, 3 ... for each list (a section's strengths, its areas ...) whose order the copy
    changed, in the copy's order; a new finding takes its place after the part the copy has before it."""
    lists: dict[tuple[str, str], list[str]] = {}
    for c in changes:
        if c.what in ORDERING and c.section_after and c.section_order_after:
            lists.setdefault(_list_key(c.section_after, c.kind_after), list(c.section_order_after))
    for new in ctx.plan.added:
        key = (new["section"], new["kind"])
        if key not in lists:
            lists[key] = _current_list(ctx, *key)
    for (section, kind), ids in lists.items():
        ordered: list[str | int] = list(ids)
        for n, new in enumerate(ctx.plan.added):
            if (new["section"], new["kind"]) == (section, kind):
                ordered.insert(_insert_at(ordered, new["after"]), n)
        for place, item in enumerate(ordered, start=1):
            _set_order(ctx, item, place)


def _insert_at(ordered: Sequence[str | int], after: str) -> int:
    """Where a new finding goes in a list: after the finding before it, first after a heading."""
    if after.startswith("finding:") and after[len("finding:"):] in ordered:
        return ordered.index(after[len("finding:"):]) + 1
    return 0 if after.startswith("heading:") else len(ordered)


def _set_order(ctx: _Context, item: str | int, place: int) -> None:
    if isinstance(item, int):
        ctx.plan.added[item]["order"] = str(place)
        return
    f = ctx.findings.get(item)
    if f is not None and f.order != place:
        ctx.plan.set(f.id, "order", str(place), own=False)


def plan_writes(changes: LetterChanges, findings: Sequence[Finding], scope_ids: Sequence[str],
                force: bool = False) -> Plan:
    """What writing ``changes`` back to the review's files means, change by change."""
    by_finding: dict[str, list[LetterChange]] = {}
    for c in changes.changes:
        if c.finding_id:
            by_finding.setdefault(c.finding_id, []).append(c)
    ctx = _Context({f.id: f for f in findings}, by_finding, frozenset(scope_ids), force)
    for c in changes.changes:
        HANDLERS[c.what](ctx, c)
    _orders(ctx, changes.changes)
    for fid in list(ctx.plan.cells):
        f = ctx.findings[fid]
        ctx.plan.cells[fid] = {k: v for k, v in ctx.plan.cells[fid].items() if v != current_cell(f, k)}
        if not ctx.plan.cells[fid]:
            del ctx.plan.cells[fid]
            ctx.plan.edited.discard(fid)
    return ctx.plan


def current_cell(f: Finding, column: str) -> str:
    """The finding's value of ``column`` as a findings file writes it."""
    values: dict[str, str] = {
        "statement": f.statement, "detail": f.detail, "kloe": f.kloe or "", "kind": f.kind.value,
        "headline": "yes" if f.headline else "no", "include": "yes" if f.include else "no",
        "order": "" if f.order is None else (str(int(f.order)) if float(f.order).is_integer() else repr(f.order)),
        "edited_by": f.edited_by,
    }
    return values.get(column, "")
