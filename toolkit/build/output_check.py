"""Read a report folder's documents as a person does, and list what no reader should meet.

:func:`read_documents` opens what ``peer-review draft`` and ``peer-review briefing`` wrote in one
report folder -- ``letter.html``, ``letter.docx`` (paragraphs, table cells and comments),
``letter.pdf`` (its text, by poppler's ``pdftotext``), ``slides.pptx`` (every slide's text and its
speaker notes) and ``briefing.html`` -- as lists of text units (paragraphs, cells, lines).
:func:`check_documents` then finds, in every document:

* **a program value**: a field dump (``number=90``), ``None`` mid-sentence, ``nan``, ``[]``, a
  brace, an object's repr (``<toolkit.``, ``object at 0x``);
* **a template left-over**: ``{{``, ``{%``, ``{#``;
* **an acronym in lower case**: a glossary acronym written small ("ehc plans"); the few that are
  English words as well ("send") only where the sentence uses them as a name ("the send board");
* **two sentences run together**: "view.Graduated";
* **a count that differs between documents**: the people met, the findings recorded and the
  strengths and areas kept, as each document words them.

The tests run it on every demo and on generated reviews (tests/build/test_output_check.py).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup
from docx import Document
from pptx import Presentation

#: The documents a report folder may hold, by file name.
DOCUMENTS = ("letter.html", "letter.docx", "letter.pdf", "slides.pptx", "briefing.html")

_LEAKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("field dump", re.compile(r"\b[a-z_]{2,}=\S")),
    ("None", re.compile(r"(?<=[a-z,;] )None\b|\bNone(?=[,;)])|=None\b")),
    ("nan", re.compile(r"\b(?:nan|NaN)\b")),
    ("empty list", re.compile(r"\[\]")),
    ("template left-over", re.compile(r"\{[{%#]|[}%#]\}")),
    ("brace", re.compile(r"[{}]")),
    ("object repr", re.compile(r"<toolkit\.|\bobject at 0x[0-9a-f]+|\b[A-Z]\w+\([a-z_]+=")),
)
_RUN_TOGETHER = re.compile(r"\b[a-z]{2,}[.!?][A-Z][a-z]+")
#: Glossary acronyms that are English words too: lower case is a mistake only where they name
#: something ("the send improvement board", "rural send hubs"), not where they are the verb.
_ENGLISH = frozenset({"send", "salt", "it", "pa"})
_AS_NAME = re.compile(r"(?:\b(?:the|a|an|of|for|in|on|our|your|its|rural|local|area|area's)\s+{word}\b)"
                      r"|(?:\b{word}\s+(?:hubs?|board|services?|team|support|partnership|strategy|provision|"
                      r"improvement|pupils|children|needs|system|reforms?|code|officer|lead|offer)\b)")
#: Numbers in words, as the letter writes them up to ten (and the few the count phrases use).
_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())} | {"no": 0}
_QUALIFIER = r"(?:(?:over|more than|nearly|almost|about|around|fewer than|under|some|at least)\s+)?"
_N = r"(?:\d[\d,]*|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|no)"
_AREA = r"(?:areas? for consideration|opportunit(?:y|ies) to consider)"
#: The counts every document that states them must state alike: each a pattern whose groups
#: are the count's words.
_COUNTS: dict[str, re.Pattern[str]] = {
    "people met": re.compile(rf"\bmet ({_QUALIFIER}{_N}) people\b|\b({_QUALIFIER}{_N}) people met\b", re.I),
    "findings recorded": re.compile(
        rf"\brecorded ({_QUALIFIER}{_N}) strengths and {_AREA}|\b({_QUALIFIER}{_N}) strengths and {_AREA} recorded",
        re.I),
    "findings kept": re.compile(rf"\b({_N}) strengths? and ({_N}) {_AREA} in this", re.I),
}


@dataclass(frozen=True)
class Problem:
    """One thing a reader would stumble on: where (document), what kind, and the words around it."""
    document: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.document}: {self.kind}: {self.text!r}"


def _html_units(path: Path) -> list[str]:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["style", "script", "head"]):
        tag.decompose()
    units: list[str] = []
    for tag in soup.find_all(["p", "li", "td", "th", "h1", "h2", "h3", "h4", "caption", "figcaption", "title", "desc",
                              "dt", "dd", "address"]):
        if not tag.find(["p", "li", "td", "th"]):
            units.append(tag.get_text(" ", strip=True))
    return [u for u in units if u]


def _docx_units(path: Path) -> list[str]:
    doc = Document(str(path))
    units = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        units += [p.text for cell in table._cells for p in cell.paragraphs]
    units += [c.text for c in doc.comments]
    for section in doc.sections:
        units += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    with zipfile.ZipFile(path) as z:  # the document's title too
        core = z.read("docProps/core.xml").decode("utf-8") if "docProps/core.xml" in z.namelist() else ""
    units += re.findall(r"<dc:title>([^<]*)</dc:title>", core)
    return [u for u in units if u.strip()]


def pdf_text(path: Path) -> str | None:
    """The PDF's text by ``pdftotext`` (poppler-utils), or None where it is not installed."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    done = subprocess.run([exe, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=120)
    return done.stdout.decode("utf-8")


