"""What real letters say, as parameters: regions by one spelling, counts with qualifiers, a
month-only date, team members' days, the coordinator's role, the address block, the opening."""

from __future__ import annotations

import csv
import dataclasses
import html as html_lib
import re
from pathlib import Path
from typing import Any

import pytest
from support.paths import DFE, EditParams, needs_shared

from toolkit.errors import ValidationFailed
from toolkit.inputs.params import load_params
from toolkit.inputs.params_letter import Region
from toolkit.letter.sections import render_fragment
from toolkit.review import Review, check, load_review
from toolkit.wording import canonical_region, english_regions, find_region, region_in_sentence

NINE = ["North East", "North West", "Yorkshire and the Humber", "East Midlands", "West Midlands", "East of England",
        "London", "South East", "South West"]
IN_SENTENCE = ["the North East", "the North West", "Yorkshire and the Humber", "the East Midlands",
               "the West Midlands", "the East of England", "London", "the South East", "the South West"]


def _errors(path: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as exc:
        load_params(path)
    return [str(e) for e in exc.value.errors]


def _text(html: str) -> str:
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip())


def test_the_nine_regions_have_one_spelling_and_their_article() -> None:
    assert [r.name for r in english_regions()] == NINE
    assert [r.in_sentence for r in english_regions()] == IN_SENTENCE
    assert [r.code for r in english_regions()] == [f"E1200000{n}" for n in range(1, 10)]


@pytest.mark.parametrize("variant, canonical", [
    ("Yorkshire and The Humber", "Yorkshire and the Humber"), ("Yorkshire and Humber Region", "Yorkshire and the Humber"),
    ("yorkshire & the humber", "Yorkshire and the Humber"), ("the North West", "North West"),
    ("North-West England", "North West"), ("NORTH EAST", "North East"), ("West Midlands Region", "West Midlands"),
    ("Eastern Region", "East of England"), ("East of England", "East of England"), ("Greater London", "London"),
    ("South East region", "South East"), ("the South West", "South West"), ("East Midlands", "East Midlands"),
])
def test_common_variants_resolve(variant: str, canonical: str) -> None:
    assert canonical_region(variant) == canonical
    assert region_in_sentence(variant) == IN_SENTENCE[NINE.index(canonical)]


def test_names_that_are_no_english_region_stay_as_given() -> None:
    for name in ("Wales", "Scotland", "Inner London West", "Midlands", ""):
        assert find_region(name) is None
    assert region_in_sentence("Wales") == "Wales"


