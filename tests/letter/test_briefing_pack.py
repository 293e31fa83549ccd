"""The briefing pack the whole team reads: what it holds (in-process) and its length in print."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.paths import ROOT, EditParams

from toolkit.build.pdf import chromium_path, letter_pdf
from toolkit.inputs.plans import parse_date
from toolkit.letter.briefing import build_briefing
from toolkit.review import Review, load_review, validate

FOLLOW_UP = ROOT / "params" / "harrowdene-2026.yaml"


@pytest.fixture(scope="module")
def pack() -> tuple[Review, BeautifulSoup]:
    review = load_review(FOLLOW_UP)
    return review, BeautifulSoup(build_briefing(review), "html.parser")


def test_pack_holds_scope_prompts_sef_previous_timetable_and_sample(pack: tuple[Review, BeautifulSoup]) -> None:
    review, soup = pack
    scope = soup.find("section", id="scope").get_text(" ", strip=True)
    assert all(item.text in scope for item in review.params.scope.requested)
    prompts = soup.find("section", id="prompts")
    for kloe in review.scope.kloes:
        assert all(q.text in prompts.get_text(" ", strip=True) for q in kloe.prompts)
    leads = {r.th.get_text(): r.td.get_text() for r in prompts.find("tbody").find_all("tr")}
    assert leads["Nadia Farouk"].startswith("Children, young people and families are heard")  # the timetable's
    sef = soup.find("section", id="sef-to-test").find("tbody").find_all("tr")
    assert [r.th.get_text() for r in sef] == [j.area for j in review.sef.judgements]
    assert "Peers" not in soup.find("section", id="sef-to-test").get_text()  # only the area's own judgements
    previous = soup.find("section", id="previous").find("tbody").find_all("tr")
    assert len(previous) == len(review.previous.items) == 14
    sessions = soup.find("section", id="timetable").find_all("tbody")
    assert sum(len(t.find_all("tr")) for t in sessions) == len(review.timetable) == 13
    refs = [li.get_text() for li in soup.find("section", id="sample").find_all("li")]
    assert refs == sorted({r.case_ref for r in review.audit.records})
    for name in {r.auditor for r in review.audit.records}:
        assert name not in soup.find("section", id="sample").get_text()


def test_overdue_actions_are_counted_against_the_first_visit_day(pack: tuple[Review, BeautifulSoup]) -> None:
    """Computed here from the file, against the visit's first day, never today's date."""
    review, soup = pack
    first = review.params.visit.dates[0]
    with (ROOT / review.params.inputs.improvement_plan).open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    overdue = [r["action"] for r in rows if parse_date(r["due_date"]) < first and r["rag"] != "complete"]
    section = soup.find("section", id="plan")
    assert [r.th.get_text() for r in section.find("tbody").find_all("tr")] == overdue
    assert len(overdue) == 8 and "On 20th January 2026, the first day of the visit, eight were past" in \
        section.get_text(" ", strip=True)
    plan = review.improvement_plan
    assert len(plan.overdue(dt.date(2025, 1, 1))) == 0  # the same plan a year earlier: nothing was due
    assert plan.themes_for_kloe("2025-views") == ["Co-production"]


def test_only_the_most_unusual_indicators_have_charts(pack: tuple[Review, BeautifulSoup]) -> None:
    """Every indicator in the table; charts for the three most unusual only (weakest quarter and
    moving the wrong way first, then the weakest quarter, lowest rank first)."""
    review, soup = pack
    unusual = [c for c in review.performance.with_values if c.band == "D" or c.trend.direction == "declining"]
    both = [c for c in unusual if c.band == "D" and c.trend.direction == "declining"]
    weak = sorted((c for c in unusual if c.band == "D" and c not in both), key=lambda c: -c.rank)
    expected = [c.indicator.title for c in [*sorted(both, key=lambda c: -c.rank), *weak][:3]]
    detail = soup.find("section", id="detail")
    assert len(unusual) > 3 and len(detail.find_all("svg")) == 3
    assert [h.get_text(strip=True) for h in detail.find_all("h3")] == expected
    assert len(soup.find("section", id="indicators").find("tbody").find_all("tr")) == len(
        review.performance.comparisons)


def test_bad_plan_and_timetable_rows_are_located(mini: Path, edit_params: EditParams) -> None:
    data = mini.parents[1] / "data" / "mini"
    (data / "plan.csv").write_text("theme,action,owner,due_date,rag,evidence,kloes\n"
                                   "Inclusion,Do a thing,Head of SEN,31/13/2025,purple,,lt-nothing\n", encoding="utf-8")
    (data / "timetable.csv").write_text("day,time,activity,reviewers,kloes\n"
                                        "4,09:00,Welcome,Someone Else,\n2,10:00,,Ruth Adeyemi,\n", encoding="utf-8")
    edit_params(mini, lambda d: d["inputs"].update(improvement_plan="data/mini/plan.csv",
                                                   timetable="data/mini/timetable.csv"))
    assert [str(e) for e in validate(mini)] == [
        "data/mini/plan.csv: row 2, column due_date: '31/13/2025' is not a date (write YYYY-MM-DD)",
        "data/mini/plan.csv: row 2, column rag: 'purple' is not one of: red, amber, green, complete: write one of "
        "them",
        "data/mini/plan.csv: row 2, column kloes: 'lt-nothing' is not a KLOE in this review's scope: use KLOE ids of "
        "the scope (2016-identify, lt-coproduction, ehcp-timeliness) separated by ;, or leave it blank",
        "data/mini/timetable.csv: row 2, column day: '4' is not a day of the visit (give its date or its number, "
        "1 to 3)",
        "data/mini/timetable.csv: row 2, column reviewers: 'Someone Else' is not a member of the team: write team "
        "members' names as the parameters give them, separated by ;, or leave it blank for the whole team",
        "data/mini/timetable.csv: row 3, column activity: empty: say what the session is (such as 'Meeting with "
        "SENCOs')",
    ]


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_the_fullest_demo_pack_prints_on_six_pages_or_fewer(pack: tuple[Review, BeautifulSoup]) -> None:
    review, _ = pack
    pdf = letter_pdf(build_briefing(review), draft="", when=review.params.letter_date)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert 1 <= pages <= 6
