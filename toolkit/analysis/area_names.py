"""The names that would identify a reviewed area, collected for the anonymised themes report.

Three sources, in the order they are trusted:

1. **The parameters** (:func:`names_from_params`): the authority's name and the organisations
   named after it ("Brindleford County Council"); every person (team, recipient, coordinator,
   and each word of their names, since a letter calls people by one: "Dear Mark", "Ms Pryce");
   every organisation, setting, session and allowed phrase (``privacy.allow`` holds a review's
   services and schools); and every distinctive word anywhere in the parameters' free text
   ("parents' focus group in Stallbridge" gives "Stallbridge").
2. **The personal-data screen's name finder** (:func:`toolkit.inputs.privacy.screen_text`) over
   the findings: people the parameters do not name.
3. **Distinctive words in the findings** (:func:`distinctive_words`): a capitalised word that
   the round's own text never writes in lower case and that is not an ordinary word of the
   toolkit's shipped text (frameworks, catalogues, glossary, style words). A place or a service
   the team wrote into a finding ("the Orton Marsh hub") is caught this way even when no
   parameter names it. Over-removal is the safe side: a rare ordinary word written only with a
   capital is replaced too.

The region's own words are never names here: a themes report is about one region.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from toolkit.inputs.params import ReviewParams
from toolkit.inputs.privacy import PLACE_WORDS, screen_text
from toolkit.inputs.privacy_names import name_lists

_TOOLKIT = Path(__file__).parents[1]
#: Shipped text whose lower-case words are ordinary words (never a name of an area).
ORDINARY_SOURCES = ("frameworks/*.yaml", "catalogue/*.yaml", "styles/*/words.yaml", "data/common_words.txt")
_TOKEN = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W\d_]+)*")
_CAPITALISED = re.compile(r"[A-Z][\w'’-]*")
#: The parts of an authority's organisations that say what kind of body it is.
AUTHORITY_SUFFIXES = ("Council", "County Council", "City Council", "Borough Council",
                      "Metropolitan Borough Council", "Local Authority")

_KIND_WORDS = frozenset(w.lower() for s in AUTHORITY_SUFFIXES for w in s.split())


@lru_cache(maxsize=1)
def shipped_ordinary_words() -> frozenset[str]:
    """Lower-case words of the toolkit's own shipped text, and the acronyms it defines."""
    words: set[str] = set(PLACE_WORDS)
    for pattern in ORDINARY_SOURCES:
        for path in sorted(_TOOLKIT.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            words.update(m.group() for m in _TOKEN.finditer(text) if m.group().islower())
            words.update(m.group().lower() for m in _TOKEN.finditer(text) if m.group().isupper())
    _, _, _, common = name_lists()
    return frozenset(words | common)


def ordinary_words(texts: Iterable[str]) -> frozenset[str]:
    """The shipped ordinary words and every word ``texts`` write in lower case."""
    seen = {m.group() for t in texts for m in _TOKEN.finditer(t) if m.group().islower()}
    return shipped_ordinary_words() | seen


_SENTENCE_START = re.compile(r"(?:^|[.!?:;•(\[\n\"“]\s*)$")
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Master", "Cllr", "Councillor", "Prof", "Professor")


def _opens_sentence(text: str, start: int) -> bool:
    return _SENTENCE_START.search(text[max(0, start - 3):start].rstrip(" \t")) is not None or not text[:start].strip()


def _ordinary(bare: str, ordinary: frozenset[str], keep: frozenset[str]) -> bool:
    low = bare.lower()
    plural_acronym = bare[:-1].isupper() and bare.endswith("s") and low[:-1] in ordinary
    return len(bare) < 3 or not _CAPITALISED.fullmatch(bare) or low in ordinary or low in keep or plural_acronym


def distinctive_words(text: str, ordinary: frozenset[str], keep: frozenset[str] = frozenset(),
                      name: bool = False) -> list[str]:
    """Capitalised words of ``text`` that are not ordinary words (nor in ``keep``): likely names.

    A word that opens a sentence counts only when it is a known given name or surname, or is
    also written with a capital inside a sentence of ``text`` ("Listening to families" is not a
    name; "Stallbridge parents ... in Stallbridge" is). In a ``name`` (an organisation, a
    setting) every position counts.
    """
    given, _, surnames, _ = name_lists()
    inside: set[str] = set()
    first: list[str] = []
    for m in _TOKEN.finditer(text):
        bare = re.sub(r"['’]s$", "", m.group())
        low = bare.lower()
        if _ordinary(bare, ordinary, keep):
            continue
        if not name and _opens_sentence(text, m.start()) and low not in given and low not in surnames:
            first.append(bare)
        else:
            inside.add(bare)
    ordered = [m.group() for m in _TOKEN.finditer(text)]
    return [w for w in dict.fromkeys(re.sub(r"['’]s$", "", t) for t in ordered) if w in inside]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


@dataclass(frozen=True)
class AreaNames:
    """What identifies one reviewed area: its authority, the people and the places a review names."""

    review_id: str
    ons_code: str
    authority: str
    authority_names: tuple[str, ...]  # the authority and the organisations named after it
    people: tuple[str, ...]  # full names, then each word of them
    places: tuple[str, ...]  # organisations, settings, services, places and other distinctive words

    def all_names(self) -> tuple[str, ...]:
        return (*self.authority_names, *self.people, *self.places)


def region_words(params: ReviewParams) -> frozenset[str]:
    """The region's words ("West", "Midlands"), never taken for a name of an area."""
    names = [params.region.name, params.programme.region_label or "", params.programme.name]
    return frozenset(w.lower() for n in names for w in _TOKEN.findall(n))


def _people(params: ReviewParams, ordinary: frozenset[str]) -> list[str]:
    """Each person's full name, titled forms ("Ms Pryce", "Dr Imran Qureshi"), the name a
    salutation uses and each word of the names."""
    full = [m.name for m in params.team] + [params.recipient.name, params.coordinator.name]
    titles = {t.lower() for t in TITLES}
    words = [w for name in full for w in _TOKEN.findall(name)
             if len(w) > 1 and w.lower() not in ordinary and w.lower() not in titles]
    bare = [" ".join(w for w in n.split() if w.rstrip(".").lower() not in titles) for n in full]
    titled = [f"{t} {n}" for n in bare for t in TITLES] + [f"{t} {n.split()[-1]}" for n in bare for t in TITLES]
    salutation = params.recipient.salutation.split(maxsplit=1)
    greeted = [salutation[1].strip(" ,")] if len(salutation) == 2 else []
    return _unique([*full, *bare, *titled, *greeted, *words])


def role_words(params: ReviewParams) -> frozenset[str]:
    """The words of the job titles the parameters hold (never names)."""
    roles = [m.role for m in params.team] + [params.recipient.role or "", params.coordinator.role or ""]
    return frozenset(w.lower() for r in roles for w in _TOKEN.findall(r))


#: Parameters whose text is never an area's name (file paths, styles, codes, the region, the words of a letter).
NOT_NAMES = ("inputs", "letter_style", "outputs", "region", "programme", "visit", "letter_date", "final",
             "glossary", "self_evaluation", "opening", "review_id", "performance", "findings_recorded")


def _organisations(params: ReviewParams) -> list[str]:
    orgs = [m.organisation for m in params.team] + [params.coordinator.organisation]
    orgs += [params.recipient.organisation] if params.recipient.organisation else []
    return [*orgs, *params.settings_visited, *params.privacy.allow]


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        item = " ".join(item.split())
        if item and item not in out:
            out.append(item)
    return out


def names_from_params(params: ReviewParams, ordinary: frozenset[str] | None = None) -> AreaNames:
    """Every name the parameters hold, by kind (the module's first source)."""
    vocab = shipped_ordinary_words() if ordinary is None else ordinary
    keep = region_words(params) | role_words(params) | _KIND_WORDS
    authority = params.authority.name
    own = [authority, *(f"{authority} {s}" for s in AUTHORITY_SUFFIXES)]
    people = _people(params, vocab)
    orgs = _organisations(params)
    data = params.model_dump(mode="json", exclude=set(NOT_NAMES))
    data["team"] = [{k: v for k, v in m.items() if k != "role"} for m in data["team"]]
    data["recipient"].pop("salutation", None)
    data["authority"] = {}
    free = [s for s in _strings(data) if s not in people]
    words = [w for s in orgs for w in distinctive_words(s, vocab, keep, name=True)]
    words += [w for s in free for w in distinctive_words(s, vocab, keep)]
    places = [p for p in _unique([*orgs, *words]) if p not in own and p not in people]
    return AreaNames(params.review_id, params.authority.ons_code, authority, tuple(_unique(own)),
                     tuple(people), tuple(places))


def people_in_findings(texts: Sequence[str], allow: Sequence[str] = ()) -> list[str]:
    """People the personal-data screen's name finder sees in ``texts`` (the second source)."""
    found: list[str] = []
    for text in texts:
        for hit in screen_text(text, allow):
            if hit.kind == "name":
                name = " ".join(text[hit.start:hit.end].split())
                if name not in found:
                    found.append(name)
    return found


_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master|Cllr|Councillor|Prof)\.?\s+([A-Z][\w'’-]+)")


def titled_names(text: str) -> list[str]:
    """The word after a title ("Mrs Patel, SENCo" gives "Patel"): staff, whom the screen lets be."""
    return [m.group(1) for m in _TITLED.finditer(text)]


@dataclass(frozen=True)
class FoundNames:
    """Names seen in a review's findings: people, and other distinctive words (places...)."""

    people: tuple[str, ...]
    places: tuple[str, ...]


def names_in_findings(texts: Sequence[str], ordinary: frozenset[str], keep: frozenset[str] = frozenset()) -> FoundNames:
    """People (the screen's name finder, and anyone after a title) and distinctive words (the
    third source) in ``texts``."""
    people = _unique([*people_in_findings(texts), *(w for t in texts for w in titled_names(t))])
    words = _unique(w for t in texts for w in distinctive_words(t, ordinary, keep) if w not in people)
    return FoundNames(tuple(people), tuple(words))
