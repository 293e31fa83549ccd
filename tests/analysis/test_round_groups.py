"""Recurring findings over the four demo reviews: each group says one thing, counts a review once,
and the groups are the ones read and checked by hand (listed below with what they share)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from support.paths import ROOT

from toolkit.analysis.round_groups import recurring_groups
from toolkit.analysis.round_model import AREA, STRENGTH, URGENT, FindingGroup, Round
from toolkit.round import load_round

#: The demo round's groups, checked by hand: what every statement of the group is about (a pattern
#: each statement or its detail matches), and the findings, by review and id.
EXPECTED: list[tuple[str, str, set[tuple[str, str]]]] = [
    (STRENGTH, r"disagreements", {("brindleford-2026", "bri-hf-019"), ("harrowdene-2026", "har-lb-006"),
                                  ("kestrelmoor-2026", "findings_holloway-7")}),
    (STRENGTH, r"adult health services", {("harrowdene-2025", "h25-iq-005"), ("harrowdene-2026", "findings_qureshi-8"),
                                          ("kestrelmoor-2026", "kes-rm-007")}),
    (STRENGTH, r"panel", {("brindleford-2026", "bri-hf-004"), ("kestrelmoor-2026", "findings_holloway-2")}),
    (STRENGTH, r"high needs deficit", {("harrowdene-2025", "h25-go-007"), ("harrowdene-2026", "har-sk-008")}),
    (STRENGTH, r"designated clinical officer", {("harrowdene-2025", "h25-iq-001"), ("kestrelmoor-2026", "kes-rm-004")}),
    (STRENGTH, r"schools|SENCOs", {("harrowdene-2026", "findings_qureshi-7"), ("kestrelmoor-2026", "kes-pr-007")}),
    (STRENGTH, r"neurodevelopmental pathway", {("harrowdene-2026", "findings_qureshi-13"),
                                               ("kestrelmoor-2026", "kes-rm-001")}),
    (AREA, r"speech and language therapy", {("harrowdene-2025", "h25-iq-003"), ("harrowdene-2026", "findings_qureshi-6"),
                                            ("kestrelmoor-2026", "kes-rm-006")}),
    (AREA, r"timeliness of new (EHC )?plans", {("brindleford-2026", "bri-hf-003"), ("harrowdene-2026", "har-sk-004")}),
    (AREA, r"social, emotional and mental health", {("brindleford-2026", "findings_pryce-5"),
                                                    ("kestrelmoor-2026", "kes-rm-012")}),
    (AREA, r"personal budgets", {("brindleford-2026", "findings_pryce-6"), ("harrowdene-2026", "har-nf-011")}),
    (AREA, r"social care", {("brindleford-2026", "findings_pryce-14"), ("kestrelmoor-2026", "findings_holloway-4")}),
    (AREA, r"data|information", {("harrowdene-2025", "h25-go-006"), ("harrowdene-2026", "findings_qureshi-3")}),
    (AREA, r"part-time timetables", {("harrowdene-2025", "h25-go-008"), ("harrowdene-2026", "har-sk-009")}),
    (AREA, r"ordinarily available", {("harrowdene-2025", "h25-go-009"), ("kestrelmoor-2026", "kes-pr-003")}),
    (AREA, r"mainstream to special schools", {("harrowdene-2025", "h25-go-011"), ("harrowdene-2026", "har-sk-011")}),
    (AREA, r"Year 9", {("harrowdene-2025", "h25-go-012"), ("harrowdene-2026", "findings_qureshi-10")}),
    (AREA, r"what has changed because of what they said", {("harrowdene-2025", "h25-nf-003"),
                                                          ("harrowdene-2026", "har-nf-003")}),
    (AREA, r"leaving children's mental health services", {("harrowdene-2026", "findings_qureshi-9"),
                                                          ("kestrelmoor-2026", "kes-rm-008")}),
]


@pytest.fixture(scope="module")
def demo() -> Round:
    return load_round([ROOT / "params"], "demo")


@pytest.fixture(scope="module")
def groups(demo: Round) -> tuple[FindingGroup, ...]:
    return recurring_groups(demo)


def test_no_review_is_counted_twice_in_a_group(groups: tuple[FindingGroup, ...]) -> None:
    assert groups
    for g in groups:
        assert len(set(g.review_ids)) == g.size == len(g.findings) >= 2
        assert len({f.key for f in g.findings}) == g.size


def test_a_group_holds_one_kind_and_shows_its_own_findings(groups: tuple[FindingGroup, ...]) -> None:
    for g in groups:
        kinds = {f.kind for f in g.findings}
        assert kinds == {STRENGTH} if g.kind == STRENGTH else kinds <= {AREA, URGENT}
        assert 1 <= len(g.representatives) <= 3
        assert set(g.representatives) <= set(g.findings)
    assert [g.kind for g in groups] == sorted((g.kind for g in groups), key=[STRENGTH, AREA].index)
    sizes = [g.size for g in groups if g.kind == STRENGTH]
    assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("kind, about, members", EXPECTED, ids=[e[1] for e in EXPECTED])
def test_each_demo_group_says_one_thing(groups: tuple[FindingGroup, ...], kind: str, about: str,
                                        members: set[tuple[str, str]]) -> None:
    (group,) = [g for g in groups if {f.key for f in g.findings} & members]
    assert {f.key for f in group.findings} == members
    assert group.kind == kind
    for f in group.findings:
        assert re.search(about, f.text, re.I), f"{f.key}: {f.statement}"


def test_the_demo_groups_are_all_checked_by_hand(groups: tuple[FindingGroup, ...]) -> None:
    assert sorted(frozenset(f.key for f in g.findings) for g in groups) == sorted(
        frozenset(m) for _, _, m in EXPECTED)


def test_grouping_does_not_depend_on_the_order_of_the_reviews(demo: Round, groups: tuple[FindingGroup, ...]) -> None:
    turned = dataclasses.replace(demo, reviews=tuple(reversed(demo.reviews)))
    assert {frozenset(f.key for f in g.findings) for g in recurring_groups(turned)} == {
        frozenset(f.key for f in g.findings) for g in groups}
    assert recurring_groups(demo) == groups  # the same round, the same groups


def test_a_review_saying_one_thing_twice_is_one_member(demo: Round) -> None:
    # Brindleford says twice that disagreements are settled early (bri-hf-019, and mediation in
    # another finding); the group keeps one of them.
    brindleford = demo.review("brindleford-2026")
    twice = [f for f in brindleford.findings if re.search(r"tribunal|mediation", f.statement, re.I)]
    assert len(twice) >= 2
    (group,) = [g for g in recurring_groups(demo) if ("brindleford-2026", "bri-hf-019") in {f.key for f in g.findings}]
    assert group.review_ids.count("brindleford-2026") == 1


def test_names_do_not_join_findings(demo: Round) -> None:
    # Two findings of different reviews sharing only an authority's name are not grouped.
    one, two = demo.reviews[0], demo.reviews[3]
    same = dataclasses.replace(one.findings[0], statement=f"{two.authority} {one.authority} panel", detail="")
    other = dataclasses.replace(two.findings[0], statement=f"{one.authority} {two.authority} budget", detail="",
                                kind=same.kind)
    small = Round("names", (dataclasses.replace(one, findings=(same,)), dataclasses.replace(two, findings=(other,))))
    assert recurring_groups(small) == ()
