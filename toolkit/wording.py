"""Computed words: ordinals, dates, counts and lists as a letter writes them, and the nine
English regions by one spelling each.

A review's ``region.name`` and ``programme.region_label``, and the region names DfE files carry
("Yorkshire and The Humber"), all resolve to one :class:`EnglishRegion` from
``toolkit/catalogue/regions.yaml``, so a letter writes one spelling throughout: "the North West"
in a sentence, "North West" before a noun ("the fourteenth North West SEND Peer Review
activity"), "London" and "Yorkshire and the Humber" with no article of their own.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from num2words import num2words


def ordinal_words(n: int) -> str:
    """32 -> 'thirty-second'."""
    return str(num2words(n, lang="en", to="ordinal"))


def ordinal(n: int) -> str:
    """6 -> '6th', 22 -> '22nd', 113 -> '113th' (dates in letters, ranks in sentences)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def number_words(n: int) -> str:
    """Numbers up to ten in words, larger ones in figures (the usual house style)."""
    return str(num2words(n, lang="en")) if 0 <= n <= 10 else f"{n:,}"


def long_date(d: dt.date, weekday: bool = True) -> str:
    """'Tuesday 6th February 2018' (or '6th February 2018')."""
    text = f"{ordinal(d.day)} {d:%B %Y}"
    return f"{d:%A} {text}" if weekday else text


def month_year(d: dt.date) -> str:
    return f"{d:%B %Y}"


def join_words(items: Sequence[str], conj: str = "and") -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def date_list(days: Sequence[dt.date]) -> str:
    """Consecutive visit days as 'Tuesday 3rd, Wednesday 4th and Thursday 5th March 2026'.

    Month and year are written once per run of days sharing them, as a person writes it.
    """
    parts: list[str] = []
    for i, d in enumerate(days):
        nxt = days[i + 1] if i + 1 < len(days) else None
        same_tail = nxt is not None and (nxt.month, nxt.year) == (d.month, d.year)
        parts.append(f"{d:%A} {ordinal(d.day)}" if same_tail else long_date(d))
    return join_words(parts)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """'1 strength', '3 strengths', 'no urgent actions'."""
    word = singular if n == 1 else (plural_form or singular + "s")
    return f"{number_words(n) if n else 'no'} {word}"


def letter_date(d: object) -> str:
    """A letter's date: '27th February 2026', or 'February 2018' for a month-only date (any
    object with a ``first_day``)."""
    if isinstance(d, dt.date):
        return long_date(d, weekday=False)
    first = getattr(d, "first_day", None)
    return month_year(first) if isinstance(first, dt.date) else str(d)


def counted(count: object) -> str:
    """A count as a letter states it: '92', 'over 50' (any object with ``number`` and
    ``qualifier``, or a plain number)."""
    if isinstance(count, int):
        return number_words(count)
    number = int(getattr(count, "number", 0))
    qualifier = getattr(count, "qualifier", None)
    return f"{qualifier} {number_words(number)}" if qualifier else number_words(number)


WORDS = re.compile(r"[A-Za-z][A-Za-z0-9'’]*")


def capitalise_first(text: object) -> str:
    """The text with its first letter in capitals and every other letter as written: "EHC plans"
    stays "EHC plans", "a review of EHC plans" becomes "A review of EHC plans" (Jinja's own
    ``capitalize`` lowers the rest, which breaks acronyms and names)."""
    words = str(text)
    for i, c in enumerate(words):
        if c.isalpha():
            return words[:i] + c.upper() + words[i + 1:]
    return words


def keeps_case(word: str, names: frozenset[str] = frozenset()) -> bool:
    """Whether a word keeps its capitals when a phrase is lowered: an acronym (two capitals or
    more, "EHC", "PfA"), a word with a digit ("KS2"), or one of ``names`` (the proper nouns a
    review names, the glossary's acronyms)."""
    upper = sum(1 for c in word if c.isupper())
    return upper >= 2 or any(c.isdigit() for c in word) or word in names or (upper > 0 and word.rstrip("s") in names)


def lower_keeping(text: object, names: frozenset[str] = frozenset()) -> str:
    """The text in lower case, but for its acronyms and the proper nouns in ``names`` (see
    :func:`keeps_case`): "Review of EHC Plans in Kestrelmoor" -> "review of EHC plans in
    Kestrelmoor"."""
    return WORDS.sub(lambda m: m[0] if keeps_case(m[0], names) else m[0].lower(), str(text))


