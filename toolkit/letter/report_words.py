"""Computed words of the report form: an organisation's name with its article, and the scope the
area asked for, fitted to the lead-in that introduces it.

* :func:`with_article`: "the Midlands SEND Improvement Consortium", "Ashthorpe Council"
  (the nouns that take "the": ``toolkit/catalogue/organisations.yaml``).
* :func:`scope_form`: how the area wrote its scope items, so that a template picks a lead-in they
  read on from: ``infinitive`` (every item starts "To ..." or is a question: "asked the team:"
  with "to" in lower case), ``topic`` (noun phrases and "how well ..." or "whether ..."
  clauses: "asked the team to look at:"), or ``mixed`` (a lead-in that quotes the items as
  written).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml

NOUNS_FILE = Path(__file__).resolve().parents[1] / "catalogue" / "organisations.yaml"
_INFINITIVE = re.compile(r"^to\s", re.IGNORECASE)


class _Item(Protocol):
    @property
    def text(self) -> str: ...


@functools.cache
def _nouns() -> tuple[frozenset[str], frozenset[str]]:
    data: Any = yaml.safe_load(NOUNS_FILE.read_text(encoding="utf-8"))
    return (frozenset(str(n).lower() for n in data["article_nouns"]),
            frozenset(str(n).lower() for n in data["no_article_nouns"]))


def with_article(name: str) -> str:
    """``name`` as a sentence writes it: with "the" where English puts one (lower case; a template
    capitalises it at the start of a sentence with ``sentence_start``)."""
    name = " ".join(name.split())
    words = name.split()
    if not words or words[0].lower() == "the":
        return "the " + " ".join(words[1:]) if words and words[0] == "The" else name
    takes, refuses = _nouns()
    lower = [w.lower().strip("(),") for w in words]
    if any(w in ("of", "for") for w in lower[1:]) or (lower[-1] in takes and lower[-1] not in refuses):
        return f"the {name}"
    return name


def sentence_start(text: str) -> str:
    """``text`` with its first letter in capitals (the rest as written, unlike ``capitalize``)."""
    return text[:1].upper() + text[1:]


def _kind(text: str) -> str:
    text = text.strip()
    if _INFINITIVE.match(text) or text.endswith("?"):
        return "infinitive"
    return "topic"


def scope_form(items: Sequence[_Item]) -> str:
    """``infinitive``, ``topic`` or ``mixed``: how the area wrote the items of its scope."""
    kinds = {_kind(i.text) for i in items}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def scope_item(text: str, form: str) -> str:
    """An item as it reads after its lead-in: "To confirm ..." becomes "to confirm ..." after
    "asked the team:"; otherwise as written."""
    if form == "infinitive" and _INFINITIVE.match(text):
        return "t" + text[1:]
    return text
