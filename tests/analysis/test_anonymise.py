"""The anonymiser (issue 31, item 2): names collected from the parameters and the findings, each
replaced in a stable order; figures that would identify an area held back. No kernel."""

from __future__ import annotations

import re

import pytest
from support.names import DEMO_PARAMS, independent_names, strings
from support.paths import ROOT

from toolkit.analysis.anonymise import (
    MINIMUM_AREAS,
    Anonymiser,
    ReviewText,
    area_labels,
    build_anonymiser,
    label,
    round_anonymiser,
    round_key,
)
from toolkit.analysis.area_names import AreaNames, distinctive_words, names_from_params, shipped_ordinary_words
from toolkit.analysis.disclosure import areas_spanned, identifying_values, safe_values, shown_groups
from toolkit.inputs.params import ReviewParams, load_params
from toolkit.review import load_review


@pytest.fixture(scope="module")
def demo_round() -> list[ReviewText]:
    reviews = [load_review(p) for p in DEMO_PARAMS]
    return [ReviewText(r.params, tuple(t for f in r.findings.all for t in (f.statement, f.detail) if t))
            for r in reviews]


def test_labels_run_past_z() -> None:
    assert [label(n) for n in (0, 1, 25, 26, 27, 51, 52)] == [
        "Area A", "Area B", "Area Z", "Area AA", "Area AB", "Area AZ", "Area BA"]


def test_labels_follow_the_key_not_the_input_order_nor_the_names() -> None:
    areas = [load_params(p) for p in DEMO_PARAMS]
    names = [names_from_params(p) for p in areas]
    key = round_key(p.model_dump_json() for p in areas)
    assert round_key(p.model_dump_json() for p in reversed(areas)) == key
    labels = area_labels(names, key)
    assert area_labels(list(reversed(names)), key) == labels
    assert sorted(labels.values()) == ["Area A", "Area B", "Area C"]  # harrowdene twice: one area
    # Another round (another key) orders the same areas differently for at least one key.
    orders = {tuple(sorted(area_labels(names, round_key([str(n)])).items())) for n in range(8)}
    assert len(orders) > 1


def test_follow_up_shares_its_areas_label(demo_round: list[ReviewText]) -> None:
    an = round_anonymiser(demo_round)
    assert an.label_of("harrowdene-2025") == an.label_of("harrowdene-2026")
    assert an.text("harrowdene-2025") == an.label_of("harrowdene-2025")


