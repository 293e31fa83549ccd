"""The day-three deck written as ``slides.pptx`` with python-pptx.

:func:`letter_slides` writes the slides of :func:`toolkit.letter.deck.deck_outline` into a
presentation that PowerPoint and LibreOffice open and edit as their own:

* every slide takes a layout of the template (title slide; title and content; title only), so its
  title is the slide's real title placeholder, its body a real text placeholder, and each text
  fits its box (``normAutofit``, which both applications honour);
* a region's own template, ``slides.pptx`` in its style folder, gives the masters, layouts, theme
  and size (any slides it holds are left out); without one, python-pptx's default template is
  widened to 16:9;
* a chart is its PNG (the same drawing as the Word copy's) with the chart's description as its
  alternative text and its title as the picture's title; the description is in the notes too;
* text is English (United Kingdom), and free text goes into the XML as text, never as markup.

The bytes are repeatable: the core properties' dates are the presentation's date (created,
modified and last printed), author and comments are empty, the template's thumbnail (a picture
of another deck) is dropped, and the zip is rewritten in a fixed order with fixed times
(:func:`toolkit.letter.docx_setup.stable_zip`).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any, cast

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PptxPresentation
from pptx.slide import Slide, SlideLayout
from pptx.text.text import TextFrame
from pptx.util import Emu, Inches, Length, Pt

from toolkit.letter.charts import ChartImage
from toolkit.letter.deck import Deck, Line, SlideSpec, charts_by_section, deck_outline
from toolkit.letter.docx_setup import stable_zip
from toolkit.review import Review

#: A region's own deck template, looked for in its style folder.
TEMPLATE_NAME = "slides.pptx"
#: The default template widened to 16:9 (13.333 in by 7.5 in).
WIDE = Emu(12192000)
TITLE_SIZE = Pt(28)
COVER_TITLE_SIZE = Pt(36)
BODY_SIZE = Pt(24)
SUB_SIZE = Pt(20)
MESSAGE_SIZE = Pt(32)
DRAFT_COLOUR: RGBColor = cast(Any, RGBColor).from_string("B01E0D")  # 6.5:1 on white, as the Word copy's DRAFT
MARGIN = Inches(0.5)
_TITLE_TYPES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
_BODY_TYPES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.SUBTITLE)
_FURNITURE = (PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER)


def _placeholders(owner: Slide | SlideLayout) -> list[Any]:
    """The placeholders of a slide or layout (python-pptx types their iteration loosely)."""
    return list(cast(Any, owner).placeholders)


def _size(prs: PptxPresentation) -> tuple[int, int]:
    """The slide's width and height in EMU."""
    return int(prs.slide_width or WIDE), int(prs.slide_height or Emu(6858000))


def _types(layout: SlideLayout) -> list[PP_PLACEHOLDER]:
    return [ph.placeholder_format.type for ph in _placeholders(layout)
            if ph.placeholder_format.type not in _FURNITURE]


def _find_layout(prs: PptxPresentation, wanted: tuple[set[PP_PLACEHOLDER], ...], fallback: int) -> SlideLayout:
    """The first layout whose placeholders (less date, footer and number) are one of ``wanted``."""
    for layout in prs.slide_layouts:
        if set(_types(layout)) in wanted:
            return layout
    layouts = list(prs.slide_layouts)
    return layouts[min(fallback, len(layouts) - 1)]


class _Layouts:
    def __init__(self, prs: PptxPresentation) -> None:
        self.title = _find_layout(prs, ({PP_PLACEHOLDER.CENTER_TITLE, PP_PLACEHOLDER.SUBTITLE},), 0)
        self.content = _find_layout(prs, ({PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.OBJECT},
                                          {PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.BODY}), 1)
        self.title_only = _find_layout(prs, ({PP_PLACEHOLDER.TITLE},), 5)

    def of(self, kind: str) -> SlideLayout:
        return {"title": self.title, "chart": self.title_only}.get(kind, self.content)


def _plain_default(prs: PptxPresentation) -> None:
    """The default template at 16:9 (the slide wider, every placed shape of its master and layouts
    stretched across the new width), its subtitle grey (a tint of black, 3.5:1) made black."""
    factor = WIDE / _size(prs)[0]
    for shapes in [prs.slide_master.shapes, *(layout.shapes for layout in prs.slide_layouts)]:
        for shape in shapes:
            for tint in list(shape._element.iter(qn("a:tint"))):
                tint.getparent().remove(tint)
            xfrm = shape._element.find(f"{qn('p:spPr')}/{qn('a:xfrm')}")
            if xfrm is None:
                continue
            off, ext = xfrm.find(qn("a:off")), xfrm.find(qn("a:ext"))
            off.set("x", str(round(int(off.get("x")) * factor)))
            ext.set("cx", str(round(int(ext.get("cx")) * factor)))
    prs.slide_width = WIDE
    for part in prs.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            part._blob = part.blob.replace(b"On-screen Show (4:3)", b"On-screen Show (16:9)")


def open_template(folder: Path) -> PptxPresentation:
    """The style's ``slides.pptx`` without its slides, or the default template at 16:9."""
    own = folder / TEMPLATE_NAME
    if not own.is_file():
        prs = Presentation()
        _plain_default(prs)
        return prs
    prs = Presentation(str(own))
    ids = prs.slides._sldIdLst
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)
    return prs


