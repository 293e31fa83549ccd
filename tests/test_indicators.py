"""Indicator catalogue, comparisons, sentences, charts, consistency checks and the report."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from toolkit.charts import PALETTE
from toolkit.comparisons import (
    Area,
    Comparison,
    Trend,
    band_for,
    choose_period,
    compare_all,
    comparison_sentence,
    describe,
    find_authority,
    indicators_report,
    rank_sentence,
    trend_for,
    trend_sentence,
)
from toolkit.errors import InputError
from toolkit.indicators import (
    CATALOGUE_PATH,
    Threshold,
    check_consistency,
    collect,
    format_value,
    indicator_data,
    load_catalogue,
)
from toolkit.perfcharts import comparison_chart, trend_chart
from toolkit.performance import parse_period, read_performance_file, read_performance_files

DFE = Path(__file__).parents[1] / ".." / "shared" / "data" / "dfe"
SEN2 = DFE / "sen2_mi.csv"
needs_dfe = pytest.mark.skipif(not SEN2.is_file(), reason=f"real DfE files not found at {DFE} (reference data, not shipped)")
GEO = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,new_la_code,old_la_code,la_name"
CAT = load_catalogue()
REQUIRED_IDS = ["ehcp_20wk_no_exc", "ehcp_20wk_inc_exc", "ehcp_new", "ehcp_requests", "ehcp_requests_refused_pc",
                "ehcp_assessed_no_plan_pc", "mediation_total", "tribunal_appeals", "tribunal_rate", "personal_budgets",
                "mainstream_to_special", "ks2_rwm_ehcp", "ks4_att8_ehcp", "absence_ehcp", "suspensions_sen"]


def small_file(tmp_path: Path, rows: dict[str, list[float | str]], years: list[str], column: str = "no_exc_20week_rate",
               name: str = "sen2_small.csv") -> Path:
    """England, one region and LAs A.. with the given values per year."""
    lines = [f"{GEO},{column}"]
    for i, year in enumerate(years):
        for la, vals in rows.items():
            if la == "England":
                lines.append(f"{year},Calendar year,National,E92000001,England,,,,,,{vals[i]}")
            elif la == "Region":
                lines.append(f"{year},Calendar year,Regional,E92000001,England,E12000003,Yorkshire and The Humber,,,,{vals[i]}")
            else:
                n = ord(la[0]) - 64
                lines.append(f"{year},Calendar year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,"
                             f"E0800{n:04d},{300 + n},{la},{vals[i]}")
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
def real() -> list:
    if not SEN2.is_file():
        pytest.skip(f"real DfE files not found at {DFE} (reference data, not shipped)")
    return read_performance_files([SEN2])


@needs_dfe
@pytest.mark.parametrize("authority,year", [("Kirklees", "2015"), ("Leeds", "2022"), ("Cumbria", "2019")])
def test_value_rank_band_match_pandas(real: list, authority: str, year: str) -> None:
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
def test_find_authority_by_name_code_and_old_code(real: list) -> None:
    data = collect(real, CAT, ["ehcp_new"])
    by_name, by_code, by_old = (find_authority(q, data) for q in ("kirklees", "E08000034", "382"))
    assert by_name == by_code == by_old and by_name.region_name == "Yorkshire and The Humber"
    bucks = find_authority("Buckinghamshire", data)
    assert bucks.code == "E06000060" and {"E10000002", "E06000060"} <= bucks.codes
    with pytest.raises(InputError, match="no local authority matches 'Atlantis'"):
        find_authority("Atlantis", data)


@needs_dfe
def test_report_prints_values_as_in_file(real: list) -> None:
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
    pts = lambda *vs: [(parse_period(2018 + i), v) for i, v in enumerate(vs)]  # noqa: E731
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
              points: list[tuple[str, float]] = (), rank: int | None = None, band: str | None = None,
              direction: str | None = "stable") -> Comparison:
    ind = CAT.get(indicator_id)
    area = Area("Kestrelmoor", "E06009901", "991", "E12000003", "Yorkshire and The Humber")
    pts = [(parse_period(p), v) for p, v in points]
    return Comparison(ind, area, parse_period(points[-1][0] if points else "2022"), value, "", england, region,
                      None, None, [], [], rank, 150, band, Trend(pts, pts[-3:], 0.0, direction), "f.csv")


def test_sentences_polarity_aware() -> None:
    good = make_comp("ehcp_20wk_no_exc", 92.04, 59.2, 62.55)
    assert comparison_sentence(good) == (
        "New EHC plans issued within 20 weeks, excluding exceptions: 92.0% in 2022, better than England (59.2%) "
        "and better than Yorkshire and The Humber (62.6%).")
    bad = make_comp("tribunal_rate", 3.456, 2.5)
    assert "worse than England (2.50%)" in comparison_sentence(bad) and "3.46%" in comparison_sentence(bad)
    neutral = make_comp("ehcp_requests_refused_pc", 30, 22.1)
    assert "above England (22.1%)" in comparison_sentence(neutral)
    same = make_comp("ehcp_20wk_no_exc", 59.24, 59.2)
    assert "the same as England (59.2%)" in comparison_sentence(same)
    missing = make_comp("ehcp_20wk_no_exc", None, 59.2)
    assert comparison_sentence(missing) == ("New EHC plans issued within 20 weeks, excluding exceptions: "
                                            "no value was published for Kestrelmoor in 2022.")


def test_rounding_is_consistent() -> None:
    ind = CAT.get("ehcp_20wk_no_exc")
    assert format_value(ind, 2.25) == "2.3%" and format_value(ind, 2.35) == "2.4%" and format_value(ind, 49.166) == "49.2%"
    assert format_value(CAT.get("ehcp_new"), 68665) == "68,665"
    assert format_value(CAT.get("ks4_att8_ehcp"), 14.05) == "14.1"
    assert format_value(ind, None) == "not published"


def test_rank_and_trend_sentences() -> None:
    comp = make_comp("ehcp_20wk_no_exc", 9.9, 49.2, points=[("2019", 16.3), ("2020", 12.0), ("2021", 10.2), ("2022", 9.94)],
                     rank=140, band="D", direction="declining")
    assert rank_sentence(comp) == "This ranks 140th of 150 local authorities (band D, the weakest quarter)."
    comp = make_comp("ehcp_20wk_no_exc", 9.9, 49.2, points=[("2020", 16.3), ("2021", 12.0), ("2022", 9.94)],
                     rank=1, band="A", direction="declining")
    assert trend_sentence(comp) == "It has fallen from 16.3% in 2020 to 9.9% in 2022."
    assert "ranks 1st of 150" in describe(comp)
    neutral = make_comp("ehcp_new", 400, None, rank=22)
    assert rank_sentence(neutral) == "This is the 22nd highest of 150 local authorities."


# --- charts -------------------------------------------------------------------------------------

def test_charts_deterministic_with_alt_and_table() -> None:
    comp = make_comp("ehcp_20wk_no_exc", 92.0, 59.2, 61.0, points=[("2020", 80), ("2021", 85), ("2022", 92.0)])
    bar1, bar2 = comparison_chart(comp), comparison_chart(comp)
    assert bar1 is not None and bar1.svg == bar2.svg
    assert bar1.rows == [["Kestrelmoor", "92.0%"], ["England", "59.2%"], ["Yorkshire and The Humber", "61.0%"]]
    assert "Kestrelmoor 92.0%" in bar1.alt and 'role="img"' in bar1.svg and "<desc" in bar1.svg
    assert PALETTE[0].lower() in bar1.svg.lower()
    line1, line2 = trend_chart(comp), trend_chart(comp)
    assert line1 is not None and line1.svg == line2.svg and line1.id != bar1.id
    assert line1.columns == ["Period", "Kestrelmoor"] and line1.rows[0] == ["2020", "80.0%"]
    assert comparison_chart(make_comp("ehcp_20wk_no_exc", None, 59.2)) is None


# --- consistency check --------------------------------------------------------------------------

@dataclass
class F:
    kind: str
    indicator: str | None


def test_consistency_flags() -> None:
    low = make_comp("ehcp_20wk_no_exc", 10, 59.2, rank=140, band="D")
    high = make_comp("tribunal_rate", 1, 2.5, rank=2, band="A")
    neutral = make_comp("ehcp_new", 10, 10, rank=150)
    findings = [F("strength", "ehcp_20wk_no_exc"), F("area for consideration", "ehcp_20wk_no_exc"),
                F("area for consideration", "tribunal_rate"), F("strength", "tribunal_rate"),
                F("strength", "ehcp_new"), F("strength", None), F("urgent action", "tribunal_rate")]
    flags = check_consistency(findings, [low, high, neutral])
    assert [(f.finding, f.band) for f in flags] == [(findings[0], "D"), (findings[2], "A"), (findings[6], "A")]
    assert "Called a strength" in flags[0].message and "band D" in flags[0].message
