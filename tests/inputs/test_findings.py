from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support.paths import AppendRows, EditParams

from toolkit.errors import ValidationFailed
from toolkit.inputs.findings import Kind
from toolkit.review import load_review, validate

HEADER = "id,kloe,kind,headline,statement,detail,evidence,reviewer,include,order,indicator"


def _problems(params: Path) -> list[str]:
    return [str(e) for e in validate(params)]


def test_merges_reviewers_and_drops_excluded(mini: Path) -> None:
    fs = load_review(mini).findings
    assert len(fs.all) == 10
    assert len(fs.included) == 9
    assert fs.reviewers() == ["Colin Marsh", "Ruth Adeyemi"]
    assert all(f.id != "a5" for f in fs.included)


def test_headline_appears_once_among_headlines(mini: Path) -> None:
    fs = load_review(mini).findings
    assert [f.id for f in fs.headlines(Kind.STRENGTH)] == ["a3"]
    assert [f.id for f in fs.headlines(Kind.AREA)] == ["m3"]
    for kloe in fs.scope.ids():
        for kind in Kind:
            assert all(not f.headline for f in fs.for_kloe(kloe, kind))


def test_order_column_then_reading_order(mini: Path) -> None:
    fs = load_review(mini).findings
    # m1 has order 1, a2 order 2: explicit order wins over file order.
    assert [f.id for f in fs.for_kloe("2016-identify", Kind.AREA)] == ["m1", "a2"]


def test_unknown_kloe_names_file_row_and_column(mini: Path, append_rows: AppendRows) -> None:
    append_rows(mini.parents[1] / "data/mini/findings_marsh.csv",
                ["m9,lt-imaginary,strength,no,Something good.,,interview,Colin Marsh,yes,,"])
    probs = _problems(mini)
    assert len(probs) == 1
    assert probs[0].startswith("data/mini/findings_marsh.csv: row 6, column kloe: 'lt-imaginary' is not a KLOE in this review's scope")


@pytest.mark.parametrize(
    "row, column, text",
    [
        ("x1,2016-identify,praise,no,S.,,interview,Colin Marsh,yes,,", "kind", "'praise' is not strength"),
        ("x1,2016-identify,strength,no,,,interview,Colin Marsh,yes,,", "statement", "empty"),
        ("x1,2016-identify,strength,no,S.,,,Colin Marsh,yes,,", "evidence", "empty"),
        ("x1,2016-identify,strength,no,S.,,gossip,Colin Marsh,yes,,", "evidence", "'gossip' is not an evidence kind"),
        ("x1,2016-identify,strength,no,S.,,interview,Jo Bloggs,yes,,", "reviewer", "not in the review team"),
        ("x1,2016-identify,strength,maybe,S.,,interview,Colin Marsh,yes,,", "headline", "not yes or no"),
        ("x1,2016-identify,strength,no,S.,,interview,Colin Marsh,perhaps,,", "include", "not yes or no"),
        ("x1,2016-identify,strength,no,S.,,interview,Colin Marsh,yes,first,", "order", "not a number"),
        ("x1,,strength,no,S.,,interview,Colin Marsh,yes,,", "kloe", "empty"),
        ("m1,2016-identify,strength,no,S.,,interview,Colin Marsh,yes,,", "id", "already used"),
    ],
)
def test_each_bad_cell_is_located(mini: Path, append_rows: AppendRows, row: str, column: str, text: str) -> None:
    append_rows(mini.parents[1] / "data/mini/findings_marsh.csv", [row])
    probs = _problems(mini)
    assert len(probs) == 1, probs
    assert f"row 6, column {column}: " in probs[0] and text in probs[0], probs[0]


def test_headlines_and_urgent_actions_may_leave_kloe_blank(mini: Path, append_rows: AppendRows) -> None:
    append_rows(mini.parents[1] / "data/mini/findings_marsh.csv",
                ["u1,,urgent action,no,Act now on waiting lists.,,data,Colin Marsh,yes,,"])
    review = load_review(mini)
    assert [f.id for f in review.findings.urgent_actions()] == ["u1"]


def test_missing_required_column(mini: Path) -> None:
    f = mini.parents[1] / "data/mini/findings_marsh.csv"
    f.write_text("id,kloe,kind,statement,evidence\nq,2016-identify,strength,S.,interview\n", encoding="utf-8")
    probs = _problems(mini)
    assert probs == ["data/mini/findings_marsh.csv: row 1, column reviewer: required column missing: add a column headed reviewer"]


