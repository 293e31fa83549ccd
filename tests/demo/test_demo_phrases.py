"""Generated rounds say recurring things (issue 31, item 3): findings drawn from a few ideas per
KLOE, each written several ways, so the themes report has groups to find, and finds them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from toolkit.analysis.round_themes import themes_data
from toolkit.demo.reviews import FRAMEWORKS, generate, phrases
from toolkit.inputs.frameworks import load_framework
from toolkit.inputs.privacy import screen_text
from toolkit.round import load_round


def _idea_of() -> dict[str, tuple[str, str, int]]:
    """Each wording's idea: (KLOE, kind, idea number)."""
    return {text: (kloe, kind, n) for kloe, kinds in phrases().items() for kind, ideas in kinds.items()
            for n, idea in enumerate(ideas) for text in idea}


def test_every_shipped_kloe_has_ideas_each_worded_three_ways() -> None:
    shipped = {k.id for fw in FRAMEWORKS for k in load_framework(fw).kloes}
    assert set(phrases()) == shipped
    for kinds in phrases().values():
        assert set(kinds) == {"strength", "area"}
        for ideas in kinds.values():
            assert len(ideas) >= 3 and all(len(idea) == 3 and len(set(idea)) == 3 for idea in ideas)
    wordings = list(_idea_of())
    assert len(wordings) == len(set(wordings))  # no wording serves two ideas
    assert not [t for t in wordings if screen_text(t)]  # nothing the personal-data screen refuses


def test_generated_findings_are_the_ideas_of_their_kloe(tmp_path: Path) -> None:
    generate(tmp_path, 3, seed=5, audit=False, performance=False)
    ideas = _idea_of()
    rows = [row for p in sorted((tmp_path / "data").glob("*/findings_*.csv"))
            for row in csv.DictReader(p.open(encoding="utf-8"))]
    assert len(rows) >= 300
    for row in rows:
        kloe, kind, _ = ideas[row["statement"]]
        assert row["kloe"] in ("", kloe)  # a headline stands under no KLOE
        assert kind == ("strength" if row["kind"] == "strength" else "area")


@pytest.mark.slow  # loads a dozen reviews (seconds)
def test_a_generated_round_groups_each_idea_apart(tmp_path: Path) -> None:
    generate(tmp_path, 12, seed=31, audit=False, performance=False)
    data = themes_data(load_round([tmp_path / "params"], "generated"))
    ideas = _idea_of()
    assert len(data.groups) >= 20
    for group in data.groups:
        found = {ideas[f.statement] for f in group.findings}
        assert len(found) == 1, [f.statement for f in group.findings]  # one idea, said one or several ways
        assert len({f.review_id for f in group.findings}) == group.size >= 2