_CLAUSE_END = re.compile(r"[,;:–—]\s")  # a sentence's first clause ends at a comma, semicolon, colon or dash
_LIST_GOES_ON = re.compile(r"(?:[\w-]+, )*[\w-]+ (?:and|or) ")


def short_statement(text: object, words: int = 10) -> str:
    """A finding's statement as a table names it: its first clause when that is a phrase of four
    words or more, else the statement, at most ``words`` words (an ellipsis where it is cut)."""
    statement = " ".join(str(text).split()).rstrip(".")
    end = _CLAUSE_END.search(statement)
    clause, rest = (statement[:end.start()], statement[end.end():]) if end else (statement, "")
    # a list ("social, emotional and mental health needs") goes on past its comma: no clause ends there
    if len(clause.split()) >= 4 and not _LIST_GOES_ON.match(rest):
        statement = clause
    parts = statement.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def as_words(value: object) -> object:
    """A value as a document prints it (every template's ``finalize``): a count with its
    qualifier ("over 90"), a date as a letter writes it; anything else as it is."""
    if isinstance(value, dt.date):
        return letter_date(value)
    if hasattr(value, "number") and hasattr(value, "qualifier"):
        return counted(value)
    return value


def day_numbers(numbers: Sequence[int]) -> str:
    """[2] -> 'day 2', [1, 2] -> 'days 1 and 2' (the days of a visit a team member was there)."""
    word = "day" if len(numbers) == 1 else "days"
    return f"{word} {join_words([str(n) for n in numbers])}"


REGIONS_PATH = Path(__file__).parent / "catalogue" / "regions.yaml"


@dataclass(frozen=True)
class EnglishRegion:
    name: str  # the canonical spelling ("North West", "Yorkshire and the Humber")
    article: str  # "the", or "" when English puts none before the name
    code: str  # the ONS region code (E12000002)

    @property
    def in_sentence(self) -> str:
        """The name as a sentence uses it: "the North West", "London"."""
        return f"{self.article} {self.name}" if self.article else self.name


_SPACES = re.compile(r"[\s\-_]+")


def match_key(name: str) -> str:
    """A region's name as it is matched: lower case, "&" as "and", no hyphens, no leading "the",
    no trailing "region" or "England" (but "East of England" keeps its own)."""
    text = _SPACES.sub(" ", name.replace("&", " and ")).strip().casefold()
    changed = True
    while changed:
        before = text
        text = text.removeprefix("the ").removesuffix(" region").strip()
        if text.endswith(" england") and not text.endswith(" of england"):
            text = text.removesuffix(" england").strip()
        changed = text != before
    return text


@functools.cache
def _table() -> tuple[tuple[EnglishRegion, ...], dict[str, EnglishRegion]]:
    data: Any = yaml.safe_load(REGIONS_PATH.read_text(encoding="utf-8"))
    regions = tuple(EnglishRegion(str(r["name"]), str(r.get("article") or ""), str(r["code"]))
                    for r in data["regions"])
    keys: dict[str, EnglishRegion] = {}
    for raw, region in zip(data["regions"], regions, strict=True):
        for spelling in [region.name, *raw.get("variants", [])]:
            keys[match_key(str(spelling))] = region
    return regions, keys


def english_regions() -> tuple[EnglishRegion, ...]:
    """The nine regions, in the ONS order (North East first)."""
    return _table()[0]


def find_region(name: str | None) -> EnglishRegion | None:
    """The region a spelling names (any accepted variant), else None."""
    if not name:
        return None
    return _table()[1].get(match_key(name))


def region_by_code(code: str | None) -> EnglishRegion | None:
    return next((r for r in english_regions() if code and r.code == code.strip().upper()), None)


def canonical_region(name: str) -> str:
    """The canonical spelling of a region's name; a name that is not an English region (a
    Welsh area in a file, say) is returned as given."""
    region = find_region(name)
    return region.name if region is not None else name


def region_in_sentence(name: str) -> str:
    """A region's name as a sentence writes it, with its article: "the North West", "London"."""
    region = find_region(name)
    return region.in_sentence if region is not None else name
