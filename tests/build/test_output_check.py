"""Every document of every demo, and of generated reviews, read as a reader reads it
(:mod:`toolkit.build.output_check`): no program value, no template left-over, no acronym in lower
case, no sentences run together, and the same counts in every document.

The demos and ``PEER_REVIEW_CHECK_GENERATED`` generated reviews (default 2; the issue's full
check is 20: ``PEER_REVIEW_CHECK_GENERATED=20 .venv/bin/python -m pytest tests/build/test_output_check.py``)
are drafted once for the module, with every output and the briefing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import DEMO_PARAMS

from toolkit.build.output_check import DOCUMENTS, Problem, check_documents, check_folder, pdf_text, stated_counts
from toolkit.build.pdf import pdf_unavailable
from toolkit.letter.glossary import glossary_for
from toolkit.review import load_review

GENERATED = int(os.environ.get("PEER_REVIEW_CHECK_GENERATED", "2"))
ALL_OUTPUTS = ["html", "docx", "pdf", "pptx"]


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
    fine = ["We will send the letter by 27th February 2026.", "None of the plans was late.",
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
def _cli(*args: str | Path) -> None:
    env = {**os.environ, "PEER_REVIEW_DAEMON": "off"}
    res = subprocess.run([sys.executable, "-m", "toolkit.cli", *map(str, args)], capture_output=True, text=True,
                         timeout=1800, env=env)
    assert res.returncode == 0, res.stderr[-3000:]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """The demos and the generated reviews, each drafted with every output and its briefing:
    (parameters file, report folder) of each."""
    work = tmp_path_factory.mktemp("outputs")
    _cli("demo", "-n", str(GENERATED), "--out", work / "generated", "--seed", "25")
    generated = sorted((work / "generated" / "params").glob("*.yaml"))
    for params in generated:
        data = yaml.safe_load(params.read_text(encoding="utf-8"))
        data["outputs"] = ALL_OUTPUTS
        params.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out: list[tuple[Path, Path]] = []
    for group, reports in ((list(DEMO_PARAMS), work / "demos"), (generated, work / "generated" / "reports")):
        _cli("draft", "--reports", reports, *group)
        _cli("briefing", "--reports", reports, *group)
        out += [(params, reports / load_review(params).review_id) for params in group]
    return out


@pytest.mark.slow  # drafts every demo and the generated reviews (kernels, Chromium)
def test_no_reader_meets_a_leak_a_wrong_case_or_a_disagreement(drafted: list[tuple[Path, Path]]) -> None:
    problems: list[str] = []
    seen = {name: 0 for name in DOCUMENTS}
    for params, folder in drafted:
        review = load_review(params)
        for name in DOCUMENTS:
            seen[name] += (folder / name).is_file()
        problems += [f"{review.review_id}: {p}" for p in check_folder(folder, glossary_for(review))]
    assert not problems, "\n".join(problems)
    assert seen["letter.html"] == len(drafted) and seen["letter.docx"] >= len(drafted) - 1
    assert seen["slides.pptx"] >= GENERATED and seen["briefing.html"] >= 1
    if pdf_unavailable() is None and shutil.which("pdftotext"):
        assert seen["letter.pdf"] >= len(drafted) - 1
        assert pdf_text(drafted[-1][1] / "letter.pdf")  # text read, not an empty page
