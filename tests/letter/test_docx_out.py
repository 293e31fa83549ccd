"""The letter as a Word document: structure read back with python-docx, repeatable bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from support.paths import EditParams

from toolkit.letter.docx import FALLBACK_DATE, letter_docx
from toolkit.letter.sections import build_letter
from toolkit.review import load_review


def _read(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


@pytest.fixture
def mini_docx(mini: Path) -> tuple[bytes, DocxDocument]:
    data = letter_docx(build_letter(load_review(mini)))
    return data, _read(data)


def _is_header(row: object) -> bool:
    trPr = row._tr.trPr  # type: ignore[attr-defined]
    return trPr is not None and trPr.find(qn("w:tblHeader")) is not None


def test_headings_in_order(mini_docx: tuple[bytes, DocxDocument]) -> None:
    _, doc = mini_docx
    heads = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert heads[0] == ("Title", "Children's Services Peer Challenge: Fenwick Cross, February 2026")
    assert [t for s, t in heads if s in ("Heading 1", "Heading 2")] == [
        "1. Background", "2. Process", "3. Our findings",
        "3.1 Headline messages: strengths and areas for consideration",
        "3.2 How effectively the area identifies children and young people with SEND",
        "3.3 Co-production and partnership with parents and carers",
        "3.4 Timeliness of EHC plans",
        "4. Next steps",
    ]
    assert ("Heading 3", "Strengths") in heads and ("Heading 3", "Areas for consideration") in heads


def test_opening_address_scope_and_no_banner(mini_docx: tuple[bytes, DocxDocument]) -> None:
    _, doc = mini_docx
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "19th February 2026"
    assert texts[1] == "Sam Okoye\nDirector of Children's Services\nFenwick Cross Council"
    assert texts[2] == "Dear Sam"
    bullets = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("List Bullet")]
    assert ("List Bullet", "The accuracy of the self-evaluation, in particular") in bullets
    assert ("List Bullet 2", "Leadership") in bullets and ("List Bullet 2", "EHC plans") in bullets
    assert not any("Draft for the review team" in t for t in texts)


def test_finding_is_a_bold_statement_then_its_detail(mini_docx: tuple[bytes, DocxDocument]) -> None:
    _, doc = mini_docx
    para = next(p for p in doc.paragraphs if p.text.startswith("Health visitors pick up speech delay early."))
    runs = [(r.text, bool(r.bold)) for r in para.runs]
    assert runs == [("Health visitors pick up speech delay early.", True),
                    (" The two-year check includes a language screen used across all clinics.", False)]


def test_counts_and_escaped_text(mini_docx: tuple[bytes, DocxDocument]) -> None:
    data, doc = mini_docx
    texts = [p.text for p in doc.paragraphs]
    assert any("recorded ten strengths and areas for consideration" in t for t in texts)
    assert any("four strengths and five areas for consideration in this letter" in t for t in texts)
    forum = next(t for t in texts if t.startswith("The forum shapes strategy"))
    assert "<script>alert(1)</script>" in forum and "workstream & chair one" in forum  # literal text
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in z.read("word/document.xml").decode("utf-8")


def test_page_font_and_properties(mini_docx: tuple[bytes, DocxDocument]) -> None:
    _, doc = mini_docx
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    assert abs(section.left_margin - Cm(2.5)) < Cm(0.01)
    normal = doc.styles["Normal"].font
    assert normal.name == "Arial" and normal.size.pt == 11
    props = doc.core_properties
    assert props.title == "Children's Services Peer Challenge: Fenwick Cross, February 2026"
    assert props.language == "en-GB"
    when = dt.datetime(2026, 2, 19, tzinfo=dt.UTC)
    assert props.created == props.modified == props.last_printed == when
    langs = {el.get(qn("w:val")) for el in doc.styles.element.iter(qn("w:lang"))}
    assert langs == {"en-GB"}


def test_same_html_gives_identical_bytes(mini: Path) -> None:
    html = build_letter(load_review(mini))
    first = letter_docx(html)
    assert letter_docx(html) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
    assert {i.date_time for i in infos} == {(2026, 2, 19, 0, 0, 0)}
    assert not any("thumbnail" in i.filename for i in infos)


def test_without_a_letter_date_the_dates_are_constant() -> None:
    html = "<html><head><title>T</title></head><body><main><h1>T</h1><p>Text</p></main></body></html>"
    data = letter_docx(html)
    assert data == letter_docx(html)
    assert _read(data).core_properties.created == FALLBACK_DATE.replace(tzinfo=dt.UTC)


def test_markup_subset() -> None:
    html = """<main><p class="draft-banner">Banner</p>
