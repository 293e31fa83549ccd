"""Refinement: near-duplicates across reviewers, and the team's choices written to each file."""

from __future__ import annotations

from pathlib import Path

from support.capture import copy_mini, draft, store_for

from toolkit.capture.refine import Refiner, move, side_by_side, similarity, suggest_merges, team_findings
from toolkit.capture.store import open_review
from toolkit.inputs.findings import read_findings_file


def _session(tmp_path: Path) -> Path:
    params_file = copy_mini(tmp_path)
    ruth, colin, lena = (store_for(params_file, n) for n in ("Ruth Adeyemi", "Colin Marsh", "Lena Duarte"))
    ruth.add(draft("Health visitors pick up speech and language delay early.", evidence=("interview",)))
    colin.add(draft("Speech and language delay is picked up early by health visitors.", evidence=("data",)))
    lena.add(draft("Parents wait too long for an autism assessment.", kind="area for consideration"))
    ruth.add(draft("Waiting lists for the autism pathway are long.", kind="area for consideration"))
    colin.add(draft("Health visitors pick up speech and language delay early.", kloe="lt-coproduction"))
    return params_file


def test_similarity_measures() -> None:
    j, r = similarity("Health visitors pick up delay early.", "health visitors pick up delay early")
    assert j == 1.0 and r > 0.9
    j, r = similarity("Plans are issued on time.", "Short breaks are hard to find.")
    assert j < 0.2 and r < 0.6


def test_near_duplicates_from_different_reviewers_on_the_same_kloe(tmp_path: Path) -> None:
    params_file = _session(tmp_path)
    params, _, root = open_review(params_file)
    found = team_findings(params, root)
    sugg = suggest_merges(found)
    pairs = [{s.first.reviewer, s.second.reviewer} for s in sugg]
    assert pairs == [{"Ruth Adeyemi", "Colin Marsh"}]  # same KLOE only; the autism pair is too different
    assert sugg[0].jaccard >= 0.5 and sugg[0].same_kind


def test_side_by_side_has_a_column_per_reviewer(tmp_path: Path) -> None:
    params_file = _session(tmp_path)
    params, _, root = open_review(params_file)
    frame = side_by_side(team_findings(params, root), "2016-identify", [m.name for m in params.team])
    assert list(frame.columns) == ["Ruth Adeyemi", "Colin Marsh", "Lena Duarte"]
    assert len(frame) == 2 and frame["Lena Duarte"][0].startswith("area for consideration: Parents wait")


def test_flags_merge_and_order_are_written_to_each_reviewers_file(tmp_path: Path) -> None:
    params_file = _session(tmp_path)
    params, scope, root = open_review(params_file)
    refiner = Refiner(params, scope, root)
    found = {f.statement: f for f in refiner.findings() if f.kloe == "2016-identify"}
    keep = found["Health visitors pick up speech and language delay early."]
    drop = found["Speech and language delay is picked up early by health visitors."]
    assert all(r.ok for r in refiner.merge(keep.id, [drop.id]))
    colin = store_for(params_file, "Colin Marsh")
    assert colin.get(drop.id).include is False  # type: ignore[union-attr]
    assert store_for(params_file, "Ruth Adeyemi").get(keep.id).evidence == ("interview", "data")  # type: ignore[union-attr]
    assert refiner.set_flags(keep.id, headline=True).ok
    autism = [f for f in refiner.findings() if f.kind == "area for consideration"]
    assert all(r.ok for r in refiner.reorder([autism[1].id, autism[0].id]))
    after = {f.id: f for f in refiner.findings()}
    assert (after[autism[1].id].order, after[autism[0].id].order) == (1, 2)
    assert all(r.ok for r in refiner.move(autism[0].id, -1))
    after = {f.id: f for f in refiner.findings()}
    assert (after[autism[0].id].order, after[autism[1].id].order) == (1, 2)
    for m in params.team:  # every file still reads cleanly as letter input
        store = store_for(params_file, m.name)
        _, errors = read_findings_file(store.findings_path, m.name, params, scope)
        assert errors == []


def test_move_stays_within_its_section(tmp_path: Path) -> None:
    params_file = _session(tmp_path)
    params, _, root = open_review(params_file)
    found = team_findings(params, root)
    areas = [f.id for f in found if f.kind == "area for consideration"]
    assert move(found, areas[0], +1) == [areas[1], areas[0]]
    assert move(found, areas[0], -5) == areas
