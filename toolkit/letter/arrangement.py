"""How the letter arranges its findings, so the sentence that says so is true for the review.

The findings sections are one per KLOE in scope. Their headings are either a published
framework's own questions (a framework of ``kind: questions``, such as ``send-2025``) or headings
the review chose to answer its scope (its own KLOEs, or the toolkit's common local themes). The
letter's sentence therefore says one of three things, in the style's words
(``arranged_scope``, ``arranged_questions``, ``arranged_both`` in ``words.yaml``):

- every heading is the review's own: the findings are arranged under the headings of the scope;
- every heading is a framework's question: under the questions of that framework (naming it);
- some of each: under the framework's questions and headings of the area's own.

Each word is also told whether every scope item has a section that answers it
(:func:`toolkit.inputs.scope_cover.answering`), so it never claims the headings of the scope
when an item has none (``validate`` warns about that item). A document without findings
sections (no ``kloes`` or ``evidence`` section) says nothing about their arrangement.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ScopeItem
from toolkit.inputs.scope_cover import answering

#: the document sections that hold the findings, a section per KLOE
FINDINGS_SECTIONS = frozenset({"kloes", "evidence"})


@dataclass(frozen=True)
class Arrangement:
    """Which of the style's words says how the findings are arranged, and what it names."""

    key: str  # the style's word: arranged_scope, arranged_questions or arranged_both ("" for none)
    frameworks: tuple[str, ...]  # the titles of the frameworks whose questions are headings
    covered: bool  # every scope item has a section that answers it

    def __bool__(self) -> bool:
        return bool(self.key)


def arrangement(scope: KloeScope, requested: Sequence[ScopeItem], sections: Collection[str]) -> Arrangement:
    """How a review's letter arranges its findings, from its KLOEs, its scope and its document's sections."""
    if not FINDINGS_SECTIONS & set(sections) or not scope.kloes:
        return Arrangement("", (), False)
    titles: list[str] = []
    own = 0
    for k in scope.kloes:
        fw = scope.framework(k)
        if fw is None or fw.kind != "questions":
            own += 1
        elif fw.title not in titles:
            titles.append(fw.title)
    covered = all(answering(item, scope) for item in requested)
    if not titles:
        key = "arranged_scope"
    else:
        key = "arranged_both" if own else "arranged_questions"
    return Arrangement(key, tuple(titles), covered)
