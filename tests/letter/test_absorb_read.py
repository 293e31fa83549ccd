"""Reading a coordinator's edited copy of a demo's letter.docx (issue 28, the reading side).

Each test edits a real draft (Harrowdene 2026, a demo with comments, headline lists, KLOE sections
and urgent actions) with python-docx, as a script or an editor would, and checks the change
``absorb`` reads from it.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from toolkit.cli import main
from toolkit.errors import InputError
from toolkit.inputs.findings import Kind
from toolkit.inputs.letter_changes import ChangeKind, LetterChange, LetterChanges
from toolkit.inputs.privacy import NOT_SHOWN
from toolkit.letter.absorb import read_changes, report_lines, review_report
from toolkit.letter.docx import letter_docx, letter_docx_parts
from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review

ROOT = Path(__file__).resolve().parents[2]
PARAMS = ROOT / "params" / "harrowdene-2026.yaml"

Edit = Callable[[DocxDocument], None]


@pytest.fixture(scope="module")
def review() -> Review:
    return load_review(PARAMS)


@pytest.fixture(scope="module")
def draft(review: Review) -> bytes:
    return letter_docx(build_letter(review))


def _para(doc: DocxDocument, start: str) -> Paragraph:
    return next(p for p in doc.paragraphs if p.text.startswith(start))


def _edited(draft: bytes, tmp_path: Path, edit: Edit, name: str = "edited.docx") -> Path:
    doc = docx.Document(io.BytesIO(draft))
    edit(doc)
    out = tmp_path / name
    doc.save(str(out))
    return out


def _changes(review: Review, draft: bytes, tmp_path: Path, edit: Edit) -> LetterChanges:
    return read_changes(review, _edited(draft, tmp_path, edit))


def _only(changes: LetterChanges, what: ChangeKind) -> LetterChange:
    assert [c.what for c in changes.changes] == [what], report_lines(changes, "review")
    return changes.changes[0]


def test_unchanged_copy_has_no_changes(review: Review, draft: bytes, tmp_path: Path) -> None:
    changes = _changes(review, draft, tmp_path, lambda doc: None)
    assert changes.changes == () and changes.pending == ()
    assert changes.draft_id and changes.draft_id == changes.current_id and not changes.from_older_draft


def test_statement_reworded_in_its_run(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "The self-evaluation is honest").runs[0].text = "The self-evaluation is candid and mostly accurate."

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.STATEMENT_REWORDED)
    assert change.finding_id == "har-sk-005" and change.part_id == "finding:har-sk-005"
    assert change.old_text == "The self-evaluation is honest and largely accurate."
    assert change.new_text == "The self-evaluation is candid and mostly accurate."
    assert change.section_before == change.section_after == "kloe:lt-governance"
    assert change.draft_hash == change.current_hash and not change.stale and not change.pending


def test_detail_reworded(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "The self-evaluation is honest").runs[1].text = " Leaders know where the gaps are."

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.DETAIL_REWORDED)
    assert change.finding_id == "har-sk-005" and change.new_text == "Leaders know where the gaps are."


def test_paragraph_retyped_whole_keeps_its_finding(review: Review, draft: bytes, tmp_path: Path) -> None:
    """``paragraph.text = ...`` drops the runs, the bold and the bookmark: the finding is known by
    its place and likeness, the statement by the sentences that match the draft's."""
    def edit(doc: DocxDocument) -> None:
        para = _para(doc, "Finance and SEND leaders")
        para.text = "Finance and SEND leaders now plan the high needs budget together. " + para.text.split(". ", 1)[1]

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.STATEMENT_REWORDED)
    assert change.finding_id == "har-sk-008"
    assert change.new_text == "Finance and SEND leaders now plan the high needs budget together."


def test_paragraph_rewritten_short_keeps_its_place(review: Review, draft: bytes, tmp_path: Path) -> None:
    """Fewer words, set by ``paragraph.text``, less alike than a rewording: the finding is the one
    that stood between the same two parts."""
    def edit(doc: DocxDocument) -> None:
        _para(doc, "Finance and SEND leaders").text = "Finance and SEND leaders now plan the budget together and with schools."

    changes = _changes(review, draft, tmp_path, edit)
    assert [(c.what, c.finding_id) for c in changes.changes] == [(ChangeKind.STATEMENT_REWORDED, "har-sk-008"),
                                                                 (ChangeKind.DETAIL_REWORDED, "har-sk-008")]
    assert changes.changes[0].new_text == "Finance and SEND leaders now plan the budget together and with schools."


