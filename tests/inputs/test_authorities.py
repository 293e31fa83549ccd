"""The authority lookup from DfE files the user holds (toolkit.inputs.authorities), DfE's published
statistical neighbours read from the user's workbook (toolkit.inputs.neighbours_file), and
``performance.neighbours: published`` in a review's parameters. All files are fictional, built here
in DfE's layouts, except DfE's real region_la_hierarchy.csv read from ../shared."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.dfe import KESTRELMOOR, KESTRELMOOR_LA, hierarchy_csv, neighbours_csv, neighbours_workbook
from support.paths import DFE, ROOT, needs_shared

from toolkit.errors import InputError, ValidationFailed
from toolkit.inputs.authorities import (
    ENV_DFE_DATA,
    dfe_data_files,
    find_authority_record,
    read_authorities,
    same_authority_codes,
)
from toolkit.inputs.neighbours_file import published_neighbours, read_neighbours_file
from toolkit.inputs.params import load_params, read_params


@pytest.fixture
def table(tmp_path: Path) -> Any:
    return read_authorities([hierarchy_csv(tmp_path / "hierarchy.csv")])


@pytest.mark.parametrize(("query", "code"), [
    ("Kestrelmoor", "E06000901"), ("kestrelmoor council", "E06000901"), ("901", "E06000901"),
    ("e06000901", "E06000901"), ("City of Fernhall", "E06000906"), ("Fernhall", "E06000906"),
    ("Saint Aldric", "E08000907"), ("St Aldric Metropolitan Borough Council", "E08000907"),
    ("Harrowmere & Lowdale", "E06000909"), ("Brackenshire", "E06000908"), ("E10000908", "E06000908"),
    ("Kingston Marsh", "E09000904"), ("London Borough of Kingston Vale", "E09000905"),
])
def test_an_authority_is_found_by_any_common_spelling_or_code(table: Any, query: str, code: str) -> None:
    assert find_authority_record(query, table).ons_code == code


@pytest.mark.parametrize(("query", "says"), [
    ("Kingston", "names more than one authority"),
    ("Kestrelmor", "did you mean Kestrelmoor?"),
    ("Narnia", "is not among the local authorities of the DfE files searched (hierarchy.csv)"),
    ("E06009901", "point --dfe-data (or the PEER_REVIEW_DFE_DATA setting) at DfE's region_la_hierarchy.csv"),
    ("999", "is not among"),
    ("Cumbria", "replaced by Cumberland (E06000063) and Westmorland and Furness (E06000064)"),
    ("909", "Harrowmere"),  # a file's own authority, not the reorganisation's 909 Cumbria
    ("E10000021", "replaced by North Northamptonshire (E06000061) and West Northamptonshire (E06000062)"),
    ("Poole", "review Bournemouth, Christchurch and Poole instead"),
])
def test_an_unknown_ambiguous_or_reorganised_authority_is_refused_in_one_line(
        tmp_path: Path, table: Any, query: str, says: str) -> None:
    if query == "909":
        assert find_authority_record(query, table).name == "Harrowmere and Lowdale"
        return
    with pytest.raises(InputError) as caught:
        find_authority_record(query, table, tmp_path)
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_with_no_file_the_message_says_none_was_found_and_the_reorganisations_still_answer(tmp_path: Path) -> None:
    empty = read_authorities(dfe_data_files(tmp_path))
    with pytest.raises(InputError, match="none found: no CSV with the columns new_la_code"):
        find_authority_record("Kestrelmoor", empty, tmp_path)
    with pytest.raises(InputError, match="replaced by Cumberland"):
        find_authority_record("Cumbria", empty, tmp_path)


def test_a_performance_file_serves_as_well_as_the_hierarchy(tmp_path: Path) -> None:
    hierarchy_csv(tmp_path / "data" / "performance" / "ehcp.csv", performance=True)
    (tmp_path / "data" / "performance" / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")  # not EES: ignored
    files = dfe_data_files(tmp_path)
    assert [f.name for f in files] == ["ehcp.csv", "notes.csv"]
    a = find_authority_record("Ravensby", read_authorities(files), tmp_path)
    assert (a.la_code, a.ons_code, a.region_code, a.region_name) == ("903", "E08000903", "E12000003",
                                                                      "Yorkshire and The Humber")


def test_the_setting_and_the_option_choose_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hierarchy_csv(tmp_path / "data" / "dfe" / "h.csv")
    elsewhere = hierarchy_csv(tmp_path / "elsewhere" / "region_la_hierarchy.csv")
    monkeypatch.delenv(ENV_DFE_DATA, raising=False)
    assert dfe_data_files(tmp_path) == (tmp_path / "data" / "dfe" / "h.csv",)
    monkeypatch.setenv(ENV_DFE_DATA, str(elsewhere.parent))
    assert dfe_data_files(tmp_path) == (elsewhere,)
    assert dfe_data_files(tmp_path, [Path("data/dfe")]) == (tmp_path / "data" / "dfe" / "h.csv",)


def test_recoded_authorities_keep_both_codes() -> None:
    assert same_authority_codes("E08000039") == {"E08000039", "E08000019"}  # Sheffield, recoded in 2024
    assert same_authority_codes("E06000901") == {"E06000901"}


@needs_shared()
def test_dfes_real_hierarchy_finds_every_common_spelling() -> None:
    real = read_authorities([DFE / "region_la_hierarchy.csv"])
    for query, code in [("Kirklees", "E08000034"), ("382", "E08000034"), ("Hull", "E06000010"),
                        ("City of York", "E06000014"), ("Windsor & Maidenhead", "E06000040"),
                        ("Saint Helens", "E08000013"), ("Dorset", "E06000059"), ("E10000023", "E06000065"),
                        ("E10000002", "E06000060"), ("E08000016", "E08000038"), ("City of London", "E09000001")]:
        assert find_authority_record(query, real).ons_code == code, query
    with pytest.raises(InputError, match="names more than one authority"):
        find_authority_record("Kingston", real)
    with pytest.raises(InputError, match="replaced by Cumberland"):
        find_authority_record("Cumbria", real)
    assert len([a for a in real.records if a.current]) >= 150


@pytest.mark.parametrize("maker", [neighbours_workbook, neighbours_csv])
def test_the_neighbours_are_read_from_dfes_layout(tmp_path: Path, table: Any, maker: Any) -> None:
    path = maker(tmp_path / ("sn.xlsx" if maker is neighbours_workbook else "sn.csv"))
    sn = read_neighbours_file(path)
    assert sn["901"] == KESTRELMOOR_LA and set(sn) == {"901", "902"}  # the "Old SNs" block is left out
    assert published_neighbours("901", sn, table, "x") == KESTRELMOOR
    with pytest.raises(InputError, match="no row for LA 905"):
        published_neighbours("905", sn, table, "x")


def test_a_missing_or_foreign_neighbours_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="download DfE's statistical neighbour workbook"):
        read_neighbours_file(tmp_path / "sn_may_2025.xlsx")
    other = tmp_path / "other.csv"
    other.write_text("x,y\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="not DfE's statistical neighbour layout"):
        read_neighbours_file(other)


def test_no_dfe_file_is_committed_to_the_toolkit() -> None:
    data = ROOT / "toolkit" / "data"
    assert not [p.name for p in data.iterdir() if p.suffix in (".csv", ".xlsx")]
    assert "sn_may_2025" not in (data / "SOURCES.md").read_text(encoding="utf-8")


@pytest.fixture
def in_project(tmp_path: Path) -> Iterator[Path]:
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def _params(root: Path, edit: dict[str, Any]) -> Path:
    data = yaml.safe_load((ROOT / "params" / "kestrelmoor-2026.yaml").read_text(encoding="utf-8"))
    data["authority"] = {"name": "Kestrelmoor", "ons_code": "E06000901", "la_code": "901"}
    for key, value in edit.items():
        target, _, leaf = key.rpartition(".")
        holder = data.setdefault(target, {}) if target else data
        if value is None:
            holder.pop(leaf, None)
        else:
            holder[leaf] = value
    path = root / "params" / "x.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_published_reads_the_users_workbook_and_an_own_list_wins(in_project: Path) -> None:
    hierarchy_csv(in_project / "data" / "dfe" / "region_la_hierarchy.csv")
    neighbours_workbook(in_project / "downloads" / "sn_may_2025.xlsx")
    published = {"performance.neighbours": "published", "performance.neighbours_file": "downloads/sn_may_2025.xlsx"}
    assert tuple(load_params(_params(in_project, published)).performance.neighbours) == KESTRELMOOR
    assert tuple(load_params(_params(in_project, {**published, "performance.neighbours": None}))
                 .performance.neighbours) == KESTRELMOOR
    own = ["E08000035", "E08000036"]
    assert load_params(_params(in_project, {**published, "performance.neighbours": own})).performance.neighbours == own
    # no neighbours field and no file (every demo review): none, and no complaint
    assert load_params(_params(in_project, {"performance.neighbours": None})).performance.neighbours == []


@pytest.mark.parametrize(("edit", "column", "says"), [
    ({"performance.neighbours": "published"}, "performance.neighbours",
     "download sn_may_2025.xlsx from DfE's Children's Services Statistical Neighbour Benchmarking Tool"),
    ({"performance.neighbours": "nearest"}, "performance.neighbours", "write published"),
    ({"performance.neighbours": "published", "performance.neighbours_file": "nowhere.xlsx"},
     "performance.neighbours_file", "no such file: download DfE's statistical neighbour workbook"),
    ({"performance.neighbours": "published", "performance.neighbours_file": "sn.xlsx", "authority.la_code": "905"},
     "performance.neighbours", "no row for LA 905"),
])
def test_bad_neighbours_are_refused_in_one_line(in_project: Path, edit: dict[str, Any], column: str,
                                                says: str) -> None:
    neighbours_workbook(in_project / "sn.xlsx")
    with pytest.raises(ValidationFailed) as caught:
        read_params(_params(in_project, edit))
    (error,) = caught.value.errors
    assert error.column == column and says in error.message and "\n" not in str(error)


def test_a_relative_neighbours_file_is_read_from_the_project_not_the_current_folder(in_project: Path) -> None:
    """``neighbours_file: downloads/sn.xlsx`` names the project's file whichever folder the review
    is read from; a workbook of that name in the current folder is never read instead."""
    project = in_project / "project"
    hierarchy_csv(project / "data" / "dfe" / "region_la_hierarchy.csv")
    neighbours_workbook(project / "downloads" / "sn.xlsx")
    path = _params(project, {"performance.neighbours": "published", "performance.neighbours_file": "downloads/sn.xlsx"})
    elsewhere = in_project / "elsewhere"
    (elsewhere / "downloads").mkdir(parents=True)
    (elsewhere / "downloads" / "sn.xlsx").write_text("not DfE's workbook", encoding="utf-8")
    os.chdir(elsewhere)
    assert tuple(load_params(path).performance.neighbours) == KESTRELMOOR
    os.chdir(project / "params")
    assert tuple(load_params(Path("x.yaml")).performance.neighbours) == KESTRELMOOR
    (project / "downloads" / "sn.xlsx").unlink()
    with pytest.raises(ValidationFailed) as caught:
        read_params(path)
    (error,) = caught.value.errors
    assert error.column == "performance.neighbours_file" and error.file == "downloads/sn.xlsx"
