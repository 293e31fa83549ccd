"""What a copy of the letter changes: the copy's parts against the current draft's (issue 28).

:func:`compare` takes the current draft (read back from the ``letter.docx`` the review gives now,
with its record of parts: :mod:`toolkit.letter.docx_parts`) and the coordinator's copy (both read
by :func:`toolkit.inputs.letter_copy.read_copy`), and lists each difference as a
:class:`~toolkit.inputs.letter_changes.LetterChange`, in the letter's order.

A paragraph is known by its hidden bookmark. One that lost it (a script that set its text anew
drops a paragraph's bookmarks; so does retyping it whole) is known by its words when they are
the draft's, else by being most like a part the copy lacks (:data:`LIKENESS`), else it is a
paragraph added. A part whose words in the copy are the words it was drafted with (the hash its
bookmark carries) is unchanged, even when the review's words moved on since: only the
coordinator's edits are reported. A finding's section and kind are those of the headings it
stands under in the copy (Strengths, Areas for consideration, a KLOE's heading, the headline
lists, the urgent actions); its place is among the findings of its list.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from toolkit.analysis.letter_comments import comment_changes
from toolkit.errors import InputError
from toolkit.inputs.findings import Kind
from toolkit.inputs.letter_changes import (
    ChangeKind,
    LetterChange,
    LetterChanges,
    finding_of,
    id_hash,
    normalise_text,
    part_hash,
    sub_hash,
)
from toolkit.inputs.letter_copy import CopyParagraph, LetterCopy, message

#: How alike (difflib's ratio) an unmarked paragraph must be to a part the copy lacks to be taken for it.
LIKENESS = 0.6
#: How alike it must be to a part the copy lacks that stood in the draft between the same two parts.
PLACE_LIKENESS = 0.3
_KINDS = {k.value: k for k in Kind}
_SENTENCE_END = re.compile(r"[.!?](?=\s)")


@dataclass(frozen=True)
class DraftPart:
    """One part of the current draft, as its record (``letter.parts.json``) lists it."""
    id: str
    section: str
    hash: str
    kind: str = ""
    finding: str = ""
    order: int = 0


@dataclass
class _Seen:
    """A part as the copy has it: its paragraphs, where it stands, and its bookmark's drafted hash."""
    paragraphs: list[CopyParagraph] = field(default_factory=list)
    section: str = ""
    kind: str = ""
    after: str | None = None


@dataclass
class _Reading:
    seen: dict[str, _Seen] = field(default_factory=dict)
    added: list[LetterChange] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # findings in the copy's order
    marked: set[str] = field(default_factory=set)  # the parts whose bookmark the copy holds
    neighbours: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # in the draft
    ahead: str | None = None  # the next bookmarked part after the paragraph being read
    section: str = "opening"
    kind: str = ""
    last: str | None = None


def draft_parts(record: Mapping[str, object]) -> list[DraftPart]:
    """The parts of a record (:meth:`toolkit.letter.docx_parts.Marks.record`, parsed)."""
    out = []
    for entry in record.get("parts", []):  # type: ignore[attr-defined]
        out.append(DraftPart(str(entry["id"]), str(entry["section"]), str(entry["hash"]), str(entry.get("kind", "")),
                             str(entry.get("finding", "")), int(entry.get("order", 0))))
    return out


def _texts(copy: LetterCopy, names: Mapping[str, str]) -> dict[str, list[CopyParagraph]]:
    out: dict[str, list[CopyParagraph]] = {}
    for p in copy.paragraphs:
        if p.mark is not None and p.mark.part in names:
            out.setdefault(names[p.mark.part], []).append(p)
    return out


def _heading(reading: _Reading, part: DraftPart) -> None:
    reading.section = part.section
    reading.kind = part.kind or ("urgent action" if part.section == "urgent" else "")


def _place(reading: _Reading, part_id: str, para: CopyParagraph, parts: Mapping[str, DraftPart]) -> None:
    seen = reading.seen.get(part_id)
    if seen is None:
        seen = reading.seen[part_id] = _Seen(section=reading.section, kind=reading.kind, after=reading.last)
        part = parts.get(part_id)
        if part is not None and part.id.startswith("heading:"):
            _heading(reading, part)
        if finding_of(part_id) is not None:
            reading.order.append(part_id)
    seen.paragraphs.append(para)
    reading.last = part_id


