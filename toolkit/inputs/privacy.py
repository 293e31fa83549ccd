"""Screening free text for children's personal data before anything is rendered or written.

Four kinds of data are looked for (the rules are documented in ``docs/audit.md``):

- **NHS numbers**: ten digits, written together or in groups of 3-3-4 separated by spaces (one or
  several), hyphens, dots or slashes, whose final digit is the correct modulus-11 check digit.
  Ten-digit numbers that fail the check are not flagged.
- **UPNs** (unique pupil numbers): 13 characters, a check letter then 12 digits (or 11 digits and
  a final letter for a temporary UPN), in either case and with or without spaces or hyphens,
  whose first letter is the check letter computed as in the DfE data standard (weights 2-13,
  modulus 23, letters A-Z without I, O and S).
- **Dates of birth**: a full date (day, month and year) with a birth cue near it ("DOB",
  "D.O.B.", "date of birth", "born", "birthday"); otherwise a full date whose year is a plausible
  birth year of a child with a plan (``reference_year - 25`` to ``reference_year - 3``) unless a
  process word sits near it ("issued", "finalised", "reviewed", "dated", "meeting", "on"...), which
  marks it as the date something happened. Month-and-year dates ("March 2025") are never flagged.
- **Names** (rules and word lists in :mod:`toolkit.inputs.privacy_names`): a title (Master, Miss,
  Mrs, Mr, Ms, Mx) followed by a word that is not an ordinary word ("Master Jones"; not "Master
  Plan"); a given name from ``toolkit/data/first_names.txt``
  standing as a word, in any case ("Oliver", "OLIVER", "oliver"); a given name that is also an
  ordinary word or a place name (``toolkit/data/word_names.txt``: May, Grace, Holly...) only with
  stronger context: a surname-like word after it, "aged 9", "(9)", "Year 6" or a possessive 's.

Not flagged: staff named with their role next to the name ("Mr Smith the SENCo", "Mrs Patel
(EP)", "the SENCo, Ms Ahmed", "Dr Sarah Jones"); places and projects ("Holly Lodge", "Harry Potter
club", "St Oliver's"); anything inside an allowed phrase (team members' names and
``privacy.allow`` in the review's parameters). Hits carry the kind and position only: messages
built from them never repeat the data itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from toolkit.errors import InputError
from toolkit.inputs.privacy_names import (
    COMMON_WORDS_FILE,
    DATA_DIR,
    NAMES_FILE,
    PLACE_WORDS,
    SURNAMES_FILE,
    WORD_NAMES_FILE,
    allowed_spans,
    common_first_names,
    common_surnames,
    name_lists,
    name_spans,
    word_names,
)

__all__ = [
    "COMMON_WORDS_FILE", "DATA_DIR", "KIND_LABELS", "NAMES_FILE", "NAME_HINT", "NOT_SHOWN", "PLACE_WORDS",
    "QUOTE_LIMIT", "REDACTED", "SURNAMES_FILE", "UPN_LETTERS", "WORD_NAMES_FILE", "PrivacyHit",
    "case_ref_problem", "common_first_names", "common_surnames", "describe_hits", "nhs_number_valid",
    "quote", "redact", "screen_numbers", "screen_table", "screen_text", "upn_check_letter", "upn_valid", "word_names",
]

#: Kinds of personal data, as the user reads them in a message.
KIND_LABELS = {
    "nhs_number": "an NHS number",
    "upn": "a unique pupil number (UPN)",
    "date_of_birth": "a date of birth",
    "name": "a person's name",
}

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: A-Z without I, O and S

_SEP = r"(?:[ \t]{1,4}|[ \t]?[-./][ \t]?)?"
_NHS = re.compile(rf"(?<![\d./])(?<!\d[-./])(\d{{3}}){_SEP}(\d{{3}}){_SEP}(\d{{4}})(?!\d|[-./]\d)")
_UPN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])[ -]?((?:\d[ -]?){11}[0-9A-Za-z])(?![A-Za-z0-9])")
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
_DOB_CUE = re.compile(r"(?<![A-Za-z])(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born|birthday)(?![A-Za-z])", re.I)
_PROCESS_CUE = re.compile(
    r"\b(?:issued|issue|finali[sz]ed|reviewed|reviews?|dated|meetings?|requests?|requested|received"
    r"|drafts?|drafted|signed|on|held|sent|amended|completed|submitted|agreed|updated)\b", re.I)
_CUE_REACH = 40  # characters between a birth cue and the date after it
_PROCESS_REACH = 30  # characters between a process word and the date after it
_AFTER_REACH = 15  # characters between a date and a cue written after it ("14/03/2015 (DOB)")


@dataclass(frozen=True)
class PrivacyHit:
    """One piece of apparent personal data: its kind and where it sits in the text."""
    kind: str  # one of KIND_LABELS
    start: int
    end: int

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def nhs_number_valid(digits: str) -> bool:
    """True when ten digits carry a correct modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
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
    return sorted(found)


def _cue_near(cues: Sequence[tuple[int, int]], start: int, end: int, reach: int,
              before_bound: int, after_bound: int) -> bool:
    """A cue ending within ``reach`` characters before the date (with no other date between),
    or starting within ``_AFTER_REACH`` characters after it (with no other date between)."""
    for c_start, c_end in cues:
        if before_bound <= c_start and 0 <= start - c_end <= reach:
            return True
        if c_end <= after_bound and 0 <= c_start - end <= _AFTER_REACH:
            return True
    return False


