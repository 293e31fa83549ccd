"""The bad-input corpus's parts (tests/inputs/test_bad_inputs.py, tests/inputs/test_bounds.py): a
case, the helpers that break one input, and the runner that checks what the command printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from toolkit.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

#: A child's data planted in the inputs: none of it may ever be printed or logged.
NAME = "Oliver Bennett"
NHS = "943 476 5919"
DOB = "14/03/2015"
UPN = "W801234567801"
SECRETS = (NAME, NHS, NHS.replace(" ", ""), DOB, UPN, "Oliver", "Bennett")

FINDINGS = "data/mini/findings_adeyemi.csv"
HEADER = "id,kloe,kind,headline,statement,detail,evidence,reviewer,include,order,indicator"
GOOD_ROW = "a9,2016-identify,strength,no,A sound statement.,,documents,Ruth Adeyemi,yes,,"
PARAMS = "params/mini.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], object]  # what it returns is not used
    file: str  # what the first line must start with
    where: str | None  # "row 3, column kind", a field path, or None (the whole file)
    code: int = 2
    command: tuple[str, ...] = ("validate", PARAMS)
    warning: bool = False  # a warning line, exit 0
    subprocess: bool = False
    extra: tuple[str, ...] = field(default=())  # further words the first line must hold
    line: str | None = None  # the first line, exactly


# ---- helpers that break one input -------------------------------------------------------------

def params_edit(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def setup(proj: Path) -> None:
        path = proj / PARAMS
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return setup


def params_text(old: str, new: str) -> Callable[[Path], None]:
    def setup(proj: Path) -> None:
        path = proj / PARAMS
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return setup


def findings_cell(column: str, value: str, rel: str = FINDINGS) -> Callable[[Path], None]:
    """Set one cell of the first data row (row 2) of a findings CSV."""
    def setup(proj: Path) -> None:
        import csv

        path = proj / rel
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        rows[1][rows[0].index(column)] = value
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return setup


def findings_text(text: str, rel: str = FINDINGS) -> Callable[[Path], None]:
    def setup(proj: Path) -> None:
        (proj / rel).write_text(text, encoding="utf-8")
    return setup


def findings_bytes(data: bytes, rel: str = FINDINGS) -> Callable[[Path], None]:
    def setup(proj: Path) -> None:
        (proj / rel).write_bytes(data)
    return setup


def replace_with(kind: str, rel: str) -> Callable[[Path], None]:
    """Put a folder, a named pipe or a symbolic-link loop where an input file should be."""
    def setup(proj: Path) -> None:
        path = proj / rel
        if path.exists() or path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "dir":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "loop":
            other = path.with_name(path.name + ".other")
            os.symlink(other.name, path)
            os.symlink(path.name, other)
    return setup


def xlsx_findings(build: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    """Replace the first findings file by a workbook built by ``build``."""
    def setup(proj: Path) -> None:
        (proj / FINDINGS).unlink()
        wb = openpyxl.Workbook()
        build(wb)
        wb.save(proj / "data/mini/findings_adeyemi.xlsx")
        params_edit(lambda d: d["inputs"].update(findings=["data/mini/findings_adeyemi.xlsx",
                                                           "data/mini/findings_marsh.csv"]))(proj)
    return setup


def sheet_rows(ws: Any, rows: Sequence[Sequence[object]]) -> None:
    for r in rows:
        ws.append(r)


GOOD_XLSX_ROWS: list[list[str]] = [HEADER.split(","), GOOD_ROW.split(",")]


def hidden_first(wb: openpyxl.Workbook) -> None:
    old = wb.active
    old.title = "Old draft"
    sheet_rows(old, [HEADER.split(","), ["o1", "2016-identify", "strength", "no", "OLD DRAFT - do not use", "",
                                          "documents", "Ruth Adeyemi", "yes", "", ""]])
    old.sheet_state = "hidden"
    sheet_rows(wb.create_sheet("Current"), GOOD_XLSX_ROWS)


def formula_cell(wb: openpyxl.Workbook) -> None:
    sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["E2"] = "=A1&B1"  # openpyxl saves no calculated value


def merged_cells(wb: openpyxl.Workbook) -> None:
    sheet_rows(wb.active, [*GOOD_XLSX_ROWS, ["a10", "2016-identify", "strength", "no", "Second.", "", "documents",
                                              "Ruth Adeyemi", "yes", "", ""]])
    wb.active.merge_cells("H2:H3")


def xlsx_title_row(wb: openpyxl.Workbook) -> None:
    sheet_rows(wb.active, [["Findings of Ruth Adeyemi"], *GOOD_XLSX_ROWS])


def xlsx_long_cell(wb: openpyxl.Workbook) -> None:
    sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["F2"] = "word " * 200_000


def xlsx_private_kind(wb: openpyxl.Workbook) -> None:
    sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["C2"] = f"{NAME} {NHS}"


def add_file(rel: str, text: str, key: str, value: Any = None) -> Callable[[Path], None]:
    """Write an extra input file and name it in the parameters (``inputs.<key>``)."""
    def setup(proj: Path) -> None:
        path = proj / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        params_edit(lambda d: d["inputs"].update({key: value if value is not None else rel}))(proj)
    return setup


def both(*steps: Callable[[Path], object]) -> Callable[[Path], None]:
    def setup(proj: Path) -> None:
        for step in steps:
            step(proj)
    return setup


CHECKLIST_HEAD = "kloe,prompt_id,status,notes,reviewer\n"
CHECKLIST = "data/mini/checklist_adeyemi.csv"
SEF = "data/mini/sef.csv"
SEF_HEAD = "area,area_judgement,peer_judgement,reasoning,findings\n"
AUDIT = "data/mini/audit.csv"
AUDIT_HEAD = "case_ref,auditor,phase,primary_need,setting_type,plan_stage,weeks_to_issue,a1,notes\n"
AUDIT_ROW = "MIN-0101,Ruth Adeyemi,KS2,ASD,mainstream,annual review,,y,"


RECS = "data/mini/recommendations.csv"
RECS_HEAD = "theme,recommendation,findings,help,order\n"


def recommendations(rows: str, head: str = RECS_HEAD) -> Callable[[Path], None]:
    return add_file(RECS, head + rows, "recommendations")


def west_midlands(data: dict[str, Any]) -> None:
    data["letter_style"] = "west-midlands"


def checklist(rows: str) -> Callable[[Path], None]:
    return add_file(CHECKLIST, CHECKLIST_HEAD + rows, "checklist", [CHECKLIST])


def sef(rows: str) -> Callable[[Path], None]:
    return add_file(SEF, SEF_HEAD + rows, "sef")


def audit(rows: str) -> Callable[[Path], None]:
    return add_file(AUDIT, AUDIT_HEAD + rows, "audit")


PROMPT = "2016-identify.1"
SYNTH = Path(__file__).resolve().parents[2] / "data" / "performance" / "sen2_synthetic.csv"
PERF = f"data/performance/{SYNTH.name}"


def performance(change: Callable[[list[list[str]]], None] | None = None) -> Callable[[Path], None]:
    """Give the review the synthetic DfE file (its authority one of the fictional LAs), changed
    by ``change`` (a function on its rows, header first)."""
    def setup(proj: Path) -> None:
        import csv

        with SYNTH.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        head = rows[0]
        la = next(r for r in rows[1:] if r[head.index("geographic_level")] == "Local authority")
        if change is not None:
            change(rows)
        dest = proj / PERF
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)

        def edit(d: dict[str, Any]) -> None:
            d["authority"]["ons_code"] = la[head.index("new_la_code")]
            d["region"] = {"name": la[head.index("region_name")], "code": la[head.index("region_code")]}
            d["programme"].pop("region_label", None)  # one region per letter: the file's
            d["inputs"]["performance"] = [PERF]
        params_edit(edit)(proj)
    return setup


def measure_cell(value: str) -> Callable[[list[list[str]]], None]:
    """Put ``value`` in the first measure column of the first data row (row 2)."""
    def change(rows: list[list[str]]) -> None:
        rows[1][len(rows[0]) - 1] = value
    return change


def rename_column(old: str, new: str) -> Callable[[list[list[str]]], None]:
    def change(rows: list[list[str]]) -> None:
        rows[0][rows[0].index(old)] = new
    return change


WORKBOOK = "filled.xlsx"
IMPORT = ("capture-import", PARAMS, WORKBOOK)
SHEET = f"{WORKBOOK} [Findings]"  # a workbook's messages name the sheet too


def workbook(change: Callable[[openpyxl.Workbook], None]) -> Callable[[Path], None]:
    """A reviewer's exported capture workbook, changed by ``change`` before it is imported."""
    def setup(proj: Path) -> None:
        from toolkit.capture.store import open_review
        from toolkit.capture.workbook import export_workbook

        params, scope, root = open_review(proj / PARAMS)
        export_workbook(params, scope, root, "Ruth Adeyemi", proj / WORKBOOK)
        wb = openpyxl.load_workbook(proj / WORKBOOK)
        change(wb)
        wb.save(proj / WORKBOOK)
    return setup


