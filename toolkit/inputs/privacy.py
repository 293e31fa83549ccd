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
- **Names**: a title (Master, Miss, Mrs, Mr, Ms, Mx) followed by a word that is not an ordinary
  word ("Master Jones"; not "Master Plan"); a given name from ``toolkit/data/first_names.txt``
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
from functools import lru_cache
from pathlib import Path

from toolkit.errors import InputError

DATA_DIR = Path(__file__).parents[1] / "data"
NAMES_FILE = DATA_DIR / "first_names.txt"
WORD_NAMES_FILE = DATA_DIR / "word_names.txt"
SURNAMES_FILE = DATA_DIR / "surnames.txt"
COMMON_WORDS_FILE = DATA_DIR / "common_words.txt"

#: Kinds of personal data, as the user reads them in a message.
KIND_LABELS = {
    "nhs_number": "an NHS number",
    "upn": "a unique pupil number (UPN)",
    "date_of_birth": "a date of birth",
    "name": "a person's name",
}

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: A-Z without I, O and S

_SEP = r"(?:[ \t]{1,4}|[ \t]?[-./][ \t]?)?"
_NHS = re.compile(rf"(?<![\d./-])(\d{{3}}){_SEP}(\d{{3}}){_SEP}(\d{{4}})(?!\d|[-./]\d)")
_UPN = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])[ -]?((?:\d[ -]?){11}[0-9A-Za-z])(?![A-Za-z0-9])")
_WORD = re.compile(r"[^\W\d_]+")
_TITLES = frozenset({"master", "miss", "mrs", "mr", "ms", "mx"})
_SAINTS = frozenset({"st", "saint", "ste"})
#: Words after a name (possibly after a capitalised word or two) that make it a place or project.
PLACE_WORDS = frozenset("""
    academy avenue building campus centre center chain church clinic close club college court
    drive estate farm federation field fields garden gardens group hall hospital house hub infants
    juniors lane library lodge nursery park place primary programme program project rise road room
    school service services site street suite team trust unit valley way ward wing
""".split())
#: Role words that, next to a named adult, show the person is a member of staff.
_ROLES = (
    r"sen(?:d)?co|inco|eps?|(?:educational\s+)?psychologists?|teachers?|head\s?teachers?|heads?"
    r"|deputy(?:\s+head)?|principal|case\s?workers?|case\s+officer|sw|social\s+workers?|workers?"
    r"|nurses?|therapists?|salt|slt|ot|physio(?:therapist)?|officers?|managers?|paediatrician"
    r"|pediatrician|consultants?|doctor|dr|gp|co-?ordinators?|lead|practitioners?|advis[eo]rs?"
    r"|directors?|clinicians?|psychiatrists?|tutors?|ta|lsa|governors?|chair|inspectors?|assessors?"
    r"|key\s?workers?|mentors?|senior\s+leaders?|specialists?|commissioners?"
)
_ROLE_MODS = (
    r"(?:(?:class|school|senior|lead|link|named|deputy|assistant|specialist|educational|clinical"
    r"|speech|and|language|occupational|social|family|support|youth|community|designated|trainee"
    r"|team|service|send|sen|health|virtual|inclusion|learning|early|years|help|transition|area"
    r"|local|authority|camhs|ehc|plan|placement|autism|sensory|outreach|year\s*\d+)\s+){0,3}"
)
_ROLE_AFTER_SEP = re.compile(
    rf"^(?:\s*[,(:–—-]\s*|\s+(?:(?:is|was|as)\s+)?(?:the|our)\s+)(?:(?:is|was|as)\s+)?(?:the\s+|our\s+)?"
    rf"{_ROLE_MODS}(?:{_ROLES})\b", re.I)
_ROLE_AFTER_ADJ = re.compile(rf"^\s+{_ROLE_MODS}(?:{_ROLES})\b", re.I)
_ROLE_BEFORE = re.compile(
    rf"(?:\b(?:{_ROLES})|\b(?:prof(?:essor)?|cllr|councillor)\.?)\s*[,:(–—-]?\s*$", re.I)
_STRONG_AFTER = re.compile(
    r"^(?:['’]s\b|\s*,?\s*(?:aged?\s*\d|\(\s*\d{1,2}\s*\)|(?:in\s+)?(?:year|yr|y)\s*\d{1,2}\b))", re.I)
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