def test_unknown_column_is_a_typo_not_ignored(mini: Path) -> None:
    f = mini.parents[1] / "data/mini/findings_marsh.csv"
    text = f.read_text(encoding="utf-8").replace("statement", "statment", 1)
    f.write_text(text, encoding="utf-8")
    probs = _problems(mini)
    assert any("column statment: unknown column" in p for p in probs)


def test_missing_findings_file(mini: Path) -> None:
    (mini.parents[1] / "data/mini/findings_marsh.csv").unlink()
    assert _problems(mini) == ["data/mini/findings_marsh.csv: file not found"]


def test_xlsx_findings_are_read_like_csv(mini: Path, edit_params: EditParams) -> None:
    csv_path = mini.parents[1] / "data/mini/findings_marsh.csv"
    lines = [line.split(",") for line in csv_path.read_text(encoding="utf-8").splitlines()]
    wb = openpyxl.Workbook()
    ws = wb.active
    for cells in lines:
        ws.append([c if c != "1" else 1 for c in cells])  # a number cell, as Excel stores it
    xlsx = csv_path.with_suffix(".xlsx")
    wb.save(xlsx)
    csv_path.unlink()
    edit_params(mini, lambda d: d["inputs"].update(findings=["data/mini/findings_adeyemi.csv", "data/mini/findings_marsh.xlsx"]))
    review = load_review(mini)
    assert len(review.findings.all) == 10
    assert next(f for f in review.findings.all if f.id == "m1").order == 1.0


def test_xlsx_bad_row_is_located(mini: Path, edit_params: EditParams) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(["z1", "2016-identify", "strength", "no", "Good.", "", "interview", "Colin Marsh", "yes", None, None])
    ws.append(["z2", "nowhere", "strength", "no", "Good.", "", "interview", "Colin Marsh", "yes", None, None])
    wb.save(mini.parents[1] / "data/mini/extra.xlsx")
    edit_params(mini, lambda d: d["inputs"]["findings"].append("data/mini/extra.xlsx"))
    assert _problems(mini) == [
        "data/mini/extra.xlsx: row 3, column kloe: 'nowhere' is not a KLOE in this review's scope "
        "(2016-identify, lt-coproduction, ehcp-timeliness): use one of them, or add it to scope.kloes in the "
        "parameters"
    ]


def test_broken_workbook(mini: Path, edit_params: EditParams) -> None:
    (mini.parents[1] / "data/mini/broken.xlsx").write_bytes(b"not really a workbook")
    edit_params(mini, lambda d: d["inputs"]["findings"].append("data/mini/broken.xlsx"))
    probs = _problems(mini)
    assert len(probs) == 1 and probs[0].startswith("data/mini/broken.xlsx: cannot read the workbook")


def test_unknown_kloe_in_scope_is_reported(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d["scope"]["kloes"].append("lt-nothing"))
    probs = _problems(mini)
    assert any("scope.kloes[3]: unknown KLOE 'lt-nothing'" in p for p in probs)
    with pytest.raises(ValidationFailed):
        load_review(mini)


def test_unknown_framework(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d["scope"]["frameworks"].append("send-1999"))
    probs = _problems(mini)
    assert len(probs) == 1, probs
    assert probs[0].endswith("params/mini.yaml: scope.frameworks[3]: no KLOE framework 'send-1999'"
                             ": name a shipped one (local-themes, send-2016, send-2023, send-2025) or the path of a "
                             "framework file, relative to the project folder"), probs


def test_framework_missing_with_its_kloes_in_scope_is_one_problem(mini: Path, edit_params: EditParams) -> None:
    def change(d: dict[str, Any]) -> None:
        d["scope"]["frameworks"] = ["send-1999"]
        d["scope"]["kloes"] = [k for k in d["scope"]["kloes"]]
    edit_params(mini, change)
    probs = _problems(mini)
    assert any("scope.frameworks[1]: no KLOE framework 'send-1999'" in p for p in probs), probs
    assert not any("unknown KLOE" in p for p in probs), probs


def test_custom_kloe_defined_twice_is_refused(mini: Path, edit_params: EditParams) -> None:
    def change(d: dict[str, Any]) -> None:
        d["scope"]["custom_kloes"].append(dict(d["scope"]["custom_kloes"][0]))
    edit_params(mini, change)
    probs = _problems(mini)
    assert any("scope.custom_kloes[2].id: custom KLOE id" in p and "defined twice" in p for p in probs), probs