def _findings_sheet(wb: openpyxl.Workbook) -> Any:
    return next(ws for ws in wb.worksheets if ws.title.lower() == "findings")


def wb_rename_findings(wb: openpyxl.Workbook) -> None:
    _findings_sheet(wb).title = "My findings"


def wb_statement(text: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = _findings_sheet(wb)
        head = [c.value for c in ws[1]]
        ws.cell(row=2, column=head.index("statement") + 1, value=text)
    return change

def wb_header(old: str, new: str | None) -> Callable[[openpyxl.Workbook], None]:
    """Rename the Findings column ``old`` to ``new`` (None: delete the column)."""
    def change(wb: openpyxl.Workbook) -> None:
        ws = _findings_sheet(wb)
        col = [c.value for c in ws[1]].index(old) + 1
        if new is None:
            ws.delete_cols(col)
        else:
            ws.cell(row=1, column=col, value=new)
    return change


def wb_extra_column(header: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = _findings_sheet(wb)
        ws.cell(row=1, column=ws.max_column + 1, value=header)
        ws.cell(row=2, column=ws.max_column, value="a reminder of my own")
    return change


def wb_cell(column: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        ws = _findings_sheet(wb)
        ws.cell(row=2, column=[c.value for c in ws[1]].index(column) + 1, value=value)
    return change


def wb_merged(wb: openpyxl.Workbook) -> None:
    _findings_sheet(wb).merge_cells("B2:B3")


def wb_blank_row(wb: openpyxl.Workbook) -> None:
    _findings_sheet(wb).insert_rows(1)


def error_value(wb: openpyxl.Workbook) -> None:
    sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["F2"] = "#REF!"  # what a formula whose cells were deleted shows


def external_formula(wb: openpyxl.Workbook) -> None:
    sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["F2"] = "=[1]Sheet1!A1"


OWN_CATALOGUE = "data/mini/own_catalogue.yaml"
ENTRY = """\
  - id: {id}
    title: {title}
    short_title: Short
    unit: count
    polarity: neutral
    decimals: 0
    publication_lag_months: 6
    source: {{files: "x*.csv", column: x}}
"""


def own_catalogue(text: str) -> Callable[[Path], None]:
    """Give the review a catalogue of its own (``performance.catalogue``) holding ``text``."""
    def setup(proj: Path) -> None:
        (proj / OWN_CATALOGUE).write_text(text, encoding="utf-8")
        params_edit(lambda d: d.setdefault("performance", {}).update(catalogue=OWN_CATALOGUE))(proj)
    return setup


PLAN = "data/mini/plan.csv"
PLAN_HEAD = "theme,action,owner,due_date,rag,evidence,kloes\n"
PLAN_ROW = "Identification,Train staff,Head of SEND,2025-03-31,green,,2016-identify\n"
TIMETABLE = "data/mini/timetable.csv"
TIMETABLE_HEAD = "day,time,activity,reviewers,kloes,location\n"
KEPT = "kept/mini-2025"


def kept_report(change: Callable[[dict[str, Any]], None] | None = None,
                inside: bool = False) -> Callable[[Path], None]:
    """A previous review (mini-2025) drafted in a project of its own beside this one; its report
    folder's manifest as draft writes it (papermill's parameters included), ``change``d, and kept
    at ``kept/`` in this project (copied away from its own) or read where it is (``inside``)."""
    def setup(proj: Path) -> None:
        import json

        from toolkit.build.manifest import build_manifest
        from toolkit.build.render import injected_parameters
        from toolkit.review import load_review

        old = proj.parent / "old"
        shutil.copytree(FIXTURES / "mini", old)
        (old / PARAMS).rename(old / "params/mini-2025.yaml")
        path = old / "params/mini-2025.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["review_id"] = "mini-2025"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        review = load_review(path)
        assert review.source is not None
        manifest = json.loads(build_manifest(review.params, path, old, injected_parameters(review)).to_json())
        if change is not None:
            change(manifest)
        folder = old / "reports/mini-2025" if inside else proj / KEPT
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        ref = "../old/reports/mini-2025" if inside else KEPT
        for mine in (proj / "data/mini").glob("findings_*.csv"):  # this project's own findings differ
            mine.write_text(mine.read_text(encoding="utf-8").replace("m3,", "n3,"), encoding="utf-8")
        params_edit(lambda d: d["inputs"].update(previous_review=ref))(proj)
    return setup


def changed_previous_findings(proj: Path) -> None:
    marsh = proj.parent / "old/data/mini/findings_marsh.csv"
    marsh.write_text(marsh.read_text(encoding="utf-8").replace("m3,", "k3,"), encoding="utf-8")


def report_manifest(params_file: str) -> Callable[[Path], None]:
    """A report folder (kept outside reports/) whose manifest names ``params_file``."""
    def setup(proj: Path) -> None:
        import json

        folder = proj / KEPT
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({
            "format": 1, "review_id": "mini-review", "params_file": params_file, "inputs": {},
            "parameters": {}, "toolkit_version": "0", "packages": {}}), encoding="utf-8")
    return setup


SCREEN_HINT = ("this looks like a person's name, which free text must not hold; remove it (refer to a plan by "
               "its case reference only) and try again. If it is a member of staff, write their role next to the "
               "name (such as 'Mrs Patel, SENCo'); if it is a place, project or service, add the phrase to "
               "privacy.allow in the review's parameters.")
NHS_HINT = ("this looks like an NHS number, which free text must not hold; remove it (refer to a plan by its case "
            "reference only) and try again.")
MANIFEST_FIX = ("draft the report again with peer-review draft, or restore the manifest.json that draft wrote "
                "(a manifest is never edited by hand)")


def project_copy(tmp_path: Path) -> Path:
    proj = tmp_path / "proj"
    shutil.copytree(FIXTURES / "mini", proj)
    return proj


def _run(case: Case, proj: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, float]:
    started = time.monotonic()
    if case.subprocess:
        done = subprocess.run([sys.executable, "-m", "toolkit.cli", *case.command], cwd=proj,
                              capture_output=True, text=True, timeout=120)
        return done.returncode, done.stdout + done.stderr, time.monotonic() - started
    monkeypatch.chdir(proj)
    result = CliRunner().invoke(main, list(case.command), catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{case.name}: the command raised {result.exception!r}") from result.exception
    return result.exit_code, result.stdout + result.stderr, time.monotonic() - started



def check_case(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run one case through the command line and check its exit, its first line and what it leaked."""
    proj = project_copy(tmp_path)
    case.setup(proj)
    code, output, seconds = _run(case, proj, monkeypatch)
    assert code == case.code, output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    if case.code == 0:
        flagged = [line for line in lines if "warning:" in line]
        assert flagged, output
        first = flagged[0]
    elif case.command[0] == "batch":  # the summary table: a row per review
        first = next(line for line in lines if line.startswith(case.file))
    else:
        first = lines[0]
    assert first.startswith(case.file + (":" if case.command[0] != "batch" else "")), first
    if case.where is not None:
        assert case.where in first, first
    if case.warning:
        assert "warning:" in first
    for word in case.extra:
        assert word.lower() in first.lower(), first
    if case.line is not None:
        assert first == case.line, first
    everything = output + "".join(p.read_text(errors="replace") for p in proj.rglob("*.log"))
    for secret in SECRETS:
        assert secret not in everything, f"{secret!r} printed: {output}"
    if code != 0:
        assert not [p for p in (proj / "reports").glob("*") if p.name != ".logs"] if (proj / "reports").exists() else True
    # In-process cases take about 0.2 s: 10 s is the limit with room for a loaded machine.
    # A child process also pays for Python and its imports, so it only has to prove it never blocks.
    assert seconds < (60 if case.subprocess else 10), f"{case.name} took {seconds:.1f} s"