def _date_hits(text: str, year: int) -> list[PrivacyHit]:
    dates = _full_dates(text)
    births = [(m.start(), m.end()) for m in _DOB_CUE.finditer(text)]
    process = [(m.start(), m.end()) for m in _PROCESS_CUE.finditer(text)]
    hits = []
    for i, (start, end, date) in enumerate(dates):
        before_bound = max((e for s, e, _ in dates[:i] if e <= start), default=0)
        after_bound = min((s for s, e, _ in dates[i + 1:] if s >= end), default=len(text))
        if _cue_near(births, start, end, _CUE_REACH, before_bound, after_bound):
            hits.append(PrivacyHit("date_of_birth", start, end))
        elif _cue_near(process, start, end, _PROCESS_REACH, before_bound, after_bound):
            continue  # the date something happened, not a date of birth
        elif year - 25 <= date.year <= year - 3:
            hits.append(PrivacyHit("date_of_birth", start, end))
    return hits


def _number_hits(text: str, year: int) -> list[PrivacyHit]:
    """NHS numbers, UPNs (each with a valid check character) and dates of birth in ``text``."""
    hits: list[PrivacyHit] = []
    for m in _NHS.finditer(text):
        if nhs_number_valid(m.group(1) + m.group(2) + m.group(3)):
            hits.append(PrivacyHit("nhs_number", m.start(), m.end()))
    for m in _UPN.finditer(text):
        if upn_valid((m.group(1) + re.sub(r"[ -]", "", m.group(2))).upper()):
            hits.append(PrivacyHit("upn", m.start(), m.end()))
    return hits + _date_hits(text, year)


def screen_numbers(text: str, reference_year: int | None = None) -> list[PrivacyHit]:
    """NHS numbers, UPNs and dates of birth in ``text`` (not names): for a field that holds an
    adult's name by design, such as an auditor's."""
    return sorted(_number_hits(text, reference_year or dt.date.today().year), key=lambda h: (h.start, h.end))


def screen_text(
    text: str, allow: Sequence[str] = (), reference_year: int | None = None
) -> list[PrivacyHit]:
    """Apparent personal data in ``text``, in order of position.

    ``allow`` lists words or phrases that are never names (team members' names, service or school
    names). ``reference_year`` (default: this year) sets the plausible birth years of children
    with plans: ``reference_year - 25`` to ``reference_year - 3``.
    """
    if not text or not text.strip():
        return []
    hits = _number_hits(text, reference_year or dt.date.today().year)
    hits += [PrivacyHit("name", start, end) for start, end in name_spans(text, allowed_spans(text, allow))]
    unique = {(h.kind, h.start, h.end): h for h in hits}
    return sorted(unique.values(), key=lambda h: (h.start, h.end, h.kind))


def describe_hits(hits: Sequence[PrivacyHit]) -> str:
    """'an NHS number and a person's name' (kinds only, never the data)."""
    labels: list[str] = []
    for h in hits:
        if h.label not in labels:
            labels.append(h.label)
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


NAME_HINT = (" If it is a member of staff, write their role next to the name (such as 'Mrs Patel, "
             "SENCo'); if it is a place, project or service, add the phrase to privacy.allow in the "
             "review's parameters.")


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
                hint = NAME_HINT if any(h.kind == "name" for h in hits) else ""
                errors.append(
                    InputError(
                        file,
                        f"this looks like {describe_hits(hits)}, which free text must not hold; "
                        f"remove it (refer to a plan by its case reference only) and try again.{hint}",
                        row=number,
                        column=column,
                    )
                )
    return errors


_CASE_REF = re.compile(r"^[A-Za-z]{1,6}[-_/]?\d{2,8}[A-Za-z]?$")


def case_ref_problem(case_ref: str) -> str | None:
    """Why a case reference is not acceptably pseudonymous (None when it is fine).

    A case reference is 1-6 letters, an optional ``-``, ``_`` or ``/``, 2-8 digits and an optional
    final letter (``KES-0142``), in any case (references are compared in upper case). Anything that
    is an NHS number or UPN, or whose letters contain a listed given name or common surname of
    three or more letters, is refused.
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
    if letters:
        given, words, surnames, _ = name_lists()
        part = letters.group().lower()
        if any(len(n) >= 3 and n in part for n in given | words | surnames):
            return "this case reference contains a name: use a pseudonymous reference such as KES-0142"
    return None


#: How much of an input value a message may quote (after the value passes the screen).
QUOTE_LIMIT = 60
#: What a message says instead of a value the screen refuses.
NOT_SHOWN = "this value (not shown: it may identify a child)"
#: What :func:`redact` puts where it removes apparent personal data from a line.
REDACTED = "[not shown: may identify a child]"


def quote(value: object, allow: Sequence[str] = (), reference_year: int | None = None) -> str:
    """A value from an input, as a message may show it.

    ``'value'`` (its first :data:`QUOTE_LIMIT` characters, on one line, then ``…``) when the
    personal-data screen finds nothing in it; otherwise :data:`NOT_SHOWN`, so no message, log or
    batch summary ever repeats a child's name, date of birth, NHS number or UPN.
    """
    text = " ".join(str(value).split())
    if screen_text(text, allow, reference_year):
        return NOT_SHOWN
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT].rstrip() + "…"
    return f"'{text}'"


def redact(text: str) -> str:
    """``text`` with every apparent NHS number, UPN and date of birth replaced by :data:`REDACTED`.

    The last safety net for lines the toolkit prints or logs (messages quote values through
    :func:`quote` already); names are left to :func:`quote`, since messages name team members.
    """
    spans = [(h.start, h.end) for h in _number_hits(text, dt.date.today().year)]
    if not spans:
        return text
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            last = max(last, end)
            continue
        out.append(text[last:start])
        out.append(REDACTED)
        last = end
    out.append(text[last:])
    return "".join(out)
