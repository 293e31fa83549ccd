"""Excel round trip: export (blank or filled), import with validation, merge without loss."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from test_capture_support import copy_mini, draft, store_for

from toolkit.capture.store import open_review
from toolkit.capture.workbook import export_workbook, import_workbook
from toolkit.errors import ValidationFailed
from toolkit.inputs.findings import COLUMNS


def _setup(tmp_path: Path) -> tuple[Path, object]:
    params_file = copy_mini(tmp_path)
    store = store_for(params_file, "Ruth Adeyemi")
    store.add(draft("Existing finding one."))
    store.add(draft("Existing finding two.", kind="area for consideration", evidence=("data", "documents")))
    store.set_prompt("2016-identify.2", "covered", "panel minutes")
    return params_file, store


def test_filled_round_trip_changes_nothing(tmp_path: Path) -> None:
    params_file, store = _setup(tmp_path)
    params, scope, root = open_review(params_file)
    out = export_workbook(params, scope, root, "Ruth Adeyemi", tmp_path / "ruth.xlsx")
    before = (store.findings_path.read_bytes(), store.checklist_path.read_bytes())  # type: ignore[attr-defined]
    result = import_workbook(params, scope, root, out)
    assert (result.added, result.updated, result.unchanged, result.checklist) == (0, 0, 2, 0)
    assert (store.findings_path.read_bytes(), store.checklist_path.read_bytes()) == before  # type: ignore[attr-defined]


def test_workbook_has_dropdowns_for_kind_kloe_status(tmp_path: Path) -> None:
    params_file, _ = _setup(tmp_path)
    params, scope, root = open_review(params_file)
    out = export_workbook(params, scope, root, "Ruth Adeyemi", tmp_path / "b.xlsx", blank=True)
    wb = openpyxl.load_workbook(out)
    formulas = {dv.formula1 for dv in wb["Findings"].data_validations.dataValidation}
    assert any("$A$" in f for f in formulas) and any("$B$" in f for f in formulas) and '"yes,no"' in formulas
    assert any("$C$" in dv.formula1 for dv in wb["Checklist"].data_validations.dataValidation)
    assert wb["Findings"].max_row == 1  # blank: header only
    assert wb["Checklist"].max_row == 1 + sum(len(k.prompts) for k in scope.kloes)
    assert wb["Lists"].sheet_state == "hidden"


def test_edits_and_new_rows_merge_without_losing_entries(tmp_path: Path) -> None:
    params_file, store = _setup(tmp_path)
    params, scope, root = open_review(params_file)
    out = export_workbook(params, scope, root, "Ruth Adeyemi", tmp_path / "ruth.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["Findings"]
    ws.delete_rows(3)  # a finding missing from the workbook is kept in the file
    ws["E2"] = "Existing finding one, reworded."
    ws.append(["", "lt-coproduction", "strength", "no", "A new finding from Excel.", "", "visit; interview", "",
               "", "", "", ""])
    wb["Checklist"]["C2"] = "partly"
    wb.save(out)
    # a finding added in the app meanwhile is kept too
    store.add(draft("Added in the app while the workbook was out."))  # type: ignore[attr-defined]
    result = import_workbook(params, scope, root, out)
    assert (result.added, result.updated, result.checklist) == (1, 1, 1)
    statements = {f.statement for f in store.findings()}  # type: ignore[attr-defined]
    assert statements == {"Existing finding one, reworded.", "Existing finding two.",
                          "Added in the app while the workbook was out.", "A new finding from Excel."}
    assert store.checklist()["2016-identify.2"].status == "covered"  # type: ignore[attr-defined]
    assert store.checklist()["2016-identify.1"].status == "partly"  # type: ignore[attr-defined]
    again = import_workbook(params, scope, root, out)  # importing twice adds nothing twice
    assert again.added == 0 and len(store.findings()) == 4  # type: ignore[attr-defined]


def test_bad_rows_name_file_row_and_column_and_write_nothing(tmp_path: Path) -> None:
    params_file, store = _setup(tmp_path)
    params, scope, root = open_review(params_file)
    out = export_workbook(params, scope, root, "Ruth Adeyemi", tmp_path / "blank.xlsx", blank=True)
    wb = openpyxl.load_workbook(out)
    ws = wb["Findings"]
    ws.append(["", "2016-identify", "strength", "no", "Fine row.", "", "interview", "", "", "", "", ""])
    ws.append(["", "made-up", "strength", "maybe", "", "", "", "", "", "soon", "", ""])
    wb["Checklist"]["C3"] = "finished"
    wb.save(out)
    before = store.findings_path.read_bytes()  # type: ignore[attr-defined]
    with pytest.raises(ValidationFailed) as info:
        import_workbook(params, scope, root, out)
    where = {(e.row, e.column) for e in info.value.errors}
    assert {(3, "kloe"), (3, "statement"), (3, "evidence"), (3, "headline"), (3, "order"), (3, "status")} <= where
    assert all("blank.xlsx" in e.file for e in info.value.errors)
    assert store.findings_path.read_bytes() == before  # type: ignore[attr-defined]


def test_cli_round_trip(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import main

    params_file, _ = _setup(tmp_path)
    out = tmp_path / "x.xlsx"
    r = CliRunner().invoke(main, ["capture-export", str(params_file), "--reviewer", "Ruth Adeyemi", "--out", str(out)])
    assert r.exit_code == 0 and out.is_file()
    r = CliRunner().invoke(main, ["capture-import", str(params_file), str(out)])
    assert r.exit_code == 0 and "0 added" in r.output
    r = CliRunner().invoke(main, ["capture-export", str(params_file), "--reviewer", "Nobody", "--out", str(out)])
    assert r.exit_code == 2 and "not in the review team" in r.output


def _col(name: str) -> str:
    from openpyxl.utils import get_column_letter

    from toolkit.inputs.findings import COLUMNS

    return get_column_letter(COLUMNS.index(name) + 1)


def _export(tmp_path: Path, params_file: Path, name: str = "ruth.xlsx") -> tuple[Path, object, object, Path]:
    params, scope, root = open_review(params_file)
    return export_workbook(params, scope, root, "Ruth Adeyemi", tmp_path / name), params, scope, root


def test_unchanged_rows_never_undo_changes_made_in_the_app_after_export(tmp_path: Path) -> None:
    params_file, store = _setup(tmp_path)
    out, params, scope, root = _export(tmp_path, params_file)
    one, two = store.findings()  # type: ignore[attr-defined]
    # after the export, in the app: reword one, withdraw two, change a prompt
    assert store.edit(one, draft("Reworded in the app.")).ok  # type: ignore[attr-defined]
    assert store.set_withdrawn(two.id, True).ok  # type: ignore[attr-defined]
    assert store.set_prompt("2016-identify.2", "partly", "revisited", base=store.checklist()["2016-identify.2"]).ok  # type: ignore[attr-defined]
    # in the workbook: only finding one's detail is changed
    wb = openpyxl.load_workbook(out)
    wb["Findings"][f"{_col('detail')}2"] = "Detail typed in Excel."
    wb.save(out)
    result = import_workbook(params, scope, root, out)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 1)
    now = {f.id: f for f in store.findings()}  # type: ignore[attr-defined]
    assert (now[one.id].statement, now[one.id].detail) == ("Reworded in the app.", "Detail typed in Excel.")
    assert now[two.id].withdrawn  # not restored: the workbook did not change its withdrawn cell
    prompt = store.checklist()["2016-identify.2"]  # type: ignore[attr-defined]
    assert (prompt.status, prompt.notes) == ("partly", "revisited")


def test_restoring_in_the_workbook_restores(tmp_path: Path) -> None:
    params_file, store = _setup(tmp_path)
    two = store.findings()[1]  # type: ignore[attr-defined]
    store.set_withdrawn(two.id, True)  # type: ignore[attr-defined]
    out, params, scope, root = _export(tmp_path, params_file)
    wb = openpyxl.load_workbook(out)
    assert wb["Findings"][f"{_col('withdrawn')}3"].value == "yes"
    wb["Findings"][f"{_col('withdrawn')}3"] = "no"
    wb.save(out)
    assert import_workbook(params, scope, root, out).updated == 1
    assert not store.get(two.id).withdrawn  # type: ignore[attr-defined]


def test_same_cell_changed_in_app_and_workbook_is_refused_naming_the_cell(tmp_path: Path) -> None:
    params_file, store = _setup(tmp_path)
    out, params, scope, root = _export(tmp_path, params_file)
    one = store.findings()[0]  # type: ignore[attr-defined]
    assert store.edit(one, draft("The app's wording.")).ok  # type: ignore[attr-defined]
    wb = openpyxl.load_workbook(out)
    wb["Findings"][f"{_col('statement')}2"] = "The workbook's wording."
    wb["Checklist"]["C3"] = "partly"  # prompt 2016-identify.2, exported as covered
    wb.save(out)
    store.set_prompt("2016-identify.2", "not yet", "", base=store.checklist()["2016-identify.2"])  # type: ignore[attr-defined]
    before = (store.findings_path.read_bytes(), store.checklist_path.read_bytes())  # type: ignore[attr-defined]
    with pytest.raises(ValidationFailed) as info:
        import_workbook(params, scope, root, out)
    got = {(e.file.rsplit("/", 1)[-1], e.row, e.column) for e in info.value.errors}
    assert got == {("ruth.xlsx [Findings]", 2, "statement"), ("ruth.xlsx [Checklist]", 3, "status")}
    assert "The app's wording" in str(info.value.errors[0])
    assert (store.findings_path.read_bytes(), store.checklist_path.read_bytes()) == before  # type: ignore[attr-defined]


def test_a_row_for_another_reviewer_is_refused(tmp_path: Path) -> None:
    params_file, store = _setup(tmp_path)
    out, params, scope, root = _export(tmp_path, params_file)
    wb = openpyxl.load_workbook(out)
    ws = wb["Findings"]
    ws.append(["", "lt-coproduction", "strength", "no", "A finding typed into another reviewer's workbook.", "",
               "visit", "Colin Marsh", "", "", "", ""])
    wb["Checklist"]["E4"] = "Lena Duarte"
    wb.save(out)
    colin = store_for(params_file, "Colin Marsh")
    with pytest.raises(ValidationFailed) as info:
        import_workbook(params, scope, root, out)
    assert {(e.file.rsplit("/", 1)[-1], e.row, e.column) for e in info.value.errors} == {
        ("ruth.xlsx [Findings]", 4, "reviewer"), ("ruth.xlsx [Checklist]", 4, "reviewer")}
    assert "belongs to Ruth Adeyemi" in str(info.value.errors[0])
    assert not colin.findings_path.exists()


def test_workbook_row_with_id_but_no_export_version_is_refused(tmp_path: Path) -> None:
    params_file, store = _setup(tmp_path)
    out, params, scope, root = _export(tmp_path, params_file)
    wb = openpyxl.load_workbook(out)
    wb["Findings"].cell(row=2, column=len(COLUMNS) + 1).value = None  # the hidden version column
    wb["Findings"][f"{_col('detail')}2"] = "changed"
    wb.save(out)
    with pytest.raises(ValidationFailed) as info:
        import_workbook(params, scope, root, out)
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "version")]


def test_importing_a_listed_workbook_adds_nothing_twice(tmp_path: Path, edit_params) -> None:  # type: ignore[no-untyped-def]
    """Colin's listed findings, kept as a workbook without ids, imported into capture: the letter
    has each once."""
    from toolkit.review import load_review

    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    listed = root / "data" / "mini" / "findings_marsh.csv"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "findings"
    import csv

    with listed.open(encoding="utf-8") as fh:
        for i, r in enumerate(csv.reader(fh)):
            ws.append(["id" if i == 0 else "", *r[1:]])
    wb.create_sheet("Checklist").append(["prompt_id", "kloe", "status", "notes", "reviewer"])  # both sheets needed
    xlsx = root / "data" / "mini" / "findings_marsh.xlsx"
    wb.save(xlsx)
    listed.unlink()
    edit_params(params_file, lambda d: d["inputs"].update(findings=["data/mini/findings_adeyemi.csv",
                                                                     "data/mini/findings_marsh.xlsx"]))
    params, scope, root = open_review(params_file)
    before = sorted(f.statement for f in load_review(params_file).findings.all)
    result = import_workbook(params, scope, root, xlsx)
    assert result.added == 0 and result.unchanged == 4
    after = sorted(f.statement for f in load_review(params_file).findings.all)
    assert after == before
