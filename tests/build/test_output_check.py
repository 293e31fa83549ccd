"""Every document of every demo, and of generated reviews, read as a reader reads it
(:mod:`toolkit.build.output_check`): no program value, no template left-over, no acronym in lower
case, no sentences run together, and the same counts in every document.

Every demo, and ``PEER_REVIEW_CHECK_GENERATED`` generated reviews (``peer-review demo``; 2 by
default, to keep ``make test`` short; the issue's full check is 20:
``PEER_REVIEW_CHECK_GENERATED=20 .venv/bin/python -m pytest -p no:xdist tests/build/test_output_check.py``),
with every document built in-process as the draft and the briefing build them (no kernel).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import DEMO_PARAMS

from toolkit.build.output_check import Problem, check_documents, read_documents, stated_counts
from toolkit.build.pdf import letter_pdf, pdf_unavailable
from toolkit.build.render import draft_banner
from toolkit.letter.briefing import build_briefing
from toolkit.letter.deck import charts_by_section
from toolkit.letter.docx import letter_docx
from toolkit.letter.glossary import glossary_for
from toolkit.letter.sections import build_letter
from toolkit.letter.slides_pptx import letter_slides
from toolkit.review import Review, load_review

GENERATED = int(os.environ.get("PEER_REVIEW_CHECK_GENERATED", "2"))


# the checker itself: each kind of problem found, and the words that look alike left alone ------
def _kinds(problems: list[Problem]) -> set[str]:
    return {p.kind for p in problems}


def test_the_leaks_the_issue_found_are_each_caught() -> None:
    deck = ["number=90 qualifier='over' people met", "a review of a sample of ehc plans",
            "visits to the rural send hubs", "observation of the send improvement board",
            "Leadership: support the area's view.Graduated response: strong", "Owner: None, due nan",
            "{{ p.people_met }}", "<toolkit.review.Review object at 0x7f00>", "Themes: []"]
    kinds = _kinds(check_documents({"slides.pptx": deck}, ["EHC", "SEND"]))
    assert {"field dump", "acronym EHC in lower case", "acronym SEND in lower case", "sentences run together",
            "None", "nan", "template left-over", "object repr", "empty list"} <= kinds


def test_english_words_and_ordinary_text_are_not_problems() -> None:
    fine = ["We will send the letter by 27th February 2026.", "Publish its decisions, and send schools an account.", "None of the plans was late.",
            "Self-evaluation: None named", "The SEND Improvement Board meets monthly.",
            "EHC plans, e.g. those for young people in Year 11, were read.", "Dr Ruth Mensah, 10.5% of pupils"]
    assert check_documents({"letter.html": fine}, ["EHC", "SEND", "SALT"]) == []


def test_counts_must_agree_between_documents() -> None:
    letter = ["the team met over 90 people", "In all the team recorded over 80 strengths and areas for consideration.",
              "We refined these to the 24 strengths and 26 areas for consideration in this letter"]
    deck = ["Over 90 people met", "57 strengths and areas for consideration recorded, refined to the 24 strengths "
            "and 26 areas for consideration in this presentation"]
    assert stated_counts(deck) == {"people met": {"over 90"}, "findings recorded": {"57"}, "findings kept": {"24 / 26"}}
    problems = check_documents({"letter.html": letter, "slides.pptx": deck}, [])
    assert [p.kind for p in problems] == ["findings recorded differ between documents"]
    words = ["the team met over ninety people"]  # a number the letter writes in words is the same count
    assert check_documents({"a.html": ["We met ten people."], "b.pptx": ["10 people met"]}, []) == []
    assert check_documents({"a.html": words}, []) == []


# every document of the demos and of generated reviews --------------------------------------------
def write_documents(review: Review, folder: Path) -> Path:
    """Every document of the review, as ``peer-review draft`` (every output) and ``peer-review
    briefing`` write them, built in this process (the page is the one nbconvert produces, without
    a kernel): the checker reads what a reader gets."""
    folder.mkdir(parents=True, exist_ok=True)
    html = build_letter(review)
    (folder / "letter.html").write_text(html, encoding="utf-8")
    charts = charts_by_section(review)
    (folder / "letter.docx").write_bytes(letter_docx(html, {c.id: c for drawn in charts.values() for c in drawn}))
    (folder / "slides.pptx").write_bytes(letter_slides(review, charts))
    (folder / "briefing.html").write_text(build_briefing(review), encoding="utf-8")
    if pdf_unavailable() is None:
        (folder / "letter.pdf").write_bytes(letter_pdf(html, draft=draft_banner(html), when=review.params.letter_day))
    return folder


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """``PEER_REVIEW_CHECK_GENERATED`` generated reviews' parameters files (``peer-review demo``)."""
    work = tmp_path_factory.mktemp("generated")
    res = subprocess.run([sys.executable, "-m", "toolkit.cli", "demo", "-n", str(GENERATED), "--out", str(work),
                          "--seed", "25"], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PEER_REVIEW_DAEMON": "off"})
    assert res.returncode == 0, res.stderr
    return sorted((work / "params").glob("*.yaml"))


def _check(params: Path, folder: Path) -> list[str]:
    review = load_review(params)
    write_documents(review, folder)
    found = read_documents(folder)
    assert {"letter.html", "letter.docx", "slides.pptx", "briefing.html"} <= set(found)
    if pdf_unavailable() is None and shutil.which("pdftotext"):
        assert found["letter.pdf"], "the PDF's text was not read"
    return [f"{review.review_id}: {p}" for p in check_documents(found, glossary_for(review))]


@pytest.mark.slow  # every document of every demo (Chromium prints each PDF)
@pytest.mark.parametrize("params", DEMO_PARAMS, ids=[p.stem for p in DEMO_PARAMS])
def test_no_reader_meets_a_leak_a_wrong_case_or_a_disagreement_in_a_demo(params: Path, tmp_path: Path) -> None:
    problems = _check(params, tmp_path)
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_nor_in_generated_reviews(generated: list[Path], tmp_path: Path) -> None:
    assert len(generated) == GENERATED
    problems = [line for params in generated for line in _check(params, tmp_path / params.stem)]
    assert not problems, "\n".join(problems)