def _read_list(path: Path) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(n.strip() for n in lines if n.strip() and not n.lstrip().startswith("#"))


@lru_cache(maxsize=1)
def common_first_names() -> frozenset[str]:
    """The shipped list of given names flagged wherever they stand as a word."""
    return frozenset(_read_list(NAMES_FILE))


@lru_cache(maxsize=1)
def word_names() -> frozenset[str]:
    """Given names that are also ordinary words or place names (flagged only with context)."""
    return frozenset(_read_list(WORD_NAMES_FILE))


@lru_cache(maxsize=1)
def common_surnames() -> frozenset[str]:
    """The shipped short list of common surnames."""
    return frozenset(_read_list(SURNAMES_FILE))


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Lower-cased given names, word-names, surnames and ordinary words (never names)."""
    given = frozenset(n.lower() for n in common_first_names())
    words = frozenset(n.lower() for n in word_names())
    surnames = frozenset(n.lower() for n in common_surnames())
    common = frozenset(w.lower() for w in _read_list(COMMON_WORDS_FILE)) - given - words - surnames
    return given, words, surnames, common


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


def _expand_allow(allow: Sequence[str]) -> list[str]:
    """Allowed phrases, plus for a person's full name the name without a leading title and the
    surname after any title ("Dr Ruth Mensah" also allows "Ruth Mensah" and "Dr Mensah")."""
    given, words, _, _ = _lists()
    out: list[str] = []
    for phrase in allow:
        p = " ".join(phrase.split())
        if not p:
            continue
        out.append(p)
        parts = p.split(" ")
        if len(parts) > 1 and parts[0].rstrip(".").lower() in _TITLES | {"dr", "prof", "professor", "cllr"}:
            parts = parts[1:]
            out.append(" ".join(parts))
        if 2 <= len(parts) <= 4 and parts[0].lower() in given | words and all(w[:1].isupper() for w in parts):
            out += [f"{t} {parts[-1]}" for t in ("Master", "Miss", "Mrs", "Mr", "Ms", "Mx", "Dr")]
    return out


@lru_cache(maxsize=64)
def _allow_pattern(allow: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled pattern for every allowed phrase (longest first), spaces matching any run."""
    phrases = sorted(set(_expand_allow(allow)), key=lambda p: (-len(p), p))
    if not phrases:
        return None
    body = "|".join(r"\s+".join(re.escape(w) for w in p.split(" ")) for p in phrases)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.I)


def _allowed_spans(text: str, allow: Sequence[str]) -> list[tuple[int, int]]:
    pattern = _allow_pattern(tuple(allow))
    return [] if pattern is None else [(m.start(), m.end()) for m in pattern.finditer(text)]


