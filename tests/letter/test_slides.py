"""The day-three deck (slides.pptx) read back with python-pptx: the fixed slides, one slide per
headline message, each KLOE's findings with their detail in the notes, the charts as pictures
with alternative text, a region's own template and words, repeatable bytes. No kernel."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.presentation import Presentation as PptxPresentation
from pptx.slide import Slide
from support.paths import EditParams

from toolkit.inputs.findings import Kind
from toolkit.inputs.styles import STYLES_DIR
from toolkit.letter.deck import PER_SLIDE, charts_by_section, deck_outline
from toolkit.letter.sections import build_letter
from toolkit.letter.slides_pptx import WIDE, letter_slides, write_deck
from toolkit.review import Review, load_review

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "params" / "harrowdene-2026.yaml"  # audit and performance charts, urgent actions, a SEF


@pytest.fixture(scope="module")
def demo() -> Review:
    return load_review(DEMO)


@pytest.fixture(scope="module")
def demo_pptx(demo: Review) -> bytes:
    """The demo's deck without its charts (drawing fifteen charts takes seconds: the pictures are
    tested on the small review with data, below)."""
    return letter_slides(demo, {})


def read(data: bytes) -> PptxPresentation:
    return Presentation(io.BytesIO(data))


def title_of(slide: Slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def body_of(slide: Slide) -> list[str]:
    title = slide.shapes.title
    return [p.text for sh in slide.shapes if sh.has_text_frame and (title is None or sh.shape_id != title.shape_id)
            for p in sh.text_frame.paragraphs]


def notes_of(slide: Slide) -> list[str]:
    return [p.text for p in slide.notes_slide.notes_text_frame.paragraphs] if slide.has_notes_slide else []


def test_fixed_slides_open_and_close_the_deck(demo: Review, demo_pptx: bytes) -> None:
    prs = read(demo_pptx)
    titles = [title_of(s) for s in prs.slides]
    assert titles[:4] == ["SEND Peer Review: Harrowdene, January 2026", "The review team",
                          "What you asked us to look at", "How we went about it"]
    assert titles[-1] == "Next steps"
    assert all(titles) and len(set(titles)) == len(titles)  # every slide has a title of its own
    assert prs.slide_width == WIDE and prs.slide_height == 6858000
    cover = body_of(prs.slides[0])
    assert cover[:2] == ["Feedback from the review team to Harrowdene and its partners", "22nd January 2026"]
    assert cover[-1] == "DRAFT: for the review team to check before it is presented"  # not the letter's banner
    team = body_of(prs.slides[1])
    assert team[0] == "Siobhan Kerrigan, Director of Education and Skills, Saltwyke City Council (lead reviewer)"
    assert len(team) == len(demo.params.team) + 1
    scope = body_of(prs.slides[2])
    assert "the SEND Improvement Board" in scope
    assert all(notes_of(s) for s in prs.slides if title_of(s) != "Key lines of enquiry")


def test_one_slide_per_headline_message_with_its_detail_in_the_notes(demo: Review, demo_pptx: bytes) -> None:
    slides = list(read(demo_pptx).slides)
    for kind, label in ((Kind.STRENGTH, "Headline strength"), (Kind.AREA, "Headline area for consideration")):
        found = demo.findings.headlines(kind)
        mine = [s for s in slides if title_of(s).startswith(label + " ")]
        assert [title_of(s) for s in mine] == [f"{label} {n} of {len(found)}" for n in range(1, len(found) + 1)]
        for slide, f in zip(mine, found, strict=True):
            assert body_of(slide) == [f.statement]
            assert f.detail.split("\n\n")[0] in notes_of(slide)


def test_every_finding_and_every_sentence_of_its_detail_is_in_the_deck(demo: Review, demo_pptx: bytes) -> None:
    slides = list(read(demo_pptx).slides)
    shown = {line for s in slides for line in body_of(s)}
    notes = {line for s in slides for line in notes_of(s)}
    kept = demo.findings.included
    assert len(kept) > 40
    for f in kept:
        assert f.statement in shown, f.statement
        for para in f.detail.split("\n\n"):
            assert not para or para in notes, para


def test_each_kloe_has_its_strengths_then_its_areas_in_the_style_order(demo: Review, demo_pptx: bytes) -> None:
    titles = [title_of(s) for s in read(demo_pptx).slides]
    at = [titles.index(f"{k.title}: strengths") for k in demo.scope.kloes]
    assert at == sorted(at)
    for k in demo.scope.kloes:
        areas = [t for t in titles if t.startswith(f"{k.title}: areas for consideration")]
        n = len(demo.findings.for_kloe(k.id, Kind.AREA))
        assert len(areas) == max(1, -(-n // PER_SLIDE))
    # the standard letter: headlines, KLOEs, (audit, data,) self-evaluation, urgent actions, next steps
    assert titles.index("Headline strength 1 of 3") < at[0]
    assert at[-1] < titles.index("Your self-evaluation and the peers' view") < titles.index("Recommended urgent actions")


def test_charts_are_pictures_with_their_description_as_alternative_text(mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    review = load_review(mini_perf[0])
    charts = charts_by_section(review)
    drawn = [c for section in charts.values() for c in section]
    assert set(charts) == {"performance"} and drawn
    data = letter_slides(review, charts)
    pictures = [(s, sh) for s in read(data).slides for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == len(drawn)
    for (slide, pic), chart in zip(pictures, drawn, strict=True):
        c_nv_pr = pic._element.nvPicPr.cNvPr
        assert c_nv_pr.get("descr") == chart.description and chart.description
        assert c_nv_pr.get("title") == chart.title == title_of(slide)
        assert notes_of(slide) == [chart.description]
        assert pic.image.blob == chart.png
    assert letter_slides(review) == data  # the charts drawn again give the same bytes


def test_same_review_gives_identical_bytes(demo: Review, demo_pptx: bytes) -> None:
    assert letter_slides(demo, {}) == demo_pptx
    with zipfile.ZipFile(io.BytesIO(demo_pptx)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
    assert {i.date_time for i in infos} == {(2026, 1, 22, 0, 0, 0)}
    assert not any("thumbnail" in i.filename for i in infos)
    props = read(demo_pptx).core_properties
    when = dt.datetime(2026, 1, 22)
    assert props.created == props.modified == props.last_printed == when
    assert props.author == props.last_modified_by == props.comments == ""
    assert props.title == "SEND Peer Review: Harrowdene, January 2026" and props.language == "en-GB"


def test_a_final_review_has_no_draft_marking(demo: Review) -> None:
    final = dataclasses.replace(demo, params=demo.params.model_copy(update={"final": True}))
    cover = read(write_deck(deck_outline(final, {}), final.params.visit.presentation_date)).slides[0]
    assert not any("DRAFT" in line for line in body_of(cover))


def test_a_report_style_follows_its_own_sections() -> None:
    review = load_review(ROOT / "params" / "brindleford-2026.yaml")  # west-midlands: the report form
    titles = [s.title for s in deck_outline(review, {}).slides]
    assert titles[1:3] == ["The review team", "What you asked us to look at"]
    assert titles[3] == "Key lines of enquiry"  # the report lists its KLOEs before its method
    assert titles.index("How we went about it") < titles.index("Headline strength 1 of 2")
    assert titles.count("The review team") == 1 and titles[-1] == "Next steps"


def test_free_text_is_text_and_a_regions_template_and_words_are_used(mini: Path, edit_params: EditParams) -> None:
    style = mini.parents[1] / "styles" / "region"
    style.mkdir(parents=True)
    shutil.copy(STYLES_DIR / "standard" / "document.yaml", style)  # a style lists its own sections
    (style / "slides.yaml").write_text("team_title: Who came\n", encoding="utf-8")
    template = Presentation()  # 4:3, with a slide of its own that the deck must leave out
    template.slides.add_slide(template.slide_layouts[6])
    template.save(str(style / "slides.pptx"))
    edit_params(mini, lambda d: d.update(letter_style="styles/region"))
    review = load_review(mini)
    data = letter_slides(review)
    prs = read(data)
    assert prs.slide_width == 9144000  # the template's own size
    titles = [title_of(s) for s in prs.slides]
    assert titles[1] == "Who came" and titles[-1] == "Next steps"
    assert all(titles)  # the template's own slide is gone
    lines = [line for s in prs.slides for line in body_of(s)]
    assert "The forum shapes strategy <script>alert(1)</script> from the start." in lines
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        slides_xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("ppt/slides/slide"))
        notes_xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("ppt/notesSlides/"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in slides_xml and "<script>" not in slides_xml
    assert "Forum members sit on every workstream &amp; chair one." in notes_xml


def _deck_lines(review: Review) -> list[str]:
    deck = deck_outline(review, {})
    return [line for s in deck.slides for line in (s.title, *(x.text for x in s.lines), *s.notes)]


def test_the_deck_words_counts_as_the_letter_does(demo: Review) -> None:
    """The method slide's counts are the letter's (a count with its qualifier, never its fields);
    the activities keep their acronyms; a follow-up has its progress slide; each SEF note is a
    paragraph of its own."""
    text = " ".join(_deck_lines(demo))
    assert "More than 110 people met" in text and "qualifier=" not in text and "number=" not in text
    assert "observation of the SEND Improvement Board and a review of EHC plans" in text
    letter = BeautifulSoup(build_letter(demo), "html.parser").get_text(" ", strip=True)
    assert "recorded 51 strengths and areas for consideration" in letter and "51 strengths and areas" in text
    deck = deck_outline(demo, {})
    progress = next(s for s in deck.slides if s.title == "Progress since the last review")
    assert [line.text for line in progress.lines[1:]] == ["three addressed", "six progressing", "four not yet addressed",
                                                          "one no longer relevant"]
    sef = next(s for s in deck.slides if s.title.startswith("Your self-evaluation"))
    assert len(sef.notes) == len(demo.sef.judgements) and all(": " in n for n in sef.notes)


def test_a_styles_own_vocabulary_and_the_decks_own_draft_mark() -> None:
    """The West Midlands says "opportunities to consider" and "report" in its deck as in its report;
    the draft mark is the deck's, not the letter's banner."""
    review = load_review(ROOT / "params" / "brindleford-2026.yaml")
    lines = _deck_lines(review)
    assert any(line.endswith(": opportunities to consider") for line in lines)
    assert not any("areas for consideration" in line or "area for consideration" in line for line in lines)
    assert any("sends the report" in line for line in lines)
    mark = deck_outline(review, {}).slides[0].mark
    assert mark.startswith("DRAFT") and "letter is sent" not in mark and "report is sent" not in mark
