"""Progress told as a story in the follow-up demo (Harrowdene 2026): the headline on progress,
the area's view beside the team's mark, the improvement plan's actions, and repeats said as such."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from bs4 import BeautifulSoup
from support.paths import ROOT

from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review

FOLLOW_UP = ROOT / "params" / "harrowdene-2026.yaml"
RANK = {"not yet addressed": 0, "progressing": 1, "addressed": 2, "no longer relevant": 2}


@pytest.fixture(scope="module")
def letter() -> tuple[Review, BeautifulSoup]:
    review = load_review(FOLLOW_UP)
    return review, BeautifulSoup(build_letter(review), "html.parser")


def _rows(rel: str) -> list[dict[str, str]]:
    with (ROOT / rel).open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_a_headline_on_progress(letter: tuple[Review, BeautifulSoup]) -> None:
    _, soup = letter
    head = soup.select_one("#headlines p.progress-headline")
    assert head is not None
    text = head.get_text(" ", strip=True)
    assert text.startswith("Of our 2025 review's 14 items, we judge three addressed, six progressing, four not yet "
                           "addressed and one no longer relevant.")
    # the most important still open: the urgent action the team marks not yet addressed
    assert "Most important still open: Stabilise the EHC needs assessment service" in text


def test_the_areas_view_beside_the_teams_mark(letter: tuple[Review, BeautifulSoup]) -> None:
    review, soup = letter
    marks = {r["id"]: r for r in _rows(str(review.params.inputs.progress))}
    rows = soup.select("#progress tbody tr")
    assert len(rows) == 14
    differ = 0
    for tr in rows:
        mark = marks[tr["data-id"]]
        cells = tr.find_all("td")
        assert cells[0].get_text(strip=True).lower() == mark["status"]
        area = cells[1].get_text(" ", strip=True).lower()
        assert area.startswith(mark["area_status"])
        if mark["area_status"] != mark["status"]:
            differ += 1
            way = RANK[mark["area_status"]] - RANK[mark["status"]]
            assert ("(higher)" in area) == (way > 0) and ("(lower)" in area) == (way < 0)
    assert differ == 8
    said = soup.select_one("#progress p.area-view").get_text(" ", strip=True)
    assert said == "The area rates eight items differently: six higher, one lower."


def test_the_plans_actions_for_each_item(letter: tuple[Review, BeautifulSoup]) -> None:
    review, soup = letter
    first = review.params.visit.dates[0]

    def state(a: dict[str, str]) -> str:
        if a["rag"] == "complete":
            return "done"
        if dt.date.fromisoformat(a["due_date"]) < first:
            return "overdue"
        return "at risk" if a["rag"] == "red" else "on track"

    plan = _rows(str(review.params.inputs.improvement_plan))
    for tr in soup.select("#progress tbody tr"):
        want = [f"{a['action']} ({state(a)})" for a in plan if tr["data-id"] in a["items"].split(";")]
        got = tr.select_one("span.plan-actions")
        assert (got is None) == (not want)
        if got is not None:
            text = got.get_text(" ", strip=True)
            assert all(w in text for w in want), (text, want)
    counts = {s: sum(1 for a in plan if state(a) == s) for s in ("done", "on track", "at risk", "overdue")}
    assert counts == {"done": 2, "on track": 2, "at risk": 0, "overdue": 8}
    said = soup.select_one("#progress p.plan-state").get_text(" ", strip=True)
    assert said == "Of the plan's 12 actions, two were done, two on track and eight overdue at our visit."


def test_a_repeated_item_is_said_to_be_one_and_linked(letter: tuple[Review, BeautifulSoup]) -> None:
    _, soup = letter
    notes = soup.select(".repeat-note")
    assert len(notes) >= 4
    for note in notes:
        assert note.get_text(strip=True) == "As we said in 2025."
        link = note.find("a")
        assert link is not None and soup.find(id=link["href"][1:]) is not None
    items = {n["data-item"] for n in notes}
    assert {"h25-iq-003", "h25-nf-003", "h25-go-012", "h25-go-008"} <= items
