"""Performance data in a review: validation, the letter's data section, the team's checks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from support.paths import AppendRows, EditParams

from toolkit.letter.performance import (
    consistency_table,
    indicator_table,
    letter_comparisons,
    to_test_on_site,
    warnings_table,
)
from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review, validate

#: A demo review's EHC plan audit: 2 of 6 new plans on time, 5 of 12 plans good or outstanding.
AUDIT = Path(__file__).resolve().parents[2] / "data" / "harrowdene-2025" / "audit.csv"


def _soup(review: Review) -> BeautifulSoup:
    return BeautifulSoup(build_letter(review), "html.parser")


def test_letter_states_indicators_with_comparators_and_charts(mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    mini, la, _ = mini_perf
    review = load_review(mini)
    soup = _soup(review)
    section = soup.find("section", id="performance")
    text = section.get_text(" ", strip=True)
    value = float(la["no_exc_20week_rate"])
    assert f"{value:.1f}%" in text
    assert "England" in text and "similar areas" in text and "statistical neighbours" in text
    # a finding (a6) links ehcp_20wk_no_exc, so that indicator is charted (its trend), with a table
    figures = section.find_all("figure")
    assert len(figures) == 1
    for fig in figures:
        assert fig.find("svg")["role"] == "img"
        assert fig.find("table") is not None
    heads = [h.get_text(" ", strip=True) for h in soup.find_all("h2")]
    assert heads.index("4. Performance data") < heads.index("5. Next steps")


def test_consistency_flags_stay_out_of_the_letter(mini_perf: tuple[Path, dict[str, str], list[str]], append_rows: AppendRows) -> None:
    """A finding that certainly contradicts its indicator is flagged for the team, never printed."""
    mini, _, _ = mini_perf
    review = load_review(mini)
    banded = next(c for c in review.performance.with_values if c.band in ("A", "D"))
    kind = "strength" if banded.band == "D" else "area for consideration"
    findings = mini.parents[1] / "data/mini/findings_marsh.csv"
    append_rows(findings, [f"m9,ehcp-timeliness,{kind},no,Contradicted by the data on purpose.,,data,"
                           f"Colin Marsh,yes,,{banded.indicator.id}"])
    review = load_review(mini)
    flags = consistency_table(review)
    assert set(flags.columns) >= {"finding", "file", "row", "problem"}
    flag = flags[flags["finding"] == "m9"]
    assert len(flag) == 1, flags
    problem = flag.iloc[0]["problem"]
    assert problem.startswith("called a") and "quarter" in problem and "band" not in problem
    assert flag.iloc[0]["row"] == 6 and flag.iloc[0]["file"] == "data/mini/findings_marsh.csv"
    soup = BeautifulSoup(build_letter(review), "html.parser")
    panel = soup.select_one("aside.check-panel.screen-only")
    assert panel is not None and problem[1:] in panel.get_text(" ", strip=True)  # the draft's panel shows it...
    assert "data/mini/findings_marsh.csv, row 6" in panel.get_text(" ", strip=True)
    panel.decompose()
    letter = soup.get_text(" ", strip=True)
    assert "Contradicted by the data on purpose." in letter  # the finding is in the letter...
    assert problem[1:] not in letter  # ...its flag is not
    assert any(w.row == 6 and "quarter" in w.message for w in review.warnings)  # and validate says so


def _panel_and_letter(review: Review) -> tuple[str, str]:
    soup = _soup(review)
    panel = soup.select_one("aside.check-panel.screen-only")
    shown = "" if panel is None else panel.get_text(" ", strip=True)
    if panel is not None:
        panel.decompose()
    return shown, soup.get_text(" ", strip=True)


def test_findings_checked_against_their_kloes_indicators(mini_perf: tuple[Path, dict[str, str], list[str]], append_rows: AppendRows) -> None:
    """A finding with no indicator of its own, under a KLOE that lists one (2016-identify lists the
    share of requests refused): its claim is checked against that figure; the same claim under a
    KLOE that does not list it is checked too, by its words (issue 26); a claim the figure bears
    out is not flagged."""
    mini, _, _ = mini_perf
    refused = load_review(mini).performance.get("ehcp_requests_refused_pc")
    wrong, right = ("larger", "smaller") if refused.value < refused.neighbours_mean else ("smaller", "larger")
    findings = mini.parents[1] / "data/mini/findings_marsh.csv"
    append_rows(findings, [
        f"m7,2016-identify,area for consideration,no,A {wrong} share of requests is refused than in similar areas.,"
        ",data,Colin Marsh,yes,,",
        f"m8,2016-identify,area for consideration,no,A {right} share of requests is refused than in similar areas.,"
        ",data,Colin Marsh,yes,,",
        f"m9,lt-coproduction,area for consideration,no,A {wrong} proportion of requests is refused than "
        "similar areas.,,data,Colin Marsh,yes,,"])
    review = load_review(mini)
    table = consistency_table(review)
    flagged = table[table["finding"].isin(["m7", "m8", "m9"])]
    assert flagged["finding"].tolist() == ["m7", "m9"], table
    assert flagged.iloc[1]["link"] == "words"
    row = flagged.iloc[0]
    assert (row["file"], row["row"], row["link"], row["indicator"]) == (
        "data/mini/findings_marsh.csv", 6, "kloe", "ehcp_requests_refused_pc")
    figure = f"{refused.neighbours_mean:.1f}%"
    assert figure in row["problem"] and "on Requests refused, an indicator its KLOE lists" in row["problem"]
    warning = next(w for w in review.warnings if w.row == 6 and w.file == "data/mini/findings_marsh.csv")
    assert f"A {wrong} share of requests is refused" in warning.message and figure in warning.message
    panel, letter = _panel_and_letter(review)
    assert "data/mini/findings_marsh.csv, row 6" in panel and row["problem"][1:] in panel
    assert "findings_marsh.csv, row 7" not in panel and "findings_marsh.csv, row 8" in panel
    assert row["problem"][1:] not in letter


def test_findings_checked_against_the_audits_grades_and_timing(mini: Path, edit_params: EditParams, append_rows: AppendRows) -> None:
    """A strength saying plans are good, or timely, beside an audit that graded most plans below
    good and found most new plans late: each flagged; an area for consideration asking for better
    plans is borne out by the same audit and is not."""
    root = mini.parents[1]
    shutil.copy(AUDIT, root / "data/mini/audit.csv")
    edit_params(mini, lambda d: d["inputs"].update(audit="data/mini/audit.csv"))
    findings = root / "data/mini/findings_marsh.csv"
    append_rows(findings, [
        "m7,ehcp-timeliness,strength,no,The quality of EHC plans is consistently high.,,data,Colin Marsh,yes,,",
        "m8,ehcp-timeliness,area for consideration,no,Raise the quality of EHC plans.,,data,Colin Marsh,yes,,"])
    review = load_review(mini)
    table = consistency_table(review)
    checks = sorted(zip(table["row"], table["check"], table["link"], strict=True))
    # m2 (row 3) says new plans are mostly issued on time; the audit found 2 of 6
    assert checks == [(0, "audit section", "audit"), (3, "audit", "audit"), (6, "audit grades", "audit")], table
    grades = table[table["row"] == 6].iloc[0]["problem"]
    assert grades == ("called a strength, but the EHC plan audit graded only 5 of the 12 plans read good or "
                      "outstanding, and 7 as requiring improvement or inadequate")
    assert any(w.row == 6 and grades in w.message for w in review.warnings)
    panel, letter = _panel_and_letter(review)
    assert "data/mini/findings_marsh.csv, row 6" in panel and grades[1:] in panel
    assert "findings_marsh.csv, row 7" not in panel and grades[1:] not in letter


#: A review's own catalogue: the EHC plans maintained, and personal budgets as a share of them.
RATE_CATALOGUE = """\
version: 1
indicators:
  - id: ehcp_total
    title: EHC plans maintained
    short_title: EHC plans
    unit: count
    polarity: neutral
    decimals: 0
    publication_lag_months: 6
    source: {files: "sen2*.csv", column: all_ehc}
  - id: personal_budgets
    title: EHC plans with a personal budget
    short_title: Personal budgets
    unit: count
    polarity: neutral
    decimals: 0
    publication_lag_months: 6
    source: {files: "sen2*.csv", column: personal_budgets}
    denominator: {indicator: ehcp_total, of: EHC plans}
