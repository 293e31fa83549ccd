"""The parts of a review's parameters that say what a real letter says.

Counts with a qualifier ("over 50 people"), a letter dated by its month only ("February 2018"),
the region by its one canonical name, the programme's wording, the recipient's optional address
block, the coordinator's role, the opening's thanks and welcome, and the days each team member
was there (day numbers 1, 2, 3: the on-site days, then the presentation; or dates), each a day of
the visit. Day-first dates (``10/02/2026``) are read as such, with a warning. :func:`field_line`
finds the line of the parameters file that holds a field, for messages. :mod:`toolkit.inputs.params`
holds the review's model that uses them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from toolkit.errors import InputError, InputWarning
from toolkit.inputs.privacy import quote
from toolkit.wording import english_regions, find_region, region_by_code


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


#: The words a count may carry ("over 50 people", "nearly 130 strengths and areas ...").
Qualifier = Literal["over", "more than", "nearly", "almost", "about", "around", "some"]
QUALIFIERS: tuple[str, ...] = Qualifier.__args__  # type: ignore[attr-defined]
_COUNT_TEXT = re.compile(r"^\s*(?:(?P<q>[a-z ]+?)\s+)?(?P<n>\d[\d,]*)\s*$", re.IGNORECASE)


class Count(_Model):
    """A number as a letter states it: exact (``50``) or with a qualifier (``over 50``)."""
    number: int = Field(ge=0)
    qualifier: Qualifier | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """``50``, ``"50"`` and ``"over 50"`` are shorthand for the mapping."""
        if isinstance(data, bool):
            return data
        if isinstance(data, int):
            return {"number": data}
        if isinstance(data, str):
            m = _COUNT_TEXT.match(data)
            if m is None:
                raise ValueError(f"{quote(data)} is not a count: write a number (50), or a qualifier and a "
                                 f"number ({', '.join(QUALIFIERS)}: 'over 50')")
            q = m.group("q")
            return {"number": int(m.group("n").replace(",", "")), "qualifier": q.strip().lower() if q else None}
        return data


class MonthOnly(_Model):
    """A letter dated by its month only ("February 2018")."""
    year: int = Field(ge=1990, le=2100)
    month: int = Field(ge=1, le=12)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


_MONTHS = {dt.date(2000, m, 1).strftime("%B").casefold(): m for m in range(1, 13)}
_MONTH_TEXT = re.compile(r"^\s*([A-Za-z]+)\s+(\d{4})\s*$")
_MONTH_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def month_only(value: Any) -> Any:
    """A letter's date: ``"February 2018"`` or ``"2018-02"`` as a :class:`MonthOnly`, a
    ``YYYY-MM-DD`` text as a date; anything else is refused in one message."""
    if not isinstance(value, str):
        return value
    m = _MONTH_TEXT.match(value)
    if m and m.group(1).casefold() in _MONTHS:
        return MonthOnly(year=int(m.group(2)), month=_MONTHS[m.group(1).casefold()])
    m = _MONTH_ISO.match(value)
    if m and 1 <= int(m.group(2)) <= 12:
        return MonthOnly(year=int(m.group(1)), month=int(m.group(2)))
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("not a date: write dates as YYYY-MM-DD (such as 2026-02-10), or a month only "
                         "(February 2018)") from None


def not_before(letter_date: dt.date | MonthOnly, day: dt.date) -> bool:
    """Whether a letter so dated can follow ``day`` (a month-only date: in that month or later)."""
    if isinstance(letter_date, MonthOnly):
        return (letter_date.year, letter_date.month) >= (day.year, day.month)
    return letter_date >= day


def _region_names() -> str:
    return ", ".join(r.name for r in english_regions())


class Region(_Model):
    """The review's region: one of the nine English regions, by any accepted spelling, kept in its
    canonical one ("Yorkshire and The Humber" is "Yorkshire and the Humber")."""
    name: str = Field(min_length=1)
    code: str | None = None

    @field_validator("name")
    @classmethod
    def _canonical(cls, v: str) -> str:
        region = find_region(v)
        if region is None:
            raise ValueError(f"{quote(v)} is not an English region: write one of {_region_names()}")
        return region.name

    @model_validator(mode="after")
    def _code(self) -> Region:
        if self.code is not None:
            by_code = region_by_code(self.code)
            if by_code is None or by_code.name != self.name:
                expected = find_region(self.name)
                raise ValueError(f"region code {quote(self.code)} is not the code of {self.name} "
                                 f"({expected.code if expected else '?'}): write that code, or leave code out")
        return self

    @property
    def in_sentence(self) -> str:
        """"the North West", "London"."""
        region = find_region(self.name)
        return region.in_sentence if region is not None else self.name


#: How the opening places the programme in its region: the region's name before the programme's
#: ("the fourteenth North West SEND Peer Review activity"), "in the region" after it, the region
#: named after it ("... activity in the North West"), or not at all.
RegionWording = Literal["label", "in the region", "in the named region", "none"]


class Programme(_Model):
    name: str = Field(min_length=1)
    region_label: str | None = None  # any spelling of the review's region; written canonically
    region_wording: RegionWording | None = None  # default: label when region_label is given, else none
    sequence: int = Field(ge=1)
    authority_sequence: int | None = Field(default=None, ge=1)
    theme: str | None = None
    theme_sequence: int | None = Field(default=None, ge=1)

    @field_validator("region_label")
    @classmethod
    def _label(cls, v: str | None) -> str | None:
        if v is None:
            return None
        region = find_region(v)
        if region is None:
            raise ValueError(f"{quote(v)} is not an English region: write one of {_region_names()}, "
                             "as region.name does")
        return region.name

    @property
    def wording(self) -> RegionWording:
        if self.region_wording is not None:
            return self.region_wording
        return "label" if self.region_label else "none"


class Recipient(_Model):
    """Who the letter is addressed to. The address block (name, role, organisation) is printed
    when a role or an organisation is given; a letter with neither opens on the salutation."""
    name: str = Field(min_length=1)
    role: str | None = None
    organisation: str | None = None
    salutation: str = Field(min_length=1)

    @property
    def address(self) -> list[str]:
        if not (self.role or self.organisation):
            return []
        return [x for x in (self.name, self.role, self.organisation) if x]


class Coordinator(_Model):
    name: str = Field(min_length=1)
    role: str | None = None
    organisation: str = Field(min_length=1)


class Opening(_Model):
    """The opening's own words. Left out, each takes the style's default (``words.yaml``):
    ``thanks`` leads into the programme's counters ("Thank you for hosting" the thirty-second
    ... activity), ``welcome`` is the paragraph on the preparation and the welcome."""
    thanks: str | None = Field(default=None, min_length=1)
    welcome: str | None = Field(default=None, min_length=1)


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def day_first(value: Any, where: str, file: str, warnings: list[InputWarning]) -> Any:
    """``10/02/2026`` (day first, as written in England) read as 2026-02-10, with a warning."""
    m = _DAY_FIRST.match(value.strip()) if isinstance(value, str) else None
    if m is None:
        return value
    try:
        day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return value  # not a real date: pydantic reports it
    warnings.append(InputWarning(file, f"{quote(value)} was read day first, as {day.isoformat()}: write "
                                 "dates as YYYY-MM-DD to be sure", column=where))
    return day.isoformat()



def visit_days(visit: Any) -> list[Any]:
    """The visit's days as day numbers count them: the on-site days, then the presentation."""
    if not isinstance(visit, dict):
        return []
    days = list(visit.get("dates") or []) if isinstance(visit.get("dates"), list) else []
    present = visit.get("presentation_date")
    return [*days, present] if present is not None and present not in days else days


