"""The parts of the Word letter, each with a stable, invisible identity (issue 28).

Coordinators finish the draft in Word; ``peer-review absorb`` reads their copy back
(docs/word-round-trip.md). So that it can tell which paragraph is which after editing, every
paragraph :mod:`toolkit.letter.docx` writes for a part of the letter carries a *hidden bookmark*
(its name starts with ``_``, so Word lists it only under "Hidden bookmarks"; nothing shows on the
page or in the text). A part is:

* a finding (``finding:<id>``): its paragraph (the bold statement, then the detail) and its
  further paragraphs, in the headline lists, a KLOE's lists or the urgent actions;
* every other paragraph outside a table (``text:<section>:<n>``, n from 1): the opening, the
  process, the next steps, a list item of the scope or of the team's recommendations, the
  address, a caption, a chart's description, the signature;
* a heading (``heading:<section>``, then ``heading:<section>:<n>`` for the section's further
  headings, ``heading:<section>:<kind>`` for the Strengths and Areas for consideration headings),
  which tells the reader where a finding now stands and as what kind.

The bookmark's name is ``_PR_<part>_<k>_<words>``: ten hex digits of the part id's hash, the
paragraph's place in the part (0 for the first) and ten hex digits of the part's words as drafted
(:func:`toolkit.inputs.letter_changes.part_hash`), then for a finding six of its statement's and
six of its detail's (:func:`~toolkit.inputs.letter_changes.sub_hash`): at most 40 characters, as
Word allows. So a copy carries what it was drafted from even when the review has moved on. Tables are the
review's figures, redrawn on every draft: their cells are not parts.

:func:`parts_record` is the sidecar written beside ``letter.docx`` (``letter.parts.json``): the
draft's id and, for each part, its section, kind, place and hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from toolkit.inputs.letter_changes import id_hash, normalise_text, part_hash, sub_hash

BOOKMARK_PREFIX = "_PR_"
_NUMBER = re.compile(r"^[\d.]+\s+")
_SLUG = re.compile(r"[^a-z0-9]+")
_KIND_HEADS = {"strengths": "strength", "areas for consideration": "area for consideration"}


@dataclass(frozen=True)
class Place:
    """Where a block of the letter's HTML stands: its part, section and, for a finding, its kind."""
    part: str
    section: str
    kind: str = ""
    finding: str = ""


def _slug(text: str) -> str:
    return _SLUG.sub("-", _NUMBER.sub("", text).lower()).strip("-") or "section"


def _section_of(tag: Tag, current: str) -> str:
    section = tag.find_parent("section")
    ident = str(section.get("id") or "") if isinstance(section, Tag) else ""
    if ident.startswith("kloe-"):
        return "kloe:" + ident[len("kloe-"):]
    return ident or current


def _skipped(tag: Tag) -> bool:
    """Blocks that are not parts: table cells (the review's figures), the draft's panel and banner."""
    for parent in (tag, *tag.parents):
        classes: list[str] = list(parent.get("class") or [])
        if parent.name in ("td", "th", "aside") or "draft-banner" in classes:
            return True
    return False


class _Walk:
    """The running state of :func:`places`: the section, the kind heading, the counts of ids."""
    def __init__(self) -> None:
        self.out: dict[int, Place] = {}
        self.counts: dict[str, int] = {}
        self.current = "opening"
        self.kind = ""

    def numbered(self, stem: str, first_bare: bool) -> str:
        self.counts[stem] = self.counts.get(stem, 0) + 1
        n = self.counts[stem]
        return stem if first_bare and n == 1 else f"{stem}:{n}"

    def heading(self, tag: Tag) -> None:
        text = tag.get_text(" ", strip=True)
        if tag.name in ("h1", "h2") and tag.find_parent("section") is None:
            self.current = "title" if tag.name == "h1" else _slug(text)
        section = _section_of(tag, self.current)
        kind = _KIND_HEADS.get(text.lower(), "") if tag.name == "h4" else ""
        if tag.name == "h4":
            self.kind = kind
        if kind:
            self.out[id(tag)] = Place(f"heading:{section}:{kind}", section, kind)
        else:
            self.out[id(tag)] = Place(self.numbered(f"heading:{section}", True), section)

    def block(self, tag: Tag) -> None:
        section = _section_of(tag, self.current)
        classes: list[str] = list(tag.get("class") or [])
        if "finding" in classes or "finding-more" in classes:
            ident = str(tag.get("data-finding") or "")
            self.out[id(tag)] = Place("finding:" + ident, section, str(tag.get("data-kind") or self.kind), ident)
        elif not (tag.name == "li" and tag.find("p") is not None):  # else its paragraphs are the parts
            self.out[id(tag)] = Place(self.numbered(f"text:{section}", False), section)