def test_finding_deleted_and_another_written_in_its_place(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "Finance and SEND leaders").text = "Budget planning is joint. It works."

    changes = _changes(review, draft, tmp_path, edit)
    assert [(c.what, c.finding_id) for c in changes.changes] == [(ChangeKind.FINDING_DELETED, "har-sk-008"),
                                                                 (ChangeKind.PARAGRAPH_ADDED, None)]


def test_comment_whose_anchor_is_removed_is_deleted(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        para = _para(doc, "Learn from the tribunal appeals")
        for tag in ("w:commentRangeStart", "w:commentRangeEnd", "w:commentReference"):
            for el in list(para._p.iter(qn(tag))):
                el.getparent().remove(el)

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.COMMENT_DELETED)
    assert change.finding_id == "har-lb-007"


def test_finding_deleted(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        para = _para(doc, "Health partners are now full members")
        para._p.getparent().remove(para._p)

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.FINDING_DELETED)
    assert change.finding_id == "findings_qureshi-2" and change.old_text.startswith("Health partners")


def test_moved_to_another_kloe(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "Involve families in redesigning")._p.addnext(_para(doc, "Learn from the tribunal appeals")._p)

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.MOVED)
    assert (change.finding_id, change.kloe_before, change.kloe_after) == ("har-lb-007", "lt-governance",
                                                                          "lt-coproduction")
    assert change.kind_before is change.kind_after is Kind.AREA
    assert change.order_after is not None and change.section_order_after[change.order_after - 1] == "har-lb-007"
    assert change.section_order_after[:2] == ("findings_qureshi-5", "har-lb-014")


def test_moved_into_the_headline_list(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "There is a new energy")._p.addnext(_para(doc, "The self-evaluation is honest")._p)

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.MOVED)
    assert change.headline_before is False and change.headline_after is True and change.section_after == "headlines"


def test_kind_changed_by_the_heading_it_sits_under(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "Use quality assurance to test")._p.addprevious(_para(doc, "More disagreements are")._p)

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.KIND_CHANGED)
    assert (change.finding_id, change.kind_before, change.kind_after) == ("har-lb-006", Kind.STRENGTH, Kind.AREA)
    assert change.order_after == 1


def test_reordered_within_its_list(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "Harrowdene Parents Together is now")._p.addprevious(_para(doc, "Young people's views are")._p)

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.REORDERED)
    assert (change.finding_id, change.order_before, change.order_after) == ("har-nf-004", 4, 1)
    assert change.section_order_after == ("har-nf-004", "har-nf-001", "findings_qureshi-4", "har-lb-013")


def test_new_paragraph_inside_a_section(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "Show families what has changed").insert_paragraph_before(
            "Publish a short guide for families on how the local offer is reviewed.")

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.PARAGRAPH_ADDED)
    assert change.part_id == "" and change.finding_id is None and change.duplicate_of is None
    assert (change.kloe_after, change.kind_after, change.after_part) == ("lt-coproduction", Kind.AREA,
                                                                         "finding:har-lb-014")
    assert change.new_text == "Publish a short guide for families on how the local offer is reviewed."


def test_a_copied_paragraph_is_a_new_one(review: Review, draft: bytes, tmp_path: Path) -> None:
    """A paragraph duplicated with its bookmark (a script's deep copy) is a paragraph added."""
    def edit(doc: DocxDocument) -> None:
        para = _para(doc, "Widen the post-16 offer")
        twin = copy.deepcopy(para._p)
        para._p.addnext(twin)
        Paragraph(twin, para._parent).runs[0].text = "Widen the post-19 offer too."

    change = _only(_changes(review, draft, tmp_path, edit), ChangeKind.PARAGRAPH_ADDED)
    assert change.duplicate_of == "finding:har-sk-014" and change.new_text.startswith("Widen the post-19 offer too.")


