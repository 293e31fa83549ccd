"""A catalogue of one's own, merged over the shipped one: the figures it gives from a real DfE
file match an independent pandas calculation; ``indicators FILE`` lists a file's measures and
prints entries to start from; a review's catalogue is an input, never toolkit code."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from support.paths import DFE, SYNTH, EditParams, needs_shared

from toolkit.analysis.indicators import load_catalogue
from toolkit.build.manifest import input_files, toolkit_code_hash
from toolkit.errors import InputError
from toolkit.letter.indicator_report import indicators_report, measures_listing
from toolkit.review import check

#: Written by following docs/performance-data.md, "A catalogue of your own".
OWN = """\
version: 1
indicators:
  - id: plans_ended
    title: EHC plans that ended in the year
    short_title: Plans ended
    unit: count
    polarity: neutral
    decimals: 0
    publication_lag_months: 6
    source:
      files: "ehc_mi*.csv"
      column: DISCONTINUED_TOTAL          # column names match whatever their case
      publication: {publisher: DfE, title: "Education, health and care plans"}
  - id: requests_refused
    title: Requests for an EHC needs assessment that were refused
    short_title: Requests refused
    unit: count
    polarity: lower_better
    decimals: 0
    publication_lag_months: 6
    source:
      files: "ehc_mi*.csv"
      column: ass_refused
  - id: statements_transferred
    title: Statements of SEN transferred to EHC plans
    short_title: Statements transferred
    unit: count
    polarity: higher_better
    decimals: 0
    publication_lag_months: 6
    source:
      files: "ehc_mi*.csv"
      column: Statements To EHC           # spaces for underscores match too
      publication: {publisher: DfE, title: "Education, health and care plans"}
"""

AUTHORITY = "E08000034"  # Kirklees
NEIGHBOURS = ["E08000035", "E08000036", "E08000033"]


@pytest.fixture
def real_file(tmp_path: Path) -> tuple[Path, Path]:
    """The real SEN2 file under a name no shipped indicator's pattern matches, and the catalogue."""
    if not DFE.is_dir():
        pytest.skip(f"reference data not found at {DFE} (../shared is absent)")
    data = tmp_path / "ehc_mi_2014_2022.csv"
    shutil.copy(DFE / "sen2_mi.csv", data)
    own = tmp_path / "my_catalogue.yaml"
    own.write_text(OWN, encoding="utf-8")
    return data, own


def _number(cell: str) -> float | None:
    cell = str(cell).strip()
    try:
        return float(cell)
    except ValueError:
        return None  # z, x, c, low, empty: no value


