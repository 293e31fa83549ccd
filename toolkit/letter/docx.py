"""The letter as a Word document, converted from the letter's own HTML.

Coordinators edit the draft in Word before it is sent, so a report can hold ``letter.docx``
beside ``letter.html``. :func:`letter_docx` reads the HTML the letter styles produce (the subset
in ``toolkit/styles/standard/``) and writes the same content with Word's own structure:

* ``h1`` is the document's Title; ``h2``, ``h3`` and ``h4`` are Heading 1, 2 and 3;
* paragraphs keep ``<strong>`` as bold runs (a finding's statement) and ``<br>`` as line breaks;
* ``ul``/``li`` become List Bullet paragraphs, nested lists List Bullet 2 and 3;
* the address block is one paragraph with a line per line of the address;
* tables keep their rows and cells, with the ``thead`` rows marked to repeat on each page, the
  caption as a paragraph above (and as the table's title for screen readers), row headers bold
  and numeric cells right-aligned; columns sized to their text, no row split across pages, the
  header kept with the first row and the last row never alone (:mod:`toolkit.letter.docx_layout`);
* the appendix on a new page; the signature together, with the style's ``signature_lines`` of room
  to sign; a paragraph aligned as the page's stylesheet aligns its class (the letter's date);
* a chart (``figure.chart-pair``) becomes a picture (the same figure drawn as a PNG by
  :func:`toolkit.letter.charts.collect_charts`, with the chart's description as its alternative
  text), then its data table and its description; without a picture for it (the HTML alone), the
  chart is its data table and description;
* while the page carries the draft banner, every page's header says DRAFT and the banner's
  words; every footer says "Page X of Y" (Word's PAGE and NUMPAGES fields);
* each item of the draft's "Check before sending" panel (``[data-finding-ref]``, with its words in
  ``data-comment``) is a Word comment, authored "Peer review toolkit", anchored on the first
  paragraph of its finding (``.finding[data-finding]``); a final letter has no panel, so no comment;
* the draft banner (it is the header), the ``screen-only`` panel, SVG and scripts are left out;
* every paragraph outside a table carries a hidden bookmark naming its part (a finding, a heading,
  a paragraph of a section), which ``peer-review absorb`` reads a coordinator's copy by
  (:mod:`toolkit.letter.docx_parts`, docs/word-round-trip.md); :func:`letter_docx_parts` also
  gives the record of the parts written beside it (``letter.parts.json``).

The page is A4 with 2.5 cm margins, in Arial 11 pt (tables 10 pt), language en-GB. The bytes
are repeatable: the document's dates are the letter's date (or a constant), and the zip is
rewritten with its entries in a fixed order and fixed times.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement, PreformattedString
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Length, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from toolkit.letter.charts import ChartImage, collect_charts
from toolkit.letter.docx_layout import (
    SIGN_LINE_PT,
    TEXT_WIDTH,
    Comments,
    class_alignments,
    comments_for,
    keep_rows,
    size_columns,
    table_properties,
)
from toolkit.letter.docx_parts import Marks, set_draft_id
from toolkit.letter.docx_setup import (
    TABLE_TEXT,
    a4_page,
    header_footer,
    plain_fonts,
    properties,
    stable_zip,
)
from toolkit.letter.sections import build_letter
from toolkit.review import Review

#: Used for the document's dates and the zip's entry times when the letter has no readable date.
FALLBACK_DATE = dt.datetime(2000, 1, 1)

HEADING_STYLES = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3",
                  "h5": "Heading 4", "h6": "Heading 5"}
SKIPPED = frozenset({"svg", "script", "style", "head", "title", "template", "noscript", "img", "hr", "meta",
                     "link", "button", "input"})
BLOCKS = frozenset({"p", "address", "ul", "ol", "table", "figure", "figcaption", "section", "div", "main",
                    "article", "header", "footer", "aside", "nav", "blockquote", "pre", "dl", "dt", "dd",
                    "body", "html", *HEADING_STYLES})
_SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML white space; a no-break space is kept
_SVG = re.compile(r"<svg\b.*?</svg>", re.S | re.I)  # inline charts: replaced before parsing (fast)
_SVG_ID = re.compile(r'<svg\b[^>]*\baria-labelledby="([A-Za-z0-9_-]+)-title\b')
_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Z][a-z]+)\s+(\d{4})")

Container = DocxDocument | _Cell


@dataclass(frozen=True)
class _Run:
    text: str
    bold: bool = False
    italic: bool = False


_BREAK = _Run("\n")  # a <br>: identity marks it, never its text


def letter_date(soup: BeautifulSoup) -> dt.datetime | None:
    """The date in the letter's ``p.letter-date`` ("19th February 2026"), or the report form's
    ``p.title-date`` ("Report issued 19th February 2026"), at midnight."""
    tag = soup.find("p", class_="letter-date") or soup.find("p", class_="title-date")
    match = _DATE.search(tag.get_text(" ", strip=True)) if isinstance(tag, Tag) else None
    if match is None:
        return None
    try:
        return dt.datetime.strptime(f"{match[1]} {match[2]} {match[3]}", "%d %B %Y")
    except ValueError:
        return None


def _collect_inline(node: PageElement, out: list[_Run], bold: bool, italic: bool) -> None:
    if isinstance(node, PreformattedString):  # comments, doctype, processing instructions
        return
    if isinstance(node, NavigableString):
        out.append(_Run(str(node), bold, italic))
        return
    if not isinstance(node, Tag) or node.name in SKIPPED:
        return
    if node.name == "br":
        out.append(_BREAK)
        return
    bold = bold or node.name in ("strong", "b")
    italic = italic or node.name in ("em", "i", "cite")
    for child in node.children:
        _collect_inline(child, out, bold, italic)


def inline_runs(nodes: Sequence[PageElement], bold: bool = False) -> list[_Run]:
    """The text of inline nodes as runs, with white space collapsed as a browser shows it."""
    raw: list[_Run] = []
    for node in nodes:
        _collect_inline(node, raw, bold, False)
    out: list[_Run] = []
    pending = False  # white space seen since the last text
    line_start = True
    for run in raw:
        if run is _BREAK:
            out.append(_BREAK)
            pending, line_start = False, True
            continue
        text = _SPACE.sub(" ", run.text)
        core = text.strip(" ")
        if not core:
            pending = pending or bool(text)
            continue
        if (pending or text.startswith(" ")) and not line_start:
            core = " " + core
        last = out[-1] if out else None
        if last is not None and last is not _BREAK and (last.bold, last.italic) == (run.bold, run.italic):
            out[-1] = _Run(last.text + core, run.bold, run.italic)
        else:
            out.append(_Run(core, run.bold, run.italic))
        pending, line_start = text.endswith(" "), False
    while out and out[-1] is _BREAK:
        out.pop()
    return out


def _write_runs(paragraph: Paragraph, runs: list[_Run]) -> None:
    for run in runs:
        if run is _BREAK:
            (paragraph.runs[-1] if paragraph.runs else paragraph.add_run()).add_break()
            continue
        r = paragraph.add_run(run.text)
        if run.bold:
            r.bold = True
        if run.italic:
            r.italic = True


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value] if value else []


def _is_block(node: PageElement) -> TypeGuard[Tag]:
    return isinstance(node, Tag) and (node.name in BLOCKS or node.name in ("li", "tr", "caption")
                                      or (node.name == "img" and node.has_attr("data-chart")))


def _set_on_off(parent: BaseOxmlElement, tag: str) -> None:
    """Append an on/off property such as ``<w:tblHeader/>`` (the row properties take any order)."""
    parent.append(OxmlElement(tag))


class _Writer:
    """Writes the blocks of the letter's HTML into a python-docx document."""
    def __init__(self, doc: DocxDocument, charts: Mapping[str, ChartImage] | None = None,
                 comments: Comments | None = None, aligns: Mapping[str, WD_ALIGN_PARAGRAPH] | None = None,
                 marks: Marks | None = None) -> None:
        self.doc = doc
        self.marks = marks  # each part's hidden bookmark (toolkit.letter.docx_parts)
        self.aligns = aligns or {}  # a paragraph's alignment by its class, as the page's style sets it
        self.charts = charts or {}
        self.comments = comments
        self._filled: set[object] = set()  # cells whose first paragraph is taken
        # style ids by name, looked up once (python-docx searches all styles on every lookup)
        self._style_ids = {style.name: style.style_id for style in doc.styles}

    def style(self, paragraph: Paragraph, name: str) -> None:
        paragraph._p.style = self._style_ids[name]

    # paragraphs ---------------------------------------------------------------------------
    def paragraph(self, container: Container, style: str | None, runs: list[_Run]) -> Paragraph:
        para: Paragraph
        if isinstance(container, _Cell):
            if container._tc in self._filled:
                para = container.add_paragraph()
            else:  # a new cell holds one empty paragraph: write into it
                self._filled.add(container._tc)
                para = container.paragraphs[0]
            self.style(para, style or TABLE_TEXT)
        else:
            para = container.add_paragraph()
            if style:
                self.style(para, style)
        _write_runs(para, runs)
        return para

    # blocks -------------------------------------------------------------------------------
    def blocks(self, parent: Tag, container: Container, *, bold: bool = False) -> None:
        """Write ``parent``'s children; loose inline content becomes a paragraph of its own."""
        loose: list[PageElement] = []

        def flush() -> None:
            runs = inline_runs(loose, bold)
            if runs:
                self.paragraph(container, None, runs)
            loose.clear()

        for child in parent.children:
            if not _is_block(child):
                loose.append(child)
                continue
            flush()
            self.block(child, container, bold=bold)
        flush()

    def block(self, tag: Tag, container: Container, *, bold: bool = False) -> None:
        name = tag.name
        if name == "img" and tag.has_attr("data-chart"):
            self.picture(str(tag["data-chart"]), container)
            return
        if name in SKIPPED or {"draft-banner", "screen-only"} & set(_classes(tag)):
            return
        if name in HEADING_STYLES and not isinstance(container, _Cell):
            runs = [_Run(r.text) if r is not _BREAK else r for r in inline_runs(list(tag.children))]
            self._mark(tag, self.paragraph(container, HEADING_STYLES[name], runs))
        elif name in ("p", "address", "pre", "dt", "figcaption", "caption", *HEADING_STYLES):
            runs = inline_runs(list(tag.children), bold)
            if runs:
                para = self.paragraph(container, None, runs)
                align = next((self.aligns[c] for c in _classes(tag) if c in self.aligns), None)
                if align is not None:
                    para.alignment = align
                if self.comments is not None:
                    self.comments.anchor(self.doc, tag, para)
                self._mark(tag, para)
        elif name in ("ul", "ol"):
            self.list(tag, container, 0)
        elif name == "table":
            self.table(tag, container)
        elif {"signature", "appendix"} & set(_classes(tag)) and not isinstance(container, _Cell):
            before = len(container.element.body.findall(qn("w:p")))  # paragraphs go before the sectPr
            self.blocks(tag, container, bold=bold)
            paragraphs = [Paragraph(p, container) for p in container.element.body.findall(qn("w:p"))]
            self.placed(tag, paragraphs[max(0, before - 1):] if before else [Paragraph(OxmlElement("w:p"), container),
                                                                             *paragraphs])
        else:  # section, div, figure, main, blockquote...: their children in order
            self.blocks(tag, container, bold=bold)
            if "title-page" in _classes(tag) and isinstance(container, DocxDocument):
                container.add_page_break()  # type: ignore[no-untyped-call]  # the report's title page is a page of its own

    def _mark(self, tag: Tag, para: Paragraph) -> None:
        if self.marks is not None:
            self.marks.mark(tag, para)

    def placed(self, tag: Tag, around: list[Paragraph]) -> None:
        """Where the page puts a block (``around``: the paragraph before it, then its own): the
        appendix on a new page; the signature on one page with the paragraph before it, and
        ``data-sign-lines`` lines of room to sign after its first paragraph ("Yours sincerely")."""
        paragraphs = around[1:]
        if not paragraphs:
            return
        if "appendix" in _classes(tag):
            paragraphs[0].paragraph_format.page_break_before = True
            return
        for para in around[:-1]:
            para.paragraph_format.keep_with_next = True
        lines = str(tag.get("data-sign-lines") or "0")
        if lines.isdigit() and int(lines):
            paragraphs[0].paragraph_format.space_after = Pt(SIGN_LINE_PT * int(lines))

    def picture(self, chart_id: str, container: Container) -> None:
        """The chart's PNG in a paragraph of its own, its description as the alternative text."""
        chart = self.charts.get(chart_id)
        if chart is None:
            return
        para = self.paragraph(container, None, [])
        para.paragraph_format.keep_with_next = True  # with the data table after it
        width = _png_width(chart.png)
        shape = para.add_run().add_picture(io.BytesIO(chart.png), width=min(width, TEXT_WIDTH))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", chart.description)
        doc_pr.set("title", chart.title)

    def list(self, tag: Tag, container: Container, level: int) -> None:
        """List items as List Bullet paragraphs (nested lists one level deeper, at most 3).

        Numbered lists write their numbers as text, so each list starts at 1.
        """
        numbered = tag.name == "ol"
        suffix = "" if level == 0 else f" {min(level, 2) + 1}"
        style = ("List Continue" if numbered else "List Bullet") + suffix
        for number, item in enumerate(tag.find_all("li", recursive=False), start=1):
            loose: list[PageElement] = []
            written = False

            def flush(loose: list[PageElement] = loose, number: int = number, item: Tag = item) -> None:
                nonlocal written
                runs = inline_runs(loose)
                loose.clear()
                if not runs:
                    return
                if numbered and not written:
                    runs.insert(0, _Run(f"{number}. "))
                para = self.paragraph(container, style if not written else "List Continue" + suffix, runs)
                if self.comments is not None and not written:
                    self.comments.anchor(self.doc, item, para)
                self._mark(item, para)
                written = True

            for child in item.children:
                if isinstance(child, Tag) and child.name in ("ul", "ol"):
                    flush()
                    self.list(child, container, level + 1)
                elif isinstance(child, Tag) and child.name == "p":
                    flush()
                    loose.extend(child.children)
                    flush()
                elif _is_block(child):
                    flush()
                    self.block(child, container)
                else:
                    loose.append(child)
            flush()

    def table(self, tag: Tag, container: Container) -> None:
        rows = [tr for tr in tag.find_all("tr") if tr.find_parent("table") is tag]
        if not rows:
            return
        cells = [[c for c in tr.find_all(("th", "td"), recursive=False)] for tr in rows]
        width = max(sum(_span(c) for c in row) for row in cells) or 1
        heads = [tr.parent is not None and tr.parent.name == "thead" for tr in rows]
        if not any(heads) and cells[0] and all(c.name == "th" for c in cells[0]):
            heads[0] = True
        caption = tag.find("caption", recursive=False)
        caption_text = caption.get_text(" ", strip=True) if isinstance(caption, Tag) else ""
        if caption_text and isinstance(caption, Tag):
            self._mark(caption, self.paragraph(container, "Caption", inline_runs(list(caption.children))))
        table = container.add_table(rows=len(rows), cols=width)
        table.style = self.doc.styles["Table Grid"]
        table_properties(table, caption_text)
        for r, (row, is_head) in enumerate(zip(cells, heads, strict=True)):
            trPr = table.rows[r]._tr.get_or_add_trPr()
            _set_on_off(trPr, "w:cantSplit")  # no row split across two pages
            if is_head:
                _set_on_off(trPr, "w:tblHeader")
            col = 0
            row_cells = table.rows[r].cells  # once per row: table.cell() rebuilds the whole grid
            for cell_tag in row:
                span = _span(cell_tag)
                cell = row_cells[col]
                if span > 1 and col + span - 1 < width:
                    cell = cell.merge(row_cells[col + span - 1])
                self.blocks(cell_tag, cell, bold=cell_tag.name == "th")
                if "num" in _classes(cell_tag):
                    for para in cell.paragraphs:
                        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                col += span
        for cell in table._cells:  # empty cells too, so every row has the table's line height
            if not cell.paragraphs[0].runs:
                self.style(cell.paragraphs[0], TABLE_TEXT)
        keep_rows(table, heads)
        if not isinstance(container, _Cell):
            size_columns(table, [[c.get_text(" ", strip=True) if _span(c) == 1 else "" for c in row]
                                  for row in cells], width, heads)