def _identify(para: CopyParagraph, reading: _Reading, names: Mapping[str, str],
              drafted: Mapping[str, list[CopyParagraph]]) -> tuple[str | None, str | None]:
    """The part a paragraph is (None for one added), and the part whose identity it duplicates."""
    part = names.get(para.mark.part) if para.mark is not None else None
    if part is not None and para.mark is not None:
        seen = reading.seen.get(part)
        if seen is None:
            return part, None
        indices = [p.mark.index for p in seen.paragraphs if p.mark is not None]
        if reading.last == part and para.mark.index > max(indices, default=-1):
            return part, None  # the part's next paragraph
        return None, part  # a copy of a part's paragraph: a paragraph added
    return _unmarked(para, reading, drafted), None


def _unmarked(para: CopyParagraph, reading: _Reading, drafted: Mapping[str, list[CopyParagraph]]) -> str | None:
    """The part a paragraph without a bookmark is: the next paragraph of the part before it when
    alike; else a part the copy lacks with the same words, else the most alike, else the one
    that stood in the draft between the same two parts as this paragraph stands in the copy, if
    somewhat alike (a finding deleted and a new one written in its place stay two changes)."""
    last = reading.last
    if last is not None and len(drafted.get(last, [])) > len(reading.seen[last].paragraphs):
        following = drafted[last][len(reading.seen[last].paragraphs)]
        if _alike(following.text, para.text) >= LIKENESS:
            return last  # the part's next paragraph, rewritten
    words = normalise_text(para.text)
    missing = [(pid, ps) for pid, ps in drafted.items() if pid not in reading.seen and pid not in reading.marked]
    for pid, ps in missing:
        if any(normalise_text(p.text) == words for p in ps):
            return pid
    best, ratio = None, LIKENESS
    for pid, ps in missing:
        r = _alike(ps[0].text, para.text)
        if r >= ratio:
            best, ratio = pid, r
    if best is not None:
        return best
    spot = [pid for pid, ps in missing if reading.neighbours.get(pid) == (reading.last, reading.ahead)
            and _alike(ps[0].text, para.text) >= PLACE_LIKENESS and not pid.startswith("heading:")]
    return spot[0] if len(spot) == 1 else None


def _alike(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, normalise_text(a), normalise_text(b), autojunk=False).ratio()


def _read(copy: LetterCopy, names: Mapping[str, str], parts: Mapping[str, DraftPart],
          drafted: Mapping[str, list[CopyParagraph]]) -> _Reading:
    reading = _Reading(marked={names[p.mark.part] for p in copy.paragraphs if p.mark and p.mark.part in names})
    order = list(parts)
    reading.neighbours = {pid: (order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None)
                          for i, pid in enumerate(order)}
    ahead: list[str | None] = []
    upcoming: str | None = None
    for para in reversed(copy.paragraphs):  # the next bookmarked part after each paragraph
        ahead.append(upcoming)
        if para.mark is not None and para.mark.part in names:
            upcoming = names[para.mark.part]
    ahead.reverse()
    for para, reading.ahead in zip(copy.paragraphs, ahead, strict=True):
        part, duplicate = _identify(para, reading, names, drafted)
        if part is not None:
            _place(reading, part, para, parts)
            continue
        if para.style.startswith("Heading") or para.style == "Title":
            continue  # a heading the coordinator added: not a part
        reading.added.append(LetterChange(
            ChangeKind.PARAGRAPH_ADDED, section_after=reading.section, kloe_after=_kloe(reading.section),
            kind_after=_KINDS.get(reading.kind), headline_after=reading.section == "headlines",
            new_text=para.text, pending=para.pending, after_part=reading.last, duplicate_of=duplicate))
    return reading


def _kloe(section: str | None) -> str | None:
    return section[len("kloe:"):] if section and section.startswith("kloe:") else None


