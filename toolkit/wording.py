"""Computed words: ordinals, dates, counts and lists as a letter writes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

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


def day_numbers(numbers: Sequence[int]) -> str:
    """[2] -> 'day 2', [1, 2] -> 'days 1 and 2' (the days of a visit a team member was there)."""
    word = "day" if len(numbers) == 1 else "days"
    return f"{word} {join_words([str(n) for n in numbers])}"