def _png_width(png: bytes) -> Length:
    """The picture's width at the resolution it was drawn for (the PNG's own pixels per metre)."""
    width_px = int.from_bytes(png[16:20], "big")
    at = png.find(b"pHYs")
    ppm = int.from_bytes(png[at + 4:at + 8], "big") if at > 0 else 0
    inches = width_px / (ppm * 0.0254) if ppm else width_px / 96
    return Cm(inches * 2.54)


def _span(cell: Tag) -> int:
    try:
        return max(1, int(str(cell.get("colspan", "1"))))
    except ValueError:
        return 1


def _chart_placeholder(match: re.Match[str]) -> str:
    found = _SVG_ID.match(match[0])
    return f'<img data-chart="{found[1]}">' if found else ""


def chart_images(review: Review) -> dict[str, ChartImage]:
    """Every chart of the review's letter as a PNG, by the id of its ``<svg>`` in the page."""
    with collect_charts() as found:
        build_letter(review)
    return found


def letter_docx(html: str, charts: Mapping[str, ChartImage] | None = None) -> bytes:
    """The letter page (:func:`toolkit.letter.sections.build_letter` or ``letter.html``) as .docx bytes.

    ``charts``: the letter's charts as pictures (:func:`chart_images`); a chart without one is
    written as its data table and description only.
    """
    return letter_docx_parts(html, charts)[0]


