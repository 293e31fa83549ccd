"""The bad-input corpus: every case is one broken input, run through the real command line.

Each case asserts the exit code, that the first line names the file and the row/column (or the
field), that no traceback appears, that none of the child's data planted in the input appears in
anything printed (or in a log), that no report folder is left behind, and that the command
returns within 10 seconds. Cases run in-process through click's runner, except those that must
prove a read never blocks (named pipes), which run as a child process with a time limit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
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
    setup: Callable[[Path], None]
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


def _sheet_rows(ws: Any, rows: list[list[object]]) -> None:
    for r in rows:
        ws.append(r)


GOOD_XLSX_ROWS: list[list[object]] = [HEADER.split(","), GOOD_ROW.split(",")]


def hidden_first(wb: openpyxl.Workbook) -> None:
    old = wb.active
    old.title = "Old draft"
    _sheet_rows(old, [HEADER.split(","), ["o1", "2016-identify", "strength", "no", "OLD DRAFT - do not use", "",
                                          "documents", "Ruth Adeyemi", "yes", "", ""]])
    old.sheet_state = "hidden"
    _sheet_rows(wb.create_sheet("Current"), GOOD_XLSX_ROWS)


def formula_cell(wb: openpyxl.Workbook) -> None:
    _sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["E2"] = "=A1&B1"  # openpyxl saves no calculated value


def merged_cells(wb: openpyxl.Workbook) -> None:
    _sheet_rows(wb.active, [*GOOD_XLSX_ROWS, ["a10", "2016-identify", "strength", "no", "Second.", "", "documents",
                                              "Ruth Adeyemi", "yes", "", ""]])
    wb.active.merge_cells("H2:H3")


def xlsx_title_row(wb: openpyxl.Workbook) -> None:
    _sheet_rows(wb.active, [["Findings of Ruth Adeyemi"], *GOOD_XLSX_ROWS])


def xlsx_long_cell(wb: openpyxl.Workbook) -> None:
    _sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["F2"] = "word " * 200_000


def xlsx_private_kind(wb: openpyxl.Workbook) -> None:
    _sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["C2"] = f"{NAME} {NHS}"


def add_file(rel: str, text: str, key: str, value: Any = None) -> Callable[[Path], None]:
    """Write an extra input file and name it in the parameters (``inputs.<key>``)."""
    def setup(proj: Path) -> None:
        path = proj / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        params_edit(lambda d: d["inputs"].update({key: value if value is not None else rel}))(proj)
    return setup


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
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
    _sheet_rows(wb.active, GOOD_XLSX_ROWS)
    wb.active["F2"] = "#REF!"  # what a formula whose cells were deleted shows


def external_formula(wb: openpyxl.Workbook) -> None:
    _sheet_rows(wb.active, GOOD_XLSX_ROWS)
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

CASES = [
    # ---- the parameters file ----
    Case("params missing", lambda p: (p / PARAMS).unlink(), PARAMS, None, extra=("not found",)),
    Case("params is a folder", replace_with("dir", PARAMS), PARAMS, None, extra=("folder",)),
    Case("params is a named pipe", replace_with("fifo", PARAMS), PARAMS, None, subprocess=True, extra=("pipe",)),
    Case("params is a link loop", replace_with("loop", PARAMS), PARAMS, None, extra=("loop",)),
    Case("params not YAML", params_text("review_id: mini-review", "review_id: [mini"), PARAMS, "line 3"),
    Case("params unknown field", params_edit(lambda d: d["authority"].update(nmae="x")), PARAMS, "authority.nmae"),
    Case("letter_style outside the styles", params_edit(lambda d: d.update(letter_style="../../..")), PARAMS,
         "letter_style"),
    Case("letter_style unknown", params_edit(lambda d: d.update(letter_style="no-such-style")), PARAMS,
         "letter_style"),
    Case("ONS code holding an NHS number", params_edit(lambda d: d["authority"].update(ons_code=NHS)), PARAMS,
         "authority.ons_code"),
    Case("impossible date", params_text("letter_date: 2026-02-19", "letter_date: 2026-02-31"), PARAMS,
         "letter_date", extra=("YYYY-MM-DD",)),
    Case("date in words", params_text("letter_date: 2026-02-19", "letter_date: nineteenth of February"), PARAMS,
         "letter_date", extra=("YYYY-MM-DD",)),
    Case("team day number beyond the visit", params_edit(lambda d: d["team"][1].update(days=[4])), PARAMS,
         "team[2].days[1]"),
    Case("cases reviewed naming a child", params_edit(lambda d: d.update(cases_reviewed=[f"{NAME}'s care plan"])),
         PARAMS, "cases_reviewed[1]"),
    Case("groups met with an NHS number", params_edit(lambda d: d.update(groups_met=["officers", f"NHS {NHS}"])),
         PARAMS, "groups_met[2]"),
    Case("output format unknown", params_edit(lambda d: d.update(outputs=["html", "pdfx"])), PARAMS, "outputs[2]"),
    Case("day-first visit date", params_text("letter_date: 2026-02-19", "letter_date: 19/02/2026"), PARAMS,
         "letter_date", code=0, warning=True),
    Case("team day outside the visit", params_edit(lambda d: d["team"][1].update(days=["2026-03-01"])), PARAMS,
         "team[2].days[1]"),
    # ---- every free-text field screened, by construction (issue 23, item 2) ----
    Case("opening welcome naming a child", params_edit(lambda d: d.update(opening={"welcome": f"We met {NAME}."})),
         PARAMS, "opening.welcome", line=f"{PARAMS}: opening.welcome: {SCREEN_HINT}"),
    Case("scope requested with an NHS number", params_edit(lambda d: d["scope"].update(
        requested=[f"Plans such as NHS {NHS}", *d["scope"]["requested"][1:]])), PARAMS, "scope.requested[1].text",
         line=f"{PARAMS}: scope.requested[1].text: {NHS_HINT}"),
    Case("scope requested item naming a child", params_edit(lambda d: d["scope"]["requested"][1].update(
        items=["Leadership", f"{NAME}'s plan"])), PARAMS, "scope.requested[2].items[2]"),
    Case("glossary definition naming a child", params_edit(lambda d: d.update(glossary={"SENCO": f"{NAME} (born "
                                                                                          f"{DOB})"})),
         PARAMS, "glossary.SENCO"),
    Case("glossary acronym that is a child's name", params_edit(lambda d: d.update(glossary={NAME: "a child"})),
         PARAMS, "glossary[1]"),
    Case("programme theme naming a child", params_edit(lambda d: d["programme"].update(theme=f"{NAME} (aged 9)")),
         PARAMS, "programme.theme"),
    Case("custom KLOE prompt with a UPN", params_edit(lambda d: d["scope"]["custom_kloes"][0].update(
        prompts=[f"Is {UPN} on roll?"])), PARAMS, "scope.custom_kloes[1].prompts[1].text"),
    Case("recipient role with a date of birth", params_edit(lambda d: d["recipient"].update(role=f"DOB {DOB}")),
         PARAMS, "recipient.role"),
    Case("own catalogue title naming a child", own_catalogue("version: 1\nindicators:\n" + ENTRY.format(
        id="mine", title=f"Plans of {NAME}")), OWN_CATALOGUE, "indicators[1].title"),
    Case("finding id holding a name and NHS number", findings_cell("id", f"{NAME.replace(' ', '-')}-"
                                                                       f"{NHS.replace(' ', '')}"),
         FINDINGS, "row 2, column id", line=f"{FINDINGS}: row 2, column id: this looks like a person's name and an "
                                            "NHS number, which free text must not hold; remove it (refer to a "
                                            "plan by its case reference only) and try again. If it is a member of "
                                            "staff, write their role next to the name (such as 'Mrs Patel, SENCo'); "
                                            "if it is a place, project or service, add the phrase to privacy.allow "
                                            "in the review's parameters."),
    Case("finding evidence naming a child", findings_cell("evidence", f"interview with {NAME}"), FINDINGS,
         "row 2, column evidence"),
    Case("unknown findings column headed by a child's name", findings_text(f"{HEADER},{NAME}\n{GOOD_ROW},x\n"),
         FINDINGS, "row 1", line=f"{FINDINGS}: row 1, column (a header not shown: it may identify a child): "
                                 "unknown column: rename it to one of id, kloe, kind, headline, statement, detail, "
                                 "evidence, reviewer, include, order, indicator, withdrawn, edited_by "
                                 "(docs/inputs.md), or delete the column"),
    Case("improvement plan theme naming a child", add_file(PLAN, PLAN_HEAD + PLAN_ROW.replace("Identification",
                                                                                          f"{NAME}'s support"),
                                                           "improvement_plan"), PLAN, "row 2, column theme"),
    Case("improvement plan owner with an NHS number", add_file(PLAN, PLAN_HEAD + PLAN_ROW.replace(
        "Head of SEND", f"NHS {NHS}"), "improvement_plan"), PLAN, "row 2, column owner"),
    Case("timetable time with a date of birth", add_file(TIMETABLE, TIMETABLE_HEAD + f"1,DOB {DOB},Officers,,,\n",
                                                         "timetable"), TIMETABLE, "row 2, column time"),
    Case("timetable reviewers naming a child", add_file(TIMETABLE, TIMETABLE_HEAD + f"1,09:30,Officers,{NAME},,\n",
                                                        "timetable"), TIMETABLE, "row 2, column reviewers"),
    Case("SEF area holding a UPN", sef(f"{UPN},good,good,Fine.,\n"), SEF, "row 2, column area"),
    Case("checklist prompt id naming a child", checklist(f"2016-identify,{NAME},covered,,Ruth Adeyemi\n"),
         CHECKLIST, "row 2, column prompt_id"),
    Case("audit auditor with an NHS number", audit(AUDIT_ROW.replace("Ruth Adeyemi", f"Pat Lee {NHS}") + "\n"),
         AUDIT, "row 2, column auditor"),
    # ---- kept report folders as previous reviews (issue 23, item 3) ----
    Case("kept report folder copied away from its project", kept_report(), f"{KEPT}/manifest.json",
         "inputs.previous_review", extra=("data/mini/findings_marsh.csv", "keep the report folder")),
    Case("kept report folder whose findings changed since", both(kept_report(inside=True), changed_previous_findings),
         "../old/reports/mini-2025/manifest.json", "inputs.previous_review",
         extra=("have changed since it was drafted (../old/data/mini/findings_marsh.csv)",)),
    Case("kept report manifest naming a file outside the project", kept_report(
        lambda m: m.update(params_file="../../etc/passwd")), f"{KEPT}/manifest.json", "params_file",
         line=f"{KEPT}/manifest.json: params_file: the parameters file it names leads outside the project (..): "
              f"{MANIFEST_FIX}"),
    Case("kept report manifest without its parameters", kept_report(lambda m: m.pop("parameters")),
         f"{KEPT}/manifest.json", None, line=f"{KEPT}/manifest.json: parameters is missing, so this is not a "
                                             f"manifest written by peer-review draft: {MANIFEST_FIX}"),
    Case("previous review that does not exist", params_edit(lambda d: d["inputs"].update(
        previous_review="reports/mini-2024")), PARAMS, "inputs.previous_review",
         line=f"{PARAMS}: inputs.previous_review: 'reports/mini-2024' does not exist: name the previous review's "
              "parameters file (params/<review>.yaml) or the report folder peer-review draft wrote for it "
              "(reports/<review>), relative to the project folder"),
    # ---- every line says what to do (issue 23, item 7) ----
    Case("duplicated key in the parameters", params_text("letter_date: 2026-02-19",
                                                         "letter_date: 2026-02-19\nletter_date: 2027-02-19"),
         PARAMS, "line 21", line=f"{PARAMS}: line 21: the key 'letter_date' appears twice in the same mapping (first "
                                 "on line 20), and only one can count: keep one and delete the other"),
    Case("duplicated nested key in the parameters", params_text("  salutation: Dear Sam",
                                                                "  salutation: Dear Sam\n  salutation: Dear Ms Okoye"),
         PARAMS, "line 26", extra=("'salutation' appears twice",)),
    Case("duplicated key in an own catalogue", own_catalogue("version: 1\nversion: 2\nindicators: []\n"),
         OWN_CATALOGUE, "line 2", extra=("'version' appears twice",)),
    Case("own catalogue not YAML", own_catalogue("version: 1\nindicators: [\n"), OWN_CATALOGUE, "line 3",
         extra=("not valid YAML", "check the quotes")),
    Case("circular denominators", own_catalogue("version: 1\nindicators:\n" + ENTRY.format(id="aa", title="A")
                                                + "    denominator: {indicator: bb, of: plans}\n"
                                                + ENTRY.format(id="bb", title="B")
                                                + "    denominator: {indicator: aa, of: plans}\n"),
         OWN_CATALOGUE, None, line=f"{OWN_CATALOGUE}: indicator aa: the denominators go round in a circle "
                                   "(aa -> bb -> aa), so no rate can be worked out: remove the denominator of one "
                                   "of them"),
    Case("field required", params_edit(lambda d: d["team"][1].pop("role")), PARAMS, "team[2].role",
         line=f"{PARAMS}: team[2].role: required but missing: add it (docs/inputs.md says what it holds)"),
    Case("text given as a list", params_edit(lambda d: d["recipient"].update(name=["Sam", "Okoye"])), PARAMS,
         "recipient.name", extra=("should be text, not a list: write text here",)),
    Case("number given as words", params_edit(lambda d: d["programme"].update(sequence="twenty-first")), PARAMS,
         "programme.sequence", extra=("should be a whole number", "write a whole number here")),
    Case("unknown field named after a child", params_edit(lambda d: d["authority"].update({NAME: "x"})), PARAMS,
         "authority.(a key not shown: it may identify a child)", extra=("unknown field",)),
    Case("glossary definition of a child's name given as a list", params_edit(lambda d: d.update(
        glossary={NAME: ["a", "b"]})), PARAMS, "glossary.(a key not shown", extra=("should be text",)),
    Case("misspelt field", params_edit(lambda d: d["recipient"].update(salutaton="Dear Sam")), PARAMS,
         "recipient.salutaton", extra=("did you mean salutation?",)),
    Case("findings_recorded below the files' count", params_edit(lambda d: d.update(findings_recorded=3)), PARAMS,
         "findings_recorded", extra=("three", "the findings files hold", "or more")),
    Case("empty glossary definition", params_edit(lambda d: d.update(glossary={"SENCO": ""})), PARAMS, "glossary",
         line=f"{PARAMS}: line 86, glossary: 'SENCO' has no definition: write what it stands for after the colon "
              "(such as SENCO: special educational needs coordinator), or delete the line"),
    Case("verify of a manifest naming ../../etc/passwd", report_manifest("../../etc/passwd"),
         f"{KEPT}/manifest.json", "params_file", command=("verify", KEPT),
         line=f"{KEPT}/manifest.json: params_file: the parameters file it names leads outside the project (..): "
              f"{MANIFEST_FIX}"),
    Case("verify of a manifest naming an absolute path", report_manifest("/etc/passwd"), f"{KEPT}/manifest.json",
         "params_file", command=("verify", KEPT), extra=("absolute path",)),
    # ---- findings (CSV) ----
    Case("kind holding a name and NHS number", findings_cell("kind", f"{NAME} {NHS}"), FINDINGS, "row 2, column kind"),
    Case("kloe holding a name", findings_cell("kloe", NAME), FINDINGS, "row 2, column kloe"),
    Case("headline holding a date of birth", findings_cell("headline", DOB), FINDINGS, "row 2, column headline"),
    Case("include holding a UPN", findings_cell("include", UPN), FINDINGS, "row 2, column include"),
    Case("reviewer holding a name", findings_cell("reviewer", NAME), FINDINGS, "row 2, column reviewer"),
    Case("statement naming a child", findings_cell("statement", f"{NAME} (born {DOB}) waited a year."), FINDINGS,
         "row 2, column statement"),
    Case("detail with an NHS number", findings_cell("detail", f"NHS number {NHS} was on the plan."), FINDINGS,
         "row 2, column detail"),
    Case("quote left open", findings_text(f"{HEADER}\n{GOOD_ROW}\na8,2016-identify,strength,no,\"Open quote "
                                          f"{NAME} {NHS},,documents,Ruth Adeyemi,yes,,\n{GOOD_ROW}\n"),
         FINDINGS, "row 3, column statement", extra=("quote",)),
    Case("more cells than columns", findings_text(f"{HEADER}\n{GOOD_ROW},extra,{NHS}\n"), FINDINGS, "row 2"),
    Case("title row above the header", findings_text(f"Findings of Ruth Adeyemi\n{HEADER}\n{GOOD_ROW}\n"), FINDINGS,
         "row 1", extra=("title",)),
    Case("blank row above the header", findings_text(f",,,\n{HEADER}\n{GOOD_ROW}\n"), FINDINGS, "row 1",
         extra=("blank",)),
    Case("empty file", findings_text(""), FINDINGS, "row 1", extra=("empty",)),
    Case("findings is a folder", replace_with("dir", FINDINGS), FINDINGS, None, extra=("folder",)),
    Case("findings is a named pipe", replace_with("fifo", FINDINGS), FINDINGS, None, subprocess=True,
         extra=("pipe",)),
    Case("findings is a link loop", replace_with("loop", FINDINGS), FINDINGS, None, extra=("loop",)),
    Case("statement of a megabyte", findings_text(f"{HEADER}\na9,2016-identify,strength,no,{'x' * 1_000_000},,"
                                                  "documents,Ruth Adeyemi,yes,,\n"), FINDINGS,
         "row 2, column statement", extra=("10,000",)),
    Case("not UTF-8", findings_bytes(f"{HEADER}\n{GOOD_ROW}\n".replace("sound", "s\xf6und").encode("latin-1")),
         FINDINGS, None, extra=("UTF-8",)),
    Case("NUL bytes", findings_bytes(f"{HEADER}\n{GOOD_ROW}\n".encode() + b"\x00\x00"), FINDINGS, None),
    Case("required column missing", findings_text(HEADER.replace("kind,", "") + "\n"), FINDINGS,
         "row 1, column kind"),
    Case("order not a number", findings_cell("order", f"{NHS}"), FINDINGS, "row 2, column order"),
    Case("header-only findings file", findings_text(HEADER + "\n"), FINDINGS, None, code=0, warning=True),
    Case("draft refused for a name in kind", findings_cell("kind", NAME), FINDINGS, "row 2, column kind",
         command=("draft", PARAMS)),
    # ---- findings (XLSX) ----
    Case("formula with no saved value", xlsx_findings(formula_cell), "data/mini/findings_adeyemi.xlsx",
         "row 2, column E", extra=("formula",)),
    Case("merged cells", xlsx_findings(merged_cells), "data/mini/findings_adeyemi.xlsx", "row 2, column H",
         extra=("merged",)),
    Case("workbook title row", xlsx_findings(xlsx_title_row), "data/mini/findings_adeyemi.xlsx", "row 1",
         extra=("title",)),
    Case("workbook cell of a megabyte", xlsx_findings(xlsx_long_cell), "data/mini/findings_adeyemi.xlsx",
         "row 2, column detail", extra=("10,000",)),
    Case("workbook kind holding a name", xlsx_findings(xlsx_private_kind), "data/mini/findings_adeyemi.xlsx",
         "row 2, column kind"),
    Case("workbook cell holding an error value", xlsx_findings(error_value), "data/mini/findings_adeyemi.xlsx",
         "row 2, column F", extra=("spreadsheet error",)),
    Case("workbook formula reading another workbook", xlsx_findings(external_formula),
         "data/mini/findings_adeyemi.xlsx", "row 2, column F", extra=("another workbook",)),
    Case("broken workbook", both(xlsx_findings(formula_cell),
                                 lambda p: (p / "data/mini/findings_adeyemi.xlsx").write_bytes(b"PK\x03\x04 no zip")),
         "data/mini/findings_adeyemi.xlsx", None, extra=("workbook",)),
    # ---- checklist ----
    Case("checklist status holding a name", checklist(f"2016-identify,{PROMPT},{NAME},,Ruth Adeyemi\n"), CHECKLIST,
         "row 2, column status"),
    Case("checklist notes with an NHS number", checklist(f"2016-identify,{PROMPT},covered,NHS {NHS},Ruth Adeyemi\n"),
         CHECKLIST, "row 2, column notes"),
    Case("checklist prompt unknown", checklist(f"2016-identify,{UPN},covered,,Ruth Adeyemi\n"), CHECKLIST,
         "row 2, column prompt_id"),
    # ---- EHCP audit ----
    Case("audit phase holding a name", audit(AUDIT_ROW.replace("KS2", NAME) + "\n"), AUDIT, "row 2, column phase"),
    Case("audit case reference a name", audit(AUDIT_ROW.replace("MIN-0101", "OliverB") + "\n"), AUDIT,
         "row 2, column case_ref"),
    Case("audit notes with a date of birth", audit(AUDIT_ROW + f"DOB {DOB}\n"), AUDIT, "row 2, column notes"),
    Case("audit weeks not a number", audit(AUDIT_ROW.replace("review,,", f"review,{NHS},") + "\n"), AUDIT,
         "row 2, column weeks_to_issue"),
    # ---- self-evaluation ----
    Case("SEF peer judgement holding a name and NHS number", sef(f"Inclusion,good,{NAME} {NHS},Fine.,\n"), SEF,
         "row 2, column peer_judgement"),
    Case("SEF reasoning naming a child", sef(f"Inclusion,good,good,As {NAME} (aged 9) showed.,\n"), SEF,
         "row 2, column reasoning"),
    Case("SEF is a folder", both(sef("Inclusion,good,good,Fine.,\n"), lambda p: ((p / SEF).unlink(), (p / SEF).mkdir())),
         SEF, None, extra=("folder",)),
    # ---- performance data ----
    Case("performance measure '<5'", performance(measure_cell("<5")), PERF, "row 2, column"),
    Case("performance measure '*'", performance(measure_cell("*")), PERF, "row 2, column"),
    Case("performance time_period renamed", performance(rename_column("time_period", "year")), PERF, None,
         extra=("year",)),
    Case("performance file is a named pipe", both(performance(), replace_with("fifo", PERF)), PERF, None,
         subprocess=True, extra=("pipe",)),
    Case("performance file is a link loop", both(performance(), replace_with("loop", PERF)), PERF, None,
         extra=("loop",)),
    Case("performance file is a folder", both(performance(), replace_with("dir", PERF)), PERF, None,
         extra=("folder",)),
    # ---- the team's own recommendations, overall view and record of the visit (the report form) ----
    Case("recommendation naming a child", recommendations(f"lt-coproduction,Ask {NAME} (born {DOB}) to help.,,,\n"),
         RECS, "row 2, column recommendation"),
    Case("recommendation answering an unknown finding", recommendations("lt-coproduction,Meet the forum.,zz9,,\n"),
         RECS, "row 2, column findings", extra=("'zz9'",)),
    Case("recommendation with no theme", recommendations(",Meet the forum.,a2,,\n"), RECS, "row 2, column theme"),
    Case("recommendation order not a number", recommendations("lt-coproduction,Meet the forum.,,,first\n"), RECS,
         "row 2, column order"),
    Case("recommendations without the recommendation column", recommendations("lt-coproduction\n", "theme\n"),
         RECS, "row 1, column recommendation"),
    Case("recommendation copying a finding", recommendations(
        "2016-identify,Late-emerging needs in secondary schools are missed.,a2,,\n"), RECS,
        "row 2, column recommendation", code=0, warning=True, extra=("word for word",)),
    Case("report form with no recommendations", params_edit(west_midlands), PARAMS, "inputs.recommendations",
         code=0, warning=True),
    Case("overall view naming a child", params_edit(lambda d: d.update(overall_view=f"{NAME} waited {NHS}.")),
         PARAMS, "overall_view"),
    Case("setting visited with an NHS number", params_edit(lambda d: d.update(settings_visited=["School", NHS])),
         PARAMS, "settings_visited[2]"),
    Case("explored_through for a KLOE not in scope",
         params_edit(lambda d: d.update(explored_through={"pfa": ["a focus group"]})), PARAMS,
         "explored_through.pfa"),
    # ---- capture-import ----
    Case("workbook without its Findings sheet", workbook(wb_rename_findings), WORKBOOK, None, command=IMPORT,
         extra=("Findings",)),
    Case("workbook statement naming a child", workbook(wb_statement(f"{NAME}, born {DOB}, waited.")), SHEET,
         "row 2", command=IMPORT),
    Case("workbook statement with an NHS number", workbook(wb_statement(f"NHS {NHS} on file.")), SHEET,
         "row 2", command=IMPORT),
    Case("workbook statement over the limit", workbook(wb_statement("word " * 3000)), SHEET, "row 2",
         command=IMPORT, extra=("10,000",)),
    Case("workbook is a folder", lambda p: (p / WORKBOOK).mkdir(), WORKBOOK, None, command=IMPORT,
         extra=("folder",)),
    Case("export to a CSV name", lambda p: None, "--out", None,
         command=("capture-export", PARAMS, "--reviewer", "Ruth Adeyemi", "--out", "ruth.csv"), extra=(".xlsx",)),
    Case("workbook is a CSV file", lambda p: (p / "filled.csv").write_text(HEADER + "\n", encoding="utf-8"),
         "filled.csv", None, command=("capture-import", PARAMS, "filled.csv"), extra=("not an Excel workbook",)),
    Case("workbook is not a zip", lambda p: (p / WORKBOOK).write_bytes(b"PK\x03\x04 no zip"), WORKBOOK, None,
         command=IMPORT, extra=("cannot read the workbook", "save it again")),
    Case("workbook column renamed up to case and plural", workbook(wb_header("detail", "Details")), SHEET,
         "row 1, column 'Details'", command=IMPORT, code=0, warning=True, extra=("read as column detail",)),
    Case("workbook column renamed up to spacing", workbook(wb_header("headline", "Head line")), SHEET,
         "row 1, column 'Head line'", command=IMPORT, code=0, warning=True, extra=("read as column headline",)),
    Case("workbook column misspelt", workbook(wb_header("detail", "Detials")), SHEET, "row 1, column 'Detials'",
         command=IMPORT, extra=("did you mean detail",)),
    Case("workbook column deleted", workbook(wb_header("withdrawn", None)), SHEET, "row 1, column withdrawn",
         command=IMPORT, extra=("put the column back",)),
    Case("workbook extra column of notes", workbook(wb_extra_column("My notes")), SHEET, "row 1, column 'My notes'",
         command=IMPORT, extra=("not a column",)),
    Case("workbook extra column headed with a child's name", workbook(wb_extra_column(f"{NAME} {NHS}")), SHEET,
         "row 1, column", command=IMPORT, extra=("not a column",)),
    Case("workbook column twice", workbook(wb_extra_column("Details")), SHEET, "row 1, column detail",
         command=IMPORT, extra=("both",)),
    Case("workbook statement a formula", workbook(wb_cell("statement", '=HYPERLINK("http://x","y")')), SHEET,
         "row 2, column statement", command=IMPORT, extra=("formula",)),
    Case("workbook detail reading another workbook", workbook(wb_cell("detail", "=[1]Sheet1!A1")), SHEET,
         "row 2, column detail", command=IMPORT, extra=("another workbook",)),
    Case("workbook merged KLOE cells", workbook(wb_merged), SHEET, "row 2, column kloe", command=IMPORT,
         extra=("merged",)),
    Case("workbook blank row above the header", workbook(wb_blank_row), SHEET, "row 1", command=IMPORT,
         extra=("blank",)),
    # ---- batch: the summary and the logs ----
    Case("batch with a name and NHS number in kind", findings_cell("kind", f"{NAME} {NHS}"), "mini-review", None,
         command=("batch", "params", "--no-progress", "--workers", "1"), code=1, subprocess=True,
         extra=("row 2, column kind",)),
]


def _project(tmp_path: Path) -> Path:
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


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c.command[0] in ("draft", "batch") else c
                                  for c in CASES], ids=[c.name for c in CASES])  # draft and batch start kernels
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proj = _project(tmp_path)
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


def test_hidden_sheet_is_never_read(tmp_path: Path) -> None:
    """A workbook whose first sheet is a hidden old draft: the visible sheet is the one read."""
    from toolkit.review import load_review

    proj = _project(tmp_path)
    xlsx_findings(hidden_first)(proj)
    review = load_review(proj / PARAMS)
    statements = [f.statement for f in review.findings.all]
    assert "A sound statement." in statements
    assert not any("OLD DRAFT" in s for s in statements)


def test_named_sheet_is_read(tmp_path: Path) -> None:
    """A workbook with a sheet named Findings is read from it, wherever it stands."""
    from toolkit.review import load_review

    def build(wb: openpyxl.Workbook) -> None:
        _sheet_rows(wb.active, [["notes"], ["nothing here"]])
        _sheet_rows(wb.create_sheet("Findings"), GOOD_XLSX_ROWS)

    proj = _project(tmp_path)
    xlsx_findings(build)(proj)
    assert "A sound statement." in [f.statement for f in load_review(proj / PARAMS).findings.all]


def test_day_numbers_name_visit_days(tmp_path: Path) -> None:
    """``days: [2]`` is the second day of the visit, with no warning."""
    from toolkit.review import check

    proj = _project(tmp_path)
    params_edit(lambda d: d["team"][2].update(days=[2]))(proj)
    checked = check(proj / PARAMS)
    assert not checked.errors and not checked.warnings
    assert checked.review is not None
    member = checked.review.params.team[2]
    assert [d.isoformat() for d in member.days or []] == ["2026-02-04"]
