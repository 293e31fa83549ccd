"""Screening free text for children's personal data before anything is rendered or written.

Four kinds of data are looked for (the rules are documented in ``docs/audit.md``):

- **NHS numbers**: ten digits, written together or spaced/hyphenated 3-3-4, whose final digit is
  the correct modulus-11 check digit. Ten-digit numbers that fail the check are not flagged.
- **UPNs** (unique pupil numbers): 13 characters, a check letter then 12 digits (or 11 digits and
  a final letter for a temporary UPN), whose first letter is the check letter computed as in the
  DfE data standard (weights 2-13, modulus 23, letters A-Z without I, O and S).
- **Dates of birth**: a full date (day, month and year) within 40 characters after "DOB",
  "D.O.B.", "date of birth", "born" or "birthday"; or any full date whose year is a plausible
  birth year of a child with a plan (between ``reference_year - 25`` and ``reference_year - 3``).
  Month-and-year dates ("March 2025") are never flagged.
- **Names**: a title followed by a capitalised word ("Master Jones", "Miss Smith"), or a common
  given name (``toolkit/data/first_names.txt``) followed by a capitalised word or by "'s".

An allow-list of words or phrases (service names, for example) suppresses name hits that fall
inside an allowed phrase. Hits carry the kind and position only: messages built from them never
repeat the data itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from toolkit.errors import InputError

NAMES_FILE = Path(__file__).parent / "data" / "first_names.txt"

#: Kinds of personal data, as the user reads them in a message.
KIND_LABELS = {
    "nhs_number": "an NHS number",
    "upn": "a unique pupil number (UPN)",
    "date_of_birth": "a date of birth",
    "name": "a person's name",
}

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: A-Z without I, O and S

_NHS = re.compile(r"(?<![\d-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\d-])")
_UPN = re.compile(r"(?<![A-Za-z0-9])([A-Z]\d{11}[0-9A-Z])(?![A-Za-z0-9])")
_TITLE = re.compile(r"\b(?:Master|Miss|Mrs|Mr|Ms|Mx)\.?\s+[A-Z][a-z'’-]+")
_WORD_PAIR = re.compile(r"\b([A-Z][a-z]+)(?:\s+([A-Z][A-Za-z'’-]+)|(['’]s)\b)")
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE_PATTERNS = (
    # 03/04/2015, 3-4-15, 03.04.2015
    re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b"),
    # 2015-04-03
    re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"),
    # 3rd April 2015, 3 Apr 15
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTHS})\.?,?\s+(\d{{4}}|\d{{2}})\b", re.I),
    # April 3rd, 2015
    re.compile(rf"\b({_MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
)
_DOB_CUE = re.compile(r"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born|birthday)(?![A-Za-z])", re.I)
_CUE_REACH = 40


@dataclass(frozen=True)
class PrivacyHit:
    """One piece of apparent personal data: its kind and where it sits in the text."""

    kind: str  # one of KIND_LABELS
    start: int
    end: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@lru_cache(maxsize=1)
def common_first_names() -> frozenset[str]:
    """The shipped list of common given names."""
    lines = NAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(n.strip() for n in lines if n.strip() and not n.startswith("#"))


def nhs_number_valid(digits: str) -> bool:
    """True when ten digits carry a correct modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def upn_check_letter(body: str) -> str | None:
    """The check letter for the 12 characters after it (None if they are not a UPN body)."""
    if len(body) != 12 or not body[:11].isdigit():
        return None
    last = body[11]
    if not last.isdigit() and last not in UPN_LETTERS:
        return None
    total = 0
    for position, ch in enumerate(body, start=2):
        value = int(ch) if ch.isdigit() else UPN_LETTERS.index(ch)
        total += value * position
    return UPN_LETTERS[total % 23]


def upn_valid(upn: str) -> bool:
    """True for a permanent or temporary UPN whose first letter is its check letter."""
    return len(upn) == 13 and upn[0] in UPN_LETTERS and upn_check_letter(upn[1:]) == upn[0]


def _month_number(token: str) -> int:
    return [m[:3] for m in ("january february march april may june july august september "
                            "october november december").split()].index(token[:3].lower()) + 1


def _full_dates(text: str) -> list[tuple[int, int, dt.date]]:
    """Every full, real calendar date in the text with its span (UK day-month order)."""
    found: list[tuple[int, int, dt.date]] = []
    for i, pattern in enumerate(_DATE_PATTERNS):
        for m in pattern.finditer(text):
            g = m.groups()
            if i == 0:
                day, month, year = int(g[0]), int(g[1]), g[2]
            elif i == 1:
                year, month, day = g[0], int(g[1]), int(g[2])
            elif i == 2:
                day, month, year = int(g[0]), _month_number(g[1]), g[2]
            else:
                month, day, year = _month_number(g[0]), int(g[1]), g[2]
            y = int(year) if len(year) == 4 else 2000 + int(year)
            try:
                found.append((m.start(), m.end(), dt.date(y, month, day)))
            except ValueError:
                continue  # not a real date (a score like 12/15/20, a version number)
    return found


