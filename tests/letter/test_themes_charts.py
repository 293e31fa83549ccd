"""The themes report's indicator charts: a row per reviewed area, or per period in a large round;
the same bytes each time; every figure also in the table."""

from __future__ import annotations

import pytest
from support.paths import ROOT

from toolkit.analysis.round_model import Round
from toolkit.analysis.round_themes import indicators_round
from toolkit.inputs.styles import DEFAULT_STYLE, STYLES_DIR
from toolkit.letter.templates import environment_for
from toolkit.letter.themes_charts import indicator_chart
from toolkit.round import load_round


@pytest.fixture(scope="module")
def demo() -> Round:
    return load_round([ROOT / "params"], "demo")


def test_a_row_per_area_or_per_period(demo: Round) -> None:
    macros = environment_for(str(STYLES_DIR / DEFAULT_STYLE)).get_template("themes_charts.html.j2").module
    reviews = {r.review_id: r for r in demo.reviews}
    timely = next(i for i in indicators_round(demo) if i.id == "ehcp_20wk_no_exc")
    by_area = indicator_chart(timely, reviews, macros, 12)
    for label in ("Brindleford, 2024", "Harrowdene, 2023", "Harrowdene, 2024", "Kestrelmoor, 2024"):
        assert f">{label}</text>" in by_area.svg
    assert [row[0] for row in by_area.rows] == ["Brindleford, 2024", "Harrowdene, 2023", "Harrowdene, 2024",
                                                "Kestrelmoor, 2024"]
    assert by_area.rows[0][1:] == ["38.9%", "51.8%", str(len(demo.reviews[0].indicators[0].authorities))]
    by_period = indicator_chart(timely, reviews, macros, 2)
    assert ">2023 (one area)</text>" in by_period.svg and ">2024 (three areas)</text>" in by_period.svg
    assert "for four reviewed areas: a row for each period (2023 and 2024)" in by_period.alt
    assert by_period.rows == by_area.rows  # the table still names every area
    assert indicator_chart(timely, reviews, macros, 12).svg == by_area.svg
    # the table's header names each column the rows fill, one cell per column
    assert by_area.columns == ["Area and period", "The area's value", "England's value", "Authorities with a value"]
    assert all(len(row) == len(by_area.columns) for row in by_area.rows)
