"""The letter's option plan_themes: the improvement-plan themes each KLOE's areas for consideration touch."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from support.paths import ROOT

from toolkit.analysis.plan_links import area_themes, themes_touched
from toolkit.inputs.findings import Kind
from toolkit.inputs.recommendations import Recommendation, Recommendations
from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review

FOLLOW_UP = ROOT / "params" / "harrowdene-2026.yaml"


def _restyled(review: Review, style: str) -> Review:
    return dataclasses.replace(review, params=review.params.model_copy(update={"letter_style": style}))


def _expected(review: Review) -> dict[str, list[str]]:
    """Per KLOE, the themes read straight from the plan file: those of the actions naming the KLOE,
    for each KLOE with an included area for consideration (not a headline)."""
    with (ROOT / review.params.inputs.improvement_plan).open(encoding="utf-8-sig") as fh:
        actions = list(csv.DictReader(fh))
    out: dict[str, list[str]] = {}
    for k in review.scope.kloes:
        if not review.findings.for_kloe(k.id, Kind.AREA):
            continue
        themes = list(dict.fromkeys(a["theme"] for a in actions if k.id in a["kloes"].split(";")))
        if themes:
            out[k.id] = themes
    return out


def _named(letter: str) -> dict[str, str]:
    soup = BeautifulSoup(letter, "html.parser")
    return {p["data-kloe"]: p.get_text() for p in soup.select("p.plan-themes")}


def _with_option(tmp_path: Path, value: bool) -> str:
    """The standard style with the option plan_themes set, as a style folder of the project's own."""
    style = tmp_path / f"themes-{value}"
    shutil.copytree(ROOT / "toolkit" / "styles" / "standard", style)
    doc = yaml.safe_load((style / "document.yaml").read_text(encoding="utf-8"))
    doc["options"]["plan_themes"] = value
    (style / "document.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return str(style)


def test_each_kloes_areas_name_the_plan_themes_they_touch(tmp_path: Path) -> None:
    review = _restyled(load_review(FOLLOW_UP), _with_option(tmp_path, True))
    expected = _expected(review)
    named = _named(build_letter(review))
    assert set(named) == set(expected) and len(named) >= 3
    for kloe, themes in expected.items():
        quoted = [f"‘{t}’" for t in themes]
        assert all(q in named[kloe] for q in quoted)
        assert ("themes" in named[kloe]) == (len(themes) > 1)
        section = BeautifulSoup(build_letter(review), "html.parser").find("section", id=f"kloe-{kloe}")
        assert section is not None and section.find("p", class_="plan-themes") is not None
    assert named["2025-leadership"] == ("These areas for consideration bear on your improvement plan's themes "
                                      "‘Leadership and governance’ and ‘Timeliness of EHC plans’.")


def test_analysis_links_areas_through_their_kloe() -> None:
    review = load_review(FOLLOW_UP)
    plan = review.improvement_plan
    linked = area_themes(review.findings.included, plan)
    assert linked and all(f.kind is Kind.AREA for f in review.findings.included if f.id in linked)
    strengths = [f for f in review.findings.included if f.kind is Kind.STRENGTH]
    assert area_themes(strengths, plan) == {} and themes_touched(strengths, plan) == ()
    assert themes_touched(review.findings.included, None) == ()


def test_the_option_off_or_no_plan_names_no_theme(tmp_path: Path) -> None:
    review = load_review(FOLLOW_UP)  # the standard style leaves the option off: a short letter stays short
    assert _named(build_letter(review)) == {}
    off = build_letter(_restyled(review, _with_option(tmp_path, False)))
    assert _named(off) == {} and "improvement plan's theme" not in off
    without_plan = dataclasses.replace(_restyled(review, _with_option(tmp_path, True)), improvement_plan=None)
    assert _named(build_letter(without_plan)) == {}


def test_west_midlands_names_them_under_its_recommendations() -> None:
    """Under each theme of the team's own recommendations that is a KLOE (the report form)."""
    review = _restyled(load_review(FOLLOW_UP), "west-midlands")
    recs = Recommendations(tuple(Recommendation(k.id, f"Do more on {k.title}.", (), "", None, n)
                                 for n, k in enumerate(review.scope.kloes, start=2)), "recommendations.csv")
    review = dataclasses.replace(review, recommendations=recs)
    soup = BeautifulSoup(build_letter(review), "html.parser")
    recs = soup.find("section", id="recommendations")
    assert recs is not None
    lines = {p["data-kloe"]: p.get_text() for p in recs.select("p.plan-themes")}
    assert set(lines) == set(_expected(review))
    assert all(t.startswith("In the area's improvement plan, ") for t in lines.values())
