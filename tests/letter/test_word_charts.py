"""The Word copy of a demo letter: the HTML's headings and findings, its charts as pictures with
their alternative text and data tables, the DRAFT header, "Page X of Y", repeatable bytes."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import docx
import pytest
from bs4 import BeautifulSoup, Tag
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from toolkit.letter.charts import collect_charts
from toolkit.letter.docx import chart_images, letter_docx
from toolkit.letter.docx_setup import DRAFT_MARK
from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "params" / "harrowdene-2026.yaml"  # has the audit and performance data: charts of both kinds
HEADING_STYLES = {"Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5"}


@pytest.fixture(scope="module")
def demo() -> Review:
    return load_review(DEMO)


@pytest.fixture(scope="module")
def demo_html(demo: Review) -> str:
    return build_letter(demo)


@pytest.fixture(scope="module")
def demo_docx(demo: Review, demo_html: str) -> bytes:
    return letter_docx(demo_html, chart_images(demo))


def _read(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def test_headings_in_the_order_of_the_html(demo_html: str, demo_docx: bytes) -> None:
    main = _soup(demo_html).find("main")
    assert isinstance(main, Tag)
    html_heads = [_text(h) for h in main.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])
                  if not h.find_parent(class_="screen-only")]  # the draft's panel never reaches Word
    doc = _read(demo_docx)
    word_heads = [" ".join(p.text.split()) for p in doc.paragraphs if p.style.name in HEADING_STYLES]
    assert len(html_heads) > 20
    assert word_heads == html_heads


def test_findings_text_as_in_the_html(demo_html: str, demo_docx: bytes) -> None:
    main = _soup(demo_html).find("main")
    assert isinstance(main, Tag)
    findings = [_text(t) for t in main.select(".finding")]
    assert len(findings) > 10
    paragraphs = [" ".join(p.text.split()) for p in _read(demo_docx).paragraphs]
    at = 0
    for finding in findings:  # each finding, in the same order
        at = next(i for i in range(at, len(paragraphs)) if paragraphs[i] == finding) + 1


def test_one_picture_per_chart_with_its_description(demo_html: str, demo_docx: bytes) -> None:
    svgs = _soup(demo_html).find_all("svg")
    descriptions = [_text(s.find("desc")) for s in svgs]
    titles = [_text(s.find("title")) for s in svgs]
    assert len(svgs) == 2  # the audit's overall grades and the one indicator a finding rests on
    doc = _read(demo_docx)
    pictures = list(doc.inline_shapes)
    assert len(pictures) == len(svgs)
    assert [p._inline.docPr.get("descr") for p in pictures] == descriptions
    assert [p._inline.docPr.get("title") for p in pictures] == titles
    assert all(p.width <= docx.shared.Cm(16) for p in pictures)
    media = [n for n in doc.part.package.parts if str(n.partname).startswith("/word/media/")]
    assert len(media) == len(svgs) and all(str(m.partname).endswith(".png") for m in media)


def test_each_picture_is_followed_by_its_data_table_then_its_description(demo_html: str, demo_docx: bytes) -> None:
    figures = _soup(demo_html).select("figure.chart-pair")
    body = list(_read(demo_docx).element.body.iterchildren())
    at_pictures = [i for i, el in enumerate(body) if el.tag == qn("w:p") and el.findall(".//" + qn("wp:docPr"))]
    assert len(at_pictures) == len(figures)
    for i, figure in zip(at_pictures, figures, strict=True):
        caption, table, description = body[i + 1], body[i + 2], body[i + 3]
        caption_text = "".join(t.text or "" for t in caption.iter(qn("w:t")))
        assert caption_text == _text(figure.find("caption"))
        assert table.tag == qn("w:tbl")
        assert "".join(t.text or "" for t in description.iter(qn("w:t"))) == _text(figure.find("figcaption"))
        pPr = body[i].find(qn("w:pPr"))
        assert pPr is not None and pPr.find(qn("w:keepNext")) is not None  # the picture stays with its table


def test_no_caption_says_the_table_is_beside_the_chart(demo_html: str, demo_docx: bytes) -> None:
    assert "beside it" not in demo_html
    assert all("beside it" not in p.text for p in _read(demo_docx).paragraphs)


def _field_codes(part_element: object) -> list[str]:
    return [(t.text or "").strip() for t in part_element.iter(qn("w:instrText"))]  # type: ignore[attr-defined]


def test_draft_header_and_page_x_of_y_footer(demo_docx: bytes) -> None:
    doc = _read(demo_docx)
    section = doc.sections[0]
    header = " ".join(p.text for p in section.header.paragraphs)
    assert header.startswith(DRAFT_MARK) and "check every statement" in header
    footer = section.footer.paragraphs[0]
    assert footer.text == "Page 1 of 1"  # the fields' text until Word updates them
    assert _field_codes(footer._p) == ["PAGE", "NUMPAGES"]
    assert not any("Draft for the review team" in p.text for p in doc.paragraphs)  # header only


def test_a_final_letter_has_no_draft_marking(demo_html: str) -> None:
    review = load_review(DEMO)
    final = dataclasses.replace(review, params=review.params.model_copy(update={"final": True}))
    html = build_letter(final)
    assert 'class="draft-banner"' not in html and 'class="draft-banner"' in demo_html
    doc = _read(letter_docx(html))
    assert not any(DRAFT_MARK in p.text for p in doc.sections[0].header.paragraphs)
    assert _field_codes(doc.sections[0].footer.paragraphs[0]._p) == ["PAGE", "NUMPAGES"]


def test_without_pictures_the_chart_is_its_table_and_description(demo_html: str) -> None:
    doc = _read(letter_docx(demo_html))
    assert len(list(doc.inline_shapes)) == 0
    assert any(p.style.name == "Caption" for p in doc.paragraphs)


def test_the_same_review_gives_identical_bytes(demo: Review, demo_html: str, demo_docx: bytes) -> None:
    assert letter_docx(demo_html, chart_images(demo)) == demo_docx


def test_collecting_draws_no_svg_and_leaves_the_page_unchanged(demo: Review, demo_html: str) -> None:
    with collect_charts() as found:
        stub = build_letter(demo)
    assert len(found) >= 2 and all(c.png.startswith(b"\x89PNG") for c in found.values())
    assert "<path" not in stub and stub.count("<svg") == 2
    assert build_letter(demo) == demo_html  # nothing collected outside the block
