"""The anonymised round and the round file (issue 31): the same shape with only labels in it,
identifying figures held back, and ``round.json`` read back equal. No kernel."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from toolkit.analysis.anonymise import MINIMUM_AREAS
from toolkit.analysis.round_anonymise import anonymise_round, hold_back
from toolkit.analysis.round_json import round_from_json, round_to_json
from toolkit.analysis.round_model import Round
from toolkit.analysis.round_themes import themes_data
from toolkit.round import load_reviews, read_round, round_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rounds() -> tuple[Round, Round]:
    reviews = load_reviews([ROOT / "params"])
    plain = round_of(reviews, "demo")
    return plain, anonymise_round(plain, [r.params for r in reversed(reviews)])


def test_the_round_file_reads_back_equal_and_the_same_bytes(rounds: tuple[Round, Round], tmp_path: Path) -> None:
    plain, anon = rounds
    for round_ in (plain, anon):
        text = round_to_json(round_)
        assert round_from_json(text) == dataclasses.replace(round_, aliases={})
        assert round_to_json(round_from_json(text)) == text
        (tmp_path / "round.json").write_text(text, encoding="utf-8")
        assert read_round(tmp_path / "round.json", [], None, "x") == dataclasses.replace(round_, aliases={})
    assert "aliases\":{}" in round_to_json(anon) and "Brindleford" not in round_to_json(anon)
    with pytest.raises(ValueError, match="not a round file"):
        round_from_json('{"format": 99}')


def test_reviews_come_in_label_order_with_labels_only(rounds: tuple[Round, Round]) -> None:
    plain, anon = rounds
    assert anon.anonymised and not plain.anonymised
    # which letter an area gets follows a key over the round's inputs, not the names: test the shape
    ids = [r.review_id for r in anon.reviews]
    assert ids == sorted(ids) and sorted({r.authority for r in anon.reviews}) == ["Area A", "Area B", "Area C"]
    pair = next(r.authority for r in anon.reviews if r.previous_review)  # Harrowdene, reviewed twice
    assert [i for i in ids if i.startswith(pair)] == [f"{pair} (1)", f"{pair} (2)"]
    follow_up = anon.review(f"{pair} (2)")
    assert follow_up.previous_review == f"{pair} (1)" and follow_up.authority == pair
    assert anon.aliases["harrowdene-2026"] == f"{pair} (2)"
    for r in anon.reviews:
        assert r.names == () and r.params_file == r.review_id and r.visit_start.month == 1
        assert all(f.review_id == r.review_id and f.id.startswith("f") for f in r.findings)
        assert all(a.code == "" and a.name == "" for i in r.indicators for a in i.authorities)
        assert all(p.id.startswith("p") for p in r.progress)
    assert anon.aliases["brindleford-2026"] == anon.aliases["Brindleford"]
    # the same findings, counted the same way: only their words changed
    for r in plain.reviews:
        again = anon.review(anon.aliases[r.review_id])
        assert [(f.kind, f.headline) for f in again.findings] == [(f.kind, f.headline) for f in r.findings]


def test_an_indicator_value_few_authorities_share_is_held_back(rounds: tuple[Round, Round]) -> None:
    plain, anon = rounds
    new_id = {r.review_id: anon.aliases[r.review_id] for r in plain.reviews}
    pairs = [(a, f) for r in plain.reviews
             for a, f in zip(anon.review(new_id[r.review_id]).indicators, r.indicators, strict=True)]
    assert pairs
    held = 0
    for anon_fig, fig in pairs:
        assert sorted(v.value for v in anon_fig.authorities) == sorted(v.value for v in fig.authorities)
        if fig.value is None:
            continue
        shared = sum(1 for v in fig.authorities if round(v.value, fig.decimals) == round(fig.value, fig.decimals))
        assert (anon_fig.value is None) == (shared < MINIMUM_AREAS), (fig.id, shared)
        held += anon_fig.value is None
    assert held  # the demo's figures include values only the area has


def test_figures_and_regions_that_would_narrow_an_area_down_are_held_back(rounds: tuple[Round, Round]) -> None:
    _, anon = rounds
    assert {r.region for r in anon.reviews} == {"held back"}  # three regions, none with three areas
    for r in anon.reviews:
        for f in r.flags:
            assert f.message.startswith("The finding disagreed with the area's")
            assert "%" not in f.message and not re.search(r"\d(st|nd|rd|th) of \d", f.message)  # no value, no rank


def test_hold_back_leaves_no_group_or_count_over_fewer_than_three_areas(rounds: tuple[Round, Round]) -> None:
    plain, anon = rounds
    full, shared = themes_data(plain), themes_data(anon)
    assert hold_back(full) == full and not full.withheld  # a named round is not touched
    area = {r.review_id: r.authority for r in anon.reviews}
    assert all(len({area[r] for r in g.review_ids}) >= MINIMUM_AREAS for g in shared.groups)
    assert len(shared.groups) < len(full.groups)
    scoped = {t.id: {r.authority for r in anon.reviews if t in r.themes} for r in anon.reviews for t in r.themes}
    assert all(len(scoped[t.theme.id]) >= MINIMUM_AREAS for t in shared.themes)
    for ind in shared.indicators:
        assert len({area[rid] for rid, f in ind.figures if f.value is not None}) >= MINIMUM_AREAS
    assert any("recurring groups" in line for line in shared.withheld)