def _inside(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


class _Words:
    """The words of one text, with the tests the name rules need."""
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        self.given, self.word_names, self.surnames, self.common = _lists()

    def gap(self, i: int) -> str:
        """The text between token ``i`` and token ``i + 1``."""
        return self.text[self.tokens[i][1]:self.tokens[i + 1][0]] if i + 1 < len(self.tokens) else ""

    def joined(self, i: int, allow_dot: bool = False) -> bool:
        """Token ``i + 1`` follows token ``i`` after spaces only (or a full stop, for a title)."""
        if i + 1 >= len(self.tokens):
            return False
        return re.fullmatch(r"\.?[ \t]+" if allow_dot else r"[ \t]+", self.gap(i)) is not None

    def possessive(self, i: int) -> bool:
        return re.match(r"['’]s\b", self.text[self.tokens[i][1]:]) is not None

    def surname_like(self, i: int, name: str, after_title: bool = False) -> bool:
        """Token ``i`` reads as a surname after ``name``: capitalised, not an ordinary word (a
        given name that is also a word counts only after a title: "Miss May")."""
        word = self.tokens[i][2]
        low = word.lower()
        if not word[:1].isupper() or len(word) < 2:
            return False
        if low in self.surnames or low in self.given or (after_title and low in self.word_names):
            return True
        if low in self.common or low in PLACE_WORDS or low in _TITLES or low in self.word_names:
            return False
        if re.fullmatch(_ROLES, low, re.I):
            return False
        # An acronym after a name written normally is an organisation, not a surname.
        return not (word.isupper() and not name.isupper())

    def person_end(self, i: int, name: str) -> int:
        """Index of the last token of the person reference starting at name token ``i``."""
        j = i
        while j - i < 2 and not self.possessive(j) and self.joined(j) and self.surname_like(j + 1, name):
            j += 1
        return j

    def is_place(self, i: int) -> bool:
        """The name at token ``i`` is part of a place or project ("Holly Lodge", "St Mary's")."""
        if i > 0 and self.tokens[i - 1][2].lower() in _SAINTS and re.fullmatch(r"\.?\s+", self.gap(i - 1)):
            return True
        if self.possessive(i):
            return False
        j = i
        while j - i < 3 and self.joined(j) and self.tokens[j + 1][2][:1].isupper() \
                and self.tokens[j + 1][2].lower() not in PLACE_WORDS and not self.possessive(j + 1):
            j += 1
        if not self.joined(j) and not (j > i and re.fullmatch(r"\s+", self.gap(j) or "x")):
            return False
        if j + 1 >= len(self.tokens) or self.tokens[j + 1][2].lower() not in PLACE_WORDS:
            return False
        return j > i or self.tokens[j + 1][2][:1].isupper()

    def is_staff(self, start: int, end: int, titled: bool) -> bool:
        """A role word right after or right before the person reference ``start:end``."""
        after = self.text[end:end + 80]
        if _ROLE_AFTER_SEP.match(after) or (titled and _ROLE_AFTER_ADJ.match(after)):
            return True
        return _ROLE_BEFORE.search(self.text[max(0, start - 60):start]) is not None


def _name_hits(text: str, allowed: Sequence[tuple[int, int]]) -> list[PrivacyHit]:
    w = _Words(text)
    hits: list[PrivacyHit] = []
    covered: list[tuple[int, int]] = list(allowed)  # staff and allowed spans: never names
    for i, (start, _end, word) in enumerate(w.tokens):
        low = word.lower()
        if low in _TITLES and word[:1].isupper() and w.joined(i, allow_dot=True):
            nxt = w.tokens[i + 1][2]
            if not nxt[:1].isupper() or not w.surname_like(i + 1, word, after_title=True):
                continue  # "Master Plan", "Miss Out"
            last = w.person_end(i + 1, nxt)
            span = (start, w.tokens[last][1])
            if _inside(*span, covered):
                continue
            if low != "master" and w.is_staff(*span, titled=True):  # Master is a boy's title
                covered.append(span)
                continue
            hits.append(PrivacyHit("name", *span))
            covered.append(span)
            continue
        standalone = low in w.given
        if not standalone and not (low in w.word_names and word[:1].isupper()):
            continue
        last = w.person_end(i, word)
        span = (start, w.tokens[last][1])
        if _inside(*span, covered) or _inside(start, w.tokens[i][1], covered):
            continue
        if not standalone:
            strong = last > i or _STRONG_AFTER.match(text[w.tokens[i][1]:]) is not None
            if not strong:
                continue
        if w.is_place(i):
            continue
        if w.is_staff(*span, titled=False):
            covered.append(span)
            continue
        hits.append(PrivacyHit("name", *span))
    return hits


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
    year = reference_year or dt.date.today().year
    hits: list[PrivacyHit] = []
    for m in _NHS.finditer(text):
        if nhs_number_valid(m.group(1) + m.group(2) + m.group(3)):
            hits.append(PrivacyHit("nhs_number", m.start(), m.end()))
    for m in _UPN.finditer(text):
        upn = (m.group(1) + re.sub(r"[ -]", "", m.group(2))).upper()
        if upn_valid(upn):
            hits.append(PrivacyHit("upn", m.start(), m.end()))
    hits += _date_hits(text, year)
    hits += _name_hits(text, _allowed_spans(text, allow))
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
        given, words, surnames, _ = _lists()
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
    year = dt.date.today().year
    spans: list[tuple[int, int]] = []
    for m in _NHS.finditer(text):
        if nhs_number_valid(m.group(1) + m.group(2) + m.group(3)):
            spans.append((m.start(), m.end()))
    for m in _UPN.finditer(text):
        if upn_valid((m.group(1) + re.sub(r"[ -]", "", m.group(2))).upper()):
            spans.append((m.start(), m.end()))
    spans += [(h.start, h.end) for h in _date_hits(text, year)]
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
