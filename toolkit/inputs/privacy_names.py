"""The name rules of the personal-data screen, and the word lists they read.

A name is flagged (the rules are documented in ``docs/audit.md`` and summarised in
:mod:`toolkit.inputs.privacy`, which calls :func:`name_spans`): a title (Master, Miss, Mrs, Mr, Ms,
Mx) followed by a word that is not an ordinary word; a given name from
``toolkit/data/first_names.txt`` standing as a word, in any case; a given name that is also an
ordinary word or a place name (``toolkit/data/word_names.txt``) only with stronger context: a
surname-like word after it, "aged 9", "(9)", "Year 6" or a possessive 's.

Not flagged: staff named with their role next to the name, places and projects, and anything
inside an allowed phrase (:func:`allowed_spans`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parents[1] / "data"
NAMES_FILE = DATA_DIR / "first_names.txt"
WORD_NAMES_FILE = DATA_DIR / "word_names.txt"
SURNAMES_FILE = DATA_DIR / "surnames.txt"
COMMON_WORDS_FILE = DATA_DIR / "common_words.txt"

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
def name_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Lower-cased given names, word-names, surnames and ordinary words (never names)."""
    given = frozenset(n.lower() for n in common_first_names())
    words = frozenset(n.lower() for n in word_names())
    surnames = frozenset(n.lower() for n in common_surnames())
    common = frozenset(w.lower() for w in _read_list(COMMON_WORDS_FILE)) - given - words - surnames
    return given, words, surnames, common


def _expand_allow(allow: Sequence[str]) -> list[str]:
    """Allowed phrases, plus for a person's full name the name without a leading title and the
    surname after any title ("Dr Ruth Mensah" also allows "Ruth Mensah" and "Dr Mensah")."""
    given, words, _, _ = name_lists()
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


def allowed_spans(text: str, allow: Sequence[str]) -> list[tuple[int, int]]:
    pattern = _allow_pattern(tuple(allow))
    return [] if pattern is None else [(m.start(), m.end()) for m in pattern.finditer(text)]


def _inside(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


class _Words:
    """The words of one text, with the tests the name rules need."""
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        self.given, self.word_names, self.surnames, self.common = name_lists()

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


def name_spans(text: str, allowed: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where ``text`` appears to name a child: the name rules above, outside the ``allowed``
    spans and with staff (a role next to the name) left out."""
    w = _Words(text)
    hits: list[tuple[int, int]] = []
    covered: list[tuple[int, int]] = list(allowed)  # staff and allowed spans: never names
    for i, (start, _end, word) in enumerate(w.tokens):
        low = word.lower()
        if low in _TITLES and word[:1].isupper() and w.joined(i, allow_dot=True):
            span = _titled_span(w, i, start, word)
            if span is None or _inside(*span, covered):
                continue
            if low == "master" or not w.is_staff(*span, titled=True):  # Master is a boy's title
                hits.append(span)
            covered.append(span)
            continue
        span = _untitled_span(w, i, start, word, covered)
        if span is None:
            continue
        if w.is_staff(*span, titled=False):
            covered.append(span)
        else:
            hits.append(span)
    return hits


def _titled_span(w: _Words, i: int, start: int, title: str) -> tuple[int, int] | None:
    """A title and the name after it ("Miss Okafor"), not "Master Plan" or "Miss Out"."""
    nxt = w.tokens[i + 1][2]
    if not nxt[:1].isupper() or not w.surname_like(i + 1, title, after_title=True):
        return None
    return start, w.tokens[w.person_end(i + 1, nxt)][1]


def _untitled_span(w: _Words, i: int, start: int, word: str,
                   covered: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    """A given name (with any surname after it), or a name that is also a word ("Grace") when a
    surname or a strong cue follows it; never inside a covered span, never a place."""
    standalone = word.lower() in w.given
    if not standalone and not (word.lower() in w.word_names and word[:1].isupper()):
        return None
    last = w.person_end(i, word)
    span = (start, w.tokens[last][1])
    if _inside(*span, covered) or _inside(start, w.tokens[i][1], covered):
        return None
    if not standalone and last <= i and _STRONG_AFTER.match(w.text[w.tokens[i][1]:]) is None:
        return None
    if w.is_place(i):
        return None
    return span
