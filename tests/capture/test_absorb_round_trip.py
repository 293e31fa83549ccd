"""The Word round trip end to end (issue 28, item 4): a review's letter.docx edited with python-docx
in every way a coordinator edits it, absorbed, drafted again, and compared paragraph by paragraph.

The letter is drafted in this process (build_letter, then the Word copy), as ``draft`` writes it.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.text.paragraph import Paragraph
from test_capture_support import copy_mini

from toolkit.capture.absorb_check import absorb_copy
from toolkit.cli import main
from toolkit.inputs.letter_changes import normalise_text
from toolkit.letter.absorb import read_changes
from toolkit.letter.docx import letter_docx_parts
from toolkit.letter.sections import build_letter
from toolkit.review import Review, check


def _review(params_file: Path) -> Review:
    review = check(params_file).review
    assert review is not None
    return review


def _texts(data: bytes) -> list[str]:
    return [t for t in (normalise_text(p.text) for p in Document(io.BytesIO(data)).paragraphs) if t]


def _find(paragraphs: list[Paragraph], start: str) -> Paragraph:
    return next(p for p in paragraphs if p.text.startswith(start))


def _edit(draft: bytes, out: Path) -> None:
    """Every kind of edit: rewordings, a deletion, a move, a kind change, a new paragraph, own words."""
    doc = Document(io.BytesIO(draft))
    ps = doc.paragraphs
    a1 = _find(ps, "Health visitors pick up")
    a1.runs[0].text = "Health visitors find speech delay early."
    m1 = _find(ps, "Waiting times for autism")
    plain = [r for r in m1.runs if not r.bold]
    plain[0].text = " Some families waited more than a year."
    for r in plain[1:]:
        r.text = ""
    a4 = _find(ps, "The forum shapes strategy")
    a4._p.getparent().remove(a4._p)
    _find(ps, "Waiting times for autism")._p.addnext(_find(ps, "Meetings are held")._p)  # m4 to another KLOE
    a1._p.addnext(_find(ps, "Late-emerging needs")._p)  # a2: an area becomes a strength
    strengths = [p for p in ps if p.text == "Strengths"][2]  # co-production's
    new = strengths.insert_paragraph_before("")
    strengths._p.addnext(new._p)
    new.style = a1.style
    new.add_run("Parent carers co-chair the SEND board.").bold = True
    new.add_run(" They set its agenda twice a year.")
    for start, words in (("This was a review by peers", "This was a peer review, not an inspection."),
                         ("This letter should describe", "Tell us within two weeks of anything inaccurate.")):
        p = _find(ps, start)
        p.runs[0].text = words
        for r in p.runs[1:]:
            r.text = ""
    doc.save(str(out))


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock") and p.suffix != ".docx"}


def test_after_absorb_the_draft_is_the_edited_copy_but_for_what_absorb_lists(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    review = _review(params_file)
    draft, _ = letter_docx_parts(build_letter(review))
    copy = tmp_path / "edited.docx"
    _edit(draft, copy)
    changes = read_changes(review, copy, "edited.docx")
    lines, clean = absorb_copy(review, params_file, copy, changes, load=_review)
    assert clean
    after = _review(params_file)
    rebuilt, _ = letter_docx_parts(build_letter(after))
    edited = _texts(copy.read_bytes())
    now = _texts(rebuilt)
    ops = [(edited[a1:a2], now[b1:b2]) for op, a1, a2, b1, b2 in
           difflib.SequenceMatcher(None, edited, now, autojunk=False).get_opcodes() if op != "equal"]
    # what differs is exactly what absorb listed: the counts the letter computes from the findings,
    # and the sentence it writes under a heading left with no findings
    assert len(ops) == 2
    assert len(ops[0][0]) == 1 and ops[0][0][0].startswith("In all the team recorded ten")
    assert ops[0][1][0].startswith("In all the team recorded ten strengths and areas for consideration. We refined "
                                   "these to the five strengths and four areas")  # the coordinator's is no record
    assert ops[1] == ([], ["The team recorded no areas for consideration under this heading."])
    listed = [line for line in lines if "next draft" in line]
    assert len(listed) == 2
    assert "In all the team recorded ten" in listed[0] and "The team recorded no areas" in listed[1]
    # the edited wording is the record: in the findings the follow-up review reads, and the HTML
    html = build_letter(after)
    assert "Health visitors find speech delay early." in html and "Health visitors pick up" not in html
    assert "This was a peer review, not an inspection." in html
    assert "Parent carers co-chair the SEND board." in html
    assert "The forum shapes strategy" not in html


def test_a_second_absorb_of_the_same_copy_changes_nothing(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    review = _review(params_file)
    draft, _ = letter_docx_parts(build_letter(review))
    copy = tmp_path / "edited.docx"
    _edit(draft, copy)
    absorb_copy(review, params_file, copy, read_changes(review, copy, "edited.docx"), load=_review)
    before = _hashes(root)
    again = _review(params_file)
    lines, clean = absorb_copy(again, params_file, copy, read_changes(again, copy, "edited.docx"), load=_review)
    assert clean and _hashes(root) == before
    assert any(line.startswith("findings changed: 0; findings added: 0; paragraphs of the letter's own words set: 0;") for line in lines)
    journal = root / "data" / "mini-review" / "capture" / ".journal_ruth-adeyemi.jsonl"
    entries = [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]
    originals = {e["row"]["id"]: e["was"]["statement"] for e in entries if e["op"] == "absorb"}
    assert originals["a1"] == "Health visitors pick up speech delay early."


def _reword_copy(draft: bytes, out: Path, edits: dict[str, str]) -> None:
    doc = Document(io.BytesIO(draft))
    for start, words in edits.items():
        next(r for r in _find(doc.paragraphs, start).runs if r.bold).text = words
    doc.save(str(out))


def test_two_editors_copies_of_one_draft_absorbed_in_turn_list_the_conflict(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    review = _review(params_file)
    draft, _ = letter_docx_parts(build_letter(review))
    one, two = tmp_path / "one.docx", tmp_path / "two.docx"
    _reword_copy(draft, one, {"Health visitors pick up": "Health visitors notice speech delay early."})
    _reword_copy(draft, two, {"Health visitors pick up": "Speech delay is caught early.",
                              "Waiting times for autism": "Autism assessments take too long."})
    lines, clean = absorb_copy(review, params_file, one, read_changes(review, one, "one.docx"), load=_review)
    assert clean
    after_one = _review(params_file)
    changes = read_changes(after_one, two, "two.docx")
    lines, clean = absorb_copy(after_one, params_file, two, changes, load=_review)
    assert not clean
    conflicts = [line for line in lines if "changed in the review since the draft" in line]
    assert len(conflicts) == 1 and conflicts[0].startswith("finding:a1: ")
    got = {f.id: f for f in _review(params_file).findings.all}
    assert got["a1"].statement == "Health visitors notice speech delay early."  # editor one's words kept
    assert got["m1"].statement == "Autism assessments take too long."  # editor two's other edit written
    forced, clean = absorb_copy(after_one, params_file, two, read_changes(_review(params_file), two, "two.docx"),
                                force=True, load=_review)
    assert clean
    assert {f.id: f for f in _review(params_file).findings.all}["a1"].statement == "Speech delay is caught early."


def test_absorb_through_the_cli_exits_1_on_a_conflict_and_says_which(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    review = _review(params_file)
    draft, _ = letter_docx_parts(build_letter(review))
    one, two = tmp_path / "one.docx", tmp_path / "two.docx"
    _reword_copy(draft, one, {"Health visitors pick up": "Health visitors notice speech delay early."})
    _reword_copy(draft, two, {"Health visitors pick up": "Speech delay is caught early."})
    runner = CliRunner()
    first = runner.invoke(main, ["absorb", str(params_file), str(one)])
    assert first.exit_code == 0, first.output
    assert "the next draft says what the copy says, paragraph by paragraph" in first.output
    dry = runner.invoke(main, ["absorb", "--dry-run", str(params_file), str(two)])
    assert dry.exit_code == 1 and "dry run, nothing written" in dry.output
    second = runner.invoke(main, ["absorb", str(params_file), str(two)])
    assert second.exit_code == 1
    assert "finding:a1: changed in the review since the draft this copy was edited from" in second.output
    assert {f.id: f for f in _review(params_file).findings.all}["a1"].statement == \
        "Health visitors notice speech delay early."


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_copy_saved_again_by_libreoffice_is_written_back_the_same(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    review = _review(params_file)
    draft, _ = letter_docx_parts(build_letter(review))
    _edit(draft, tmp_path / "edited.docx")
    out = tmp_path / "libreoffice"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "docx", "--outdir", str(out), str(tmp_path / "edited.docx")],
                   check=True, capture_output=True, timeout=300)
    copy = out / "edited.docx"
    lines, clean = absorb_copy(review, params_file, copy, read_changes(review, copy, "edited.docx"), load=_review)
    assert clean and any(line.startswith("findings changed: 5; findings added: 1; paragraphs of the letter's own words set: 2;") for line in lines)
    now = _texts(letter_docx_parts(build_letter(_review(params_file)))[0])
    ops = [op for op in difflib.SequenceMatcher(None, _texts(copy.read_bytes()), now, autojunk=False).get_opcodes()
           if op[0] != "equal"]
    assert len(ops) == 2 and len([line for line in lines if "next draft" in line]) == 2  # the two listed
