"""The review's own words (``letter_text``) printed in place of the letter's own paragraphs (issue 28)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from bs4 import BeautifulSoup
from conftest import FIXTURES
from docx import Document

from toolkit.letter.docx import letter_docx_parts
from toolkit.letter.docx_parts import places
from toolkit.letter.own_words import apply_own_words
from toolkit.letter.sections import build_letter
from toolkit.review import Review, check

SCOPE = ('<h1>Title</h1><p>Opening.</p><ul class="scope"><li>First item</li><li>Second item<ul><li>Sub one</li>'
         '<li>Sub two</li></ul></li></ul><p>Welcome.</p>')


def _parts(html: str) -> list[tuple[str, str]]:
    soup = BeautifulSoup(html, "html.parser")
    tags = {id(t): t for t in soup.find_all(True)}
    return [(place.part, tags[i].get_text(" ", strip=True)) for i, place in places(soup).items()]


def _review(tmp_path: Path, own: str) -> Review:
    shutil.copytree(FIXTURES / "mini", tmp_path / "proj")
    params = tmp_path / "proj" / "params" / "mini.yaml"
    params.write_text(params.read_text(encoding="utf-8") + own, encoding="utf-8")
    review = check(params).review
    assert review is not None
    return review


def test_own_words_replace_a_paragraph_and_keep_every_places_name() -> None:
    before = _parts(SCOPE)
    assert [p for p, _ in before] == ["heading:title", "text:title:1", "text:title:2", "text:title:3",
                                      "text:title:4", "text:title:5", "text:title:6"]
    html = apply_own_words([SCOPE], {"title:3": "Our <own> item", "title:2": "", "title:6": "Thanks."})[0]
    after = _parts(html)
    assert [p for p, _ in after] == [p for p, _ in before]  # a later edit names the same paragraphs
    assert dict(after)["text:title:3"] == "Our <own> item Sub one Sub two"  # its sub-list kept
    assert "Our &lt;own&gt; item" in html and '<li hidden=""></li>' in html
    assert dict(after)["text:title:6"] == "Thanks." and dict(after)["text:title:4"] == "Sub one"


def test_no_own_words_leave_the_sections_as_rendered() -> None:
    htmls = [SCOPE, "<p>Other &amp; more</p>"]
    assert apply_own_words(htmls, {}) == htmls
    assert apply_own_words(htmls, {"title:1": "New."})[1] is htmls[1]


def test_the_letter_and_its_word_copy_print_the_reviews_own_words(tmp_path: Path) -> None:
    review = _review(tmp_path, "letter_text:\n  title:7: We came as peers.\n  next-steps:2: ''\n")
    html = build_letter(review)
    assert "We came as peers." in html and "This was a review by peers" not in html
    data, _ = letter_docx_parts(html)
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert "We came as peers." in texts
    assert not any(t.startswith("This letter should describe") for t in texts)
    assert "" not in texts  # the paragraph left out is not an empty paragraph in Word
