"""Anonymising a round of reviews: each area's names become "Area A", "Area B"...

:func:`build_anonymiser` takes each review's :class:`~toolkit.analysis.area_names.AreaNames`
and gives an :class:`Anonymiser` whose :meth:`~Anonymiser.text` replaces, longest first and as
whole words, every authority name with the area's label, every person with a neutral phrase and
every place, setting or service of an area with a phrase naming only its label. The phrases are
in ``toolkit/catalogue/anonymise.yaml``.

**The order of the labels** is neither the order the reviews were listed in (which may vary) nor
the order of the areas' names (which would let a reader who knows the round's areas undo it):
areas are sorted by a SHA-256 of the round's key and the area's ONS code. The key is drawn from
the round's own inputs (:func:`round_key`), so the same round always gives the same labels, and a
reader without those inputs cannot recompute the order. Two reviews of one authority in a round
(a review and its follow-up) share one label.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from toolkit.analysis.area_names import (
    AreaNames,
    FoundNames,
    names_from_params,
    names_in_findings,
    ordinary_words,
    region_words,
    role_words,
)
from toolkit.inputs.params import ReviewParams

WORDING_FILE = Path(__file__).resolve().parents[1] / "catalogue" / "anonymise.yaml"
#: Fewer reviewed areas than this in a group or a figure, and it is held back.
MINIMUM_AREAS = 3


@lru_cache(maxsize=1)
def wording() -> dict[str, str]:
    """The phrases of ``anonymise.yaml``."""
    data: dict[str, Any] = yaml.safe_load(WORDING_FILE.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def label(n: int) -> str:
    """The ``n``-th area's label (0 = "Area A"; after Z: "Area AA", "Area AB"...)."""
    letters = string.ascii_uppercase
    text = letters[n % 26]
    while n >= 26:
        n = n // 26 - 1
        text = letters[n % 26] + text
    return wording()["area"].format(letter=text)


def round_key(parts: Iterable[str]) -> str:
    """A key drawn from the round's inputs (say, each review's parameters and findings as text),
    the same whatever order they come in."""
    digests = sorted(hashlib.sha256(p.encode("utf-8")).hexdigest() for p in parts)
    return hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()


def area_labels(areas: Sequence[AreaNames], key: str) -> dict[str, str]:
    """Each area's label by ONS code, in the order of the keyed hash (module docstring)."""
    codes = sorted({a.ons_code for a in areas}, key=lambda c: (hashlib.sha256(f"{key}:{c}".encode()).hexdigest(), c))
    return {code: label(n) for n, code in enumerate(codes)}


