"""``peer-review new``: a review started from an authority, the visit dates, the team and a
framework (toolkit.capture.newreview), validated as written. The authorities and the neighbour
workbook are fictional files in DfE's layouts (tests/support/dfe.py)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from support.dfe import KESTRELMOOR, KESTRELMOOR_LA, hierarchy_csv, neighbours_workbook
from support.paths import DFE, needs_shared

from toolkit.cli import main
from toolkit.inputs.frameworks import load_framework
from toolkit.inputs.params import load_params_checked
from toolkit.inputs.sef import SefOptions

TEAM = ["--member", "Priya Raman; Assistant Director, Education; Harbourside Council",
        "--member", "Gareth Holloway; Head of SEND; Ravensby Council",
        "--member", "Joanne Pickering; Co-chair; Wrenfield Parent Carer Forum"]


@pytest.fixture(scope="module")
def dfe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside the project holding the fictional hierarchy and neighbour workbook."""
    folder = tmp_path_factory.mktemp("dfe")
    hierarchy_csv(folder / "region_la_hierarchy.csv")
    neighbours_workbook(folder / "sn" / "sn_may_2025.xlsx")
    return folder


def _new(root: Path, *args: str, dfe: Path | None = None) -> tuple[int, str]:
    more = ["--dfe-data", str(dfe / "region_la_hierarchy.csv")] if dfe is not None else []
    result = CliRunner().invoke(main, ["new", *args, *more, "--root", str(root)], env={"PEER_REVIEW_DFE_DATA": ""})
    return result.exit_code, result.output


@pytest.mark.parametrize(("authority", "review_id", "code", "la", "region"), [
    ("Kestrelmoor", "kestrelmoor-2026", "E06000901", "901", "E12000003"),
    ("901", "kestrelmoor-2026", "E06000901", "901", "E12000003"),
    ("E06000906", "fernhall-2026", "E06000906", "906", "E12000008"),
    ("Harrowmere & Lowdale Council", "harrowmere-and-lowdale-2026", "E06000909", "909", "E12000008"),
])
def test_a_new_review_validates_with_warnings_only_for_what_is_empty(
        tmp_path: Path, dfe: Path, authority: str, review_id: str, code: str, la: str, region: str) -> None:
    workbook = ["--neighbours-file", str(dfe / "sn" / "sn_may_2025.xlsx")] if la == "901" else []
    status, out = _new(tmp_path, authority, "--dates", "2026-03-03,2026-03-04", *TEAM, *workbook, dfe=dfe)
    assert status == 0, out
    assert f"params/{review_id}.yaml" in out and "what is left to fill in" in out
    path = tmp_path / "params" / f"{review_id}.yaml"
    params, warnings = load_params_checked(path)
    assert (params.authority.ons_code, params.authority.la_code, params.region.code) == (code, la, region)
    assert [m.lead for m in params.team] == [True, False, False]
    assert [str(d) for d in params.visit.dates] == ["2026-03-03", "2026-03-04"]
    assert str(params.visit.presentation_date) == "2026-03-05"
    assert params.scope.kloes == [k.id for k in load_framework("send-2025").kloes]
    assert len(params.performance.neighbours) == (10 if la == "901" else 0)
    assert all(w.line is not None for w in warnings)
    assert {w.column for w in warnings} == {"recipient.name", "recipient.salutation", "coordinator.name",
                                            "coordinator.organisation", "scope.requested[1]", "activities[1]",
                                            "people_met"}
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "error" not in result.output.casefold()
    text = path.read_text(encoding="utf-8")
    assert ("neighbours: published" in text) is (la == "901") and text.count("#") > 40  # every field commented
    folder = tmp_path / "data" / review_id
    assert sorted(p.name for p in folder.iterdir()) == sorted([
        "findings_raman.csv", "findings_holloway.csv", "findings_pickering.csv", "workbook_raman.xlsx",
        "workbook_holloway.xlsx", "workbook_pickering.xlsx", "audit.xlsx", "sef.xlsx", "to-do.md"])
    assert (folder / "to-do.md").read_text(encoding="utf-8") in out