def letter_docx_parts(html: str, charts: Mapping[str, ChartImage] | None = None) -> tuple[bytes, str]:
    """:func:`letter_docx`, and the record of its parts (``letter.parts.json``,
    :meth:`toolkit.letter.docx_parts.Marks.record`)."""
    soup = BeautifulSoup(_SVG.sub(_chart_placeholder, html), "html.parser")
    root = soup.find("main") or soup.body or soup
    title_tag = soup.find("title") or soup.find("h1")
    title = title_tag.get_text(" ", strip=True) if isinstance(title_tag, Tag) else ""
    when = letter_date(soup) or FALLBACK_DATE
    doc = Document()
    plain_fonts(doc)
    a4_page(doc)
    properties(doc, title, when)
    banner = soup.find(class_="draft-banner")
    header_footer(doc, banner.get_text(" ", strip=True) if isinstance(banner, Tag) else None)
    body = doc.element.body
    for para in list(body.iterchildren(qn("w:p"))):  # the template's body is empty; make sure
        body.remove(para)
    comments = comments_for(soup, when)
    css = " ".join(tag.get_text() for tag in soup.find_all("style"))
    marks = Marks(soup)
    _Writer(doc, charts, comments, class_alignments(css), marks).blocks(root, doc)
    comments.anchor_rest(doc)
    marks.name_all()
    record = marks.record()
    set_draft_id(doc, marks.draft_id())
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue(), when), record
