"""The performance-data importer: real DfE files (when present) and every quirk inline."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from toolkit.errors import InputError
from toolkit.inputs.ees import EESFile
from toolkit.inputs.observations import parse_period
from toolkit.inputs.performance import AreaLookup, LongFile, read_performance_file

DFE = Path(__file__).parents[2] / ".." / "shared" / "data" / "dfe"
SEN2 = DFE / "sen2_mi.csv"
HIERARCHY = DFE / "region_la_hierarchy.csv"
needs_dfe = pytest.mark.skipif(not SEN2.is_file(),
                               reason=f"real DfE files not found at {DFE} (reference data, not shipped)")

GEO = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
       "new_la_code,old_la_code,la_name")


def write(tmp_path: Path, text: str, name: str = "sen2_test.csv") -> Path:
    path = tmp_path / name
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def values(source: EESFile | LongFile, column: str, **kw: object) -> dict[tuple[str, str], float | None]:
    return {(o.period.text, o.name): o.value for o in source.observations(column, **kw)}


# --- the real files ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sen2() -> EESFile:
    if not SEN2.is_file():
        pytest.skip(f"real DfE files not found at {DFE} (reference data, not shipped)")
    source = read_performance_file(SEN2)
    assert isinstance(source, EESFile)
    return source


@needs_dfe
def test_england_check_values(sen2: EESFile) -> None:
    england = {o.period.text: o.value for o in sen2.observations("no_exc_20week_rate") if o.level == "National"}
    assert england["2015"] == 59.2
    assert england["2016"] == 58.6
    assert england["2022"] == 49.166


@needs_dfe
def test_real_file_rows_and_levels(sen2: EESFile) -> None:
    obs = sen2.observations("no_exc_20week_rate")
    assert len(obs) == 1456
    by_year: dict[str, dict[str, int]] = {}
    for o in obs:
        by_year.setdefault(o.period.text, {}).setdefault(o.level, 0)
        by_year[o.period.text][o.level] += 1
    assert sorted(by_year) == [str(y) for y in range(2014, 2023)]
    for counts in by_year.values():
        assert counts["National"] == 1 and counts["Regional"] == 9 and counts["Local authority"] in (151, 152)
    assert len(sen2.measures) == 73 and sen2.filters == []


@needs_dfe
def test_every_cell_read_as_published(sen2: EESFile) -> None:
    """Independent read: every numeric cell equals float(stripped text); z/x are missing."""
    raw = pd.read_csv(SEN2, dtype=str, keep_default_na=False)
    for column in ("no_exc_20week_rate", "ass_refused_ehc_pc", "total_tribunal_pc", "new_all_ehc"):
        expected = [None if c.strip() in ("z", "x", "") else float(c.strip()) for c in raw[column]]
        assert [o.value for o in sen2.observations(column)] == expected
    codes = {c.strip() for col in raw.columns[10:] for c in raw[col]} - {""}
    assert {"z", "x"} <= {c for c in codes if not c.replace(".", "").isdigit()}


@needs_dfe
def test_leading_space_and_unsorted_years(sen2: EESFile) -> None:
    with SEN2.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    national_2022 = next(r for r in rows if r["geographic_level"] == "National" and r["time_period"] == "2022")
    assert national_2022["no_exc_20week_rate"] == " 49.166"  # the quirk is really in the file
    years = [r["time_period"] for r in rows]
    assert years != sorted(years)
    periods = sorted({o.period for o in sen2.observations("no_exc_20week_rate")})
    assert [p.text for p in periods] == [str(y) for y in range(2014, 2023)]


@needs_dfe
def test_former_county_code(sen2: EESFile) -> None:
    northants = [o for o in sen2.observations("new_all_ehc") if o.code == "E10000021"]
    assert {o.period.text for o in northants} == {str(y) for y in range(2014, 2021)}
    assert {o.name for o in northants} == {"Northamptonshire"} and {o.old_code for o in northants} == {"928"}


@needs_dfe
def test_region_la_hierarchy() -> None:
    lookup = read_performance_file(HIERARCHY)
    assert isinstance(lookup, AreaLookup)
    assert len(lookup.entries) == 181
    hull = next(e for e in lookup.entries if e.name == "Kingston upon Hull, City of")
    assert hull.codes == ("E06000010",) and hull.old_codes == ("810",)
    joint = next(e for e in lookup.entries if e.codes == ("E06000063", "E06000064"))
    assert joint.joint and joint.old_codes == ("942", "943")
    unknown = next(e for e in lookup.entries if e.name == "Unknown")
    assert not unknown.is_area and unknown.codes == ()
    durham = next(e for e in lookup.entries if e.name == "Durham")
    assert durham.old_codes == () and durham.codes == ("E10000010",)  # "x" old code is not a code
    gateshead = [e for e in lookup.entries if e.name == "Gateshead"]
    assert {c for e in gateshead for c in e.codes} == {"E08000020", "E08000037"}


# --- quirks, inline -----------------------------------------------------------------------------

def test_any_column_order_and_missing_codes(tmp_path: Path) -> None:
    path = write(tmp_path, """