"""


def test_counts_are_compared_as_rates_of_their_denominator(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams, append_rows: AppendRows) -> None:
    """Personal budgets, a count: the authority has more of them than any neighbour, but a smaller
    share of its plans has one. With a denominator in the review's catalogue, "more widely than
    similar areas" is checked on the shares and flagged, "less widely" is not; without one, a
    claim about the count is not checked at all."""
    mini, la, neighbours = mini_perf
    root = mini.parents[1]
    perf = root / "data/performance/sen2_synthetic.csv"
    table = pd.read_csv(perf, dtype=str, keep_default_na=False)
    budgets = pd.to_numeric(table["personal_budgets"], errors="coerce")
    mine = table["new_la_code"] == la["new_la_code"]
    table["personal_budgets"] = budgets.where(~mine, budgets.max() * 3).round().astype("Int64").astype(str)
    table["all_ehc"] = (pd.to_numeric(table["personal_budgets"]) * 4).where(~mine, pd.to_numeric(
        table["personal_budgets"]) * 10).round().astype("Int64").astype(str)  # 25% of plans; the authority 10%
    table.to_csv(perf, index=False)
    findings = root / "data/mini/findings_marsh.csv"
    append_rows(findings, [
        "m7,ehcp-timeliness,strength,no,Personal budgets are used more widely than in similar areas.,,data,"
        "Colin Marsh,yes,,personal_budgets",
        "m8,ehcp-timeliness,area for consideration,no,Personal budgets are used less widely than in similar areas.,,"
        "data,Colin Marsh,yes,,personal_budgets"])
    # a raw count is never set against other areas' totals: only against the average local
    # authority and the neighbours' average the letter shows, and only when clearly the other way
    raw_flags = consistency_table(load_review(mini)).query("finding in ('m7', 'm8')")
    assert raw_flags["finding"].tolist() == ["m8"] and "(as counts, not rates" in raw_flags.iloc[0]["problem"]

    (root / "catalogue.yaml").write_text(RATE_CATALOGUE, encoding="utf-8")
    edit_params(mini, lambda d: d["performance"].update(catalogue="catalogue.yaml"))
    review = load_review(mini)
    raw = review.performance.get("personal_budgets")
    assert raw.value > max(v for _, _, v in raw.neighbours)  # the raw count is above every neighbour's
    flagged = consistency_table(review).query("file == 'data/mini/findings_marsh.csv' and row in (6, 7)")
    assert flagged["row"].tolist() == [6], flagged
    assert flagged.iloc[0]["problem"] == (
        f"says it is higher than similar areas, but as a share of EHC plans, {la['la_name']} has "
        "10.0% against the average of its statistical neighbours (25.0%)")
    assert any(w.row == 6 and "10.0%" in w.message for w in review.warnings)


def test_a_data_file_outside_the_project_is_shown_by_its_name(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams, tmp_path: Path) -> None:
    """The working tables name a performance file outside the project by its file name, never by
    a path of this machine."""
    mini, _, _ = mini_perf
    table = pd.read_csv(mini.parents[1] / "data/performance/sen2_synthetic.csv", dtype=str, keep_default_na=False)
    outside = tmp_path / "shared" / "sen2_outside.csv"
    outside.parent.mkdir()
    table.drop(columns=["personal_budgets"]).to_csv(outside, index=False)
    edit_params(mini, lambda d: (d["inputs"].update(performance=[str(outside)]),
                                 d["performance"].update(indicators=None)))
    review = load_review(mini)
    assert {c.source for c in review.performance.comparisons} == {"sen2_outside.csv"}
    warnings = warnings_table(review)
    assert warnings["file"].tolist() == ["sen2_outside.csv"] and "personal_budgets" in warnings.iloc[0]["problem"]
    shown = indicator_table(review).to_csv() + warnings.to_csv() + consistency_table(review).to_csv()
    assert str(tmp_path) not in shown


def test_data_warnings_for_the_working_notebook(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams) -> None:
    """A file matching an indicator's pattern but lacking its column: a warning naming both."""
    mini, _, _ = mini_perf
    perf = mini.parents[1] / "data/performance/sen2_synthetic.csv"
    frame = pd.read_csv(perf, dtype=str, keep_default_na=False).drop(columns=["total_mediation"])
    frame.to_csv(perf, index=False)
    review = load_review(mini)
    table = warnings_table(review)
    assert list(table.columns) == ["file", "column", "problem"]
    row = table[table["column"] == "total_mediation"].iloc[0]
    assert row["file"] == "data/performance/sen2_synthetic.csv" and "mediation_total left out" in row["problem"]
    assert review.performance.get("mediation_total") is None


