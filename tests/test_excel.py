"""Excel round trip: export (blank or filled), import with validation, merge without loss."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from test_capture_support import copy_mini, draft, store_for
from toolkit.errors import ValidationFailed
from toolkit.excel import export_workbook, import_workbook
from toolkit.store import open_review


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