<p>One <strong>bold</strong>, <em>leaning</em> and<br>
broken   line.</p>
<ul><li>top<ul><li>second<ul><li>third<ul><li>fourth</li></ul></li></ul></li></ul></li></ul>
<ol><li>first</li><li>second</li></ol>
<table><tr><th>Name</th><th class="num">N</th></tr><tr><th scope="row">a</th><td class="num">1</td></tr>
<tr><td colspan="2">both</td></tr></table>
</main>"""
    doc = _read(letter_docx(html))
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Normal", "Banner") not in paras
    assert ("Normal", "One bold, leaning and\nbroken line.") in paras
    assert [s for s, t in paras if t in ("top", "second", "third", "fourth") and s.startswith("List Bullet")] == [
        "List Bullet", "List Bullet 2", "List Bullet 3", "List Bullet 3"]
    assert ("List Continue", "1. first") in paras and ("List Continue", "2. second") in paras
    table = doc.tables[0]
    assert _is_header(table.rows[0])  # a first row of <th> is the header without a <thead>
    assert table.rows[1].cells[0].paragraphs[0].runs[0].bold
    assert table.rows[1].cells[1].paragraphs[0].alignment == 2  # right
    assert table.rows[2].cells[0].text == "both" and len(table.rows[2]._tr.tc_lst) == 1


def test_charts_become_their_data_tables(mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    mini, _, _ = mini_perf
    html = build_letter(load_review(mini))
    assert "<svg" in html
    data = letter_docx(html)
    doc = _read(data)
    tables = doc.tables
    assert len(tables) >= 3  # the summary table, the chart's table and the appendix's
    for table in tables:
        assert _is_header(table.rows[0]) and not _is_header(table.rows[-1])
        caption = table._tbl.tblPr.find(qn("w:tblCaption"))
        assert caption is not None and caption.get(qn("w:val"))
    assert [c.text for c in tables[0].rows[0].cells][-1] == "What it shows"
    assert [c.text for c in tables[1].rows[0].cells][0] == "Period"
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert "The figures we looked at most closely" in captions
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("Line chart of ") for t in texts)  # the chart's description is kept
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert not any(n.startswith("word/media/") for n in z.namelist())
        assert "<svg" not in z.read("word/document.xml").decode("utf-8")
    assert letter_docx(html) == data


@pytest.mark.slow
def test_draft_writes_letter_docx_when_asked(mini: Path, edit_params: EditParams) -> None:
    from toolkit.build.render import draft

    edit_params(mini, lambda d: d.update(outputs=["html", "docx"]))
    result = draft(mini)
    docx_path = result.folder / "letter.docx"
    assert docx_path.is_file()
    html = result.letter.read_text(encoding="utf-8")
    assert docx_path.read_bytes() == letter_docx(html)
    assert _read(docx_path.read_bytes()).paragraphs[0].text == "19th February 2026"
    # drafting again without docx removes the Word copy rather than leave a stale one
    edit_params(mini, lambda d: d.update(outputs=["html"]))
    draft(mini)
    assert not docx_path.exists() and result.letter.is_file()


def test_every_panel_item_is_a_comment_on_its_findings_first_paragraph() -> None:
    """Whatever check made it, each item of the panel is a comment on its own finding (two on one
    finding are two comments); an item whose row the letter does not show (a self-evaluation row,
    a progress mark) is a comment on the letter's first paragraph, never dropped."""
    html = """<html><body><main>
<p class="letter-date">3rd March 2026</p>
<aside class="check-panel screen-only" data-comment-author="Toolkit">
<ul><li data-finding-ref="a-1" data-comment="First &amp; only.">x</li>
<li data-finding-ref="b-2" data-comment="Band check.">y</li><li data-finding-ref="b-2" data-comment="Trend check.">z</li>
<li data-finding-ref="gone" data-comment="Never shown.">w</li></ul></aside>
<p class="finding" data-finding="a-1"><strong>Alpha statement.</strong> Its detail.</p>
<p class="finding-more" data-finding="a-1">More of alpha.</p>
<ul class="finding-list"><li class="finding" data-finding="b-2"><strong>Beta statement.</strong> Detail.</li></ul>
</main></body></html>"""
    data = letter_docx(html)
    doc = _read(data)
    comments = list(doc.comments)
    assert [(c.author, c.text) for c in comments] == [
        ("Toolkit", "First & only."), ("Toolkit", "Band check."), ("Toolkit", "Trend check."),
        ("Toolkit", "Never shown.")]
    assert all(c.timestamp == dt.datetime(2026, 3, 3, tzinfo=dt.UTC) for c in comments)
    starts = {p.text: [s.get(qn("w:id")) for s in p._p.iter(qn("w:commentRangeStart"))] for p in doc.paragraphs}
    assert starts["Alpha statement. Its detail."] == ["0"]
    assert starts["Beta statement. Detail."] == ["1", "2"]
    assert starts["3rd March 2026"] == ["3"]
    assert not any("x" == p.text or "Never shown." in p.text for p in doc.paragraphs)  # the panel itself is left out
    assert letter_docx(html) == data  # the comments' dates are the letter's: the same bytes


def test_a_layout_that_needs_no_fixing() -> None:
    """A demo's Word copy: columns sized to their text (a label column wider than a number
    column), no row split across pages, headers repeated and kept with the first row, the last
    row never alone, the appendix on a new page, the date where the stylesheet puts it (right),
    and room to sign."""
    root = Path(__file__).parents[2]
    doc = _read(letter_docx(build_letter(load_review(root / "params" / "harrowdene-2026.yaml"))))
    assert doc.paragraphs[0].text == "5th February 2026" and doc.paragraphs[0].alignment == 2  # RIGHT
    grades = next(t for t in doc.tables if t.rows[0].cells[0].text == "Section")
    widths = [c.width for c in grades.columns]
    assert widths[0] > 2 * max(widths[1:]) and sum(widths) <= Cm(16.05)
    assert grades._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    for table in doc.tables:
        rows = table.rows
        assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
        assert _is_header(rows[0]) and all(p.paragraph_format.keep_with_next for p in rows[0].cells[0].paragraphs)
        if len(rows) >= 3:
            assert rows[-2].cells[0].paragraphs[0].paragraph_format.keep_with_next
        assert len({c.width for c in table.columns}) > 1 or len(table.columns) == 1
    appendix = next(p for p in doc.paragraphs if p.text.startswith("Appendix"))
    assert appendix.paragraph_format.page_break_before
    sign = next(p for p in doc.paragraphs if p.text == "Yours sincerely")
    assert sign.paragraph_format.keep_with_next and sign.paragraph_format.space_after >= Pt(40)