def test_validate_names_the_file_and_column_of_a_named_indicator(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams) -> None:
    mini, _, _ = mini_perf
    perf = mini.parents[1] / "data/performance/sen2_synthetic.csv"
    frame = pd.read_csv(perf, dtype=str, keep_default_na=False).drop(columns=["total_mediation"])
    frame.to_csv(perf, index=False)
    edit_params(mini, lambda d: d["performance"].update(indicators=["ehcp_20wk_no_exc", "mediation_total", "nope"]))
    probs = [str(e) for e in validate(mini)]
    assert len(probs) == 2, probs
    assert probs[0].endswith("mini.yaml: performance.indicators[2]: data/performance/sen2_synthetic.csv: "
                             "total_mediation: indicator mediation_total needs column 'total_mediation' (or "
                             "TotalMediation, mediation_total), which this file does not have")
    assert "performance.indicators[3]: indicator 'nope' is not in the catalogue" in probs[1]


def test_bad_pinned_period_is_located_in_the_params(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams) -> None:
    mini, _, _ = mini_perf
    edit_params(mini, lambda d: d["performance"].update(period="2099"))
    probs = [str(e) for e in validate(mini)]
    assert len(probs) == 1 and "mini.yaml: performance.period: no data for period 2099" in probs[0]
    assert "the periods available are 2018, 2019" in probs[0]
    edit_params(mini, lambda d: d["performance"].update(period="soon"))
    probs = [str(e) for e in validate(mini)]
    assert len(probs) == 1 and "mini.yaml: performance.period: 'soon' is not a time period" in probs[0]