def member_days(member: Any, i: int, visit: Any, file: str, errors: list[InputError],
                 warnings: list[InputWarning]) -> Any:
    """A team member's ``days`` as dates: day numbers (1, 2, 3: the visit days, then the
    presentation) and dates; a number or a date outside the visit is refused."""
    if not (isinstance(member, dict) and isinstance(member.get("days"), list)):
        return member
    member = dict(member)
    on_visit = visit_days(visit)
    shown = [str(d) for d in on_visit]
    days = []
    for j, d in enumerate(member["days"], start=1):
        where = f"team[{i}].days[{j}]"
        number = int(d) if isinstance(d, str) and d.strip().isdigit() else d
        if isinstance(number, int) and not isinstance(number, bool):
            if 1 <= number <= len(on_visit):
                days.append(on_visit[number - 1])
            else:
                errors.append(InputError(file, f"day {number} is not a day of the visit (it has {len(on_visit)}, "
                                         f"the presentation included): give a day number from 1 to "
                                         f"{len(on_visit)} or one of the dates {', '.join(shown)}", column=where))
            continue
        day = day_first(d, where, file, warnings)
        if on_visit and str(day) not in shown:
            errors.append(InputError(file, f"{quote(str(day))} is not a day of the visit: give a day number "
                                     f"(1 to {len(on_visit)}) or one of the dates {', '.join(shown)}", column=where))
            continue
        days.append(day)
    member["days"] = days
    return member


#: Composing only (no values built): libyaml's safe loader where PyYAML has it.
_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_line(text: str, column: str | None) -> int | None:
    """The line of a YAML document holding the field ``column`` (``team[2].days[1]``), if any."""
    if not column:
        return None
    try:
        node = yaml.compose(text, Loader=_COMPOSER)  # a safe loader
    except yaml.YAMLError:
        return None
    for key, index in _FIELD_PART.findall(column):
        if isinstance(node, yaml.MappingNode) and key:
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and index and 1 <= int(index) <= len(node.value):
            node = node.value[int(index) - 1]
        else:
            return None
        if node is None:
            return None
    return int(node.start_mark.line) + 1 if node is not None else None