def _pdf_units(path: Path) -> list[str]:
    text = pdf_text(path)
    if text is None:
        return []
    # pdftotext breaks lines where the page does: join each paragraph's lines (a blank line ends one)
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n|\f", text) if block.strip()]


def _pptx_units(path: Path) -> list[str]:
    units: list[str] = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                units += [p.text for p in shape.text_frame.paragraphs]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            units += [p.text for p in slide.notes_slide.notes_text_frame.paragraphs]
    return [u for u in units if u.strip()]


_READERS = {".html": _html_units, ".docx": _docx_units, ".pdf": _pdf_units, ".pptx": _pptx_units}


def read_documents(folder: Path) -> dict[str, list[str]]:
    """The text units of each document the report folder holds, by file name."""
    return {name: _READERS[Path(name).suffix](folder / name) for name in DOCUMENTS if (folder / name).is_file()}


def _leaks(name: str, units: Sequence[str]) -> Iterable[Problem]:
    for unit in units:
        for kind, pattern in _LEAKS:
            for m in pattern.finditer(unit):
                yield Problem(name, kind, unit[max(0, m.start() - 40):m.end() + 40])
        for m in _RUN_TOGETHER.finditer(unit):
            yield Problem(name, "sentences run together", unit[max(0, m.start() - 40):m.end() + 40])


def _lower_acronyms(name: str, units: Sequence[str], glossary: Iterable[str]) -> Iterable[Problem]:
    for acronym in glossary:
        word = acronym.lower()
        if len(word) < 2 or word == acronym:
            continue
        pattern = (re.compile(_AS_NAME.pattern.format(word=re.escape(word)), re.I) if word in _ENGLISH
                   else re.compile(rf"(?<![\w/-]){re.escape(word)}s?(?![\w-]|\.\w)"))  # not in a file's path
        for unit in units:
            for m in pattern.finditer(unit):
                if word in _ENGLISH and word not in m[0]:
                    continue  # "The SEND board": the acronym itself in capitals
                yield Problem(name, f"acronym {acronym} in lower case", unit[max(0, m.start() - 40):m.end() + 40])


def _number(words: str) -> str:
    """A count's words normalised: "Over 90" -> "over 90", "ten" -> "10"."""
    parts = words.lower().replace(",", "").split()
    last = parts[-1]
    parts[-1] = str(_NUMBERS.get(last, last))
    return " ".join(parts)


def stated_counts(units: Sequence[str]) -> dict[str, set[str]]:
    """The counts the text states, by what they count (:data:`_COUNTS`), normalised."""
    found: dict[str, set[str]] = {}
    for unit in units:
        for key, pattern in _COUNTS.items():
            for m in pattern.finditer(unit):
                groups = [g for g in m.groups() if g]
                found.setdefault(key, set()).add(" / ".join(_number(g) for g in groups))
    return found


def _count_disagreements(documents: Mapping[str, Sequence[str]]) -> Iterable[Problem]:
    by_doc = {name: stated_counts(units) for name, units in documents.items() if not name.startswith("briefing")}
    for key in _COUNTS:
        stated = {name: counts[key] for name, counts in by_doc.items() if key in counts}
        values = set().union(*stated.values()) if stated else set()
        if len(values) > 1:
            yield Problem(", ".join(sorted(stated)), f"{key} differ between documents",
                          "; ".join(f"{n}: {sorted(v)}" for n, v in sorted(stated.items())))


def check_documents(documents: Mapping[str, Sequence[str]], glossary: Iterable[str]) -> list[Problem]:
    """Every problem in the documents (:func:`read_documents`), ``glossary`` being the acronyms
    the review's glossary defines (the shipped one with its own)."""
    acronyms = sorted(set(glossary))
    problems: list[Problem] = []
    for name, units in documents.items():
        problems += _leaks(name, units)
        problems += _lower_acronyms(name, units, acronyms)
    problems += _count_disagreements(documents)
    return problems


def check_folder(folder: Path, glossary: Iterable[str]) -> list[Problem]:
    """:func:`check_documents` of the documents in one report folder."""
    return check_documents(read_documents(folder), glossary)
