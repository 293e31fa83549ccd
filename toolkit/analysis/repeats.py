"""A follow-up's new findings that return to an item of the previous review.

A new area for consideration or urgent action *repeats* a previous item when the progress file
says so (its ``repeated_in`` column lists the new finding's id) or, failing that, when their
statements share enough of their rarer words: each statement is reduced to its content words
(common English words dropped, plural and verb endings folded), each word weighted by how rare it
is among all the statements compared (inverse document frequency), and the weight of the words
both share divided by the smaller statement's weight. A score of at least :data:`THRESHOLD`, with
at least :data:`MIN_SHARED` words in common, is a repeat; each finding repeats at most one item,
its best. The letter then says so ("as we said in 2025") beside the finding and links to the item
in the progress section.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from toolkit.analysis.previous import PreviousItem
from toolkit.errors import InputError
from toolkit.inputs.findings import Finding, Kind
from toolkit.inputs.plans import ImprovementPlan
from toolkit.inputs.privacy import quote
from toolkit.inputs.progress import ProgressMarks

THRESHOLD = 0.55
MIN_SHARED = 2

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("""
a about above after again all also an and any are as at be because been before being both but by can could did do
does doing down each few for from further had has have having here how i if in into is it its itself just more most
must no nor not now of off on once only or other our out over own same should so some such than that the their them
then there these they this those through to too under until up very was we were what when where which while who why
will with within would you your make making made sure use using ensure ensuring improve improving better clear
clearly every one many much further new well area areas partner local
""".split())


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + repl
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def content_words(text: str) -> frozenset[str]:
    """The statement's content words, folded (``planning`` and ``plans`` both ``plan``)."""
    words = _WORD.findall(text.lower().replace("'s", ""))
    return frozenset(_stem(w) for w in words if w not in _STOP and len(w) > 1)


@dataclass(frozen=True)
class Repeat:
    finding: Finding
    item: PreviousItem
    explicit: bool  # named in the progress file's repeated_in column
    score: float = 1.0


def idf_weights(texts: Sequence[frozenset[str]]) -> dict[str, float]:
    df = Counter(w for t in texts for w in t)
    n = len(texts)
    return {w: math.log((n + 1) / (c + 1)) + 1.0 for w, c in df.items()}


def similarity(a: frozenset[str], b: frozenset[str], weights: dict[str, float]) -> tuple[float, int]:
    """The weighted overlap of two statements' words, and how many words they share."""
    shared = a & b
    if not a or not b:
        return 0.0, 0
    smaller = min(sum(weights.get(w, 1.0) for w in a), sum(weights.get(w, 1.0) for w in b))
    return sum(weights.get(w, 1.0) for w in shared) / smaller, len(shared)


def find_repeats(findings: Sequence[Finding], items: Sequence[PreviousItem],
                 marks: ProgressMarks | None) -> list[Repeat]:
    """The new findings (areas for consideration and urgent actions in the letter) that repeat a
    previous item, in the findings' order: the progress file's links first, then by similarity."""
    candidates = [f for f in findings if f.in_letter and f.kind in (Kind.AREA, Kind.URGENT)]
    by_id = {f.id: f for f in candidates}
    out: dict[str, Repeat] = {}
    for item in items:
        mark = marks.get(item.id) if marks else None
        for fid in mark.repeated_in if mark else ():
            if fid in by_id and fid not in out:
                out[fid] = Repeat(by_id[fid], item, True)
    words_items = [content_words(i.statement) for i in items]
    words_new = {f.id: content_words(f.statement) for f in candidates}
    weights = idf_weights([*words_items, *words_new.values()])
    for f in candidates:
        if f.id in out or not items:
            continue
        scored = [(similarity(words_new[f.id], w, weights), i) for w, i in zip(words_items, items, strict=True)]
        (score, shared), best = max(scored, key=lambda s: s[0][0])
        if score >= THRESHOLD and shared >= MIN_SHARED:
            out[f.id] = Repeat(f, best, False, round(score, 3))
    order = {f.id: n for n, f in enumerate(candidates)}
    return sorted(out.values(), key=lambda r: order[r.finding.id])


def repeated_in_errors(marks: ProgressMarks | None, finding_ids: Collection[str]) -> list[InputError]:
    """A ``repeated_in`` id must be a finding of this review (named with the progress file's row)."""
    errors = []
    for mark in (marks.marks.values() if marks else ()):
        for fid in mark.repeated_in:
            if fid not in finding_ids:
                errors.append(InputError(mark.file, f"{quote(fid)} is not the id of a finding of this review: copy "
                                         "the id from this review's findings files, or leave the cell blank",
                                         row=mark.row, column="repeated_in"))
    return errors


def plan_item_errors(plan: ImprovementPlan | None, item_ids: Collection[str]) -> list[InputError]:
    """An improvement-plan action's ``items`` must name items of the previous review."""
    errors = []
    for action in plan.actions if plan else ():
        for i in action.items:
            if i not in item_ids:
                errors.append(InputError(plan.file if plan else "", f"{quote(i)} is not an area for consideration or "
                                         "urgent action of the previous review: copy its id from the progress file, "
                                         "or leave the cell blank", row=action.row, column="items"))
    return errors