def test_boilerplate_changed_and_deleted(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        run = _para(doc, "Peer challenge is a form").runs[0]
        run.text = run.text.replace("sector-led improvement", "sector-led support")
        gone = _para(doc, "This review follows the peer challenge")
        gone._p.getparent().remove(gone._p)

    changes = _changes(review, draft, tmp_path, edit)
    assert [(c.what, c.part_id) for c in changes.changes] == [
        (ChangeKind.BOILERPLATE_CHANGED, "text:background:1"), (ChangeKind.BOILERPLATE_DELETED, "text:process:2")]
    assert "sector-led support" in changes.changes[0].new_text


def test_urgent_action_and_headline_reworded(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "There is a new energy").runs[0].text = "There is new energy in how leaders talk about SEND."
        urgent = _para(doc, "Take immediate steps")
        urgent._p.getparent().remove(urgent._p)

    changes = _changes(review, draft, tmp_path, edit)
    assert [(c.what, c.finding_id, c.section_before) for c in changes.changes] == [
        (ChangeKind.STATEMENT_REWORDED, "har-sk-001", "headlines"), (ChangeKind.FINDING_DELETED, "har-sk-009", "urgent"),
        (ChangeKind.COMMENT_DELETED, "har-sk-009", None)]  # its check went with it


def _insert_tracked(para: Paragraph, inserted: str, deleted_run: int) -> None:
    """A tracked insertion at the paragraph's end and a tracked deletion of one of its runs, as Word writes them."""
    ins = OxmlElement("w:ins", {qn("w:id"): "901", qn("w:author"): "Angela Moss", qn("w:date"): "2026-02-06T09:00:00Z"})
    run = OxmlElement("w:r")
    text = OxmlElement("w:t", {qn("xml:space"): "preserve"})
    text.text = inserted
    run.append(text)
    ins.append(run)
    para._p.append(ins)
    target = para.runs[deleted_run]._r
    dele = OxmlElement("w:del", {qn("w:id"): "902", qn("w:author"): "Angela Moss", qn("w:date"): "2026-02-06T09:00:00Z"})
    target.addprevious(dele)
    dele.append(target)
    for t in target.findall(qn("w:t")):
        t.tag = qn("w:delText")


def test_tracked_changes_read_as_accepted_and_listed(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _insert_tracked(_para(doc, "The self-evaluation is honest"), " Leaders use it to set priorities.", 1)

    changes = _changes(review, draft, tmp_path, edit)
    change = _only(changes, ChangeKind.DETAIL_REWORDED)
    assert change.new_text == "Leaders use it to set priorities." and change.pending
    assert len(changes.pending) == 2 and all("Angela Moss" in line for line in changes.pending)
    assert changes.pending[0].startswith("  deletion by Angela Moss in finding:har-sk-005")
    assert changes.pending[1].startswith("  insertion by Angela Moss in finding:har-sk-005")
    lines = report_lines(changes, "review")
    assert any("read as accepted" in line for line in lines)


def test_comment_answered_deleted_and_added(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        para = _para(doc, "Use the rise in requests")  # the draft's comment on it is a check
        doc.add_comment(para.runs, "Checked with the SEN team: the rise is real.", author="Angela Moss", initials="AM")
        other = _para(doc, "Dear Helen")
        doc.add_comment(other.runs, "Use her full title?", author="Angela Moss", initials="AM")

    changes = _changes(review, draft, tmp_path, edit)
    kinds = [c.what for c in changes.changes]
    assert ChangeKind.COMMENT_ANSWERED in kinds and ChangeKind.COMMENT_ADDED in kinds
    answered = next(c for c in changes.changes if c.what is ChangeKind.COMMENT_ANSWERED)
    assert answered.new_text == "Checked with the SEN team: the rise is real." and answered.comment_author == "Angela Moss"
    assert answered.finding_id == "har-lb-002"
    added = next(c for c in changes.changes if c.what is ChangeKind.COMMENT_ADDED)
    assert added.part_id == "text:opening:3" and added.new_text == "Use her full title?"


def _zip_edit(path: Path, change: Callable[[dict[str, bytes]], None]) -> None:
    with zipfile.ZipFile(path) as src:
        entries = {i.filename: src.read(i) for i in src.infolist()}
    change(entries)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries.items():
            dst.writestr(name, data)


def test_comment_resolved_and_deleted(review: Review, draft: bytes, tmp_path: Path) -> None:
    """Word marks a resolved comment ``done`` in commentsExtended, by its last paragraph's paraId."""
    path = _edited(draft, tmp_path, lambda doc: None)
    ext = ('<w15:commentsEx xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
           '<w15:commentEx w15:paraId="0A000001" w15:done="1"/></w15:commentsEx>')

    def change(entries: dict[str, bytes]) -> None:
        xml = entries["word/comments.xml"].decode("utf-8")
        first = xml.index("<w:p>") if "<w:p>" in xml else xml.index("<w:p ")
        xml = xml[:first] + '<w:p xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" ' \
            'w14:paraId="0A000001"' + xml[first + len("<w:p"):]
        entries["word/comments.xml"] = xml.encode("utf-8")
        entries["word/commentsExtended.xml"] = ext.encode("utf-8")

    _zip_edit(path, change)
    changes = read_changes(review, path)
    assert [c.what for c in changes.changes] == [ChangeKind.COMMENT_RESOLVED]

    def delete_second(doc: DocxDocument) -> None:
        comments = doc.part._comments_part.element  # the draft's comments, by python-docx
        second = next(c for c in comments.findall(qn("w:comment")) if "above similar areas" in "".join(c.itertext()))
        cid = second.get(qn("w:id"))
        comments.remove(second)
        for tag in ("w:commentRangeStart", "w:commentRangeEnd", "w:commentReference"):
            for el in doc.element.body.iter(qn(tag)):
                if el.get(qn("w:id")) == cid:
                    parent = el.getparent()
                    (parent.getparent() if parent.tag == qn("w:r") else parent).remove(
                        parent if parent.tag == qn("w:r") else el)

    deleted = read_changes(review, _edited(draft, tmp_path, delete_second, "deleted.docx"))
    change_ = _only(deleted, ChangeKind.COMMENT_DELETED)
    assert change_.finding_id == "har-lb-007" and change_.old_text.startswith("Check before sending.")


def test_every_change_kind_in_one_copy_one_line_each(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "The self-evaluation is honest").runs[0].text = "The self-evaluation is candid."
        gone = _para(doc, "Health partners are now full members")
        gone._p.getparent().remove(gone._p)
        _para(doc, "Involve families in redesigning")._p.addnext(_para(doc, "Learn from the tribunal appeals")._p)
        _para(doc, "Show families what has changed").insert_paragraph_before("A new area for consideration.")

    changes = _changes(review, draft, tmp_path, edit)
    lines = report_lines(changes, "params/harrowdene-2026.yaml", dry_run=True)
    assert lines[0].endswith("4 changes to the letter of params/harrowdene-2026.yaml")
    assert len(lines) == 1 + 4 + 1 and lines[-1].startswith("Dry run")
    assert any("har-lb-007: moved from kloe:lt-governance to kloe:lt-coproduction" in line for line in lines)


def test_copy_of_an_older_draft(mini: Path, tmp_path: Path) -> None:
    """The findings changed after the copy was made: the copy's untouched words (m1's detail,
    m2) are not changes, and its edit of a statement that changed since is a conflict (stale)."""
    review = load_review(mini)
    old = letter_docx(build_letter(review))
    copy_path = _edited(old, tmp_path, lambda doc: setattr(
        _para(doc, "Waiting times for autism").runs[0], "text", "Autism assessments take too long."))
    findings = mini.parent.parent / "data" / "mini" / "findings_marsh.csv"
    text = findings.read_text(encoding="utf-8")
    findings.write_text(text.replace("Families reported waits of more than a year.", "Families wait over a year.")
                        .replace("assessment are long.", "assessment are very long.")
                        .replace("New plans are mostly issued on time.", "New plans are issued on time."),
                        encoding="utf-8")
    changes = read_changes(load_review(mini), copy_path)
    assert changes.from_older_draft
    change = _only(changes, ChangeKind.STATEMENT_REWORDED)
    assert change.finding_id == "m1" and change.stale and changes.conflicts == (change,)
    assert any("conflict" in line for line in report_lines(changes, "mini"))


def test_parts_record_is_repeatable_and_matches_the_bookmarks(review: Review) -> None:
    html = build_letter(review)
    data, record = letter_docx_parts(html)
    again = letter_docx_parts(html)
    assert (data, record) == again  # byte-identical across rebuilds
    parsed = json.loads(record)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert xml.count('w:name="_PR_') >= len(parsed["parts"]) > 100
    kinds = {p["id"]: p.get("kind") for p in parsed["parts"]}
    assert kinds["finding:har-sk-004"] == "urgent action" and kinds["finding:har-sk-001"] == "strength"
    assert len({p["id"] for p in parsed["parts"]}) == len(parsed["parts"])


def test_identities_change_no_text(review: Review, draft: bytes) -> None:
    """The bookmarks are invisible: with them removed, every paragraph reads the same."""
    doc = docx.Document(io.BytesIO(draft))
    before = [(p.style.name if p.style is not None else "", p.text) for p in doc.paragraphs]
    marks = [el for el in doc.element.body.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd"))]
    assert marks
    for el in marks:
        el.getparent().remove(el)
    assert [(p.style.name if p.style is not None else "", p.text) for p in doc.paragraphs] == before
    names = [el.get(qn("w:name")) for el in marks if el.tag == qn("w:bookmarkStart")]
    assert all(n.startswith("_") and len(n) <= 40 for n in names) and len(set(names)) == len(names)


def test_refused_copies_one_line_each(review: Review, draft: bytes, tmp_path: Path, mini: Path) -> None:
    not_docx = tmp_path / "notes.docx"
    not_docx.write_text("not a document", encoding="utf-8")
    with pytest.raises(InputError, match="notes.docx: this is not a Word document"):
        read_changes(review, not_docx)
    other = tmp_path / "other.docx"
    other.write_bytes(letter_docx(build_letter(load_review(mini))))
    with pytest.raises(InputError, match="other.docx: this is not a copy of this review's letter"):
        read_changes(review, other)
    big = tmp_path / "big.docx"
    big.write_bytes(b"PK" + b"\0" * (21 * 1024 * 1024))
    with pytest.raises(InputError, match="big.docx"):
        read_changes(review, big)


def test_cli_absorb_dry_run_and_bad_copy(draft: bytes, tmp_path: Path) -> None:
    path = _edited(draft, tmp_path, lambda doc: setattr(
        _para(doc, "The self-evaluation is honest").runs[0], "text", "The self-evaluation is candid."))
    runner = CliRunner()
    result = runner.invoke(main, ["absorb", str(PARAMS), str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "finding har-sk-005: statement reworded" in result.stdout
    assert "dry run, nothing written" in result.stdout and "Dry run" not in result.stdout  # said once
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"hello")
    result = runner.invoke(main, ["absorb", str(PARAMS), str(bad), "--dry-run"])
    assert result.exit_code == 2
    assert [line for line in result.stderr.splitlines() if "bad.docx" in line] == [
        f"{bad}: this is not a Word document (.docx), or it is damaged: in Word or LibreOffice use Save As and "
        "choose \"Word Document (.docx)\", then absorb the saved copy"]
    assert "Traceback" not in result.output


def test_report_never_quotes_a_childs_name(review: Review, draft: bytes, tmp_path: Path) -> None:
    def edit(doc: DocxDocument) -> None:
        _para(doc, "Show families what has changed").insert_paragraph_before(
            "Jamie Smith (Year 9) waited 40 weeks for his plan.")
        _para(doc, "The self-evaluation is honest").runs[0].text = "Angela Moss found the self-evaluation honest."

    lines = review_report(review, _changes(review, draft, tmp_path, edit))
    assert not any("Jamie" in line for line in lines)
    assert any(line.endswith(f": {NOT_SHOWN}") or f"\"{NOT_SHOWN}\"" in line for line in lines)
    assert any("Angela Moss found the self-evaluation honest." in line for line in lines)  # the coordinator
