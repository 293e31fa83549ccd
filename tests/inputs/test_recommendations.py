"""The team's own recommendations and the report form's parameters (overall view, settings
visited, sessions attended, KLOEs explored through), read and checked."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from support.paths import EditParams

from toolkit.errors import ValidationFailed
from toolkit.inputs.params_report import sessions_groups
from toolkit.inputs.recommendations import read_recommendations
from toolkit.review import check, load_review


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_recommendations_grouped_by_theme_in_file_order(tmp_path: Path) -> None:
    path = _write(tmp_path / "recs.csv", "theme,recommendation,findings,help,order\n"
                  "Coproduction,Agree a charter with the forum.,a1; a2,Contact,2\n"
                  "ehc-planning,\"Audit plans jointly.\n\nReport what the audits find.\",,,\n"
                  "Coproduction,Meet the forum each term.,,,1\n")
    recs = read_recommendations(path, tmp_path, {"a1", "a2"})
    assert recs.themes() == ["Coproduction", "ehc-planning"]
    assert [r.text for r in recs.for_theme("Coproduction")] == ["Meet the forum each term.",
                                                                "Agree a charter with the forum."]
    first = recs.for_theme("Coproduction")[1]
    assert first.findings == ("a1", "a2") and first.help == "Contact" and first.row == 2
    assert recs.for_theme("ehc-planning")[0].text == "Audit plans jointly.\n\nReport what the audits find."


def test_recommendations_from_a_workbook_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "Notes"
    ws = wb.create_sheet("Recommendations")
    ws.append(["Theme", "Recommendation", "Findings"])
    ws.append(["Workforce", "Grow our own psychologists.", None])
    wb.save(tmp_path / "recs.xlsx")
    recs = read_recommendations(tmp_path / "recs.xlsx", tmp_path, None)
    assert [(r.theme, r.text) for r in recs.items] == [("Workforce", "Grow our own psychologists.")]


def test_every_problem_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path / "recs.csv", "theme,recommendation,findings,colour\n,,zz,\n")
    with pytest.raises(ValidationFailed) as caught:
        read_recommendations(path, tmp_path, {"a1"})
    assert [str(e) for e in caught.value.errors] == [
        "recs.csv: row 1, column colour: unknown column: rename it to one of theme, recommendation, findings, help, "
        "order (docs/inputs.md), or delete the column"]
    path = _write(tmp_path / "recs.csv", "theme,recommendation,findings\n,,zz\nX,Do it.,a1\n")
    with pytest.raises(ValidationFailed) as caught:
        read_recommendations(path, tmp_path, {"a1"})
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "theme"), (2, "recommendation"), (2, "findings")]
    assert all("Traceback" not in str(e) for e in caught.value.errors)


def test_sessions_by_heading_or_as_one_list() -> None:
    assert sessions_groups(["panel", "focus group"]) == [("", ["panel", "focus group"])]
    assert sessions_groups({"ehc": ["panel"], "Families": ["coffee morning"]}) == [
        ("ehc", ["panel"]), ("Families", ["coffee morning"])]
    assert sessions_groups([]) == []


def test_the_report_form_inputs_reach_the_review(mini: Path, edit_params: EditParams) -> None:
    proj = mini.parents[1]
    _write(proj / "data/mini/recs.csv", "theme,recommendation,findings\n2016-identify,Screen at Year 7.,a2\n")
    edit_params(mini, lambda d: (d["inputs"].update(recommendations="data/mini/recs.csv"),
                                 d.update(overall_view="A strong partnership.\n\nIt must reach families.",
                                          settings_visited=["Fenwick Cross Academy"],
                                          explored_through={"2016-identify": ["a SENCO focus group"]},
                                          letter_style="west-midlands")))
    checked = check(mini)
    assert checked.errors == () and not [w for w in checked.warnings if w.column == "inputs.recommendations"]
    review = load_review(mini)
    assert review.recommendations is not None and review.recommendations.items[0].findings == ("a2",)
    assert review.params.explored_through == {"2016-identify": ["a SENCO focus group"]}


def test_an_overall_view_the_style_has_no_place_for_is_a_warning(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d.update(overall_view="A strong partnership."))
    warnings = [str(w) for w in check(mini).warnings]
    assert any("overall_view: warning: the style standard has no place for the team's overall view" in w
               for w in warnings)


def test_a_letter_style_places_the_overall_view_before_its_headlines(mini: Path, edit_params: EditParams) -> None:
    from bs4 import BeautifulSoup

    from toolkit.letter.sections import build_letter

    proj = mini.parents[1]
    style = proj / "styles" / "with-view"
    style.mkdir(parents=True)
    (style / "document.yaml").write_text("sections: [opening, process, overall_view, headlines, kloes, closing]\n",
                                         encoding="utf-8")
    edit_params(mini, lambda d: d.update(letter_style="styles/with-view",
                                         overall_view="Partners share an ambition.\n\nFamilies must feel it."))
    checked = check(mini)
    assert checked.errors == () and not [w for w in checked.warnings if w.column == "overall_view"]
    soup = BeautifulSoup(build_letter(load_review(mini)), "html.parser")
    view = soup.select_one("div.overall-view")
    assert view is not None
    assert [p.get_text() for p in view.find_all("p")] == ["Partners share an ambition.", "Families must feel it."]
    headlines = soup.find("section", id="headlines")
    assert headlines is not None and view.sourceline < headlines.sourceline
