"""EHCP sample audit: grades derived by the documented rule, input validation, results, letter."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from toolkit.errors import ValidationFailed
from toolkit.inputs.audit import read_audit
from toolkit.inputs.audit_framework import load_audit_framework
from toolkit.inputs.audit_grades import AuditData, grade_from_share, grade_plan
from toolkit.letter.audit import (
    GRADE_COLOURS,
    TIMELY_COLOURS,
    audit_charts,
    audit_results,
    blank_entries_table,
    build_audit_section,
    grades_by_group_table,
    group_chart,
    most_unmet_table,
    render_audit_section,
    summarise_for_letter,
    timeliness_chart,
    timeliness_table,
)
from toolkit.wording import number_words

ROOT = Path(__file__).resolve().parents[2]
DEMOS = {
    "kestrelmoor-2026": ROOT / "data/kestrelmoor-2026/audit.csv",
    "harrowdene-2025": ROOT / "data/harrowdene-2025/audit.csv",
    "harrowdene-2026": ROOT / "data/harrowdene-2026/audit.xlsx",
    "brindleford-2026": ROOT / "data/brindleford-2026/audit.csv",
}
BASE = {"auditor": "Priya Raman", "primary_need": "ASD", "setting_type": "mainstream", "notes": ""}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows([{c: r.get(c, "") for c in columns} for r in rows])
    return path


def error_lines(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [str(e) for e in exc.value.errors]


# --- grades worked by hand -------------------------------------------------------------------
# Rule (docs/audit.md): section share = weight met / weight applicable; >= 0.9 -> 4, >= 0.7 -> 3,
# >= 0.4 -> 2, else 1; a section:<code> score replaces the derived grade. Plan = floor of the mean
# of section grades weighted by section weight (A, B, E, F, GT weigh 2; TL weighs 0; others 1),
# then 1 if any key section (A, B, E, F) is graded 1.

P1 = dict(BASE, case_ref="TST-0001", phase="KS4", year_group="10", plan_stage="annual review",
          a1="met", a2="not met", a3="met", a4="met",          # A: (2+1+1)/(2+1+1+1) = 4/5 = 0.8 -> 3
          b1="y", b2="y", b3="y",                             # B: 4/4 = 1.0 -> 4
          e1="n", e2="y", e3="y", e4="n/a", e5="y",            # E: (1+1+1)/(2+1+1+1) = 3/5 = 0.6 -> 2
          f1="met", f2="not met", f3="met",                   # F: (2+1)/(2+1+1) = 3/4 = 0.75 -> 3
          d1="n", d2="",                                      # D: 0/1 = 0 -> 1 (not key: no cap)
          pfa1="y", pfa2="n",                                 # PFA (Year 10 >= 9): 2/3 = 0.67 -> 2
          tl2="y")                                            # TL: 1/1 -> 4, weight 0: not counted
# P1 plan: (3*2 + 4*2 + 2*2 + 3*2 + 1*1 + 2*1) / (2+2+2+2+1+1) = 27/10 = 2.7 -> floor 2; no key
# section graded 1 -> plan grade 2.

P2 = dict(BASE, case_ref="TST-0002", phase="KS2", year_group="4", plan_stage="new",
          weeks_to_issue="18",                                # tl1 derived: 18 <= 20 -> met
          a1="y", a2="y", a3="y", a4="y",                     # A: 5/5 -> 4
          b1="n", b2="n", b3="y",                             # B: 1/(2+1+1) = 0.25 -> 1 (key)
          e1="y", e2="y", e3="y",                             # E: 4/4 -> 4
          f1="y", f2="y", f3="y",                             # F: 4/4 -> 4
          pfa1="y")                                           # Year 4 < 9: PFA does not apply
# P2 plan: (4*2 + 1*2 + 4*2 + 4*2) / 8 = 26/8 = 3.25 -> 3, but key section B is 1 -> capped to 1.

P3 = dict(BASE, case_ref="TST-0003", phase="KS3", plan_stage="annual review",
          a1="y", a2="y", a3="y", a4="n",                     # A: (2+1+1)/5 = 0.8 -> 3
          e1="n", e2="n", e3="n",                             # E derived: 0/4 -> 1 ...
          **{"section:E": "3"},                               # ... but scored directly: 3
          pfa1="y", pfa2="y")                                 # KS3, no year: the entry decides -> 3/3 -> 4
# P3 plan: (3*2 + 3*2 + 4*1) / (2+2+1) = 16/5 = 3.2 -> 3; no key section at 1 -> 3.

P4 = dict(BASE, case_ref="TST-0004", phase="KS2", plan_stage="new", weeks_to_issue="26",
          a1="y", a2="n", a3="n", a4="n",                     # A: 2/5 = 0.4 -> 2 (boundary)
          b1="y", b2="y", b3="n",                             # B: 3/4 = 0.75 -> 3
          k2="y")                                             # K: 1/1, one check -> 3 (k2 applies to new plans)
# P4: tl1 derived from 26 weeks -> not met -> TL 0/1 -> 1 (weight 0, and TL is not key).
# Plan: the plan grade weighs K before the one-check cap: (2*2 + 3*2 + 4*1) / 5 = 14/5 = 2.8 -> 2.

EXPECTED = {
    # TL and K below rest on one check each: met, they are good (3), never outstanding (min_checks: 2)
    "TST-0001": ({"A": 3, "B": 4, "E": 2, "F": 3, "D": 1, "PFA": 2, "TL": 3}, 2, False),
    "TST-0002": ({"A": 4, "B": 1, "E": 4, "F": 4, "TL": 3}, 1, True),
    "TST-0003": ({"A": 3, "E": 3, "PFA": 4}, 3, False),
    "TST-0004": ({"A": 2, "B": 3, "K": 3, "TL": 1}, 2, False),
}


@pytest.fixture
def hand_worked(tmp_path: Path) -> AuditData:
    return read_audit(write_csv(tmp_path / "hand.csv", [P1, P2, P3, P4]))


def test_hand_worked_grades_follow_the_rule(hand_worked: AuditData) -> None:
    for plan in hand_worked.plans:
        sections, overall, capped = EXPECTED[plan.case_ref]
        g = grade_plan(plan, hand_worked.framework)
        assert dict(g.section_grades) == sections, plan.case_ref
        assert g.plan_grade == overall, plan.case_ref
        assert g.capped is capped, plan.case_ref
    p3 = next(p for p in hand_worked.plans if p.case_ref == "TST-0003")
    assert grade_plan(p3, hand_worked.framework).section_shares["E"] == 0.0  # overridden, not lost
    assert grade_plan(p3, hand_worked.framework).weighted_mean == pytest.approx(3.2)


def test_band_boundaries() -> None:
    fw = load_audit_framework()
    assert [grade_from_share(s, fw) for s in (1.0, 0.9, 0.8999, 0.7, 0.6999, 0.4, 0.3999, 0.0)] == [
        4, 4, 3, 3, 2, 2, 1, 1]


def test_one_check_is_never_outstanding() -> None:
    fw = load_audit_framework()
    assert [grade_from_share(1.0, fw, n) for n in (1, 2, 5)] == [3, 4, 4]
    assert grade_from_share(0.0, fw, 1) == 1 and grade_from_share(0.75, fw, 1) == 3


def test_timeliness_derived_from_weeks(hand_worked: AuditData) -> None:
    values = {p.case_ref: p.values.get("tl1") for p in hand_worked.plans}
    assert values["TST-0002"] == "met" and values["TST-0004"] == "not met"
    result = audit_results(hand_worked)
    assert (result.new_plans, result.new_with_timing, result.new_within) == (2, 2, 1)


def test_timeliness_that_contradicts_weeks_is_refused(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "a.csv", [dict(P4, tl1="met")])
    with pytest.raises(ValidationFailed) as exc:
        read_audit(f)
    assert any("row 2, column tl1:" in line and "26" in line for line in error_lines(exc))


def test_unknown_criterion_value_names_file_row_and_column(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "bad.csv", [P1, dict(P2, e2="partly")])
    with pytest.raises(ValidationFailed) as exc:
        read_audit(f)
    assert error_lines(exc) == [
        f"{f.as_posix()}: row 3, column e2: 'partly' is not a criterion value: use met, not met "
        "or n/a (also y, n, na or blank)"]


@pytest.mark.parametrize("ref", ["Oliver Smith", "KES 0142", "Amelia12", "12345"])
def test_bad_case_ref_is_refused_without_echoing_it(tmp_path: Path, ref: str) -> None:
    f = write_csv(tmp_path / "bad.csv", [dict(P1, case_ref=ref)])
    with pytest.raises(ValidationFailed) as exc:
        read_audit(f)
    lines = error_lines(exc)
    assert len(lines) == 1 and "row 2, column case_ref:" in lines[0]
    assert ref not in lines[0]


def test_missing_column_is_named(tmp_path: Path) -> None:
    row = {k: v for k, v in P1.items() if k != "primary_need"}
    f = write_csv(tmp_path / "bad.csv", [row])
    with pytest.raises(ValidationFailed) as exc:
        read_audit(f)
    assert error_lines(exc) == [f"{f.as_posix()}: row 1, column primary_need: required column is missing: add a column headed primary_need"]


def test_other_bad_values_each_get_a_precise_message(tmp_path: Path) -> None:
    rows = [dict(P1, phase="KS9"), dict(P2, primary_need="autism"), dict(P3, plan_stage="draft"),
            dict(P4, **{"section:E": "5"}), dict(P1, case_ref="TST-0005", year_group="Y15"),
            dict(P1, weeks_to_issue="soon", case_ref="TST-0006"), dict(P1, child="x", case_ref="TST-0007")]
    f = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ValidationFailed) as exc:
        read_audit(f)
    where = [line.split(": ")[1] for line in error_lines(exc)]
    assert where == ["row 1, column child", "row 2, column phase", "row 3, column primary_need",
                     "row 4, column plan_stage", "row 5, column section:e",
                     "row 6, column year_group", "row 7, column weeks_to_issue"]


def test_same_auditor_twice_is_refused(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "dup.csv", [P1, P1])
    with pytest.raises(ValidationFailed) as exc:
        read_audit(f)
    assert error_lines(exc) == [f"{f.as_posix()}: row 3, column case_ref: this plan was already "
                                "audited by the same auditor on row 2: delete one of the rows, or correct the case reference"]


def test_a_review_may_use_its_own_framework(tmp_path: Path) -> None:
    (tmp_path / "fw.yaml").write_text(
        "id: mini\ntitle: Mini\ngrading:\n  section_bands: [{min_share: 0.5, grade: 3}]\n"
        "sections: [{code: A, title: Voice, key: true, weight: 1}]\n"
        "criteria:\n  - {id: v1, section: A, text: t, good: g, weight: 1, finding: f}\n"
        "  - {id: v2, section: A, text: t, good: g, weight: 3, finding: f}\n", encoding="utf-8")
    fw = load_audit_framework("fw.yaml", root=tmp_path)
    f = write_csv(tmp_path / "a.csv", [dict(BASE, case_ref="X-01", phase="KS1", plan_stage="new",
                                            v1="y", v2="n")])
    data = read_audit("a.csv", fw, root=tmp_path)
    # share 1/(1+3) = 0.25 < 0.5 -> 1; key section at 1 -> plan 1 (no key_cap set: plan = floor 1)
    assert grade_plan(data.plans[0], fw).plan_grade == 1
    assert f.exists()


def test_bad_framework_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "fw.yaml").write_text("id: x\ntitle: X\ngrading: {section_bands: []}\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        load_audit_framework("fw.yaml", root=tmp_path)
    assert all(line.startswith("fw.yaml: ") for line in error_lines(exc))


# --- the demo files, results and the letter ---------------------------------------------------


def raw_rows(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        cells = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
        return [dict(zip(cells[0], r, strict=False)) for r in cells[1:]]
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def chosen_rows(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """The moderation rule, independently: the agreed row, else the first row of each case."""
    chosen: dict[str, dict[str, str]] = {}
    for i, r in enumerate(rows):
        key = r["case_ref"].strip().upper()
        if key not in chosen or r.get("moderation") == "agreed":
            chosen[key] = dict(r, _index=i)
    return chosen


FRAMEWORK = ROOT / "toolkit/frameworks/ehcp_audit.yaml"


def pandas_grades(rows: list[dict[str, str]]) -> tuple[pd.DataFrame, pd.Series]:
    """Section grades (plans x sections) and plan grades by the documented rule, in pandas."""
    fw = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
    df = pd.DataFrame(rows).fillna("")
    df = df.loc[[r["_index"] for r in chosen_rows(rows).values()]].reset_index(drop=True)
    year = pd.to_numeric(df["year_group"].replace({"N": "-1", "R": "0"}), errors="coerce")
    value = {"y": 1.0, "yes": 1.0, "met": 1.0, "n": 0.0, "no": 0.0, "not met": 0.0}
    met = pd.DataFrame({c["id"]: df[c["id"]].str.strip().str.lower().map(value) for c in fw["criteria"]})
    for c in fw["criteria"]:
        rule = c.get("applies") or {}
        if "plan_stages" in rule:
            met.loc[~df["plan_stage"].isin(rule["plan_stages"]), c["id"]] = float("nan")
        if rule.get("min_year_group") == 9:
            below = (year < 9) | (year.isna() & df["phase"].isin(["early years", "KS1", "KS2"]))
            met.loc[below, c["id"]] = float("nan")
    weeks = pd.to_numeric(df["weeks_to_issue"], errors="coerce")
    timed = (df["plan_stage"] == "new") & weeks.notna()
    met.loc[timed, fw["grading"]["timeliness_criterion"]] = (weeks[timed] <= 20).astype(float)
    sections, weighed = pd.DataFrame(index=df.index), pd.DataFrame(index=df.index)
    for sec in fw["sections"]:
        ids = [c["id"] for c in fw["criteria"] if c["section"] == sec["code"]]
        w = pd.Series({c["id"]: c["weight"] for c in fw["criteria"] if c["section"] == sec["code"]})
        applicable = (met[ids].notna() * w).sum(axis=1)
        share = (met[ids].fillna(0) * w).sum(axis=1) / applicable.where(applicable > 0)
        grade = pd.cut(share, [-1, 0.4 - 1e-9, 0.7 - 1e-9, 0.9 - 1e-9, 2], labels=[1, 2, 3, 4]).astype(float)
        weighed_grade = grade.copy()  # the plan grade weighs the section before the one-check cap
        checks = met[ids].notna().sum(axis=1)  # the top band needs min_checks applicable criteria
        four = next(b for b in fw["grading"]["section_bands"] if b["grade"] == 4)
        grade = grade.where(~((grade == 4) & (checks < four.get("min_checks", 1))), 3.0)
        direct = f"section:{sec['code']}"
        if direct in df:
            scored = pd.to_numeric(df[direct], errors="coerce")
            grade = scored.where(scored.notna(), grade)
            weighed_grade = scored.where(scored.notna(), weighed_grade)
        sections[sec["code"]] = grade
        weighed[sec["code"]] = weighed_grade
    weights = pd.Series({s["code"]: s["weight"] for s in fw["sections"]})
    counted = weighed.loc[:, weights[weights > 0].index]
    mean = (counted * weights).sum(axis=1) / (counted.notna() * weights).sum(axis=1).replace(0, float("nan"))
    plan = (mean + 1e-9).apply(lambda m: m if pd.isna(m) else float(int(m)))
    keys = [s["code"] for s in fw["sections"] if s["key"]]
    plan = plan.where(~(sections[keys] <= 1).any(axis=1), 1.0)
    return sections, plan


def independent_count(row: dict[str, str], cid: str) -> str | None:
    value = row.get(cid, "").strip().lower()
    if cid.startswith("pfa"):
        year = row["year_group"]
        if year:
            if year in ("N", "R") or int(year) < 9:
                return None
        elif row["phase"] in ("early years", "KS1", "KS2"):
            return None
    if cid == "k2" and row["plan_stage"] not in ("new", "transfer"):
        return None
    return {"y": "met", "met": "met", "n": "not met", "not met": "not met"}.get(value)


@pytest.mark.parametrize("review", sorted(DEMOS))
def test_demo_files_have_realistic_shape(review: str) -> None:
    data = read_audit(DEMOS[review])
    result = audit_results(data)
    assert 12 <= result.plans <= 24
    assert 3 <= result.double_audited <= 5
    assert all(re.fullmatch(r"[A-Z]{3}-\d{4}", p.case_ref) for p in data.records)


@pytest.mark.parametrize("review", sorted(DEMOS))
def test_letter_summary_counts_match_the_file(review: str) -> None:
    rows = raw_rows(DEMOS[review])
    chosen = chosen_rows(rows)
    summary = summarise_for_letter(audit_results(read_audit(DEMOS[review])))
    assert summary.plans == len(chosen)
    for stage in ("new", "annual review", "transfer"):
        assert summary.by_stage[stage] == sum(r["plan_stage"] == stage for r in chosen.values())
    year11 = sum((int(r["year_group"]) >= 11) if r["year_group"].isdigit() else
                 r["phase"] in ("KS5", "post-16", "post-19") for r in chosen.values())
    assert summary.year11_plus == year11
    auditors: dict[str, set[str]] = {}
    for r in rows:
        if r.get("moderation") != "agreed":
            auditors.setdefault(r["case_ref"], set()).add(r["auditor"])
    assert summary.double_audited == sum(len(a) > 1 for a in auditors.values())
    new = [r for r in chosen.values() if r["plan_stage"] == "new"]
    assert summary.new_with_timing == len(new)
    assert summary.new_within == sum(float(r["weeks_to_issue"]) <= 20 for r in new)
    assert summary.strengths and summary.gaps
    for st in summary.strengths + summary.gaps:
        statuses = [independent_count(r, st.criterion_id) for r in chosen.values()]
        assert st.applicable == sum(s is not None for s in statuses), st.criterion_id
        assert st.met == sum(s == "met" for s in statuses), st.criterion_id
        assert number_words(st.applicable) in st.text
    # Grades, the inadequate count, the annual-review figure and the section table, recomputed
    # from the raw file with pandas and the framework YAML read directly (not through toolkit).
    sections, plan = pandas_grades(rows)
    expected_overall = {g: int((plan == g).sum()) for g in (4, 3, 2, 1)}
    assert summary.overall == expected_overall and summary.graded == int(plan.notna().sum())
    assert summary.overall[1] == expected_overall[1]
    assert summary.good_or_better == expected_overall[4] + expected_overall[3]
    if expected_overall[1]:
        assert f"and {number_words(expected_overall[1])} to be inadequate" in summary.closing
    table = pd.DataFrame(rows)
    table["case_ref"] = table["case_ref"].str.strip().str.upper()
    picked = table.loc[[r["_index"] for r in chosen.values()]]
    at_review = picked[picked["plan_stage"] == "annual review"]
    tl2 = at_review["tl2"].str.strip().str.lower().map({"y": 1, "met": 1, "n": 0, "not met": 0})
    assert (summary.reviews_checked, summary.reviews_current) == (int(tl2.notna().sum()), int(tl2.sum()))
    assert (f"The annual review was up to date in {number_words(int(tl2.sum()))} of the "
            f"{number_words(int(tl2.notna().sum()))} plans at annual review") in summary.closing
    fw = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
    expected_rows = []
    for sec in fw["sections"]:
        col = sections[sec["code"]].dropna()
        if len(col):
            counts = [int((col == g).sum()) for g in (4, 3, 2, 1)]
            expected_rows.append((sec["title"], *map(str, counts),
                                  f"{counts[0] + counts[1]} of {len(col)}"))
    expected_rows.append(("Plan overall", *[str(expected_overall[g]) for g in (4, 3, 2, 1)],
                          f"{expected_overall[4] + expected_overall[3]} of {int(plan.notna().sum())}"))
    assert list(summary.table_rows) == expected_rows
    html = render_audit_section(summary)
    assert summary.opening.startswith(f"We read {number_words(len(chosen))} plans")
    assert "<h2" in html and "EHC plan sample audit" in html
    for st in summary.strengths + summary.gaps:
        assert st.text.replace("'", "&#39;").replace('"', "&#34;") in html
    for r in rows:  # no case-level row reaches the letter
        assert r["case_ref"] not in html
        assert not r["notes"] or r["notes"].replace("'", "&#39;") not in html


def test_kestrelmoor_social_care_rarely_reaches_outcomes() -> None:
    summary = summarise_for_letter(audit_results(read_audit(DEMOS["kestrelmoor-2026"])))
    e4 = next(st for st in summary.gaps if st.criterion_id == "e4")
    assert e4.text.startswith("Social care needs described in section D were carried into outcomes in only")


def test_charts_are_accessible_svg_with_tables() -> None:
    summary = summarise_for_letter(audit_results(read_audit(DEMOS["harrowdene-2026"])))
    assert [c.id for c in summary.charts] == ["audit-sections", "audit-overall", "audit-timeliness"]
    for chart in summary.charts:
        assert chart.svg.startswith("<svg role=\"img\"") and "<desc" in chart.svg
        assert chart.rows and len(chart.columns) == len(chart.rows[0])
    again = summarise_for_letter(audit_results(read_audit(DEMOS["harrowdene-2026"])))
    assert render_audit_section(summary) == render_audit_section(again)  # byte-identical


def test_build_writes_the_section(tmp_path: Path) -> None:
    out = build_audit_section(DEMOS["brindleford-2026"], tmp_path / "out" / "audit.html")
    assert out.read_text(encoding="utf-8").startswith("<section")


@pytest.mark.parametrize("review", sorted(DEMOS))
def test_demo_files_are_reproducible_from_their_seeds(review: str, tmp_path: Path) -> None:
    from toolkit.demo.auditsynth import DEMO_AREAS, synthesise_audit, write_audit_file

    profile, name, seed = DEMO_AREAS[review]
    out = write_audit_file(synthesise_audit(profile, seed=seed), tmp_path / name)
    assert out.read_bytes() == DEMOS[review].read_bytes()


# --- the framework names the "annual review up to date" criterion ------------------------------

MINI_FW = ("id: mini\ntitle: Mini\ngrading:\n  section_bands: [{{min_share: 0.5, grade: 3}}]\n{extra}"
           "sections: [{{code: A, title: Voice, key: true, weight: 1}}]\n"
           "criteria:\n  - {{id: v1, section: A, text: t, good: g, weight: 1, finding: f}}\n"
           "  - {{id: r1, section: A, text: t, good: g, weight: 1, finding: f,"
           " applies: {{plan_stages: [annual review]}}}}\n"
           "  - {{id: r2, section: A, text: t, good: g, weight: 1, finding: f,"
           " applies: {{plan_stages: [annual review]}}}}\n")


def test_the_review_criterion_is_named_in_the_framework(tmp_path: Path) -> None:
    assert load_audit_framework().grading.review_criterion == "tl2"
    (tmp_path / "fw.yaml").write_text(MINI_FW.format(extra="  review_criterion: r2\n"), encoding="utf-8")
    fw = load_audit_framework("fw.yaml", root=tmp_path)
    rows = [dict(BASE, case_ref=f"X-0{i}", phase="KS2", plan_stage="annual review", v1="y", r1=r1, r2=r2)
            for i, (r1, r2) in enumerate([("y", "n"), ("y", "y"), ("y", "n")], start=1)]
    result = audit_results(read_audit(write_csv(tmp_path / "a.csv", rows), fw))
    assert (result.reviews_checked, result.reviews_current) == (3, 1)  # r2, not the first match r1
    (tmp_path / "fw2.yaml").write_text(MINI_FW.format(extra=""), encoding="utf-8")
    fw2 = load_audit_framework("fw2.yaml", root=tmp_path)
    result = audit_results(read_audit(tmp_path / "a.csv", fw2))
    assert (result.reviews_checked, result.reviews_current) == (0, 0)  # not named: not reported


def test_a_missing_review_criterion_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "fw.yaml").write_text(MINI_FW.format(extra="  review_criterion: tl9\n"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        load_audit_framework("fw.yaml", root=tmp_path)
    [line] = error_lines(exc)
    assert line.startswith("fw.yaml: ") and "grading.review_criterion names 'tl9'" in line



# --- results by group, criteria most often unmet, timeliness, charts ---------------------------


@pytest.mark.parametrize("review", sorted(DEMOS))
def test_grades_by_group_match_an_independent_calculation(review: str) -> None:
    rows = raw_rows(DEMOS[review])
    _, plan = pandas_grades(rows)
    picked = pd.DataFrame(rows).loc[[r["_index"] for r in chosen_rows(rows).values()]].reset_index(drop=True)
    picked["grade"] = plan
    table = grades_by_group_table(read_audit(DEMOS[review]))
    for by, column in (("Phase", "phase"), ("Primary need", "primary_need"), ("Setting type", "setting_type")):
        for group, sub in picked.groupby(column):
            got = table.loc[(by, group)]
            assert got["plans"] == len(sub) and got["graded"] == sub["grade"].notna().sum()
            for g, label in ((4, "Outstanding (4)"), (3, "Good (3)"), (2, "Requires improvement (2)"),
                             (1, "Inadequate (1)")):
                assert got[label] == (sub["grade"] == g).sum(), (by, group, g)
            good = int((sub["grade"] >= 3).sum())
            assert got["good or better"] == good
            assert got["% good or better"] == pytest.approx(round(100 * good / sub["grade"].notna().sum(), 1))


def test_criteria_most_often_unmet_are_listed_with_counts_and_percent() -> None:
    rows = raw_rows(DEMOS["kestrelmoor-2026"])
    chosen = chosen_rows(rows)
    table = most_unmet_table(read_audit(DEMOS["kestrelmoor-2026"]), n=5)
    assert len(table) == 5
    unmet = list(table["not met"])
    assert unmet == sorted(unmet, reverse=True)
    for cid, row in table.iterrows():
        statuses = [independent_count(r, str(cid)) for r in chosen.values()]
        if str(cid).startswith("tl"):
            continue  # timeliness is derived from weeks_to_issue, checked below
        applied = sum(x is not None for x in statuses)
        assert row["plans where it applied"] == applied
        assert row["not met"] == sum(x == "not met" for x in statuses)
        assert row["% not met (of plans where it applied)"] == round(100 * row["not met"] / applied, 1)


@pytest.mark.parametrize("review", sorted(DEMOS))
def test_timeliness_table_matches_the_file(review: str) -> None:
    chosen = chosen_rows(raw_rows(DEMOS[review]))
    table = timeliness_table(read_audit(DEMOS[review]))
    new = [r for r in chosen.values() if r["plan_stage"] == "new"]
    within = sum(float(r["weeks_to_issue"]) <= 20 for r in new if r["weeks_to_issue"])
    row = table.loc["New plans issued within 20 weeks"]
    assert (row["plans"], row["met"], row["not met"]) == (len(new), within, len(new) - within)
    assert row["% met (of those recorded)"] == round(100 * within / len(new), 1)


def test_group_and_timeliness_charts_are_accessible_and_deterministic() -> None:
    result = audit_results(read_audit(DEMOS["harrowdene-2026"]))
    charts = [group_chart(result, by) for by in ("phase", "need", "setting")] + [timeliness_chart(result)]
    assert [c.id for c in charts] == ["audit-by-phase", "audit-by-need", "audit-by-setting", "audit-timeliness"]
    safe = {c.lower() for c in [*GRADE_COLOURS.values(), *TIMELY_COLOURS.values()]}
    for chart in charts:
        assert chart.svg.startswith('<svg role="img"') and f'<title id="{chart.id}-title">' in chart.svg
        assert "<desc" in chart.svg and chart.alt and chart.title
        fills = set(re.findall(r"fill: ?(#[0-9a-f]{6})", chart.svg))
        assert len(fills & safe) >= 2, chart.id
        assert fills - {"#ffffff", "#000000", "#262626", "#333333", "#595959"} <= safe, chart.id
        assert chart.rows and all(len(r) == len(chart.columns) for r in chart.rows)
    need = charts[1]
    by_need = result.breakdowns["need"]
    assert [r[0] for r in need.rows] == [k for k, g in by_need.items() if g.graded]
    assert sum(int(r[1]) + int(r[2]) + int(r[3]) + int(r[4]) for r in need.rows) == result.graded
    assert need.title == "Overall grades of the plans we read, by primary need"  # from audit.html.j2
    again = audit_results(read_audit(DEMOS["harrowdene-2026"]))
    assert timeliness_chart(again).svg == charts[3].svg and group_chart(again, "need").svg == need.svg
    html = audit_charts(read_audit(DEMOS["harrowdene-2026"]))._repr_html_()
    assert html.count("<figure") == 4 and html.count("<table") == 4 and html.count('role="img"') == 4


def test_the_letter_shows_one_chart_the_overall_grades() -> None:
    """The letter's audit section draws one chart, the overall grades (its timeliness is in words,
    its grades by section in the appendix); the working notebook keeps the others."""
    summary = summarise_for_letter(audit_results(read_audit(DEMOS["kestrelmoor-2026"])))
    html = render_audit_section(summary)
    assert 'id="audit-overall-figure"' in html and html.count("<figure") == 1
    assert "issued within 20 weeks" in html
    chart = summary.charts[-1]
    assert chart.rows[0][:3] == ["New plans issued within 20 weeks", str(summary.new_plans), str(summary.new_within)]


def test_blank_criterion_cells_where_they_apply_are_listed_as_a_warning(tmp_path: Path) -> None:
    rows = [dict(BASE, case_ref="TST-0001", phase="KS2", year_group="5", plan_stage="annual review",
                 a1="y", c1="", d1="n/a", pfa1="", k2="", tl2=""),
            dict(BASE, case_ref="TST-0002", phase="KS2", year_group="5", plan_stage="annual review",
                 a1="y", c1="y", d1="n", pfa1="", k2="", tl2="y")]
    data = read_audit(write_csv(tmp_path / "blank.csv", rows))
    table = blank_entries_table(data)
    # c1 applies to every plan and tl2 to plans at annual review: listed. d1 says n/a outright;
    # pfa1 (from Year 9) and k2 (new and transfer plans only) do not apply to these plans.
    assert list(table.index) == [2]
    assert table.loc[2, "case_ref"] == "TST-0001"
    assert table.loc[2, "blank criteria (read as n/a)"] == "c1, tl2"
    assert "No criterion" in blank_entries_table(read_audit(write_csv(tmp_path / "b2.csv", rows[1:])))["note"][0]
