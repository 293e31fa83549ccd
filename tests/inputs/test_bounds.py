"""Inputs too large to be a review's, and style templates that try to run code (issue 23, items 4
and 5): each case is one broken input run through the real command line, with the checks of
the bad-input corpus (tests/inputs/test_bad_inputs.py): exit code, a first line naming the file
and place, no traceback, no child's data, no report folder, and under 10 seconds.

Large files are built small on disk: a sparse file for a byte limit, a zip member of zeros for an
inflated size, one cell far away for a sheet's extent.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import jinja2
import openpyxl
import pytest
from support.bad_inputs import (
    FINDINGS,
    HEADER,
    IMPORT,
    PARAMS,
    PERF,
    WORKBOOK,
    Case,
    both,
    check_case,
    params_edit,
    performance,
    workbook,
)

from toolkit.errors import InputError
from toolkit.inputs import limits
from toolkit.inputs.styles import STYLES_DIR
from toolkit.letter.sections import render_fragment
from toolkit.review import load_review

STYLE = "styles/house"
XLSX = "data/mini/findings_adeyemi.xlsx"


def _xlsx_findings(proj: Path, build: Callable[[openpyxl.Workbook], None]) -> Path:
    (proj / FINDINGS).unlink()
    wb = openpyxl.Workbook()
    wb.active.append(HEADER.split(","))
    build(wb)
    wb.save(proj / XLSX)
    params_edit(lambda d: d["inputs"].update(findings=[XLSX, "data/mini/findings_marsh.csv"]))(proj)
    return proj / XLSX


def far_cell(proj: Path) -> None:
    """One cell at XFD1048576: 8 KB on disk, a sheet of 17 billion cells to a naive reader."""
    _xlsx_findings(proj, lambda wb: wb.active.cell(row=1_048_576, column=16_384, value="x"))


def zip_bomb(proj: Path) -> None:
    """A workbook with a part of zeros that inflates to 60 MB (60 KB on disk)."""
    path = _xlsx_findings(proj, lambda wb: None)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))


def bomb(rel: str) -> Callable[[Path], None]:
    """Add a part of zeros that inflates to 60 MB to the workbook ``rel``."""
    def setup(proj: Path) -> None:
        with zipfile.ZipFile(proj / rel, "a", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    return setup


def sparse(rel: str, size: int) -> Callable[[Path], None]:
    def setup(proj: Path) -> None:
        with (proj / rel).open("ab") as fh:
            fh.truncate(size)
    return setup


def many_rows(proj: Path) -> None:
    row = "a{},2016-identify,strength,no,A sound statement.,,documents,Ruth Adeyemi,yes,,"
    (proj / FINDINGS).write_text(HEADER + "\n" + "\n".join(row.format(i) for i in range(limits.TABLE_ROWS + 5)) + "\n",
                                 encoding="utf-8")


def wide_row(proj: Path) -> None:
    (proj / FINDINGS).write_text(HEADER + "\n" + ",".join(["x"] * (limits.TABLE_COLUMNS + 1)) + "\n", encoding="utf-8")


def tall_performance(proj: Path) -> None:
    with (proj / PERF).open("a", encoding="utf-8") as fh:
        fh.write("\n" * (limits.PERFORMANCE_ROWS + 2))


def style(files: dict[str, str], document: bool = True) -> Callable[[Path], None]:
    """A review's own style folder holding ``files`` (and the standard document.yaml)."""
    def setup(proj: Path) -> None:
        folder = proj / STYLE
        folder.mkdir(parents=True)
        if document:
            shutil.copy(STYLES_DIR / "standard" / "document.yaml", folder)
        for name, text in files.items():
            if text.startswith("->"):
                os.symlink(text[2:], folder / name)
            else:
                (folder / name).write_text(text, encoding="utf-8")
        params_edit(lambda d: d.update(letter_style=STYLE))(proj)
    return setup


def nbconvert_folder(proj: Path) -> None:
    shutil.copytree(Path(__file__).resolve().parents[2] / "toolkit/nbconvert_templates/letter", proj / STYLE)
    params_edit(lambda d: d.update(letter_style=STYLE))(proj)


