"""An edited capture workbook never destroys work: columns matched, renamed, missing or extra;
formula, merged and blank-row cells named; formula-like text written as text; ``--dry-run``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from support.capture import copy_mini, draft, store_for

from toolkit.capture.store import CaptureStore, open_review
from toolkit.capture.workbook import export_workbook, import_workbook
from toolkit.capture.workbook_plan import Planned, finding_changes
from toolkit.cli import main
from toolkit.inputs.findings import COLUMNS
from toolkit.inputs.xlsx import closest_column, match_header, reads_other_workbook

#: Statements a spreadsheet would take for formulas: each must go out and come back as typed.
FORMULA_LIKE = ('=HYPERLINK("http://example.org","Open the strategy")', "+44 is the dialling code, not a sum.",
                "-2 weeks on average for the panel's decisions.", "@SENCO forum raised the waiting times.", "#N/A")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages name the workbook as given: ruth.xlsx


def _review(tmp_path: Path, statements: tuple[str, ...] = ()) -> tuple[Path, CaptureStore]:
    params_file = copy_mini(tmp_path)
    store = store_for(params_file, "Ruth Adeyemi")
    store.add(draft("Existing finding one.", detail="A detail that must never be lost."))
    two = store.add(draft("Existing finding two.", kind="area for consideration", evidence=("data",)))
    assert two.finding is not None
    store.set_flags(two.finding.id, headline=True)
    three = store.add(draft("A withdrawn finding.", detail="Kept out of the letter."))
    assert three.finding is not None
    store.set_withdrawn(three.finding.id, True)
    for s in statements:
        assert store.add(draft(s)).ok, s
    store.set_prompt("2016-identify.2", "covered", "panel minutes")
    return params_file, store


def _files(store: CaptureStore) -> tuple[bytes, bytes, bytes]:
    return (store.findings_path.read_bytes(), store.checklist_path.read_bytes(),
            store.journal_path.read_bytes() if store.journal_path.exists() else b"")


def _export(params_file: Path, out: Path) -> Path:
    params, scope, root = open_review(params_file)
    return export_workbook(params, scope, root, "Ruth Adeyemi", out)


def _import(params_file: Path, xlsx: Path, *extra: str) -> Any:
    return CliRunner().invoke(main, ["capture-import", str(params_file), str(xlsx), *extra])


def _findings(wb: openpyxl.Workbook) -> Any:
    return wb["Findings"]


def _col(ws: Any, name: str) -> int:
    return [c.value for c in ws[1]].index(name) + 1


def test_formula_like_statements_are_written_as_text_and_come_back_unchanged(tmp_path: Path) -> None:
    params_file, store = _review(tmp_path, FORMULA_LIKE)
    assert store.add(draft("A finding with formula-like detail.", detail="=SUM(A1:A9) was the panel's joke.")).ok
    assert store.set_prompt("2016-identify.1", "partly", "+ more minutes to read").ok
    assert store.set_prompt("2016-identify.3", "covered", "@the forum: agreed").ok
    out = _export(params_file, tmp_path / "ruth.xlsx")
    ws = _findings(openpyxl.load_workbook(out))
    cells = {c.value: c for c in ws.iter_cols(min_col=_col(ws, "statement"), max_col=_col(ws, "statement"),
                                                min_row=2).__next__()}
    for s in FORMULA_LIKE:
        assert cells[s].data_type == "s" and cells[s].quotePrefix, s  # text, shown as text by Excel
    before = _files(store)
    r = _import(params_file, out)
    assert r.exit_code == 0, r.output
    assert "0 added, 0 updated, 9 unchanged, 0 checklist" in r.output
    notes = openpyxl.load_workbook(out)["Checklist"]
    assert all(c.data_type == "s" for row in notes.iter_rows() for c in row if c.value is not None)
    assert _files(store) == before
    assert {f.statement for f in store.findings()} >= set(FORMULA_LIKE)


def test_an_unchanged_blank_export_imports_nothing(tmp_path: Path) -> None:
    params_file, store = _review(tmp_path)
    params, scope, root = open_review(params_file)
    out = export_workbook(params, scope, root, "Ruth Adeyemi", tmp_path / "blank.xlsx", blank=True)
    before = _files(store)
    result = import_workbook(params, scope, root, out)
    assert (result.added, result.updated, result.checklist, result.changes) == (0, 0, 0, ())
    assert _files(store) == before


def _rename(old: str, new: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = _findings(wb)
        ws.cell(row=1, column=_col(ws, old), value=new)
    return change


@pytest.mark.parametrize(("old", "new"), [("detail", "Details"), ("headline", "Head line"), ("withdrawn", "WITHDRAWN"),
                                          ("evidence", "Evidences"), ("include", " include_ ")])
def test_a_column_renamed_up_to_case_spacing_or_plural_is_mapped_and_said(tmp_path: Path, old: str, new: str) -> None:
    params_file, store = _review(tmp_path)
    out = _export(params_file, tmp_path / "ruth.xlsx")
    wb = openpyxl.load_workbook(out)
    _rename(old, new)(wb)
    wb.save(out)
    before = _files(store)
    r = _import(params_file, out)
    assert r.exit_code == 0, r.output
    assert f"read as column {old}" in r.output and "ruth.xlsx [Findings]: row 1" in r.output
    assert "0 added, 0 updated" in r.output
    assert _files(store) == before


def test_a_renamed_column_still_carries_its_edits(tmp_path: Path) -> None:
    params_file, store = _review(tmp_path)
    out = _export(params_file, tmp_path / "ruth.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = _findings(wb)
    ws.cell(row=2, column=_col(ws, "detail"), value="Typed under the renamed column.")
    _rename("detail", "Details")(wb)
    wb.save(out)
    r = _import(params_file, out)
    assert r.exit_code == 0, r.output
    assert "0 added, 1 updated" in r.output
    details = sorted(f.detail for f in store.findings())
    assert details == ["", "Kept out of the letter.", "Typed under the renamed column."]


def _delete(name: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = _findings(wb)
        ws.delete_cols(_col(ws, name))
    return change


def _extra(header: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = _findings(wb)
        ws.cell(row=1, column=ws.max_column + 1, value=header)
        ws.cell(row=2, column=ws.max_column, value="my own reminder")
    return change


def _both(wb: openpyxl.Workbook) -> None:
    ws = _findings(wb)
    ws.cell(row=1, column=ws.max_column + 1, value="Details")


REFUSED: list[tuple[str, Callable[[openpyxl.Workbook], None], str, tuple[str, ...]]] = [
    ("detail deleted", _delete("detail"), "row 1, column detail", ("missing", "put the column back")),
    ("headline deleted", _delete("headline"), "row 1, column headline", ("missing",)),
    ("withdrawn deleted", _delete("withdrawn"), "row 1, column withdrawn", ("missing",)),
    ("version deleted", _delete("version"), "row 1, column version", ("missing",)),
    ("statement deleted", _delete("statement"), "row 1, column statement", ("required",)),
    ("a notes column of the reviewer's own", _extra("My notes"), "row 1, column 'My notes'",
     ("not a column", "delete the column")),
    ("detail misspelt", _rename("detail", "Detials"), "row 1, column 'Detials'", ("did you mean detail",)),
    ("detail twice", _both, "row 1, column detail", ("both read as column detail",)),
]


@pytest.mark.parametrize(("change", "where", "words"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_missing_unknown_or_extra_column_is_refused_and_nothing_changes(
        tmp_path: Path, change: Callable[[openpyxl.Workbook], None], where: str, words: tuple[str, ...]) -> None:
    params_file, store = _review(tmp_path)
    out = _export(params_file, tmp_path / "ruth.xlsx")
    wb = openpyxl.load_workbook(out)
    change(wb)
    wb.save(out)
    before = _files(store)
    r = _import(params_file, out)
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1, r.output  # one line for one problem
    assert lines[0].startswith("ruth.xlsx [Findings]: ") and where in lines[0], lines[0]
    for w in words:
        assert w in lines[0], lines[0]
    assert "Traceback" not in r.output
    assert _files(store) == before


def test_a_header_naming_a_child_is_never_printed(tmp_path: Path) -> None:
    params_file, _ = _review(tmp_path)
    out = _export(params_file, tmp_path / "ruth.xlsx")
    wb = openpyxl.load_workbook(out)
    _extra("Oliver Bennett 943 476 5919")(wb)
    wb.save(out)
    r = _import(params_file, out)
    assert r.exit_code == 2 and "not a column" in r.output
    assert "Oliver" not in r.output and "5919" not in r.output


def _cell(column: str, value: object, row: int = 2) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = _findings(wb)
        ws.cell(row=row, column=_col(ws, column), value=value)
    return change


def _cell_at(coordinate: str, value: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        _findings(wb)[coordinate] = value
    return change


def _merge(wb: openpyxl.Workbook) -> None:
    _findings(wb).merge_cells("B2:B3")


def _blank_row(wb: openpyxl.Workbook) -> None:
    _findings(wb).insert_rows(1)


CELLS: list[tuple[str, Callable[[openpyxl.Workbook], None], str, tuple[str, ...]]] = [
    ("a formula", _cell("statement", "=A1&B1"), "row 2, column statement", ("a formula", "'=A1&B1'", "apostrophe")),
    ("a formula reading another workbook", _cell("detail", "=[1]Sheet1!A1", row=3), "row 3, column detail",
     ("another workbook",)),
    ("a formula by path", _cell("statement", "='C:\\reviews\\[old.xlsx]Findings'!E2"), "row 2, column statement",
     ("another workbook",)),
    ("an error value", _cell("statement", "#REF!"), "row 2, column statement", ("a spreadsheet error", "#REF!")),
    ("a stray cell at the sheet's far corner", _cell_at("XFD1048576", "x"), "row 1048576, column XFD",
     ("delete the rows and columns after your entries",)),
    ("merged cells", _merge, "row 2, column kloe", ("B2:B3", "merged", "unmerge")),
    ("a blank row above the header", _blank_row, "row 1", ("blank", "header row is row 2")),
]


@pytest.mark.parametrize(("change", "where", "words"), [c[1:] for c in CELLS], ids=[c[0] for c in CELLS])
def test_formula_merged_and_blank_row_cells_are_named_as_what_they_are(
        tmp_path: Path, change: Callable[[openpyxl.Workbook], None], where: str, words: tuple[str, ...]) -> None:
    params_file, store = _review(tmp_path)
    out = _export(params_file, tmp_path / "ruth.xlsx")
    wb = openpyxl.load_workbook(out)
    change(wb)
    wb.save(out)
    before = _files(store)
    r = _import(params_file, out)
    assert r.exit_code == 2, r.output
    first = r.output.strip().splitlines()[0]
    assert first.startswith("ruth.xlsx [Findings]: ") and where in first, first
    for w in words:
        assert w in first, first
    for wrong in ("Choose the KLOE", "cannot be empty", "required column missing"):
        assert wrong not in r.output
    assert _files(store) == before


def test_dry_run_lists_every_change_and_writes_nothing(tmp_path: Path) -> None:
    params_file, store = _review(tmp_path)
    out = _export(params_file, tmp_path / "ruth.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = _findings(wb)
    ws.cell(row=2, column=_col(ws, "statement"), value="Existing finding one, reworded.")
    ws.cell(row=3, column=_col(ws, "headline"), value="no")
    ws.append(["", "lt-coproduction", "strength", "no", "A new finding from Excel.", "", "visit", "", "", "", "",
               ""])
    wb["Checklist"]["C2"] = "partly"
    wb.save(out)
    before = _files(store)
    r = _import(params_file, out, "--dry-run")
    assert r.exit_code == 0, r.output
    assert _files(store) == before
    lines = r.output.strip().splitlines()
    one, two = store.findings()[:2]
    assert (f"ruth.xlsx [Findings]: row 2, finding {one.id}: statement: 'Existing finding one.' -> "
            "'Existing finding one, reworded.'") in lines
    assert f"ruth.xlsx [Findings]: row 3, finding {two.id}: headline: 'yes' -> 'no'" in lines
    assert "ruth.xlsx [Findings]: row 5, a new finding: statement: (empty) -> 'A new finding from Excel.'" in lines
    assert "ruth.xlsx [Checklist]: row 2, prompt 2016-identify.1: status: 'not yet' -> 'partly'" in lines
    assert lines[-1] == ("ruth.xlsx: dry run, nothing written: 1 would be added, 2 updated, 1 unchanged, "
                         "1 checklist entries saved")
    # the same import for real makes exactly the changes listed
    r = _import(params_file, out)
    assert r.exit_code == 0 and "1 added, 2 updated, 1 unchanged, 1 checklist" in r.output
    assert [s for s in r.output.splitlines() if "->" in s] == [s for s in lines if "->" in s]


def test_dry_run_before_any_capture_file_creates_none(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Findings"
    ws.append(["kloe", "kind", "statement", "evidence", "reviewer"])
    ws.append(["2016-identify", "strength", "A finding typed by hand.", "visit", "Ruth Adeyemi"])
    wb.create_sheet("Checklist").append(["prompt_id", "status", "reviewer"])
    xlsx = tmp_path / "hand.xlsx"
    wb.save(xlsx)
    folder = params_file.parents[1] / "data" / "mini-review"
    r = _import(params_file, xlsx, "--dry-run")
    assert r.exit_code == 0, r.output
    assert "1 would be added" in r.output
    assert "no column detail: the entries already saved keep their detail" in r.output
    assert not folder.exists()


def test_a_sheet_without_the_notes_column_keeps_every_note(tmp_path: Path) -> None:
    """A hand-made workbook (not an export) may leave columns out: they change nothing."""
    params_file, store = _review(tmp_path)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Findings"
    ws.append(["kloe", "kind", "statement", "evidence", "reviewer"])
    cl = wb.create_sheet("Checklist")
    cl.append(["prompt_id", "status", "reviewer"])
    cl.append(["2016-identify.2", "partly", "Ruth Adeyemi"])
    xlsx = tmp_path / "hand.xlsx"
    wb.save(xlsx)
    r = _import(params_file, xlsx)
    assert r.exit_code == 0, r.output
    entry = store.checklist()["2016-identify.2"]
    assert (entry.status, entry.notes) == ("partly", "panel minutes")


def test_a_column_not_in_the_sheet_never_changes_a_finding() -> None:
    """The merge itself: only the fields the sheet has take part."""
    from toolkit.capture.records import CapturedFinding

    saved = CapturedFinding(id="r-1", kloe="2016-identify", kind="strength", statement="S.", reviewer="R",
                            detail="Kept.", headline=True, withdrawn=True)
    typed = CapturedFinding(id="r-1", kloe="2016-identify", kind="strength", statement="S, reworded.",
                            reviewer="R")  # detail, headline and withdrawn at their defaults: no such columns
    fields = [c for c in COLUMNS if c not in ("id", "reviewer", "detail", "headline", "withdrawn")]
    changes = finding_changes([Planned(2, typed, saved.to_row())], [saved], fields, "x.xlsx [Findings]")
    assert [(c.field, c.new) for c in changes] == [("statement", "S, reworded.")]


def test_header_matching_and_other_workbooks() -> None:
    assert match_header("Details", ("detail", "details")) == ["detail", "details"]  # ambiguous: both
    assert match_header("Head line", ("headline", "statement")) == ["headline"]
    assert match_header("Statuses", ("status",)) == ["status"]
    assert match_header("note", ("notes",)) == ["notes"]
    assert match_header("My notes", ("notes", "detail")) == []
    assert closest_column("Detail (optional)", COLUMNS) == "detail"
    assert closest_column("Staetment", COLUMNS) == "statement"
    assert closest_column("My notes", COLUMNS) is None
    assert reads_other_workbook("=[1]Sheet1!A1") and reads_other_workbook("=[Book2.xlsx]Sheet1!$A$1")
    assert not reads_other_workbook("=Sheet2!A1") and not reads_other_workbook('=HYPERLINK("a[1]b!c","x")')
    assert not reads_other_workbook("=SUM(Table1[[#This Row],[kind]])")
