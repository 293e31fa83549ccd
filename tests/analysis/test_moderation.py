"""Moderation: agreement and linear-weighted kappa checked against an independent calculation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from toolkit.analysis.moderation import linear_weighted_kappa, moderate, moderation_pairs
from toolkit.inputs.audit import read_audit
from toolkit.inputs.audit_grades import grade_plan

ROOT = Path(__file__).resolve().parents[2]
DEMOS = [ROOT / "data/kestrelmoor-2026/audit.csv", ROOT / "data/harrowdene-2026/audit.xlsx",
         ROOT / "data/brindleford-2026/audit.csv"]
BASE = {"phase": "KS2", "year_group": "5", "primary_need": "SLCN", "setting_type": "special",
        "plan_stage": "annual review", "notes": ""}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows([{c: r.get(c, "") for c in columns} for r in rows])
    return path


@pytest.mark.parametrize("path", DEMOS, ids=lambda p: p.parent.name)
def test_kappa_and_agreement_match_sklearn_on_demo_samples(path: Path) -> None:
    data = read_audit(path)
    result = moderate(data)
    assert 3 <= result.plans <= 5
    # Independent pairs of section grades: both auditors' grades for every section both graded.
    a: list[int] = []
    b: list[int] = []
    for pair in moderation_pairs(data):
        ga = grade_plan(pair.first, data.framework).section_grades
        gb = grade_plan(pair.second, data.framework).section_grades
        for code in sorted(set(ga) & set(gb)):
            a.append(ga[code])
            b.append(gb[code])
    assert sorted(result.section_grade_pairs) == sorted(zip(a, b, strict=True))
    expected = cohen_kappa_score(a, b, weights="linear", labels=[1, 2, 3, 4])
    assert result.kappa == pytest.approx(expected, abs=1e-12)
    assert result.exact_agreement == pytest.approx(100 * sum(x == y for x, y in zip(a, b, strict=True)) / len(a))


@pytest.mark.parametrize("a,b", [
    ([1, 2, 3, 4, 4, 3], [1, 2, 4, 4, 3, 3]),
    ([2, 2, 3, 3, 3], [3, 2, 3, 3, 2]),        # categories 1 and 4 unused: distances stay on 1-4
    ([1, 4, 1, 4], [4, 1, 4, 1]),              # complete disagreement
])
def test_kappa_matches_sklearn_with_fixed_categories(a: list[int], b: list[int]) -> None:
    assert linear_weighted_kappa(a, b) == pytest.approx(
        cohen_kappa_score(a, b, weights="linear", labels=[1, 2, 3, 4]), abs=1e-12)


def test_kappa_is_undefined_without_spread() -> None:
    assert linear_weighted_kappa([3, 3], [3, 3]) is None
    assert linear_weighted_kappa([], []) is None


def test_per_criterion_agreement_and_disagreements(tmp_path: Path) -> None:
    rows = [
        dict(BASE, case_ref="MOD-01", auditor="Priya Raman", a1="y", a2="y", a3="n", a4="y", e4="n/a"),
        dict(BASE, case_ref="MOD-01", auditor="Gareth Holloway", a1="y", a2="n", a3="n", a4="y", e4=""),
        dict(BASE, case_ref="MOD-02", auditor="Gareth Holloway", a1="n", a2="y", a3="y", a4="y", e4="y"),
        dict(BASE, case_ref="MOD-02", auditor="Joanne Pickering", a1="y", a2="y", a3="y", a4="y", e4="n/a"),
        dict(BASE, case_ref="MOD-03", auditor="Joanne Pickering", a1="y", a2="y", a3="y", a4="y", e4="y"),
    ]
    data = read_audit(write_csv(tmp_path / "mod.csv", rows))
    result = moderate(data)
    assert result.plans == 2
    agreement = {c.criterion_id: (c.agreed, c.compared) for c in result.criteria if c.compared}
    # a1: MOD-01 y/y agree, MOD-02 n/y differ; a2: y/n differ, y/y agree; a3, a4 agree twice;
    # e4: both n/a on MOD-01 (not compared), y/n/a on MOD-02 (differ).
    assert agreement == {"a1": (1, 2), "a2": (1, 2), "a3": (2, 2), "a4": (2, 2), "e4": (0, 1)}
    # Section A, MOD-01: first (2+1+0+1)/5 = 0.8 -> 3; second (2+0+0+1)/5 = 0.6 -> 2.
    # MOD-02: first (0+1+1+1)/5 = 0.6 -> 2; second 5/5 -> 4. Section E, MOD-02: first e4 met, one check -> 3 (min_checks);
    # second has no applicable E criterion -> not graded.
    found = {(d.case_ref, d.level, d.item, d.value_a, d.value_b) for d in result.disagreements}
    assert found == {
        ("MOD-01", "criterion", "a2", "met", "not met"),
        ("MOD-01", "section", "A", "3", "2"),
        ("MOD-02", "criterion", "a1", "not met", "met"),
        ("MOD-02", "criterion", "e4", "met", "n/a"),
        ("MOD-02", "section", "A", "2", "4"),
        ("MOD-02", "section", "E", "3", "not graded"),
    }
    assert result.section_grade_pairs == ((3, 2), (2, 4))
    assert result.exact_agreement == 0.0


def test_agreed_row_counts_in_results_else_first_auditor(tmp_path: Path) -> None:
    rows = [
        dict(BASE, case_ref="MOD-01", auditor="Priya Raman", a1="n"),
        dict(BASE, case_ref="MOD-01", auditor="Gareth Holloway", a1="y"),
        dict(BASE, case_ref="MOD-01", auditor="Priya Raman", a1="y", moderation="agreed"),
        dict(BASE, case_ref="MOD-02", auditor="Gareth Holloway", a1="n"),
        dict(BASE, case_ref="MOD-02", auditor="Priya Raman", a1="y"),
    ]
    data = read_audit(write_csv(tmp_path / "mod.csv", rows))
    chosen = {p.case_ref: (p.row, p.values["a1"]) for p in data.plans}
    assert chosen == {"MOD-01": (4, "met"), "MOD-02": (5, "not met")}
    assert moderate(data).plans == 2  # the agreed row is not a third opinion


def test_two_agreed_rows_are_refused(tmp_path: Path) -> None:
    rows = [dict(BASE, case_ref="MOD-01", auditor="Priya Raman", a1="n", moderation="agreed"),
            dict(BASE, case_ref="MOD-01", auditor="Gareth Holloway", a1="y", moderation="agreed"),
            dict(BASE, case_ref="MOD-01", auditor="Gareth Holloway", a1="y")]
    f = write_csv(tmp_path / "mod.csv", rows)
    from toolkit.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        read_audit(f)
    assert [str(e) for e in exc.value.errors] == [
        f"{f.as_posix()}: row 3, column moderation: a second agreed row for this plan (first on row 2): keep one agreed row per plan"]


# --- an agreed row needs the auditors' rows behind it -------------------------------------------


def test_an_agreed_row_with_no_auditor_rows_is_refused_at_load(tmp_path: Path) -> None:
    from toolkit.errors import ValidationFailed

    rows = [dict(BASE, case_ref="MOD-01", auditor="A. Auditor", a1="y"),
            dict(BASE, case_ref="MOD-02", auditor="Moderation", a1="y", moderation="agreed")]
    f = write_csv(tmp_path / "agreed.csv", rows)
    with pytest.raises(ValidationFailed) as exc:
        read_audit(f)
    [e] = exc.value.errors
    assert (e.file, e.row, e.column) == (f.as_posix(), 3, "moderation")
    assert "has none" in e.message


def test_case_references_are_case_insensitive(tmp_path: Path) -> None:
    rows = [dict(BASE, case_ref="MOD-01", auditor="A. Auditor", a1="y"),
            dict(BASE, case_ref="mod-01", auditor="B. Auditor", a1="n"),
            dict(BASE, case_ref="Mod-01", auditor="Moderation", a1="y", moderation="agreed")]
    data = read_audit(write_csv(tmp_path / "case.csv", rows))
    assert [p.case_ref for p in data.plans] == ["MOD-01"] and data.plans[0].agreed
    assert moderate(data).plans == 1


@pytest.mark.slow  # draft starts a kernel while it validates
def test_cli_draft_refuses_an_agreed_only_plan_with_exit_2(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    shutil.copytree(ROOT / "data/kestrelmoor-2026", tmp_path / "data/kestrelmoor-2026")
    (tmp_path / "params").mkdir()
    shutil.copy(ROOT / "params/kestrelmoor-2026.yaml", tmp_path / "params")
    audit = tmp_path / "data/kestrelmoor-2026/audit.csv"
    with audit.open(newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    row = dict(table[0], case_ref="KES-9999", moderation="agreed")
    write_csv(audit, [*table, row])
    done = subprocess.run([sys.executable, "-m", "toolkit.cli", "draft", "params/kestrelmoor-2026.yaml",
                           "--reports", str(tmp_path / "reports")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert f"row {len(table) + 2}, column moderation" in out and "audit.csv" in out
    assert "Traceback" not in out and "IndexError" not in out
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").rglob("*.html"))
