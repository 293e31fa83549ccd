"""Coverage figures checked against counts made independently, straight from the CSV files."""

from __future__ import annotations

import csv
import random
from collections import Counter
from pathlib import Path

import pytest
from support.capture import copy_mini, draft, store_for
from support.paths import DEMO_PARAMS

from toolkit.analysis.coverage import coverage
from toolkit.capture.store import open_review

KIND_OF = {"strength": "S", "area for consideration": "A", "urgent action": "U"}
RANK = {"not yet": 0, "partly": 1, "covered": 2}


def _rows(path: Path) -> list[dict[str, str]]:
    """A findings or checklist file's rows as text, read here without the toolkit (CSV or XLSX)."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            cells = list(wb.worksheets[0].iter_rows(values_only=True))
        finally:
            wb.close()
        header = [str(h or "").strip().lower() for h in cells[0]]
        return [{h: ("" if v is None else str(v)).strip() for h, v in zip(header, r, strict=False)}
                for r in cells[1:] if any(v not in (None, "") for v in r)]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k.strip().lower(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def _expected(finding_files: list[Path], checklist_files: list[Path], prompts: dict[str, list[str]]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for kloe, pids in prompts.items():
        reviewers: set[str] = set()
        kinds, single = _finding_counts(finding_files, kloe, reviewers)
        statuses = Counter(_best_marks(checklist_files, pids, reviewers).values())
        out[kloe] = {"prompts": len(pids), "covered": statuses["covered"], "partly": statuses["partly"],
                     "not_yet": statuses["not yet"], "strengths": kinds["S"], "areas": kinds["A"],
                     "urgent": kinds["U"], "single_evidence": single, "reviewers": tuple(sorted(reviewers))}
    return out


def _finding_counts(finding_files: list[Path], kloe: str, reviewers: set[str]) -> tuple[Counter[str], int]:
    """The KLOE's findings by kind (withdrawn ones left out) and how many rest on one kind of evidence."""
    kinds: Counter[str] = Counter()
    single = 0
    for path in finding_files:
        for r in _rows(path):
            if r.get("kloe", "") != kloe or r.get("withdrawn", "").lower() in ("yes", "true", "1", "y"):
                continue
            kinds[KIND_OF[" ".join(r["kind"].lower().split())]] += 1
            if len({e.strip().lower() for e in r["evidence"].replace(",", ";").split(";") if e.strip()}) == 1:
                single += 1
            reviewers.add(r["reviewer"])
    return kinds, single


def _best_marks(checklist_files: list[Path], pids: list[str], reviewers: set[str]) -> dict[str, str]:
    """Each prompt's best mark over the reviewers' checklists; a reviewer who marked one is counted."""
    best = {p: "not yet" for p in pids}
    for path in checklist_files:
        for r in _rows(path):
            if r["prompt_id"] not in best:
                continue
            if RANK[r["status"]] > RANK[best[r["prompt_id"]]]:
                best[r["prompt_id"]] = r["status"]
            if r["status"] != "not yet":
                reviewers.add(r["reviewer"])
    return best


def _write_checklist(path: Path, team: list[str], prompts: dict[str, list[str]], seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["prompt_id", "kloe", "status", "notes", "reviewer"])
        for kloe, pids in prompts.items():
            for pid in pids:
                for name in rng.sample(team, rng.randint(0, len(team))):
                    w.writerow([pid, kloe, rng.choice(["covered", "partly", "not yet"]), "", name])


def _actual(report: object, kloe: str) -> dict[str, object]:
    k = report.get(kloe)  # type: ignore[attr-defined]
    return {f: getattr(k, f) for f in ("prompts", "covered", "partly", "not_yet", "strengths", "areas", "urgent",
                                       "single_evidence", "reviewers")}


@pytest.mark.skipif(not DEMO_PARAMS, reason="no demo reviews in params/ yet")
@pytest.mark.parametrize("params_file", DEMO_PARAMS, ids=[p.stem for p in DEMO_PARAMS])
def test_demo_review_coverage_matches_independent_counts(params_file: Path, tmp_path: Path) -> None:
    params, scope, root = open_review(params_file)
    files = [root / f for f in params.inputs.findings]
    assert any(f.suffix == ".xlsx" for f in files), "the demo review has an Excel findings file"
    own = [root / f for f in params.inputs.checklist]
    assert own, "the demo review has checklist files"
    prompts = {k.id: [p.id for p in k.prompts] for k in scope.kloes}
    extra = tmp_path / "checklist.csv"
    _write_checklist(extra, [m.name for m in params.team], prompts, seed=len(params.review_id))
    report = coverage(params, scope, root, findings_files=files, checklist_files=[*own, extra])
    assert report.problems == ()
    expected = _expected(files, [*own, extra], prompts)
    for kloe in prompts:
        assert _actual(report, kloe) == expected[kloe], kloe
    assert sum(k.findings for k in report.kloes) == sum(
        1 for p in files for r in _rows(p) if r.get("withdrawn", "").lower() not in ("yes", "true", "1", "y"))
    if not (root / "data" / params.review_id / "capture").exists():  # no capture yet: the default is the inputs
        default = coverage(params, scope, root)
        own_only = _expected(files, own, prompts)
        for kloe in prompts:
            assert _actual(default, kloe) == own_only[kloe], kloe


def test_capture_session_coverage(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    ruth, colin = store_for(params_file, "Ruth Adeyemi"), store_for(params_file, "Colin Marsh")
    a = ruth.add(draft(evidence=("interview", "documents"))).finding
    ruth.add(draft(statement="one source only", kind="area for consideration"))
    gone = colin.add(draft(statement="withdrawn later")).finding
    assert a is not None and gone is not None
    colin.set_withdrawn(gone.id, True)
    colin.set_prompt("2016-identify.1", "partly", "")
    ruth.set_prompt("2016-identify.1", "covered", "")
    colin.set_prompt("lt-coproduction.2", "partly", "")
    params, scope, root = open_review(params_file)
    report = coverage(params, scope, root, findings_files=[ruth.findings_path, colin.findings_path],
                      checklist_files=[ruth.checklist_path, colin.checklist_path])
    k = report.get("2016-identify")
    assert k is not None
    assert (k.covered, k.partly, k.not_yet, k.strengths, k.areas, k.single_evidence) == (1, 0, 4, 1, 1, 1)
    assert k.reviewers == ("Colin Marsh", "Ruth Adeyemi")
    co = report.get("lt-coproduction")
    assert co is not None and (co.partly, co.reviewers) == (1, ("Colin Marsh",))
    frame = report.to_frame()
    assert list(frame["kloe"][:3]) == ["2016-identify", "lt-coproduction", "ehcp-timeliness"]


def test_default_sources_are_the_inputs_and_capture_files(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    store_for(params_file, "Lena Duarte").add(draft(statement="from capture"))
    params, scope, root = open_review(params_file)
    report = coverage(params, scope, root)
    k = report.get("2016-identify")
    assert k is not None and k.findings == 4  # a1, a2, m1 from the inputs + the captured one
    assert "Lena Duarte" in k.reviewers


def test_bad_rows_are_reported_not_fatal(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    bad = tmp_path / "checklist.csv"
    bad.write_text("prompt_id,kloe,status,notes,reviewer\n2016-identify.1,,done,,Ruth Adeyemi\nzzz,,covered,,Ruth Adeyemi\n")
    params, scope, root = open_review(params_file)
    report = coverage(params, scope, root, checklist_files=[bad])
    assert {(p.row, p.column) for p in report.problems} == {(2, "status"), (3, "prompt_id")}
    assert report.get("2016-identify").covered == 0  # type: ignore[union-attr]
