"""Indicator catalogue, comparisons, sentences, charts, consistency checks and the report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from toolkit.analysis.areas import Area, find_authority
from toolkit.analysis.comparisons import Comparison, compare_all
from toolkit.analysis.consistency import check_consistency
from toolkit.analysis.indicators import (
    CATALOGUE_PATH,
    Threshold,
    collect,
    format_value,
    indicator_data,
    load_catalogue,
)
from toolkit.analysis.ranks import Trend, band_for, choose_period, trend_for
from toolkit.errors import InputError
from toolkit.inputs.observations import Period, parse_period
from toolkit.inputs.performance import read_performance_files
from toolkit.letter.charts import PALETTE
from toolkit.letter.indicator_report import indicators_report
from toolkit.letter.performance_charts import comparison_chart, trend_chart
from toolkit.letter.performance_sentences import (
    comparison_sentence,
    describe,
    letter_sentence,
    missing_reason,
    not_published,
    rank_sentence,
    rank_words,
    trend_sentence,
)
from toolkit.wording import ordinal

DFE = Path(__file__).parents[2] / ".." / "shared" / "data" / "dfe"
SEN2 = DFE / "sen2_mi.csv"
needs_dfe = pytest.mark.skipif(not SEN2.is_file(),
                               reason=f"real DfE files not found at {DFE} (reference data, not shipped)")
GEO = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
       "new_la_code,old_la_code,la_name")
CAT = load_catalogue()
REQUIRED_IDS = ["ehcp_20wk_no_exc", "ehcp_20wk_inc_exc", "ehcp_new", "ehcp_requests", "ehcp_requests_refused_pc",
                "ehcp_assessed_no_plan_pc", "mediation_total", "tribunal_appeals", "tribunal_rate", "personal_budgets",
                "mainstream_to_special", "ks2_rwm_ehcp", "ks4_att8_ehcp", "absence_ehcp", "suspensions_sen"]


def small_file(tmp_path: Path, rows: Mapping[str, Sequence[object]], years: list[str], column: str = "no_exc_20week_rate",
               name: str = "sen2_small.csv") -> Path:
    """England, one region and LAs A.. with the given values per year."""
    lines = [f"{GEO},{column}"]
    for i, year in enumerate(years):
        for la, vals in rows.items():
            if la == "England":
                lines.append(f"{year},Calendar year,National,E92000001,England,,,,,,{vals[i]}")
            elif la == "Region":
                lines.append(f"{year},Calendar year,Regional,E92000001,England,E12000003,Yorkshire and The Humber,"
                             f",,,{vals[i]}")
            else:
                n = ord(la[0]) - 64
                lines.append(f"{year},Calendar year,Local authority,E92000001,England,E12000003,"
                             f"Yorkshire and The Humber,E0800{n:04d},{300 + n},{la},{vals[i]}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


# --- catalogue ----------------------------------------------------------------------------------

def test_catalogue_contents() -> None:
    assert len(CAT.indicators) >= 12
    assert set(REQUIRED_IDS) <= set(CAT.ids)
    for ind in CAT.indicators:
        assert ind.title and ind.short_title and ind.source.column and ind.source.files
        assert ind.unit in ("percent", "count", "rate", "score")
        assert ind.polarity in ("higher_better", "lower_better", "neutral")
    assert CAT.get("ehcp_requests").polarity == "neutral"
    assert CAT.get("ehcp_20wk_no_exc").polarity == "higher_better"
    assert "NoExc20weekRate" in CAT.get("ehcp_20wk_no_exc").source.aliases
    with pytest.raises(InputError, match="no indicator 'nope'"):
        CAT.get("nope")


def test_bad_catalogue_is_refused(tmp_path: Path) -> None:
    text = CATALOGUE_PATH.read_text().replace("polarity: lower_better", "polarity: lower", 1)
    bad = tmp_path / "cat.yaml"
    bad.write_text(text)
    with pytest.raises(InputError) as err:
        load_catalogue(bad)
    assert "cat.yaml" in str(err.value) and err.value.column.endswith(".polarity")
    assert "[tribunal_rate]" in err.value.column


def test_catalogue_column_missing_from_file_is_refused(tmp_path: Path) -> None:
    path = small_file(tmp_path, {"England": [50]}, ["2020"], column="some_other_measure")
    sources = read_performance_files([path])
    with pytest.raises(InputError) as err:
        indicator_data(sources, CAT.get("ehcp_20wk_no_exc"), required=True)
    message = str(err.value)
    assert "sen2_small.csv" in message and "no_exc_20week_rate" in message and "NoExc20weekRate" in message
    assert indicator_data(sources, CAT.get("ehcp_20wk_no_exc")) is None  # not asked for: left out
    assert collect(sources, CAT) == []
    with pytest.raises(InputError, match="ks2_rwm_ehcp"):
        collect(sources, CAT, ["ks2_rwm_ehcp"])


def test_alias_mapping(tmp_path: Path) -> None:
    path = small_file(tmp_path, {"England": [49.166], "Alpha": [60]}, ["2022"], column="NoExc20weekRate")
    data = indicator_data(read_performance_files([path]), CAT.get("ehcp_20wk_no_exc"), required=True)
    assert data is not None and data.column == "NoExc20weekRate"
    assert [o.value for o in data.observations] == [49.166, 60.0]
    path = small_file(tmp_path, {"England": [1]}, ["2022"], column="No_Exc_20Week_Rate", name="x.csv")
    assert indicator_data(read_performance_files([path]), CAT.get("ehcp_20wk_no_exc")).column == "No_Exc_20Week_Rate"


# --- the real file: value, rank and band against an independent calculation ----------------------

@pytest.fixture(scope="module")
def real() -> list[Any]:
    if not SEN2.is_file():
        pytest.skip(f"real DfE files not found at {DFE} (reference data, not shipped)")
    return read_performance_files([SEN2])


@needs_dfe
@pytest.mark.parametrize("authority,year", [("Kirklees", "2015"), ("Leeds", "2022"), ("Cumbria", "2019")])
def test_value_rank_band_match_pandas(real: list[Any], authority: str, year: str) -> None:
    raw = pd.read_csv(SEN2, dtype=str, keep_default_na=False)
    la = raw[(raw.geographic_level == "Local authority") & (raw.time_period == year)].copy()
    la["v"] = pd.to_numeric(la["no_exc_20week_rate"].str.strip(), errors="coerce")
    la = la.dropna(subset=["v"])
    la["rank"] = la["v"].rank(ascending=False, method="min").astype(int)
    mine = la[la.la_name == authority].iloc[0]
    expected_band = "ABCD"[min(3, (int(mine["rank"]) - 1) * 4 // len(la))]
    england = float(raw[(raw.geographic_level == "National") & (raw.time_period == year)]["no_exc_20week_rate"].iloc[0])

    comp = next(c for c in compare_all(real, authority, period=year) if c.indicator.id == "ehcp_20wk_no_exc")
    assert comp.value == mine["v"] and comp.england == england
    assert (comp.rank, comp.count, comp.band) == (int(mine["rank"]), len(la), expected_band)


@needs_dfe
def test_find_authority_by_name_code_and_old_code(real: list[Any]) -> None:
    data = collect(real, CAT, ["ehcp_new"])
    by_name, by_code, by_old = (find_authority(q, data) for q in ("kirklees", "E08000034", "382"))
    assert by_name == by_code == by_old and by_name.region_name == "Yorkshire and the Humber"
    bucks = find_authority("Buckinghamshire", data)
    assert bucks.code == "E06000060" and {"E10000002", "E06000060"} <= bucks.codes
    with pytest.raises(InputError, match="no local authority matches 'Atlantis'"):
        find_authority("Atlantis", data)


@needs_dfe
def test_report_prints_values_as_in_file(real: list[Any]) -> None:
    out = indicators_report([SEN2], "Kirklees", period="2015", fmt="csv")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["indicator"] == "ehcp_20wk_no_exc")
    assert (row["value"], row["england"], row["period"]) == ("10.4", "59.2", "2015")
    out = indicators_report([SEN2], "Leeds", period=2022, fmt="csv", ids=["ehcp_20wk_no_exc"])
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["england"] == "49.166"
    table = indicators_report([SEN2], "Kirklees", period="2015")
    assert "59.2%" in table and "10.4%" in table and "Kirklees (E08000034)" in table


# --- rank, band, trend, period ------------------------------------------------------------------

def test_rank_and_band_polarity(tmp_path: Path) -> None:
    rows = {"England": [20], "Alpha": [10], "Bravo": [20], "Charlie": [30], "Delta": [40]}
    sources = read_performance_files([small_file(tmp_path, rows, ["2020"], column="total_tribunal_pc")])
    comps = {c.area.name: c for c in (compare_all(sources, n)[0] for n in ("Alpha", "Bravo", "Charlie", "Delta"))}
    assert [(comps[n].rank, comps[n].band) for n in comps] == [(1, "A"), (2, "B"), (3, "C"), (4, "D")]  # lower better
    sources = read_performance_files([small_file(tmp_path, rows, ["2020"], column="total_mediation", name="m.csv")])
    neutral = compare_all(sources, "Delta")[0]
    assert (neutral.rank, neutral.band) == (1, None)
    assert [band_for(r, 152) for r in (1, 38, 39, 76, 77, 114, 115, 152)] == list("AABBCCDD")


def test_trend_direction_and_threshold() -> None:
    ind, t = CAT.get("ehcp_20wk_no_exc"), Threshold(points=2.0)
    def pts(*vs: float) -> list[tuple[Period, float]]:
        return [(parse_period(2018 + i), v) for i, v in enumerate(vs)]

    assert trend_for(pts(50, 55, 60), ind, t).direction == "improving"
    assert trend_for(pts(60, 55, 50), ind, t).direction == "declining"
    assert trend_for(pts(50, 51, 50.5), ind, t).direction == "stable"
    assert trend_for(pts(50, 55), ind, t).direction is None
    assert trend_for(pts(10, 50, 60, 61, 62), ind, t, periods=3).window[0][1] == 60
    rate = CAT.get("tribunal_rate")
    assert trend_for(pts(5, 4, 3), rate, t).direction == "improving"
    requests = CAT.get("ehcp_requests")
    assert trend_for(pts(100, 110, 130), requests, CAT.threshold(requests)).direction == "rising"
    assert trend_for(pts(100, 101, 102), requests, CAT.threshold(requests)).direction == "stable"


def test_choose_period() -> None:
    cal = [parse_period(y) for y in ("2021", "2022", "2023")]
    aca = [parse_period(p) for p in ("202122", "202223", "202324")]
    # calendar 2023 ends 31 Dec 2023; with a 6-month lag it is out on 30 June 2024
    assert choose_period(cal, visit_date=dt.date(2024, 6, 1), lag_months=6).text == "2022"
    assert choose_period(cal, visit_date=dt.date(2024, 7, 1), lag_months=6).text == "2023"
    # academic 2023/24 ends 31 Aug 2024; with a 4-month lag it is out on 31 Dec 2024
    assert choose_period(aca, visit_date=dt.date(2024, 12, 1), lag_months=4).text == "202223"
    assert choose_period(aca, visit_date=dt.date(2025, 1, 2), lag_months=4).text == "202324"
    assert choose_period(cal).text == "2023"
    assert choose_period(cal, pinned=2022, visit_date=dt.date(2022, 1, 1)).text == "2022"
    assert choose_period(aca, pinned="2022/23").text == "202223"
    assert choose_period(aca, pinned="2024").text == "202324"
    with pytest.raises(InputError, match="no data for period 2019"):
        choose_period(cal, pinned="2019", source="f.csv")
    with pytest.raises(InputError, match="no period was published before"):
        choose_period(cal, visit_date=dt.date(2021, 3, 1), lag_months=6, source="f.csv")


# --- sentences ----------------------------------------------------------------------------------

def make_comp(indicator_id: str, value: float | None, england: float | None, region: float | None = None,
              points: Sequence[tuple[str, float]] = (), rank: int | None = None, band: str | None = None,
              direction: str | None = "stable", tied: bool = False) -> Comparison:
    ind = CAT.get(indicator_id)
    area = Area("Kestrelmoor", "E06009901", "991", "E12000003", "Yorkshire and The Humber")
    pts = [(parse_period(p), v) for p, v in points]
    return Comparison(ind, area, parse_period(points[-1][0] if points else "2022"), value, "", england, region,
                      None, None, [], [], rank, 150, band, Trend(pts, pts[-3:], 0.0, direction), "f.csv", tied=tied)


def test_sentences_polarity_aware() -> None:
    good = make_comp("ehcp_20wk_no_exc", 92.04, 59.2, 62.55)
    assert comparison_sentence(good) == (
        "New EHC plans issued within 20 weeks, excluding exceptions: 92.0% in 2022, better than England (59.2%) "
        "and better than Yorkshire and the Humber (62.6%).")
    bad = make_comp("tribunal_rate", 3.456, 2.5)
    assert "worse than England (2.50%)" in comparison_sentence(bad) and "3.46%" in comparison_sentence(bad)
    neutral = make_comp("ehcp_requests_refused_pc", 30, 22.1)
    assert "above England (22.1%)" in comparison_sentence(neutral)
    same = make_comp("ehcp_20wk_no_exc", 59.24, 59.2)
    assert "the same as England (59.2%)" in comparison_sentence(same)
    missing = make_comp("ehcp_20wk_no_exc", None, 59.2)
    assert comparison_sentence(missing) == ("New EHC plans issued within 20 weeks, excluding exceptions: "
                                            "not published for Kestrelmoor in 2022 (the cell is empty in the "
                                            "published file).")


def test_rounding_is_consistent() -> None:
    ind = CAT.get("ehcp_20wk_no_exc")
    assert format_value(ind, 2.25) == "2.3%" and format_value(ind, 2.35) == "2.4%"
    assert format_value(ind, 49.166) == "49.2%"
    assert format_value(CAT.get("ehcp_new"), 68665) == "68,665"
    assert format_value(CAT.get("ks4_att8_ehcp"), 14.05) == "14.1"
    assert format_value(ind, None) == "not published"


def test_rank_and_trend_sentences() -> None:
    comp = make_comp("ehcp_20wk_no_exc", 9.9, 49.2,
                     points=[("2019", 16.3), ("2020", 12.0), ("2021", 10.2), ("2022", 9.94)],
                     rank=140, band="D", direction="declining")
    assert rank_sentence(comp) == "It is 140th of 150 local authorities, in the weakest quarter."
    comp = make_comp("ehcp_20wk_no_exc", 9.9, 49.2, points=[("2020", 16.3), ("2021", 12.0), ("2022", 9.94)],
                     rank=1, band="A", direction="declining")
    assert trend_sentence(comp) == "It has fallen from 16.3% in 2020 to 9.9% in 2022."
    assert "It is 1st of 150" in describe(comp)
    neutral = make_comp("ehcp_new", 400, None, rank=22)
    assert rank_sentence(neutral) == "It is the 22nd highest of 150 local authorities."


def test_rank_words_top_ties_and_polarity_neutral_bands() -> None:
    assert rank_sentence(make_comp("ehcp_new", 900, None, rank=1)) == "It is the highest of 150 local authorities."
    assert rank_sentence(make_comp("ehcp_new", 900, None, rank=1, tied=True)) == (
        "It is the joint highest of 150 local authorities.")
    assert rank_sentence(make_comp("ehcp_new", 9, None, rank=5, tied=True)) == (
        "It is the joint 5th highest of 150 local authorities.")
    assert rank_sentence(make_comp("ehcp_20wk_no_exc", 100, 59.2, rank=1, band="A", tied=True)) == (
        "It is joint 1st of 150 local authorities, in the best quarter.")
    # lower is better: band D holds the highest values, so its words must not say "lowest"
    worst = rank_sentence(make_comp("tribunal_rate", 9.5, 2.5, rank=150, band="D"))
    assert worst == "It is 150th of 150 local authorities, in the weakest quarter."
    import yaml
    words = yaml.safe_load((CATALOGUE_PATH.parent / "wording.yaml").read_text())
    bands = {**words["bands"], **words["quarters"]}
    assert not any(w in text for text in bands.values() for w in ("lowest", "highest", "top", "bottom"))


@pytest.mark.parametrize(("rank", "said"), [
    (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
    (22, "22nd"), (23, "23rd"), (101, "101st"), (102, "102nd"), (111, "111th"), (112, "112th"),
    (113, "113th"), (121, "121st"), (132, "132nd"), (148, "148th")])
def test_ranks_as_a_person_writes_them(rank: int, said: str) -> None:
    """"132nd of 148, in the weakest quarter", never "band D" nor "the 132nd highest"."""
    band = "ABCD"[(rank - 1) * 4 // 148]
    comp = replace(make_comp("ehcp_20wk_no_exc", 50, 59.2, rank=rank, band=band), count=148)
    quarter = {"A": "best", "B": "second-best", "C": "second-weakest", "D": "weakest"}[band]
    assert rank_sentence(comp) == f"It is {said} of 148 local authorities, in the {quarter} quarter."
    assert rank_words(comp) == f"{said} of 148, {quarter} quarter"
    assert "band" not in letter_sentence(comp) and f"{said} of 148 local authorities, in the" in letter_sentence(comp)
    neutral = replace(make_comp("ehcp_requests_refused_pc", 50, 59.2, rank=rank), count=148)
    from_bottom = 149 - rank
    if rank == 1:
        assert rank_sentence(neutral) == "It is the highest of 148 local authorities."
    elif from_bottom < rank:  # nearer the bottom: counted from there
        assert rank_sentence(neutral) in (f"It is the {ordinal(from_bottom)} lowest of 148 local authorities.",
                                          "It is the lowest of 148 local authorities.")
    else:
        assert rank_sentence(neutral) == f"It is the {said} highest of 148 local authorities."
    assert "highest of 148" not in rank_sentence(neutral) or rank <= 74


def test_ties_are_found_and_ranked_together(tmp_path: Path) -> None:
    rows = {"England": [60], "Alpha": [100], "Bravo": [100], "Charlie": [50], "Delta": [40]}
    sources = read_performance_files([small_file(tmp_path, rows, ["2020"])])
    alpha, bravo, charlie = (compare_all(sources, n, ids=["ehcp_20wk_no_exc"])[0]
                             for n in ("Alpha", "Bravo", "Charlie"))
    assert (alpha.rank, alpha.tied, bravo.rank, bravo.tied) == (1, True, 1, True)
    assert (charlie.rank, charlie.tied) == (3, False)
    assert "It is joint 1st of 4" in describe(alpha) and "It is 3rd of 4" in describe(charlie)
    table = indicators_report([small_file(tmp_path, rows, ["2020"])], "Bravo")
    assert "=1/4" in table


# --- charts -------------------------------------------------------------------------------------

def test_charts_deterministic_with_alt_and_table() -> None:
    comp = make_comp("ehcp_20wk_no_exc", 92.0, 59.2, 61.0, points=[("2020", 80), ("2021", 85), ("2022", 92.0)])
    bar1, bar2 = comparison_chart(comp), comparison_chart(comp)
    assert bar1 is not None and bar1.svg == bar2.svg
    assert bar1.rows == [["Kestrelmoor", "92.0%"], ["England", "59.2%"], ["Yorkshire and The Humber", "61.0%"]]
    assert "Kestrelmoor 92.0%" in bar1.alt and 'role="img"' in bar1.svg and "<desc" in bar1.svg
    area = PALETTE[0].lower()  # the area's colour, in three digits where it can be (#000000 as #000)
    assert re.search(f"{area}|#{area[1::2]}(?![0-9a-f])", bar1.svg.lower())
    line1, line2 = trend_chart(comp), trend_chart(comp)
    assert line1 is not None and line1.svg == line2.svg and line1.id != bar1.id
    assert line1.columns == ["Period", "Kestrelmoor"] and line1.rows[0] == ["2020", "80.0%"]
    assert comparison_chart(make_comp("ehcp_20wk_no_exc", None, 59.2)) is None


# --- consistency check --------------------------------------------------------------------------

@dataclass
class F:
    kind: str
    indicator: str | None
    statement: str = ""


def test_consistency_flags() -> None:
    low = make_comp("ehcp_20wk_no_exc", 10, 59.2, rank=140, band="D")
    high = make_comp("tribunal_rate", 1, 2.5, rank=2, band="A")
    neutral = make_comp("ehcp_new", 10, 10, rank=150)
    findings = [F("strength", "ehcp_20wk_no_exc"), F("area for consideration", "ehcp_20wk_no_exc"),
                F("area for consideration", "tribunal_rate"), F("strength", "tribunal_rate"),
                F("strength", "ehcp_new"), F("strength", None), F("urgent action", "tribunal_rate")]
    flags = check_consistency(findings, [low, high, neutral])
    assert [(f.finding, f.band) for f in flags] == [(findings[0], "D"), (findings[2], "A"), (findings[6], "A")]
    assert flags[0].message.startswith("called a strength") and "140th of 150, in the weakest quarter" in flags[0].message
    assert "band" not in flags[0].message.replace("band_", "")


# --- the real lookup file: joint rows never merge two authorities --------------------------------

HIERARCHY = DFE / "region_la_hierarchy.csv"
needs_lookup = pytest.mark.skipif(not (SEN2.is_file() and HIERARCHY.is_file()),
                                  reason=f"real DfE files not found at {DFE} "
                                  "(../shared is absent; reference data, not shipped)")


def _pandas_rank(year: str, name: str) -> tuple[float, int, int]:
    raw = pd.read_csv(SEN2, dtype=str, keep_default_na=False)
    la = raw[(raw.geographic_level == "Local authority") & (raw.time_period == year)].copy()
    la["v"] = pd.to_numeric(la["no_exc_20week_rate"].str.strip(), errors="coerce")
    la = la.dropna(subset=["v"])
    la["rank"] = la["v"].rank(ascending=False, method="min").astype(int)
    mine = la[la.la_name == name].iloc[0]
    return float(mine["v"]), int(mine["rank"]), len(la)


@needs_lookup
@pytest.mark.parametrize("query,name,other", [
    ("Richmond upon Thames", "Richmond upon Thames", "Kingston upon Thames"),  # joint row 314 / 318
    ("Kingston upon Thames", "Kingston upon Thames", "Richmond upon Thames"),
    ("West Northamptonshire", "West Northamptonshire", "North Northamptonshire"),  # joint row 940 / 941
    ("E06000061", "North Northamptonshire", "West Northamptonshire"),
    ("318", "Richmond upon Thames", "Kingston upon Thames"),
])
def test_comparisons_with_the_real_lookup_file(query: str, name: str, other: str) -> None:
    with_lookup = read_performance_files([SEN2, HIERARCHY])
    without = read_performance_files([SEN2])
    comp = next(c for c in compare_all(with_lookup, query, period="2022") if c.indicator.id == "ehcp_20wk_no_exc")
    alone = next(c for c in compare_all(without, query, period="2022") if c.indicator.id == "ehcp_20wk_no_exc")
    value, rank, count = _pandas_rank("2022", name)
    assert comp.area.name == name
    assert (comp.value, comp.rank, comp.count) == (value, rank, count) == (alone.value, alone.rank, alone.count)
    assert comp.value != _pandas_rank("2022", other)[0]
    assert [p for p, _ in comp.trend.points] == [p for p, _ in alone.trend.points]  # no borrowed years


@needs_lookup
def test_richmond_2022_is_its_own_figure_not_kingstons() -> None:
    comp = compare_all(read_performance_files([SEN2, HIERARCHY]), "Richmond upon Thames", period="2022",
                       ids=["ehcp_20wk_no_exc"])[0]
    assert (comp.value, comp.rank) == (73.663, 46)  # Kingston's is 72 (rank 51)


@needs_lookup
def test_a_joint_lookup_row_alone_is_refused() -> None:
    with pytest.raises(InputError) as err:
        compare_all(read_performance_files([SEN2, HIERARCHY]), "Kingston upon Thames / Richmond upon Thames")
    assert "region_la_hierarchy.csv" in str(err.value) and "joint row" in str(err.value) and err.value.row == 123


def test_two_rows_for_one_authority_in_a_period_are_refused(tmp_path: Path) -> None:
    """Two rows (one under the old code, one under the new) matching the authority in one year."""
    path = tmp_path / "sen2_two.csv"
    path.write_text(f"""{GEO},no_exc_20week_rate
