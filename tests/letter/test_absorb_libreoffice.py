"""The letter's part identities survive another editor: a round trip through LibreOffice Writer
(``soffice --headless --convert-to docx``, Debian's libreoffice-writer-nogui: ``make libreoffice``).

Slow: each conversion starts LibreOffice (3 to 10 s on a loaded machine).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from toolkit.inputs.letter_changes import ChangeKind, LetterChanges
from toolkit.letter.absorb import read_changes
from toolkit.letter.docx import letter_docx
from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review

ROOT = Path(__file__).resolve().parents[2]
PARAMS = ROOT / "params" / "harrowdene-2026.yaml"
SOFFICE = shutil.which("soffice")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(SOFFICE is None, reason="soffice not found: `make libreoffice` installs Debian's "
                                                         "libreoffice-writer-nogui")]


def _through_libreoffice(path: Path, tmp_path: Path) -> Path:
    """The document opened and saved again as .docx by LibreOffice, with a profile of its own
    (so that it never waits on another LibreOffice's profile lock)."""
    assert SOFFICE is not None
    out = tmp_path / "libreoffice"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=300)
    result = out / path.name
    assert result.is_file(), f"LibreOffice wrote no {result}"
    return result


def _para(doc: DocxDocument, start: str) -> Paragraph:
    return next(p for p in doc.paragraphs if p.text.startswith(start))


def _edit(doc: DocxDocument) -> None:
    """One edit of each kind a coordinator makes."""
    _para(doc, "The self-evaluation is honest").runs[0].text = "The self-evaluation is candid and mostly accurate."
    retyped = _para(doc, "Finance and SEND leaders")
    retyped.text = "Finance and SEND leaders now plan the high needs budget together. " + retyped.text.split(". ", 1)[1]
    gone = _para(doc, "Health partners are now full members")
    gone._p.getparent().remove(gone._p)
    _para(doc, "Involve families in redesigning")._p.addnext(_para(doc, "Learn from the tribunal appeals")._p)
    _para(doc, "Use quality assurance to test")._p.addprevious(_para(doc, "More disagreements are")._p)
    _para(doc, "Harrowdene Parents Together is now")._p.addprevious(_para(doc, "Young people's views are")._p)
    _para(doc, "Show families what has changed").insert_paragraph_before(
        "Publish a short guide for families on how the local offer is reviewed.")
    run = _para(doc, "Peer challenge is a form").runs[0]
    run.text = run.text.replace("sector-led improvement", "sector-led support")
    doc.add_comment(_para(doc, "Use the rise in requests").runs, "Checked: the rise is real.", author="Angela Moss")
    tracked = OxmlElement("w:ins", {qn("w:id"): "901", qn("w:author"): "Angela Moss", qn("w:date"): "2026-02-06T09:00:00Z"})
    run = OxmlElement("w:r")
    text = OxmlElement("w:t", {qn("xml:space"): "preserve"})
    text.text = " They meet every term."
    run.append(text)
    tracked.append(run)
    _para(doc, "The SEND Improvement Board provides")._p.append(tracked)  # a tracked insertion, pending


def _summary(changes: LetterChanges) -> list[tuple[ChangeKind, str, str]]:
    return [(c.what, c.part_id, " ".join(c.new_text.split())) for c in changes.changes]


@pytest.fixture(scope="module")
def review() -> Review:
    return load_review(PARAMS)


def test_draft_through_libreoffice_has_no_changes(review: Review, tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(letter_docx(build_letter(review)))
    changes = read_changes(review, _through_libreoffice(path, tmp_path))
    assert changes.changes == ()
    assert changes.draft_id == changes.current_id  # the document's identifier survives


def test_edits_read_the_same_after_libreoffice(review: Review, tmp_path: Path) -> None:
    doc = docx.Document(io.BytesIO(letter_docx(build_letter(review))))
    _edit(doc)
    path = tmp_path / "edited.docx"
    doc.save(str(path))
    before = read_changes(review, path)
    after = read_changes(review, _through_libreoffice(path, tmp_path))
    assert {c.what for c in before.changes} >= {
        ChangeKind.STATEMENT_REWORDED, ChangeKind.FINDING_DELETED, ChangeKind.MOVED, ChangeKind.KIND_CHANGED,
        ChangeKind.REORDERED, ChangeKind.PARAGRAPH_ADDED, ChangeKind.BOILERPLATE_CHANGED, ChangeKind.COMMENT_ANSWERED,
        ChangeKind.DETAIL_REWORDED}
    assert _summary(after) == _summary(before)
    assert len(after.pending) == len(before.pending) == 1 and [c.pending for c in after.changes].count(True) == 1
