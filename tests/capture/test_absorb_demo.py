"""The Word round trip on a demo review, through the CLI (issue 28, items 3 and 4; slow: two drafts).

harrowdene-2025 (findings in two CSV files and a workbook) is drafted with every output, its
letter.docx edited with python-docx in every way a coordinator edits it, absorbed, and drafted
again: the new letter.docx says what the copy says, paragraph by paragraph, except what absorb
listed; the HTML, the PDF, the deck and the notebook carry the edited words; verify passes; the
follow-up review (harrowdene-2026) lists the previous letter's areas in the edited words; a
second absorb changes no byte.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.text.paragraph import Paragraph
from pptx import Presentation
from support.paths import ROOT

from toolkit.inputs.letter_changes import normalise_text
from toolkit.review import load_review

pytestmark = pytest.mark.slow

REVIEW = "harrowdene-2025"
EDITED = {  # finding id: its new statement
    "h25-go-005": "Report to the board on what has changed for children, not only on actions completed.",
}
NEW_DETAIL = "Families told us they want to see that their views changed something."
ADDED = "Leaders now publish a monthly SEND newsletter. Parents said it helped them follow the plan."
OWN_WORDS = "This was a peer review, not an inspection: we offer what we found to support your improvement."


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PEER_REVIEW_DAEMON": "off"}
    return subprocess.run([sys.executable, "-m", "toolkit.cli", *args], capture_output=True, text=True,
                          cwd=project, env=env, timeout=600)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    shutil.copytree(ROOT / "params", proj / "params")
    for folder in (REVIEW, "harrowdene-2026", "performance"):
        shutil.copytree(ROOT / "data" / folder, proj / "data" / folder)
    params = proj / "params" / f"{REVIEW}.yaml"
    text = params.read_text(encoding="utf-8").replace("outputs: [html]\n", "outputs: [html, ipynb, docx, pdf, pptx]\n")
    params.write_text(text, encoding="utf-8")
    res = _cli(proj, "draft", f"params/{REVIEW}.yaml")
    assert res.returncode == 0, res.stderr
    return proj


def _find(paragraphs: list[Paragraph], start: str) -> Paragraph:
    return next(p for p in paragraphs if normalise_text(p.text).startswith(start))


def _statement(finding_id: str) -> str:
    review = load_review(ROOT / "params" / f"{REVIEW}.yaml")
    return next(f.statement for f in review.findings.all if f.id == finding_id)


def _set_words(p: Paragraph, words: str) -> None:
    p.runs[0].text = words
    for r in p.runs[1:]:
        r.text = ""


def _edit(draft: Path, copy: Path) -> None:
    doc = Document(str(draft))
    ps = doc.paragraphs
    go5 = _find(ps, _statement("h25-go-005"))
    next(r for r in go5.runs if r.bold).text = EDITED["h25-go-005"]  # reworded (a CSV file's)
    nf2 = _find(ps, _statement("h25-nf-002"))
    plain = [r for r in nf2.runs if not r.bold]
    plain[0].text = " " + NEW_DETAIL  # detail reworded (the workbook's)
    for r in plain[1:]:
        r.text = ""
    gone = _find(ps, _statement("h25-go-010"))
    gone._p.getparent().remove(gone._p)  # deleted
    _find(ps, _statement("h25-go-012"))._p.addnext(_find(ps, _statement("h25-iq-003"))._p)  # moved to lt-pfa
    _find(ps, _statement("h25-go-009"))._p.addnext(_find(ps, _statement("h25-iq-004"))._p)  # a strength, now an area
    go6 = _find(ps, _statement("h25-go-006"))
    go5._p.addprevious(go6._p)  # re-ordered
    strengths = _find(ps, _statement("h25-go-004"))
    new = strengths.insert_paragraph_before("")  # a new paragraph, first among the governance strengths
    new.style = strengths.style
    first, rest = ADDED.split(". ", 1)
    new.add_run(first + ".").bold = True
    new.add_run(" " + rest)
    _set_words(_find(ps, "This was a review by peers"), OWN_WORDS)  # the letter's own words
    doc.save(str(copy))


def _texts(path: Path) -> list[str]:
    return [t for t in (normalise_text(p.text) for p in Document(str(path)).paragraphs) if t]


def _hashes(project: Path) -> dict[str, str]:
    return {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in ("params", "data") for p in sorted((project / folder).rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}


def test_the_sent_letter_becomes_the_record(project: Path) -> None:
    report = project / "reports" / REVIEW
    copy = project / "edited.docx"
    _edit(report / "letter.docx", copy)
    absorbed = _cli(project, "absorb", f"params/{REVIEW}.yaml", "edited.docx")
    assert absorbed.returncode == 0, absorbed.stdout + absorbed.stderr
    said = absorbed.stdout
    assert "conflicts: 0" in said
    redraft = _cli(project, "draft", f"params/{REVIEW}.yaml")
    assert redraft.returncode == 0, redraft.stderr

    # letter.docx: the copy's words, paragraph by paragraph, except what absorb listed
    edited, now = _texts(copy), _texts(report / "letter.docx")
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, edited, now, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        for text in [*edited[a1:a2], *now[b1:b2]]:
            assert text[:60] in " ".join(said.split()), f"not listed by absorb: {text!r}"
    assert OWN_WORDS in now and ADDED in now
    assert any(t.startswith(EDITED["h25-go-005"]) for t in now)

    # the HTML, the PDF, the deck and the notebook say the same
    html = " ".join((report / "letter.html").read_text(encoding="utf-8").split())
    pdf = subprocess.run(["pdftotext", "-layout", str(report / "letter.pdf"), "-"], capture_output=True,
                         text=True, check=True).stdout if shutil.which("pdftotext") else html
    deck = " ".join(sh.text_frame.text for s in Presentation(str(report / "slides.pptx")).slides
                    for sh in s.shapes if sh.has_text_frame)
    notebook = json.dumps(json.loads((report / "letter.ipynb").read_text(encoding="utf-8")))
    for words in (EDITED["h25-go-005"], "Leaders now publish a monthly SEND newsletter."):
        assert words in html and words in " ".join(deck.split())
        assert re.sub(r"\s+", " ", words) in " ".join(pdf.split())
        assert json.dumps(words)[1:-1] in notebook
    assert _statement("h25-go-010") not in html and _statement("h25-go-010") not in deck
    assert OWN_WORDS in html and NEW_DETAIL in html
    assert _cli(project, "verify", str(report)).returncode == 0

    # the follow-up review lists the previous letter's areas in the edited words
    follow_up = load_review(project / "params" / "harrowdene-2026.yaml")
    assert follow_up.previous is not None
    items = {i.id: i for i in follow_up.previous.items}
    assert items["h25-go-005"].statement == EDITED["h25-go-005"]
    assert items["h25-iq-004"].kind.value == "area for consideration"  # a strength the copy made an area
    assert items["h25-iq-003"].kloe == "lt-pfa"  # moved

    # absorbing the same copy again changes nothing
    before = _hashes(project)
    again = _cli(project, "absorb", f"params/{REVIEW}.yaml", "edited.docx")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _hashes(project) == before