2021,Calendar year,National,E92000001,England,,,,,,50
2021,Calendar year,Local authority,E92000001,England,E12000004,East Midlands,E06000061,940,North Northamptonshire,20
2021,Calendar year,Local authority,E92000001,England,E12000004,East Midlands,E06000099,940,Renamed,30
""")  # rows as an EES file has them
    with pytest.raises(InputError) as err:
        compare_all(read_performance_files([path]), "E06000061")
    assert err.value.row == 4 and "row 3" in str(err.value) and "sen2_two.csv" in str(err.value)


# --- geography: level casing, name-only rows ------------------------------------------------------

@pytest.mark.parametrize("national,regional,local", [
    ("NATIONAL", "REGIONAL", "LOCAL AUTHORITY"), ("national", "regional", "local authority"),
    ("National", "Regional", "Local Authority"), (" National ", "Regional", "local_authority"),
])
def test_geographic_level_case_and_spacing(tmp_path: Path, national: str, regional: str, local: str) -> None:
    path = small_file(tmp_path, {"England": [59.2], "Region": [61.0], "Alpha": [70.0], "Bravo": [40.0]}, ["2020"])
    text = (path.read_text().replace(",National,", f",{national},").replace(",Regional,", f",{regional},")
            .replace(",Local authority,", f",{local},"))
    path.write_text(text)
    comp = compare_all(read_performance_files([path]), "Alpha", ids=["ehcp_20wk_no_exc"])[0]
    assert (comp.value, comp.england, comp.region, comp.rank, comp.count) == (70.0, 59.2, 61.0, 1, 2)


def test_la_rows_with_only_a_name(tmp_path: Path) -> None:
    path = tmp_path / "sen2_names.csv"
    lines = ["time_period,geographic_level,la_name,no_exc_20week_rate"]
    for year, values in (("2019", (50, 60, 20)), ("2020", (55, 40, 30)), ("2021", (62, 35, 45))):
        lines += [f"{year},National,,{values[0]}", f"{year},Local authority,Alpha,{values[1]}",
                  f"{year},Local authority,Bravo,{values[2]}"]
    path.write_text("\n".join(lines) + "\n")
    comp = compare_all(read_performance_files([path]), "alpha", neighbours=["Bravo"], ids=["ehcp_20wk_no_exc"])[0]
    assert (comp.area.name, comp.value, comp.england, comp.rank, comp.count) == ("Alpha", 35.0, 62.0, 2, 2)
    assert [v for _, v in comp.trend.points] == [60.0, 40.0, 35.0] and comp.trend.direction == "declining"
    assert comp.neighbours_mean == 45.0


# --- count measures: the average authority everywhere, labelled -----------------------------------

def test_count_trend_chart_uses_labelled_average_authority(tmp_path: Path) -> None:
    rows = {"England": [1000, 1100, 1200], "Region": [300, 330, 360], "Alpha": [100, 110, 130],
            "Bravo": [200, 220, 230], "Charlie": [0, 0, 0]}
    sources = read_performance_files([small_file(tmp_path, rows, ["2019", "2020", "2021"], column="new_all_ehc")])
    comp = compare_all(sources, "Alpha", ids=["ehcp_new"])[0]
    chart = trend_chart(comp)
    assert chart is not None
    assert chart.columns == ["Period", "Alpha", "England (local authority average)",
                             "Yorkshire and the Humber (local authority average)"]
    assert chart.rows[-1] == ["2021", "130", "120", "120"]  # (130 + 230 + 0) / 3, not England's 1200
    assert "1,200" not in chart.alt and "England (local authority average) from 100 to 120" in chart.alt
    bars = comparison_chart(comp)
    assert [r[0] for r in bars.rows][1:3] == chart.columns[2:4]  # the same comparators, the same labels
    percent = compare_all(read_performance_files([small_file(tmp_path, rows, ["2019", "2020", "2021"], name="p.csv")]),
                          "Alpha", ids=["ehcp_20wk_no_exc"])[0]
    assert trend_chart(percent).columns == ["Period", "Alpha", "England", "Yorkshire and the Humber"]


def test_count_tables_label_the_average_authority(tmp_path: Path) -> None:
    from toolkit.letter.performance import summary_rows

    rows = {"England": [1200], "Region": [360], "Alpha": [130], "Bravo": [230], "Charlie": [0]}
    path = small_file(tmp_path, rows, ["2021"], column="new_all_ehc")
    comp = compare_all(read_performance_files([path]), "Alpha", ids=["ehcp_new"])[0]
    assert summary_rows([comp])[0]["england"] == "120 (LA average)"
    table = indicators_report([path], "Alpha")
    line = next(text for text in table.splitlines() if text.startswith("New EHC plans"))
    assert "120 (LA average)" in line and "1200" not in line and "LA average" in table.split(line)[1]
    row = next(csv.DictReader(io.StringIO(indicators_report([path], "Alpha", fmt="csv"))))
    assert (row["england"], row["england_la_average"], row["region_value"]) == ("1200", "120", "360")


# --- period errors and silent outcomes --------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit.cli", "indicators", *args], capture_output=True,
                          text=True, timeout=120)


def test_period_errors_at_the_command_line(tmp_path: Path) -> None:
    path = small_file(tmp_path, {"England": [50, 55], "Alpha": [40, 45]}, ["2020", "2021"], name="timeliness.csv")
    for fmt in ("table", "csv"):
        res = _cli(str(path), "--authority", "Alpha", "--period", "2030", "--format", fmt)
        assert res.returncode == 2 and res.stdout == "" and "Traceback" not in res.stderr
        assert res.stderr.strip() == "--period: no data for period 2030 in " + str(path) + (
            "; the periods available are 2020, 2021")
        res = _cli(str(path), "--authority", "Alpha", "--period", "foo", "--format", fmt)
        assert res.returncode == 2 and res.stdout == ""
        assert res.stderr.strip().startswith("--period: 'foo' is not a time period")
    res = _cli(str(path), "--authority", "Alpha", "--period", "2021")
    assert res.returncode == 0 and "45%" in res.stdout


def test_missing_column_and_renamed_filter_value_warn(tmp_path: Path) -> None:
    sen2 = small_file(tmp_path, {"England": [50], "Alpha": [40]}, ["2021"])  # no inc_exc_20week_rate etc.
    ks4 = tmp_path / "ks4_test.csv"
    ks4.write_text(f"""{GEO},sen_status,avg_att8
