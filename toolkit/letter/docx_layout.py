"""The Word copy's layout, as the page's style sets it (tables sized and kept together, classes
aligned, the signature's room), and the draft's checks as Word comments.

:func:`size_columns` gives each table column the width its text needs (a label column wide,
numbers narrow, a long header wrapping) and fixes the table's layout; :func:`keep_rows` keeps the
header rows with the first row and never leaves the last row alone on a page (every row is
``cantSplit``, and header rows repeat: :mod:`toolkit.letter.docx`); :func:`class_alignments` reads
the alignment the page's stylesheet gives a class (``.letter-date { text-align: right }``), so the
date sits where the PDF puts it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table
from docx.text.paragraph import Paragraph

#: The width of the page's text (21 cm less two margins of 2.5 cm).
TEXT_WIDTH = Cm(16.0)
#: One line of room to sign in, in points (the body's 11 pt at 1.5 lines).
SIGN_LINE_PT = 16.5
_ALIGNMENTS = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
               "center": WD_ALIGN_PARAGRAPH.CENTER, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
_CLASS_RULE = re.compile(r"(?:^|[}\s])\.([A-Za-z][\w-]*)\s*\{([^{}]*)\}")


def class_alignments(css: str) -> dict[str, WD_ALIGN_PARAGRAPH]:
    """The alignment the page's style sheet gives a class of its own (``.letter-date { text-align:
    right }``), outside any ``@media`` block, so the Word copy puts the date where the page does."""
    flat = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", " ", re.sub(r"/\*.*?\*/", " ", css, flags=re.S))
    out: dict[str, WD_ALIGN_PARAGRAPH] = {}
    for name, body in _CLASS_RULE.findall(flat):
        found = re.search(r"text-align\s*:\s*(left|right|center|justify)", body)
        if found:
            out[name] = _ALIGNMENTS[found[1]]
    return out


#: The width of an average character of table text (Arial 10 pt), and a cell's left and right
#: padding together, in cm: what :func:`size_columns` measures text with.
CHAR_CM = 0.19
CELL_PADDING_CM = 0.25
#: A column is never sized for more than this many characters (longer text wraps).
WIDEST = 60


def keep_rows(table: Table, heads: Sequence[bool]) -> None:
    """Header rows kept with the first body row, and the last body row never alone on a page."""
    body = [r for r, head in enumerate(heads) if not head]
    keep = [r for r, head in enumerate(heads) if head] + (body[-2:-1] if len(body) >= 2 else [])
    for r in keep:
        for cell in table.rows[r].cells:
            for para in cell.paragraphs:
                para.paragraph_format.keep_with_next = True


def size_columns(table: Table, texts: Sequence[Sequence[str]], columns: int, heads: Sequence[bool]) -> None:
    """Columns as wide as their text needs within the page: a column gets at least its longest
    word and, beyond that, a share of the room in proportion to its longest body cell (so a label
    column is wide and a column of numbers narrow; a header wraps); the layout is fixed to them."""
    longest = [3] * columns
    widest_word = [3] * columns
    for row, head in zip(texts, heads, strict=True):
        for col, text in enumerate(row[:columns]):
            if not head:
                longest[col] = max(longest[col], min(len(text), WIDEST))
            widest_word[col] = max(widest_word[col], min(max((len(w) for w in text.split()), default=0), WIDEST))
    room = (TEXT_WIDTH.cm - CELL_PADDING_CM * columns) / CHAR_CM  # characters across the page
    need = [max(lo, w) for lo, w in zip(longest, widest_word, strict=True)]
    if sum(need) <= room:  # everything fits on one line: the room left goes to the long columns
        chars = [n + (room - sum(need)) * lo / sum(longest) for n, lo in zip(need, longest, strict=True)]
    elif sum(widest_word) >= room:
        chars = [n * room / sum(widest_word) for n in widest_word]
    else:
        extra = [max(0, lo - w) for lo, w in zip(longest, widest_word, strict=True)]
        chars = [w + (room - sum(widest_word)) * e / (sum(extra) or 1) for w, e in zip(widest_word, extra, strict=True)]
    widths = [Cm(c * CHAR_CM + CELL_PADDING_CM) for c in chars]
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblPr = table._tbl.tblPr
    look = tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(layout)
    else:
        tblPr.append(layout)
    for col, width in zip(table.columns, widths, strict=False):
        col.width = width
    for row in table.rows:
        for col, cell in enumerate(row.cells[:columns]):
            cell.width = widths[col]


def table_properties(table: Table, caption: str) -> None:
    """Header-row style flags, and the caption as the table's title for assistive technology."""
    tblPr = table._tbl.tblPr
    look = tblPr.find(qn("w:tblLook"))
    if look is not None:
        look.set(qn("w:firstRow"), "1")
        look.set(qn("w:firstColumn"), "0")
        look.set(qn("w:noVBand"), "1")
    if caption:
        title = OxmlElement("w:tblCaption")
        title.set(qn("w:val"), caption)
        tblPr.append(title)  # last child of tblPr, as the schema orders it


# the checks as comments -------------------------------------------------------------------
#: Who the comments are from when the panel does not say.
COMMENT_AUTHOR = "Peer review toolkit"


def panel_comments(soup: BeautifulSoup) -> dict[str, list[str]]:
    """The draft's "Check before sending" items as comment words, by the id of their finding."""
    out: dict[str, list[str]] = {}
    for item in soup.select(".check-panel [data-finding-ref]"):
        out.setdefault(str(item["data-finding-ref"]), []).append(str(item.get("data-comment") or ""))
    return out


@dataclass
class Comments:
    """The comments still to anchor, by finding id; each is written once, on the finding's first
    paragraph."""
    pending: dict[str, list[str]]
    author: str
    when: dt.datetime

    def anchor(self, doc: DocxDocument, tag: Tag, paragraph: Paragraph) -> None:
        found = tag.get("data-finding")
        texts = self.pending.pop(str(found), None) if found and "finding" in _classes_of(tag) else None
        if not texts or not paragraph.runs:
            if texts:
                self.pending[str(found)] = texts
            return
        self._write(doc, paragraph, texts)

    def anchor_rest(self, doc: DocxDocument) -> None:
        """The items whose row is not a finding of the letter (a self-evaluation row, a progress
        mark, a finding left out) on the letter's first paragraph, so that no check is lost."""
        first = next((p for p in doc.paragraphs if p.runs), None)
        if first is None:
            return
        for key in list(self.pending):
            self._write(doc, first, self.pending.pop(key))

    def _write(self, doc: DocxDocument, paragraph: Paragraph, texts: list[str]) -> None:
        for text in texts:
            comment = doc.add_comment(paragraph.runs, text, author=self.author, initials="PRT")
            comment._comment_elm.date = self.when  # the letter's date: the same bytes every time




def comments_for(soup: BeautifulSoup, when: dt.datetime) -> Comments:
    """The page's panel items, to anchor as the Word copy is written."""
    panel = soup.select_one(".check-panel")
    author = str(panel.get("data-comment-author") or COMMENT_AUTHOR) if panel is not None else COMMENT_AUTHOR
    return Comments(panel_comments(soup), author, when)


def _classes_of(tag: Tag) -> list[str]:
    value = tag.get("class")
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value] if value else []
