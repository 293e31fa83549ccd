"""The acronym glossary: the shipped, editable list of SEND and health terms, a review's own
additions, and finding the acronyms a text uses.

A word counts as an acronym when it has at least two capital letters and more capitals than
small letters (``EHCP``, ``SENCO``, ``PfA``, ``NDTi``); a plural ``s`` is dropped when the rest is
in the glossary (``EHCPs``). Words with digits (``KS2``) count too. A word in the glossary is
always an acronym; any other is one only if it looks like one in its context: not an English word
written in capitals for emphasis ("AND on an upward trajectory", "HAS had an impact", "MY
Support Plan"), which is a word of the glossary file's ``emphasis`` list or a word the same texts
also write in small letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from toolkit.errors import InputError, ValidationFailed
from toolkit.inputs.params import read_yaml

GLOSSARY_FILE = Path(__file__).parents[1] / "catalogue" / "glossary.yaml"
_SHOWN = "toolkit/catalogue/glossary.yaml"
_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?![\w-])")


@lru_cache(maxsize=1)
def shipped_glossary() -> dict[str, str]:
    """The shipped glossary: acronym to its expansion."""
    data = read_yaml(GLOSSARY_FILE, _SHOWN)
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, dict) or not all(isinstance(v, str) for v in terms.values()):
        raise ValidationFailed([InputError(_SHOWN, "expected 'terms': a mapping of acronym to its expansion")])
    return {str(k): v for k, v in terms.items()}


def merged_glossary(own: Mapping[str, str]) -> dict[str, str]:
    """The shipped glossary with a review's own entries over it."""
    return {**shipped_glossary(), **own}


def is_acronym(word: str) -> bool:
    upper = sum(1 for c in word if c.isupper())
    lower = sum(1 for c in word if c.islower())
    return upper >= 2 and upper > lower


def acronym_of(word: str, glossary: Mapping[str, str]) -> str | None:
    """The acronym ``word`` is (its plural dropped), or None when it is not one."""
    if word.endswith("s") and word[:-1] in glossary and is_acronym(word[:-1]):
        return word[:-1]
    return word if is_acronym(word) else None


@lru_cache(maxsize=1)
def emphasis_words() -> frozenset[str]:
    """English words written in capitals for emphasis, never an acronym (the ``emphasis`` list)."""
    data = read_yaml(GLOSSARY_FILE, _SHOWN)
    words = data.get("emphasis", []) if isinstance(data, dict) else []
    if not isinstance(words, list):
        raise ValidationFailed([InputError(_SHOWN, "expected 'emphasis': a list of English words")])
    return frozenset(str(w).casefold() for w in words)


def acronyms_in(texts: Iterable[str], glossary: Mapping[str, str]) -> list[str]:
    """Every acronym the texts use, in order of first use, each once: the glossary's wherever
    they are, any other word only where it is not an English word in capitals for emphasis."""
    texts = list(texts)
    small = {w for text in texts for w in _WORD.findall(text) if w.islower()} | emphasis_words()
    seen: dict[str, None] = {}
    for text in texts:
        for match in _WORD.finditer(text):
            found = acronym_of(match.group(), glossary)
            if found is not None and (found in glossary or found.casefold() not in small):
                seen.setdefault(found)
    return list(seen)