def places(soup: BeautifulSoup) -> dict[int, Place]:
    """The part of each block of the page (by ``id()`` of its tag) that :mod:`toolkit.letter.docx`
    writes as a paragraph outside a table: findings, headings and every other paragraph."""
    walk = _Walk()
    root = soup.find("main") or soup
    for tag in root.find_all(("p", "li", "address", "figcaption", "caption", "h1", "h2", "h3", "h4")):
        if _skipped(tag):
            continue
        if "finding" not in (tag.get("class") or []) and tag.find_parent(class_="finding") is not None:
            continue  # a paragraph inside a finding's list item: the finding's own
        if tag.name in ("h1", "h2", "h3", "h4"):
            walk.heading(tag)
        else:
            walk.block(tag)
    return walk.out


@dataclass
class _Marked:
    place: Place
    paragraph: Paragraph
    index: int
    start: object


class Marks:
    """Puts the hidden bookmarks in the paragraphs as they are written, names them at the end."""
    def __init__(self, soup: BeautifulSoup) -> None:
        self.places = places(soup)
        self.marked: list[_Marked] = []
        self._count: dict[str, int] = {}

    def mark(self, tag: Tag, paragraph: Paragraph) -> None:
        place = self.places.get(id(tag))
        if place is None:
            return
        index = self._count.get(place.part, 0)
        self._count[place.part] = index + 1
        bookmark_id = str(len(self.marked) + 1)
        start = OxmlElement("w:bookmarkStart", {qn("w:id"): bookmark_id, qn("w:name"): ""})
        end = OxmlElement("w:bookmarkEnd", {qn("w:id"): bookmark_id})
        p = paragraph._p
        ppr = p.pPr
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)
        self.marked.append(_Marked(place, paragraph, index, start))

    def parts(self) -> Iterator[tuple[Place, str]]:
        """Each part once, in the letter's order, with its words (its paragraphs, one a line)."""
        texts: dict[str, list[str]] = {}
        first: dict[str, Place] = {}
        for m in self.marked:
            texts.setdefault(m.place.part, []).append(m.paragraph.text)
            first.setdefault(m.place.part, m.place)
        for part, place in first.items():
            yield place, "\n".join(texts[part])

    def _statements(self) -> dict[str, str]:
        """Each finding's statement: the leading bold words of its first paragraph."""
        out: dict[str, str] = {}
        for m in self.marked:
            if m.place.finding and m.index == 0:
                words = []
                for run in m.paragraph.runs:
                    if run.text.strip() and not run.bold:
                        break
                    words.append(run.text)
                out[m.place.part] = normalise_text("".join(words))
        return out

    def _sub_hashes(self) -> dict[str, tuple[str, str]]:
        """A finding's statement and detail hashes (:func:`sub_hash`)."""
        statements = self._statements()
        out = {}
        for place, text in self.parts():
            if place.part in statements:
                statement = statements[place.part]
                out[place.part] = (sub_hash(statement), sub_hash(normalise_text(text)[len(statement):]))
        return out

    def name_all(self) -> None:
        hashes = {place.part: part_hash(text) for place, text in self.parts()}
        subs = self._sub_hashes()
        for m in self.marked:
            tail = "".join(subs.get(m.place.part, ()))
            name = f"{BOOKMARK_PREFIX}{id_hash(m.place.part)}_{m.index}_{hashes[m.place.part]}{tail}"
            m.start.set(qn("w:name"), name)  # type: ignore[attr-defined]

    def record(self) -> str:
        """The sidecar's JSON (``letter.parts.json``): the same bytes for the same letter."""
        parts = []
        order: dict[tuple[str, str], int] = {}
        subs = self._sub_hashes()
        for place, text in self.parts():
            entry: dict[str, object] = {"id": place.part, "section": place.section, "hash": part_hash(text)}
            if place.part in subs:
                entry.update(statement_hash=subs[place.part][0], detail_hash=subs[place.part][1])
            if place.kind:
                entry["kind"] = place.kind
            if place.finding:
                key = (place.section, place.kind)
                order[key] = order.get(key, 0) + 1
                entry.update(finding=place.finding, kind=place.kind, order=order[key])
            parts.append(entry)
        draft = hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:16]
        return json.dumps({"format": 1, "draft": draft, "parts": parts}, indent=1, sort_keys=True,
                          ensure_ascii=False) + "\n"

    def draft_id(self) -> str:
        return str(json.loads(self.record())["draft"])


def set_draft_id(doc: DocxDocument, draft: str) -> None:
    """The draft's id in the document's properties (``identifier``), which absorb reads back."""
    doc.core_properties.identifier = draft