la_name,no_exc_20week_rate,geographic_level,time_period,new_la_code,region_name,region_code,old_la_code,country_code,country_name
Alpha,z,Local authority,2020,E06000001,North East,E12000001,801,E92000001,England
Beta,x,Local authority,2020,E06000002,North East,E12000001,802,E92000001,England
Gamma,c,Local authority,2020,E06000003,North East,E12000001,803,E92000001,England
Delta,u,Local authority,2020,E06000004,North East,E12000001,804,E92000001,England
Eps,low,Local authority,2020,E06000005,North East,E12000001,805,E92000001,England
Zeta,:,Local authority,2020,E06000006,North East,E12000001,806,E92000001,England
Eta,,Local authority,2020,E06000007,North East,E12000001,807,E92000001,England
Theta,  12.50 ,Local authority,2020,E06000008,North East,E12000001,808,E92000001,England
,55,National,2020,,,,,E92000001,England
""")
    source = read_performance_file(path)
    obs = source.observations("no_exc_20week_rate")
    assert [o.value for o in obs[:7]] == [None] * 7
    assert [o.raw for o in obs[:7]] == ["z", "x", "c", "u", "low", ":", ""]
    assert obs[7].value == 12.5 and obs[7].code == "E06000008" and obs[7].old_code == "808"
    assert obs[8].level == "National" and obs[8].name == "England" and obs[8].code == "E92000001"


def test_academic_and_calendar_periods() -> None:
    academic, calendar = parse_period("202223"), parse_period(2023)
    assert (academic.label, academic.kind, academic.end.isoformat()) == ("2022/23", "academic", "2023-08-31")
    assert (calendar.label, calendar.kind, calendar.end.isoformat()) == ("2023", "calendar", "2023-12-31")
    assert academic < calendar and parse_period("2022/23") == academic
    assert parse_period("202223", "Financial year").end.isoformat() == "2023-03-31"
    with pytest.raises(ValueError):
        parse_period("202224")


def test_bad_period_names_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, f"{GEO},x1\n2020,Calendar year,National,E92000001,England,,,,,,1\n"
                 "20/21,Calendar year,National,E92000001,England,,,,,,2\n")
    with pytest.raises(InputError) as err:
        read_performance_file(path)
    assert err.value.row == 3 and err.value.column == "time_period" and "20/21" in str(err.value)


def test_text_in_a_measure_is_refused_not_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, f"{GEO},rate\n2020,Calendar year,National,E92000001,England,,,,,,5O.1\n"
                 "2021,Calendar year,National,E92000001,England,,,,,,50\n")
    source = read_performance_file(path)
    with pytest.raises(InputError) as err:
        source.observations("rate")
    assert (err.value.row, err.value.column) == (2, "rate")
    assert "5O.1" in str(err.value) and "sen2_test.csv" in str(err.value)


def test_thousands_separators(tmp_path: Path) -> None:
    path = write(tmp_path, f'{GEO},n\n2020,Calendar year,National,E92000001,England,,,,,,"1,234"\n')
    assert read_performance_file(path).observations("n")[0].value == 1234.0


FILTERED = f"""
{GEO},sen_status,phase,pct
2023,Calendar year,National,E92000001,England,,,,,,Total,Total,50
2023,Calendar year,National,E92000001,England,,,,,,EHC plan,Total,10
2023,Calendar year,National,E92000001,England,,,,,,EHC plan,Primary,12
2023,Calendar year,Local authority,E92000001,England,E12000001,North East,E06000001,801,Alpha,Total,Total,40
2023,Calendar year,Local authority,E92000001,England,E12000001,North East,E06000001,801,Alpha,EHC plan,Total,8
2023,Calendar year,Local authority,E92000001,England,E12000001,North East,E06000001,801,Alpha,EHC plan,Primary,9
"""


def test_filter_columns_total_rows(tmp_path: Path) -> None:
    source = read_performance_file(write(tmp_path, FILTERED))
    assert isinstance(source, EESFile)
    assert source.filters == ["sen_status", "phase"] and source.measures == ["pct"]
    assert values(source, "pct") == {("2023", "England"): 50.0, ("2023", "Alpha"): 40.0}
    assert values(source, "pct", filters={"SEN_status": "ehc plan"}) == {("2023", "England"): 10.0,
                                                                          ("2023", "Alpha"): 8.0}
    with pytest.raises(InputError, match="no filter column 'gender'"):
        source.observations("pct", filters={"gender": "Boys"})


def test_filter_without_total_is_refused(tmp_path: Path) -> None:
    text = FILTERED.replace(",Total,Total,", ",Total,Secondary,").replace(",Total,", ",All,")
    source = read_performance_file(write(tmp_path, text))
    with pytest.raises(InputError) as err:
        source.observations("pct")
    assert err.value.column in ("sen_status", "phase") and "no Total" in str(err.value)


def test_duplicate_rows_refused(tmp_path: Path) -> None:
    path = write(tmp_path, f"{GEO},n\n2020,Calendar year,National,E92000001,England,,,,,,1\n"
                 "2020,Calendar year,National,E92000001,England,,,,,,2\n")
    with pytest.raises(InputError) as err:
        read_performance_file(path).observations("n")
    assert err.value.row == 3 and "row 2" in str(err.value)


def test_missing_geography_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "year,la,no_exc_20week_rate\n2020,Alpha,50\n", name="bad.csv")
    with pytest.raises(InputError) as err:
        read_performance_file(path)
    message = str(err.value)
    assert "bad.csv" in message and "time_period" in message and "geographic_level" in message
    assert "\n" not in message
    path = write(tmp_path, "time_period,la_name,n\n2020,Alpha,1\n", name="half.csv")
    with pytest.raises(InputError, match="geographic_level"):
        read_performance_file(path)


def test_la_rows_need_an_la_column(tmp_path: Path) -> None:
    path = write(tmp_path, "time_period,geographic_level,n\n2020,Local authority,1\n")
    with pytest.raises(InputError, match="new_la_code, old_la_code or la_name"):
        read_performance_file(path)


def test_renamed_columns_are_found_by_alias(tmp_path: Path) -> None:
    path = write(tmp_path, f"{GEO},NoExc20weekRate\n2022,Calendar year,National,E92000001,England,,,,,, 49.166\n")
    source = read_performance_file(path)
    assert isinstance(source, EESFile)
    assert source.find_measure(["no_exc_20week_rate"]) == "NoExc20weekRate"
    assert source.find_measure(["no exc 20week rate"]) == "NoExc20weekRate"
    assert source.find_measure(["inc_exc_20week_rate"]) is None


def test_old_style_la_code_column(tmp_path: Path) -> None:
    path = write(tmp_path, "time_period,geographic_level,la_code,la_name,n\n2020,Local authority,E06000001,Alpha,1\n")
    obs = read_performance_file(path).observations("n")[0]
    assert obs.code == "E06000001" and obs.old_code == ""


LONG = """
indicator,period,area_code,value,area_name,geographic_level
ks2_rwm_ehcp,202223,E92000001,9,England,National
ks2_rwm_ehcp,2022/23,E06009901,x,Kestrelmoor,Local authority
ks2_rwm_ehcp,202324,E06009901, 12 ,Kestrelmoor,
absence_ehcp,2023,E12000003,11.5,,
"""


def test_long_format(tmp_path: Path) -> None:
    source = read_performance_file(write(tmp_path, LONG, "local.csv"))
    assert isinstance(source, LongFile)
    obs = source.observations("ks2_rwm_ehcp")
    assert [(o.period.label, o.value, o.level) for o in obs] == [
        ("2022/23", 9.0, "National"), ("2022/23", None, "Local authority"), ("2023/24", 12.0, "Local authority")]
    absence = source.observations("absence_ehcp")[0]
    assert absence.level == "Regional" and absence.name == "E12000003" and absence.period.kind == "calendar"
    assert source.find_measure(["ABSENCE_EHCP"]) == "absence_ehcp"


def test_long_format_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing value") as err:
        read_performance_file(write(tmp_path, "indicator,period,area_code,amount\na,2020,E1,1\n", "l1.csv"))
    assert "l1.csv" in str(err.value)
    with pytest.raises(InputError) as err:
        read_performance_file(write(tmp_path, "indicator,period,area_code,value\na,2020,E92000001,n/a?\n", "l2.csv"))
    assert (err.value.row, err.value.column) == (2, "value")
    with pytest.raises(InputError) as err:
        read_performance_file(write(tmp_path, "indicator,period,area_code,value\n"
                                    "a,2020,E92000001,1\na,2020,E92000001,2\n", "l3.csv"))
    assert err.value.row == 3


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_performance_file(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError):
        read_performance_file(empty)


def test_level_names_are_canonical_whatever_their_case(tmp_path: Path) -> None:
    path = write(tmp_path, f"{GEO},n\n2020,Calendar year,NATIONAL,E92000001,England,,,,,,1\n"
                 "2020,Calendar year,regional,E92000001,England,E12000001,North East,,,,2\n"
                 "2020,Calendar year,Local Authority,E92000001,England,E12000001,North East,E06000001,801,Alpha,3\n")
    obs = read_performance_file(path).observations("n")
    assert [o.level for o in obs] == ["National", "Regional", "Local authority"]
    assert [o.code for o in obs] == ["E92000001", "E12000001", "E06000001"] and obs[2].is_local_authority


def test_filter_aliases_choose_renamed_columns_and_values(tmp_path: Path) -> None:
    text = FILTERED.replace("sen_status,phase", "breakdown,phase").replace("EHC plan", "EHCP")
    source = read_performance_file(write(tmp_path, text))
    specs = [(("sen_status", "breakdown"), ("EHC plan", "ehcp"))]
    assert values(source, "pct", filters=specs) == {("2023", "England"): 10.0, ("2023", "Alpha"): 8.0}
    assert source.unmatched_filter(specs) is None
    column, value, present = source.unmatched_filter([(("breakdown",), ("EHC plan",))])
    assert (column, value, present) == ("breakdown", "EHC plan", ["Total", "EHCP"])


# --- unknown marks, files fitting no layout, paths that are not files ------------------------

MARKS = f"""
{GEO},no_exc_20week_rate,new_all_ehc
2022,Calendar year,National,E92000001,England,,,,,,50.1,100
2022,Calendar year,Local authority,E92000001,England,E12000001,North East,E06000001,801,Alpha,{{mark}},10
2022,Calendar year,Local authority,E92000001,England,E12000001,North East,E06000002,802,Beta,60,c
2022,Calendar year,Local authority,E92000001,England,E12000001,North East,E06000003,803,Gamma,61,12
"""


@pytest.mark.parametrize("mark", ["<5", "*", "-", "suppressed", "5O.1"])
@pytest.mark.parametrize("column", ["no_exc_20week_rate", "new_all_ehc"])
def test_unknown_mark_is_named_with_row_and_column(tmp_path: Path, mark: str, column: str) -> None:
    """A mark that is neither a number nor a DfE code is one error at its cell, whichever measure
    of the file is read (never "filter column has several values and no Total row")."""
    source = read_performance_file(write(tmp_path, MARKS.replace("{mark}", mark)), root=tmp_path)
    with pytest.raises(InputError) as err:
        source.observations(column)
    assert (err.value.file, err.value.row, err.value.column) == ("sen2_test.csv", 3, "no_exc_20week_rate")
    message = str(err.value)
    assert f"'{mark}' is not a number or a DfE missing-value code (c, x, z, low" in message
    assert "write the figure, or the DfE code for a suppressed value" in message
    assert "Total" not in message and "\n" not in message


@pytest.mark.parametrize("code", ["c", "z", "x", "low", "u", "k", ":", "..", "~", "n/a", "", " C "])
def test_dfe_codes_are_missing_values_kept_as_published(tmp_path: Path, code: str) -> None:
    source = read_performance_file(write(tmp_path, MARKS.replace("{mark}", code)))
    alpha = next(o for o in source.observations("no_exc_20week_rate") if o.name == "Alpha")
    assert alpha.value is None and alpha.raw == code.strip()


def test_long_format_mark_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "indicator,period,area_code,value\na,2020,E92000001,<5\n", "local.csv")
    with pytest.raises(InputError) as err:
        read_performance_file(path)
    assert (err.value.row, err.value.column) == (2, "value") and "'<5' is not a number" in str(err.value)


@pytest.mark.parametrize(("header", "hint"), [
    ("year,time_identifier,geographic_level,new_la_code,la_name,region_code,region_name,n", True),
    ("Period,geog_level,new_la_code,la_name,region_code,region_name,n", True),
    ("year,la,value", False),
])
def test_file_fitting_no_layout_lists_its_columns(tmp_path: Path, header: str, hint: bool) -> None:
    """A renamed time_period is not taken for an area lookup: the message lists the columns the
    file has and what each layout needs."""
    cells = ",".join(["1"] * len(header.split(",")))
    with pytest.raises(InputError) as err:
        read_performance_file(write(tmp_path, f"{header}\n{cells}\n", "odd.csv"), root=tmp_path)
    message = str(err.value)
    assert message.startswith("odd.csv: fits none of the layouts") and "\n" not in message
    assert "its columns are " + ", ".join(f"'{c}'" for c in header.split(",")) + ";" in message
    assert "an EES open-data file needs time_period, geographic_level" in message
    assert "a long-format local measures file needs indicator, period, area_code, value" in message
    assert "an area lookup needs region_code, region_name, la_name, new_la_code" in message
    assert ("time_period column was renamed" in message) is hint


def test_columns_listed_are_at_most_twelve(tmp_path: Path) -> None:
    header = ",".join(f"col{i}" for i in range(20))
    with pytest.raises(InputError) as err:
        read_performance_file(write(tmp_path, header + "\n" + ",".join("1" * 20) + "\n", "wide.csv"))
    assert "'col11', … (20 in all)" in str(err.value) and "col12" not in str(err.value)


def test_an_area_lookup_is_still_recognised(tmp_path: Path) -> None:
    path = write(tmp_path, "region_code,region_name,old_la_code,la_name,new_la_code\n"
                 "E12000001,North East,841,Darlington,E06000005\n", "lookup.csv")
    assert isinstance(read_performance_file(path), AreaLookup)


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


def _folder(tmp_path: Path) -> Path:
    path = tmp_path / "folder.csv"
    path.mkdir()
    return path


def _loop(tmp_path: Path) -> Path:
    (tmp_path / "a.csv").symlink_to(tmp_path / "b.csv")
    (tmp_path / "b.csv").symlink_to(tmp_path / "a.csv")
    return tmp_path / "a.csv"


def _dangling(tmp_path: Path) -> Path:
    (tmp_path / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    return tmp_path / "gone.csv"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
@pytest.mark.parametrize(("make", "said"), [
    (_fifo, "is a named pipe (FIFO), not a file"),
    (_folder, "is a folder, not a file"),
    (_loop, "is a symbolic link that points back to itself (a link loop)"),
    (_dangling, "is a symbolic link to a file that does not exist"),
])
@pytest.mark.parametrize("reader", ["any", "ees", "long", "lookup", "catalogue"])
def test_paths_that_are_not_files_give_one_line(tmp_path: Path, make: Callable[[Path], Path], said: str, reader: str) -> None:
    """Checked before anything opens the path: a FIFO never blocks (no reader is waiting on it,
    so an open would wait for ever), a folder or a link loop is one line, never a traceback."""
    from toolkit.analysis.indicators import load_catalogue
    from toolkit.inputs.ees import read_ees_csv
    from toolkit.inputs.performance import read_area_lookup, read_long_csv

    read = {"any": read_performance_file, "ees": read_ees_csv, "long": read_long_csv,
            "lookup": read_area_lookup, "catalogue": load_catalogue}[reader]
    path = make(tmp_path)
    with pytest.raises(InputError) as err:
        read(path)
    assert str(err.value) == f"{path.as_posix()}: {said}" + str(err.value).split(said, 1)[1]
    assert "\n" not in str(err.value) and err.value.row is None


def test_several_files_stop_at_the_first_that_is_not_a_file(tmp_path: Path) -> None:
    from toolkit.inputs.performance import read_performance_files

    good = write(tmp_path, f"{GEO},n\n2020,Calendar year,National,E92000001,England,,,,,,1\n")
    with pytest.raises(InputError, match="is a named pipe"):
        read_performance_files([good, _fifo(tmp_path)])
