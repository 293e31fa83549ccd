"""The synthetic review generator: repeatable bytes, realistic volumes, valid inputs."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.demo.reviews import FRAMEWORKS, generate
from toolkit.inputs.frameworks import load_framework
from toolkit.review import check, load_review


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 4, seed=9)
    generate(tmp_path / "b", 4, seed=9)
    generate(tmp_path / "c", 4, seed=10)
    a, b, c = tree(tmp_path / "a"), tree(tmp_path / "b"), tree(tmp_path / "c")
    assert a == b
    assert a != c


@pytest.mark.slow  # several processes for seconds
def test_volumes_and_validity(tmp_path: Path) -> None:
    project = generate(tmp_path, 8, seed=1)
    assert len(project.reviews) == 8 and len({r.review_id for r in project.reviews}) == 8
    shipped = {k.id for fw in FRAMEWORKS for k in load_framework(fw).kloes}
    has_audit = importlib.util.find_spec("toolkit.demo.auditsynth") is not None
    for r in project.reviews:
        review = load_review(r.params)  # every input validates
        assert 3 <= len(review.params.team) <= 5
        assert r.reviewers == len(review.params.team)
        assert 100 <= len(review.findings.all) <= 250 and len(review.findings.all) == r.findings
        assert set(review.scope.ids()) <= shipped
        checked = check(r.params)  # on a current framework, each scope item answered by its section
        assert not checked.errors and not [w for w in checked.warnings if (w.column or "").startswith("scope.")]
        assert review.params.authority.ons_code[3:6] == "009"  # the fictional code range
        assert len(review.params.inputs.findings) == len(review.params.team)
        if has_audit:
            assert 10 <= r.audit_plans <= 30
            with (tmp_path / str(review.params.inputs.audit)).open(encoding="utf-8") as fh:
                refs = {row["case_ref"] for row in csv.DictReader(fh)}
            assert len(refs) == r.audit_plans
        for rel in review.params.inputs.performance:
            assert (tmp_path / rel).is_file()


def test_without_colleague_generators(tmp_path: Path) -> None:
    project = generate(tmp_path, 2, seed=3, audit=False, performance=False)
    for r in project.reviews:
        review = load_review(r.params)
        assert review.params.inputs.audit is None and review.params.inputs.performance == []


def test_demo_command(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["demo", "--reviews", "2", "--out", str(tmp_path), "--seed", "4"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("2 reviews in ")
    assert len(list((tmp_path / "params").glob("*.yaml"))) == 2


@pytest.mark.parametrize("n", [1, 3])
def test_review_ids_are_slugs(tmp_path: Path, n: int) -> None:
    project = generate(tmp_path, n, seed=n)
    for r in project.reviews:
        assert r.params.name == f"{r.review_id}.yaml"
        assert r.review_id.replace("-", "").isalnum() and r.review_id == r.review_id.lower()


@pytest.mark.skipif(importlib.util.find_spec("toolkit.demo.synthdata") is None, reason="needs toolkit.demo.synthdata")
def test_more_reviews_than_fictional_authorities(tmp_path: Path) -> None:
    import toolkit.demo.synthdata as synth

    pool = len(list(synth.fictional_authorities(6)))
    project = generate(tmp_path, pool + 2, seed=6, audit=False)
    assert len({r.review_id for r in project.reviews}) == pool + 2
    for r in project.reviews[pool - 1:]:  # the last fresh authority, then two used again
        review = load_review(r.params)  # "no local authority matches" before the fix
        assert review.params.authority.ons_code[3:6] == "009"