@dataclass(frozen=True)
class Anonymiser:
    """Replaces names in text; ``labels`` maps review id to the area's label."""

    labels: Mapping[str, str]
    replacements: Mapping[str, str]  # lower-cased phrase: what stands in its place
    case_sensitive: Mapping[str, str] = field(default_factory=dict)  # single words, as written
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _word_pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def label_of(self, review_id: str) -> str:
        return self.labels[review_id]

    def text(self, text: str) -> str:
        """``text`` with every known name replaced (whole words; "Brindleford's" keeps its 's)."""
        if not text:
            return text
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: _fit(m, self.replacements[_norm(m.group())]), text)
        if self._word_pattern is not None:
            text = self._word_pattern.sub(lambda m: _fit(m, self.case_sensitive[m.group()]), text)
        return text

    def deep(self, value: Any) -> Any:
        """Every string in ``value`` (lists, tuples, dicts and their keys) anonymised."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.deep(k): self.deep(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.deep(v) for v in value)
        return value


def _norm(phrase: str) -> str:
    return " ".join(phrase.split()).lower()


def _fit(match: re.Match[str], replacement: str) -> str:
    """The replacement, with a capital where a sentence starts."""
    before = match.string[:match.start()]
    if (not before.strip() or re.search(r"[.!?:]\s+$", before)) and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _phrase_pattern(phrases: Iterable[str], flags: int) -> re.Pattern[str] | None:
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    if not ordered:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)


def _is_word(phrase: str) -> bool:
    return " " not in phrase


def _add(table: dict[str, str], phrase: str, replacement: str) -> None:
    table.setdefault(_norm(phrase), replacement)


def _word_forms(words: Mapping[str, str], ordinary: frozenset[str]) -> dict[str, str]:
    """Each single-word name as written, in capitals, and in lower case unless that is an
    ordinary word ("Reading" the place; "reading" the word)."""
    out: dict[str, str] = {}
    for word, replacement in words.items():
        out.setdefault(word, replacement)
        out.setdefault(word.upper(), replacement)
        if word.lower() not in ordinary:
            out.setdefault(word.lower(), replacement)
    return out


def build_anonymiser(areas: Sequence[AreaNames], key: str, extra: Mapping[str, FoundNames] | None = None,
                     others: Sequence[str] = (), ordinary: frozenset[str] = frozenset()) -> Anonymiser:
    """The anonymiser for a round: ``areas`` (one per review), the round's ``key``
    (:func:`round_key`), ``extra`` names a review's findings hold (by review id: people and
    places the finder saw there) and ``others``, names no one area holds.

    Authority names win over any other reading of the same words; then people; then places.
    A multi-word name matches in any case and spacing; a single word matches as written
    (capitalised), so a place called "Marsh" leaves "marsh" in a sentence alone.
    """
    w = wording()
    labels_by_code = area_labels(areas, key)
    phrases: dict[str, str] = {}
    for a in areas:  # authority names first: they win
        for name in a.authority_names:
            _add(phrases, name, labels_by_code[a.ons_code])
    found = extra or {}
    none = FoundNames((), ())
    for a in areas:
        for name in [*a.people, *found.get(a.review_id, none).people]:
            _add(phrases, name, w["person"])
    for a in areas:
        place = w["place"].format(area=labels_by_code[a.ons_code])
        for name in [*a.places, *found.get(a.review_id, none).places]:
            _add(phrases, name, place)
    for name in others:
        _add(phrases, name, w["other"])
    for a in areas:  # a review's id ("brindleford-2026") names its area
        _add(phrases, a.review_id, labels_by_code[a.ons_code])
    originals = {_norm(n): n for a in areas for f in [found.get(a.review_id, none)]
                 for n in [*a.all_names(), *f.people, *f.places]}
    originals.update({_norm(n): n for n in others})
    single = _word_forms({originals.get(k, k): v for k, v in phrases.items() if _is_word(k)}, ordinary)
    multi = {k: v for k, v in phrases.items() if not _is_word(k)}
    return Anonymiser({a.review_id: labels_by_code[a.ons_code] for a in areas}, multi, single,
                      _phrase_pattern(multi, re.I), _phrase_pattern(single, 0))


@dataclass(frozen=True)
class ReviewText:
    """One review of a round as the anonymiser reads it: its parameters and its findings' text."""

    params: ReviewParams
    texts: tuple[str, ...]  # statements and details (any free text the report may quote)


def round_anonymiser(reviews: Sequence[ReviewText]) -> Anonymiser:
    """The anonymiser for a round, from all three sources of :mod:`toolkit.analysis.area_names`:
    ordinary words are the shipped ones and every word the round writes in lower case; the key is
    drawn from every review's parameters and text, in any order."""
    ordinary = ordinary_words(t for r in reviews for t in r.texts)
    areas = [names_from_params(r.params, ordinary) for r in reviews]
    found = {}
    for r in reviews:
        keep = region_words(r.params) | role_words(r.params)
        found[r.params.review_id] = names_in_findings(r.texts, ordinary, keep)
    key = round_key(r.params.model_dump_json() + "\n".join(r.texts) for r in reviews)
    return build_anonymiser(areas, key, found, ordinary=ordinary)
