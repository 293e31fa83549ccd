"""Claims read from the words (issue 26): a held-out style set of findings written as teams write
them (no indicator named) checked against a demo's own figures and audit, each class of claim;
and every demo's flags, read one by one, pinned so that no true statement gains a flag."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from toolkit.analysis.audit_results import audit_results
from toolkit.analysis.claim_reading import quantifier_in, shares_in, trend_in
from toolkit.analysis.consistency import check_consistency
from toolkit.review import Review, audit_figures, load_review

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class T:
    """A finding as a team writes it: no indicator, a KLOE, a statement and a detail."""
    kind: str
    statement: str
    detail: str = ""
    kloe: str = "lt-inclusion"
    indicator: str | None = None
    file: str = "held-out.csv"
    row: int = 0
    id: str = "held-out"


@pytest.fixture(scope="module")
def harrowdene() -> Review:
    return load_review(ROOT / "params" / "harrowdene-2026.yaml")


def flags_for(review: Review, finding: T) -> list[str]:
    assert review.performance is not None and review.audit is not None
    links = {k.id: k.indicators for k in review.scope.kloes}
    found = check_consistency([finding], review.performance.comparisons, audit_figures(review.audit), links,
                              audit_results(review.audit))
    return [f.check for f in found]


#: False claims about Harrowdene 2026 (its figures: timeliness 24.0% in 2024, 22.3% in 2023; mediation
#: 52, 59, 66 from 2022; tribunal appeal rate 9.00%, the highest of 149; absence 14.4% against England's
#: 13.1%; the audit: 22 plans, preparing for adulthood good in 2 of 13, section K in 9 of 22 ...).
FALSE = [
    T("area for consideration", "Speed up assessments.", "Fewer than a fifth of new EHC plans are finalised "
      "within 20 weeks."),
    T("area for consideration", "Around half of new plans now meet the 20-week deadline."),
    T("area for consideration", "Requests for statutory assessment have climbed every year since 2021."),
    T("strength", "Mediation cases have fallen steadily over the last three years."),
    T("strength", "Tribunal appeals here are among the lowest in the country."),
    T("area for consideration", "The proportion of requests refused is below the England average."),
    T("strength", "Attendance of pupils with EHC plans is better than the national average."),
    T("strength", "Suspensions of pupils with SEND have halved since 2021."),
    T("area for consideration", "Key stage 4 results for pupils with EHC plans have been broadly flat."),
    T("area for consideration", "Moves from mainstream to special schools fell again in 2024."),
    T("strength", "Most of the plans we sampled prepared young people well for adulthood."),
    T("strength", "Every plan we read listed the advice it drew on, with dates."),
    T("strength", "Plans are complete.", "In all 22 plans we read, section K was complete."),
    T("area for consideration", "Only a handful of the plans we read met the 20-week timescale."),
    T("strength", "Harrowdene is one of the best areas for the timeliness of new plans."),
    T("strength", "There are fewer mediation cases than in similar areas."),
    T("area for consideration", "Timeliness of new plans dropped in 2025."),
    T("strength", "More than nine in ten new plans are issued on time."),
]

#: True claims about the same review, phrased as loosely.
TRUE = [
    T("area for consideration", "Only about a quarter of new plans are issued within 20 weeks."),
    T("strength", "Mediation has grown steadily since 2020."),
    T("area for consideration", "The rate of appeals to the tribunal is the highest in England."),
    T("area for consideration", "Absence among pupils with EHC plans is higher than in England."),
    T("area for consideration", "In fewer than half of the plans we sampled did outcomes look ahead to adult life."),
    T("area for consideration", "Harrowdene refuses a far higher share of requests than similar areas."),
    T("area for consideration", "Key stage 4 results for pupils with EHC plans have fallen since 2022."),
    T("area for consideration", "Suspensions of pupils with SEND are above the England rate."),
    T("area for consideration", "Just over half of the new plans we read were issued within 20 weeks."),
    T("strength", "Almost all of the plans we read described needs well in section B."),
    T("area for consideration", "Leaders should bring timeliness above half by the end of the year."),
    T("strength", "Few families we met had been told about personal budgets."),
]


@pytest.mark.parametrize("finding", FALSE, ids=lambda f: (f.detail or f.statement)[:40])
def test_false_claims_are_flagged(harrowdene: Review, finding: T) -> None:
    assert flags_for(harrowdene, finding), finding


@pytest.mark.parametrize("finding", TRUE, ids=lambda f: f.statement[:40])
def test_true_claims_are_not_flagged(harrowdene: Review, finding: T) -> None:
    assert flags_for(harrowdene, finding) == [], finding


def test_the_grammar_reads_shares_quantifiers_and_movements() -> None:
    (share,) = shares_in("Fewer than one in five new plans")
    assert (share.low, share.high) == (0.0, 20.5)
    (about,) = shares_in("about a third of plans")
    assert (about.low, about.high) == pytest.approx((28.3, 38.3))
    (n_of_m,) = shares_in("five of the six new plans we read")
    assert (n_of_m.count, n_of_m.of) == (5, 6)
    most = quantifier_in("most plans did not say how often")
    assert most is not None and most.high < 50  # turned round by "not"
    climbed = trend_in("The number has climbed for three years")
    assert climbed is not None and (climbed.move, climbed.run) == ("up", 3)
    again = trend_in("timeliness fell again in 2025")
    assert again is not None and (again.move, again.again, again.year) == ("down", True, 2025)
    halved = trend_in("has halved since 2022")
    assert halved is not None and (halved.since, halved.ratio) == (2022, ("at_most", 0.6))
    assert trend_in("the backlog is not yet falling") is None
    flat = trend_in("has been broadly flat")
    assert flat is not None and flat.move == "stable"


#: Every flag of each demo (file, row, check), each read against the letter's own tables: the
#: contradictions issue 26 lists, and nothing on the demos' true statements.
DEMO_FLAGS = {
    "brindleford-2026": [
        ("data/brindleford-2026/findings_fairclough.xlsx", 4, "audit sample"),  # 4 plans beside 38.9%
        ("data/brindleford-2026/findings_pryce.csv", 6, "share"),  # "few ... personal budget": 1,698 -> 3,418
    ],
    "harrowdene-2025": [
        ("data/harrowdene-2025/findings_otley.csv", 12, "trend"),  # "climbed for three years": 37, 98, 63
        ("data/harrowdene-2025/findings_otley.csv", 12, "neighbours"),  # "well above similar areas": 63 v 82
        ("data/harrowdene-2025/findings_qureshi.csv", 5, "band"),
        ("data/harrowdene-2025/audit.csv", 0, "audit section"),  # "in all 12 plans ... traced": GT 9 of 12
    ],
    "harrowdene-2026": [
        ("data/harrowdene-2026/findings_beckworth.xlsx", 3, "direction"),
        ("data/harrowdene-2026/findings_beckworth.xlsx", 8, "understated"),  # 9.00% v 3.54%, 149th of 149
        # new findings returning to items marked closed (toolkit.analysis.progress_checks): the
        # mental health transitions item marked addressed, and the part-time timetables one
        ("data/harrowdene-2026/findings_kerrigan.csv", 10, "progress"),
        ("data/harrowdene-2026/findings_qureshi.csv", 9, "progress"),
        ("data/harrowdene-2026/sef.csv", 4, "share"),  # "fewer than one in five" v 24.0%
        ("data/harrowdene-2026/progress.csv", 3, "no data"),  # "fell again in 2025": 22.3% -> 24.0% in 2024
        ("data/harrowdene-2026/sef.csv", 7, "self-evaluation"),  # PFA judged good: audit 2 of 13
        ("data/harrowdene-2026/sef.csv", 4, "stated twice"),  # one in five v about one in four
    ],
    "kestrelmoor-2026": [
        ("data/kestrelmoor-2026/findings_holloway.xlsx", 4, "audit section"),  # few ... sections D and H
        ("data/kestrelmoor-2026/findings_holloway.xlsx", 6, "neighbours"),
    ],
}


@pytest.mark.parametrize("name", sorted(DEMO_FLAGS))
def test_each_demo_flags_exactly_its_contradictions(name: str) -> None:
    review = load_review(ROOT / "params" / f"{name}.yaml")
    found = [(f.finding.file, f.finding.row, f.check) for f in review.contradictions()]
    assert found == DEMO_FLAGS[name]
    for flag in review.contradictions():  # each names where the disagreeing figure comes from
        assert flag.message and (flag.source or flag.check == "progress"), flag


@pytest.fixture(scope="module")
def kestrelmoor() -> Review:
    return load_review(ROOT / "params" / "kestrelmoor-2026.yaml")


#: A second set, on a strong authority (timeliness 91.5%, 3rd of 145; requests 606, 673, 784 from
#: 2022; refusals 14.0% against similar areas' 22.3%; moves to special schools 40, 65, 80; the
#: audit: 18 plans, section H good in none of 7, five of the six new plans on time).
KES_FALSE = [
    T("area for consideration", "Timeliness of new EHC plans is below the national average."),
    T("area for consideration", "New plans are issued within 20 weeks in only around two in five cases."),
    T("strength", "Requests for assessment have fallen over the past three years."),
    T("area for consideration", "Kestrelmoor turns down a higher proportion of requests than similar areas."),
    T("strength", "Moves to special schools have halved since 2022."),
    T("area for consideration", "Attainment 8 scores for pupils with EHC plans are among the weakest in England."),
    T("strength", "Most of the plans we read recorded short breaks in section H."),
    T("area for consideration", "Absence among pupils with EHC plans is higher than elsewhere in the region."),
    T("strength", "Suspensions of pupils with SEND fell in 2023/24."),
]
KES_TRUE = [
    T("strength", "Nine in ten new plans are issued within 20 weeks."),
    T("area for consideration", "Requests for assessment have risen since 2022."),
    T("strength", "Kestrelmoor refuses a smaller share of requests than similar areas."),
    T("strength", "Attainment 8 scores for pupils with EHC plans are above the England average."),
    T("area for consideration", "Few of the plans we read set out social care provision in section H."),
    T("strength", "Suspensions of pupils with SEND are lower than in England."),
    T("strength", "Timeliness has slipped since 2022 but remains among the best in the country."),
    T("strength", "Five of the six new plans we read were issued on time."),
    T("area for consideration", "Suspensions of pupils with SEND rose in 2023/24."),
]


@pytest.mark.parametrize("finding", KES_FALSE, ids=lambda f: f.statement[:40])
def test_false_claims_on_another_demo_are_flagged(kestrelmoor: Review, finding: T) -> None:
    assert flags_for(kestrelmoor, finding), finding


@pytest.mark.parametrize("finding", KES_TRUE, ids=lambda f: f.statement[:40])
def test_true_claims_on_another_demo_are_not_flagged(kestrelmoor: Review, finding: T) -> None:
    assert flags_for(kestrelmoor, finding) == [], finding


#: More phrasings on the same review: (whether the claim is false, the words).
MORE = [
 (True, "Nine in ten new plans are issued within the 20-week limit."),
 (True, "Timeliness has improved every year since 2021."),
 (False, "The area has one of the highest rates of tribunal appeals in England."),
 (True, "Requests for EHC needs assessments have halved since 2022."),
 (True, "Harrowdene's rate of appeals is lower than the regional average."),
 (True, "Mediation use has been broadly flat."),
 (False, "About a third of requests are refused."),
 (True, "Only one in ten requests is turned down."),
 (True, "Absence of pupils with EHC plans has fallen since 2021."),
 (False, "The number of children moving to special schools is well below similar areas."),
 (False, "Most of the plans we read had SMART outcomes."),
 (True, "Half of the plans we read were graded good or better overall."),
 (True, "Timeliness of new plans is better than in similar areas."),
 (True, "Harrowdene issues new plans on time more often than most areas."),
 (False, "New plans are issued on time far less often than in most areas."),
 (True, "Suspensions of pupils with SEND have fallen for three years."),
 (False, "Pupils with EHC plans at key stage 2 do less well than in England."),
 (True, "Pupils with EHC plans at key stage 2 outperform those in similar areas."),
 (True, "Personal budgets are used more widely than in similar areas."),
 (False, "Key stage 4 results for pupils with EHC plans have declined."),
 (True, "Most of the new plans we read were issued late."),
 (False, "Fewer than half of the new plans we read were late."),
 (False, "About half of the new plans we read were issued within 20 weeks."),
]


@pytest.mark.parametrize(("false", "text"), MORE, ids=lambda x: str(x)[:40])
def test_more_phrasings(harrowdene: Review, false: bool, text: str) -> None:
    assert bool(flags_for(harrowdene, T("area for consideration", text))) is false, text


def test_tables_word_a_direction_from_the_figures_they_quote(harrowdene: Review) -> None:
    """The appendix's direction column: suspensions rose from 12.93 to 15.49, so "rising, worse",
    never "declining" (which reads as falling)."""
    from toolkit.letter.performance_sentences import direction_text, trend_sentence

    assert harrowdene.performance is not None
    suspensions = harrowdene.performance.get("suspensions_sen")
    assert suspensions is not None and suspensions.trend.direction == "declining"
    assert direction_text(suspensions) == "rising, worse"
    assert trend_sentence(suspensions).startswith("It has risen from 12.93")
    words = {direction_text(c) for c in harrowdene.performance.comparisons}
    assert "declining" not in words and "improving" not in words