202324,Academic year,National,E92000001,England,,,,,,Total,46
202324,Academic year,National,E92000001,England,,,,,,Pupils with EHC plans,14
202324,Academic year,National,E92000001,England,,,,,,SEN support,33
202324,Academic year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,E08000001,301,Alpha,Total,45
202324,Academic year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,E08000001,301,Alpha,Pupils with EHC plans,13
202324,Academic year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,E08000001,301,Alpha,SEN support,30
""")
    res = _cli(str(sen2), str(ks4), "--authority", "Alpha")
    assert res.returncode == 0, res.stderr
    warnings = res.stderr.strip().splitlines()
    assert f"warning: {sen2}: inc_exc_20week_rate: indicator ehcp_20wk_inc_exc left out" in res.stderr
    ehcp = next(w for w in warnings if "ks4_att8_ehcp" in w)
    assert str(ks4) in ehcp and "sen_status" in ehcp and "'EHC plan'" in ehcp and "'Pupils with EHC plans'" in ehcp
    assert not any("ks4_att8_sen_support" in w for w in warnings)  # that one is read
    assert "KS4 Attainment 8 (SEN support)" in res.stdout and "KS4 Attainment 8 (EHC plan)" not in res.stdout
    # the same file, asked for by name: refused, naming the file and the column
    with pytest.raises(InputError) as err:
        collect(read_performance_files([sen2, ks4]), CAT, ["ks4_att8_ehcp"])
    assert err.value.file == str(ks4) and err.value.column == "sen_status" and "EHC plan" in err.value.message


# --- figures not published ------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "meaning"), [
    ("c", "the figure is suppressed to protect confidentiality"),
    ("z", "the figure does not apply to this area"),
    ("x", "the figure is not available"),
    ("low", "the figure is below 0.5 and rounds to zero"),
    ("LOW", "the figure is below 0.5 and rounds to zero"),
    ("u", "the figure is withheld as of low reliability"),
])
def test_a_code_in_the_authority_cell_is_said_in_plain_words(tmp_path: Path, code: str, meaning: str) -> None:
    rows = {"England": [60, 61, 62], "Alpha": [50, 55, code], "Bravo": [40, 41, 42]}
    path = small_file(tmp_path, rows, ["2020", "2021", "2022"])
    comp = compare_all(read_performance_files([path]), "Alpha", ids=["ehcp_20wk_no_exc"])[0]
    assert comp.value is None and comp.raw == code and (comp.rank, comp.band) == (None, None)
    assert missing_reason(comp) == meaning and not_published(comp) == f"not published ({meaning})"
    assert describe(comp) == ("New EHC plans issued within 20 weeks, excluding exceptions: not published for "
                              f"Alpha in 2022 ({meaning}).")
    table = indicators_report([path], "Alpha")
    assert f"Not published for Alpha: EHC plans in 20 weeks (excl. exceptions) ({code}: {meaning})" in table


def test_an_authority_with_no_row_in_the_period(tmp_path: Path) -> None:
    path = tmp_path / "sen2_gap.csv"
    path.write_text(f"{GEO},no_exc_20week_rate\n2022,Calendar year,National,E92000001,England,,,,,,60\n"
                    "2021,Calendar year,Local authority,E92000001,England,E12000003,Yorks,E08000001,301,Alpha,50\n"
                    "2022,Calendar year,Local authority,E92000001,England,E12000003,Yorks,E08000002,302,Bravo,40\n")
    comp = compare_all(read_performance_files([path]), "Alpha", ids=["ehcp_20wk_no_exc"])[0]
    assert comp.no_row and "the published file has no row for the area in this period" in describe(comp)