def _allowed_spans(text: str, allow: Sequence[str]) -> list[tuple[int, int]]:
    spans = []
    for phrase in allow:
        if phrase.strip():
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(phrase.strip()), text, re.I)]
    return spans


def _inside(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def screen_text(
    text: str, allow: Sequence[str] = (), reference_year: int | None = None
) -> list[PrivacyHit]:
    """Apparent personal data in ``text``, in order of position.

    ``allow`` lists words or phrases that are never names (service or school names, for
    example). ``reference_year`` (default: this year) sets the plausible birth years of children
    with plans: ``reference_year - 25`` to ``reference_year - 3``.
    """
    if not text or not text.strip():
        return []
    year = reference_year or dt.date.today().year
    hits: list[PrivacyHit] = []
    for m in _NHS.finditer(text):
        if nhs_number_valid(m.group(1) + m.group(3) + m.group(4)):
            hits.append(PrivacyHit("nhs_number", m.start(), m.end()))
    for m in _UPN.finditer(text):
        if upn_valid(m.group(1)):
            hits.append(PrivacyHit("upn", m.start(), m.end()))
    cues = [m.end() for m in _DOB_CUE.finditer(text)]
    for start, end, date in _full_dates(text):
        near_cue = any(0 <= start - c <= _CUE_REACH for c in cues)
        plausible = year - 25 <= date.year <= year - 3
        if near_cue or plausible:
            hits.append(PrivacyHit("date_of_birth", start, end))
    allowed = _allowed_spans(text, allow)
    names = common_first_names()
    for m in _TITLE.finditer(text):
        if not _inside(m.start(), m.end(), allowed):
            hits.append(PrivacyHit("name", m.start(), m.end()))
    for m in _WORD_PAIR.finditer(text):
        if m.group(1) in names and not _inside(m.start(), m.end(), allowed):
            hits.append(PrivacyHit("name", m.start(), m.end()))
    unique = {(h.kind, h.start, h.end): h for h in hits}
    return sorted(unique.values(), key=lambda h: (h.start, h.end, h.kind))


def describe_hits(hits: Sequence[PrivacyHit]) -> str:
    """'an NHS number and a person's name' (kinds only, never the data)."""
    labels: list[str] = []
    for h in hits:
        if h.label not in labels:
            labels.append(h.label)
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def screen_table(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    file: str,
    columns: Sequence[str],
    allow: Sequence[str] = (),
    reference_year: int | None = None,
) -> list[InputError]:
    """One :class:`InputError` per cell of ``columns`` that appears to hold personal data.

    ``rows`` are ``(row number, {column: text})`` pairs, numbered as a spreadsheet user counts
    them (header row 1). The message names the kind of data found, never the data.
    """
    errors: list[InputError] = []
    for number, values in rows:
        for column in columns:
            hits = screen_text(values.get(column, "") or "", allow, reference_year)
            if hits:
                hint = (" (if it names a place or service, not a person, add the phrase to "
                        "privacy.allow in the review's parameters)" if any(h.kind == "name" for h in hits) else "")
                errors.append(
                    InputError(
                        file,
                        f"this looks like {describe_hits(hits)}: free text must not identify a "
                        f"child; remove it (use the case reference only) and try again{hint}",
                        row=number,
                        column=column,
                    )
                )
    return errors


_CASE_REF = re.compile(r"^[A-Za-z]{1,6}[-_/]?\d{2,8}[A-Za-z]?$")


def case_ref_problem(case_ref: str) -> str | None:
    """Why a case reference is not acceptably pseudonymous (None when it is fine).

    A case reference is 1-6 letters, an optional ``-``, ``_`` or ``/``, 2-8 digits and an optional
    final letter (``KES-0142``). Anything that contains a common given name, or is an NHS number
    or UPN, is refused.
    """
    ref = case_ref.strip()
    if not ref:
        return "the case reference is empty"
    if screen_text(ref):
        return "this case reference looks like personal data: use a pseudonymous reference such as KES-0142"
    if not _CASE_REF.match(ref):
        return (
            "a case reference must be letters then digits with no spaces (such as KES-0142), "
            "never a name"
        )
    letters = re.match(r"[A-Za-z]+", ref)
    if letters and len(letters.group()) >= 3 and letters.group().capitalize() in common_first_names():
        return "this case reference looks like a name: use a pseudonymous reference such as KES-0142"
    return None