def test_kestrelmoor_gets_its_published_neighbours_from_the_users_workbook(
        tmp_path: Path, dfe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = dfe / "sn" / "sn_may_2025.xlsx"
    assert _new(tmp_path, "kestrelmoor council", "--dates", "2026-03-03", *TEAM, "--neighbours-file", str(workbook),
                dfe=dfe)[0] == 0
    monkeypatch.delenv("PEER_REVIEW_DFE_DATA", raising=False)
    params, _ = load_params_checked(tmp_path / "params" / "kestrelmoor-2026.yaml")
    assert tuple(params.performance.neighbours) == KESTRELMOOR_LA  # no DfE file names them: LA numbers
    monkeypatch.setenv("PEER_REVIEW_DFE_DATA", str(dfe / "region_la_hierarchy.csv"))
    params, _ = load_params_checked(tmp_path / "params" / "kestrelmoor-2026.yaml")
    assert tuple(params.performance.neighbours) == KESTRELMOOR
    text = (tmp_path / "params" / "kestrelmoor-2026.yaml").read_text(encoding="utf-8")
    assert "E08000903 Ravensby" in text and f"neighbours_file: {str(workbook)!r}".replace("'", '"') in text


def test_without_a_workbook_the_review_lists_no_neighbours_and_says_how(tmp_path: Path, dfe: Path) -> None:
    status, out = _new(tmp_path, "Kestrelmoor", "--dates", "2026-03-03", *TEAM, dfe=dfe)
    assert status == 0, out
    params, _ = load_params_checked(tmp_path / "params" / "kestrelmoor-2026.yaml")
    assert params.performance.neighbours == [] and "DfE's statistical neighbour workbook" in out


def test_the_projects_own_dfe_folder_is_read_by_default(tmp_path: Path) -> None:
    hierarchy_csv(tmp_path / "data" / "performance" / "ehcp.csv", performance=True)
    status, out = _new(tmp_path, "Ravensby", "--dates", "2026-03-03", *TEAM)
    assert status == 0, out
    assert (tmp_path / "params" / "ravensby-2026.yaml").is_file()


def test_only_performance_files_with_a_row_for_the_authority_are_listed(tmp_path: Path) -> None:
    """A file whose figures happen to read like the authority's LA number (a count of 903) is not
    the authority's: only its code columns are compared."""
    hierarchy_csv(tmp_path / "data" / "performance" / "ehcp.csv", performance=True)
    other = tmp_path / "data" / "performance" / "other.csv"
    other.write_text("time_period,geographic_level,new_la_code,old_la_code,la_name,requests,refused\n"
                     "2024,Local authority,E06000999,999,Elsewhere,903,12\n"
                     "2024,Local authority,E06000998,998,Nowhere,40,903\n", encoding="utf-8")
    local = tmp_path / "data" / "performance" / "local.csv"
    local.write_text("indicator,period,area_code,area_name,geographic_level,region_code,value\n"
                     "waits,2024,E08000903,Ravensby,Local authority,E12000003,903\n", encoding="utf-8")
    status, out = _new(tmp_path, "Ravensby", "--dates", "2026-03-03", *TEAM)
    assert status == 0, out
    params, _ = load_params_checked(tmp_path / "params" / "ravensby-2026.yaml")
    assert params.inputs.performance == ["data/performance/ehcp.csv", "data/performance/local.csv"]


@needs_shared()
def test_dfes_real_hierarchy_starts_a_real_authoritys_review(tmp_path: Path) -> None:
    status, out = _new(tmp_path, "Kirklees", "--dates", "2026-03-03", *TEAM,
                       "--dfe-data", str(DFE / "region_la_hierarchy.csv"))
    assert status == 0, out
    params, _ = load_params_checked(tmp_path / "params" / "kirklees-2026.yaml")
    assert (params.authority.ons_code, params.authority.la_code) == ("E08000034", "382")


def test_the_workbooks_have_drop_down_lists_and_read_back(tmp_path: Path, dfe: Path) -> None:
    assert _new(tmp_path, "Kestrelmoor", "--dates", "2026-03-03", *TEAM, "--framework", "send-2016",
                dfe=dfe)[0] == 0
    folder = tmp_path / "data" / "kestrelmoor-2026"
    book = openpyxl.load_workbook(folder / "workbook_holloway.xlsx")
    assert book["Findings"].data_validations.dataValidation  # kloe, kind, yes/no lists
    lists = book["Lists"]
    assert [c.value for c in lists["A"][1:] if c.value] == [k.id for k in load_framework("send-2016").kloes]
    sef = openpyxl.load_workbook(folder / "sef.xlsx")["SEF"]
    assert [c.value for c in sef["A"][1:]] == SefOptions().areas and sef.data_validations.dataValidation
    audit = openpyxl.load_workbook(folder / "audit.xlsx")["Audit"]
    assert [c.value for c in audit[1]][:6] == ["case_ref", "auditor", "phase", "primary_need", "setting_type",
                                               "plan_stage"]


def test_a_filled_workbook_is_imported_into_the_new_review(tmp_path: Path, dfe: Path) -> None:
    assert _new(tmp_path, "Kestrelmoor", "--dates", "2026-03-03", *TEAM, dfe=dfe)[0] == 0
    book_path = tmp_path / "data" / "kestrelmoor-2026" / "workbook_raman.xlsx"
    book = openpyxl.load_workbook(book_path)
    sheet = book["Findings"]
    row = {"kloe": "2025-identify", "kind": "strength", "statement": "Health visitors notice needs early.",
           "evidence": "interview", "reviewer": "Priya Raman"}
    for i, cell in enumerate(sheet[1], start=1):
        if cell.value in row:
            sheet.cell(row=2, column=i, value=row[str(cell.value)])
    book.save(book_path)
    params = str(tmp_path / "params" / "kestrelmoor-2026.yaml")
    result = CliRunner().invoke(main, ["capture-import", params, str(book_path)])
    assert result.exit_code == 0 and "1 added" in result.output, result.output
    assert CliRunner().invoke(main, ["validate", params]).exit_code == 0


def test_a_team_file_names_the_lead(tmp_path: Path, dfe: Path) -> None:
    team = tmp_path / "team.csv"
    team.write_text("Name,Role,Organisation,Lead\nAnn Lee,Assistant Director,Harbourside Council,\n"
                    "Bo Chan,Head of SEND,Ravensby Council,yes\n", encoding="utf-8")
    assert _new(tmp_path, "Wrenfield", "--dates", "2026-05-12", "--team", str(team),
                "--coordinator", "Tom Beckett; Programme Manager; Regional Improvement Alliance", dfe=dfe)[0] == 0
    data = yaml.safe_load((tmp_path / "params" / "wrenfield-2026.yaml").read_text(encoding="utf-8"))
    assert [(m["name"], m["lead"]) for m in data["team"]] == [("Ann Lee", False), ("Bo Chan", True)]
    assert data["coordinator"]["name"] == "Tom Beckett"


def test_an_existing_review_is_never_overwritten(tmp_path: Path, dfe: Path) -> None:
    assert _new(tmp_path, "Kestrelmoor", "--dates", "2026-03-03", *TEAM, dfe=dfe)[0] == 0
    params = tmp_path / "params" / "kestrelmoor-2026.yaml"
    params.write_text(params.read_text(encoding="utf-8") + "# the coordinator's edits\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    status, out = _new(tmp_path, "901", "--dates", "2026-03-10", *TEAM, dfe=dfe)
    assert status == 2 and out.strip().count("\n") == 0
    assert out.startswith("params/kestrelmoor-2026.yaml: already exists: a review is never overwritten")
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(("args", "says"), [
    (["Narnia", "--dates", "2026-03-03", *TEAM], "authority: 'Narnia' is not among the local authorities"),
    (["Kestrelmoor", "--dates", "2026-03-03", *TEAM, "--neighbours-file", "nowhere.xlsx"],
     "no such file: download DfE's statistical neighbour workbook"),
    (["Ravensby", "--dates", "2026-03-03", *TEAM, "--neighbours-file", "{dfe}/sn/sn_may_2025.xlsx"],
     "the statistical neighbour file has no row for LA 903"),
    (["Kingston", "--dates", "2026-03-03", *TEAM], "names more than one authority"),
    (["Cumbria", "--dates", "2026-03-03", *TEAM], "was replaced by Cumberland (E06000063)"),
    (["Wrenfield", "--dates", "03/03/2026", *TEAM], "--dates: '03/03/2026' is not a date: write dates as YYYY-MM-DD"),
    (["Wrenfield", "--dates", "2026-03-04,2026-03-03", *TEAM], "the visit dates must be in order"),
    (["Wrenfield", "--dates", "2026-03-03", "--presentation", "2026-03-01", *TEAM], "cannot come before"),
    (["Wrenfield", "--dates", "2026-03-03"], "no team"),
    (["Wrenfield", "--dates", "2026-03-03", "--member", "Ann Lee, AD, Harbourside"], "is not \"Name; Role; Organisation\""),
    (["Wrenfield", "--dates", "2026-03-03", *TEAM, "--lead", "Someone Else"], "is not in the team"),
    (["Wrenfield", "--dates", "2026-03-03", *TEAM, "--framework", "send-1999"], "no KLOE framework 'send-1999'"),
    (["Wrenfield", "--dates", "2026-03-03", *TEAM, "--id", "Leeds 2026"], "is not a review id"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, dfe: Path, args: list[str], says: str) -> None:
    status, out = _new(tmp_path, *[a.format(dfe=dfe) for a in args], dfe=dfe)
    assert status == 2 and says in out and out.strip().count("\n") == 0, out
    assert "Traceback" not in out
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_bad_team_file_is_named_with_its_row_and_column(tmp_path: Path, dfe: Path) -> None:
    team = tmp_path / "team.csv"
    team.write_text("name,role,organisation\nAnn Lee,,Harbourside Council\n", encoding="utf-8")
    status, out = _new(tmp_path, "Wrenfield", "--dates", "2026-03-03", "--team", str(team), dfe=dfe)
    assert status == 2 and "row 2, column role: empty: write the member's role" in out
    assert not (tmp_path / "params").exists()