@needs_shared()
def test_every_authority_in_dfe_lookup_has_a_canonical_region() -> None:
    """Every English authority in DfE's published lookup sits in one of the nine, by its spelling."""
    with (DFE / "region_la_hierarchy.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["region_code"].startswith("E12")]
    assert len(rows) > 140
    for r in rows:
        region = find_region(r["region_name"])
        assert region is not None and region.code == r["region_code"], (r["la_name"], r["region_name"])


def test_region_and_label_are_one_region_written_canonically(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: (d["region"].update(name="yorkshire & the humber", code="E12000003"),
                                 d["programme"].update(region_label="Yorkshire and Humber Region")))
    p = load_params(mini)
    assert p.region.name == p.programme.region_label == "Yorkshire and the Humber"
    assert p.region.in_sentence == "Yorkshire and the Humber"


def test_unknown_region_refused_with_file_and_line(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d["region"].update(name="Midlands and Shires"))
    errs = _errors(mini)
    line = next(i for i, text in enumerate(mini.read_text().splitlines(), start=1) if "Midlands and Shires" in text)
    assert any(e.endswith(f"mini.yaml: line {line}, region.name: 'Midlands and Shires' is not an English region: "
                          "write one of North East, North West, Yorkshire and the Humber, East Midlands, West "
                          "Midlands, East of England, London, South East, South West") for e in errs), errs


def test_label_naming_another_region_refused(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d["programme"].update(region_label="North West"))
    errs = _errors(mini)
    assert len(errs) == 1 and "programme.region_label: names North West, but region.name is East of England" in errs[0]
    assert re.search(r"mini\.yaml: line \d+, programme\.region_label", errs[0])


def test_region_code_must_be_the_regions(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d["region"].update(code="E12000002"))
    assert any("region code 'E12000002' is not the code of East of England (E12000006)" in e for e in _errors(mini))


@pytest.mark.parametrize("given, shown", [(50, "50"), ("over 50", "over 50"), ({"number": 130, "qualifier": "nearly"},
                                                                              "nearly 130"), ("about 1,200", "about 1,200")])
def test_people_met_with_a_qualifier(mini: Path, edit_params: EditParams, given: Any, shown: str) -> None:
    edit_params(mini, lambda d: d.update(people_met=given))
    review = load_review(mini)
    assert f"the team met {shown} people" in _text(render_fragment(review, "process", "process.html.j2").html)


def test_bad_counts_refused_in_one_line(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d.update(people_met="lots of", findings_recorded={"number": 5, "qualifier": "umpteen"}))
    errs = _errors(mini)
    assert any("people_met: 'lots of' is not a count: write a number (50), or a qualifier and a number" in e
               for e in errs), errs
    assert any("findings_recorded.qualifier:" in e for e in errs), errs


def test_recorded_total_overrides_the_rows(mini: Path, edit_params: EditParams) -> None:
    before = _text(render_fragment(load_review(mini), "process", "process.html.j2").html)
    assert re.search(r"In all the team recorded (\d+|[a-z]+) strengths", before)
    edit_params(mini, lambda d: d.update(findings_recorded="over 130"))
    after = _text(render_fragment(load_review(mini), "process", "process.html.j2").html)
    assert "In all the team recorded over 130 strengths and areas for consideration" in after


@pytest.mark.parametrize("given", ["February 2026", "2026-02", "february 2026"])
def test_month_only_letter_date(mini: Path, edit_params: EditParams, given: str) -> None:
    edit_params(mini, lambda d: d.update(letter_date=given))
    review = load_review(mini)
    html = render_fragment(review, "opening", "opening.html.j2").html
    assert '<p class="letter-date">February 2026</p>' in html
    assert review.params.letter_day.isoformat() == "2026-02-01"


def test_month_only_date_before_the_presentation_refused(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d.update(letter_date="January 2026"))
    assert any("letter_date: the letter cannot be dated before the presentation" in e for e in _errors(mini))
    edit_params(mini, lambda d: d.update(letter_date="Febtober 2026"))
    assert any("letter_date: not a date: write dates as YYYY-MM-DD (such as 2026-02-10), or a month only" in e
               for e in _errors(mini))


def test_team_days_as_numbers_include_the_presentation(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: (d["team"][0].update(days=["1", 3]), d["team"][2].update(days=[2])))
    review = load_review(mini)
    p = review.params
    assert [d.isoformat() for d in p.team[0].days or []] == ["2026-02-03", "2026-02-05"]
    assert [d.isoformat() for d in p.team[2].days or []] == ["2026-02-04"]
    assert p.day_numbers(p.team[2]) == [2] and p.day_numbers(p.team[1]) == []
    text = _text(render_fragment(review, "process", "process.html.j2").html)
    m1, m2 = p.team[1], p.team[2]
    assert (f"The other members of the team were {m1.name} ({m1.role}, {m1.organisation}) and, on day 2, {m2.name} "
            f"({m2.role}, {m2.organisation}).") in text
    edit_params(mini, lambda d: d["team"][1].update(days=[1, 3]))
    text = _text(render_fragment(load_review(mini), "process", "process.html.j2").html)
    assert (f"The other members of the team were, on days 1 and 3, {m1.name} ({m1.role}, {m1.organisation}) and, "
            f"on day 2, {m2.name} ") in text


def test_team_days_outside_the_visit_refused_with_line(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d["team"][1].update(days=[4, "2026-03-01", "2026-02-04"]))
    errs = _errors(mini)
    assert len(errs) == 2, errs
    assert re.search(r"mini\.yaml: line \d+, team\[2\]\.days\[1\]: day 4 is not a day of the visit \(it has 3, the "
                     r"presentation included\)", errs[0]), errs
    assert re.search(r"line \d+, team\[2\]\.days\[2\]: '2026-03-01' is not a day of the visit: give a day number "
                     r"\(1 to 3\) or one of the dates 2026-02-03, 2026-02-04, 2026-02-05", errs[1]), errs
    assert not any("datetime" in e for e in errs)


def test_coordinator_role_and_no_address_block(mini: Path, edit_params: EditParams) -> None:
    def change(d: dict[str, Any]) -> None:
        d["coordinator"]["role"] = "Regional Programme Manager"
        d["recipient"] = {"name": d["recipient"]["name"], "salutation": d["recipient"]["salutation"]}
    edit_params(mini, change)
    review = load_review(mini)
    c = review.params.coordinator
    process = _text(render_fragment(review, "process", "process.html.j2").html)
    assert f"managed and coordinated by {c.name}, Regional Programme Manager, {c.organisation}." in process
    opening = render_fragment(review, "opening", "opening.html.j2").html
    assert "<address" not in opening
    assert opening.index('class="letter-date"') < opening.index(review.params.recipient.salutation)


def test_address_block_with_organisation_only(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d["recipient"].pop("role"))
    r = load_review(mini).params.recipient
    html = render_fragment(load_review(mini), "opening", "opening.html.j2").html
    assert f'<address class="address">\n{r.name}<br>\n{r.organisation}\n</address>' in html


def _opening(review: Review, **programme: Any) -> str:
    params = review.params.model_copy(update={"programme": review.params.programme.model_copy(update=programme)})
    return _text(render_fragment(dataclasses.replace(review, params=params), "opening", "opening.html.j2").html)


def test_programme_counters_read_naturally(mini: Path) -> None:
    review = load_review(mini)
    name = review.params.authority.name
    both = _opening(review, name="SEND Peer Review", sequence=14, authority_sequence=3, theme="SEND",
                    theme_sequence=14)
    assert f"the fourteenth East of England SEND Peer Review activity, the third to take place in {name}." in both
    assert "fourteenth with SEND" not in both
    other = _opening(review, name="Children's Services Peer Challenge", sequence=14, authority_sequence=None,
                     theme="SEND", theme_sequence=14)
    assert ("the fourteenth East of England Children's Services Peer Challenge activity; every activity of the "
            "programme so far has had SEND as its focus.") in other
    plain = _opening(review, sequence=32, authority_sequence=3, theme="SEND", theme_sequence=6)
    assert f"activity, the third to take place in {name} and the sixth with SEND as its focus." in plain


@pytest.mark.parametrize("wording, expected", [
    ("in the region", "the twenty-first Children's Services Peer Challenge activity in the region,"),
    ("in the named region", "the twenty-first Children's Services Peer Challenge activity in the East of England,"),
    ("none", "the twenty-first Children's Services Peer Challenge activity,"),
    ("label", "the twenty-first East of England Children's Services Peer Challenge activity,"),
])
def test_programme_region_wording(mini: Path, wording: str, expected: str) -> None:
    assert expected in _opening(load_review(mini), region_wording=wording)


def test_every_region_reads_with_its_article(mini: Path) -> None:
    """The opening's label and the purpose's sentence, over the nine regions."""
    review = load_review(mini)
    for name, in_sentence in zip(NINE, IN_SENTENCE, strict=True):
        region = Region(name=name)
        params = review.params.model_copy(update={
            "region": region, "programme": review.params.programme.model_copy(update={"region_label": name}),
            "letter_style": "west-midlands"})  # the report style has the purpose section
        r = dataclasses.replace(review, params=params)
        assert f"twenty-first {name} Children's Services" in _text(
            render_fragment(r, "opening", "opening.html.j2").html)
        assert f"partners in {in_sentence} who take part" in _text(
            render_fragment(r, "purpose", "purpose.html.j2").html)


def test_opening_thanks_and_welcome_are_inputs(mini: Path, edit_params: EditParams) -> None:
    default = _text(render_fragment(load_review(mini), "opening", "opening.html.j2").html)
    assert "Thank you for hosting the twenty-first" in default
    assert "We were made welcome throughout" in default
    edit_params(mini, lambda d: d.update(opening={"thanks": "Thank you for taking part in",
                                                  "welcome": "Colleagues in Fenwick Cross were generous with time."}))
    own = _text(render_fragment(load_review(mini), "opening", "opening.html.j2").html)
    assert "Thank you for taking part in the twenty-first" in own
    assert "Colleagues in Fenwick Cross were generous with time." in own
    assert "We were made welcome throughout" not in own
    assert not check(mini).errors


def test_performance_sentences_name_the_region_with_its_article(
        mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    """"better than England (...) and the North West (...)": every region; a count is never set
    beside other authorities' figures, in any region."""
    from toolkit.letter.performance_sentences import comparison_sentence

    review = load_review(mini_perf[0])
    assert review.performance is not None
    comps = [c for c in review.performance.with_values if c.region is not None]
    rate = next(c for c in comps if c.indicator.unit != "count")
    count = next(c for c in comps if c.indicator.unit == "count")
    for name, in_sentence in zip(NINE, IN_SENTENCE, strict=True):
        for comp in (rate, count):
            area = dataclasses.replace(comp.area, region_name=name)
            text = comparison_sentence(dataclasses.replace(comp, area=area))
            if comp is rate:
                assert re.search(rf"(than|as|above|below) {re.escape(in_sentence)} \(", text), text
            else:
                assert "average local authority" not in text and in_sentence not in text, text


AUTHORITY_NAMES = ["Kingston upon Hull, City of", "King's Lynn and West Norfolk", "St. Helens", "Brighton & Hove",
                   "Herefordshire, County of", "Isles of Scilly", "City of London", "Telford and Wrekin",
                   "Bournemouth, Christchurch and Poole", "Durham"]


def test_authority_names_read_and_escape(mini: Path) -> None:
    review = load_review(mini)
    for name in AUTHORITY_NAMES:
        params = review.params.model_copy(update={"authority": review.params.authority.model_copy(
            update={"name": name})})
        html = render_fragment(dataclasses.replace(review, params=params), "opening", "opening.html.j2").html
        assert "&" not in name or "&amp;" in html
        text = _text(html)
        assert f"the second to take place in {name} and the fourth with SEND as its focus." in text
        assert f"Children's Services Peer Challenge: {name}, February 2026" in text
