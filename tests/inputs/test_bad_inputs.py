"""The bad-input corpus: every case is one broken input, run through the real command line.

Each case asserts the exit code, that the first line names the file and the row/column (or the
field), that no traceback appears, that none of the child's data planted in the input appears in
anything printed (or in a log), that no report folder is left behind, and that the command
returns within 10 seconds. Cases run in-process through click's runner, except those that must
prove a read never blocks (named pipes), which run as a child process with a time limit.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from support.bad_inputs import (
    AUDIT,
    AUDIT_ROW,
    CHECKLIST,
    DOB,
    ENTRY,
    FINDINGS,
    GOOD_ROW,
    GOOD_XLSX_ROWS,
    HEADER,
    IMPORT,
    KEPT,
    MANIFEST_FIX,
    NAME,
    NHS,
    NHS_HINT,
    OWN_CATALOGUE,
    PARAMS,
    PERF,
    PLAN,
    PLAN_HEAD,
    PLAN_ROW,
    PROMPT,
    RECS,
    SCREEN_HINT,
    SEF,
    SHEET,
    TIMETABLE,
    TIMETABLE_HEAD,
    UPN,
    WORKBOOK,
    Case,
    add_file,
    audit,
    both,
    changed_previous_findings,
    check_case,
    checklist,
    error_value,
    external_formula,
    findings_bytes,
    findings_cell,
    findings_text,
    formula_cell,
    hidden_first,
    kept_report,
    measure_cell,
    merged_cells,
    own_catalogue,
    params_edit,
    params_text,
    performance,
    project_copy,
    recommendations,
    rename_column,
    replace_with,
    report_manifest,
    sef,
    sheet_rows,
    wb_blank_row,
    wb_cell,
    wb_extra_column,
    wb_header,
    wb_merged,
    wb_rename_findings,
    wb_statement,
    west_midlands,
    workbook,
    xlsx_findings,
    xlsx_long_cell,
    xlsx_private_kind,
    xlsx_title_row,
)

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
    Case("SEF is a folder", both(sef("Inclusion,good,good,Fine.,\n"), replace_with("dir", SEF)),
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


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow) if c.command[0] in ("draft", "batch") else c
                                  for c in CASES], ids=[c.name for c in CASES])  # draft and batch start kernels
def test_bad_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_case(case, tmp_path, monkeypatch)


def test_hidden_sheet_is_never_read(tmp_path: Path) -> None:
    """A workbook whose first sheet is a hidden old draft: the visible sheet is the one read."""
    from toolkit.review import load_review

    proj = project_copy(tmp_path)
    xlsx_findings(hidden_first)(proj)
    review = load_review(proj / PARAMS)
    statements = [f.statement for f in review.findings.all]
    assert "A sound statement." in statements
    assert not any("OLD DRAFT" in s for s in statements)


def test_named_sheet_is_read(tmp_path: Path) -> None:
    """A workbook with a sheet named Findings is read from it, wherever it stands."""
    from toolkit.review import load_review

    def build(wb: openpyxl.Workbook) -> None:
        sheet_rows(wb.active, [["notes"], ["nothing here"]])
        sheet_rows(wb.create_sheet("Findings"), GOOD_XLSX_ROWS)

    proj = project_copy(tmp_path)
    xlsx_findings(build)(proj)
    assert "A sound statement." in [f.statement for f in load_review(proj / PARAMS).findings.all]


def test_day_numbers_name_visit_days(tmp_path: Path) -> None:
    """``days: [2]`` is the second day of the visit, with no warning."""
    from toolkit.review import check

    proj = project_copy(tmp_path)
    params_edit(lambda d: d["team"][2].update(days=[2]))(proj)
    checked = check(proj / PARAMS)
    assert not checked.errors and not checked.warnings
    assert checked.review is not None
    member = checked.review.params.team[2]
    assert [d.isoformat() for d in member.days or []] == ["2026-02-04"]
