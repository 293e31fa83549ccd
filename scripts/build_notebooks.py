"""Write the project's notebooks from their cell sources and store their outputs.

The notebooks are kept with the outputs of a run on a demo review so that nbval can check that a
fresh run gives the same results. Run after changing a notebook's cells or the demo data:

    .venv/bin/python scripts/build_notebooks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.build.kernels import KERNEL_NAME, IPCKernelManager, ensure_kernel
from toolkit.build.render import normalise_notebook  # noqa: E402
from toolkit.inputs.params import TOP_LEVEL_FIELDS  # noqa: E402
from toolkit.letter.briefing import SECTIONS as BRIEFING_SECTIONS  # noqa: E402

DEMO_PARAMS = "../params/kestrelmoor-2026.yaml"

PARAMETERS = "\n".join(
    ["# Parameters: papermill injects a review's parameters file here (docs/inputs.md).",
     "# With nothing injected, the notebook drafts the demo review named by params_file.",
     f'params_file = "{DEMO_PARAMS}"',
     "project_root = None"]
    + [f"{name} = None" for name in TOP_LEVEL_FIELDS]
)

LETTER_CELLS: list[tuple[str, list[str]]] = [
    ("md", ["# Peer-challenge letter draft\n\n"
            "This notebook is the reproducible record of one review's letter. papermill runs it with the "
            "review's parameters; each cell calls one function of the `toolkit` package. Cells tagged "
            "`letter` are the letter itself; nbconvert's `letter` template keeps only their output, so "
            "the other cells are the team's working view and never reach the letter."]),
    ("code", ["parameters"], PARAMETERS),
    ("code", [], "from toolkit import auditreport, letter, perfletter, summary\nfrom toolkit.review import from_notebook"),
    ("md", ["## The review and its inputs"]),
    ("code", [], "review = from_notebook(globals())\nreview"),
    ("code", [], "summary.findings_table(review)"),
    ("code", [], "summary.coverage_table(review)"),
    ("md", ["## EHC plan audit (working view)\n\n"
            "Grades by section, results by group, and the moderation of plans read by two auditors: "
            "settle the disagreements listed here before the letter is sent. Only counts reach the letter."]),
    ("code", [], "summary.audit_grades_table(review)"),
    ("code", [], "auditreport.grades_by_group_table(review.audit)"),
    ("code", [], "auditreport.most_unmet_table(review.audit)"),
    ("code", [], "auditreport.timeliness_table(review.audit)"),
    ("code", [], "auditreport.audit_charts(review.audit)"),
    ("code", [], "auditreport.blank_entries_table(review.audit)"),
    ("code", [], "summary.moderation_summary(review)"),
    ("code", [], "summary.moderation_disagreements(review)"),
    ("md", ["## Performance data (working view)\n\n"
            "The authority's indicators with their comparators, and findings that the data seems to "
            "contradict (a strength in the lowest quarter, or an area for consideration in the best). "
            "These checks are for the team and never reach the letter."]),
    ("code", [], "perfletter.indicator_table(review)"),
    ("code", [], "perfletter.consistency_table(review)"),
    ("code", [], "perfletter.warnings_table(review)"),
    ("md", ["## Improvement plan (working view)\n\n"
            "The area's improvement plan: actions overdue at the first visit day (never today's date), "
            "and the plan's themes each area for consideration touches. For the team only."]),
    ("code", [], "summary.improvement_plan_table(review)"),
    ("code", [], "summary.plan_themes_table(review)"),
    ("md", ["## The letter"]),
    ("md", ["The letter style's `document.yaml` lists the sections in order; the tagged cell below shows "
            "each one as its own output, and nbconvert's `letter` template keeps them in that order."]),
    ("code", [], "letter.glossary_check(review)"),
    ("code", ["letter"], "for part in letter.document(review):\n    display(part)"),
    # the page around the sections, which nbconvert's letter template puts them in
    ("code", [], "letter.page_shell(review)"),
]


BRIEFING_CELLS: list[tuple] = [
    ("md", ["# Pre-visit briefing pack\n\n"
            "The area's published indicators for the review team before the visit, run by papermill "
            "with the review's parameters (`peer-review briefing PARAMS`). Cells tagged `briefing` are "
            "the pack; the others are working views."]),
    ("code", ["parameters"], PARAMETERS),
    ("code", [], "from toolkit import briefing, perfletter\nfrom toolkit.review import from_notebook"),
    ("code", [], "review = from_notebook(globals())\nreview"),
    ("code", [], "perfletter.indicator_table(review)"),
    *[("code", ["briefing"], f"briefing.{section.__name__}(review)") for section in BRIEFING_SECTIONS],
    ("code", [], "briefing.page_shell(review)"),
]


THEMES_CELLS: list[tuple] = [
    ("md", ["# Themes across a round of reviews\n\n"
            "The reproducible record of one round's themes report (`peer-review themes PARAMS --out "
            "reports/<round>/`, docs/themes.md). papermill runs it with the round's parameters files; each "
            "cell calls one function of the `toolkit` package. Cells tagged `themes` are the report; the "
            "others are working views for the programme's coordinator."]),
    ("code", ["parameters"], "# Parameters: papermill injects the round's file (round.json, written by peer-review "
                             "themes),\n# its name, and the parameters files (relative to the project) to read the "
                             'round afresh.\nparams_files = ["params"]\nround_name = "demo"\nproject_root = ".."\n'
                             "round_file = None"),
    ("code", [], "from toolkit import themes\nfrom toolkit.round import read_round"),
    ("md", ["## The round"]),
    ("code", [], "round_ = read_round(round_file, params_files, project_root, round_name)\nround_"),
    ("code", [], "data = themes.themes_data(round_)"),
    ("md", ["## Recurring findings (working view)\n\n"
            "Every finding of every group, with its review and id, to check by hand that each group's "
            "findings say the same kind of thing. For the coordinator only."]),
    ("code", [], "themes.groups_table(data)"),
    ("md", ["## The report"]),
    ("code", ["themes"], "for part in themes.document(data):\n    display(part)"),
    ("code", [], "themes.page_shell(data)"),
]


def make_notebook(cells: list[tuple]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python (peer-review)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for spec in cells:
        if spec[0] == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell("".join(spec[1])))
        else:
            cell = nbformat.v4.new_code_cell(spec[2])
            if spec[1]:
                cell.metadata["tags"] = list(spec[1])
            nb.cells.append(cell)
    return nb


def build(name: str, cells: list[tuple]) -> Path:
    path = ROOT / "notebooks" / name
    nb = make_notebook(cells)
    ensure_kernel()
    NotebookClient(nb, kernel_name=KERNEL_NAME, kernel_manager_class=IPCKernelManager, resources={"metadata": {"path": str(path.parent)}},
                   record_timing=False, timeout=600).execute()
    path.write_text(nbformat.writes(normalise_notebook(nb)) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(build("letter.ipynb", LETTER_CELLS))
    print(build("briefing.ipynb", BRIEFING_CELLS))
    print(build("themes.ipynb", THEMES_CELLS))