# text ---------------------------------------------------------------------------------------
def _no_bullet(paragraph: object) -> None:
    ppr = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    ppr.set("indent", "0")
    ppr.set("marL", "0")
    ppr.insert(0, ppr.makeelement(qn("a:buNone"), {}))


def write_lines(frame: TextFrame, lines: list[Line], size: Length, *, bullets: bool = True) -> None:
    """``lines`` as the frame's paragraphs (its first, empty one reused), shrunk to fit its box."""
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else cast(Any, frame).add_paragraph()
        para.level = line.level
        if not bullets:
            _no_bullet(para)
        run = para.add_run()
        run.text = line.text
        run.font.size = size if line.level == 0 else SUB_SIZE
        run.font.language_id = MSO_LANGUAGE_ID.ENGLISH_UK
        if line.bold:
            run.font.bold = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE


def _placeholder(slide: Slide, types: tuple[PP_PLACEHOLDER, ...]) -> Any:
    return next((ph for ph in _placeholders(slide) if ph.placeholder_format.type in types), None)


def _title(slide: Slide, text: str, size: Length, prs: PptxPresentation) -> None:
    shape = _placeholder(slide, _TITLE_TYPES)
    if shape is None:  # a template layout without a title: a text box where a title would be
        shape = slide.shapes.add_textbox(MARGIN, MARGIN, Emu(_size(prs)[0] - 2 * MARGIN), Inches(1))
    write_lines(shape.text_frame, [Line(text)], size, bullets=False)


def _picture(slide: Slide, chart: ChartImage, prs: PptxPresentation) -> None:
    """The chart's PNG as large as fits under the title, centred, with its alternative text."""
    title = _placeholder(slide, _TITLE_TYPES)
    slide_w, slide_h = _size(prs)
    top = int(title.top + title.height if title is not None else MARGIN) + Inches(0.1)
    bottom = slide_h - Inches(0.6)
    width_px, height_px = int.from_bytes(chart.png[16:20], "big"), int.from_bytes(chart.png[20:24], "big")
    scale = min((slide_w - 2 * MARGIN) / width_px, (bottom - top) / height_px)
    width, height = Emu(round(width_px * scale)), Emu(round(height_px * scale))
    pic = slide.shapes.add_picture(io.BytesIO(chart.png), Emu((slide_w - width) // 2), Emu(top), width, height)
    c_nv_pr = cast(Any, pic)._element.nvPicPr.cNvPr
    c_nv_pr.set("descr", chart.description)
    c_nv_pr.set("title", chart.title)


def _notes(slide: Slide, notes: tuple[str, ...]) -> None:
    if not notes:
        return
    frame = slide.notes_slide.notes_text_frame
    if frame is not None:
        write_lines(frame, [Line(n) for n in notes], Pt(12), bullets=False)
        frame.auto_size = MSO_AUTO_SIZE.NONE


def _slide(prs: PptxPresentation, layouts: _Layouts, spec: SlideSpec) -> None:
    slide = prs.slides.add_slide(layouts.of(spec.kind))
    _title(slide, spec.title, COVER_TITLE_SIZE if spec.kind == "title" else TITLE_SIZE, prs)
    body = _placeholder(slide, _BODY_TYPES)
    if spec.kind == "chart" and spec.chart is not None:
        _picture(slide, spec.chart, prs)
    elif body is not None:
        lines = list(spec.lines) + ([Line(spec.mark, bold=True)] if spec.mark else [])
        size = MESSAGE_SIZE if spec.kind == "message" else BODY_SIZE
        write_lines(body.text_frame, lines, size, bullets=spec.kind == "list")
        if spec.mark:
            body.text_frame.paragraphs[-1].runs[0].font.color.rgb = DRAFT_COLOUR
    for ph in _placeholders(slide):  # placeholders left empty would show "Click to add text"
        if not ph.has_text_frame or not ph.text_frame.text:
            ph._element.getparent().remove(ph._element)
    _notes(slide, spec.notes)


def _properties(prs: PptxPresentation, title: str, when: dt.datetime) -> None:
    props = prs.core_properties
    props.title = title
    props.language = "en-GB"
    for name in ("author", "last_modified_by", "comments", "subject", "keywords", "category"):
        setattr(props, name, "")
    props.revision = 1
    props.created = props.modified = props.last_printed = when
    rels = prs.part.package._rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        rels.pop(rid)


def write_deck(deck: Deck, when: dt.date) -> bytes:
    """The deck as .pptx bytes, dated ``when`` (the presentation's date)."""
    prs = open_template(deck.folder)
    layouts = _Layouts(prs)
    for spec in deck.slides:
        _slide(prs, layouts, spec)
    stamp = dt.datetime(when.year, when.month, when.day)
    _properties(prs, deck.title, stamp)
    buf = io.BytesIO()
    prs.save(buf)
    return stable_zip(buf.getvalue(), stamp)


def letter_slides(review: Review, charts: dict[str, list[ChartImage]] | None = None) -> bytes:
    """The review's day-three deck as .pptx bytes (``charts``: :func:`charts_by_section`, drawn
    here when not given)."""
    deck = deck_outline(review, charts if charts is not None else charts_by_section(review))
    return write_deck(deck, review.params.visit.presentation_date)
