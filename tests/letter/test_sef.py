"""The self-evaluation: judgements on a four-point scale, reasoning, supporting findings, and the
letter's account of how accurate the SEF is (counts computed from the file)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from support.paths import DEMO_PARAMS, EditParams

from toolkit.inputs.sef import SefOptions, defaults
from toolkit.letter.sections import build_letter, document_of, self_evaluation
from toolkit.review import load_review, validate
from toolkit.wording import number_words

SEF = "area,area_judgement,peer_judgement,reasoning,findings\n"


def _with_sef(mini: Path, edit_params: EditParams, text: str, **options: Any) -> Path:
    (mini.parents[1] / "data/mini/sef.csv").write_text(SEF + text, encoding="utf-8")

    def change(d: dict[str, Any]) -> None:
        d["inputs"]["sef"] = "data/mini/sef.csv"
        if options:
            d["self_evaluation"] = options
    edit_params(mini, change)
    return mini


def test_default_areas_and_scale() -> None:
    options = SefOptions()
    assert options.areas == defaults()["areas"] and len(options.areas) == 7
    assert options.scale == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert options.area("  leadership AND governance ") == "Leadership and governance"
    assert options.point("requires improvement") == 2


def test_sef_section_says_where_peers_concur_and_where_not(mini: Path, edit_params: EditParams) -> None:
    _with_sef(mini, edit_params, "Leadership and governance,Good,Good,Leaders agree on priorities.,a3\n"
              "Assessment and EHC plans,Good,Requires improvement,Plans lack outcomes.,m2;a2\n"
              "Inclusion,requires improvement,good,Schools keep pupils locally.,\n")
    review = load_review(mini)
    soup = BeautifulSoup(self_evaluation(review).html, "html.parser")
    text = soup.get_text(" ", strip=True)
    assert "Your self-evaluation is accurate in one of three areas (Leadership and governance)." in text
    assert "In one area (Assessment and EHC plans) it is more positive than the evidence we found supports." in text
    assert "In one area (Inclusion) it undersells what the area does" in text
    rows = soup.find("tbody").find_all("tr")
    assert [r["data-accuracy"] for r in rows] == ["concur", "over", "under"]  # in the order of the areas
    named = [li.get_text() for li in rows[1].find_all("li")]
    # each by its short statement and the section that gives it in full, not its whole text
    assert named == ["New plans are mostly issued on time (3.4)", "Late-emerging needs in secondary schools are missed (3.2)"]
    assert rows[2].find_all("td")[1].get_text() == "Good"  # the scale's own spelling
    letter = build_letter(review)
    assert letter.index("4. Your self-evaluation") < letter.index("5. Next steps")


def test_configured_areas_and_scale(mini: Path, edit_params: EditParams) -> None:
    _with_sef(mini, edit_params, "Short breaks,Strong,Weak,Few families can get one.,\n",
              areas=["Short breaks"], scale=["Strong", "Good", "Developing", "Weak"])
    review = load_review(mini)
    assert review.sef.judgements[0].peer_judgement == "Weak"
    assert "scale: Strong, Good, Developing, Weak" in self_evaluation(review).html


def test_no_sef_no_section(mini: Path) -> None:
    review = load_review(mini)
    assert review.sef is None
    assert self_evaluation(review).html.strip() == ""
    assert "self-evaluation</h2>" not in build_letter(review)


def test_unknown_area_value_and_finding_are_located(mini: Path, edit_params: EditParams) -> None:
    _with_sef(mini, edit_params, "Leadership and governance,Good,Good,Fine.,a1\n"
              "Short breaks,Good,maybe,,zz9\n"
              "Leadership and governance,Good,Good,Again.,\n")
    assert [str(e) for e in validate(mini)] == [
        "data/mini/sef.csv: row 3, column reasoning: empty: every area needs the peers' reasoning",
        "data/mini/sef.csv: row 3, column area: 'Short breaks' is not an area of this self-evaluation "
        "(Leadership and governance; Identification of needs; Assessment and EHC plans; Voice and co-production; "
        "Joint commissioning; Preparing for adulthood; Inclusion): use one of them, or list the area under "
        "self_evaluation.areas",
        "data/mini/sef.csv: row 3, column peer_judgement: 'maybe' is not a point of the scale "
        "(Outstanding, Good, Requires improvement, Inadequate): write one of them",
        "data/mini/sef.csv: row 3, column findings: 'zz9' is not the id of a finding of this review: write finding "
        "ids separated by ;, or delete it",
        "data/mini/sef.csv: row 4, column area: Leadership and governance is judged twice (first on row 2): keep one "
        "row per area",
    ]


def test_old_layout_and_bad_options_are_refused(mini: Path, edit_params: EditParams) -> None:
    (mini.parents[1] / "data/mini/sef.csv").write_text(
        "area,sef_judgement,peer_view,comment\nLeadership,Good,agree,\n", encoding="utf-8")
    edit_params(mini, lambda d: d["inputs"].update(sef="data/mini/sef.csv"))
    assert [str(e) for e in validate(mini)] == [
        "data/mini/sef.csv: row 1: this is the old SEF layout (sef_judgement, peer_view): use the columns "
        "area, area_judgement, peer_judgement, reasoning, findings (docs/inputs.md)"]
    edit_params(mini, lambda d: d.update(self_evaluation={"scale": ["Good", "Bad"]}))
    errors = [str(e) for e in validate(mini)]
    assert len(errors) == 1 and "mini.yaml: line 87, self_evaluation.scale: has 2 items but needs at least 4: add 2 more" in errors[0]


def test_reasoning_is_screened(mini: Path, edit_params: EditParams) -> None:
    _with_sef(mini, edit_params, "Inclusion,Good,Good,Seen in the plan of a pupil born 04/05/2015.,\n")
    errors = [str(e) for e in validate(mini)]
    assert len(errors) == 1 and "row 2, column reasoning: this looks like a date of birth" in errors[0]
    assert "04/05/2015" not in errors[0]


@pytest.mark.parametrize("params", DEMO_PARAMS, ids=[p.stem for p in DEMO_PARAMS])
def test_demo_sef_counts_match_the_file(params: Path) -> None:
    """The letter's counts against the SEF file read here independently, with the scale's order."""
    review = load_review(params)
    if review.sef is None or "sef" not in document_of(review).names:
        pytest.skip("this demo's style or inputs have no SEF section")
    scale = [s.lower() for s in review.params.self_evaluation.scale]
    with (review.root / review.params.inputs.sef).open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    rank = [(scale.index(r["area_judgement"].strip().lower()), scale.index(r["peer_judgement"].strip().lower()))
            for r in rows]
    same = sum(a == p for a, p in rank)
    over = sum(a < p for a, p in rank)
    under = sum(a > p for a, p in rank)
    text = BeautifulSoup(build_letter(review), "html.parser").find("section", id="sef").get_text(" ", strip=True)
    assert f"accurate in {number_words(same)} of {number_words(len(rows))} areas" in text
    if over:
        assert f"In {number_words(over)} {'area' if over == 1 else 'areas'} (" in text
    if under:
        assert "undersells" in text
    assert same + over + under == len(rows) >= 5