def _expected(path: Path, column: str, period: str, lower_better: bool) -> dict[str, float | int | None]:
    """The figures computed from the raw file with pandas alone."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    year = frame[frame["time_period"].str.strip() == period].copy()
    year["v"] = year[column].map(_number)
    las = year[(year["geographic_level"] == "Local authority") & year["v"].notna()]
    own = las[las["new_la_code"] == AUTHORITY].iloc[0]
    better = las["v"] < own["v"] if lower_better else las["v"] > own["v"]
    region = year[(year["geographic_level"] == "Regional") & (year["region_code"] == own["region_code"])]
    near = las[las["new_la_code"].isin(NEIGHBOURS)]["v"]
    return {"value": own["v"], "england": year[year["geographic_level"] == "National"]["v"].iloc[0],
            "england_la_average": las["v"].mean(), "region_value": region["v"].iloc[0],
            "region_la_average": las[las["region_code"] == own["region_code"]]["v"].mean(),
            "neighbours_mean": near.mean(), "rank": int(better.sum()) + 1, "of": len(las)}


@needs_shared()
@pytest.mark.parametrize("indicator, column, period, lower_better", [
    ("plans_ended", "discontinued_total", "2022", False), ("requests_refused", "ass_refused", "2014", True),
    ("statements_transferred", "statements_to_ehc", "2016", False)])
def test_figures_match_pandas(real_file: tuple[Path, Path], indicator: str, column: str, period: str,
                              lower_better: bool) -> None:
    data, own = real_file
    out = indicators_report([data], AUTHORITY, period=period, neighbours=NEIGHBOURS, fmt="csv", catalogue=own)
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["indicator"] == indicator)
    expected = _expected(data, column, period, lower_better)
    assert row["period"] == period and row["authority"] == "Kirklees"
    for key in ("value", "england", "england_la_average", "region_value", "region_la_average", "neighbours_mean"):
        assert float(row[key]) == pytest.approx(expected[key], rel=1e-12), key
    assert (int(row["rank"]), int(row["of"])) == (expected["rank"], expected["of"])
    assert row["region"] == "Yorkshire and the Humber"


@needs_shared()
def test_listing_names_the_measures_and_its_entries_load(real_file: tuple[Path, Path], tmp_path: Path) -> None:
    data, own = real_file
    listing = measures_listing([data])
    assert "#   ehc_mi_2014_2022.csv (73 measure columns)" in listing
    assert "#     no_exc_20week_rate  <- ehcp_20wk_no_exc" in listing
    assert "#     discontinued_total  (no indicator yet)" in listing
    assert str(tmp_path) not in listing  # the file's name, never where it lies
    starter = tmp_path / "starter.yaml"
    starter.write_text(listing, encoding="utf-8")
    merged = load_catalogue(own=starter)  # the printed entries are a catalogue as they stand
    assert "discontinued_total" in merged.ids and "ehcp_20wk_no_exc" in merged.ids
    entry = merged.get("discontinued_total")
    assert (entry.unit, entry.source.column, entry.source.files) == ("count", "discontinued_total", "ehc_mi*.csv")
    after = measures_listing([data], catalogue=own)
    assert "#     discontinued_total  <- plans_ended" in after


def test_own_catalogue_merges_over_the_shipped_one(tmp_path: Path) -> None:
    shipped = load_catalogue()
    own = tmp_path / "own.yaml"
    own.write_text("indicators:\n  - id: ehcp_20wk_no_exc\n    title: Plans on time\n    short_title: On time\n"
                   "    unit: percent\n    polarity: higher_better\n    decimals: 0\n    publication_lag_months: 6\n"
                   "    source: {column: no_exc_20week_rate}\n"
                   "filter_aliases:\n  values:\n    EHC plan: [With a plan]\n", encoding="utf-8")
    merged = load_catalogue(own=own)
    assert merged.ids == shipped.ids  # same ids, same order: the entry replaced in place
    assert merged.get("ehcp_20wk_no_exc").title == "Plans on time"
    assert "With a plan" in merged.get("ks4_att8_ehcp").source.filter_aliases.values["EHC plan"]
    assert merged.trend == shipped.trend


def test_bad_own_catalogue_is_one_line(tmp_path: Path) -> None:
    own = tmp_path / "own.yaml"
    own.write_text("indicators:\n  - id: mine\n    title: Mine\n    short_title: Mine\n    unit: percentage\n"
                   "    polarity: neutral\n    decimals: 0\n    publication_lag_months: 6\n"
                   "    source: {column: x}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_catalogue(own=own)
    assert "own.yaml: indicators[mine].unit: 'percentage' is not one of 'percent', 'count', 'rate' or 'score': write one of them" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_review_names_its_catalogue_as_an_input(mini_perf: tuple[Path, dict[str, str], list[str]],
                                                edit_params: EditParams) -> None:
    """performance.catalogue: its indicators reach the review, findings may link to them, and
    the file is hashed as an input, not as toolkit code."""
    params, _, _ = mini_perf
    root = params.parents[1]
    (root / "data" / "my_catalogue.yaml").write_text(
        "indicators:\n  - id: assessed_no_plan\n    title: Assessments that ended without a plan\n"
        "    short_title: No plan after assessment\n    unit: count\n    polarity: neutral\n    decimals: 0\n"
        "    publication_lag_months: 6\n    source:\n      files: \"sen2*.csv\"\n      column: Ass_None_EHC\n"
        "      publication: {publisher: DfE, title: \"Education, health and care plans\"}\n", encoding="utf-8")
    code_before = toolkit_code_hash()
    edit_params(params, lambda d: (d["performance"].update(catalogue="data/my_catalogue.yaml",
                                                           indicators=["assessed_no_plan", "ehcp_20wk_no_exc"])))
    checked = check(params)
    assert not checked.errors, [str(e) for e in checked.errors]
    review = checked.review
    assert review is not None and review.performance is not None
    comp = review.performance.get("assessed_no_plan")
    assert comp is not None and comp.value is not None
    assert toolkit_code_hash() == code_before
    assert root / "data" / "my_catalogue.yaml" in input_files(review.params, params, root)
    assert SYNTH.name in {p.name for p in input_files(review.params, params, root)}


def test_review_catalogue_problems_name_the_file(mini_perf: tuple[Path, dict[str, str], list[str]],
                                                 edit_params: EditParams) -> None:
    params, _, _ = mini_perf
    edit_params(params, lambda d: d["performance"].update(catalogue="data/missing.yaml"))
    errors = [str(e) for e in check(params).errors]
    assert len(errors) == 1 and errors[0].startswith("data/missing.yaml: "), errors


def test_command_lists_measures_without_an_authority(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import main

    listing = CliRunner().invoke(main, ["indicators", str(SYNTH)])
    assert listing.exit_code == 0, listing.output
    assert "#     ass_none_ehc  (no indicator yet)" in listing.output
    assert "#     no_exc_20week_rate  <- ehcp_20wk_no_exc" in listing.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators: [{id: Bad}]\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["indicators", str(SYNTH), "--catalogue", str(bad), "-a", "E06009901"])
    assert refused.exit_code == 2
    lines = [ln for ln in refused.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "bad.yaml: indicators[Bad]" in lines[0], refused.output
