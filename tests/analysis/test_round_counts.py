"""The themes report's counts over the four demo reviews, against counts written here afresh with
pandas from the reviews as the letter loads them (not from the round model)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from support.paths import DEMO_PARAMS, ROOT

from toolkit.analysis.round_audit import missing_criteria, moderation, section_grades
from toolkit.analysis.round_counts import progress_counts, sef_accuracy, sef_by_area, theme_counts
from toolkit.analysis.round_model import Round
from toolkit.inputs.audit_framework import MET
from toolkit.inputs.audit_grades import criterion_status
from toolkit.review import Review, load_review
from toolkit.round import load_round, round_of


@pytest.fixture(scope="module")
def reviews() -> list[Review]:
    return [load_review(p) for p in DEMO_PARAMS]


@pytest.fixture(scope="module")
def round_(reviews: list[Review]) -> Round:
    return round_of(reviews, "demo")


def _findings(reviews: list[Review]) -> pd.DataFrame:
    rows = [{"review": r.review_id, "kloe": f.kloe, "kind": f.kind.value}
            for r in reviews for f in r.findings.all if f.include and not f.withdrawn and f.kloe]
    return pd.DataFrame(rows)


def test_theme_counts_match_pandas(reviews: list[Review], round_: Round) -> None:
    scope = pd.DataFrame([{"review": r.review_id, "kloe": k} for r in reviews for k in r.scope.ids()])
    in_scope = scope.groupby("kloe")["review"].nunique()
    found = _findings(reviews).groupby(["kloe", "kind"])["review"].nunique().unstack(fill_value=0)
    counted = {t.theme.id: t for t in theme_counts(round_)}
    assert set(counted) == set(in_scope.index)
    for kloe, n in in_scope.items():
        row = found.loc[kloe] if kloe in found.index else pd.Series(dtype=int)
        t = counted[str(kloe)]
        assert (t.reviews, t.strengths, t.areas, t.urgent) == (
            n, row.get("strength", 0), row.get("area for consideration", 0), row.get("urgent action", 0)), kloe
    assert sum(t.urgent for t in counted.values()) == 4  # Harrowdene 2025 and 2026: two themes each


def test_sef_accuracy_matches_pandas(reviews: list[Review], round_: Round) -> None:
    rows = pd.DataFrame([{"review": r.review_id, "area": j.area, "own": j.area_point, "peers": j.peer_point}
                         for r in reviews if r.sef for j in r.sef.judgements])
    rows["accuracy"] = "concur"
    rows.loc[rows["own"] < rows["peers"], "accuracy"] = "over"  # 0 is the best point of the scale
    rows.loc[rows["own"] > rows["peers"], "accuracy"] = "under"
    by_review = rows.groupby(["review", "accuracy"]).size().unstack(fill_value=0)
    for s in sef_accuracy(round_):
        expected = by_review.loc[s.review_id]
        assert (s.concur, s.over, s.under) == (expected.get("concur", 0), expected.get("over", 0),
                                               expected.get("under", 0))
    by_area = rows.groupby(["area", "accuracy"]).size().unstack(fill_value=0)
    for area, concur, over, under in sef_by_area(round_):
        expected = by_area.loc[area]
        assert (concur, over, under) == (expected.get("concur", 0), expected.get("over", 0), expected.get("under", 0))
    assert sum(s.over for s in sef_accuracy(round_)) == int((rows["accuracy"] == "over").sum()) > 0


def test_progress_matches_pandas(reviews: list[Review], round_: Round) -> None:
    rows = pd.DataFrame([{"review": r.review_id, "status": row.status.value if row.status else "not yet marked"}
                         for r in reviews for row in r.progress_rows()])
    expected = rows.groupby(["review", "status"]).size()
    (only,) = progress_counts(round_)
    assert (only.review_id, only.previous_review) == ("harrowdene-2026", "harrowdene-2025")
    assert {k: v for k, v in only.counts.items() if v} == {
        status: int(n) for (_, status), n in expected.loc[["harrowdene-2026"]].items()}
    assert sum(only.counts.values()) == len(reviews[2].progress_rows()) == 14


def _plan_criteria(reviews: list[Review]) -> Iterator[dict[str, object]]:
    for r in reviews:
        assert r.audit is not None
        for plan in r.audit.plans:
            for c in r.audit.framework.criteria:
                status = criterion_status(c, plan)
                if status is not None:
                    yield {"review": r.review_id, "criterion": c.id, "missing": status != MET}


def test_audit_across_the_round_matches_pandas(reviews: list[Review], round_: Round) -> None:
    rows = pd.DataFrame(list(_plan_criteria(reviews)))
    per = rows.groupby("criterion").agg(applicable=("missing", "size"), missing=("missing", "sum"),
                                        reviews=("review", "nunique"))
    top = missing_criteria(round_, 8)
    assert len(top) == 8
    for c in top:
        assert (c.applicable, c.missing, c.reviews) == tuple(per.loc[c.id]), c.id
    assert [c.missing for c in top] == sorted(per["missing"], reverse=True)[:8]
    plans = sum(len(r.audit.plans) for r in reviews if r.audit)
    for s in section_grades(round_):
        assert s.reviews == 4 and sum(s.grades.values()) <= plans
    pairs = {m.review_id: m.pairs for m in moderation(round_)}
    assert pairs == {r.review_id: sum(len({x.auditor.lower() for x in recs if not x.agreed}) > 1
                                      for recs in r.audit.by_case().values())
                     for r in reviews if r.audit}


def test_a_folder_and_its_files_give_the_same_round(round_: Round) -> None:
    from_folder = load_round([ROOT / "params"], "demo")
    assert from_folder == round_
    assert [r.review_id for r in from_folder.reviews] == [p.stem for p in DEMO_PARAMS]


def test_the_same_review_twice_is_refused(mini: Path) -> None:
    import shutil

    from toolkit.errors import ValidationFailed

    shutil.copyfile(mini, mini.with_name("mini-copy.yaml"))
    with pytest.raises(ValidationFailed) as caught:
        load_round([mini.parent], "twice")
    (line,) = [str(e) for e in caught.value.errors]
    # the files are read in name order: the second naming the review is the one refused
    assert line.startswith(f"{mini}: review_id: review 'mini-review' is already in this round (")
    assert line.endswith("mini-copy.yaml): name each review once")


def test_a_folder_without_parameters_is_one_line(tmp_path: Path) -> None:
    from toolkit.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        load_round([tmp_path, tmp_path / "missing.yaml"], "none")
    lines = [str(e) for e in caught.value.errors]
    assert len(lines) == 2
    assert "holds no review parameters files" in lines[0] and "no such file or folder" in lines[1]
