"""The consistency check: band, direction, comparators (counts never), the audit's timeliness."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from toolkit.analysis.areas import Area
from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.consistency import (
    AuditTimeliness,
    check_consistency,
    claimed_comparisons,
    claimed_direction,
)
from toolkit.analysis.indicators import load_catalogue
from toolkit.analysis.ranks import Trend
from toolkit.inputs.observations import parse_period

CAT = load_catalogue()


@dataclass
class F:
    kind: str
    indicator: str | None
    statement: str = ""


def comp(indicator_id: str, value: float, *, england: float | None = None, region: float | None = None,
         neighbours: float | None = None, points: tuple[float, ...] = (), direction: str | None = None,
         rank: int | None = None, band: str | None = None) -> Comparison:
    pts = [(parse_period(str(2020 + i)), v) for i, v in enumerate(points)]
    area = Area("Kestrelmoor", "E06009901", "991", "E12000003", "Yorkshire and The Humber")
    return Comparison(CAT.get(indicator_id), area, parse_period("2024"), value, "", england, region, neighbours,
                      neighbours, [], [], rank, 150, band, Trend(pts, pts[-3:], None, direction), "f.csv")


def test_claims_are_read_from_whole_words() -> None:
    assert claimed_direction("Timeliness has fallen sharply.") == "down"
    assert claimed_direction("Requests have RISEN by a third.") == "up"
    assert claimed_direction("Requests have risen while timeliness has fallen.") is None  # two claims: neither
    assert claimed_direction("A shortfall in places.") is None  # "fall" inside a word is no claim
    assert claimed_direction("Attendance has improved.") == "better"
    assert claimed_comparisons("Turns down a larger share of requests than similar areas.") == [
        ("neighbours", "higher")]
    assert claimed_comparisons("Fewer appeals than England and the region.") == [("region", "lower"),
                                                                                ("england", "lower")]
    assert claimed_comparisons("A higher share of plans.") == []  # no comparator: nothing to check


def test_direction_against_the_trend() -> None:
    rising = comp("ehcp_20wk_no_exc", 70, points=(50, 60, 70), direction="improving")
    stable = comp("ehcp_requests_refused_pc", 20, points=(20, 20.4, 20), direction="stable")
    flags = check_consistency([F("area for consideration", "ehcp_20wk_no_exc", "Timeliness has fallen."),
                               F("strength", "ehcp_20wk_no_exc", "Timeliness has risen."),
                               F("strength", "ehcp_20wk_no_exc", "Timeliness has worsened."),
                               F("area for consideration", "ehcp_requests_refused_pc", "Refusals have risen.")],
                              [rising, stable])
    assert [(f.check, f.finding.statement) for f in flags] == [
        ("direction", "Timeliness has fallen."), ("direction", "Timeliness has worsened."),
        ("direction", "Refusals have risen.")]  # a neutral measure, without a band, is checked too
    assert flags[0].message == "says it has fallen, but it rose from 50.0% in 2020 to 70.0% in 2022"
    assert flags[2].message.startswith("says it has risen, but it was broadly stable from 2020 to 2022")


def test_comparators_as_rounded_and_polarity_aware() -> None:
    refused = comp("ehcp_requests_refused_pc", 14.0, england=20.0, neighbours=22.3)
    tribunal = comp("tribunal_rate", 1.0, england=2.5, region=0.8)
    flags = check_consistency([
        F("area for consideration", "ehcp_requests_refused_pc", "Turns down a larger share of requests than similar areas."),
        F("area for consideration", "ehcp_requests_refused_pc", "Turns down fewer requests than similar areas."),
        F("strength", "tribunal_rate", "Appeals are fewer than in England."),  # lower: right
        F("strength", "tribunal_rate", "Appeals are better than England and the region."),  # better = lower
    ], [refused, tribunal])
    assert [(f.check, f.finding.statement[:14]) for f in flags] == [("neighbours", "Turns down a l"),
                                                                    ("region", "Appeals are be")]
    assert flags[0].message == ("says it is higher than similar areas, but Kestrelmoor has 14.0% against "
                                "the average of its statistical neighbours (22.3%)")
    assert "Yorkshire and The Humber (0.80%)" in flags[1].message


def test_raw_counts_are_never_compared_with_other_areas() -> None:
    budgets = comp("personal_budgets", 300, england=90000, neighbours=900)
    flags = check_consistency([F("strength", "personal_budgets", "Personal budgets are used more widely than in many areas.")],
                              [budgets])
    assert flags == []


def test_band_and_audit_timeliness() -> None:
    best = comp("ehcp_20wk_no_exc", 91.5, rank=3, band="A")
    area = F("area for consideration", "ehcp_20wk_no_exc", "Recover the timeliness of new plans.")
    flags = check_consistency([area], [best], AuditTimeliness(12, 10, "20"))
    assert [f.check for f in flags] == ["band", "audit"]
    assert flags[0].message == ("called an area for consideration, but Kestrelmoor ranks 3rd of 150, in the best "
                                "quarter, for EHC plans in 20 weeks (excl. exceptions) in 2024")
    assert flags[1].message.endswith("found 10 of the 12 new plans read issued within 20 weeks")
    late = AuditTimeliness(12, 2, "20")
    strength = F("strength", "ehcp_20wk_no_exc", "Plans are timely.")
    assert [f.check for f in check_consistency([strength], [replace(best, band="B")], late)] == ["audit"]
    # a handful of plans is weighed as a sample beside the published figure, not as a contradiction
    few = check_consistency([area], [best], AuditTimeliness(6, 5, "20"))
    assert [f.check for f in few] == ["band", "audit sample"]
    assert few[1].message.startswith("rests on 6 plans read by the audit, which found 5 issued within 20 weeks: a "
                                     "sample that small cannot contradict the published figure of 91.5%")
    assert [f.check for f in check_consistency([area], [], AuditTimeliness(6, 5, "20"))] == ["audit"]
    assert check_consistency([strength], [], AuditTimeliness(0, 0, "20")) == []  # no timing: nothing to check


@dataclass
class K:
    """A finding under a KLOE, with no indicator of its own."""
    kind: str
    kloe: str
    statement: str
    indicator: str | None = None


def test_kloe_indicators_by_the_words_of_the_statement() -> None:
    refused = comp("ehcp_requests_refused_pc", 14.0, neighbours=22.3, points=(18, 16, 14), direction="stable")
    budgets = comp("personal_budgets", 300, points=(200, 250, 300), direction="rising")
    links = {"2016-assess-meet": ["personal_budgets", "ehcp_requests_refused_pc"], "lt-coproduction": []}
    flags = check_consistency([
        K("area for consideration", "2016-assess-meet", "A larger share of requests is refused than in similar areas."),
        K("area for consideration", "2016-assess-meet", "Fewer requests are turned down than in similar areas."),
        K("strength", "2016-assess-meet", "Take-up of personal budgets has fallen."),
        K("strength", "lt-coproduction", "A larger share of requests is refused than in similar areas."),  # not its KLOE's
        K("strength", "2016-assess-meet", "Families have risen to the challenge."),  # no indicator named
    ], [refused, budgets], kloe_indicators=links)
    assert [(f.link, f.check, f.indicator, f.finding.statement[:9], f.finding.kloe) for f in flags] == [
        ("kloe", "neighbours", "ehcp_requests_refused_pc", "A larger ", "2016-assess-meet"),
        ("kloe", "direction", "personal_budgets", "Take-up o", "2016-assess-meet"),
        # not its KLOE's indicator, but named by its words: checked all the same (issue 26)
        ("words", "neighbours", "ehcp_requests_refused_pc", "A larger ", "lt-coproduction")]
    assert flags[2].message.endswith("(22.3%), on Requests refused, which its words speak of")
    assert flags[0].message.endswith("(22.3%), on Requests refused, an indicator its KLOE lists")
    assert flags[1].message.startswith("says it has fallen, but it rose from 200 in 2020 to 300 in 2022")


def test_kloe_links_never_flag_on_the_kind_alone() -> None:
    worst = comp("absence_ehcp", 12.0, rank=140, band="D")
    links = {"2016-outcomes": ["absence_ehcp"]}
    strength = K("strength", "2016-outcomes", "Attendance of pupils with EHC plans is a priority for schools.")
    assert check_consistency([strength], [worst], kloe_indicators=links) == []
    own = K("strength", "2016-outcomes", strength.statement, "absence_ehcp")
    assert [(f.link, f.check) for f in check_consistency([own], [worst], kloe_indicators=links)] == [
        ("indicator", "band")]  # its own link: the band is checked, once


def test_audit_grades_and_timeliness_from_the_wording() -> None:
    weak = AuditTimeliness(6, 2, "20", graded=12, good=5)
    strong = AuditTimeliness(6, 6, "20", graded=12, good=10)
    good_plans = K("strength", "x", "The quality of EHC plans is high.")
    improve = K("area for consideration", "x", "Improve the quality of EHC plans.")
    on_time = K("strength", "x", "New plans are issued on time.")
    assert [(f.check, f.link) for f in check_consistency([good_plans, improve, on_time], [], weak)] == [
        ("audit grades", "audit"), ("audit", "audit")]
    flag = check_consistency([good_plans], [], weak)[0]
    assert flag.message == ("called a strength, but the EHC plan audit graded only 5 of the 12 plans read good or "
                            "outstanding, and 7 as requiring improvement or inadequate")
    assert [f.check for f in check_consistency([good_plans, improve, on_time], [], strong)] == ["audit grades"]
    assert check_consistency([K("strength", "x", "Timely advice from health visitors.")], [], weak) == []  # no plans


def test_shipped_kloes_list_catalogue_indicators_the_claims_can_name() -> None:
    from toolkit.analysis.consistency import claim_words
    from toolkit.inputs.frameworks import load_framework, shipped_frameworks

    topics = claim_words()["topics"]
    listed = {i for name in shipped_frameworks() for k in load_framework(name).kloes for i in k.indicators}
    assert listed and listed <= set(CAT.ids) and listed <= set(topics)
    assert set(topics) <= set(CAT.ids)


def test_a_denominator_is_another_count_of_the_catalogue(tmp_path: Path) -> None:
    import pytest

    from toolkit.errors import InputError

    entry = ("version: 1\nindicators:\n  - id: {id}\n    title: T\n    short_title: T\n    unit: {unit}\n"
             "    polarity: neutral\n    decimals: 0\n    publication_lag_months: 6\n"
             "    source: {{column: c}}\n    denominator: {{indicator: {den}, of: EHC plans}}\n")
    own = tmp_path / "own.yaml"
    for ident, unit, den, problem in [("x_pc", "percent", "ehcp_new", "only a count has a denominator"),
                                      ("x_count", "count", "ehcp_20wk_no_exc", "must be another count"),
                                      ("x_count", "count", "nothing_here", "must be another count")]:
        own.write_text(entry.format(id=ident, unit=unit, den=den), encoding="utf-8")
        with pytest.raises(InputError, match=problem):
            load_catalogue(own=own, root=tmp_path)
    own.write_text(entry.format(id="x_count", unit="count", den="ehcp_new"), encoding="utf-8")
    assert load_catalogue(own=own, root=tmp_path).get("x_count").denominator.per == 100
