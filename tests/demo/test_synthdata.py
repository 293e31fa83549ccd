"""Synthetic demo data: repeatable, fictional, in the DfE layout, with the demo profiles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit.analysis.comparisons import compare_all
from toolkit.demo.synthdata import (
    DEMO_AUTHORITIES,
    OUTCOME_FILES,
    REGIONS,
    demo_neighbours,
    fictional_authorities,
    generate_sen2,
    write_demo_data,
)
from toolkit.inputs.performance import read_performance_files

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "data" / "performance"
DFE = ROOT / ".." / "shared" / "data" / "dfe"


def test_committed_demo_data_is_the_generators_output(tmp_path: Path) -> None:
    paths = write_demo_data(tmp_path, outcomes="both")
    assert [p.name for p in paths] == ["sen2_synthetic.csv", *(f.name for f in OUTCOME_FILES), "local_outcomes.csv"]
    for path in paths:
        assert path.read_bytes() == (DEMO / path.name).read_bytes(), f"regenerate {path.name} with write_demo_data"
    assert [p.name for p in write_demo_data(tmp_path / "ees")] == [p.name for p in paths[:-1]]
    assert [p.name for p in write_demo_data(tmp_path / "long", outcomes="long")] == [paths[0].name, paths[-1].name]
    again = write_demo_data(tmp_path / "again")
    assert all(a.read_bytes() == (tmp_path / a.name).read_bytes() for a in again)  # deterministic


OUTCOME_IDS = ["ks2_rwm_ehcp", "ks2_rwm_sen_support", "ks4_att8_ehcp", "ks4_att8_sen_support", "absence_ehcp",
               "suspensions_sen"]


def test_outcome_files_in_the_ees_layout_match_the_long_file() -> None:
    """The EES outcome files (renamed filters read through the catalogue's aliases) give the
    same figures as the long-format file, which still works for local measures."""
    ees = read_performance_files([DEMO / "sen2_synthetic.csv", *(DEMO / f.name for f in OUTCOME_FILES)])
    long = read_performance_files([DEMO / "sen2_synthetic.csv", DEMO / "local_outcomes.csv"])
    assert [type(s).__name__ for s in ees] == ["EESFile"] * 5 and type(long[1]).__name__ == "LongFile"
    ks2 = pd.read_csv(DEMO / "ks2_synthetic.csv", dtype=str, keep_default_na=False)
    assert {"breakdown_topic", "breakdown"} <= set(ks2.columns) and "characteristic" not in ks2.columns
    assert set(ks2.breakdown) == {"Total", "EHCP", "SEN support"}  # the catalogue says "EHC plan"
    for name in ("Kestrelmoor", "Harrowdene", "Brindleford"):
        a = {c.indicator.id: c for c in compare_all(ees, name, ids=OUTCOME_IDS)}
        b = {c.indicator.id: c for c in compare_all(long, name, ids=OUTCOME_IDS)}
        for ind in OUTCOME_IDS:
            assert a[ind].source.endswith("_synthetic.csv") and b[ind].source.endswith("local_outcomes.csv")
            assert (a[ind].period, a[ind].value, a[ind].england, a[ind].region, a[ind].rank, a[ind].band) == (
                b[ind].period, b[ind].value, b[ind].england, b[ind].region, b[ind].rank, b[ind].band), (name, ind)
        assert a["ks2_rwm_ehcp"].period.label == "2024/25" and a["ks2_rwm_ehcp"].value is not None


def test_authorities() -> None:
    las = fictional_authorities()
    assert len(las) == 150
    assert len({a.code for a in las}) == len({a.old_code for a in las}) == len({a.name for a in las}) == 150
    assert all(a.code[:6] in ("E06009", "E08009", "E09009", "E10009") and len(a.code) == 9 for a in las)
    assert {(a.name, a.code, a.old_code, a.region_name) for a in DEMO_AUTHORITIES} <= {
        (a.name, a.code, a.old_code, a.region_name) for a in las}
    assert {a.region_code for a in las} == {code for code, _ in REGIONS}
    for name, neighbours in demo_neighbours().items():
        assert 6 <= len(neighbours) <= 8 and name not in {n.name for n in neighbours}


def test_layout_and_codes() -> None:
    frame = pd.read_csv(DEMO / "sen2_synthetic.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns[:10]) == ["time_period", "time_identifier", "geographic_level", "country_code",
                                        "country_name", "region_code", "region_name", "new_la_code", "old_la_code",
                                        "la_name"]
    assert sorted(frame.time_period.unique()) == [str(y) for y in range(2018, 2026)]
    assert frame.groupby("time_period").geographic_level.value_counts().unstack().to_dict("list") == {
        "Local authority": [150] * 8, "National": [1] * 8, "Regional": [9] * 8}
    cells = set(frame.iloc[:, 10:].to_numpy().ravel())
    assert {"z", "x"} <= cells and any(c.startswith(" ") for c in cells)


def test_demo_profiles() -> None:
    sources = read_performance_files([DEMO / "sen2_synthetic.csv", DEMO / "local_outcomes.csv"])
    by_name = {}
    for name in ("Kestrelmoor", "Harrowdene", "Brindleford"):
        comps = compare_all(sources, name, ids=["ehcp_20wk_no_exc", "ks2_rwm_ehcp"])
        by_name[name] = comps[0]
        assert comps[1].period.label == "2024/25"
    assert by_name["Kestrelmoor"].band == "A" and by_name["Kestrelmoor"].value > 90
    assert by_name["Harrowdene"].band == "D" and by_name["Harrowdene"].value < 35
    assert by_name["Brindleford"].trend.direction == "declining"
    assert 50 <= by_name["Kestrelmoor"].england <= 60


def test_england_plausible_every_year() -> None:
    frame = generate_sen2(fictional_authorities())
    national = frame[frame.geographic_level == "National"]
    rates = national.no_exc_20week_rate.str.strip().astype(float)
    assert rates.between(45, 62).all()


@pytest.mark.skipif(not (DFE / "region_la_hierarchy.csv").is_file(), reason=f"real DfE files not found at {DFE}")
def test_no_real_authority_names_or_codes() -> None:
    real = pd.read_csv(DFE / "region_la_hierarchy.csv", dtype=str, keep_default_na=False)
    names = {n.casefold() for n in real.la_name}
    codes = {c.strip() for cell in real.new_la_code for c in cell.split("/")}
    old = {c.strip() for cell in real.old_la_code for c in cell.split("/")}
    for a in fictional_authorities():
        assert a.name.casefold() not in names and a.code not in codes and a.old_code not in old
