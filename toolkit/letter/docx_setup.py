"""The Word document around the letter: fonts, page, header and footer, properties, stable bytes.

:mod:`toolkit.letter.docx` writes the letter's content into a document set up here: A4 with
2.5 cm margins, Arial 11 pt (tables 10 pt), language en-GB, black headings; DRAFT in every page's
header while the letter is a draft, "Page X of Y" in every footer; no author, no thumbnail; and a
zip rewritten with fixed entry order and times, so equal contents give equal bytes (the slides
use it too).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

__all__ = ["BODY_SIZE", "DRAFT_MARK", "FONT", "LANGUAGE", "TABLE_SIZE", "TABLE_TEXT", "a4_page", "header_footer",
           "plain_fonts", "properties", "stable_zip"]

FONT = "Arial"
BODY_SIZE = Pt(11)
TABLE_SIZE = Pt(10)
LANGUAGE = "en-GB"
TABLE_TEXT = "Table Text"
DRAFT_MARK = "DRAFT"


def plain_fonts(doc: DocxDocument) -> None:
    """Arial everywhere (no theme fonts), en-GB proofing language, black headings."""
    styles = doc.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
    for lang in [*styles.iter(qn("w:lang")), *doc.settings.element.iter(qn("w:themeFontLang"))]:
        lang.set(qn("w:val"), LANGUAGE)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(8)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5", "Caption"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.color.rgb = RGBColor(0, 0, 0)  # the template's blues fail WCAG contrast
    title = doc.styles["Title"]
    title.font.size = Pt(18)
    title.font.bold = True
    doc.styles["Heading 1"].font.size = Pt(14)
    doc.styles["Heading 2"].font.size = Pt(12)
    doc.styles["Heading 3"].font.size = BODY_SIZE
    caption = doc.styles["Caption"]
    caption.font.size = BODY_SIZE
    caption.font.bold = True
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(4)
    table_text = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = TABLE_SIZE
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0


def a4_page(doc: DocxDocument) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) with ``shown`` as its text until Word updates it."""
    for kind, text in (("begin", None), ("instr", f" {instruction} "), ("separate", None), ("text", shown),
                       ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def header_footer(doc: DocxDocument, draft: str | None) -> None:
    """DRAFT and the banner's words in every page's header while the letter is a draft; "Page X
    of Y" in every footer."""
    for section in doc.sections:
        if draft is not None:
            head = section.header.paragraphs[0]
            head.alignment = WD_ALIGN_PARAGRAPH.CENTER
            mark = head.add_run(DRAFT_MARK)
            mark.bold = True
            mark.font.color.rgb = RGBColor(0xB0, 0x1E, 0x0D)  # 6.5:1 on white
            if draft:
                head.add_run(f" \u2013 {draft}")
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        foot.add_run("Page ")
        _field(foot, "PAGE", "1")
        foot.add_run(" of ")
        _field(foot, "NUMPAGES", "1")


def properties(doc: DocxDocument, title: str, when: dt.datetime) -> None:
    props = doc.core_properties
    props.title = title
    props.language = LANGUAGE
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.revision = 1
    props.created = props.modified = props.last_printed = when
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):  # the template's thumbnail shows another document
        if rel.reltype == RT.THUMBNAIL:
            del pkg.rels[rid]


def stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same zip with fixed entry times and attributes, ``[Content_Types].xml`` first, then
    the other entries sorted by name: equal contents give equal bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = {info.filename: src.read(info) for info in src.infolist()}
    names = sorted(entries, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()
