"""Writing a coordinator's edits to letter.docx back into the review (issue 28, items 3, 5 and 6).

The changes are h28a's typed model (toolkit.inputs.letter_changes) built here as absorb builds
them; the files are a real review copied to tmp_path, read back with the letter's own readers.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from test_capture_support import copy_mini, store_for

from toolkit.analysis.coverage import review_findings
from toolkit.capture.absorb_write import WriteResult, write_back
from toolkit.capture.findings_file import RowEdit, edit_findings_file
from toolkit.capture.params_words import set_own_words
from toolkit.capture.store import open_review
from toolkit.errors import StoreError, ValidationFailed
from toolkit.inputs.findings import Finding, Kind, read_findings_file
from toolkit.inputs.letter_changes import ChangeKind, LetterChange, LetterChanges, part_hash
from toolkit.inputs.params import load_params

COPY = "edited.docx"
CHILD = "Oliver Bennett, born 14/03/2015"


def _absorb(params_file: Path, *changes: LetterChange, force: bool = False, dry_run: bool = False) -> WriteResult:
    params, scope, root = open_review(params_file)
    return write_back(params, params_file, scope, root, LetterChanges(COPY, tuple(changes)), force=force,
                      dry_run=dry_run)


def _findings(params_file: Path) -> dict[str, Finding]:
    params, scope, root = open_review(params_file)
    found, problems, _ = review_findings(params, scope, root)
    assert problems == []
    return {f.id: f for f in found}


def _hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


def _journal(root: Path, reviewer_slug: str) -> list[dict[str, object]]:
    path = root / "data" / "mini-review" / "capture" / f".journal_{reviewer_slug}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _reword(fid: str, old: str, new: str, what: ChangeKind = ChangeKind.STATEMENT_REWORDED) -> LetterChange:
    return LetterChange(what, part_id=f"finding:{fid}", finding_id=fid, old_text=old, new_text=new)


EVERY_KIND = (
    _reword("a1", "Health visitors pick up speech delay early.", "Health visitors find speech delay early."),
    _reword("m1", "Families reported waits of more than a year.", "Some families waited more than a year.",
            ChangeKind.DETAIL_REWORDED),
    LetterChange(ChangeKind.FINDING_DELETED, part_id="finding:a4", finding_id="a4", section_before="kloe:lt-coproduction"),
    LetterChange(ChangeKind.MOVED, part_id="finding:m4", finding_id="m4", section_before="kloe:lt-coproduction",
                 section_after="kloe:2016-identify", kloe_before="lt-coproduction", kloe_after="2016-identify",
                 section_order_after=("a1", "m1", "m4", "a2")),
    LetterChange(ChangeKind.KIND_CHANGED, part_id="finding:a2", finding_id="a2", section_before="kloe:2016-identify",
                 section_after="kloe:2016-identify", kind_before=Kind.AREA, kind_after=Kind.STRENGTH,
                 section_order_after=("a1", "m1", "m4", "a2")),
    LetterChange(ChangeKind.PARAGRAPH_ADDED, section_after="kloe:lt-coproduction", kind_after=Kind.STRENGTH,
                 new_text="Parent carers co-chair the SEND board. They set its agenda twice a year.",
                 after_part=None, section_order_after=()),
    LetterChange(ChangeKind.BOILERPLATE_CHANGED, part_id="text:opening:4", section_before="opening",
                 old_text="The material you prepared ...", new_text="Your preparation let us plan the visit well."),
    LetterChange(ChangeKind.RECOMMENDATION_CHANGED, part_id="recommendation:1", new_text="Something else."),
)


def test_every_kind_of_edit_becomes_the_record(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    listed_marsh = (root / "data/mini/findings_marsh.csv").read_text(encoding="utf-8").splitlines()
    result = _absorb(params_file, *EVERY_KIND)
    got = _findings(params_file)
    assert got["a1"].statement == "Health visitors find speech delay early."
    assert got["m1"].detail == "Some families waited more than a year."
    assert got["a4"].include is False and not got["a4"].in_letter
    assert (got["m4"].kloe, got["m4"].order) == ("2016-identify", 3)
    assert got["a2"].kind is Kind.STRENGTH and got["a2"].order == 4
    assert [got[i].order for i in ("a1", "m1")] == [1, 2]
    assert {got[i].edited_by for i in ("a1", "m1", "a4", "m4", "a2")} == {"Ian Porter"}
    new = [f for f in got.values() if f.reviewer == "Ian Porter"]
    assert len(new) == 1
    assert (new[0].statement, new[0].detail) == ("Parent carers co-chair the SEND board.",
                                                 "They set its agenda twice a year.")
    assert (new[0].kloe, new[0].kind, new[0].evidence, new[0].edited_by) == (
        "lt-coproduction", Kind.STRENGTH, ("documents",), "Ian Porter")
    assert new[0].file == "data/mini-review/capture/findings_ian-porter.csv"
    assert load_params(params_file).letter_text == {"opening:4": "Your preparation let us plan the visit well."}
    # untouched rows keep their bytes; the changed ones are the only lines that differ
    after = (root / "data/mini/findings_marsh.csv").read_text(encoding="utf-8").splitlines()
    assert after[0] == listed_marsh[0] + ",edited_by"
    assert after[2:4] == listed_marsh[2:4]
    assert result.not_absorbed == (
        "recommendation:1: the team's recommendations are read from their own file (inputs.recommendations): "
        "change it there",)
    assert result.conflicts == ()
    assert "finding:a1: statement 'Health visitors pick up speech delay early.' -> 'Health visitors find speech " \
           "delay early.' (data/mini/findings_adeyemi.csv)" in result.written


def test_the_reviewers_original_is_journalled_with_the_editor(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    _absorb(params_file, *EVERY_KIND)
    entries = _journal(root, "ruth-adeyemi")
    a1 = next(e for e in entries if e["row"]["id"] == "a1")  # type: ignore[index]
    assert a1["op"] == "absorb" and a1["by"] == "Ian Porter" and a1["copy"] == COPY
    assert a1["was"]["statement"] == "Health visitors pick up speech delay early."  # type: ignore[index]
    assert a1["row"]["statement"] == "Health visitors find speech delay early."  # type: ignore[index]
    assert a1["row"]["edited_by"] == "Ian Porter"  # type: ignore[index]
    added = _journal(root, "ian-porter")
    assert [e["was"] if "was" in e else None for e in added] == [None]
    assert added[0]["row"]["statement"] == "Parent carers co-chair the SEND board."  # type: ignore[index]


def test_a_second_absorb_of_the_same_copy_changes_no_byte(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    first = _absorb(params_file, *EVERY_KIND)
    assert first.files
    before = _hashes(root)
    second = _absorb(params_file, *EVERY_KIND)
    assert _hashes(root) == before
    assert second.files == () and second.written == ()


def test_personal_data_in_an_edit_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    before = _hashes(root)
    with pytest.raises(ValidationFailed) as info:
        _absorb(params_file, _reword("a1", "x", "Health visitors find speech delay early."),
                _reword("m1", "x", f"We read the plan of {CHILD}.", ChangeKind.DETAIL_REWORDED))
    text = str(info.value)
    assert text.startswith(f"{COPY}: finding:m1.detail: this looks like")
    assert "Oliver" not in text and "14/03" not in text
    assert _hashes(root) == before


def test_a_copy_from_an_older_draft_conflicts_and_needs_force(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    drafted = "Health visitors pick up speech delay early. The two-year check includes a language screen used " \
              "across all clinics."
    first = _reword("a1", "", "Health visitors notice speech delay early.")
    _absorb(params_file, first)  # editor one's copy
    now = _findings(params_file)["a1"]
    current = part_hash(f"{now.statement} {now.detail}")
    stale = LetterChange(ChangeKind.STATEMENT_REWORDED, part_id="finding:a1", finding_id="a1", old_text=now.statement,
                         new_text="Speech delay is caught early.", draft_hash=part_hash(drafted), current_hash=current)
    result = _absorb(params_file, stale)  # editor two's copy, from the first draft
    assert result.conflicts == (f"finding:a1: {' '.join(result.conflicts[0].split(': ', 1)[1].split())}",)
    assert "changed in the review since the draft" in result.conflicts[0]
    assert _findings(params_file)["a1"].statement == "Health visitors notice speech delay early."
    forced = _absorb(params_file, stale, force=True)
    assert forced.conflicts == ()
    assert _findings(params_file)["a1"].statement == "Speech delay is caught early."


def test_a_second_editors_copy_keeps_the_first_editors_words_it_did_not_touch(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    drafted = "Health visitors pick up speech delay early. The two-year check includes a language screen used " \
              "across all clinics."
    _absorb(params_file, _reword("a1", "", "Health visitors notice speech delay early."))
    now = _findings(params_file)["a1"]
    # editor two changed only m1; against the review now, their copy shows a1 with the draft's words
    back = LetterChange(ChangeKind.STATEMENT_REWORDED, part_id="finding:a1", finding_id="a1", old_text=now.statement,
                        new_text="Health visitors pick up speech delay early.", draft_hash=part_hash(drafted),
                        current_hash=part_hash(f"{now.statement} {now.detail}"))
    result = _absorb(params_file, back, _reword("m1", "", "Autism assessments take too long."))
    assert result.conflicts == ()
    assert result.not_absorbed[0].startswith("finding:a1: the copy keeps the words of its older draft")
    got = _findings(params_file)
    assert got["a1"].statement == "Health visitors notice speech delay early."
    assert got["m1"].statement == "Autism assessments take too long."


def test_a_dry_run_lists_and_writes_nothing(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    before = _hashes(root)
    result = _absorb(params_file, *EVERY_KIND, dry_run=True)
    assert _hashes(root) == before
    assert result.summary.startswith("dry run, nothing written. Findings that would change: 5; to be added: 1; paragraphs of the letter's own words to be set: 1;")
    assert len(result.written) == 11


def test_a_finding_held_in_its_reviewers_capture_file_is_written_there(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    store = store_for(params_file, "Colin Marsh")
    store.ensure_files()
    listed = (root / "data/mini/findings_marsh.csv").read_bytes()
    _absorb(params_file, _reword("m2", "", "New plans are issued on time."))
    assert (root / "data/mini/findings_marsh.csv").read_bytes() == listed
    m2 = store.get("m2")
    assert m2 is not None and (m2.statement, m2.edited_by) == ("New plans are issued on time.", "Ian Porter")
    # the capture app's own save keeps the coordinator's mark and the words
    assert store.set_flags("m2", headline=False).ok
    m2 = store.get("m2")
    assert m2 is not None and m2.edited_by == "Ian Porter"


def test_csv_edit_keeps_every_other_byte(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    rows = ['id,Kloe,kind,statement,evidence,reviewer\r\n',
            'x1,k,strength,"Quoted, with a comma",interview,Ruth Adeyemi\r\n',
            'x2,k,strength,  spaced  ,interview,Ruth Adeyemi\r\n',
            'x3,k,strength,"A ""quoted"" word\r\nover two lines",interview,Ruth Adeyemi\r\n']
    path.write_bytes(("\ufeff" + "".join(rows)).encode("utf-8"))
    edit_findings_file(path, [RowEdit(3, {"statement": "Changed", "include": "no"})],
                       [{"id": "new", "statement": "Added, too", "kloe": "k"}])
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text[1:].split("\r\n")
    assert lines[0] == "id,Kloe,kind,statement,evidence,reviewer,include"
    assert lines[1] + "\r\n" == rows[1]
    assert lines[2] == "x2,k,strength,Changed,interview,Ruth Adeyemi,no"
    assert "\r\n".join(lines[3:5]) + "\r\n" == rows[3]
    assert lines[5] == "new,k,,\"Added, too\",,,"


def test_xlsx_edit_keeps_styles_validations_and_other_sheets(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws["A1"] = "kept"
    fs = wb.create_sheet("Findings")
    fs.append(["id", "kloe", "kind", "statement", "evidence", "reviewer"])
    fs.append(["x1", "k", "strength", "=not a formula", "interview", "Ruth Adeyemi"])
    fs.append(["x2", "k", "strength", "Second", "interview", "Ruth Adeyemi"])
    for cell in fs[1]:
        cell.font = Font(bold=True)
    dv = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    dv.add("C2:C100")
    fs.add_data_validation(dv)
    fs.column_dimensions["D"].width = 60
    wb.save(path)
    edit_findings_file(path, [RowEdit(3, {"statement": "=Changed", "edited_by": "Ian Porter"})],
                       [{"id": "x3", "statement": "Third"}])
    got = openpyxl.load_workbook(path)
    assert got.sheetnames == ["Notes", "Findings"] and got["Notes"]["A1"].value == "kept"
    fs = got["Findings"]
    assert [c.value for c in fs[1]] == ["id", "kloe", "kind", "statement", "evidence", "reviewer", "edited_by"]
    assert fs["G1"].font.bold and fs["A1"].font.bold
    assert fs["D2"].value == "=not a formula" and fs["D3"].value == "=Changed" and fs["D3"].data_type == "s"
    assert fs["G3"].value == "Ian Porter" and fs["A4"].value == "x3" and fs["D4"].value == "Third"
    assert fs.column_dimensions["D"].width == 60
    assert [str(v.sqref) for v in fs.data_validations.dataValidation] == ["C2:C100"]


def test_an_xlsx_findings_file_is_written_back_in_place(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    csv_path = root / "data/mini/findings_marsh.csv"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Findings"
    for line in csv_path.read_text(encoding="utf-8").splitlines():
        ws.append(line.split(","))
    wb.save(root / "data/mini/findings_marsh.xlsx")
    csv_path.unlink()
    text = params_file.read_text(encoding="utf-8").replace("findings_marsh.csv", "findings_marsh.xlsx")
    params_file.write_text(text, encoding="utf-8")
    _absorb(params_file, _reword("m2", "", "Plans are on time."),
            LetterChange(ChangeKind.FINDING_DELETED, part_id="finding:m4", finding_id="m4"))
    params, scope, _ = open_review(params_file)
    got, errors = read_findings_file(root / "data/mini/findings_marsh.xlsx", "x", params, scope)
    assert errors == []
    by_id = {f.id: f for f in got}
    assert by_id["m2"].statement == "Plans are on time." and by_id["m4"].include is False
    assert by_id["m1"].statement == "Waiting times for autism assessment are long."


def test_own_words_are_written_into_the_parameters_keeping_every_other_line(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    original = params_file.read_text(encoding="utf-8")
    middle = original.replace("letter_style: standard\n",
                              "letter_text:   # the review's own words\n  process:1: Old words  # why\n"
                              "letter_style: standard\n")
    params_file.write_text(middle, encoding="utf-8")
    assert set_own_words(params_file, {"process:1": "New words: kept", "opening:2": ""})
    text = params_file.read_text(encoding="utf-8")
    assert text.replace("  process:1: 'New words: kept' # why\n  opening:2: ''\n", "  process:1: Old words  # why\n") \
        == middle
    assert load_params(params_file).letter_text == {"process:1": "New words: kept", "opening:2": ""}
    assert not set_own_words(params_file, {"process:1": "New words: kept"})


def test_a_row_that_now_holds_another_finding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    text = "id,statement\nx1,One\nx2,Two\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoreError, match="row 2 now holds another finding"):
        edit_findings_file(path, [RowEdit(2, {"statement": "Changed"}, "x2")])
    assert path.read_text(encoding="utf-8") == text
    edit_findings_file(path, [RowEdit(3, {"statement": "Changed"}, "x2")])
    assert path.read_text(encoding="utf-8") == "id,statement\nx1,One\nx2,Changed\n"


@pytest.mark.parametrize(("section", "headline", "kind", "want"), [
    ("headlines", True, Kind.AREA, ("2016-identify", True, Kind.AREA)),
    ("urgent", False, None, ("2016-identify", False, Kind.URGENT)),
    ("kloe:lt-coproduction", False, Kind.AREA, ("lt-coproduction", False, Kind.AREA)),
])
def test_a_finding_moved_takes_its_new_sections_kloe_headline_and_kind(
        tmp_path: Path, section: str, headline: bool, kind: Kind | None, want: tuple[str, bool, Kind]) -> None:
    params_file = copy_mini(tmp_path)
    _absorb(params_file, LetterChange(ChangeKind.MOVED, part_id="finding:m1", finding_id="m1",
                                      section_before="kloe:2016-identify", section_after=section,
                                      kloe_after=section[len("kloe:"):] if section.startswith("kloe:") else None,
                                      headline_after=headline, kind_after=kind, section_order_after=("m1",)))
    m1 = _findings(params_file)["m1"]
    assert (m1.kloe, m1.headline, m1.kind) == want and m1.order == 1


def test_a_move_to_a_kloe_out_of_scope_is_not_absorbed(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    result = _absorb(params_file, LetterChange(ChangeKind.MOVED, part_id="finding:m1", finding_id="m1",
                                               section_after="kloe:nowhere", kloe_after="nowhere"))
    assert result.not_absorbed == ("finding:m1: stands under a section the review's scope does not have "
                                   "(kloe:nowhere): nothing was written; put it under one of the letter's own "
                                   "headings",)
    assert _findings(params_file)["m1"].kloe == "2016-identify"