def _split(paras: Sequence[CopyParagraph], hint: tuple[str, str] | None = None) -> tuple[str, str]:
    """A finding's statement and detail: the leading bold words, else (the script that rewrote it
    dropped the bold) the sentences that best match the draft's statement (``hint``)."""
    first = normalise_text(paras[0].text)
    rest = [normalise_text(p.text) for p in paras[1:]]
    statement = normalise_text(paras[0].statement)
    if hint is not None and (not statement or not first.startswith(statement)):
        statement = _best_statement(first, *hint)
    detail = "\n".join([first[len(statement):].strip(), *rest]).strip()
    return statement, detail


def _best_statement(text: str, statement: str, detail: str) -> str:
    """The leading sentences of ``text`` most like ``statement`` while the rest is most like ``detail``."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    scored = [(_alike(text[:end], statement) + _alike(text[end:], detail), -end) for end in ends]
    best = max(scored)
    return text[: -best[1]].strip()


def _unchanged(seen: _Seen, words: str) -> bool:
    """The copy's words are the words the part was drafted with (its bookmark's hash)."""
    marks = [p.mark for p in seen.paragraphs if p.mark is not None]
    return bool(marks) and part_hash(words) == marks[0].drafted


def _joined(paras: Sequence[CopyParagraph]) -> str:
    return "\n".join(p.text for p in paras)


def _common(part: DraftPart, seen: _Seen | None) -> LetterChange:
    """The fields every change of ``part`` shares (``what`` is set by the caller)."""
    marks = [p.mark for p in seen.paragraphs if p.mark is not None] if seen is not None else []
    return LetterChange(ChangeKind.FINDING_DELETED, part_id=part.id, finding_id=part.finding or None,
                        section_before=part.section, kloe_before=_kloe(part.section), kind_before=_KINDS.get(part.kind),
                        headline_before=part.section == "headlines", order_before=part.order or None,
                        pending=seen is not None and any(p.pending for p in seen.paragraphs),
                        draft_hash=marks[0].drafted if marks else "", current_hash=part.hash)


def _text_changes(part: DraftPart, seen: _Seen | None, current: Sequence[CopyParagraph]) -> list[LetterChange]:
    """A section's own paragraph (or a heading, or a recommendation) deleted or reworded."""
    recommendation = part.section == "recommendations"
    if seen is None:
        what = ChangeKind.RECOMMENDATION_DELETED if recommendation else ChangeKind.BOILERPLATE_DELETED
        return [replace(_common(part, seen), what=what, old_text=_joined(current))]
    words = _joined(seen.paragraphs)
    if normalise_text(words) == normalise_text(_joined(current)) or _unchanged(seen, words):
        return []
    what = ChangeKind.RECOMMENDATION_CHANGED if recommendation else ChangeKind.BOILERPLATE_CHANGED
    return [replace(_common(part, seen), what=what, old_text=_joined(current), new_text=words)]


def _finding_changes(part: DraftPart, seen: _Seen | None, current: Sequence[CopyParagraph],
                     places: Mapping[str, tuple[int, tuple[str, ...]]]) -> list[LetterChange]:
    common = _common(part, seen)
    if seen is None:
        return [replace(common, old_text=_joined(current))]
    order_after, section_order = places.get(part.id, (0, ()))
    common = replace(common, section_after=seen.section, kloe_after=_kloe(seen.section),
                     kind_after=_KINDS.get(seen.kind), headline_after=seen.section == "headlines",
                     order_after=order_after or None, section_order_after=section_order)
    out = []
    words = _joined(seen.paragraphs)
    if not _unchanged(seen, words) and normalise_text(words) != normalise_text(_joined(current)):
        out.extend(_reworded(seen, current, common))
    if seen.section != part.section:
        out.append(replace(common, what=ChangeKind.MOVED))
    if seen.kind and part.kind and seen.kind != part.kind:
        out.append(replace(common, what=ChangeKind.KIND_CHANGED))
    return out


def _reworded(seen: _Seen, current: Sequence[CopyParagraph], common: LetterChange) -> list[LetterChange]:
    """A finding's statement and detail, each reported when the copy's differ from the review's
    and are not the words the copy was drafted with (the bookmark's hashes)."""
    mark = next((p.mark for p in seen.paragraphs if p.mark is not None), None)
    old = _split(current)
    new = _split(seen.paragraphs, old)
    out = []
    for what, old_text, new_text, drafted in (
            (ChangeKind.STATEMENT_REWORDED, old[0], new[0], mark.statement if mark else ""),
            (ChangeKind.DETAIL_REWORDED, old[1], new[1], mark.detail if mark else "")):
        if normalise_text(old_text) == normalise_text(new_text) or (drafted and sub_hash(new_text) == drafted):
            continue
        change = replace(common, what=what, old_text=old_text, new_text=new_text)
        out.append(replace(change, draft_hash=drafted, current_hash=sub_hash(old_text)) if drafted else change)
    return out