def test_to_test_on_site_lists_band_d_or_declining(mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    mini, _, _ = mini_perf
    review = load_review(mini)
    for c in to_test_on_site(review.performance):
        assert c.band == "D" or c.trend.direction == "declining"
    for c in review.performance.with_values:
        if c.band == "D":
            assert c in to_test_on_site(review.performance)


def test_unknown_indicator_on_a_finding_is_located(mini: Path) -> None:
    f = mini.parents[1] / "data/mini/findings_marsh.csv"
    f.write_text(f.read_text(encoding="utf-8")
                 + "m9,2016-identify,strength,no,Good.,,data,Colin Marsh,yes,,waiting_times\n", encoding="utf-8")
    probs = [str(e) for e in validate(mini)]
    assert len(probs) == 1
    assert probs[0].startswith(
        "data/mini/findings_marsh.csv: row 6, column indicator: 'waiting_times' is not an indicator")


def test_unknown_neighbour_and_missing_file_are_reported(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams) -> None:
    mini, _, _ = mini_perf
    edit_params(mini, lambda d: d["performance"]["neighbours"].append("E06999999"))
    probs = [str(e) for e in validate(mini)]
    assert any("performance.neighbours[5]: statistical neighbour 'E06999999' is not a local authority in the "
               "performance files" in p for p in probs), probs
    edit_params(mini, lambda d: d["inputs"].update(performance=["data/performance/missing.csv"]))
    probs = [str(e) for e in validate(mini)]
    assert probs and "missing.csv" in probs[0]


def test_file_without_geography_columns_is_refused(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams) -> None:
    mini, _, _ = mini_perf
    bad = mini.parents[1] / "data/performance/bad.csv"
    bad.write_text("year,value\n2024,5\n", encoding="utf-8")
    edit_params(mini, lambda d: d["inputs"].update(performance=["data/performance/bad.csv"]))
    probs = [str(e) for e in validate(mini)]
    assert len(probs) == 1 and probs[0].startswith("data/performance/bad.csv")


# --- figures not published: said out loud, never left out --------------------------------------

SUPPRESSED = "the figure is suppressed to protect confidentiality"


def _set_cell(perf: Path, code: str, period: str, column: str, value: str) -> None:
    """Write ``value`` into one authority's cell of the synthetic SEN2 file (text kept as is)."""
    frame = pd.read_csv(perf, dtype=str, keep_default_na=False)
    hit = (frame["new_la_code"] == code) & (frame["time_period"] == period)
    assert hit.sum() == 1
    frame.loc[hit, column] = value
    frame.to_csv(perf, index=False)


@pytest.mark.parametrize(("code", "meaning"), [
    ("c", SUPPRESSED),
    ("z", "the figure does not apply to this area"),
    ("x", "the figure is not available"),
    ("low", "the figure is below 0.5 and rounds to zero"),
    ("", "the cell is empty in the published file"),
])
def test_named_indicator_not_published_stays_in_the_letter(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams, code: str, meaning: str) -> None:
    """An indicator the review names whose figure is a DfE code is stated as not published, with
    the code's meaning, in the letter's paragraph and summary table and the working table."""
    mini, la, _ = mini_perf
    perf = mini.parents[1] / "data/performance/sen2_synthetic.csv"
    _set_cell(perf, la["new_la_code"], "2024", "no_exc_20week_rate", code)
    edit_params(mini, lambda d: d["performance"].update(indicators=["ehcp_20wk_no_exc", "ehcp_requests"]))
    assert validate(mini) == []
    review = load_review(mini)
    html = build_letter(review)
    section = BeautifulSoup(html, "html.parser").find("section", id="performance")
    rows = section.find("table", class_="indicator-summary").find("tbody").find_all("tr")
    assert len(rows) == 2 and rows[0].find("th").get_text(strip=True).startswith("EHC plans in 20 weeks")
    cells = [td.get_text(strip=True) for td in rows[0].find_all("td")]
    assert cells[0] == f"not published ({meaning})" and cells[-1] == f"Not published ({meaning})."
    assert "quarter" not in cells[-1]  # no rank without a figure
    table = indicator_table(review)
    assert table.loc[table.index[0], "area"] == f"not published ({meaning})"
    assert build_letter(load_review(mini)) == html  # byte-deterministic


def test_linked_indicator_not_published_stays_when_the_review_names_none(mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    """Without performance.indicators, the letter states every indicator with a value and every
    one a finding links to: a6 links ehcp_20wk_no_exc, so a suppressed figure is said, not dropped."""
    mini, la, _ = mini_perf
    perf = mini.parents[1] / "data/performance/sen2_synthetic.csv"
    _set_cell(perf, la["new_la_code"], "2024", "no_exc_20week_rate", "c")
    _set_cell(perf, la["new_la_code"], "2024", "total_mediation", "c")  # linked by no finding
    review = load_review(mini)
    shown = [c.indicator.id for c in letter_comparisons(review)]
    assert "ehcp_20wk_no_exc" in shown and "mediation_total" not in shown
    section = BeautifulSoup(build_letter(review), "html.parser").find("section", id="performance")
    text = section.get_text(" ", strip=True)
    assert f"not published ({SUPPRESSED})" in text
    assert text.lower().count("not published") == 2  # the figure and its sentence, nothing for mediation


def test_every_missing_code_has_a_meaning() -> None:
    from toolkit.analysis.indicators import wording
    from toolkit.inputs.observations import MISSING_CODES

    assert {str(k) for k in wording()["missing_codes"]} == set(MISSING_CODES)
    assert all(isinstance(v, str) and v for v in wording()["missing_codes"].values())


@pytest.mark.parametrize("mark", ["<5", "*"])
def test_unknown_mark_in_a_review_file_is_one_located_line(mini_perf: tuple[Path, dict[str, str], list[str]], mark: str) -> None:
    mini, la, _ = mini_perf
    perf = mini.parents[1] / "data/performance/sen2_synthetic.csv"
    _set_cell(perf, la["new_la_code"], "2024", "total_tribunal_pc", mark)
    frame = pd.read_csv(perf, dtype=str, keep_default_na=False)
    row = int(frame.index[(frame["new_la_code"] == la["new_la_code"]) & (frame["time_period"] == "2024")][0]) + 2
    probs = [str(e) for e in validate(mini)]
    assert probs == [f"data/performance/sen2_synthetic.csv: row {row}, column total_tribunal_pc: '{mark}' is not a "
                     "number or a DfE missing-value code (c, x, z, low, u, k, :, .., ~, n/a): write the figure, "
                     "or the DfE code for a suppressed value (c)"]


def test_renamed_time_period_in_a_review_file_lists_its_columns(mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    mini, _, _ = mini_perf
    perf = mini.parents[1] / "data/performance/sen2_synthetic.csv"
    frame = pd.read_csv(perf, dtype=str, keep_default_na=False).rename(columns={"time_period": "year"})
    frame.to_csv(perf, index=False)
    probs = [str(e) for e in validate(mini)]
    assert len(probs) == 1 and probs[0].startswith("data/performance/sen2_synthetic.csv: fits none of the layouts")
    assert "its columns are 'year', " in probs[0] and "time_period column was renamed" in probs[0]
    assert "an area lookup" in probs[0] and "missing" not in probs[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
@pytest.mark.parametrize("kind", ["fifo", "folder", "loop"])
def test_review_performance_path_that_is_not_a_file(mini_perf: tuple[Path, dict[str, str], list[str]], edit_params: EditParams, kind: str) -> None:
    """validate returns at once (a FIFO is never opened) with one line naming the path."""
    mini, _, _ = mini_perf
    target = mini.parents[1] / "data/performance/odd.csv"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target.symlink_to(target)
    edit_params(mini, lambda d: d["inputs"].update(performance=["data/performance/odd.csv"]))
    probs = [str(e) for e in validate(mini)]
    said = {"fifo": "is a named pipe (FIFO), not a file", "folder": "is a folder, not a file",
            "loop": "is a symbolic link that points back to itself"}[kind]
    assert len(probs) == 1 and probs[0].startswith("data/performance/odd.csv") and said in probs[0], probs


def test_a_custom_kloe_lists_only_catalogue_indicators(mini: Path, edit_params: EditParams) -> None:
    """A custom KLOE naming its indicators: a known one is accepted, an unknown one refused with
    its field."""
    def change(d: dict[str, Any]) -> None:
        d["scope"]["custom_kloes"][0]["indicators"] = ["ehcp_20wk_no_exc", "ehcp_timeliness"]
    edit_params(mini, change)
    errors = validate(mini)
    assert [(e.column, e.message) for e in errors] == [
        ("scope.custom_kloes[1].indicators[2]",
         "KLOE 'ehcp-timeliness' lists 'ehcp_timeliness', which is not an indicator in the catalogue")]
    edit_params(mini, lambda d: d["scope"]["custom_kloes"][0].update(indicators=["ehcp_20wk_no_exc"]))
    assert validate(mini) == []