def test_no_name_of_the_parameters_survives_in_the_findings(demo_round: list[ReviewText]) -> None:
    an = round_anonymiser(demo_round)
    names = set().union(*(independent_names(p) for p in DEMO_PARAMS))
    assert {"Brindleford", "Stallbridge", "Fairclough", "Qureshi", "Kestrelmoor", "Fernhill"} <= names
    for review in demo_round:
        for text in review.texts:
            out = an.text(text)
            left = [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", out, re.I)]
            assert not left, (text, out, left)


def test_parameters_text_is_anonymised_too(demo_round: list[ReviewText]) -> None:
    an = round_anonymiser(demo_round)
    for review, path in zip(demo_round, DEMO_PARAMS, strict=True):
        dumped = " ".join(strings(review.params.model_dump(mode="json", exclude={"inputs"})))
        out = an.text(dumped)
        left = [n for n in independent_names(path) if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", out)]
        assert not left, (path.name, left)


def _area(review_id: str, code: str, authority: str, people: tuple[str, ...] = (),
          places: tuple[str, ...] = ()) -> AreaNames:
    return AreaNames(review_id, code, authority, (authority, f"{authority} Council"), people, places)


def _two() -> Anonymiser:
    return build_anonymiser([_area("reading-2026", "E06000038", "Reading", ("Sam Okoro", "Okoro", "Sam"),
                                   ("Kennet Hub", "Kennet")),
                             _area("oakfield-2026", "E06000999", "Oakfield", (), ("Brook Lane School",))],
                            "k", ordinary=frozenset({"reading"}))


def test_whole_words_longest_first_and_case_of_single_words() -> None:
    an = _two()
    a, b = an.label_of("reading-2026"), an.label_of("oakfield-2026")
    assert an.text("Reading Council met Sam Okoro at the Kennet Hub.") == f"{a} met [a person] at the [a place in {a}]."
    assert an.text("reading plans in Reading") == f"reading plans in {a}"  # the ordinary word is left alone
    assert an.text("READING and OAKFIELD's schools") == f"{a} and {b}'s schools"
    assert an.text("Oakfields and Kenneth") == "Oakfields and Kenneth"  # whole words only
    assert an.text("kennet hub staff") == f"[a place in {a}] staff"  # a phrase in any case
    assert an.text("Brook  Lane\nSchool") == f"[a place in {b}]"  # any spacing
    assert an.text("Sam said so.") == "[a person] said so."


def test_replacement_opens_a_sentence_with_a_capital() -> None:
    an = _two()
    assert an.text("Kennet Hub is busy. Kennet Hub is new.") == \
        f"[a place in {an.label_of('reading-2026')}] is busy. [a place in {an.label_of('reading-2026')}] is new."
    person = build_anonymiser([_area("x-1", "E06000001", "Xby", (), ())], "k",
                              others=("Regional Alliance",)).text("Regional Alliance met.")
    assert person == "[a named organisation] met."


def test_deep_anonymises_keys_and_nested_values() -> None:
    an = _two()
    a = an.label_of("reading-2026")
    assert an.deep({"Reading": ["Sam", ("Kennet", 3)]}) == {a: ["[a person]", (f"[a place in {a}]", 3)]}


def test_distinctive_words_skip_ordinary_and_sentence_openers() -> None:
    ordinary = shipped_ordinary_words()
    text = "Listening to families in Stallbridge matters. Stallbridge parents agreed. Developing plans"
    assert distinctive_words(text, ordinary) == ["Stallbridge"]
    assert distinctive_words("Corrowby Council", ordinary) == []
    assert distinctive_words("Corrowby Council", ordinary, name=True) == ["Corrowby"]
    assert distinctive_words("SENCOs and EHCPs at Fernhill", ordinary) == ["Fernhill"]


def test_people_in_findings_are_found_by_the_screen_and_titles(demo_round: list[ReviewText]) -> None:
    params = demo_round[0].params
    extra = ReviewText(params, ("Mrs Ngozi, SENCo, told us about Oliver's plan.", "Ask Dr Whitcombe about it."))
    an = round_anonymiser([extra, *demo_round[1:]])
    out = an.text("Mrs Ngozi, SENCo, told us about Oliver's plan. Ask Dr Whitcombe about it.")
    assert "Ngozi" not in out and "Oliver" not in out and "Whitcombe" not in out


def test_params_names_by_kind() -> None:
    params: ReviewParams = load_params(ROOT / "params" / "brindleford-2026.yaml")
    names = names_from_params(params)
    assert names.authority == "Brindleford" and "Brindleford County Council" in names.authority_names
    assert {"Helen Fairclough", "Fairclough", "Ms Fairclough", "Mark"} <= set(names.people)
    assert {"Stallbridge", "Fernhill Special School", "Ashthorpe"} <= set(names.places)
    assert "Midlands" not in names.places and "West" not in names.places  # the region is not a name
    assert not {"Director", "Designated", "Officer"} & set(names.places)  # job titles are not names


def test_groups_spanning_fewer_than_three_areas_are_held_back() -> None:
    labels = {"a-1": "Area A", "a-2": "Area A", "b-1": "Area B", "c-1": "Area C"}
    assert MINIMUM_AREAS == 3
    assert areas_spanned(["a-1", "a-2", "b-1"], labels) == 2
    kept, held = shown_groups(["g0", "g1", "g2"], {0: ["a-1", "a-2", "b-1"], 1: ["a-1", "b-1", "c-1"]}, labels)
    assert kept == ["g1"] and held == 2


def test_values_fewer_than_three_authorities_share_are_held_back() -> None:
    population = [50.0, 50.0, 50.0, 61.2, 70.04, 70.0, 44.4, 44.4]
    reviewed = {"Area A": 50.0, "Area B": 61.2, "Area C": 44.4}
    assert identifying_values(reviewed, population) == {"Area B", "Area C"}
    assert safe_values(reviewed, population) == {"Area A": 50.0}
    assert identifying_values({"Area D": 70.0}, population) == {"Area D"}  # 70.04 and 70.0: two at 1 dp