def _places(reading: _Reading) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Each finding's place (from 1) among the findings of its list in the copy, and that list."""
    lists: dict[tuple[str, str], list[str]] = {}
    for pid in reading.order:
        seen = reading.seen[pid]
        lists.setdefault((seen.section, seen.kind), []).append(pid)
    out = {}
    for ids in lists.values():
        findings = tuple(str(finding_of(i)) for i in ids)
        for n, pid in enumerate(ids, start=1):
            out[pid] = (n, findings)
    return out


def _reordered(parts: Sequence[DraftPart], reading: _Reading) -> set[str]:
    """The findings that stand, among the others still in their list, at another place: those
    outside the longest run the copy keeps in the draft's order."""
    out: set[str] = set()
    lists: dict[tuple[str, str], list[str]] = {}
    for part in parts:
        seen = reading.seen.get(part.id)
        if part.finding and seen is not None and (seen.section, seen.kind) == (part.section, part.kind):
            lists.setdefault((part.section, part.kind), []).append(part.id)
    for ids in lists.values():
        copy_order = [pid for pid in reading.order if pid in ids]
        matcher = difflib.SequenceMatcher(None, ids, copy_order, autojunk=False)
        kept = {ids[b.a + k] for b in matcher.get_matching_blocks() for k in range(b.size)}
        out.update(pid for pid in ids if pid not in kept)
    return out


def compare(current: LetterCopy, record: Mapping[str, object], copy: LetterCopy,
            finding_ids: Sequence[str] = ()) -> LetterChanges:
    """The changes ``copy`` makes to the draft ``current`` (the review's letter now, read back,
    and its record of parts). ``finding_ids``: every finding of the review, so that a copy's
    finding the letter no longer holds is still known. :class:`InputError` when the copy holds
    no part of this review's letter."""
    parts = draft_parts(record)
    by_id = {p.id: p for p in parts}
    names = {id_hash(p.id): p.id for p in parts}
    names.update({id_hash("finding:" + f): "finding:" + f for f in finding_ids if id_hash("finding:" + f) not in names})
    drafted = _texts(current, names)
    reading = _read(copy, names, by_id, drafted)
    if not (copy.draft_id and copy.draft_id == record.get("draft")) and not any(
            finding_of(p) is not None for p in reading.seen):
        raise InputError(copy.file, message("not_this_letter"))  # no finding of this review's, not its draft
    places = _places(reading)
    reordered = _reordered(parts, reading)
    changes: list[LetterChange] = []
    for part in parts:
        seen = reading.seen.get(part.id)
        if part.id.startswith("finding:"):
            found = _finding_changes(part, seen, drafted.get(part.id, []), places)
            if part.id in reordered:
                found.append(replace(_common(part, seen), what=ChangeKind.REORDERED, section_after=part.section,
                                     kloe_after=_kloe(part.section), kind_after=_KINDS.get(part.kind),
                                     headline_after=part.section == "headlines", order_after=places[part.id][0],
                                     section_order_after=places[part.id][1]))
            changes.extend(found)
        else:
            changes.extend(_text_changes(part, seen, drafted.get(part.id, [])))
    changes.extend(reading.added)
    changes.extend(comment_changes(current, copy, names))
    return LetterChanges(copy.file, tuple(changes), copy.draft_id, str(record.get("draft", "")),
                         tuple(_pending_lines(copy, names)))


def _pending_lines(copy: LetterCopy, names: Mapping[str, str]) -> list[str]:
    out = []
    for change in copy.pending:
        mark = copy.paragraphs[change.paragraph].mark if change.paragraph < len(copy.paragraphs) else None
        where = names.get(mark.part, "") if mark is not None else ""
        out.append(message("pending_line", what=change.what, author=change.author or "?",
                           where=where or message("whole_letter"), text=change.text))
    return out