CLOSING = f"{STYLE}/closing.html.j2"
CASES = [
    # ---- sizes, before parsing ----
    Case("xlsx with one cell at XFD1048576", far_cell, XLSX, None, extra=("16,384 columns", "delete")),
    Case("xlsx zip bomb", zip_bomb, XLSX, None, extra=("inflate",)),
    Case("capture workbook zip bomb", both(workbook(lambda wb: None), bomb(WORKBOOK)), WORKBOOK, None,
         command=IMPORT, extra=("inflate",)),
    Case("findings CSV over the byte limit", sparse(FINDINGS, limits.CSV_BYTES + 1), FINDINGS, None,
         extra=(f"at most {limits.CSV_BYTES // limits.MB}.0 MB",)),
    Case("parameters over the byte limit", sparse(PARAMS, limits.YAML_BYTES + 1), PARAMS, None,
         extra=(f"at most {limits.YAML_BYTES // limits.MB}.0 MB",)),
    Case("findings CSV over the row limit", many_rows, FINDINGS, "row 10002", extra=("10,000 rows",)),
    Case("findings CSV over the column limit", wide_row, FINDINGS, "row 2", extra=("200 columns",)),
    Case("performance file over the row limit", both(performance(), tall_performance), PERF, None,
         extra=("1,000,000",)),
    # ---- style templates, at validate ----
    Case("style template syntax error", style({"closing.html.j2": "<p>\n{% if p %}\n{{ p.lead.name }\n"}),
         CLOSING, "line 3", extra=("template error",)),
    Case("style template unknown filter", style({"closing.html.j2": "<p>{{ p.lead.name | shout }}</p>\n"}),
         CLOSING, "line 1", extra=("no filter named 'shout'",)),
    Case("style template unknown name", style({"closing.html.j2": "<p>\n{{ reviw.params }}</p>\n"}),
         CLOSING, "line 2", extra=("'reviw'",)),
    Case("style template includes a file outside", style({"closing.html.j2": '{% include "../../../etc/passwd" %}\n'}),
         CLOSING, "line 1", extra=("plain name",)),
    Case("style template includes a link out of the style",
         style({"closing.html.j2": '{% include "secret.html.j2" %}\n', "secret.html.j2": "->/etc/passwd"}),
         CLOSING, "line 1", extra=("outside the style",)),
    Case("style words with a broken template", style({"words.yaml": "letter_title: 'Letter to {{ p.authority'\n"}),
         f"{STYLE}/words.yaml", "line 1, letter_title", extra=("template error",)),
    Case("style folder without document.yaml", style({"closing.html.j2": "<p>ok</p>\n"}, document=False), STYLE,
         "letter_style", extra=("document.yaml",)),
    Case("nbconvert templates as a letter style", nbconvert_folder, STYLE, "letter_style", extra=("nbconvert",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bound_or_style_refused(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_case(case, tmp_path, monkeypatch)


@pytest.mark.parametrize("template", [
    "{{ review.root.joinpath('/etc/passwd').read_text() }}",
    "{{ p.parse_file('/etc/passwd') }}",
    "{{ p.__class__.__mro__ }}",
    "{{ review.source.path.read_text() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
])
def test_a_template_cannot_read_a_file(template: str, mini: Path, edit_params: Callable[..., None]) -> None:
    """Rendered in the sandbox: refused with the template's file and line, and nothing read."""
    folder = mini.parents[1] / STYLE
    folder.mkdir(parents=True)
    shutil.copy(STYLES_DIR / "standard" / "document.yaml", folder)
    (folder / "closing.html.j2").write_text("<p>Signed.</p>\n" + template + "\n", encoding="utf-8")
    edit_params(mini, lambda d: d.update(letter_style=STYLE))
    review = load_review(mini)
    with pytest.raises(InputError) as caught:
        render_fragment(review, "closing", "closing.html.j2")
    assert caught.value.file == CLOSING and caught.value.line == 2, str(caught.value)
    assert "root:" not in str(caught.value)


def test_shipped_styles_compile_in_the_sandbox() -> None:
    from toolkit.inputs.style_check import TEMPLATE_NAMES
    from toolkit.inputs.style_sandbox import LETTER_FILTERS, sandboxed_environment
    from toolkit.letter.templates import environment_for

    assert set(LETTER_FILTERS) <= set(environment_for(str(STYLES_DIR / "standard")).filters)
    env = sandboxed_environment([STYLES_DIR / "standard"])
    env.filters.update(dict.fromkeys(LETTER_FILTERS, str))
    for path in sorted(STYLES_DIR.glob("*/*.j2")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        assert jinja2.meta.find_undeclared_variables(tree) <= TEMPLATE_NAMES | set(env.globals), path
