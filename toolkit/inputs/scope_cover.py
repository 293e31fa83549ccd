"""Which items of a review's scope a section of the letter answers, and which none does.

The letter has a section per KLOE in scope. A scope item is answered by the sections it names
(``kloes:`` on the item, the coordinator's own link) or, where it names none, by each KLOE whose
title shares a word with it (words of five letters or more, compared on their first six letters,
leaving out words every scope item uses: "children", "needs", "whether" ...). An item no section
answers is a ``warning:`` at ``validate`` naming it, so a scope item ("ready for an area SEND
inspection") is not silently left without a section; linking it with ``kloes:`` or adding a KLOE
that answers it clears the warning.
"""

from __future__ import annotations

import re

from toolkit.errors import InputError, InputWarning
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams, ScopeItem
from toolkit.inputs.privacy import quote

STEM = 6
SHORTEST = 5
#: words any scope item may use that say nothing about which section answers it
COMMON = frozenset("""
about across after again against along alongside being between could doing during early every
from further great having their there these those through under where whether which while would
children child young people families family needs local areas review reviews understand confirm
particular including looking making really since start still think often other others ourselves
""".split())


def stems(text: str) -> frozenset[str]:
    """The words of ``text`` that can tie a scope item to a section, by their first letters."""
    return frozenset(w[:STEM] for w in re.findall(r"[a-z]+", text.casefold()) if len(w) >= SHORTEST and w not in COMMON)


def answering(item: ScopeItem, scope: KloeScope) -> list[str]:
    """The ids of the KLOEs (sections) that answer a scope item."""
    if item.kloes:
        return [k for k in item.kloes if k in scope]
    words = stems(" ".join([item.text, *item.items]))
    return [k.id for k in scope.kloes if words & stems(k.title)]


def scope_link_errors(params: ReviewParams, scope: KloeScope, file: str) -> list[InputError]:
    """A ``kloes:`` link on a scope item naming a KLOE not in scope."""
    return [InputError(file, f"{quote(kid)} is not a KLOE in scope: name one of {', '.join(scope.ids())}",
                       column=f"scope.requested[{i}].kloes[{j}]")
            for i, item in enumerate(params.scope.requested, start=1)
            for j, kid in enumerate(item.kloes, start=1) if kid not in scope]


def unanswered_scope(params: ReviewParams, scope: KloeScope, file: str) -> list[InputWarning]:
    """A warning for each scope item that no section of the letter answers."""
    return [InputWarning(file, f"no section of the letter answers the scope item {quote(item.text)}: add a KLOE "
                         "that does (scope.kloes or custom_kloes), or name the sections that answer it "
                         "under the item (text: ..., kloes: [ids])", column=f"scope.requested[{i}]")
            for i, item in enumerate(params.scope.requested, start=1) if not answering(item, scope)]
